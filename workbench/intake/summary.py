"""附件1 推荐汇总表: find the header by its content, read each row by its field's type.

Pure: sheets' rows in, nomination rows (as columns) and problems out.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from itertools import zip_longest
from typing import Any, NamedTuple

from workbench import labels
from workbench.config import Round
from workbench.intake.problems import Problem, cell_ref, shown
from workbench.intake.values import (
    FIELD_TYPES,
    HEADER_OTHER_UNITS,
    FieldParser,
    Vocabulary,
    header_unit_mismatch,
    normalise_header,
    section_category,
    title_category,
    vocabulary,
)
from workbench.intake.workbook import MAX_ROWS, Sheet
from workbench.names import clean, folder_union

HEADER_SCAN_ROWS = 15  # the header is looked for in the first rows that are not blank: this many
MIN_HEADER_FIELDS = 4
REQUIRED = ("category", "studio", "host_unit", "leader")
IDENTIFYING = ("studio", "host_unit", "leader")
WARNING_CODES = {"formula_cell", "category_guessed", "leader_annotated", "leader_spaced", "leader_with_number",
                 "ambiguous_month", "same_as_above", "value_annotated"}
MAX_UNRECOGNISED = 20  # more junk rows than this in one sheet are summed up in one problem

FILL_KEYS = ("推荐单位", "填表人", "联系电话", "填报日期")
_FILL_FIELD = re.compile(rf"({'|'.join(FILL_KEYS)})[^：:]*[：:]\s*(.*?)\s*(?=(?:{'|'.join(FILL_KEYS)})|$)")
_NOTE_ROW = re.compile(r"^\s*(填表说明|说明[:：]|注[:：]|备注[:：])")
_SIGN_OFF = re.compile(rf"^\s*(?:{'|'.join(FILL_KEYS + labels.SIGN_OFF_WORDS)})[^：:]{{0,6}}[：:]|^[（(]?[^：:]{{0,6}}盖章[)）]?$")
_TOTAL = re.compile(rf"^\s*(?:{'|'.join(' *'.join(word) for word in labels.TOTAL_WORDS)})")
_MARKS = r"[\s\-—–_=*·.。（）()【】\[\]]*"
_CLOSING_START = frozenset("".join(w[0] for w in (*FILL_KEYS, *labels.SIGN_OFF_WORDS, *labels.TOTAL_WORDS, *labels.TABLE_END_WORDS))
                           + " \t\u3000-—–_=*·.。（）()【】[]")  # what a closing line's first cell may begin with
_TABLE_END = re.compile(rf"^{_MARKS}(?:{'|'.join(labels.TABLE_END_WORDS)}){_MARKS}$")


@dataclass
class Header:
    """Where the table's header is and what each column holds."""

    row: int  # the last header row: data starts below it
    columns: dict[int, str]  # column -> field
    guessed: dict[int, tuple[int, str]] = field(default_factory=dict)  # column -> (row, header text) read by similarity
    unknown: dict[int, tuple[int, str]] = field(default_factory=dict)  # column -> (row, header text) not read
    repeated: dict[int, tuple[int, str, str]] = field(default_factory=dict)  # column -> (row, header text, field) named before
    labelled: set[int] = field(default_factory=set)  # columns with any header text (read, unknown or ignored)
    other_unit: dict[int, tuple[int, str, str, str]] = field(default_factory=dict)  # column -> (row, header text, field, unit): not read


def _fields(row: list[Any], vocab: Vocabulary) -> dict[int, str]:
    """The fields a row's cells name, by column (a field named twice counts once, where first named)."""
    columns: dict[int, str] = {}
    named: set[str] = set()
    seen, header = vocab.seen.get, vocab.header
    for j, cell in enumerate(row):
        if cell.__class__ is str and cell:
            name = seen(cell, "")  # the header cells met before (most are): a lookup, not a call
            if name == "":
                name = header(cell)
            if name and name not in named:
                columns[j] = name
                named.add(name)
    return columns


def _may_name(row: list[Any], vocab: Vocabulary) -> int:
    """How many cells of a row may name a field: text not already known to name none (是, √, 2019年5月
    …). A data row below the header is not looked up cell by cell."""
    seen = vocab.seen.get
    return sum(1 for cell in row if cell.__class__ is str and cell and seen(cell, "") is not None)


