"""附件2/3/4 推荐表: a label-and-value form, a 团队成员 table and a 创新成果 table per studio.

Pure: sheets in, the form's fields, members, achievements and problems out.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from workbench import labels
from workbench.config import Round
from workbench.intake.problems import Problem, cell_ref, shown
from workbench.intake.values import (
    MEMBER_AGES,
    GuessedValue,
    ValueProblem,
    header_unit_mismatch,
    match_header,
    normalise_header,
    parse_bool,
    parse_date,
    parse_field,
    parse_int,
    parse_number,
    parse_text,
    title_category,
    vocabulary,
)
from workbench.intake.workbook import Sheet
from workbench.names import normalise

MEMBER_TYPES: dict[str, Callable[[Any], Any]] = {
    "seq": parse_int, "name": parse_text, "gender": parse_text, "born": lambda v: parse_date(v)[0],
    "education": parse_text, "title": parse_text, "post": parse_text, "frontline": parse_bool,
}
ACHIEVEMENT_TYPES: dict[str, Callable[[Any], Any]] = {
    "seq": parse_int, "name": parse_text, "kind": parse_text, "level": parse_text,
    "recognised_on": lambda v: parse_date(v)[0], "recognised_by": parse_text, "benefit": parse_number,
}
_NEXT_LABEL = re.compile(r"(?<!\s)\s+(?=[^\s：]+：)")  # where a second "label：value" begins in one cell (see values._BREAK)
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
    titled: tuple[str, str] | None = None  # (category, cell) its title names
    tables: set[str] = field(default_factory=set)  # the tables it has (团队成员, 创新成果), found by name or content


def _label(cell: Any, rnd: Round) -> str | None:
    """The field or narrative a form label names."""
    return match_header(cell, rnd) or (NARRATIVE_LOOKUP.get(normalise_header(cell)) if isinstance(cell, str) else None)


def _value_of(rows: list[list[Any]], i: int, j: int, rnd: Round) -> tuple[Any, tuple[int, int]]:
    """The value of the label at (i, j) and where it is: the cell to its right; below, when the right is
    empty; else the first filled cell further right before another label (the label merged over two
    columns); a label where the value should be means none was given."""
    row = rows[i]
    right = row[j + 1] if j + 1 < len(row) else None
    below = rows[i + 1][j] if i + 1 < len(rows) and j < len(rows[i + 1]) else None
    if right in (None, "") and below not in (None, "") and _label(below, rnd) is None:
        return below, (i + 1, j)
    if right in (None, ""):
        further = next((k for k in range(j + 2, len(row)) if row[k] not in (None, "")), None)
        if further is not None and _label(row[further], rnd) is None:
            return row[further], (i, further)
    return (right if _label(right, rnd) is None else None), (i, j + 1)


def read_form_sheet(sheet: Sheet, form: Form, rnd: Round, categories: dict[str, str]) -> None:
    """Label cells with their values (see `_value_of`), or a cell holding both (工作室名称：…)."""
    r0, c0 = sheet.origin
    for i, row in enumerate(sheet.rows):
        for j, cell in enumerate(row):
            name, typed = _label(cell, rnd), None
            if name is None and cell.__class__ is str:  # 工作室名称：张伟劳模创新工作室, label and value in one cell
                head, colon, typed = cell.replace(":", "：").partition("：")
                typed = _NEXT_LABEL.split(typed.strip(), 1)[0]  # 推荐单位（盖章）：…    填报日期：…
                name = _label(head, rnd) if colon and typed else None
            if name is None or name in form.fields:
                continue
            value, (vi, vj) = (typed, (i, j)) if typed else _value_of(sheet.rows, i, j, rnd)
            ref = cell_ref(r0 + vi, c0 + vj)
            form.cells[name] = ref
            if ref in sheet.errors:  # #N/A: calamine reads it as blank
                form.fields[name] = None
                label = labels.FORM_NARRATIVES.get(name) or labels.SUMMARY_FIELDS[name]
                form.problems.append(_error_value(form.file, sheet, ref, name, f"推荐表“{label}”"))
                continue
            if name in labels.FORM_NARRATIVES:
                form.fields[name] = parse_text(value)
                continue
            written = head if typed else cell  # the label as typed: 年度经费（元） names another scale than 万元
            unit = header_unit_mismatch(name, written) if written.__class__ is str else None
            if unit:
                form.fields[name] = None
                form.problems.append(Problem(form.file, sheet.name, ref, name, shown(value), "warning", "header_unit_mismatch",
                                             "推荐表：" + labels.INTAKE_MESSAGES["header_unit_mismatch"].format(
                                                 text=written, unit=unit, expected=labels.CARD_FACT_UNITS[name])))
                continue
            try:
                form.fields[name], precision = parse_field(name, value, rnd, categories)
                if precision:
                    form.fields[f"{name}_precision"] = precision
            except ValueProblem as exc:
                form.fields[name] = exc.value if isinstance(exc, GuessedValue) else None
                if isinstance(exc, GuessedValue) and exc.precision:
                    form.fields[f"{name}_precision"] = exc.precision
                form.problems.append(Problem(form.file, sheet.name, ref, name, shown(value), "warning", exc.code,
                                             f"推荐表“{labels.SUMMARY_FIELDS[name]}”：{exc}"))


def read_table_sheet(sheet: Sheet, headers: dict[str, str], types: dict[str, Callable[[Any], Any]],
                     file: str) -> tuple[list[dict], list[Problem], dict[str, str]]:
    """A simple table (团队成员, 创新成果): header found by content, rows until the data ends; with each
    field's column letter, for the problems found in the records later."""
    wanted = {normalise_header(v): k for k, v in headers.items()}
    r0, c0 = sheet.origin
    for h, row in enumerate(sheet.rows[:15]):
        columns = {j: wanted[normalise_header(c)] for j, c in enumerate(row) if isinstance(c, str) and normalise_header(c) in wanted}
        if len(columns) >= 3:
            break
    else:
        return [], [Problem(file, sheet.name, "", "", "", "warning", "no_header", f"“{sheet.name}”表中未找到表头")], {}
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
                problems.append(Problem(file, sheet.name, cell_ref(r0 + i, c0 + j), name, shown(values[name]),
                                        "warning", exc.code, f"“{headers[name]}”：{exc}"))
        records.append(record)
    return records, problems, {name: cell_ref(0, c0 + j)[:-1] for j, name in columns.items()}


