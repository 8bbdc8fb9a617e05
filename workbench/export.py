"""Export: the Excel files that leave the building, formatted as official documents.

`frame_to_sheet` is the one formatter (title row, bold bordered header, CJK font, widths that fit,
frozen header, A4 print set-up repeating the header); each export picks its columns from an
allow-list and its labels from `labels`. Cell text that a spreadsheet would run as a formula is
neutralised. Workbook timestamps are fixed so the same inputs give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
import zipfile
from pathlib import Path
from typing import Iterable

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from workbench import labels
from workbench.config import Round

FONT_NAME = "宋体"
TITLE_FONT = Font(name="黑体", size=16, bold=True)
HEADER_FONT = Font(name=FONT_NAME, size=11, bold=True)
BODY_FONT = Font(name=FONT_NAME, size=11)
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CUT_BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=Side(style="thick", color="C00000"))
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
PROPOSED_FILL = PatternFill("solid", fgColor="E2EFDA")
FIXED_STAMP = dt.datetime(2000, 1, 1)
FORMULA_START = ("=", "+", "-", "@")



def neutralise(value: object) -> object:
    """Text a spreadsheet would treat as a formula gets a leading apostrophe-like quote."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def display_width(text: str) -> int:
    """Width in Excel character units: CJK characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell_value(value: object) -> object:
    if value is None or (not isinstance(value, (list, str)) and pd.isna(value)):
        return None
    if isinstance(value, bool):
        return "是" if value else ""
    if isinstance(value, list):
        return "；".join(map(str, value))
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item"):
        return value.item()
    return neutralise(value)


def frame_to_sheet(ws: Worksheet, df: pd.DataFrame, headers: dict[str, str], title: str,
                   highlight: pd.Series | None = None, note: str | None = None,
                   centred: Iterable[str] = (), cut_after: int | None = None) -> None:
    """Write `df[headers]` as a formatted official table with `title` above it.

    `highlight` shades rows; `cut_after` draws a thick red rule under that row (the cut line).
    """
    columns = list(headers)
    ncol = len(columns)
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(ncol, 1))
    ws["A1"].font = TITLE_FONT
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 32
    header_row = 2
    if note:
        ws.append([note])
        ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=max(ncol, 1))
        ws["A2"].font = Font(name=FONT_NAME, size=10, italic=True)
        header_row = 3
    ws.append([headers[c] for c in columns])
    for cell in ws[header_row]:
        cell.font, cell.border, cell.fill = HEADER_FONT, BORDER, HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    widths = [display_width(headers[c]) for c in columns]
    for i, row in enumerate(df[columns].itertuples(index=False)):
        values = [_cell_value(v) for v in row]
        ws.append(values)
        fill = PROPOSED_FILL if highlight is not None and bool(highlight.iloc[i]) else None
        for j, cell in enumerate(ws[ws.max_row]):
            cell.font, cell.border = BODY_FONT, CUT_BORDER if i == cut_after else BORDER
            cell.alignment = Alignment(vertical="center", wrap_text=True,
                                       horizontal="center" if columns[j] in centred else None)
            if isinstance(values[j], float):
                cell.number_format = "0.00"
            if isinstance(values[j], dt.datetime):
                cell.number_format = "yyyy-mm-dd"
            if fill:
                cell.fill = fill
            widths[j] = max(widths[j], display_width(str(values[j] if values[j] is not None else "")))
    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(max(w + 2, 6), 48)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if ncol > 7 else "portrait"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4


def new_workbook() -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "创新工作室评审工作台"
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
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_STAMP.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl writes the save time here, whatever we set
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + FIXED_STAMP.strftime("%Y-%m-%dT%H:%M:%SZ").encode(), data)
            dst.writestr(fixed, data)
    return path


def ranking_headers(rnd: Round, columns: Iterable[str]) -> dict[str, str]:
    """Chinese headers for the ranked table, stage names from the config."""
    headers = {}
    for col in columns:
        if col.startswith(("score_", "n_")):
            prefix, stage = col.split("_", 1)
            label = rnd.stages[stage].label
            headers[col] = f"{label}得分" if prefix == "score" else f"{label}评委数"
        elif col.startswith("crit_"):
            headers[col] = next(c.label for c in rnd.rubric if f"crit_{c.code}" == col)
        else:
            headers[col] = labels.COLUMNS[col]
    return headers


def ranking_workbook(ranked: pd.DataFrame, rnd: Round) -> Workbook:
    """评审结果排名表: one sheet per category, 拟命名 rows shaded."""
    wb = new_workbook()
    columns = (["rank", "studio", "host_unit", "recommender", "leader"] + [f"score_{s}" for s in rnd.stages]
               + ["composite", "untrimmed_mean"] + [f"n_{s}" for s in rnd.stages] + ["proposed", "flags"])
    headers = ranking_headers(rnd, columns)
    for cat, cfg in rnd.categories.items():
        part = ranked[ranked["category"] == cat].reset_index(drop=True)
        ws = wb.create_sheet(cfg.short)
        note = (f"{rnd.round.name}。拟命名{cfg.slots}家，参评{len(part)}家；综合得分 = "
                + " + ".join(f"{st.label}×{st.weight:g}" for st in rnd.stages.values())
                + "；各阶段去掉一个最高分和一个最低分后取平均；红线以上为拟命名")
        proposed = part.index[part["proposed"]]
        frame_to_sheet(ws, part, headers, f"{cfg.label}评审结果排名表", highlight=part["proposed"], note=note,
                       centred=("rank", "proposed", *(f"n_{s}" for s in rnd.stages)),
                       cut_after=int(proposed.max()) if len(proposed) else None)
    return wb


def export_results(ranked: pd.DataFrame, rnd: Round, out: str | Path) -> list[Path]:
    """Write the result workbooks into `out`; returns the paths written."""
    out = Path(out)
    return [save(ranking_workbook(ranked, rnd), out / f"{labels.EXPORT_TITLES['ranking']}.xlsx")]
