"""附件2/3/4 推荐表: a label-and-value form, a 团队成员 table and a 创新成果 table per studio.

Pure: sheets in, the form's fields, members, achievements and problems out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from workbench import labels
from workbench.config import Round
from workbench.intake.problems import Problem, cell_ref
from workbench.intake.values import (
    GuessedValue,
    ValueProblem,
    match_header,
    normalise_header,
    parse_bool,
    parse_date,
    parse_field,
    parse_int,
    parse_number,
    parse_text,
)
from workbench.intake.workbook import Sheet

MEMBER_TYPES: dict[str, Callable[[Any], Any]] = {
    "seq": parse_int, "name": parse_text, "gender": parse_text, "born": lambda v: parse_date(v)[0],
    "education": parse_text, "title": parse_text, "post": parse_text, "frontline": parse_bool,
}
ACHIEVEMENT_TYPES: dict[str, Callable[[Any], Any]] = {
    "seq": parse_int, "name": parse_text, "kind": parse_text, "level": parse_text,
    "recognised_on": lambda v: parse_date(v)[0], "recognised_by": parse_text, "benefit": parse_number,
}
NARRATIVE_LOOKUP = {normalise_header(v): k for k, v in labels.FORM_NARRATIVES.items()}


@dataclass
class Form:
    """What one 推荐表 workbook says."""

    file: str
    fields: dict[str, Any] = field(default_factory=dict)
    cells: dict[str, str] = field(default_factory=dict)  # field -> cell reference, for messages
    members: list[dict] = field(default_factory=list)
    achievements: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _label(cell: Any, rnd: Round) -> str | None:
    """The field or narrative a form label names."""
    return match_header(cell, rnd) or (NARRATIVE_LOOKUP.get(normalise_header(cell)) if isinstance(cell, str) else None)


def read_form_sheet(sheet: Sheet, form: Form, rnd: Round, categories: dict[str, str]) -> None:
    """Label cells with the value to their right (or below, when the right is empty)."""
    r0, c0 = sheet.origin
    for i, row in enumerate(sheet.rows):
        for j, cell in enumerate(row):
            name = _label(cell, rnd)
            if name is None or name in form.fields:
                continue
            right = row[j + 1] if j + 1 < len(row) else None
            below = sheet.rows[i + 1][j] if i + 1 < len(sheet.rows) and j < len(sheet.rows[i + 1]) else None
            if right in (None, "") and below not in (None, "") and _label(below, rnd) is None:
                value, ref = below, cell_ref(r0 + i + 1, c0 + j)
            elif _label(right, rnd) is None:
                value, ref = right, cell_ref(r0 + i, c0 + j + 1)
            else:
                value, ref = None, cell_ref(r0 + i, c0 + j + 1)
            form.cells[name] = ref
            if ref in sheet.errors:  # #N/A: calamine reads it as blank
                form.fields[name] = None
                label = labels.FORM_NARRATIVES.get(name) or labels.SUMMARY_FIELDS[name]
                form.problems.append(_error_value(form.file, sheet, ref, name, f"推荐表“{label}”"))
                continue
            if name in labels.FORM_NARRATIVES:
                form.fields[name] = parse_text(value)
                continue
            try:
                form.fields[name], precision = parse_field(name, value, rnd, categories)
                if precision:
                    form.fields[f"{name}_precision"] = precision
            except ValueProblem as exc:
                form.fields[name] = exc.value if isinstance(exc, GuessedValue) else None
                form.problems.append(Problem(form.file, sheet.name, ref, name, str(value), "warning", exc.code,
                                             f"推荐表“{labels.SUMMARY_FIELDS[name]}”：{exc}"))


def read_table_sheet(sheet: Sheet, headers: dict[str, str], types: dict[str, Callable[[Any], Any]],
                     file: str) -> tuple[list[dict], list[Problem]]:
    """A simple table (团队成员, 创新成果): header found by content, rows until the data ends."""
    wanted = {normalise_header(v): k for k, v in headers.items()}
    r0, c0 = sheet.origin
    for h, row in enumerate(sheet.rows[:15]):
        columns = {j: wanted[normalise_header(c)] for j, c in enumerate(row) if isinstance(c, str) and normalise_header(c) in wanted}
        if len(columns) >= 3:
            break
    else:
        return [], [Problem(file, sheet.name, "", "", "", "warning", "no_header", f"“{sheet.name}”表中未找到表头")]
    records, problems = [], []
    for i in range(h + 1, len(sheet.rows)):
        row = sheet.rows[i]
        values = {name: (row[j] if j < len(row) else None) for j, name in columns.items()}
        errors = {j: ref for j in columns if (ref := cell_ref(r0 + i, c0 + j)) in sheet.errors} if sheet.errors else {}
        if not errors and all(v in (None, "") for k, v in values.items() if k != "seq"):
            continue
        record = {"source_row": r0 + i + 1}
        for j, name in columns.items():
            if j in errors:
                record[name] = None
                problems.append(_error_value(file, sheet, errors[j], name, f"“{headers[name]}”"))
                continue
            try:
                record[name] = types[name](values[name])
            except ValueProblem as exc:
                record[name] = None
                problems.append(Problem(file, sheet.name, cell_ref(r0 + i, c0 + j), name, str(values[name]),
                                        "warning", exc.code, f"“{headers[name]}”：{exc}"))
        records.append(record)
    return records, problems


def _error_value(file: str, sheet: Sheet, ref: str, name: str, where: str) -> Problem:
    value = sheet.errors[ref]
    return Problem(file, sheet.name, ref, name, value, "warning", "error_value",
                   f"{where}：{labels.INTAKE_MESSAGES['error_value'].format(value=value)}")


def read_form(sheets: list[Sheet], *, file: str, rnd: Round, categories: dict[str, str]) -> Form:
    """A 推荐表 workbook's sheets -> Form (members and achievements from their own sheets)."""
    form = Form(file)
    for sheet in sheets:
        if sheet.name == labels.MEMBER_SHEET:
            form.members, problems = read_table_sheet(sheet, labels.MEMBER_FIELDS, MEMBER_TYPES, file)
        elif sheet.name == labels.ACHIEVEMENT_SHEET:
            form.achievements, problems = read_table_sheet(sheet, labels.ACHIEVEMENT_FIELDS, ACHIEVEMENT_TYPES, file)
        else:
            read_form_sheet(sheet, form, rnd, categories)
            problems = []
        form.problems += problems
    return form
