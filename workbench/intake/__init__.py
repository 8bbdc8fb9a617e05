"""Intake: read what the recommending unions send back, report every problem, lose nothing.

`read_inbox` is the edge: it walks `inbox/<推荐单位>/`, opens each workbook safely
(`files.list_inbox`, `workbook.read_workbook`) and hands the rows to pure readers: `summary` for 附件1 汇总表
(each sheet's table found, then the cells of all tables read at once, one column per field),
`forms` for 附件2/3/4 推荐表, then `checks` compares them. Every problem becomes a row of
`IntakeResult.problems`; a file that cannot be read at all is one row, and the rest is still read.
"""

from __future__ import annotations

import gc
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from workbench import labels
from workbench.config import Round
from workbench.errors import InboxMissingError
from workbench.intake import checks
from workbench.intake.files import list_inbox, suffix
from workbench.intake.forms import Form, read_form
from workbench.intake.paper import PAPER_DTYPES, attach_paper, read_paper
from workbench.intake.problems import PROBLEM_COLUMNS, Problem, cell_ref, problems_frame
from workbench.intake.register import file_key, read_receipts, read_register, registered, unlisted_receipts
from workbench.intake.summary import Table, find_header, find_tables, read_tables
from workbench.intake.values import (
    DTYPES,
    FIELD_TYPES,
    FieldParser,
    ValueProblem,
    category_lookup,
    normalise_header,
    normalise_text,
    parse_bool,
    parse_date,
    parse_list,
    parse_number,
    vocabulary,
)
from workbench.intake.workbook import Sheet, Unreadable, read_csv, read_workbook
from workbench.names import folder_union, other_union

NARRATIVES = list(labels.NARRATIVE_COLUMNS.values())  # nominations columns: the form's narratives
MEMBER_COLUMNS = ["nomination_id", "seq", "name", "gender", "born", "education", "title", "post", "frontline"]
ACHIEVEMENT_COLUMNS = ["nomination_id", "seq", "name", "kind", "level", "recognised_on", "recognised_by", "benefit"]

__all__ = ["IntakeResult", "PROBLEM_COLUMNS", "Problem", "cell_ref", "finish_nominations", "nomination_key",
           "normalise_header", "normalise_text", "parse_bool", "parse_date", "parse_list", "parse_number",
           "read_form_file", "read_inbox", "ValueProblem"]


@dataclass
class IntakeResult:
    """What intake found: nominations, form details, materials, and every problem met."""

    nominations: pd.DataFrame
    members: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=MEMBER_COLUMNS))
    achievements: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ACHIEVEMENT_COLUMNS))
    materials: pd.DataFrame = field(default_factory=pd.DataFrame)
    problems: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PROBLEM_COLUMNS))
    files: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["file", "sha256"]))


# ---------------------------------------------------------------------------- the nominations frame
def nomination_key(recommender: object, category: object, studio: object) -> str:
    """A stable id from what identifies a nomination, not from where or when it was read."""
    key = "|".join([normalise_text(x) if isinstance(x, str) else "" for x in (recommender, category, studio)])
    return "N" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:8].upper()


def _column(values: list, dtype: str) -> pd.api.extensions.ExtensionArray | np.ndarray:
    """One nominations column from its plain values, typed as the frame holds it."""
    if dtype == "object":  # lists of honours: a list in every row
        column = np.empty(len(values), dtype=object)
        for i, v in enumerate(values):
            column[i] = v if isinstance(v, list) else []
        return column
    if dtype == "datetime64[ns]":  # naive datetimes or None
        return np.asarray(pd.DatetimeIndex(values, dtype=dtype))
    if dtype in _MASKED:  # numbers or yes/no, None where missing: built as values and mask, twice as quick
        array, kind, fill = _MASKED[dtype]
        cells = np.array(values, dtype=object)
        missing = (cells == None) | (cells != cells)  # noqa: E711 (elementwise); NaN is missing too
        if missing.dtype == bool:
            cells[missing] = fill
            return array(cells.astype(kind), missing)
    return pd.array(values, dtype=dtype)


_MASKED = {"Int64": (pd.arrays.IntegerArray, "int64", 0), "Float64": (pd.arrays.FloatingArray, "float64", 0.0),
           "boolean": (pd.arrays.BooleanArray, "bool", False)}