def member_problems(members: list[dict], columns: dict[str, str], sheet: str, file: str, reference: dt.date) -> list[Problem]:
    """A member listed twice (same name and birth month: the team counted twice over) or born too
    late or too early to be one."""
    problems: list[Problem] = []
    first: dict[tuple[str, Any], int] = {}
    low, high = MEMBER_AGES
    for m in members:
        row, born, name = m["source_row"], m.get("born"), normalise(m.get("name"))
        if born is not None and "born" in columns and not low <= _age(born, reference) <= high:
            problems.append(Problem(file, sheet, f"{columns['born']}{row}", "born", f"{born:%Y-%m}", "warning", "implausible_birth",
                                    labels.INTAKE_MESSAGES["implausible_birth"].format(born=born, low=low, high=high)))
        if name and "name" in columns:
            key = (name, born)
            if key in first:
                problems.append(Problem(file, sheet, f"{columns['name']}{row}", "name", m["name"], "warning", "duplicate_member",
                                        labels.INTAKE_MESSAGES["duplicate_member"].format(name=m["name"], first=first[key])))
            first.setdefault(key, row)
    return problems


def _age(born: dt.datetime, reference: dt.date) -> int:
    return reference.year - born.year - ((reference.month, reference.day) < (born.month, born.day))


def achievement_problems(achievements: list[dict], columns: dict[str, str], sheet: str, file: str,
                         reference: dt.date) -> list[Problem]:
    """A result recognised after the reference date: not one of the year's (and likely a typing mistake)."""
    return [Problem(file, sheet, f"{columns['recognised_on']}{a['source_row']}", "recognised_on", f"{a['recognised_on']:%Y-%m-%d}",
                    "warning", "future_date", labels.INTAKE_MESSAGES["future_recognition"].format(
                        date=a["recognised_on"], reference=reference))
            for a in achievements if a.get("recognised_on") is not None and a["recognised_on"].date() > reference]


