"""Blank templates the city union sends out: 附件1 推荐汇总表, 附件2/3/4 推荐表, 附件5 推荐材料参考提纲.

They are laid out the way intake reads them back (canonical headers, label cells with the value to
the right), and they steer people towards values intake can read: dropdowns for the category and
every yes/no cell, numbers-only cells, an input hint on every cell, a protected header. Printed, they
are A4 official forms. Wording comes from `labels`, category names and quotas from the round config.
"""

from __future__ import annotations

import math
from pathlib import Path

from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from workbench import labels
from workbench.config import Round
from workbench.export import a4_setup, display_width, new_workbook, save, save_docx
from workbench.intake.values import FIELD_TYPES

SUMMARY_ROWS = 12  # blank data rows of 附件1: a union recommends a handful, and the sheet prints on one page
MEMBER_ROWS = 20
ACHIEVEMENT_ROWS = 15
MAX_RANK = 9  # the dropdown bound of 推荐排序; the quota itself is checked at screening
HEADER_LINES = 5  # a summary header wraps onto at most this many lines
DEMONSTRATION_ONLY = ("named_on", "direct", "video")

# What kind of input each summary field takes (decides its validation, width and number format):
# the field's type as intake reads it, with a few input-specific kinds.
KINDS: dict[str, str] = FIELD_TYPES | {"recommender_rank": "rank", "leader_honours": "text", "phone": "phone"}
MEMBER_KINDS = {"seq": "seq", "name": "text", "gender": "gender", "born": "date", "education": "text",
                "title": "text", "post": "text", "frontline": "bool"}
ACHIEVEMENT_KINDS = {"seq": "seq", "name": "text", "kind": "text", "level": "text", "recognised_on": "date",
                     "recognised_by": "text", "benefit": "float"}
# How many CJK characters a column's data needs on one line, by field and else by kind (data may wrap
# onto two lines). Widths are sized for Excel's metrics; LibreOffice fits a little more on a line.
FIELD_CHARS = {"recommender": 6, "studio": 7, "host_unit": 7, "leader_honours": 7, "note": 4, "phone": 6}
KIND_CHARS = {"text": 3, "category": 3, "rank": 2, "bool": 2, "int": 2, "float": 3, "date": 5, "phone": 6}
MEMBER_CHARS = {"seq": 2, "name": 4, "gender": 2, "born": 5, "education": 5, "title": 7, "post": 6, "frontline": 3}
ACHIEVEMENT_CHARS = {"seq": 2, "name": 11, "kind": 6, "level": 4, "recognised_on": 5, "recognised_by": 9,
                     "benefit": 4}

# 推荐表 sheet: groups of fields in reading order; wide fields take a whole row, the others pair up two
# a row within their group.
FORM_LAYOUT: tuple[tuple[str, ...], ...] = (
    ("recommender", "studio", "host_unit"),
    ("category", "leader"),
    ("leader_honours",),
    ("team_size", "frontline", "established", "named_on", "site_area", "funding", "results_last_year", "benefit"),
    ("legal_person", "union_sound", "rnd_or_team", "party_building", "systems", "ledger", "direct", "video"),
    ("contact", "phone"),
)
FORM_WIDE = ("recommender", "studio", "host_unit", "leader_honours")
FORM_CHARS = (9, 11, 9, 11)  # label, value, label, value
FORM_ROW_HEIGHTS = {"leader_honours": 45}  # points; other rows fit their labels
# Narrative rows (points): 主要事迹 fills the rest of page 1, the others share page 2.
NARRATIVE_HEIGHTS = {"deeds": 200, "results": 300, "unit_opinion": 150, "union_opinion": 150}
PAGE_HEIGHT = 720  # points of an A4 portrait page inside 0.6-inch margins (756), less some slack

FONT = "宋体"
TITLE_FONT = Font(name="黑体", size=18)
SUMMARY_FONT_SIZE = 10
FORM_FONT_SIZE = 11
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
LABEL_FILL = PatternFill("solid", fgColor="F2F2F2")
LOCKED, UNLOCKED = Protection(locked=True), Protection(locked=False)
TEXT_FORMAT = "@"  # dates and phone numbers stay as typed ("2019年5月", "0510…")


