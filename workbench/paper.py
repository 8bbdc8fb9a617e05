"""Paper score sheets (纸质评分表): printed per reviewer, typed back twice, stored only when both agree.

`sheet_workbook` lays out one reviewer's 评分表 for a stage (one worksheet per category: their
candidates, the rubric with maxima, boxes for points and comment, the 评分细则, signature and
date lines; A4 landscape). A hidden row holds the field codes and a hidden sheet the reviewer and
stage, so a typed-back copy is read by position, whatever the typist did to the visible headers.

`read_sheet` reads a typed-back file: one row per candidate with the cell of every value;
missing, non-numeric or out-of-range values are problems with their cell, never stored values.
`import_entry` keeps one typing (entry 1 or 2) and, where the other typing exists, compares them:
a sheet is saved (through `Store.save_scores`, the same checks as a web save) only when both
agree; every difference is listed with its cell.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from workbench import labels
from workbench.config import Round
from workbench.errors import WorkbenchError
from workbench.store import Store
from workbench.store.validation import validate_sheet

META_SHEET = "_meta"
CODE_ROW = 3  # hidden: the field code of every column
HEADER_ROW = 4
PROBLEM_COLUMNS = ["file", "sheet", "cell", "nomination_id", "field", "value", "code", "message"]
DIFF_COLUMNS = ["reviewer_id", "nomination_id", "stage", "field", "cell_1", "value_1", "cell_2", "value_2"]


def _message(code: str, **fields: object) -> str:
    return f"{labels.PAPER_MESSAGES[code].format(**fields)} [{code}]"


# ============================================================================ writing
def sheet_workbook(reviewer: dict, work: pd.DataFrame, stage: str, rnd: Round):
    """One reviewer's paper score sheet for `stage`: `work` is their worklist rows of that stage
    (nomination_id, category, studio); one worksheet per category, in the round's order."""
    from workbench.export import BODY_FONT, BORDER, FONT_NAME, HEADER_FILL, HEADER_FONT, TITLE_FONT, a4_setup, new_workbook

    wb = new_workbook()
    text = labels.PAPER_SHEET
    for category, cat in rnd.categories.items():
        part = work[work["category"] == category].sort_values("nomination_id", kind="stable")
        if part.empty:
            continue
        ws = wb.create_sheet(cat.short)
        criteria = rnd.criteria(category, stage)
        codes = ["seq", "nomination_id", "studio", *[c.code for c in criteria], "total", "comment"]
        heads = [text["seq"], text["nomination_id"], text["studio"],
                 *[f"{c.label}\n（{c.max[category]:g}分）" for c in criteria], text["total"], text["comment"]]
        widths = [5, 12, 30, *[11] * len(criteria), 8, 34]
        last = get_column_letter(len(codes))
        ws.append([f"{rnd.round.name}{text['title'].format(stage=rnd.stages[stage].label)}"])
        ws.merge_cells(f"A1:{last}1")
        ws["A1"].font, ws["A1"].alignment = TITLE_FONT, Alignment(horizontal="center", vertical="center")
        ws.row_dimensions[1].height = 30
        ws.append([text["who"].format(category=cat.label, name=reviewer["name"], reviewer_id=reviewer["reviewer_id"])])
        ws.merge_cells(f"A2:{last}2")
        ws["A2"].font = Font(name=FONT_NAME, size=12)
        ws.row_dimensions[2].height = 22
        ws.append(codes)
        ws.row_dimensions[CODE_ROW].hidden = True
        ws.append(heads)
        for cell in ws[HEADER_ROW]:
            cell.font, cell.border, cell.fill = HEADER_FONT, BORDER, HEADER_FILL
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.row_dimensions[HEADER_ROW].height = 50
        for k, row in enumerate(part.itertuples(index=False), start=1):
            ws.append([k, row.nomination_id, row.studio, *[None] * len(criteria), None, None])
            r = ws.max_row
            ws.row_dimensions[r].height = 42
            for j, cell in enumerate(ws[r]):
                cell.font, cell.border = BODY_FONT, BORDER
                cell.alignment = Alignment(vertical="center", wrap_text=True,
                                           horizontal="center" if j < 2 or 3 <= j < len(codes) - 1 else None)
        for j, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(j)].width = w
        r = ws.max_row + 2
        ws.cell(row=r, column=1, value=text["guide_title"]).font = HEADER_FONT
        for c in criteria:
            r += 1
            ws.cell(row=r, column=1, value=f"{c.label}（{c.max[category]:g}分）：{c.description}")
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(codes))
            ws.cell(row=r, column=1).alignment = Alignment(wrap_text=True, vertical="top")
            ws.row_dimensions[r].height = 18
        r += 1
        ws.cell(row=r, column=1, value=text["rules"].format(step=rnd.review.score_step, below=rnd.review.comment_below,
                                                            above=rnd.review.comment_above))
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(codes))
        ws.cell(row=r, column=1).alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[r].height = 32
        r += 2
        ws.cell(row=r, column=1, value=text["signature"])
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(codes))
        ws.cell(row=r, column=1).font = Font(name=FONT_NAME, size=12)
        ws.row_dimensions[r].height = 28
        for row in ws.iter_rows(min_row=HEADER_ROW + len(part) + 1, max_row=r):
            for cell in row:
                if cell.font == Font():
                    cell.font = Font(name=FONT_NAME, size=10)
        ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
        a4_setup(ws, landscape=True)
        ws.page_margins.top, ws.page_margins.header = 0.8, 0.3
        ws.oddHeader.right.text = text["header"].format(reviewer_id=reviewer["reviewer_id"])
    meta = wb.create_sheet(META_SHEET)
    for key, value in (("reviewer_id", reviewer["reviewer_id"]), ("stage", stage), ("round", rnd.round.name)):
        meta.append([key, value])
    meta.sheet_state = "hidden"
    return wb