def _filled(row: list[Any]) -> int:
    """At most how many cells of a row are filled: the most fields it could name. Workbooks read empty
    cells as "", so that is all it counts (a None, which only other callers' rows hold, is counted)."""
    return len(row) - row.count("")


def find_header(rows: list[list[Any]], vocab: Vocabulary) -> Header | None:
    """The header within the first rows (the row naming most fields), with the row below it when
    that row names the fields of a two-level header (团队情况 over 团队人数 and 一线职工); then
    headers read by similarity, and the headers that name nothing intake reads."""
    best: tuple[int, dict[int, str]] | None = None
    looked = 0
    for i, row in enumerate(rows):
        filled = _filled(row)
        if filled == 0:
            continue  # blank rows above the table (a sheet begun lower down) do not count
        looked += 1
        if looked > HEADER_SCAN_ROWS:
            break
        need = max(MIN_HEADER_FIELDS, len(best[1]) + 1 if best else 0)
        if filled < need or best and _may_name(row, vocab) < need:
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
        row = rows[other]
        if _filled(row) == 0 or not all(j not in columns or row[j] in (None, "", rows[top][j]) for j in range(len(row))):
            continue  # blank, or fills the header's own columns: data (or a title), not a level of the header
        more = {j: f for j, f in _fields(row, vocab).items() if j not in columns and f not in columns.values()}
        if more:
            columns.update(more)
            band = sorted([*band, other])
            break
    header = Header(band[-1], columns)
    width = max(len(rows[i]) for i in band)
    for j in range(width):
        if j in header.columns:
            continue
        found = [(i, str(rows[i][j]).strip()) for i in reversed(band) if j < len(rows[i]) and rows[i][j] not in (None, "")]
        if not found or not found[0][1]:
            continue
        header.labelled.add(j)
        if normalise_header(found[0][1]) in vocab.ignored:
            continue
        i, text = found[0]
        named = vocab.header(text)
        if named in header.columns.values():  # 团队人数 twice: which one holds the number is not known
            header.repeated[j] = (i, text, named)
            continue
        guess = vocab.guess_header(text)
        if guess and guess not in header.columns.values():
            header.columns[j], header.guessed[j] = guess, (i, text)
        else:
            header.unknown[j] = (i, text)
    _drop_other_units(header, rows, band)
    return header


def _drop_other_units(header: Header, rows: list[list[Any]], band: list[int]) -> None:
    """Columns whose header names another scale than the field's (年度经费（元）) are not read: moved
    from `columns` to `other_unit`."""
    for j, name in list(header.columns.items()):
        if name not in HEADER_OTHER_UNITS:
            continue
        for i in reversed(band):  # the text naming it: the lower level's, else the upper's
            text = rows[i][j] if j < len(rows[i]) else None
            if text.__class__ is str and text.strip():
                break
        else:
            continue
        unit = header_unit_mismatch(name, text)
        if unit:
            del header.columns[j]
            header.guessed.pop(j, None)
            header.labelled.add(j)
            header.other_unit[j] = (i, text, name, unit)


def parse_fill_line(rows: list[list[Any]]) -> dict[str, str]:
    """The '推荐单位（盖章）：…  填报日期：…' line above the header, as a dict."""
    found: dict[str, str] = {}
    for row in rows:
        filled = _filled(row)
        if filled == 0:
            continue
        first = row[0] if row else None
        if filled == 1 and first.__class__ is str and first:  # the usual line: one (merged) cell
            text = first
        else:
            text = " ".join([c if c.__class__ is str else str(c) for c in row if c is not None and c != ""])
        if "：" not in text and ":" not in text:  # no "key：value" in it (a title, a quota reminder)
            continue
        for key, val in _FILL_FIELD.findall(text):
            val = val if val.isprintable() else clean(val)  # a control character in 梁溪区总工会 would split its quota
            if val and not set(val) <= set("_＿ "):
                found.setdefault(key, val)
    return found


