"""Export: the files that leave the building, formatted as official documents, with CSV twins.

`frame_to_sheet` is the one formatter (title row, bold bordered header, CJK font, widths that fit,
frozen header, A4 print set-up repeating the header). The pure builders (`screening_table`,
`screening_summary`, `public_list`, `provenance`) turn frames into frames; the `*_workbook`
functions lay them out; `export_results` writes them. Public lists come only from the meeting's
recorded approvals, through the allow-list `PUBLIC_COLUMNS`. Cell text a spreadsheet would run as
a formula is neutralised, in Excel and in CSV. Time stamps are fixed, so the same inputs give the
same bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import platform
import re
import unicodedata
import zipfile
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from workbench import labels
from workbench.config import Round
from workbench.notice import batch_label
from workbench.screening import RULES, Rule, apply_overrides, rule_categories, rule_label

from workbench.store import Store

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument

    from workbench.state import RoundState

FONT_NAME = "宋体"
NOTICE_FONT = "仿宋"
TITLE_FONT = Font(name="黑体", size=16, bold=True)
HEADER_FONT = Font(name=FONT_NAME, size=11, bold=True)
BODY_FONT = Font(name=FONT_NAME, size=11)
BOLD_FONT = Font(name=FONT_NAME, size=11, bold=True)
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CUT_BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=Side(style="thick", color="C00000"))
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
PROPOSED_FILL = PatternFill("solid", fgColor="E2EFDA")
FIXED_STAMP = dt.datetime(2000, 1, 1)
FORMULA_START = ("=", "+", "-", "@")
MAX_WIDTH = 40
NARROW_WIDTH = 4.5  # one CJK character: the ✓/✗/? columns, their header written top to bottom
LINE_HEIGHT = 15  # points per line of 11-pt text
AMOUNT_FORMAT = "#,##0"

# What may appear on a public list (公示名单, 命名名单, 补贴经费表): nothing else ever leaves.
PUBLIC_COLUMNS = ("category", "recommender", "studio", "host_unit", "leader")
# Input files fingerprinted on the provenance sheet (photos do not feed the numbers).
INPUT_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv")
# Packages whose versions go on the provenance sheet.
PROVENANCE_PACKAGES = ("workbench", "pandas", "numpy", "openpyxl", "python-calamine", "chinesecalendar", "pydantic")


class ExportError(ValueError):
    """Inputs an export cannot use; Chinese message, English `code`."""

    def __init__(self, key: str, **fields: object):
        self.code = key
        super().__init__(f"{labels.EXPORT_MESSAGES[key].format(**fields)} [{key}]")


# ---------------------------------------------------------------------------- cells
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """`text` without the characters XML cannot hold (control characters, halves of undecodable bytes)."""
    return _NOT_XML.sub("", text)


def neutralise(value: object) -> object:
    """Text a spreadsheet would treat as a formula gets a leading apostrophe-like quote; characters
    XML cannot hold (control characters, the halves of a file name's undecodable bytes) are dropped."""
    if isinstance(value, str):
        value = xml_text(value)
        if value.startswith(FORMULA_START):
            return "'" + value
    return value


def display_width(text: str) -> int:
    """Width in Excel character units: CJK characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell_value(value: object) -> object:
    if value is None or (not isinstance(value, (list, str)) and pd.isna(value)):
        return None
    if isinstance(value, bool):
        return labels.BOOL_CELL[value]
    if isinstance(value, list):
        return neutralise("；".join(map(str, value)))
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item"):
        value = value.item()
    return neutralise(value)


def _lines(text: str, width: float) -> int:
    """How many lines `text` wraps to in a column `width` characters wide."""
    usable = max(width - 1.5, 1)
    return sum(max(1, math.ceil(display_width(part) / usable)) for part in text.split("\n"))


# ---------------------------------------------------------------------------- the formatter
def frame_to_sheet(ws: Worksheet, df: pd.DataFrame, headers: dict[str, str], title: str,
                   highlight: pd.Series | None = None, note: str | None = None,
                   centred: Iterable[str] = (), cut_after: int | None = None,
                   formats: dict[str, str] | None = None, narrow: Iterable[str] = (),
                   merge_runs: Iterable[str] = (), bold_last: bool = False, max_width: float = MAX_WIDTH,
                   wide: dict[str, float] | None = None) -> None:
    """Write `df[headers]` as a formatted official table with `title` above it.

    `highlight` shades rows; `cut_after` draws a thick red rule under that row (the cut line);
    `formats` gives number formats per column; `narrow` columns are two characters wide (✓/✗);
    `merge_runs` columns merge equal neighbouring cells (grouped lists); `bold_last` marks a total.
    Headers may wrap to two lines; other text wraps at `max_width` characters (`wide`: per column).
    """
    columns = list(headers)
    ncol = max(len(columns), 1)
    narrow, centred, formats = set(narrow), set(centred) | set(narrow), formats or {}
    ws.append([neutralise(title)])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncol)
    ws["A1"].font = TITLE_FONT
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    header_row = 2
    if note:
        ws.append([neutralise(note)])
        ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=ncol)
        ws["A2"].font = Font(name=FONT_NAME, size=10, italic=True)
        ws["A2"].alignment = Alignment(wrap_text=True, vertical="center")
        header_row = 3
    ws.append([headers[c] for c in columns])
    for col, cell in zip(columns, ws[header_row]):
        cell.font, cell.border, cell.fill = HEADER_FONT, BORDER, HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True,
                                   text_rotation=255 if col in narrow else 0)
    widths = [_header_width(headers[c]) for c in columns]
    rows, texts = [], []
    for i, row in enumerate(df[columns].itertuples(index=False)):
        values = [_cell_value(v) for v in row]
        rows.append(values)
        texts.append([])
        ws.append(values)
        fill = PROPOSED_FILL if highlight is not None and bool(highlight.iloc[i]) else None
        font = BOLD_FONT if bold_last and i == len(df) - 1 else BODY_FONT
        for j, cell in enumerate(ws[ws.max_row]):
            if cell.data_type == "e":  # openpyxl makes the text "#N/A" an error value: keep it the text it is
                cell.data_type = "s"
            cell.font, cell.border = font, CUT_BORDER if i == cut_after else BORDER
            cell.alignment = Alignment(vertical="center", wrap_text=True,
                                       horizontal="center" if columns[j] in centred else None)
            if columns[j] in formats:
                cell.number_format = formats[columns[j]]
            elif isinstance(values[j], float):
                cell.number_format = "0.00"
            elif isinstance(values[j], dt.datetime):
                cell.number_format = "yyyy-mm-dd"
            if fill:
                cell.fill = fill
            text = _text(values[j], cell.number_format)
            texts[-1].append(text)
            widths[j] = max(widths[j], max(display_width(line) for line in text.split("\n")))
    wide = wide or {}
    widths = [NARROW_WIDTH if c in narrow else min(max(w + 2, 6), wide.get(c, max_width)) for c, w in zip(columns, widths)]
    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = w
    _fit_heights(ws, header_row, [headers[c] for c in columns], texts, widths, title, note,
                 [c in narrow for c in columns])
    for col in merge_runs:
        _merge_runs(ws, columns.index(col) + 1, header_row + 1, rows, columns.index(col))
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    ws.print_title_rows = f"{header_row}:{header_row}"
    a4_setup(ws, landscape=sum(widths) > 100)


def _header_width(header: str) -> int:
    """Headers of up to five Chinese characters stay on one line (a 2 + 3 split reads badly, as in
    算术平/均分); longer ones may wrap to two."""
    width = display_width(header)
    return width if width <= 10 else math.ceil(width / 2)


def _text(value: object, number_format: str) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float):
        return f"{value:,.0f}" if number_format == AMOUNT_FORMAT else f"{value:.2f}"
    return str(value)


def _fit_heights(ws: Worksheet, header_row: int, header: list[str], texts: list[list[str]],
                 widths: list[float], title: str, note: str | None, vertical: list[bool]) -> None:
    """Row heights from wrapped text: both Excel and LibreOffice then show every line."""
    total = sum(widths)
    ws.row_dimensions[1].height = max(32, 24 * _lines(title, total / 1.45))
    if note:
        ws.row_dimensions[2].height = 14 * _lines(note, total * 1.1)
    ws.row_dimensions[header_row].height = max(
        (16 * len(h) + 10) if v else (LINE_HEIGHT * _lines(h, w) + 4) for h, w, v in zip(header, widths, vertical))
    for i, row in enumerate(texts, start=header_row + 1):
        lines = max((_lines(text, w) for text, w in zip(row, widths)), default=1)
        ws.row_dimensions[i].height = LINE_HEIGHT * lines + 4


def _merge_runs(ws: Worksheet, col: int, first_row: int, rows: list[list[object]], j: int) -> None:
    start = 0
    for i in range(1, len(rows) + 1):
        if i == len(rows) or rows[i][j] != rows[start][j]:
            if i - start > 1 and rows[start][j] is not None:
                ws.merge_cells(start_row=first_row + start, start_column=col, end_row=first_row + i - 1, end_column=col)
                ws.cell(row=first_row + start, column=col).alignment = Alignment(vertical="center", wrap_text=True)
            start = i


def a4_setup(ws: Worksheet, landscape: bool) -> None:
    """A4, fit to the page width, centred, page numbers: every printed table of the workbench."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "&P / &N"


def new_workbook() -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = labels.EXPORT_TEXT["creator"]
    wb.properties.created = wb.properties.modified = FIXED_STAMP
    return wb


def save(wb: Workbook, path: Path) -> Path:
    """Save so that the same content gives the same bytes.

    openpyxl stamps the document's `modified` time and every zip entry's time at save; both are
    rewritten to a fixed stamp here.
    """
    wb.properties.modified = FIXED_STAMP
    buffer = io.BytesIO()
    wb.save(buffer)
    return write_fixed_zip(buffer.getvalue(), path)


def save_docx(doc: "DocxDocument", path: Path) -> Path:
    """A Word document saved like the workbooks: the same content gives the same bytes."""
    buffer = io.BytesIO()
    doc.save(buffer)
    return write_fixed_zip(buffer.getvalue(), path)


def write_fixed_zip(data: bytes, path: Path) -> Path:
    """Write an Office zip with every entry's time, and the core properties' save time, fixed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_STAMP.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # the writers put the save time here, whatever we set
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + FIXED_STAMP.strftime("%Y-%m-%dT%H:%M:%SZ").encode(), data)
            dst.writestr(fixed, data)
    return path


def save_csv(df: pd.DataFrame, headers: dict[str, str], path: Path) -> Path:
    """The analysts' twin: UTF-8 with a BOM (Excel then shows Chinese), formulas neutralised."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers.values())
    for row in df[list(headers)].itertuples(index=False):
        writer.writerow(_csv_value(v) for v in row)
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))
    return path


