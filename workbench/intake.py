"""Intake: read what the recommending unions send back, report every problem, lose nothing.

The edge (`read_inbox`) walks the inbox and opens workbooks with python-calamine; everything after
that is pure: a sheet's rows in, records and problem rows out. Headers are found by their content
and matched on a normalised form plus the alias table in `labels`; values are normalised by field
type (numbers with units, Chinese and month-only dates, yes/no variants).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import pandas as pd
from python_calamine import CalamineWorkbook
from tqdm.auto import tqdm

from workbench import labels
from workbench.config import CATEGORY_CODES, Round

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
HEADER_SCAN_ROWS = 15
MIN_HEADER_FIELDS = 4

FIELD_TYPES: dict[str, str] = {
    "recommender": "text", "category": "category", "recommender_rank": "int", "studio": "text",
    "host_unit": "text", "legal_person": "bool", "union_sound": "bool", "rnd_or_team": "bool",
    "party_building": "bool", "leader": "text", "leader_honours": "list", "team_size": "int",
    "frontline": "int", "established": "date", "named_on": "date", "direct": "bool",
    "site_area": "float", "funding": "float", "systems": "bool", "ledger": "bool",
    "results_last_year": "int", "benefit": "float", "video": "bool", "contact": "text",
    "phone": "text", "note": "text",
}
REQUIRED = ("category", "studio", "host_unit", "leader")
DTYPES = {"text": "string", "category": "string", "int": "Int64", "float": "Float64",
          "bool": "boolean", "date": "datetime64[ns]", "list": "object"}
PROBLEM_COLUMNS = ["file", "sheet", "cell", "field", "value", "severity", "code", "message"]


# ---------------------------------------------------------------------------- result
@dataclass
class IntakeResult:
    """What intake found: nominations, form details, materials, and every problem met."""

    nominations: pd.DataFrame
    members: pd.DataFrame = field(default_factory=pd.DataFrame)
    achievements: pd.DataFrame = field(default_factory=pd.DataFrame)
    materials: pd.DataFrame = field(default_factory=pd.DataFrame)
    problems: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PROBLEM_COLUMNS))
    files: pd.DataFrame = field(default_factory=pd.DataFrame)  # path, sha256: provenance


@dataclass
class Problem:
    file: str
    sheet: str
    cell: str
    field: str
    value: str
    severity: str
    code: str
    message: str


# ---------------------------------------------------------------------------- normalising text
_UNIT_SUFFIX = re.compile(r"[（(](?:人|项|个|万元|元|平方米|㎡|m2|年月|年|月|日|岁|次)[）)]$")
_BRACKETS = re.compile(r"[（）()【】\[\]《》<>*＊:：]")


def normalise_text(value: Any) -> str:
    """Full-width to half-width, no inner white space or line breaks."""
    text = unicodedata.normalize("NFKC", str(value))
    return re.sub(r"\s+", "", text)


def normalise_header(value: Any) -> str:
    """The form a header is matched on: NFKC, no spaces, no unit suffix, no brackets."""
    return _BRACKETS.sub("", _UNIT_SUFFIX.sub("", normalise_text(value)))


def _header_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for name, header in labels.SUMMARY_FIELDS.items():
        lookup[normalise_header(header)] = name
        for alias in labels.FIELD_ALIASES.get(name, []):
            lookup.setdefault(normalise_header(alias), name)
    return lookup


HEADER_LOOKUP = _header_lookup()


def match_header(value: Any) -> str | None:
    """The field a header cell names, or None."""
    key = normalise_header(value)
    if not key:
        return None
    return HEADER_LOOKUP.get(key)


# ---------------------------------------------------------------------------- parsing values
class ValueProblem(ValueError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


_NUMBER = re.compile(r"^[-+]?\d+(?:\.\d+)?")


def parse_number(value: Any) -> float | None:
    """120, '120平方米', '１２０', '5.5万元', '6人' -> a float; blank -> None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueProblem("not_a_number", f"应为数字，填写的是“{value}”")
    if isinstance(value, (int, float)):
        if value != value:  # NaN
            return None
        return float(value)
    text = normalise_text(value).replace(",", "")
    if not text:
        return None
    match = _NUMBER.match(text)
    if not match:
        raise ValueProblem("not_a_number", f"应为数字，填写的是“{value}”")
    return float(match.group())


def parse_int(value: Any) -> int | None:
    number = parse_number(value)
    if number is None:
        return None
    if number != int(number):
        raise ValueProblem("not_an_integer", f"应为整数，填写的是“{value}”")
    return int(number)