def _error_value(file: str, sheet: Sheet, ref: str, name: str, where: str) -> Problem:
    value = sheet.errors[ref]
    return Problem(file, sheet.name, ref, name, value, "warning", "error_value",
                   f"{where}：{labels.INTAKE_MESSAGES['error_value'].format(value=value)}")


def _title_category(sheet: Sheet, form: Form, rnd: Round) -> None:
    """The category the form's title names (附件2, 3 and 4 differ in it: 无锡市劳模创新工作室推荐表)."""
    vocab = vocabulary(rnd)
    for i, row in enumerate(sheet.rows[:3]):  # the title, perhaps under a line "附件3"
        written = title_category(row[0], vocab) if row and row[0].__class__ is str else None
        if written:
            form.titled = (vocab.categories[normalise_header(written)], cell_ref(sheet.origin[0] + i, sheet.origin[1]))
            return


TABLES = {labels.MEMBER_SHEET: ("members", labels.MEMBER_FIELDS, MEMBER_TYPES, member_problems),
          labels.ACHIEVEMENT_SHEET: ("achievements", labels.ACHIEVEMENT_FIELDS, ACHIEVEMENT_TYPES, achievement_problems)}


def _table_of(sheet: Sheet) -> str | None:
    """Which of the form's tables a sheet holds: by its name, else by a header row naming four of the
    table's columns (a 团队成员 sheet renamed 成员名单); the form's own sheet holds neither."""
    if sheet.name in TABLES:
        return sheet.name
    if sheet.name == labels.FORM_SHEET:
        return None
    for table, (_, headers, _, _) in TABLES.items():
        wanted = {normalise_header(h) for h in headers.values()}
        if any(sum(1 for c in row if c.__class__ is str and normalise_header(c) in wanted) >= 4 for row in sheet.rows[:15]):
            return table
    return None


def _add_sheet(form: Form, part: Form, sheet: str) -> None:
    """A form sheet's fields added to the form's (those it already has are kept); a sheet that is another
    studio's form (推荐表 (2) for 李强劳模创新工作室) is not read, and said so."""
    studio, other = form.fields.get("studio"), part.fields.get("studio")
    if studio and other and normalise(studio) != normalise(other):
        form.problems.append(Problem(form.file, sheet, part.cells["studio"], "studio", other, "warning", "form_other_studio",
                                     labels.INTAKE_MESSAGES["form_other_studio"].format(sheet=sheet, other=other, studio=studio)))
        return
    form.problems += [p for p in part.problems if p.field not in form.fields]
    for name, value in part.fields.items():
        form.fields.setdefault(name, value)
    for name, ref in part.cells.items():
        form.cells.setdefault(name, ref)
    form.titled = form.titled or part.titled


def read_form(sheets: list[Sheet], *, file: str, rnd: Round, categories: dict[str, str]) -> Form:
    """A 推荐表 workbook's sheets -> Form (members and achievements from their own sheets); a form
    without either table is said to lack it, since the summary cannot be checked against it."""
    form = Form(file)
    for sheet in sheets:
        table = _table_of(sheet)
        if table is None:
            part = Form(file)
            read_form_sheet(sheet, part, rnd, categories)
            _title_category(sheet, part, rnd)
            _add_sheet(form, part, sheet.name)
            continue
        attribute, headers, types, check = TABLES[table]
        records, problems, columns = read_table_sheet(sheet, headers, types, file)
        setattr(form, attribute, records)
        form.problems += problems + check(records, columns, sheet.name, file, rnd.reference_date)
        form.tables.add(table)
    for table in [t for t in TABLES if t not in form.tables]:
        form.problems.append(Problem(file, "", "", "", "", "warning", "table_missing",
                                     labels.INTAKE_MESSAGES["table_missing"].format(table=table)))
    return form