def _csv_value(value: object) -> object:
    value = _cell_value(value)
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S") if value.time() != dt.time() else value.strftime("%Y-%m-%d")
    return value


def _require(df: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ExportError("missing_columns", what=labels.EXPORT_WHAT[what], missing="、".join(missing))


def _headers(columns: Iterable[str], extra: dict[str, str] | None = None) -> dict[str, str]:
    known = {**labels.COLUMNS, **labels.EXPORT_COLUMNS, **(extra or {})}
    return {c: known.get(c, c) for c in columns}


def _numbered(df: pd.DataFrame) -> pd.DataFrame:
    return df.reset_index(drop=True).assign(seq=pd.array(range(1, len(df) + 1), dtype="Int64"))


# ---------------------------------------------------------------------------- 资格审查情况表
def screening_table(screened: pd.DataFrame, rnd: Round, overrides: pd.DataFrame | None = None,
                    rules: tuple[Rule, ...] = RULES) -> pd.DataFrame:
    """The screened frame with ✓/✗/? per rule (sym_<code>), the rules' verdicts, overrides and the outcome.

    Overrides are the ones `screen(..., overrides=)` applied (eligibility_rule, quota_status_rule,
    override_notes); a frame screened without any gets `overrides` applied here, the same way.
    The outcome uses the overridden verdicts: excluded when ineligible or over quota, pending when
    still to be checked, to_review otherwise.
    """
    _require(screened, ["nomination_id", "category", "eligibility", "eligibility_reasons", "quota_status"], "screened")
    applied = "overridden" in screened.columns and bool(screened["overridden"].any())
    out = screened if applied else apply_overrides(screened, overrides, rnd, rules)
    out = out.reset_index(drop=True)
    for rule in rules:
        col = f"rule_{rule.code}"
        if col in out.columns:
            out[f"sym_{rule.code}"] = out[col].map(labels.RULE_RESULT).astype("object")
    outcome = ["excluded" if q == "over_quota" or e == "ineligible" else "pending" if e != "eligible" else "to_review"
               for e, q in zip(out["eligibility"], out["quota_status"])]
    notes = [list(r) + ([q] if isinstance(q, str) and q else [])
             for r, q in zip(out["eligibility_reasons"], out.get("quota_reason", pd.Series("", index=out.index)))]
    return out.assign(
        notes=notes,
        eligibility_label=out["eligibility_rule"].map(labels.ELIGIBILITY),
        quota_label=out["quota_status_rule"].map(labels.QUOTA_STATUS),
        override=["；".join(n) or None for n in out["override_notes"]],
        final_eligibility=out["eligibility"].to_numpy(),
        final_quota=out["quota_status"].to_numpy(),
        outcome_code=outcome,
        outcome=[labels.OUTCOME[x] for x in outcome],
    )


def screening_summary(table: pd.DataFrame, by: str, order: list[str] | None = None) -> pd.DataFrame:
    """Counts per `by` (recommender or category) from `screening_table`, with a total row."""
    counts = pd.DataFrame({
        by: table[by],
        "nominated": 1,
        "eligible": table["final_eligibility"] == "eligible",
        "ineligible": table["final_eligibility"] == "ineligible",
        "review": table["final_eligibility"] == "review",
        "over_quota": table["final_quota"] == "over_quota",
        "to_review": table["outcome_code"] == "to_review",
        "overridden": table["overridden"].astype(bool),
    })
    summary = counts.groupby(by, sort=False, dropna=False).sum().astype("int64")
    if order is not None:
        summary = summary.reindex([k for k in order if k in summary.index] + [k for k in summary.index if k not in order])
    total = summary.sum().to_frame(labels.EXPORT_TEXT["total"]).T
    return pd.concat([summary, total]).rename_axis(by).reset_index()


SUMMARY_COUNTS = ("nominated", "eligible", "ineligible", "review", "over_quota", "to_review", "overridden")


def screening_workbook(screened: pd.DataFrame, rnd: Round, overrides: pd.DataFrame | None = None) -> Workbook:
    """资格审查情况表: summaries by category and by union, one sheet per category, the rules."""
    table = screening_table(screened, rnd, overrides)
    text, sheets = labels.EXPORT_TEXT, labels.EXPORT_SHEETS
    wb = new_workbook()
    note = text["summary_note"].format(name=rnd.round.name)
    known = table["category"].isin(list(rnd.categories))
    grouped = table.assign(category=table["category"].where(known, text["unknown_category"]))
    by_cat = screening_summary(grouped, "category", list(rnd.categories))
    by_cat["category"] = by_cat["category"].map(lambda c: rnd.categories[c].label if c in rnd.categories else c)
    frame_to_sheet(wb.create_sheet(sheets["by_category"]), by_cat, _headers(["category", *SUMMARY_COUNTS]),
                   text["by_category_title"], note=note, centred=SUMMARY_COUNTS, bold_last=True)
    by_union = screening_summary(table, "recommender")
    frame_to_sheet(wb.create_sheet(sheets["by_union"]), by_union, _headers(["recommender", *SUMMARY_COUNTS]),
                   text["by_union_title"], note=note, centred=SUMMARY_COUNTS, bold_last=True)
    legend = "　".join(labels.EXPORT_TEXT["legend_item"].format(symbol=labels.RULE_RESULT[k], word=labels.RULE_RESULT_WORD[k])
                      for k in labels.RULE_RESULT)
    parts = [(cfg.short, cfg.label, table[table["category"] == cat], [r for r in RULES if cat in rule_categories(r, rnd)])
             for cat, cfg in rnd.categories.items()]
    if not known.all():  # 推荐类别 missing or unknown: listed on their own sheet, never dropped
        parts.append((text["unknown_category"], text["unknown_category"], table[~known], []))
    rule_headers = {f"sym_{code}": h for code, h in labels.RULE_HEADERS.items()}
    for sheet, label, rows, rules in parts:
        part = _numbered(rows)
        syms = [f"sym_{r.code}" for r in rules if f"sym_{r.code}" in part.columns]
        columns = ["seq", "recommender", "recommender_rank", "studio", "host_unit", "leader", *syms,
                   "eligibility_label", "notes", "override", "outcome"]
        frame_to_sheet(wb.create_sheet(sheet), part, _headers(columns, rule_headers),
                       text["screening_title"].format(label=label), note=text["screening_note"].format(legend=legend),
                       centred=("seq", "recommender_rank", "eligibility_label", "outcome"), narrow=syms,
                       max_width=16, wide={"notes": 36, "override": 24})
    rules = pd.DataFrame([{"rule_label": labels.RULE_HEADERS.get(r.code, r.code), "rule_text": rule_label(r, rnd),
                           "rule_categories": "、".join(rnd.categories[c].short for c in rule_categories(r, rnd))}
                          for r in RULES if rule_categories(r, rnd)])
    frame_to_sheet(wb.create_sheet(sheets["rules"]), _numbered(rules), _headers(["seq", "rule_label", "rule_text", "rule_categories"]),
                   text["rules_title"], centred=("seq",))
    return wb


def screening_csv_headers(table: pd.DataFrame) -> dict[str, str]:
    syms = [f"sym_{r.code}" for r in RULES if f"sym_{r.code}" in table.columns]
    columns = ["nomination_id", "category_short", "recommender", "recommender_rank", "studio", "host_unit", "leader",
               *syms, "eligibility_label", "eligibility_reasons", "quota_label", "quota_reason", "override", "outcome"]
    return _headers(columns, {f"sym_{code}": h for code, h in labels.RULE_HEADERS.items()})


# ---------------------------------------------------------------------------- 评审结果排名表
def published(df: pd.DataFrame, rnd: Round) -> pd.DataFrame:
    """Every score rounded to the published precision (config ranking.precision), as on the lists."""
    floats = [c for c in df.columns if pd.api.types.is_float_dtype(df[c])]
    return df.assign(**{c: df[c].round(rnd.ranking.precision) for c in floats})


def diagnostics_table(diagnostics: pd.DataFrame, rnd: Round) -> pd.DataFrame:
    """The diagnostics in words: bands and shadow methods in Chinese, probabilities rounded."""
    out = published(diagnostics.reset_index(drop=True), rnd)
    if "band" in out.columns:
        out["band"] = out["band"].map(lambda b: labels.BANDS.get(b, b))
    if "shadow_flips" in out.columns:
        out["shadow_flips"] = out["shadow_flips"].map(
            lambda v: "、".join(labels.SHADOW_METHODS.get(m, m) for m in v.split(",")) if isinstance(v, str) and v else None)
    return out


def ranking_headers(rnd: Round, columns: Iterable[str]) -> dict[str, str]:
    """Chinese headers for the ranked table, stage names from the config."""
    headers = {}
    criteria = {f"crit_{c.code}": c.label for c in rnd.rubric}
    for col in columns:
        prefix, _, stage = col.partition("_")
        if prefix in ("score", "n") and stage in rnd.stages:
            label = rnd.stages[stage].label
            headers[col] = labels.EXPORT_TEXT["stage_score" if prefix == "score" else "stage_reviewers"].format(stage=label)
        elif col in criteria:
            headers[col] = criteria[col]
        else:
            headers[col] = _headers([col])[col]
    return headers


def provenance(rnd: Round, snapshot_id: str | None = None, files: pd.DataFrame | None = None,
               decisions: pd.DataFrame | None = None) -> pd.DataFrame:
    """item, value: the round, the config and its hash, the snapshot, package versions, input file hashes."""
    p, none = labels.PROVENANCE, labels.PROVENANCE["none"]
    rows = [(p["round"], rnd.round.name),
            (p["config"], rnd.source.name if rnd.source else none),
            (p["config_sha256"], rnd.source_sha256 or none),
            (p["snapshot"], snapshot_id or none)]
    if decisions is not None and "snapshot_id" in decisions.columns:
        rows.append((p["decision_snapshots"], "、".join(sorted(decisions["snapshot_id"].dropna().unique())) or none))
    rows.append((p["package"].format(name="Python"), platform.python_version()))
    for name in PROVENANCE_PACKAGES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = none
        rows.append((p["package"].format(name=name), version))
    if files is None or files.empty:
        rows.append((p["files_none"], none))
    else:
        for name, digest in sorted(zip(files["file"], files["sha256"])):
            rows.append((p["file"].format(file=name), digest))
    return pd.DataFrame(rows, columns=["item", "value"])


def ranking_workbook(ranked: pd.DataFrame, rnd: Round, diagnostics: pd.DataFrame | None = None,
                     provenance: pd.DataFrame | None = None) -> Workbook:
    """评审结果排名表: one sheet per category, 拟命名 rows shaded; then diagnostics and provenance."""
    wb = new_workbook()
    columns = (["rank", "studio", "host_unit", "recommender", "leader"] + [f"score_{s}" for s in rnd.stages]
               + ["composite", "untrimmed_mean"] + [f"n_{s}" for s in rnd.stages] + ["proposed", "flags"])
    headers = ranking_headers(rnd, columns)
    text = labels.EXPORT_TEXT
    method = labels.AGGREGATION_NOTE[rnd.ranking.aggregation].format(trim_min=rnd.ranking.trim_min)
    for cat, cfg in rnd.categories.items():
        part = published(ranked[ranked["category"] == cat], rnd).reset_index(drop=True)
        ws = wb.create_sheet(cfg.short)
        note = text["ranking_note"].format(
            name=rnd.round.name, slots=cfg.slots, n=len(part), method=method,
            formula=" + ".join(text["stage_weight"].format(stage=st.label, weight=st.weight) for st in rnd.stages.values()))
        proposed = part.index[part["proposed"]]
        frame_to_sheet(ws, part, headers, text["ranking_title"].format(label=cfg.label), highlight=part["proposed"], note=note,
                       centred=("rank", "proposed", *(f"n_{s}" for s in rnd.stages)),
                       cut_after=int(proposed.max()) if len(proposed) else None)
    if diagnostics is not None:
        shown = diagnostics_table(diagnostics, rnd)
        if "candidate" in shown.columns and "studio" not in shown.columns:  # name the candidate for the reader
            studios = ranked.drop_duplicates("nomination_id").set_index("nomination_id")["studio"]
            shown.insert(shown.columns.get_loc("candidate") + 1, "studio", shown["candidate"].map(studios))
        if "category" in shown.columns:
            shown["category"] = shown["category"].map(lambda c: rnd.categories[c].short if c in rnd.categories else c)
        headers = {c: labels.DIAGNOSTIC_COLUMNS.get(c, h) for c, h in ranking_headers(rnd, shown.columns).items()}
        frame_to_sheet(wb.create_sheet(labels.EXPORT_SHEETS["diagnostics"]), shown, headers,
                       labels.EXPORT_TEXT["diagnostics_title"], max_width=30)
    if provenance is not None:
        frame_to_sheet(wb.create_sheet(labels.EXPORT_SHEETS["provenance"]), provenance, _headers(["item", "value"]),
                       labels.EXPORT_TEXT["provenance_title"], note=labels.EXPORT_TEXT["provenance_note"],
                       max_width=48, wide={"value": 68})
    return wb


def ranking_csv_headers(rnd: Round) -> dict[str, str]:
    """The ranked CSV's headers; criterion scores are named as such (领衔人 is also a person's column)."""
    columns = (["category_short", "nomination_id", "rank", "studio", "host_unit", "recommender", "leader"]
               + [f"score_{s}" for s in rnd.stages] + ["composite", "untrimmed_mean"] + [f"n_{s}" for s in rnd.stages]
               + [f"crit_{c.code}" for c in rnd.rubric] + ["tied", "proposed", "flags"])
    headers = ranking_headers(rnd, columns)
    for c in rnd.rubric:
        headers[f"crit_{c.code}"] = labels.EXPORT_TEXT["criterion_score"].format(criterion=c.label)
    return headers


# ---------------------------------------------------------------------------- 拟命名名单
PROPOSED_COLUMNS = ["seq", "studio", "host_unit", "leader", "recommender", "composite", "rank", "flags"]


def proposed_workbook(ranked: pd.DataFrame, rnd: Round) -> Workbook:
    """拟命名名单 for the 主席办公会: the proposed rows of each category, in rank order."""
    wb = new_workbook()
    text = labels.EXPORT_TEXT
    for cat, cfg in rnd.categories.items():
        part = _numbered(published(ranked[(ranked["category"] == cat) & ranked["proposed"]], rnd))
        frame_to_sheet(wb.create_sheet(cfg.short), part, _headers(PROPOSED_COLUMNS),
                       text["proposed_title"].format(what=batch_label(rnd, cat)),
                       note=text["proposed_note"].format(n=len(part), slots=cfg.slots),
                       centred=("seq", "rank", "composite"))
    return wb


# ---------------------------------------------------------------------------- public lists
def public_list(decisions: pd.DataFrame, ranked: pd.DataFrame, screened: pd.DataFrame | None = None,
                rnd: Round | None = None) -> pd.DataFrame:
    """The approved nominations, publishable columns only (`PUBLIC_COLUMNS`), in category and rank order.

    Only rows the meeting recorded as "approve" appear; an approval of an unknown nomination is an
    error, not a silent drop.
    """
    _require(decisions, ["nomination_id", "decision"], "decisions")
    _require(ranked, ["nomination_id", "rank", *PUBLIC_COLUMNS], "ranked")
    frames = [ranked[["nomination_id", *PUBLIC_COLUMNS, "rank"]]]
    if screened is not None:
        _require(screened, ["nomination_id", *PUBLIC_COLUMNS], "screened")
        frames.append(screened[["nomination_id", *PUBLIC_COLUMNS]].assign(rank=pd.NA))
    known = pd.concat(frames, ignore_index=True).drop_duplicates("nomination_id")
    approved = decisions.loc[decisions["decision"] == "approve", "nomination_id"].drop_duplicates()
    unknown = sorted(set(approved) - set(known["nomination_id"]))
    if unknown:
        raise ExportError("unknown_decision", ids="、".join(unknown))
    rows = known[known["nomination_id"].isin(approved)]
    order = list(rnd.categories) if rnd is not None else sorted(rows["category"].unique())
    rows = rows.assign(_cat=rows["category"].map({c: i for i, c in enumerate(order)}),
                       _rank=rows["rank"].astype("Float64"))
    rows = rows.sort_values(["_cat", "_rank", "studio"], na_position="last", kind="stable")
    return rows[list(PUBLIC_COLUMNS)].reset_index(drop=True)


def completeness(ranked: pd.DataFrame, decisions: pd.DataFrame, rnd: Round) -> pd.DataFrame:
    """Per category: places to fill, approvals, open decisions, and whether the public lists may go out.

    places is the category's slots, or fewer when fewer candidates were ranked; open counts the
    deferred (暂缓) candidates and the proposed ones the meeting has not decided yet.
    """
    _require(decisions, ["nomination_id", "decision"], "decisions")
    latest = decisions.drop_duplicates("nomination_id", keep="last").set_index("nomination_id")["decision"]
    rows = []
    for cat, cfg in rnd.categories.items():
        part = ranked[ranked["category"] == cat]
        decided = part["nomination_id"].map(latest)
        approved = int((decided == "approve").sum())
        open_ = int(((decided == "defer") | (part["proposed"].astype(bool) & decided.isna())).sum())
        places = min(cfg.slots, len(part))
        rows.append({"category": cat, "places": places, "approved": approved, "open": open_,
                     "complete": open_ == 0 and approved >= places})
    return pd.DataFrame(rows, columns=["category", "places", "approved", "open", "complete"])


def incomplete_details(state: pd.DataFrame, rnd: Round) -> str:
    """The incomplete categories in words: 劳模类审定通过1个，应审定20个，待定2个；…"""
    items = [labels.DOCUMENT_TEXT["incomplete_item"].format(short=rnd.categories[r.category].short, approved=r.approved,
                                                            places=r.places, open=r.open)
             for r in state.itertuples(index=False) if not r.complete]
    return "；".join(items)


LIST_COLUMNS = ["seq", "studio", "host_unit", "leader", "recommender"]
LIST_WIDTH = 26  # public lists stay on a portrait A4 page; longer names wrap


def notice_sheet(ws: Worksheet, parts: dict[str, object], columns: int = 8, width: float = 11) -> None:
    """The 公示 text as a formatted A4 page: title, indented paragraphs, attachment, signature, date."""
    total = columns * width
    for j in range(1, columns + 1):
        ws.column_dimensions[get_column_letter(j)].width = width

    def line(text: str, font: Font, align: str, size: int, gap: float = 1.6) -> None:
        ws.append([text])
        r = ws.max_row
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=columns)
        cell = ws.cell(row=r, column=1)
        cell.font = font
        cell.alignment = Alignment(horizontal=align, vertical="top", wrap_text=True)
        ws.row_dimensions[r].height = size * gap * _lines(text, total * 11 / size)

    body = Font(name=NOTICE_FONT, size=14)
    line(str(parts["title"]), Font(name="黑体", size=18, bold=True), "center", 18, 1.8)
    ws.append([])
    for paragraph in parts["paragraphs"]:  # type: ignore[union-attr]
        line("　　" + str(paragraph), body, "left", 14)
    ws.append([])
    line("　　" + str(parts["attachment"]), body, "left", 14)
    ws.append([])
    ws.append([])
    line(str(parts["signature"]) + "　　", body, "right", 14)
    line(str(parts["date"]) + "　　", body, "right", 14)
    ws.sheet_view.showGridLines = False
    a4_setup(ws, landscape=False)