def round_words(rnd: Round) -> dict[str, str]:
    """Category names, quota groups and limits of this round: the str.format fields of the template labels."""
    demo = rnd.categories["demonstration"]
    return {
        "choices": "”“".join(c.short for c in rnd.categories.values()),
        "labels": "、".join(c.label for c in rnd.categories.values()),
        "groups": "、".join(g.label for g in rnd.quota_groups),
        "quotas": "、".join(labels.TEMPLATE_QUOTA.format(group=g.label, limit=g.limit) for g in rnd.quota_groups),
        "max_rank": str(MAX_RANK),
        "demonstration": demo.label,
        "demo": demo.short,
        "demo_fields": "、".join(labels.SUMMARY_FIELDS[f] for f in DEMONSTRATION_ONLY),
        "members": labels.MEMBER_SHEET,
        "achievements": labels.ACHIEVEMENT_SHEET,
    }


# ---------------------------------------------------------------------------- cells
def yes_no(field: str) -> tuple[str, str]:
    """The (yes, no) words of a yes/no field's dropdown."""
    return labels.TEMPLATE_YES_NO.get(field, labels.TEMPLATE_DEFAULT_YES_NO)


def _choices(kind: str, field: str, rnd: Round) -> list[str] | None:
    if kind == "category":
        return [c.short for c in rnd.categories.values()]
    if kind == "bool":
        return list(yes_no(field))
    if kind == "gender":
        return list(labels.TEMPLATE_GENDERS)
    return None


def validation(kind: str, field: str, hint: tuple[str, str] | None, rnd: Round, words: dict[str, str]) -> DataValidation:
    """The data validation of one input column or cell: a dropdown, a number rule or just a hint."""
    choices = _choices(kind, field, rnd)
    if choices:
        dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                            error=labels.TEMPLATE_ERRORS["list"].format(choices="、".join(choices)))
    elif kind == "rank":
        dv = DataValidation(type="whole", operator="between", formula1="1", formula2=str(MAX_RANK), allow_blank=True,
                            error=labels.TEMPLATE_ERRORS["rank"].format(**words))
    elif kind in ("int", "float"):
        dv = DataValidation(type="whole" if kind == "int" else "decimal", operator="greaterThanOrEqual",
                            formula1="0", allow_blank=True, error=labels.TEMPLATE_ERRORS[kind])
    else:
        dv = DataValidation(allow_blank=True)
    if dv.type:
        dv.errorTitle, dv.errorStyle, dv.showErrorMessage = labels.TEMPLATE_ERROR_TITLE, "stop", True
    if hint:
        dv.promptTitle, dv.prompt, dv.showInputMessage = hint[0].format(**words), hint[1].format(**words), True
    return dv


def _style(cell, *, size: int, bold: bool = False, locked: bool = True, border: bool = True,
           horizontal: str | None = None, vertical: str = "center", fill: PatternFill | None = None) -> None:
    cell.font = Font(name=FONT, size=size, bold=bold)
    cell.alignment = Alignment(horizontal=horizontal, vertical=vertical, wrap_text=True)
    cell.protection = LOCKED if locked else UNLOCKED
    if border:
        cell.border = BORDER
    if fill:
        cell.fill = fill


def _char_px(size: float) -> float:
    """Pixels (at 96 dpi) one CJK character of a `size`-point font takes."""
    return size * 4 / 3


def column_width(chars: float, size: float) -> float:
    """Excel width of a column holding `chars` CJK characters of a `size`-point font on one line.

    Excel counts widths in the default font's digit width (7 px); a few pixels go to the cell margin.
    """
    return math.ceil((chars * _char_px(size) + 2) / 7 * 10) / 10