def parse_bool(value: Any) -> bool | None:
    """是/否/有/无/√/×/Y/N (and real booleans) -> bool; blank -> None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = normalise_text(value).lower()
    if text in labels.YES_WORDS:
        return True
    if text in labels.NO_WORDS:
        return False
    raise ValueProblem("not_yes_no", f"应填“是”或“否”，填写的是“{value}”")


_DATE_PATTERNS = [
    (re.compile(r"^(\d{4})[年.\-/](\d{1,2})[月.\-/](\d{1,2})日?$"), "day"),
    (re.compile(r"^(\d{4})[年.\-/](\d{1,2})月?$"), "month"),
    (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), "day"),
    (re.compile(r"^(\d{4})(\d{2})$"), "month"),
    (re.compile(r"^(\d{4})年?$"), "year"),
]
EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def parse_date(value: Any) -> tuple[dt.datetime | None, str | None]:
    """A date as written in Excel by people -> (datetime, precision 'day'|'month'|'year')."""
    if value is None or value == "":
        return None, None
    if isinstance(value, dt.datetime):
        return value.replace(hour=0, minute=0, second=0, microsecond=0), "day"
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day), "day"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1 <= value < 80000:  # an Excel serial day number
            return EXCEL_EPOCH + dt.timedelta(days=int(value)), "day"
        raise ValueProblem("not_a_date", f"无法识别的日期“{value}”")
    text = normalise_text(value)
    for pattern, precision in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            parts = [int(g) for g in m.groups()] + [1, 1]
            try:
                return dt.datetime(parts[0], parts[1], parts[2]), precision
            except ValueError:
                break
    raise ValueProblem("not_a_date", f"无法识别的日期“{value}”（可写作 2019年5月 或 2019-05-01）")


_LIST_SPLIT = re.compile(r"[；;、,，/\n\r|]+")


def parse_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    return [part.strip() for part in _LIST_SPLIT.split(str(value)) if part.strip()]


def category_lookup(rnd: Round) -> dict[str, str]:
    """Every way a category is written -> its code."""
    lookup: dict[str, str] = {}
    for code, cat in rnd.categories.items():
        for text in (code, cat.label, cat.short, cat.label.removeprefix("无锡市"), cat.short + "创新工作室"):
            lookup[normalise_header(text)] = code
    lookup[normalise_header("示范性劳模")] = "demonstration"
    lookup[normalise_header("示范")] = "demonstration"
    return lookup


def parse_category(value: Any, lookup: dict[str, str]) -> str | None:
    if value is None or value == "":
        return None
    code = lookup.get(normalise_header(value))
    if code is None:
        raise ValueProblem("unknown_category", f"无法识别的推荐类别“{value}”（应为示范性/劳模/职工）")
    return code


def parse_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value == int(value):
        value = int(value)
    text = str(value).strip()
    return text or None


def parse_value(kind: str, value: Any, categories: dict[str, str]) -> tuple[Any, str | None]:
    """Parse one cell by its field type; returns (value, date precision)."""
    if kind == "date":
        return parse_date(value)
    parsers = {"text": parse_text, "int": parse_int, "float": parse_number, "bool": parse_bool,
               "list": parse_list}
    if kind == "category":
        return parse_category(value, categories), None
    return parsers[kind](value), None


# ---------------------------------------------------------------------------- sheets
def cell_ref(row: int, col: int) -> str:
    """0-based (row, col) -> 'D7'."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"


def find_header(rows: list[list[Any]]) -> tuple[int, dict[int, str]] | None:
    """The header row (by content) within the first rows, and column -> field."""
    best: tuple[int, dict[int, str]] | None = None
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        columns: dict[int, str] = {}
        for j, cell in enumerate(row):
            name = match_header(cell) if isinstance(cell, str) else None
            if name and name not in columns.values():
                columns[j] = name
        if len(columns) >= MIN_HEADER_FIELDS and (best is None or len(columns) > len(best[1])):
            best = (i, columns)
    return best


FILL_KEYS = ("推荐单位", "填表人", "联系电话", "填报日期")
_FILL_FIELD = re.compile(rf"({'|'.join(FILL_KEYS)})[^：:]*[：:]\s*(.*?)\s*(?=(?:{'|'.join(FILL_KEYS)})|$)")