def public_workbook(public: pd.DataFrame, rnd: Round, incomplete: str | None = None) -> Workbook:
    """公示名单: the notice text (period, media, contact, objection rule from the config), then the lists.

    `incomplete` (the statement that the list is not complete) heads the notice and every list.
    """
    from workbench.documents import notice_parts  # the same template as 公示.docx

    wb = new_workbook()
    text = labels.EXPORT_TEXT
    parts = notice_parts(rnd, public)
    if incomplete:
        parts["paragraphs"] = [incomplete, *parts["paragraphs"]]  # type: ignore[misc]
    notice_sheet(wb.create_sheet(labels.EXPORT_SHEETS["notice"]), parts)
    for cat, cfg in rnd.categories.items():
        part = _numbered(public[public["category"] == cat])
        if len(part):
            frame_to_sheet(wb.create_sheet(cfg.short), part, _headers(LIST_COLUMNS),
                           text["public_list_title"].format(what=batch_label(rnd, cat)), note=incomplete,
                           centred=("seq",), max_width=LIST_WIDTH)
    return wb


def named_groups(part: pd.DataFrame, unions: list[str] | None = None) -> pd.DataFrame:
    """One category's approved rows grouped by recommending union with counts, and a total row."""
    order = unions or sorted(part["recommender"].unique())
    order = [u for u in order if u in set(part["recommender"])] + sorted(set(part["recommender"]) - set(order))
    rows = part.assign(_u=part["recommender"].map({u: i for i, u in enumerate(order)})).sort_values("_u", kind="stable")
    counts = rows["recommender"].map(rows["recommender"].value_counts())
    rows = _numbered(rows).assign(group=[labels.EXPORT_TEXT["named_group"].format(recommender=r, n=n)
                                         for r, n in zip(rows["recommender"], counts)])
    total = pd.DataFrame([{"group": labels.EXPORT_TEXT["named_total"].format(n=len(rows))}])
    return pd.concat([rows, total], ignore_index=True)