def wrap(text: str, width: float, size: float) -> list[int]:
    """The display widths of the lines `text` wraps onto in a cell `width` wide (CJK counts double)."""
    room = 2 * (7 * width - 2) / _char_px(size)  # in display_width units
    lines = [0]
    for ch in text:
        w = display_width(ch)
        if lines[-1] and lines[-1] + w > room + 1e-9:
            lines.append(0)
        lines[-1] += w
    return lines


def wrapped_lines(text: str, width: float, size: float) -> int:
    """How many lines `text` takes in a wrapped cell `width` wide."""
    return len(wrap(text, width, size))


def line_height(size: float) -> float:
    """Points one wrapped line of a `size`-point CJK font takes."""
    return size * 1.4


def _title(ws: Worksheet, row: int, text: str, last_col: int) -> None:
    cell = ws.cell(row, 1, text)
    cell.font = TITLE_FONT
    cell.alignment = Alignment(horizontal="center", vertical="center")
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_col)
    ws.row_dimensions[row].height = 34


def _protect(ws: Worksheet) -> None:
    """Sheet protection without a password: locked cells (header, labels) cannot be typed over.

    Column widths, row heights and inserting rows stay allowed.
    """
    ws.protection.sheet = True
    ws.protection.formatColumns = ws.protection.formatRows = False
    ws.protection.insertRows = ws.protection.deleteRows = False


def _print_setup(ws: Worksheet, *, landscape: bool, title_rows: str | None, last_row: int, last_col: int) -> None:
    a4_setup(ws, landscape)
    ws.page_margins.header = ws.page_margins.footer = 0.25
    ws.print_area = f"A1:{get_column_letter(last_col)}{last_row}"
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddFooter.center.text = labels.TEMPLATE_PAGE_FOOTER
    ws.oddFooter.center.size = 9


def _notes(ws: Worksheet, row: int, lines: list[str], last_col: int, words: dict[str, str], size: int) -> int:
    """The 填表说明 block from `row` on (intake stops reading at its first line); returns its last row."""
    width = sum(ws.column_dimensions[get_column_letter(j)].width for j in range(1, last_col + 1))
    for k, text in enumerate([labels.TEMPLATE_NOTES_TITLE] + [t.format(**words) for t in lines]):
        cell = ws.cell(row + k, 1, text)
        _style(cell, size=size, bold=k == 0, border=False, vertical="top")
        ws.merge_cells(start_row=row + k, start_column=1, end_row=row + k, end_column=last_col)
        ws.row_dimensions[row + k].height = wrapped_lines(text, width, size) * line_height(size) + 2
    return row + len(lines)


# ---------------------------------------------------------------------------- 附件1 推荐汇总表
def _summary_widths() -> dict[str, float]:
    """Column widths: the data's width, widened so the header wraps onto at most HEADER_LINES lines."""
    widths = {}
    for field, header in labels.SUMMARY_FIELDS.items():
        chars = max(FIELD_CHARS.get(field, KIND_CHARS[KINDS[field]]), math.ceil(display_width(header) / 2 / HEADER_LINES))
        while True:  # at most HEADER_LINES lines, and no line holding a lone character
            lines = wrap(header, column_width(chars, SUMMARY_FONT_SIZE), SUMMARY_FONT_SIZE)
            if len(lines) <= HEADER_LINES and (len(lines) == 1 or lines[-1] > 2):
                break
            chars += 1
        widths[field] = column_width(chars, SUMMARY_FONT_SIZE)
    return widths


def _fill_line() -> CellRichText:
    """推荐单位（盖章）：　　　  填表人：　　 …: labels with underlined blank spaces (printed as lines to
    write on, read back as empty)."""
    size = SUMMARY_FONT_SIZE + 1
    plain = InlineFont(rFont=FONT, sz=size)
    under = InlineFont(rFont=FONT, sz=size, u="single")
    marker = "\x00"
    text = labels.FILL_LINE.format(**{k: marker + k + marker for k in labels.TEMPLATE_FILL_BLANKS})
    parts = text.split(marker)
    blocks = [TextBlock(under, labels.TEMPLATE_FILL_BLANKS[p]) if i % 2 else TextBlock(plain, p)
              for i, p in enumerate(parts) if p]
    return CellRichText(*blocks)