class Rows(NamedTuple):
    """The rows below a header: those that may hold a nomination, the sign-off lines among those closing
    the table, the section lines naming a category (row -> (column, text, category as written)), and
    the line saying the table ends (以下空白), if any."""

    kept: list[int]
    signed: list[int]
    sections: dict[int, tuple[int, str, str]]
    end: int | None


def _data_rows(rows: list[list[Any]], header_row: int, columns: dict[int, str], vocab: Vocabulary) -> Rows:
    """The rows below the header that may hold a nomination: not blank, not a line of the 填表说明
    block (unless it names a studio, unit or leader), not a line closing the table (see `_closing`),
    not a section line over one category's studios (一、劳模创新工作室); and the sign-off lines among
    the closing ones (填表人：…  填报日期：…), read as the fill line is."""
    kept, signed, sections, end = [], [], {}, None
    in_notes = False
    for i in range(header_row + 1, len(rows)):
        row = rows[i]
        for first in row:
            if first is not None and first != "":
                break
        else:
            continue  # a blank row
        in_notes = in_notes or (first.__class__ is str and _NOTE_ROW.match(first) is not None)
        alone = len(row) - row.count("") - row.count(None) == 1
        if in_notes and alone and columns.get(row.index(first)) not in IDENTIFYING:
            continue  # a line of the notes, alone in its row
        written = section_category(first, vocab) if alone and first.__class__ is str else None
        if written:
            sections[i] = (row.index(first), first, written)
            continue
        closing = _closing(row, first, columns) if first.__class__ is str and (first[:1] in _CLOSING_START or "盖章" in first) else None
        if closing == "sign_off":
            signed.append(i)
        elif closing == "end" and end is None:
            end = i
        elif closing is None:
            kept.append(i)
    return Rows(kept, signed, sections, end)


def _closing(row: list[Any], first: str, columns: dict[int, str]) -> str | None:
    """What a line closing the table is, or None: '以下空白' (every cell says so), a totals row (合计 first,
    no leader or unit), or the sign-off (填表人：…, 盖章 first, no studio named in it)."""
    where = {name: j for j, name in columns.items()}

    def cell(name: str) -> Any:
        j = where.get(name, len(row))
        return row[j] if j < len(row) else None

    if _SIGN_OFF.match(first) and not str(cell("studio") or "").endswith(STUDIO_SUFFIX):
        return "sign_off"
    if _TOTAL.match(first) and cell("leader") in (None, "") and cell("host_unit") in (None, ""):
        return "total"
    if _TABLE_END.match(first) and all(c.__class__ is str and _TABLE_END.match(c) for c in row if c not in (None, "")):
        return "end"
    return None


@dataclass
class Table:
    """A summary table found on one sheet, its cells not read yet."""

    file: str
    sheet: Sheet
    header: Header
    fill: dict[str, str]  # the fill line's facts (推荐单位, 填报日期 …)
    rows: list[int]  # the rows below the header that may hold a nomination
    problems: list[Problem]  # what its header lacks, guesses or does not know
    category: str | None = None  # without a 推荐类别 column: the category its sheet name or title names
    sections: dict[int, str] = field(default_factory=dict)  # row -> the category a section line above it names


def find_tables(sheet: Sheet, *, file: str, rnd: Round, fill: dict[str, str] | None = None) -> list[Table]:
    """The summary tables on a sheet: none, one, or several, each read under its own header: side by
    side (劳模 on the left, 职工 on the right), or one below the other with its columns in another
    order. Each is read under the fill line above the first (`fill`: that line, for a part of a sheet)."""
    table = find_table(sheet, file=file, rnd=rnd, fill=fill)
    if table is None:
        return []
    vocab = vocabulary(rnd)
    repeated = {name: j for j, (_, _, name) in table.header.repeated.items()}
    if "studio" in repeated:
        split = min(repeated.values())  # where the second header begins: its first field the first header already named
        right = find_tables(_part(sheet, columns=slice(split, None), last=False), file=file, rnd=rnd, fill=table.fill)
        if right:  # else a column named twice in one table (工作室名称 and its short name): said as repeated
            return find_tables(_part(sheet, columns=slice(0, split)), file=file, rnd=rnd, fill=table.fill) + right
    below = _other_header(sheet.rows, table, vocab)
    if below is None:
        return [table]
    start = _last_nomination(sheet.rows, table, below) + 1  # the lines between (its title) go with the second
    return find_tables(_part(sheet, rows=slice(0, start), last=False), file=file, rnd=rnd, fill=table.fill) + \
        find_tables(_part(sheet, rows=slice(start, None)), file=file, rnd=rnd, fill=table.fill)