def _with(note: str | None, incomplete: str | None) -> str | None:
    return "　".join(x for x in (incomplete, note) if x) or None


def named_workbook(public: pd.DataFrame, rnd: Round, unions: list[str] | None = None,
                   incomplete: str | None = None) -> Workbook:
    """命名名单: a summary per union and category, then per category the list grouped by union with counts."""
    wb = new_workbook()
    text = labels.EXPORT_TEXT
    shorts = {c: cfg.short for c, cfg in rnd.categories.items()}
    table = pd.crosstab(public["recommender"], public["category"]).reindex(columns=list(rnd.categories), fill_value=0)
    order = [u for u in (unions or []) if u in table.index] + sorted(set(table.index) - set(unions or []))
    table = table.reindex(order)
    table["total"] = table.sum(axis=1)
    table.loc[text["total"]] = table.sum()
    summary = table.rename_axis(None, axis=1).rename_axis("recommender").reset_index()
    frame_to_sheet(wb.create_sheet(labels.EXPORT_SHEETS["summary"]), summary,
                   _headers(["recommender", *rnd.categories, "total"], {**shorts, "total": text["total"]}),
                   text["named_summary_title"], note=_with(text["list_note"].format(n=len(public)), incomplete),
                   centred=(*rnd.categories, "total"), bold_last=True)
    for cat, cfg in rnd.categories.items():
        part = public[public["category"] == cat]
        if len(part):
            frame_to_sheet(wb.create_sheet(cfg.short), named_groups(part, unions), _headers(["group", *LIST_COLUMNS[:-1]]),
                           text["named_title"].format(what=batch_label(rnd, cat)), note=incomplete, centred=("seq",),
                           merge_runs=("group",), bold_last=True, max_width=LIST_WIDTH)
    return wb