def summary_sheet(ws: Worksheet, rnd: Round, words: dict[str, str]) -> None:
    """附件1: title, the fill line, the canonical header, bordered blank rows, the 填表说明 block."""
    fields = list(labels.SUMMARY_FIELDS)
    last = len(fields)
    widths = _summary_widths()
    for j, field in enumerate(fields, start=1):
        ws.column_dimensions[get_column_letter(j)].width = widths[field]
    _title(ws, 1, labels.SUMMARY_TITLE, last)
    line = ws.cell(2, 1, _fill_line())
    _style(line, size=SUMMARY_FONT_SIZE + 1, locked=False, border=False)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=last)
    ws.row_dimensions[2].height = 24
    header_row, first, end = 3, 4, 3 + SUMMARY_ROWS
    for j, field in enumerate(fields, start=1):
        _style(ws.cell(header_row, j, labels.SUMMARY_FIELDS[field]), size=SUMMARY_FONT_SIZE, bold=True,
               horizontal="center", fill=LABEL_FILL)
    lines = max(wrapped_lines(labels.SUMMARY_FIELDS[f], widths[f], SUMMARY_FONT_SIZE) for f in fields)
    ws.row_dimensions[header_row].height = lines * line_height(SUMMARY_FONT_SIZE) + 6
    for j, field in enumerate(fields, start=1):
        kind = KINDS[field]
        for r in range(first, end + 1):
            cell = ws.cell(r, j)
            _style(cell, size=SUMMARY_FONT_SIZE, locked=False,
                   horizontal="center" if kind in ("category", "rank", "bool", "int", "date") else None)
            if kind in ("date", "phone"):
                cell.number_format = TEXT_FORMAT
        col = get_column_letter(j)
        dv = validation(kind, field, labels.TEMPLATE_HINTS.get(field), rnd, words)
        dv.add(f"{col}{first}:{col}{end}")
        ws.add_data_validation(dv)
    for r in range(first, end + 1):
        ws.row_dimensions[r].height = 2 * line_height(SUMMARY_FONT_SIZE) + 2
    notes_end = _notes(ws, end + 2, labels.TEMPLATE_SUMMARY_NOTES, last, words, SUMMARY_FONT_SIZE)
    ws.freeze_panes = ws.cell(first, 1)
    _print_setup(ws, landscape=True, title_rows=f"{header_row}:{header_row}", last_row=notes_end, last_col=last)
    _protect(ws)


def summary_workbook(rnd: Round) -> Workbook:
    wb = new_workbook()
    summary_sheet(wb.create_sheet(labels.SUMMARY_SHEET), rnd, round_words(rnd))
    return wb


# ---------------------------------------------------------------------------- 附件2/3/4 推荐表
def form_fields(category: str) -> list[str]:
    """The 推荐表 fields of a category: 示范性-only fields left out of the others."""
    return [f for group in FORM_LAYOUT for f in group if category == "demonstration" or f not in DEMONSTRATION_ONLY]


def form_rows(category: str) -> list[list[str]]:
    """Fields per row of the form: a wide field alone, the others two a row within their group."""
    rows: list[list[str]] = []
    for group in FORM_LAYOUT:
        row: list[str] = []
        for field in (f for f in group if f in form_fields(category)):
            if field in FORM_WIDE:
                rows.append([field])
                continue
            row.append(field)
            if len(row) == 2:
                rows.append(row)
                row = []
        if row:
            rows.append(row)
    return rows