def parse_fill_line(rows: list[list[Any]], header_row: int) -> dict[str, str]:
    """The '推荐单位（盖章）：…  填报日期：…' line above the header, as a dict."""
    found: dict[str, str] = {}
    for row in rows[:header_row]:
        text = " ".join(str(c) for c in row if c not in (None, ""))
        for key, val in _FILL_FIELD.findall(text):
            if val:
                found.setdefault(key, val)
    return found


def _is_note_row(row: list[Any]) -> bool:
    first = next((str(c) for c in row if c not in (None, "")), "")
    return bool(re.match(r"^\s*(填表说明|说明|注[:：]|备注[:：])", first))


def read_summary_sheet(rows: list[list[Any]], *, file: str, sheet: str, origin: tuple[int, int],
                       categories: dict[str, str]) -> tuple[list[dict], list[Problem], dict[str, str]]:
    """Rows of one summary sheet -> nomination records, problems, and the fill-line facts."""
    problems: list[Problem] = []
    header = find_header(rows)
    if header is None:
        return [], problems, {}
    header_row, columns = header
    fill = parse_fill_line(rows, header_row)
    r0, c0 = origin
    missing = [f for f in REQUIRED if f not in columns.values()]
    if "recommender" not in columns.values() and "推荐单位" not in fill:
        missing.append("recommender")
    for name in missing:
        problems.append(Problem(file, sheet, cell_ref(r0 + header_row, c0), name, "", "error",
                                "missing_column", f"缺少必填列“{labels.SUMMARY_FIELDS[name]}”"))
    records: list[dict] = []
    for i in range(header_row + 1, len(rows)):
        row = rows[i]
        if _is_note_row(row):
            break
        if all(c in (None, "") for c in row):
            continue
        record: dict[str, Any] = {"source_file": file, "source_row": r0 + i + 1, "source_sheet": sheet}
        for j, name in columns.items():
            raw = row[j] if j < len(row) else None
            try:
                value, precision = parse_value(FIELD_TYPES[name], raw, categories)
            except ValueProblem as exc:
                problems.append(Problem(file, sheet, cell_ref(r0 + i, c0 + j), name, str(raw), "error",
                                        exc.code, f"{labels.SUMMARY_FIELDS[name]}：{exc}"))
                value, precision = None, None
            record[name] = value
            if FIELD_TYPES[name] == "date":
                record[f"{name}_precision"] = precision
        if not any(record.get(f) for f in ("studio", "leader", "host_unit")):
            problems.append(Problem(file, sheet, f"{r0 + i + 1}", "", " ".join(str(c) for c in row if c not in (None, "")),
                                    "warning", "unrecognised_row", "此行没有工作室名称、领衔人或所在单位，未作为推荐对象读取"))
            continue
        if not record.get("recommender") and fill.get("推荐单位"):
            record["recommender"] = fill["推荐单位"]
        for name in REQUIRED:
            if name in columns.values() and record.get(name) in (None, ""):
                j = next(k for k, v in columns.items() if v == name)
                problems.append(Problem(file, sheet, cell_ref(r0 + i, c0 + j), name, "", "error",
                                        "missing_value", f"“{labels.SUMMARY_FIELDS[name]}”未填写"))
        records.append(record)
    return records, problems, fill


# ---------------------------------------------------------------------------- files
def _sheets(path: Path) -> Iterable[tuple[str, list[list[Any]], tuple[int, int]]]:
    book = CalamineWorkbook.from_path(str(path))
    for name in book.sheet_names:
        sheet = book.get_sheet_by_name(name)
        yield name, sheet.to_python(skip_empty_area=True), tuple(sheet.start or (0, 0))


def read_summary_file(path: Path, *, rel: str, categories: dict[str, str]) -> tuple[list[dict], list[Problem], dict[str, str]]:
    """One workbook -> its nomination records, problems, fill-line facts; never raises."""
    records: list[dict] = []
    problems: list[Problem] = []
    fill: dict[str, str] = {}
    try:
        sheets = list(_sheets(path))
    except Exception as exc:  # calamine raises several types for broken files
        return [], [Problem(rel, "", "", "", "", "error", "unreadable_file",
                            f"文件无法作为Excel工作簿读取（已损坏、加密或不是Excel文件）：{type(exc).__name__}")], {}
    for name, rows, origin in sheets:
        recs, probs, fl = read_summary_sheet(rows, file=rel, sheet=name, origin=origin, categories=categories)
        records += recs
        problems += probs
        fill = fill or fl
    if not records and not problems:
        problems.append(Problem(rel, "", "", "", "", "error", "no_header",
                                "未在任何工作表的前15行找到汇总表表头（推荐单位、工作室名称、领衔人等）"))
    return records, problems, fill