def _last_nomination(rows: list[list[Any]], table: Table, before: int) -> int:
    """The table's last row above `before` naming a studio, leader or unit (else its header row)."""
    named = [j for j, name in table.header.columns.items() if name in IDENTIFYING]
    return max((i for i in table.rows if i < before and any(j < len(rows[i]) and rows[i][j] not in (None, "") for j in named)),
               default=table.header.row)


def _part(sheet: Sheet, *, rows: slice = slice(None), columns: slice = slice(None), last: bool = True) -> Sheet:
    """Some of a sheet's rows or columns as a sheet of their own, its cells still named where they are;
    the rows cut off beyond MAX_ROWS are said by the `last` part only."""
    return replace(sheet, rows=[row[columns] for row in sheet.rows[rows]], merged=[], truncated=sheet.truncated if last else 0,
                   origin=(sheet.origin[0] + (rows.start or 0), sheet.origin[1] + (columns.start or 0)))


def _other_header(rows: list[list[Any]], table: Table, vocab: Vocabulary) -> int | None:
    """The first candidate row that is a header of its own, naming its fields in another order than
    the table's (a second table below the first). As in `_repeated_headers`, only rows whose 推荐类别
    (else 工作室名称) cell names some field are looked at cell by cell."""
    columns = table.header.columns
    key = _key_column(columns)
    for i in table.rows:
        row = rows[i]
        if key is None or key >= len(row) or vocab.header(row[key]) is None:
            continue
        named = _fields(row, vocab)
        if len(named) >= MIN_HEADER_FIELDS and "studio" in named.values() and named != {j: columns.get(j) for j in named}:
            return i
    return None


def find_table(sheet: Sheet, *, file: str, rnd: Round, fill: dict[str, str] | None = None) -> Table | None:
    """The summary table on a sheet (header, fill line, candidate rows), or None when it has no header;
    `fill` is the fill line of the sheet this is a part of."""
    rows = sheet.rows
    header = find_header(rows, vocabulary(rnd))
    if header is None:
        return None
    candidates, signed, sections, end = _data_rows(rows, header.row, header.columns, vocabulary(rnd))
    fill = {**(parse_fill_line([rows[i] for i in signed]) if signed else {}), **(fill or {}), **parse_fill_line(rows[:header.row])}
    table = Table(file, sheet, header, fill, candidates, [])
    columns = header.columns
    if sections:
        _sectioned(table, sections)
    if end is not None:
        _after_end(table, end)
    repeats = _repeated_headers(rows, table.rows, columns, vocabulary(rnd))
    if repeats:  # a second table pasted below the first, its header and all: the header is not a nomination
        table.rows = [i for i in table.rows if i not in repeats]
        for i in repeats:
            _problem(table.problems, table, i, None, "", "", "repeated_header", labels.INTAKE_MESSAGES["repeated_header"],
                     "warning")
    missing = [f for f in REQUIRED if f not in columns.values()]
    if "category" in missing and table.sections and all(i in table.sections or i in sections for i in table.rows):
        missing.remove("category")  # each row's category is its section's
    if "category" in missing:
        named = _category_named(sheet.name, rows[:header.row], vocabulary(rnd))
        if named:
            table.category, where, text = named
            missing.remove("category")
            _problem(table.problems, table, header.row, 0, "category", text, "category_from_sheet",
                     labels.INTAKE_MESSAGES["category_from_sheet"].format(where=where, text=text), "warning")
    for name in missing:
        _problem(table.problems, table, header.row, 0, name, "", "missing_column", f"缺少必填列“{labels.SUMMARY_FIELDS[name]}”")
    if "recommender" not in columns.values() and "推荐单位" not in fill:  # the folder's union stands for it
        folder = folder_union(file.split("/")[0]) if "/" in file else ""
        _problem(table.problems, table, header.row, 0, "recommender", "", "missing_column",
                 labels.INTAKE_MESSAGES["recommender_from_folder" if folder else "recommender_unknown"].format(folder=folder),
                 "warning")
    for j, (i, text) in header.guessed.items():
        name = columns[j]
        _problem(table.problems, table, i, j, name, text, "header_guessed",
                 f"表头“{text}”不是规范写法，已按“{labels.SUMMARY_FIELDS[name]}”读取，请核实", "warning")
    first = {name: j for j, name in columns.items()}
    for j, (i, text, name) in header.repeated.items():
        _problem(table.problems, table, i, j, name, text, "repeated_column",
                 labels.INTAKE_MESSAGES["repeated_column"].format(text=text, first=cell_ref(0, sheet.origin[1] + first[name])[:-1]),
                 "warning")
    for j, (i, text, name, unit) in header.other_unit.items():
        _problem(table.problems, table, i, j, name, text, "header_unit_mismatch", labels.INTAKE_MESSAGES[
            "header_unit_mismatch"].format(text=text, unit=unit, expected=labels.CARD_FACT_UNITS[name]))
    for j, name in columns.items() if sheet.hidden_columns else ():
        if sheet.origin[1] + j + 1 in sheet.hidden_columns:  # read, though the union's printout does not show it
            _problem(table.problems, table, header.row, j, name, rows[header.row][j] if j < len(rows[header.row]) else "",
                     "hidden_column", labels.INTAKE_MESSAGES["hidden_column"], "warning")
    for j, (i, text) in header.unknown.items():
        _problem(table.problems, table, i, j, "", text, "unknown_column", f"无法识别的列“{text}”，此列内容未读取", "warning")
    _unlabelled_problems(table)
    return table