def write_sheets(store: Store, rnd: Round, out: Path, stage: str, reviewer_ids: list[str] | None = None) -> list[Path]:
    """Write each reviewer's paper score sheet for `stage` into `out` (xlsx); returns the paths."""
    from workbench.export import save

    if stage not in rnd.stages:
        raise WorkbenchError(_message("unknown_stage", stage=stage, known="、".join(rnd.stages)), "unknown_stage")
    reviewers = store.reviewers()
    if reviewer_ids:
        unknown = sorted(set(reviewer_ids) - set(reviewers["reviewer_id"]))
        if unknown:
            raise WorkbenchError(_message("unknown_reviewer", reviewer_id="、".join(unknown)), "unknown_reviewer")
        reviewers = reviewers[reviewers["reviewer_id"].isin(reviewer_ids)]
    paths = []
    for reviewer in reviewers.to_dict("records"):
        work = store.worklist(reviewer["reviewer_id"], stage)
        if work.empty:
            continue
        name = labels.PAPER_SHEET["file"].format(reviewer_id=reviewer["reviewer_id"], name=reviewer["name"],
                                                 stage=rnd.stages[stage].label)
        paths.append(save(sheet_workbook(reviewer, work, stage, rnd), out / name))
    return paths


def to_pdf(paths: list[Path], out: Path, timeout: int = 600) -> list[Path]:
    """PDF copies through LibreOffice when it is installed (empty list otherwise)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice or not paths:
        return []
    with tempfile.TemporaryDirectory(prefix="wb-soffice-") as profile:
        subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(out), *map(str, paths)], check=False, capture_output=True, timeout=timeout)
    return [p for p in (out / f"{path.stem}.pdf" for path in paths) if p.exists()]


# ============================================================================ reading
def _number(value: object) -> float | None | str:
    """A typed value as a float; None for blank; the text itself when it is not a number."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return float(value)
    text = unicodedata.normalize("NFKC", str(value)).strip().removesuffix("分").strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return str(value)