def subsidy_table(public: pd.DataFrame, rnd: Round) -> pd.DataFrame:
    """The approved rows with each category's one-off subsidy (元)."""
    amount = public["category"].map({c: cfg.subsidy for c, cfg in rnd.categories.items()})
    return public.assign(subsidy=amount.astype("float64"),
                         category_short=public["category"].map({c: cfg.short for c, cfg in rnd.categories.items()}))


def subsidy_workbook(public: pd.DataFrame, rnd: Round, incomplete: str | None = None) -> Workbook:
    """补贴经费表: a summary per category, then one sheet per category; sample amounts are marked."""
    wb = new_workbook()
    text = labels.EXPORT_TEXT
    table = subsidy_table(public, rnd)
    rows = []
    for cat, cfg in rnd.categories.items():
        n = int((table["category"] == cat).sum())
        rows.append({"category": cfg.label, "named": n, "standard": float(cfg.subsidy), "subsidy": float(cfg.subsidy * n),
                     "remark": text["sample_remark"] if cfg.subsidy_is_sample else ""})
    rows.append({"category": text["total"], "named": int(sum(r["named"] for r in rows)), "standard": None,
                 "subsidy": float(sum(r["subsidy"] for r in rows))})
    any_sample = any(cfg.subsidy_is_sample for cfg in rnd.categories.values())
    mark = labels.SAMPLE_MARK if any_sample else ""
    note = _with(text["list_note"].format(n=len(public)) + (text["subsidy_sample_note"] if any_sample else ""), incomplete)
    money = {"standard": AMOUNT_FORMAT, "subsidy": AMOUNT_FORMAT}
    frame_to_sheet(wb.create_sheet(labels.EXPORT_SHEETS["summary"]), pd.DataFrame(rows),
                   _headers(["category", "named", "standard", "subsidy", "remark"]), text["subsidy_summary_title"] + mark,
                   note=note, centred=("named",), formats=money, bold_last=True)
    for cat, cfg in rnd.categories.items():
        part = _numbered(table[table["category"] == cat])
        if not len(part):
            continue
        total = pd.DataFrame([{"recommender": text["total"], "subsidy": float(part["subsidy"].sum())}])
        cmark = labels.SAMPLE_MARK if cfg.subsidy_is_sample else ""
        frame_to_sheet(wb.create_sheet(cfg.short), pd.concat([part, total], ignore_index=True),
                       _headers(["seq", "recommender", "studio", "host_unit", "subsidy"]),
                       text["subsidy_title"].format(what=batch_label(rnd, cat)) + cmark,
                       note=_with(text["subsidy_sample_note"] if cfg.subsidy_is_sample else None, incomplete),
                       centred=("seq",), formats=money, bold_last=True, max_width=LIST_WIDTH)
    return wb