def _form_value(ws: Worksheet, row: int, col: int, field: str, rnd: Round, words: dict[str, str], *, wide: bool,
                prefilled: str | None = None) -> None:
    cell = ws.cell(row, col, prefilled)
    kind = KINDS[field]
    _style(cell, size=FORM_FONT_SIZE, locked=prefilled is not None,
           horizontal="center" if kind in ("bool", "category") else None)
    if kind in ("date", "phone"):
        cell.number_format = TEXT_FORMAT
    if wide:
        for j in range(col + 1, len(FORM_CHARS) + 1):
            ws.cell(row, j).border = BORDER
        ws.merge_cells(start_row=row, start_column=col, end_row=row, end_column=len(FORM_CHARS))
    if prefilled is None:
        dv = validation(kind, field, labels.TEMPLATE_HINTS.get(field), rnd, words)
        dv.add(cell.coordinate)
        ws.add_data_validation(dv)


def form_sheet(ws: Worksheet, category: str, rnd: Round, words: dict[str, str]) -> None:
    """推荐表: label cells (grey, locked) with the value cell to the right; narratives below."""
    last = len(FORM_CHARS)
    widths = [column_width(chars, FORM_FONT_SIZE) for chars in FORM_CHARS]
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
    _title(ws, 1, labels.FORM_TITLE.format(label=rnd.category_label(category)), last)
    r = 2
    for fields in form_rows(category):
        lines = 1
        for k, field in enumerate(fields):
            label = labels.SUMMARY_FIELDS[field]
            _style(ws.cell(r, 1 + 2 * k, label), size=FORM_FONT_SIZE, bold=True, horizontal="center", fill=LABEL_FILL)
            prefilled = rnd.category_label(category) if field == "category" else None
            lines = max(lines, wrapped_lines(label, widths[2 * k], FORM_FONT_SIZE),
                        wrapped_lines(prefilled or "", widths[2 * k + 1], FORM_FONT_SIZE))
            _form_value(ws, r, 2 + 2 * k, field, rnd, words, wide=field in FORM_WIDE, prefilled=prefilled)
        if len(fields) == 1 and fields[0] not in FORM_WIDE:  # an odd field out: close the row's box
            for j in (3, 4):
                ws.cell(r, j).border = BORDER
        ws.row_dimensions[r].height = max(30, lines * line_height(FORM_FONT_SIZE) + 8,
                                          *(FORM_ROW_HEIGHTS.get(f, 0) for f in fields))
        r += 1
    for key, label in labels.FORM_NARRATIVES.items():
        _style(ws.cell(r, 1, label), size=FORM_FONT_SIZE, bold=True, horizontal="center", fill=LABEL_FILL)
        cell = ws.cell(r, 2)
        _style(cell, size=FORM_FONT_SIZE, locked=False, vertical="top")
        for j in range(3, last + 1):
            ws.cell(r, j).border = BORDER
        ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=last)
        ws.row_dimensions[r].height = NARRATIVE_HEIGHTS[key]
        if key == "deeds":
            used = sum(ws.row_dimensions[i].height for i in range(1, r))
            ws.row_dimensions[r].height = max(NARRATIVE_HEIGHTS[key], PAGE_HEIGHT - used)
            ws.row_breaks.append(Break(id=r))
        dv = validation("text", key, labels.TEMPLATE_NARRATIVE_HINTS[key], rnd, words)
        dv.add(cell.coordinate)
        ws.add_data_validation(dv)
        r += 1
    notes_end = _notes(ws, r + 1, labels.TEMPLATE_FORM_NOTES, last, words, FORM_FONT_SIZE - 1)
    _print_setup(ws, landscape=False, title_rows=None, last_row=notes_end, last_col=last)
    _protect(ws)