def _source_order(files: list, sheets: list, rows: list) -> list[int]:
    """Row order by file, sheet and row, missing last (as a stable sort_values would put them)."""
    na = pd.NA
    keys = [(f is na, "" if f is na else f, s is na, "" if s is na else s, r is na, 0 if r is na else r)
            for f, s, r in zip(files, sheets, rows)]
    return sorted(range(len(keys)), key=keys.__getitem__)


NOMINATION_DTYPES = {name: DTYPES[kind] for name, kind in FIELD_TYPES.items()} | {
    "established_precision": "string", "named_on_precision": "string", "received_at": "datetime64[ns]",
    "source_file": "string", "source_sheet": "string", "source_row": "Int64",
    **PAPER_DTYPES, **{col: "string" for col in NARRATIVES}}  # paper: from the receipt register (intake.paper)


def finish_nominations(records: list[dict]) -> pd.DataFrame:
    """Records -> the typed nominations frame with stable, unique nomination ids."""
    return nominations_frame({name: [r.get(name) for r in records] for name in NOMINATION_DTYPES}, len(records))


def nominations_frame(values: dict[str, list], n: int) -> pd.DataFrame:
    """Columns of plain values (n rows; a column not given is blank) -> the typed nominations frame,
    in source order, with stable, unique nomination ids."""
    blank = [None] * n
    df = pd.DataFrame({name: _column(values.get(name, blank), dtype) for name, dtype in NOMINATION_DTYPES.items()})
    order = _source_order(*(df[c].tolist() for c in ("source_file", "source_sheet", "source_row")))
    if order != list(range(len(order))):
        df = df.take(order).reset_index(drop=True)
    ids = [nomination_key(r, c, s) for r, c, s in zip(*(df[col].tolist() for col in ("recommender", "category", "studio")))]
    seen: dict[str, int] = {}
    unique = []
    for nid in ids:
        seen[nid] = seen.get(nid, 0) + 1
        unique.append(nid if seen[nid] == 1 else f"{nid}-{seen[nid]}")
    df.insert(0, "nomination_id", pd.array(unique, dtype="string"))
    return df


# ---------------------------------------------------------------------------- files
def is_form_file(path: str | Path) -> bool:
    """A per-studio 推荐表 workbook is named …推荐表 (the summary is …汇总表)."""
    name = os.path.basename(path)
    return labels.FORM_SHEET in name and "汇总" not in name


def _open(path: str | Path, rel: str, rnd: Round) -> tuple[list[Sheet], list[Problem], str]:
    """The visible sheets of a workbook or CSV, the problems met opening it (hidden sheets too), and
    the sha256 of its bytes (read once, for the input listing)."""
    try:
        book = read_csv(path) if suffix(rel) == ".csv" else read_workbook(path, suffix(rel))
    except Unreadable as exc:
        return [], [Problem(rel, "", "", "", "", "error", exc.code, str(exc))], _digest(path)
    problems = [Problem(rel, "", "", "", "", "warning", code, message) for code, message in book.notes]
    hidden = [_hidden(s, rel, rnd) for s in book.sheets if s.hidden]
    return [s for s in book.sheets if not s.hidden], problems + hidden, book.sha256


def _digest(path: str | Path) -> str:
    """The sha256 of a file not read here ("" when it is not a regular file or cannot be read: a pipe
    named like a workbook must not hold intake)."""
    try:
        return file_sha256(Path(path)) if os.path.isfile(path) else ""
    except OSError:
        return ""


def _hidden(sheet: Sheet, rel: str, rnd: Round) -> Problem:
    """A hidden sheet is not read, and said so (with how much of a summary it holds)."""
    header = find_header(sheet.rows, vocabulary(rnd)) if sheet.rows else None
    rows = labels.WORKBOOK_MESSAGES["hidden_sheet_rows"].format(n=len(sheet.rows) - header.row - 1) if header else ""
    return Problem(rel, sheet.name, "", "", "", "warning", "hidden_sheet",
                   labels.WORKBOOK_MESSAGES["hidden_sheet"].format(sheet=sheet.name, rows=rows))


def read_form_file(path: str | Path, rnd: Round, *, rel: str | None = None) -> Form:
    """One 推荐表 workbook -> Form (fields, members, achievements, problems); never raises."""
    path = Path(path)
    rel = rel or path.name
    sheets, problems, _ = _open(path, rel, rnd)
    return _form(sheets, problems, rel, rnd)


