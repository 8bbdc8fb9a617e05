"""附件1 推荐汇总表: find the header by its content, read each row by its field's type.

Pure: a sheet's rows in, nomination records and problems out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from workbench import labels
from workbench.config import Round
from workbench.intake.problems import Problem, cell_ref
from workbench.intake.values import (
    FIELD_TYPES,
    FieldParser,
    Vocabulary,
    normalise_header,
    vocabulary,
)
from workbench.intake.workbook import MAX_ROWS, Sheet

HEADER_SCAN_ROWS = 15
MIN_HEADER_FIELDS = 4
REQUIRED = ("category", "studio", "host_unit", "leader")
IDENTIFYING = ("studio", "host_unit", "leader")
WARNING_CODES = {"formula_cell", "category_guessed"}
MAX_UNRECOGNISED = 20  # more junk rows than this in one sheet are summed up in one problem

FILL_KEYS = ("推荐单位", "填表人", "联系电话", "填报日期")
_FILL_FIELD = re.compile(rf"({'|'.join(FILL_KEYS)})[^：:]*[：:]\s*(.*?)\s*(?=(?:{'|'.join(FILL_KEYS)})|$)")
_NOTE_ROW = re.compile(r"^\s*(填表说明|说明[:：]|注[:：]|备注[:：])")


@dataclass
class Header:
    """Where the table's header is and what each column holds."""

    row: int  # the last header row: data starts below it
    columns: dict[int, str]  # column -> field
    guessed: dict[int, tuple[int, str]] = field(default_factory=dict)  # column -> (row, header text) read by similarity
    unknown: dict[int, tuple[int, str]] = field(default_factory=dict)  # column -> (row, header text) not read


def _fields(row: list[Any], vocab: Vocabulary) -> dict[int, str]:
    columns: dict[int, str] = {}
    header = vocab.header
    for j, cell in enumerate(row):
        if cell.__class__ is str and cell:
            name = header(cell)
            if name and name not in columns.values():
                columns[j] = name
    return columns


def _texts(row: list[Any]) -> int:
    """How many cells of a row hold text: the most fields it could name."""
    return sum(1 for cell in row if cell.__class__ is str and cell)


def find_header(rows: list[list[Any]], vocab: Vocabulary) -> Header | None:
    """The header within the first rows (the row naming most fields), with the row below it when
    that row names the fields of a two-level header (团队情况 over 团队人数 and 一线职工); then
    headers read by similarity, and the headers that name nothing intake reads."""
    best: tuple[int, dict[int, str]] | None = None
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        if _texts(row) < max(MIN_HEADER_FIELDS, len(best[1]) + 1 if best else 0):
            continue  # cannot name more fields than the best row so far: not looked up
        columns = _fields(row, vocab)
        if len(columns) >= MIN_HEADER_FIELDS and (best is None or len(columns) > len(best[1])):
            best = (i, columns)
    if best is None:
        return None
    top, columns = best
    band = [top]
    for other in (top + 1, top - 1):  # the sub-headers below, or the upper level above
        if not 0 <= other < len(rows):
            continue
        more = {j: f for j, f in _fields(rows[other], vocab).items() if j not in columns and f not in columns.values()}
        row = rows[other]
        if more and all(j not in columns or row[j] in (None, "", rows[top][j]) for j in range(len(row))):
            columns.update(more)
            band = sorted([*band, other])
            break
    header = Header(band[-1], columns)
    width = max(len(rows[i]) for i in band)
    for j in range(width):
        if j in header.columns:
            continue
        found = [(i, str(rows[i][j]).strip()) for i in reversed(band) if j < len(rows[i]) and rows[i][j] not in (None, "")]
        if not found or not found[0][1] or normalise_header(found[0][1]) in vocab.ignored:
            continue
        i, text = found[0]
        guess = vocab.guess_header(text)
        if guess and guess not in header.columns.values():
            header.columns[j], header.guessed[j] = guess, (i, text)
        else:
            header.unknown[j] = (i, text)
    return header


def parse_fill_line(rows: list[list[Any]]) -> dict[str, str]:
    """The '推荐单位（盖章）：…  填报日期：…' line above the header, as a dict."""
    found: dict[str, str] = {}
    for row in rows:
        text = " ".join(str(c) for c in row if c not in (None, ""))
        for key, val in _FILL_FIELD.findall(text):
            if val and not set(val) <= set("_＿ "):
                found.setdefault(key, val)
    return found


def _data_rows(rows: list[list[Any]], header_row: int, columns: dict[int, str]) -> list[int]:
    """The rows below the header that may hold a nomination: not blank, not a line of the 填表说明
    block (unless it names a studio, unit or leader)."""
    kept = []
    in_notes = False
    for i in range(header_row + 1, len(rows)):
        row = rows[i]
        first = next((c for c in row if c is not None and c != ""), None)
        if first is None:
            continue
        in_notes = in_notes or (first.__class__ is str and _NOTE_ROW.match(first) is not None)
        if in_notes:
            filled = [j for j, c in enumerate(row) if c is not None and c != ""]
            if len(filled) == 1 and columns.get(filled[0]) not in IDENTIFYING:
                continue
        kept.append(i)
    return kept