def _after_end(table: Table, end: int) -> None:
    """Rows below the line saying the table ends (以下空白) are read all the same (nothing is dropped), and said."""
    rows = table.sheet.rows
    said = next(c for c in rows[end] if c not in (None, ""))
    for i in table.rows:
        if i > end:
            text = " ".join(shown(c) for c in rows[i] if c not in (None, ""))[:50]
            _problem(table.problems, table, i, None, "", text, "row_after_end",
                     labels.INTAKE_MESSAGES["row_after_end"].format(end=said), "warning")


def _sectioned(table: Table, sections: dict[int, tuple[int, str, str]]) -> None:
    """Rows below a section line (一、劳模创新工作室) whose category cell is blank, or that have none, take
    the category it names; each section line so used is said (it is not a nomination either). One that
    no row takes is read as any other row (and said as one that names no studio)."""
    rows, key = table.sheet.rows, next((j for j, name in table.header.columns.items() if name == "category"), None)
    starts = sorted(sections)
    used = set()
    for i in table.rows:
        above = [s for s in starts if s < i]
        if above and (key is None or key >= len(rows[i]) or rows[i][key] in (None, "")):
            table.sections[i] = sections[above[-1]][2]
            used.add(above[-1])
    table.rows = sorted(table.rows + [s for s in sections if s not in used])
    for s in sorted(used):
        j, text, written = sections[s]
        _problem(table.problems, table, s, j, "category", text, "category_from_section",
                 labels.INTAKE_MESSAGES["category_from_section"].format(text=text, category=written), "warning")


def _category_named(sheet_name: str, above: list[list[Any]], vocab: Vocabulary) -> tuple[str, str, str] | None:
    """(category as written, where, text) when a table without a 推荐类别 column is on a sheet named
    for one category (劳模创新工作室) or under a title naming one (职工创新工作室推荐汇总表); one sheet per
    category is how some unions send them. A name or title naming both, or none, names nothing."""
    texts = [(labels.INTAKE_MESSAGES["sheet_name"], sheet_name)]
    texts += [(labels.INTAKE_MESSAGES["title_line"], cell) for row in above for cell in row[:1] if cell.__class__ is str]
    for where, text in texts:
        written = title_category(text, vocab)
        if written:
            return written, where, text
    return None


def _key_column(columns: dict[int, str]) -> int | None:
    """The 推荐类别 column, else the 工作室名称 one: where a header row below the table is first looked for."""
    return next((j for name in ("category", "studio") for j, field_ in columns.items() if field_ == name), None)