def is_form_file(path: Path) -> bool:
    """A per-studio 推荐表 workbook is recognised by its name (…推荐表) or its 推荐表 sheet name."""
    return labels.FORM_SHEET in path.stem and labels.SUMMARY_SHEET not in path.stem and "汇总" not in path.stem


def read_receipts(inbox: Path) -> dict[str, dt.datetime]:
    """收件登记.csv: file (relative to the inbox) -> received_at; absent -> {}."""
    path = inbox / labels.RECEIPTS_FILE
    if not path.exists():
        return {}
    df = pd.read_csv(path, dtype="string", encoding="utf-8-sig")
    times = pd.to_datetime(df["received_at"], errors="coerce")
    return {normalise_text(f).replace("\\", "/"): t.to_pydatetime() for f, t in zip(df["file"], times) if pd.notna(t)}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_inbox(path: str | Path, rnd: Round, *, progress: bool = False) -> IntakeResult:
    """Read every summary workbook in the inbox (one folder per recommending union)."""
    inbox = Path(path)
    categories = category_lookup(rnd)
    receipts = read_receipts(inbox)
    files = sorted(p for p in inbox.rglob("*") if p.suffix.lower() in WORKBOOK_SUFFIXES and not p.name.startswith("~$"))
    summaries = [p for p in files if not is_form_file(p)]
    records: list[dict] = []
    problems: list[Problem] = []
    for p in tqdm(summaries, desc="读取汇总表", unit="个", disable=not progress):
        rel = p.relative_to(inbox).as_posix()
        recs, probs, fill = read_summary_file(p, rel=rel, categories=categories)
        received = receipts.get(normalise_text(rel))
        if received is None and fill.get("填报日期"):
            try:
                received = parse_date(fill["填报日期"])[0]
            except ValueProblem:
                problems.append(Problem(rel, "", "", "received_at", fill["填报日期"], "warning", "bad_fill_date",
                                        "填报日期无法识别，收件时间未知"))
        folder = p.relative_to(inbox).parts[0] if len(p.relative_to(inbox).parts) > 1 else ""
        for rec in recs:
            rec["received_at"] = received
            if not rec.get("recommender") and folder:
                rec["recommender"] = folder
        records += recs
        problems += probs
    nominations = finish_nominations(records)
    problems_df = pd.DataFrame([p.__dict__ for p in problems], columns=PROBLEM_COLUMNS).astype("string")
    files_df = pd.DataFrame({"file": [p.relative_to(inbox).as_posix() for p in files],
                             "sha256": [_sha256(p) for p in files]})
    return IntakeResult(nominations=nominations, problems=problems_df, files=files_df)


# ---------------------------------------------------------------------------- the nominations frame
def nomination_key(recommender: str, category: str, studio: str) -> str:
    """A stable id from what identifies a nomination, not from where it was read."""
    key = "|".join(normalise_text(x or "") for x in (recommender, category, studio))
    return "N" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:8].upper()


def finish_nominations(records: list[dict]) -> pd.DataFrame:
    """Records -> the typed nominations frame with stable, unique nomination ids."""
    columns = list(FIELD_TYPES) + ["established_precision", "named_on_precision", "received_at",
                                   "source_file", "source_sheet", "source_row"]
    df = pd.DataFrame.from_records(records, columns=columns)
    for name, kind in FIELD_TYPES.items():
        if kind == "list":
            df[name] = df[name].map(lambda v: v if isinstance(v, list) else [])
        elif kind == "date":
            df[name] = pd.to_datetime(df[name])
        else:
            df[name] = df[name].astype(DTYPES[kind])
    df["received_at"] = pd.to_datetime(df["received_at"])
    df["source_row"] = df["source_row"].astype("Int64")
    for col in ("established_precision", "named_on_precision", "source_file", "source_sheet"):
        df[col] = df[col].astype("string")
    df = df.sort_values(["source_file", "source_sheet", "source_row"], kind="stable").reset_index(drop=True)
    ids = [nomination_key(r, c, s) for r, c, s in zip(df["recommender"], df["category"], df["studio"])]
    seen: dict[str, int] = {}
    unique = []
    for nid in ids:
        seen[nid] = seen.get(nid, 0) + 1
        unique.append(nid if seen[nid] == 1 else f"{nid}-{seen[nid]}")
    df.insert(0, "nomination_id", pd.array(unique, dtype="string"))
    return df