def _form(sheets: list[Sheet], problems: list[Problem], rel: str, rnd: Round) -> Form:
    if not sheets and problems and problems[0].severity == "error":
        return Form(rel, problems=problems)
    form = read_form(sheets, file=rel, rnd=rnd, categories=category_lookup(rnd))
    form.problems[:0] = problems
    return form


def _summary(rel: str, sheets: list[Sheet], problems: list[Problem], tables: list[Table],
             read: list[tuple[list[int], list[Problem]]]) -> tuple[list[int], list[Problem], dict]:
    """A summary workbook's tables, read -> (rows kept, problems, fill-line facts)."""
    if not sheets and problems and problems[0].severity == "error":
        return [], problems, {}
    kept, fill = [], {}
    for table, (rows, probs) in zip(tables, read):
        kept += rows
        problems += probs
        fill = fill or table.fill
    if not tables and sheets:
        code, message = ("empty_workbook", "工作簿是空的，没有任何内容") if not any(s.rows for s in sheets) else \
            ("no_header", "未在任何工作表的前15行（不计空行）找到汇总表表头（推荐类别、工作室名称、领衔人等）")
        problems.append(Problem(rel, "", "", "", "", "error", code, message))
    return kept, problems, fill


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes, read in blocks (input listings and snapshot ids)."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


Opened = Form | tuple[str, list[Sheet], list[Problem], list[Table]]  # a form read, or a summary's sheets and tables


def _open_all(files: list, rnd: Round, *, progress: bool, forms: bool) -> tuple[list[Opened | None], list[str]]:
    """Each workbook opened once, in file order: its forms read, its summary tables found (cells not
    read yet), and the sha256 of every file (None in place of a form not read)."""
    opened: list[Opened | None] = []
    digests: list[str] = []
    for f in tqdm(files, desc="读取报送文件", unit="个", disable=not progress):
        form_file = is_form_file(f.rel)
        if form_file and not forms:
            digests.append(_digest(f.path))
            opened.append(None)
            continue
        sheets, problems, digest = _open(f.path, f.rel, rnd)
        digests.append(digest)
        tables = [] if form_file else [t for s in sheets for t in find_tables(s, file=f.rel, rnd=rnd)]
        if not form_file and not tables and any(s.name == labels.FORM_SHEET for s in sheets):
            form_file = True  # a 推荐表 named otherwise (…申报表.xlsx): read as what it holds, and said so
            problems.append(Problem(f.rel, "", "", "", "", "warning", "form_by_content", labels.INTAKE_MESSAGES["form_by_content"]))
        if form_file:
            opened.append(_form(sheets, problems, f.rel, rnd) if forms else None)
        else:
            opened.append((f.rel, sheets, problems, tables))
    return opened, digests


def _without_copies(files: list, opened: list[Opened | None], digests: list[str]) -> list[Opened]:
    """The files opened, a file sent twice in one folder (汇总表.xlsx and 汇总表 - 副本.xlsx, byte for byte the
    same) read once: from the copy with the shortest name (the one the union named); each other copy is said."""
    copies: dict[tuple[str, str], list[int]] = {}
    for k, (f, digest) in enumerate(zip(files, digests)):
        if digest:
            copies.setdefault((f.rel.rpartition("/")[0], digest), []).append(k)
    opened = list(opened)
    for same in (same for same in copies.values() if len(same) > 1):
        kept = min(same, key=lambda k: (len(files[k].rel), files[k].rel))
        message = labels.INTAKE_MESSAGES["file_copy"].format(other=files[kept].rel.rpartition("/")[2])
        for k in same:
            if k != kept:
                opened[k] = (files[k].rel, [], [Problem(files[k].rel, "", "", "", "", "warning", "file_copy", message)], [])
    return [item for item in opened if item is not None]