@dataclass
class PaperRead:
    """What one typed-back file holds: sheets (one dict per candidate) and problems."""

    reviewer_id: str
    stage: str
    sheets: list[dict]
    problems: pd.DataFrame


def _problem(file: str, sheet: str, cell: str, nomination_id: str, field: str, value: object, code: str,
             **fields: object) -> dict:
    return {"file": file, "sheet": sheet, "cell": cell, "nomination_id": nomination_id, "field": field,
            "value": "" if value is None else str(value), "code": code, "message": _message(code, **fields)}


def read_sheet(path: Path, rnd: Round, nominations: pd.DataFrame) -> PaperRead:
    """Read a typed-back paper sheet: per candidate the points, the comment and the cell of each.

    A candidate row with a blank, non-numeric or out-of-range value (or a submission the rubric
    refuses) is a problem and is left out of `sheets`; so is a file that is not one of ours.
    """
    path = Path(path)
    name = path.name
    try:
        wb = load_workbook(path, data_only=True)
    except Exception as exc:  # any unreadable file is one problem, never a traceback
        raise WorkbenchError(_message("paper_unreadable", path=name, why=exc), "paper_unreadable") from exc
    if META_SHEET not in wb.sheetnames:
        raise WorkbenchError(_message("paper_not_a_sheet", path=name), "paper_not_a_sheet")
    meta = {str(r[0].value): str(r[1].value) for r in wb[META_SHEET].iter_rows(max_col=2) if r[0].value}
    reviewer_id, stage = meta.get("reviewer_id", ""), meta.get("stage", "")
    if stage not in rnd.stages or not reviewer_id:
        raise WorkbenchError(_message("paper_not_a_sheet", path=name), "paper_not_a_sheet")
    category_of = dict(zip(nominations["nomination_id"], nominations["category"]))
    labels_of = {c.code: c.label for c in rnd.rubric}
    sheets, problems = [], []
    for ws in wb.worksheets:
        if ws.title == META_SHEET:
            continue
        codes = {str(c.value): c.column for c in ws[CODE_ROW] if c.value}
        if "nomination_id" not in codes:
            continue
        criteria = [c for c in codes if c in labels_of]
        for row in ws.iter_rows(min_row=HEADER_ROW + 1):
            nid_cell = row[codes["nomination_id"] - 1]
            nid = "" if nid_cell.value is None else str(nid_cell.value).strip()
            if not nid:
                break
            category = category_of.get(nid)
            if category is None:
                problems.append(_problem(name, ws.title, nid_cell.coordinate, nid, "nomination_id", nid, "unknown_nomination",
                                         nomination_id=nid))
                continue
            points, cells, found = {}, {}, []
            for code in criteria:
                cell = row[codes[code] - 1]
                cells[code] = cell.coordinate
                value = _number(cell.value)
                if value is None:
                    found.append(_problem(name, ws.title, cell.coordinate, nid, code, None, "missing",
                                          label=labels_of[code], where=cell.coordinate))
                elif isinstance(value, str):
                    found.append(_problem(name, ws.title, cell.coordinate, nid, code, value, "not_a_number",
                                          label=labels_of[code], where=cell.coordinate, typed=value))
                else:
                    points[code] = value
            comment_cell = row[codes["comment"] - 1] if "comment" in codes else None
            comment = "" if comment_cell is None or comment_cell.value is None else str(comment_cell.value).strip()
            if comment_cell is not None:
                cells["comment"] = comment_cell.coordinate
            # the rubric's own checks (range, step; and, once every box is filled, the comment rule)
            for p in validate_sheet(points, category, stage, rnd, comment=comment, submit=not found):
                field = p["criterion"] or "comment"
                cell = cells.get(field, nid_cell.coordinate)
                found.append({"file": name, "sheet": ws.title, "cell": cell, "nomination_id": nid, "field": field,
                              "value": str(points.get(field, "")), "code": p["code"],
                              "message": f"{cell}：{p['message']}"})
            if found:
                problems += found
                continue
            sheets.append({"reviewer_id": reviewer_id, "nomination_id": nid, "stage": stage, "points": points,
                           "comment": comment, "cells": cells})
    return PaperRead(reviewer_id, stage, sheets, pd.DataFrame(problems, columns=PROBLEM_COLUMNS))