def _formula_problems(found: dict[int, list], kept: list[int], j: int, name: str, raw: list[Any], sheet: Sheet,
                      label: str) -> None:
    """A cell holding a formula: read by its cached value (reported), or with none (reported as missing)."""
    r0, c0 = sheet.origin
    for k, i in enumerate(kept):
        if cell_ref(r0 + i, c0 + j) in sheet.formulas:
            code = "formula_no_value" if raw[k] in (None, "") else "formula_cell"
            text = "是公式且没有计算结果，请直接填写数值" if code == "formula_no_value" else "是公式，已按计算结果读取，请核实"
            found.setdefault(k, []).append((j, name, raw[k], code, f"{label}：{text}"))  # after the cell's own


def read_summary_sheet(sheet: Sheet, *, file: str, rnd: Round, categories: dict[str, str],
                       parse: FieldParser | None = None,
                       ) -> tuple[list[dict], list[Problem], dict[str, str]] | None:
    """One sheet -> (records, problems, fill-line facts); None when it has no summary header.

    `parse` reads the cells of a column (one per inbox, so each distinct cell is read once)."""
    rows = sheet.rows
    vocab = vocabulary(rnd)
    header = find_header(rows, vocab)
    if header is None:
        return None
    header_row, columns = header.row, header.columns
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
    for j, (i, text) in header.guessed.items():
        name = columns[j]
        problem(i, j, name, text, "header_guessed",
                f"表头“{text}”不是规范写法，已按“{labels.SUMMARY_FIELDS[name]}”读取，请核实", "warning")
    for j, (i, text) in header.unknown.items():
        problem(i, j, "", text, "unknown_column", f"无法识别的列“{text}”，此列内容未读取", "warning")
    parse = parse or FieldParser(rnd, categories)
    kept = _data_rows(rows, header_row, columns)
    keys: list[str] = ["source_file", "source_sheet", "source_row"]
    cells: list[list[Any]] = [[file] * len(kept), [sheet.name] * len(kept), [r0 + i + 1 for i in kept]]
    cell_problems: dict[int, list[tuple[int, str, Any, str, str]]] = {}  # row position -> (column, field, cell, code, message)
    for j, name in columns.items():
        raw = [rows[i][j] if j < len(rows[i]) else None for i in kept]
        values, precisions, found = parse.column(name, raw)
        keys.append(name)
        cells.append(values)
        if FIELD_TYPES[name] == "date":
            keys.append(f"{name}_precision")
            cells.append(precisions)
        label = labels.SUMMARY_FIELDS[name]
        for k, code, message in found:
            cell_problems.setdefault(k, []).append((j, name, raw[k], code, f"{label}：{message}"))
        if sheet.formulas:
            _formula_problems(cell_problems, kept, j, name, raw, sheet, label)
    records: list[dict] = []
    unrecognised = 0
    required = {name: j for name in REQUIRED for j, field_ in columns.items() if field_ == name}
    for k, values in enumerate(zip(*cells)):
        i = kept[k]
        record = dict(zip(keys, values))
        if not (record.get("studio") or record.get("leader") or record.get("host_unit")):
            unrecognised += 1
            if unrecognised <= MAX_UNRECOGNISED:
                problem(i, None, "", " ".join(str(c) for c in rows[i] if c not in (None, ""))[:200], "unrecognised_row",
                        "此行没有工作室名称、领衔人或所在单位，未作为推荐对象读取", "warning")
            continue
        found = cell_problems.get(k, [])
        for j, name, raw, code, message in found:
            problem(i, j, name, raw, code, message, "warning" if code in WARNING_CODES else "error")
        if not record.get("recommender") and fill.get("推荐单位"):
            record["recommender"] = fill["推荐单位"]
        for name, j in required.items():
            if record[name] in (None, "") and not any(p[1] == name for p in found):
                problem(i, j, name, "", "missing_value", f"“{labels.SUMMARY_FIELDS[name]}”未填写")
        records.append(record)
    if unrecognised > MAX_UNRECOGNISED:
        problem(header_row, None, "", f"{unrecognised} 行", "many_unrecognised_rows",
                f"另有 {unrecognised - MAX_UNRECOGNISED} 行无法识别的内容未逐行列出", "warning")
    if sheet.truncated:
        problem(MAX_ROWS, None, "", f"{sheet.truncated} 行", "too_many_rows",
                f"工作表超过 {MAX_ROWS} 行，其后的 {sheet.truncated} 行未读取，请删除多余内容后重新报送")
    return records, problems, fill