def _repeated_headers(rows: list[list[Any]], candidates: list[int], columns: dict[int, str], vocab: Vocabulary) -> set[int]:
    """The candidate rows that repeat the header: as many of their cells name their column's field as
    a header needs. Only rows whose 推荐类别 (else 工作室名称) cell names its field are looked at cell by
    cell: a category cell holds few different texts, each looked up once."""
    key = _key_column(columns)
    found = set()
    for i in candidates:
        row = rows[i]
        if key is not None and (key >= len(row) or vocab.header(row[key]) != columns[key]):
            continue
        if sum(1 for j, name in columns.items() if j < len(row) and vocab.header(row[j]) == name) >= MIN_HEADER_FIELDS:
            found.add(i)
    return found


def _unlabelled_problems(table: Table) -> None:
    """A table without rows, and a column of data without any header text (its cells are not read):
    each is said, so that nothing a union wrote is dropped without a word."""
    rows, header = table.sheet.rows, table.header
    if not table.rows:
        _problem(table.problems, table, header.row, None, "", "", "empty_table",
                 labels.INTAKE_MESSAGES["empty_table"], "warning")
        return
    width = max(len(rows[i]) for i in table.rows)
    found = [next(((i, j) for i in table.rows if j < len(rows[i]) and rows[i][j] not in (None, "")), None)
             for j in range(width) if j not in header.columns and j not in header.labelled]
    found = [cell for cell in found if cell]
    if found:  # one row for them all: the first such cell, and how many columns there are
        i, j = found[0]
        more = labels.INTAKE_MESSAGES["unlabelled_more"].format(n=len(found) - 1) if len(found) > 1 else ""
        _problem(table.problems, table, i, j, "", rows[i][j], "unlabelled_column",
                 labels.INTAKE_MESSAGES["unlabelled_column"].format(value=str(rows[i][j])[:50]) + more, "warning")


def _problem(problems: list[Problem], table: Table, row: int, col: int | None, field: str, value: Any, code: str,
             message: str, severity: str = "error") -> None:
    r0, c0 = table.sheet.origin
    cell = cell_ref(r0 + row, c0 + col) if col is not None else str(r0 + row + 1)
    problems.append(Problem(table.file, table.sheet.name, cell, field, shown(value), severity, code, message))


FIELDS = list(FIELD_TYPES)
PRECISIONS = [f"{name}_precision" for name, kind in FIELD_TYPES.items() if kind == "date"]


def _cells(tables: list[Table]) -> dict[str, list[Any]]:
    """Every field's cells, the candidate rows of all tables one after another (None where a table
    lacks the field or a row stops short): one column per field, so each is read in one pass."""
    cells: dict[str, list[Any]] = {name: [] for name in FIELDS}
    for table in tables:
        rows = list(map(table.sheet.rows.__getitem__, table.rows))
        columns = list(zip_longest(*rows))  # the table turned: a tuple per sheet column
        where = {name: j for j, name in table.header.columns.items()}
        blank = (None,) * len(rows)
        for name in FIELDS:
            j = where.get(name, len(columns))
            cells[name] += columns[j] if j < len(columns) else blank
        if table.category and rows and "category" not in where:  # named by its sheet or title (see find_table)
            cells["category"][-len(rows):] = [table.category] * len(rows)
        if table.sections:  # named by a section line above the row (see `_sectioned`)
            start = len(cells["category"]) - len(rows)
            for k, i in enumerate(table.rows):
                if i in table.sections:
                    cells["category"][start + k] = table.sections[i]
    return cells


SOURCE = ("source_file", "source_sheet", "source_row")