def read_inbox(path: str | Path, rnd: Round, *, progress: bool = False, forms: bool = True) -> IntakeResult:
    """Read every workbook in the inbox (one folder per recommending union)."""
    with _no_cycle_collection():
        return _read_inbox(Path(path), rnd, progress=progress, forms=forms)


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Reading an inbox makes hundreds of thousands of short-lived objects (rows, cells, problems) and no
    reference cycles, so the cycle collector, which runs every 700 allocations, only costs time: about
    3% of a read. It is paused for the read and restored after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _read_inbox(inbox: Path, rnd: Round, *, progress: bool, forms: bool) -> IntakeResult:
    if not inbox.is_dir():
        raise InboxMissingError(f"{labels.INTAKE_MESSAGES['inbox_missing'].format(path=inbox)} [inbox_missing]")
    categories = category_lookup(rnd)
    register, problems = read_register(inbox)
    receipts, receipt_problems = read_receipts(register)
    problems += receipt_problems
    listed, file_problems = list_inbox(inbox)
    problems += file_problems
    files = [f for f in listed if f.kind in ("workbook", "csv")]
    opened, digests = _open_all(files, rnd, progress=progress, forms=forms)
    opened = _without_copies(files, opened, digests)
    form_list = [item for item in opened if isinstance(item, Form)]
    # every summary table's cells at once: each field is one column across the inbox, read in one pass
    tables = [t for item in opened if not isinstance(item, Form) for t in item[3]]
    columns, read_each = read_tables(tables, FieldParser(rnd, categories))
    read = iter(read_each)
    recommender = columns["recommender"]
    kept: list[int] = []  # the rows read as nominations (positions in columns), file by file
    received_at: list = []
    recommender_of: dict[str, str] = {}
    logged = registered(register)
    for item in opened:
        if isinstance(item, Form):
            problems += item.problems
            continue
        rel, sheets, probs, file_tables = item
        folder = folder_union(rel.split("/")[0]) if "/" in rel else ""
        rows, probs, fill = _summary(rel, sheets, probs, file_tables, [next(read) for _ in file_tables])
        problems += probs
        key = file_key(rel)
        received = receipts.get(key)
        if register is not None and rows and key not in logged:  # its deadline is judged on its 填报日期
            problems.append(Problem(rel, "", "", "received_at", "", "warning", "not_registered",
                                    labels.INTAKE_MESSAGES["not_registered"]))
        if received is None and fill.get("填报日期"):
            try:
                received = parse_date(fill["填报日期"])[0]
            except ValueProblem:
                problems.append(Problem(rel, "", "", "received_at", fill["填报日期"], "warning", "bad_fill_date",
                                        "填报日期无法识别，收件时间未知"))
        default = fill.get("推荐单位") or folder or None
        for g in rows:
            recommender[g] = recommender[g] or default
        named = next((recommender[g] for g in rows if recommender[g]), None)  # the union's full name, as it writes it
        recommender_of[rel] = folder if not named or other_union(named, folder) else named  # who sent it, by the name it writes
        kept += rows
        received_at += [received] * len(rows)
    problems += unlisted_receipts(register, [f.rel for f in listed])
    paper, paper_problems = read_paper(register)
    problems += paper_problems
    values = {name: list(map(column.__getitem__, kept)) for name, column in columns.items()} | {"received_at": received_at}
    nominations = attach_paper(nominations_frame(values, len(kept)), paper)
    matched = checks.match_forms(nominations, form_list)
    problems += checks.resubmitted_problems(nominations)
    problems += checks.recommender_problems(nominations)
    problems += checks.duplicate_problems(nominations)
    problems += checks.rank_problems(nominations, rnd)
    if forms:
        problems += checks.cross_check_forms(nominations, matched, form_list, rnd)
        nominations = checks.with_narratives(nominations, matched)
        problems += checks.narrative_problems(matched)
    photo_counts, photo_problems = checks.materials(checks.listed_photos(listed), nominations)
    problems += photo_problems
    return IntakeResult(
        nominations=nominations,
        members=_form_table(matched, "members", MEMBER_COLUMNS),
        achievements=_form_table(matched, "achievements", ACHIEVEMENT_COLUMNS),
        materials=photo_counts,
        problems=problems_frame(problems, recommender_of),
        files=pd.DataFrame({"file": [f.rel for f in files], "sha256": digests}),
    )


def _form_table(matched: dict[str, Form], which: str, columns: list[str]) -> pd.DataFrame:
    rows = [{"nomination_id": nid, **rec} for nid, form in sorted(matched.items()) for rec in getattr(form, which)]
    return pd.DataFrame(rows, columns=columns)