def table_sheet(ws: Worksheet, title: str, headers: dict[str, str], kinds: dict[str, str], chars: dict[str, int],
                hints: dict[str, tuple[str, str]], n_rows: int, rnd: Round, words: dict[str, str]) -> None:
    """团队成员 / 创新成果: a title, the header on row 2, numbered bordered rows to fill in."""
    fields = list(headers)
    last = len(fields)
    widths = {f: column_width(chars[f], FORM_FONT_SIZE) for f in fields}
    for j, field in enumerate(fields, start=1):
        ws.column_dimensions[get_column_letter(j)].width = widths[field]
    _title(ws, 1, title, last)
    header_row, first, end = 2, 3, 2 + n_rows
    for j, field in enumerate(fields, start=1):
        _style(ws.cell(header_row, j, headers[field]), size=FORM_FONT_SIZE, bold=True, horizontal="center",
               fill=LABEL_FILL)
    lines = max(wrapped_lines(headers[f], widths[f], FORM_FONT_SIZE) for f in fields)
    ws.row_dimensions[header_row].height = lines * line_height(FORM_FONT_SIZE) + 8
    for j, field in enumerate(fields, start=1):
        kind = kinds[field]
        for r in range(first, end + 1):
            cell = ws.cell(r, j, r - first + 1 if kind == "seq" else None)
            _style(cell, size=FORM_FONT_SIZE, locked=False,
                   horizontal="center" if kind in ("seq", "gender", "bool", "date") else None)
            if kind == "date":
                cell.number_format = TEXT_FORMAT
        if kind != "seq":
            col = get_column_letter(j)
            dv = validation(kind, field, hints.get(field), rnd, words)
            dv.add(f"{col}{first}:{col}{end}")
            ws.add_data_validation(dv)
    for r in range(first, end + 1):
        ws.row_dimensions[r].height = 24
    ws.freeze_panes = ws.cell(first, 1)
    _print_setup(ws, landscape=False, title_rows=f"{header_row}:{header_row}", last_row=end, last_col=last)
    _protect(ws)


def form_workbook(category: str, rnd: Round) -> Workbook:
    """附件2/3/4 of one category: sheets 推荐表, 团队成员, 创新成果."""
    words = round_words(rnd)
    label = rnd.category_label(category)
    wb = new_workbook()
    form_sheet(wb.create_sheet(labels.FORM_SHEET), category, rnd, words)
    table_sheet(wb.create_sheet(labels.MEMBER_SHEET), labels.TEMPLATE_MEMBER_TITLE.format(label=label),
                labels.MEMBER_FIELDS, MEMBER_KINDS, MEMBER_CHARS, labels.TEMPLATE_MEMBER_HINTS, MEMBER_ROWS, rnd, words)
    table_sheet(wb.create_sheet(labels.ACHIEVEMENT_SHEET), labels.TEMPLATE_ACHIEVEMENT_TITLE.format(label=label),
                labels.ACHIEVEMENT_FIELDS, ACHIEVEMENT_KINDS, ACHIEVEMENT_CHARS, labels.TEMPLATE_ACHIEVEMENT_HINTS,
                ACHIEVEMENT_ROWS, rnd, words)
    return wb


# ---------------------------------------------------------------------------- the edge
def write_templates(out: str | Path, rnd: Round) -> list[Path]:
    """Write 附件1 and one 附件2/3/4 per category (config order) into `out`; returns the paths.

    The same round gives the same bytes.
    """
    out = Path(out)
    paths = [save(summary_workbook(rnd), out / labels.TEMPLATE_SUMMARY_FILE)]
    for n, (code, cfg) in enumerate(rnd.categories.items(), start=2):
        paths.append(save(form_workbook(code, rnd), out / labels.TEMPLATE_FORM_FILE.format(n=n, label=cfg.label)))
    from workbench.documents import outline_document  # python-docx loads only when documents are written

    paths.append(save_docx(outline_document(rnd), out / labels.TEMPLATE_OUTLINE_FILE))
    return paths


def write_document_templates(folder: str | Path, rnd: Round, overwrite: bool = False) -> list[Path]:
    """The office-editable texts (公示.txt, 命名通知.txt, 推荐材料参考提纲.txt) into the round's templates folder.

    An existing file is an office's edit: kept unless `overwrite`.
    """
    from workbench import documents

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    names = documents.template_fields(rnd)
    paths = []
    for which, name in labels.DOCUMENT_FILES.items():
        path = folder / f"{name}.txt"
        if overwrite or not path.exists():
            path.write_text(documents.template_file_text(which, names), encoding="utf-8")
            paths.append(path)
    return paths