def read_tables(tables: list[Table], parse: FieldParser) -> tuple[dict[str, list], list[tuple[list[int], list[Problem]]]]:
    """Tables -> the candidate rows of all of them as columns (FIELDS, PRECISIONS and SOURCE, every cell
    read as its field's type), and for each table the rows kept as nominations (positions in the
    columns) with its problems, each at its cell."""
    cells = _cells(tables)
    parsed = {name: parse.column(name, cells[name]) for name in FIELDS}
    found: dict[int, dict[str, tuple[str, str]]] = {}  # row (across tables) -> field -> (code, message)
    dittos = set()  # rows with a cell saying 同上, not read yet
    for name in FIELDS:
        for g, code, message in parsed[name][2]:
            found.setdefault(g, {})[name] = (code, message)
            if code == "same_as_above_blank":
                dittos.add(g)
    columns = {name: parsed[name][0] for name in FIELDS} | {name: parsed[name[:-10]][1] for name in PRECISIONS}
    columns |= {name: [] for name in SOURCE}
    starts = []
    for table in tables:
        starts.append(len(columns["source_file"]))
        columns["source_file"] += [table.file] * len(table.rows)
        columns["source_sheet"] += [table.sheet.name] * len(table.rows)
        columns["source_row"] += [table.sheet.origin[0] + i + 1 for i in table.rows]
    if dittos:
        _same_as_above(columns, cells, found, sorted(dittos), set(starts))
    return columns, [_table_rows(table, columns, cells, found, start) for table, start in zip(tables, starts)]


def _same_as_above(columns: dict[str, list], cells: dict[str, list], found: dict[int, dict[str, tuple[str, str]]],
                   rows: list[int], starts: set[int]) -> None:
    """A cell saying 同上 (or 〃) takes what was read from the row above it in its table, and says so
    (same_as_above, a warning); with nothing above to take (its table's first row, or a blank), it stays
    blank and keeps the parser's same_as_above_blank, an error. `rows`: the rows with such a cell, in
    order (a 同上 below a 同上 takes what the first took)."""
    for g in rows:
        for name, (code, _) in list(found[g].items()):
            above = columns[name][g - 1] if code == "same_as_above_blank" and g not in starts else None
            if above is None:
                continue
            columns[name][g] = list(above) if above.__class__ is list else above
            if f"{name}_precision" in columns:
                columns[f"{name}_precision"][g] = columns[f"{name}_precision"][g - 1]
            found[g][name] = ("same_as_above", labels.INTAKE_MESSAGES["same_as_above"].format(
                value=cells[name][g].strip(), row=columns["source_row"][g - 1]))


def _cell_problems(table: Table, g: int, i: int, cells: dict[str, tuple], found: dict[str, tuple[str, str]]) -> list[tuple]:
    """A row's cell problems, in column order: (column, field, cell, code, message)."""
    r0, c0 = table.sheet.origin
    formulas, errors = table.sheet.formulas, table.sheet.errors
    out = []
    for j, name in table.header.columns.items():
        raw = cells[name][g]
        label = labels.SUMMARY_FIELDS[name]
        if name in found:
            out.append((j, name, raw, found[name][0], f"{label}：{found[name][1]}"))
        ref = cell_ref(r0 + i, c0 + j) if formulas or errors else ""
        if errors and ref in errors:
            out.append((j, name, errors[ref], "error_value",
                        f"{label}：{labels.INTAKE_MESSAGES['error_value'].format(value=errors[ref])}"))
        elif formulas and ref in formulas:
            code = "formula_no_value" if raw in (None, "") else "formula_cell"
            text = "是公式且没有计算结果，请直接填写数值" if code == "formula_no_value" else "是公式，已按计算结果读取，请核实"
            out.append((j, name, raw, code, f"{label}：{text}"))
    return out


STUDIO_SUFFIX = "工作室"  # every studio's name ends so (…劳模创新工作室); no unit's does
_PERIOD = {"year": 1, "month": 2, "day": 3}  # how much of (year, month, day) a date's precision says


def _before(date: dt.datetime, precision: str | None, other: dt.datetime, other_precision: str | None) -> bool:
    """`date` lies wholly before `other`, each read only as far as it was written (2019年5月 is not
    before 2019年5月20日)."""
    n = min(_PERIOD[precision or "day"], _PERIOD[other_precision or "day"])
    return (date.year, date.month, date.day)[:n] < (other.year, other.month, other.day)[:n]


