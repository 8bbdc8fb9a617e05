"""附件1 推荐汇总表: find the header by its content, read each row by its field's type.

Pure: a sheet's rows in, nomination records and problems out.
"""

from __future__ import annotations

import re
from typing import Any

from workbench import labels
from workbench.config import Round
from workbench.intake.problems import Problem, cell_ref
from workbench.intake.values import FIELD_TYPES, ValueProblem, match_header, parse_field
from workbench.intake.workbook import MAX_ROWS, Sheet

HEADER_SCAN_ROWS = 15
MIN_HEADER_FIELDS = 4
REQUIRED = ("category", "studio", "host_unit", "leader")
MAX_UNRECOGNISED = 20  # more junk rows than this in one sheet are summed up in one problem

FILL_KEYS = ("推荐单位", "填表人", "联系电话", "填报日期")
_FILL_FIELD = re.compile(rf"({'|'.join(FILL_KEYS)})[^：:]*[：:]\s*(.*?)\s*(?=(?:{'|'.join(FILL_KEYS)})|$)")
_NOTE_ROW = re.compile(r"^\s*(填表说明|说明[:：]|注[:：]|备注[:：])")


def find_header(rows: list[list[Any]]) -> tuple[int, dict[int, str]] | None:
    """The header row within the first rows (the one naming most fields), and column -> field."""
    best: tuple[int, dict[int, str]] | None = None
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        columns: dict[int, str] = {}
        for j, cell in enumerate(row):
            name = match_header(cell)
            if name and name not in columns.values():
                columns[j] = name
        if len(columns) >= MIN_HEADER_FIELDS and (best is None or len(columns) > len(best[1])):
            best = (i, columns)
    return best


def parse_fill_line(rows: list[list[Any]]) -> dict[str, str]:
    """The '推荐单位（盖章）：…  填报日期：…' line above the header, as a dict."""
    found: dict[str, str] = {}
    for row in rows:
        text = " ".join(str(c) for c in row if c not in (None, ""))
        for key, val in _FILL_FIELD.findall(text):
            if val and not set(val) <= set("_＿ "):
                found.setdefault(key, val)
    return found


def _first_text(row: list[Any]) -> str:
    return next((str(c) for c in row if c not in (None, "")), "")


def read_summary_sheet(sheet: Sheet, *, file: str, rnd: Round,
                       categories: dict[str, str]) -> tuple[list[dict], list[Problem], dict[str, str]] | None:
    """One sheet -> (records, problems, fill-line facts); None when it has no summary header."""
    rows = sheet.rows
    header = find_header(rows)
    if header is None:
        return None
    header_row, columns = header
    fill = parse_fill_line(rows[:header_row])
    r0, c0 = sheet.origin
    problems: list[Problem] = []

    def problem(row: int, col: int | None, field: str, value: Any, code: str, message: str, severity: str = "error") -> None:
        cell = cell_ref(r0 + row, c0 + col) if col is not None else str(r0 + row + 1)
        problems.append(Problem(file, sheet.name, cell, field, "" if value is None else str(value), severity, code, message))

    missing = [f for f in REQUIRED if f not in columns.values()]
    if "recommender" not in columns.values() and "推荐单位" not in fill:
        missing.append("recommender")
    for name in missing:
        problem(header_row, 0, name, "", "missing_column", f"缺少必填列“{labels.SUMMARY_FIELDS[name]}”",
                "warning" if name == "recommender" else "error")
    records: list[dict] = []
    unrecognised = 0
    in_notes = False
    for i in range(header_row + 1, len(rows)):
        row = rows[i]
        filled = sum(c not in (None, "") for c in row)
        in_notes = in_notes or bool(_NOTE_ROW.match(_first_text(row)))
        if filled == 0 or (in_notes and filled == 1):  # a blank row, or a line of the 填表说明 block
            continue
        record: dict[str, Any] = {"source_file": file, "source_sheet": sheet.name, "source_row": r0 + i + 1}
        cell_problems = []
        for j, name in columns.items():
            raw = row[j] if j < len(row) else None
            try:
                value, precision = parse_field(name, raw, rnd, categories)
            except ValueProblem as exc:
                cell_problems.append((i, j, name, raw, exc.code, f"{labels.SUMMARY_FIELDS[name]}：{exc}"))
                value, precision = None, None
            if sheet.formulas and cell_ref(r0 + i, c0 + j) in sheet.formulas:
                code = "formula_no_value" if raw in (None, "") else "formula_cell"
                text = "是公式且没有计算结果，请直接填写数值" if code == "formula_no_value" else "是公式，已按计算结果读取，请核实"
                cell_problems.append((i, j, name, raw, code, f"{labels.SUMMARY_FIELDS[name]}：{text}"))
            record[name] = value
            if FIELD_TYPES[name] == "date":
                record[f"{name}_precision"] = precision
        if not any(record.get(f) for f in ("studio", "leader", "host_unit")):
            unrecognised += 1
            if unrecognised <= MAX_UNRECOGNISED:
                problem(i, None, "", " ".join(str(c) for c in row if c not in (None, ""))[:200], "unrecognised_row",
                        "此行没有工作室名称、领衔人或所在单位，未作为推荐对象读取", "warning")
            continue
        for i_, j, name, raw, code, message in cell_problems:
            problem(i_, j, name, raw, code, message, "warning" if code == "formula_cell" else "error")
        if not record.get("recommender") and fill.get("推荐单位"):
            record["recommender"] = fill["推荐单位"]
        for name in REQUIRED:
            if name in columns.values() and record.get(name) in (None, ""):
                j = next(k for k, v in columns.items() if v == name)
                if not any(p[2] == name for p in cell_problems):
                    problem(i, j, name, "", "missing_value", f"“{labels.SUMMARY_FIELDS[name]}”未填写")
        records.append(record)
    if unrecognised > MAX_UNRECOGNISED:
        problem(header_row, None, "", f"{unrecognised} 行", "many_unrecognised_rows",
                f"另有 {unrecognised - MAX_UNRECOGNISED} 行无法识别的内容未逐行列出", "warning")
    if sheet.truncated:
        problem(MAX_ROWS, None, "", f"{sheet.truncated} 行", "too_many_rows",
                f"工作表超过 {MAX_ROWS} 行，其后的 {sheet.truncated} 行未读取，请删除多余内容后重新报送")
    return records, problems, fill