# ---------------------------------------------------------------------------- writing the files
def export_results(ranked: pd.DataFrame, rnd: Round, out: str | Path, *, screened: pd.DataFrame | None = None,
                   decisions: pd.DataFrame | None = None, overrides: pd.DataFrame | None = None,
                   diagnostics: pd.DataFrame | None = None, snapshot_id: str | None = None,
                   files: pd.DataFrame | None = None, allow_incomplete: bool = False,
                   reason: str | None = None) -> list[Path]:
    """Write every file the inputs allow into `out` (CSV twins into out/csv); returns the paths.

    Always: 评审结果排名表 (with provenance; diagnostics when given) and 拟命名名单. With `screened`:
    资格审查情况表 (overrides shown when given). With `decisions` holding at least one approval, and
    every category decided (`completeness`): 公示名单 (with the notice text), 命名名单, 补贴经费表,
    公示.docx and 命名通知.docx. While a category is not decided they are refused (ExportError
    `incomplete`, after the other files are written), unless `allow_incomplete` with a `reason`:
    then every public file states that its list is incomplete, and why.
    """
    from workbench import documents  # python-docx loads only when documents are written (a fast CLI start)

    if allow_incomplete and not (reason or "").strip():
        raise ExportError("reason_required")
    out = Path(out)
    csv_dir = out / labels.EXPORT_CSV_DIR
    names = labels.EXPORT_FILES
    shorts = {c: cfg.short for c, cfg in rnd.categories.items()}
    books: list[tuple[str, Workbook]] = []
    twins: list[tuple[str, pd.DataFrame, dict[str, str]]] = []
    if screened is not None:
        table = screening_table(screened, rnd, overrides).assign(category_short=lambda d: d["category"].map(shorts))
        books.append((names["screening"], screening_workbook(screened, rnd, overrides)))
        twins.append((names["screening"], table, screening_csv_headers(table)))
    prov = provenance(rnd, snapshot_id, files, decisions)
    books.append((names["ranking"], ranking_workbook(ranked, rnd, diagnostics, prov)))
    twins.append((names["ranking"], published(ranked, rnd).assign(category_short=ranked["category"].map(shorts)),
                  ranking_csv_headers(rnd)))
    books.append((names["proposed"], proposed_workbook(ranked, rnd)))
    proposed = published(ranked[ranked["proposed"]], rnd).assign(category_short=lambda d: d["category"].map(shorts))
    twins.append((names["proposed"], proposed, _headers(["category_short", "rank", "studio", "host_unit", "leader",
                                                          "recommender", "composite"])))
    public = public_list(decisions, ranked, screened, rnd) if decisions is not None else None
    refused = None
    docs: list[tuple[str, "DocxDocument"]] = []
    if public is not None and len(public):
        state = completeness(ranked, decisions, rnd)
        incomplete = None
        if not state["complete"].all():
            details = incomplete_details(state, rnd)
            if allow_incomplete:
                incomplete = labels.DOCUMENT_TEXT["incomplete"].format(details=details, reason=reason.strip())
            else:
                refused = details
        if refused is None:
            unions = list(dict.fromkeys(screened["recommender"])) if screened is not None else None
            books += _public_books(public, rnd, unions, incomplete)
            twins += _public_twins(public, rnd, incomplete)
            docs = [(labels.DOCUMENT_FILES["public"], documents.public_document(rnd, public, incomplete)),
                    (labels.DOCUMENT_FILES["naming"], documents.naming_document(rnd, public, incomplete, unions))]
    paths = [save(book, out / f"{name}.xlsx") for name, book in books]
    paths += [save_docx(doc, out / f"{name}.docx") for name, doc in docs]
    paths += [save_csv(df, headers, csv_dir / f"{name}.csv") for name, df, headers in twins]
    _remove_stale(out, paths)
    if refused is not None:
        raise ExportError("incomplete", details=refused, out=out)
    return paths