def _contradictions(columns: dict[str, list], g: int) -> list[tuple[str, str, str]]:
    """(field, code, message) for two cells of row `g` that cannot both be right: more front-line staff
    than the team has, named before it was established, or the unit's name where the studio's goes and
    the studio's where the unit's goes. Said at the second cell; which one is wrong is the union's to
    say, so neither is read differently."""
    found = []
    studio, unit = columns["studio"][g], columns["host_unit"][g]
    if studio and unit and unit.endswith(STUDIO_SUFFIX) and not studio.endswith(STUDIO_SUFFIX):
        found.append(("host_unit", "studio_unit_swapped",
                      labels.INTAKE_MESSAGES["studio_unit_swapped"].format(studio=studio, unit=unit)))
    team, frontline = columns["team_size"][g], columns["frontline"][g]
    if team is not None and frontline is not None and frontline > team:
        found.append(("frontline", "frontline_exceeds_team",
                      labels.INTAKE_MESSAGES["frontline_exceeds_team"].format(frontline=frontline, team=team)))
    named, established = columns["named_on"][g], columns["established"][g]
    if named is not None and established is not None:
        named_precision, established_precision = columns["named_on_precision"][g], columns["established_precision"][g]
        if _before(named, named_precision, established, established_precision):
            found.append(("named_on", "named_before_established", labels.INTAKE_MESSAGES["named_before_established"].format(
                named=named.strftime(labels.DATE_AT_PRECISION[named_precision or "day"]),
                established=established.strftime(labels.DATE_AT_PRECISION[established_precision or "day"]))))
    return found


def _table_rows(table: Table, columns: dict[str, list], cells: dict[str, tuple], found: dict[int, dict], start: int,
                ) -> tuple[list[int], list[Problem]]:
    """A table's rows kept as nominations (those naming a studio, leader or unit) and its problems; a
    blank 推荐单位 takes the fill line's."""
    sheet, fill = table.sheet, table.fill
    problems = list(table.problems)
    where = {field_: j for j, field_ in table.header.columns.items()}
    required = {name: where[name] for name in REQUIRED if name in where}
    studio, leader, host_unit, recommender = (columns[name] for name in ("studio", "leader", "host_unit", "recommender"))
    kept: list[int] = []
    unrecognised = 0
    for k, i in enumerate(table.rows):
        g = start + k
        if not (studio[g] or leader[g] or host_unit[g]):
            unrecognised += 1
            if unrecognised <= MAX_UNRECOGNISED:
                _problem(problems, table, i, None, "", " ".join(shown(c) for c in sheet.rows[i] if c not in (None, ""))[:200],
                         "unrecognised_row", "此行没有工作室名称、领衔人或所在单位，未作为推荐对象读取", "warning")
            continue
        bad = _cell_problems(table, g, i, cells, found.get(g, {})) if sheet.formulas or sheet.errors or g in found else []
        for j, name, raw, code, message in bad:
            _problem(problems, table, i, j, name, raw, code, message, "warning" if code in WARNING_CODES else "error")
        for name, code, message in _contradictions(columns, g):
            _problem(problems, table, i, where[name], name, cells[name][g], code, message)
        if sheet.hidden_rows and sheet.origin[0] + i + 1 in sheet.hidden_rows:
            _problem(problems, table, i, None, "", studio[g] or leader[g] or host_unit[g], "hidden_row",
                     labels.INTAKE_MESSAGES["hidden_row"], "warning")
        if not recommender[g] and fill.get("推荐单位"):
            recommender[g] = fill["推荐单位"]
        for name, j in required.items():
            if columns[name][g] in (None, "") and not any(p[1] == name for p in bad):
                _problem(problems, table, i, j, name, "", "missing_value", f"“{labels.SUMMARY_FIELDS[name]}”未填写")
        kept.append(g)
    if unrecognised > MAX_UNRECOGNISED:
        _problem(problems, table, table.header.row, None, "", f"{unrecognised} 行", "many_unrecognised_rows",
                 f"另有 {unrecognised - MAX_UNRECOGNISED} 行无法识别的内容未逐行列出", "warning")
    if sheet.truncated:
        _problem(problems, table, MAX_ROWS, None, "", f"{sheet.truncated} 行", "too_many_rows",
                 f"工作表超过 {MAX_ROWS} 行，其后的 {sheet.truncated} 行未读取，请删除多余内容后重新报送")
    return kept, problems