# ============================================================================ double entry
@dataclass
class ImportResult:
    """One typing of paper sheets: problems (not stored), differences with the other typing (not
    stored), sheets stored (both typings agree), and sheets waiting for the other typing."""

    problems: pd.DataFrame
    differences: pd.DataFrame
    stored: int
    pending: int
    staged: int


def compare_entries(first: dict, second: dict) -> list[dict]:
    """Every field where two typings of one sheet differ, with both cells and values."""
    out = []
    fields = list(dict.fromkeys([*first["points"], *second["points"]])) + ["comment"]
    for field in fields:
        a = first["comment"] if field == "comment" else first["points"].get(field)
        b = second["comment"] if field == "comment" else second["points"].get(field)
        if a != b:
            out.append({"reviewer_id": first["reviewer_id"], "nomination_id": first["nomination_id"],
                        "stage": first["stage"], "field": field, "cell_1": first["cells"].get(field, ""),
                        "value_1": "" if a is None else str(a), "cell_2": second["cells"].get(field, ""),
                        "value_2": "" if b is None else str(b)})
    return out


def import_entry(store: Store, path: Path, entry: int, *, actor: str) -> ImportResult:
    """Keep typing `entry` (1 or 2) of a paper sheet file and store every sheet both typings agree on.

    A sheet is saved as submitted through `Store.save_scores` (pledge, assignment, conflicts, closed
    stage, the rubric: the checks of a web save); one already in the store with other values is a
    problem (paper_already_scored), never overwritten.
    """
    from workbench.errors import WorkbenchError as Refused

    rnd = store.rnd
    read = read_sheet(path, rnd, store.nominations())
    problems = read.problems.to_dict("records")
    store.save_paper_entry(read.sheets, entry, source=Path(path).name, actor=actor)
    entries = store.paper_entries()
    other = {(r.reviewer_id, r.nomination_id, r.stage): r._asdict()
             for r in entries[entries["entry"] == 3 - entry].itertuples(index=False)}
    differences, stored, pending = [], 0, 0
    for sheet in read.sheets:
        key = (sheet["reviewer_id"], sheet["nomination_id"], sheet["stage"])
        if key not in other:
            pending += 1
            continue
        first, second = (sheet, other[key]) if entry == 1 else (other[key], sheet)
        diff = compare_entries(first, second)
        if diff:
            differences += diff
            continue
        current = store.load_sheet(*key)
        wanted = {"points": {k: float(v) for k, v in sheet["points"].items()}, "comment": sheet["comment"]}
        if current is not None:
            same = current["points"] == wanted["points"] and current["comment"] == wanted["comment"] \
                and current["status"] == "submitted"
            if not same:
                problems.append(_problem(Path(path).name, "", "", sheet["nomination_id"], "", "", "paper_already_scored",
                                         nomination_id=sheet["nomination_id"], reviewer_id=sheet["reviewer_id"]))
            continue
        try:
            store.save_scores(*key, wanted["points"], comment=wanted["comment"], version=None, submit=True,
                              actor=labels.PAPER_SHEET["actor"].format(actor=actor))
            stored += 1
        except Refused as exc:
            problems.append({"file": Path(path).name, "sheet": "", "cell": "", "nomination_id": sheet["nomination_id"],
                             "field": "", "value": "", "code": exc.code, "message": str(exc)})
    return ImportResult(pd.DataFrame(problems, columns=PROBLEM_COLUMNS), pd.DataFrame(differences, columns=DIFF_COLUMNS),
                        stored, pending, len(read.sheets))


__all__ = ["ImportResult", "PaperRead", "compare_entries", "import_entry", "read_sheet", "sheet_workbook", "to_pdf",
           "write_sheets"]