def _public_books(public: pd.DataFrame, rnd: Round, unions: list[str] | None,
                  incomplete: str | None) -> list[tuple[str, Workbook]]:
    names = labels.EXPORT_FILES
    return [(names["public"], public_workbook(public, rnd, incomplete)),
            (names["named"], named_workbook(public, rnd, unions, incomplete)),
            (names["subsidy"], subsidy_workbook(public, rnd, incomplete))]


def _public_twins(public: pd.DataFrame, rnd: Round, incomplete: str | None) -> list[tuple[str, pd.DataFrame, dict[str, str]]]:
    """CSV twins of the public lists; an incomplete list carries its statement on every row."""
    names = labels.EXPORT_FILES
    shorts = {c: cfg.short for c, cfg in rnd.categories.items()}
    extra = ["completeness"] if incomplete else []
    listed = public.assign(category_short=public["category"].map(shorts), completeness=incomplete)
    list_headers = _headers(["category_short", "recommender", "studio", "host_unit", "leader", *extra])
    any_sample = any(cfg.subsidy_is_sample for cfg in rnd.categories.values())
    money = _headers(["category_short", "recommender", "studio", "host_unit", "subsidy", *extra])
    money["subsidy"] += labels.SAMPLE_MARK if any_sample else ""
    return [(names["public"], listed, list_headers), (names["named"], listed, list_headers),
            (names["subsidy"], subsidy_table(public, rnd).assign(completeness=incomplete), money)]


PUBLIC_FILES = ("public", "named", "subsidy")


def _remove_stale(out: Path, written: list[Path]) -> None:
    """A public file an earlier export wrote and this one did not (approvals withdrawn, refused) must not linger."""
    stale = [out / f"{labels.EXPORT_FILES[key]}.xlsx" for key in PUBLIC_FILES]
    stale += [out / labels.EXPORT_CSV_DIR / f"{labels.EXPORT_FILES[key]}.csv" for key in PUBLIC_FILES]
    stale += [out / f"{name}.docx" for name in labels.DOCUMENT_FILES.values()]
    for path in stale:
        if path not in written and path.exists():
            path.unlink()


def export_all(state: "RoundState", out: str | Path | None = None, *, store: Store | None = None,
               diagnostics: pd.DataFrame | None = None, allow_incomplete: bool = False,
               reason: str | None = None) -> list[Path]:
    """Everything for one round state: its ranking, screening, overrides, diagnostics and inputs.

    `out` defaults to <workdir>/out. Decisions are the state's, or read again from `store` when
    given (the meeting may have decided since the state was loaded). `diagnostics` defaults to
    the state's `diagnose()` frame. The provenance lists the input workbooks and tables.
    """
    rnd = state.rnd
    decisions = store.decisions() if store is not None else state.decisions
    files = state.files[state.files["file"].str.startswith("@")
                        | state.files["file"].str.lower().str.endswith(INPUT_SUFFIXES)] if len(state.files) else None
    if diagnostics is None and not state.diagnosis.empty:
        diagnostics = state.diagnosis
    return export_results(state.ranked, rnd, out if out is not None else rnd.workdir / "out", screened=state.screened,
                          decisions=decisions, overrides=state.overrides, diagnostics=diagnostics,
                          snapshot_id=state.snapshot_id, files=files, allow_incomplete=allow_incomplete, reason=reason)
