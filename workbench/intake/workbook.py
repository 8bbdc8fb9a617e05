"""Opening a workbook safely: refuse what cannot or must not be read before reading it.

A file that is not a workbook, is encrypted, is far too large, or would inflate past a limit (a
decompression bomb) is refused with a reason, before calamine inflates anything. What is read
comes back as plain rows per sheet, with the cells that hold formulas (calamine gives only their
cached values, and a file saved by a script may have none), and a date whose cell shows only its
month (2021年10月) as the text it shows.
"""

from __future__ import annotations

import csv
import datetime as dt
import faulthandler
import hashlib
import html
import io
import itertools
import os
import pickle
import re
import select
import signal
import struct
import time
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, NamedTuple

import deflate
from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from workbench import labels

MAX_FILE_BYTES = 30 * 1024 * 1024
MAX_INFLATED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200  # inflated / compressed, over the whole archive
MAX_ROWS = 5000  # a summary or form sheet longer than this is junk after this row
MAX_CELLS = 20_000_000  # a sheet's used range, rows x columns: calamine holds all of it (about 30 bytes a cell)
MAX_COLUMNS = 16_384  # XFD, Excel's last column
MAX_STYLES_BYTES = 20 * 1024 * 1024  # a styles part larger than this is not looked at for date formats
_CELL_COLUMN = re.compile(rb'<c r="([A-Z]{1,3})[0-9]')

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
# A cell's content is looked at up to its </c>, and never past the next cell's start: a file of cells left
# unclosed (<c r="A1" t="e"> 8,000 times in 128 KB) took 24 s when each cell's search ran on to the end.
_IN_CELL = rb"(?:(?!</c>|<c[ >]).)*?"
_FORMULA_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"[^>]*?(?<!/)>' + _IN_CELL + rb"<f[ >/]", re.S)
_FORMULA = re.compile(rb"<f[ >/]")  # any formula element: a regex finds it faster than `in` finds b"<f"
_ERROR = b't="e"'  # any error cell (one regex for both is nine times slower than the two searches)
_HIDDEN = b'hidden="'  # Excel writes hidden="1", LibreOffice hidden="true" (and "false" on every row)
_HIDDEN_ROW = re.compile(rb'<row r="([0-9]+)"[^>]*?\shidden="(?:1|true)"')
_COLUMN_TAG = re.compile(rb"<col\s[^>]*>")
_COLUMN_MIN, _COLUMN_MAX = re.compile(rb'\smin="([0-9]+)"'), re.compile(rb'\smax="([0-9]+)"')
_HIDDEN_ATTRIBUTE = re.compile(rb'\shidden="(?:1|true)"')
# an error value (#N/A, #REF!), kept as one when a formula's result was pasted as a value: calamine reads it as blank
_ERROR_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"[^>]*?\st="e"[^>]*?(?<!/)>' + _IN_CELL + rb"<v>([^<]*)</v>", re.S)


class Unreadable(Exception):
    """The file is refused as a whole; `code` and the message say why."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass
class Sheet:
    name: str
    rows: list[list[Any]]
    origin: tuple[int, int]  # (row, column) of rows[0][0] in the sheet, 0-based
    truncated: int = 0  # rows beyond MAX_ROWS that were not read
    formulas: set[str] = field(default_factory=set)  # cell references such as "D7"
    errors: dict[str, str] = field(default_factory=dict)  # cell reference -> the error value it holds (#N/A)
    hidden: bool = False
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # (row, col, last row, last col) in `rows`
    hidden_rows: set[int] = field(default_factory=set)  # rows hidden in the sheet, 1-based as Excel numbers them
    hidden_columns: set[int] = field(default_factory=set)  # columns hidden in the sheet, 1-based (A is 1)


@dataclass
class Book:
    """A workbook's sheets and what was noticed about the file as a whole (code, message)."""

    sheets: list[Sheet]
    notes: list[tuple[str, str]] = field(default_factory=list)
    sha256: str = ""  # of the file's bytes, as read


class ZipPart(NamedTuple):
    """One member of a workbook's zip archive, as its central directory lists it."""

    name: str
    method: int  # 0 stored, 8 deflated
    packed: int
    inflated: int
    offset: int  # of its local header


_END = struct.Struct("<4s4H2LH")  # end of central directory record
_ENTRY = struct.Struct("<4s4xHH8xLLHHH8xL")  # central directory file header: the fields read here
_LOCAL = struct.Struct("<4s5H3L2H")  # local file header


Directory = tuple[int, int, list[ZipPart]]  # bytes packed, bytes inflated (all members), the parts read here
SHARED_STRINGS = "xl/sharedStrings.xml"
STYLES = "xl/styles.xml"
_READ_PARTS = (b"xl/worksheets/", b"xl/workbook.xml", b"xl/_rels/", SHARED_STRINGS.encode(),
               STYLES.encode())  # sheets, their order, texts, number formats


def _central_directory(data: bytes) -> Directory | None:
    """The archive's sizes and the parts read here from its central directory, read in place; None when it is
    not a plain one (zip64, spanned, bytes before the archive, damaged), which zipfile then reads or refuses."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or end + _END.size > len(data):
        return None
    _, disk, cd_disk, on_disk, count, size, pos, _ = _END.unpack_from(data, end)
    if disk or cd_disk or on_disk != count or count == 0xFFFF or pos + size > end:
        return None
    total_packed = total_inflated = 0
    parts = []
    unpack, size = _ENTRY.unpack_from, _ENTRY.size
    for _ in range(count):
        if pos + size > end:
            return None
        signature, flags, method, packed, inflated, name_len, extra_len, comment_len, offset = unpack(data, pos)
        if signature != b"PK\x01\x02" or 0xFFFFFFFF in (packed, inflated, offset):
            return None
        total_packed += packed
        total_inflated += inflated
        if data.startswith(_READ_PARTS, pos + size, pos + size + name_len):
            name = data[pos + size:pos + size + name_len]
            parts.append(ZipPart(name.decode("utf-8" if flags & 0x800 else "cp437", "replace"), method, packed, inflated, offset))
        pos += size + name_len + extra_len + comment_len
    return total_packed, total_inflated, parts


def _corrupt() -> Unreadable:
    return Unreadable("corrupt_file", "文件已损坏，无法作为Excel工作簿打开（不是完整的 .xlsx 压缩包）")


def _zip_parts(data: bytes) -> Directory:
    """The sizes and the parts read here of a zip, or Unreadable when it is not one."""
    directory = _central_directory(data)
    if directory is not None:
        return directory
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except Exception:  # BadZipFile, and NotImplementedError for a damaged version field, EOFError …: all one to us
        raise _corrupt() from None
    return (sum(i.compress_size for i in infos), sum(i.file_size for i in infos),
            [ZipPart(i.filename, i.compress_type, i.compress_size, i.file_size, i.header_offset)
             for i in infos if i.filename.startswith(tuple(p.decode() for p in _READ_PARTS))])


def _packed(data: bytes, part: ZipPart) -> memoryview:
    """A member's bytes as stored (compressed), found through its local header."""
    if data[part.offset:part.offset + 4] != b"PK\x03\x04" or part.offset + _LOCAL.size > len(data):
        raise _corrupt()
    local = _LOCAL.unpack_from(data, part.offset)
    start = part.offset + _LOCAL.size + local[9] + local[10]
    return memoryview(data)[start:start + part.packed]


def _inflate(data: bytes, part: ZipPart) -> bytes:
    """A member's bytes, never more than the directory says it holds (a lying size is refused).

    Deflated parts are inflated by libdeflate (the `deflate` package), about twice as fast as zlib
    on a whole part: it inflates into one buffer of the size the directory states and fails past it."""
    packed = _packed(data, part)
    try:
        if part.method == zipfile.ZIP_STORED:
            out = bytes(packed)
        elif part.method == zipfile.ZIP_DEFLATED:
            out = deflate.deflate_decompress(packed, part.inflated)
        else:  # bzip2 or lzma: not what Excel or WPS write, but zipfile reads them
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                out = archive.read(part.name)
    except (deflate.DeflateError, zipfile.BadZipFile, KeyError, NotImplementedError, RuntimeError, EOFError):
        raise _corrupt() from None
    if len(out) != part.inflated:
        raise _corrupt()
    return out


class Marks(NamedTuple):
    """What a sheet's XML says that calamine's values do not."""

    formulas: set[str]  # formula cells ("D7")
    errors: dict[str, str]  # error cells and the error value each holds
    hidden_rows: set[int]  # rows hidden in the sheet (1-based, as Excel numbers them)
    hidden_columns: set[int]  # columns hidden in the sheet (1-based: A is 1)
    shown: dict[tuple[int, int], str]  # cells whose format shows a date without its day: (row, column) -> precision


def _marks(xml: bytes, shown_styles: dict[int, str]) -> Marks | None:
    """A sheet's formula, error, hidden-row and month-date marks; None when it has none (most sheets: three
    searches, and a fourth where the workbook has a style showing dates to the month)."""
    shown = _shown_dates(xml, shown_styles) if shown_styles else {}
    formulas, errors, hidden = _FORMULA.search(xml), _ERROR in xml, _HIDDEN in xml
    if not (shown or formulas or errors or hidden):
        return None
    # each search below goes cell by cell (about 1 ms for a small sheet): only where the sheet has its mark
    return Marks({m.decode() for m in _FORMULA_CELL.findall(xml)} if formulas else set(),
                 {r.decode(): html.unescape(v.decode("utf-8", "replace")) for r, v in _ERROR_CELL.findall(xml)} if errors else {},
                 {int(r) for r in _HIDDEN_ROW.findall(xml)} if hidden else set(), _hidden_columns(xml) if hidden else set(),
                 shown)


# Excel keeps 2021年10月 typed into a cell as the date 2021-10-01, shown through the format yyyy"年"m"月": the
# cell says October, not its first day. The built-in formats showing a date to the month (ECMA-376 18.8.30:
# mmm-yy, and the zh-CN yyyy"年"m"月"); a workbook's own formats are read from their codes.
_MONTH_FORMATS = {17: "month", 27: "month", 36: "month", 50: "month", 52: "month", 57: "month"}
_NUM_FMT = re.compile(rb"<numFmt\s[^<>]*>")
_FORMAT_ID = re.compile(rb'\snumFmtId="([0-9]+)"')
_FORMAT_CODE = re.compile(rb'\sformatCode="([^"]*)"')
_XF = re.compile(rb"<xf\b[^<>]*>")
_FORMAT_LITERAL = re.compile(r'"[^"]*"|\[[^\[\]]*\]|\\.|[_*].|am/pm|a/p|上午/下午|general', re.I)  # quoted text, [$-804], \年 …
MAX_FORMAT_CODE = 255  # Excel's longest number format code


def shown_precision(code: str) -> str | None:
    """"month" for a date format that shows no day (yyyy"年"m"月", mmm-yy, yyyy.mm), "year" for one that
    shows only the year (yyyy"年"); None for any other (a day, a time, a number, no year)."""
    plain = _FORMAT_LITERAL.sub("", code.split(";")[0][:MAX_FORMAT_CODE]).lower()
    year = "y" in plain or "e" in plain and not any(c in plain for c in "0#?")  # e is the era's year, or 0.0E+0
    if not year or any(c in plain for c in "dahs"):
        return None
    return "month" if "m" in plain else "year"


def _read_shown_styles(styles: bytes) -> dict[int, str]:
    """The cell styles (their index in <cellXfs>) whose number format shows a date without its day."""
    formats = dict(_MONTH_FORMATS)
    for tag in _NUM_FMT.findall(styles):
        number, code = _FORMAT_ID.search(tag), _FORMAT_CODE.search(tag)
        if number and code:
            precision = shown_precision(html.unescape(code[1].decode("utf-8", "replace")))
            formats[int(number[1])] = precision
    start = styles.find(b"<cellXfs")
    end = styles.find(b"</cellXfs>", start)
    found = {}
    for k, tag in enumerate(_XF.findall(styles, start, end) if 0 <= start < end else []):
        number = _FORMAT_ID.search(tag)
        precision = formats.get(int(number[1])) if number else None
        if precision:
            found[k] = precision
    return found


MAX_CACHED_STYLES = 64 * 1024  # a styles part this small is read once: the unions fill in the same template
_cached_shown_styles = lru_cache(maxsize=64)(_read_shown_styles)


def _shown_styles(styles: bytes) -> dict[int, str]:
    """`_read_shown_styles`, each small styles part read once (not to be changed: the answer is shared)."""
    return _cached_shown_styles(bytes(styles)) if len(styles) <= MAX_CACHED_STYLES else _read_shown_styles(styles)


_CELL_REFERENCE = re.compile(rb'\br="([A-Z]{1,3})([0-9]+)"')
MAX_TAG = 1024  # how far back from s="4" its cell's tag may begin
MAX_NAMED_STYLES = 32  # more month styles than this: every style is found, and looked up


def _shown_dates(xml: bytes, styles: dict[int, str]) -> dict[tuple[int, int], str]:
    """The cells styled to show a date without its day: (row, column), 0-based -> "month" | "year". A style's
    s="4" is searched for, and its tag read back from there (a pattern trying every cell tag from its start
    took as long again as the rest of reading such a workbook)."""
    names = b"|".join(b"%d" % k for k in styles) if len(styles) <= MAX_NAMED_STYLES else rb"[0-9]+"
    found = {}
    for style in re.finditer(rb' s="(' + names + rb')"', xml):
        precision, at = styles.get(int(style[1])), style.start()
        tag = xml[xml.rfind(b"<", max(at - MAX_TAG, 0), at):at] if precision else b""  # b"" if no tag begins near
        reference = _CELL_REFERENCE.search(tag) if tag.startswith(b"<c ") and b">" not in tag else None
        if reference:
            found[(int(reference[2]) - 1, _column_number(reference[1]) - 1)] = precision
    return found


def _hidden_columns(xml: bytes) -> set[int]:
    """The columns a sheet's <cols> (before its data) hides: <col min="3" max="4" hidden="1"/>."""
    head = xml[:max(xml.find(b"<sheetData"), 0)]
    spans = []
    for tag in _COLUMN_TAG.findall(head):
        low, high = _COLUMN_MIN.search(tag), _COLUMN_MAX.search(tag)
        if _HIDDEN_ATTRIBUTE.search(tag) and low and high:
            spans.append((int(low[1]), min(int(high[1]), MAX_COLUMNS)))
    hidden: set[int] = set()
    reached = 0  # spans taken in order, each column once: 20,000 tags each hiding A:XFD took 7 s one by one
    for low, high in sorted(spans):
        hidden.update(range(max(low, reached + 1), high + 1))
        reached = max(reached, high)
    return hidden


def _column_number(letters: bytes) -> int:
    """b"XFD" -> 16384, as `problems.cell_ref` numbers columns (openpyxl's column_index_from_string would
    bring all of openpyxl into intake, which does not import it)."""
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _check_extent(xml: bytes) -> None:
    """Refuse a sheet whose used range (rows x columns, as far as its farthest cell) is too large for
    calamine, which holds every cell of it: a stray "x" typed in XFD1048576 would ask for 512 GB and
    abort the process. Rows come in order, so the last row's number is found from the end; columns
    are looked at only when that many rows could be too many."""
    at = xml.rfind(b'<row r="')
    end = xml.find(b'"', at + 8)
    if at < 0 or not xml[at + 8:end].isdigit():
        return  # rows without numbers (rare writers): calamine counts them, bounded by the file's size
    rows = int(xml[at + 8:end])
    if rows * MAX_COLUMNS <= MAX_CELLS:
        return
    columns = max(map(_column_number, set(_CELL_COLUMN.findall(xml))), default=1)
    if rows * columns > MAX_CELLS:
        raise Unreadable("sheet_too_large", _message("sheet_too_large", rows=rows, columns=columns))


_UNIQUE_COUNT = re.compile(rb'<sst\b[^>]*?\suniqueCount="([0-9]+)"')
_SMALLEST_STRING = len(b"<si></si>")


def _check_strings(data: bytes, part: ZipPart) -> None:
    """Refuse a shared-strings table claiming more texts than its bytes could hold: calamine sets aside
    room for the number it claims (24 bytes each), and Rust aborts the process when that fails
    (uniqueCount="4000000000" asks for 96 GB). Only the part's first bytes are inflated."""
    packed = _packed(data, part)[:4096]
    try:
        head = bytes(packed) if part.method == zipfile.ZIP_STORED else zlib.decompressobj(-15).decompress(packed, 2048)
    except zlib.error:
        raise _corrupt() from None
    claimed = _UNIQUE_COUNT.search(head)
    if claimed and int(claimed[1]) > part.inflated // _SMALLEST_STRING + 1:
        raise _corrupt()


def _check_zip(data: bytes) -> tuple[dict[str, Marks], list[str]]:
    """Refuse bombs before inflating; return the marks of each sheet XML part that has any, and the
    parts in order."""
    packed, inflated, parts = _zip_parts(data)
    if inflated > MAX_INFLATED_BYTES or inflated / (packed or 1) > MAX_RATIO:
        raise Unreadable("decompression_bomb", f"文件解压后过大（约 {inflated // 2**20} MB），疑似异常文件，未读取")
    marks = {}
    shown_styles = _styles_in(data, parts)
    for part in parts:
        if part.name == SHARED_STRINGS:
            _check_strings(data, part)
        elif part.name.startswith("xl/worksheets/sheet") and part.name.endswith(".xml"):
            xml = _inflate(data, part)
            _check_extent(xml)
            found = _marks(xml, shown_styles)
            if found:
                marks[part.name] = found
    return marks, _sheet_parts(data, parts) if marks else []


def _styles_in(data: bytes, parts: list[ZipPart]) -> dict[int, str]:
    """The workbook's styles showing a date without its day; none when its styles part is missing, too large or
    damaged (calamine then reads the dates as it can: a damaged styles part is not a reason to refuse a file)."""
    styles = next((p for p in parts if p.name == STYLES), None)
    try:
        return _shown_styles(_inflate(data, styles)) if styles and styles.inflated < MAX_STYLES_BYTES else {}
    except Unreadable:
        return {}


def _sheet_parts(data: bytes, parts: list[ZipPart]) -> list[str]:
    """Worksheet XML part names in workbook order (sheet1.xml … as Excel numbers them)."""
    by_name = {p.name: p for p in parts}
    if "xl/workbook.xml" not in by_name or "xl/_rels/workbook.xml.rels" not in by_name:
        return []  # not an Office Open XML workbook (an .ods)
    workbook = _inflate(data, by_name["xl/workbook.xml"]).decode("utf-8", "replace")
    rels = _inflate(data, by_name["xl/_rels/workbook.xml.rels"]).decode("utf-8", "replace")
    targets = dict(re.findall(r'Id="([^"]+)"[^>]*Target="([^"]+)"', rels))
    targets |= {k: v for v, k in re.findall(r'Target="([^"]+)"[^>]*Id="([^"]+)"', rels)}
    ids = re.findall(r'<sheet [^>]*r:id="([^"]+)"', workbook)
    return ["xl/" + targets.get(i, "").lstrip("/").removeprefix("xl/") for i in ids]


def _message(code: str, **fields: object) -> str:
    return labels.WORKBOOK_MESSAGES[code].format(**fields)


def _fill_down(rows: list[list[Any]], merged: list[tuple[int, int, int, int]]) -> None:
    """A cell merged over several rows (推荐类别 for three studios) holds its value in each row. Each cell is
    visited once, however the ranges overlap (which Excel never writes): a file of 20,000 ranges over
    the same rows took 5 s when each was filled on its own."""
    done: dict[int, int] = {}  # column -> the last row a range above has reached
    for r1, c1, r2, _ in sorted(merged, key=lambda m: (m[1], m[0])):
        if r2 <= r1 or r1 >= len(rows) or c1 >= len(rows[r1]):
            continue
        value, end = rows[r1][c1], min(r2, len(rows) - 1)
        for r in range(max(r1, done.get(c1, -1)) + 1, end + 1):
            row = rows[r]
            if c1 < len(row) and row[c1] in (None, ""):
                row[c1] = value
        done[c1] = max(done.get(c1, -1), end)


def _as_shown(rows: list[list[Any]], origin: tuple[int, int], shown: dict[tuple[int, int], str]) -> None:
    """A date whose cell shows only its month (or year), kept as that month's first day, is read as the text
    the cell shows (2021年10月): known to the month, as the union wrote it. A date of another day is kept:
    its day was typed, only hidden by the format."""
    for (r, c), precision in shown.items():
        i, j = r - origin[0], c - origin[1]
        if 0 <= i < len(rows) and 0 <= j < len(rows[i]):
            value = rows[i][j]
            if isinstance(value, dt.date) and value.day == 1 and (precision == "month" or value.month == 1):
                rows[i][j] = value.strftime(labels.DATE_AT_PRECISION[precision])


def _read_sheet(book: CalamineWorkbook, index: int, meta: Any, marks: Marks | None) -> Sheet:
    raw = book.get_sheet_by_index(index)
    row_iter = raw.iter_rows()
    rows: list[list[Any]] = list(itertools.islice(row_iter, MAX_ROWS))
    total = len(rows) + (sum(1 for _ in row_iter) if len(rows) == MAX_ROWS else 0)
    # calamine yields rows from the sheet's first row but columns from its first used column:
    # the row origin is what is left when the rows it yielded are counted back from the last one.
    start_col = (raw.start or (0, 0))[1]
    end_row = raw.end[0] if raw.end else total - 1
    origin = (max(end_row + 1 - total, 0), start_col)
    merged = [(r1 - origin[0], c1 - origin[1], r2 - origin[0], c2 - origin[1])
              for (r1, c1), (r2, c2) in (raw.merged_cell_ranges or [])]
    if marks and marks.shown:
        _as_shown(rows, origin, marks.shown)
    if merged:
        _fill_down(rows, merged)
    while rows and rows[-1].count("") + rows[-1].count(None) == len(rows[-1]):  # trailing blank rows
        rows.pop()
    hidden = meta.visible != SheetVisibleEnum.Visible
    formulas, errors, hidden_rows, hidden_columns, _ = marks or (set(), {}, set(), set(), {})
    return Sheet(raw.name, rows, origin, max(total - MAX_ROWS, 0), formulas, errors, hidden, merged, hidden_rows,
                 hidden_columns)


def _too_large(size: int) -> Unreadable:
    return Unreadable("file_too_large", f"文件过大（{size // 2**20} MB），汇总表或推荐表不应超过 {MAX_FILE_BYTES // 2**20} MB")


def read_bytes(path: str | Path) -> bytes:
    """The file's bytes, refused when empty, too large or unopenable (read with the bare descriptor:
    a buffered file object costs more than the read of a small workbook)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO must not block
    except OSError:
        raise Unreadable("file_unopenable", _message("file_unopenable")) from None
    try:
        size = os.fstat(fd).st_size
        if size == 0:
            raise Unreadable("empty_file", "文件为空（0 字节）")
        if size > MAX_FILE_BYTES:
            raise _too_large(size)
        data = os.read(fd, size + 1)
        while size < len(data) <= MAX_FILE_BYTES:  # the file grew after fstat: read on to its end
            more = os.read(fd, MAX_FILE_BYTES + 1 - len(data))
            if not more:
                break
            data += more
    except OSError:
        raise Unreadable("file_unopenable", _message("file_unopenable")) from None
    finally:
        os.close(fd)
    if len(data) > MAX_FILE_BYTES:
        raise _too_large(len(data))
    return data


def _sheets(data: bytes, marks: dict[str, Marks], parts: list[str]) -> list[Sheet]:
    """calamine's reading of every worksheet (raising whatever calamine raises)."""
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return [_read_sheet(book, i, meta, marks.get(parts[i]) if i < len(parts) else None)
            for i, meta in enumerate(book.sheets_metadata) if meta.typ == SheetTypeEnum.WorkSheet]


CHILD_SECONDS = 120  # a reader in a child process taking longer than this is stopped (its file refused)


def _in_child(read: Callable[..., list[Sheet]], *args: Any) -> list[Sheet]:
    """`read(*args)` in a forked child process, its sheets sent back through a pipe. calamine sizes an
    .xls sheet by its DIMENSIONS record (an .xlsb's by its like), and a damaged one asks for terabytes:
    Rust then aborts the whole process, which no `except` can catch. In a child, only the child dies,
    and the file is refused.
    Where there is no fork (Windows), in this process."""
    if not hasattr(os, "fork"):
        return read(*args)
    inbound, outbound = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: read, send the sheets or the error's words, and leave at once
        try:
            os.close(inbound)
            faulthandler.disable()  # an abort here is what the child is for: no traceback dump on the parent's stderr
            try:
                payload = pickle.dumps((True, read(*args)))
            except BaseException as exc:
                payload = pickle.dumps((False, str(exc)))
            with os.fdopen(outbound, "wb") as out:
                out.write(payload)
        finally:
            os._exit(0)
    os.close(outbound)
    received, deadline = [], time.monotonic() + CHILD_SECONDS
    with os.fdopen(inbound, "rb") as pipe:
        while select.select([pipe], [], [], max(deadline - time.monotonic(), 0))[0]:
            chunk = pipe.read1(1 << 20)
            if not chunk:
                break
            received.append(chunk)
        else:
            os.kill(pid, signal.SIGKILL)  # still reading at the deadline
    os.waitpid(pid, 0)
    if not received:
        raise RuntimeError("the reader stopped without an answer")
    ok, value = pickle.loads(b"".join(received))
    if not ok:
        raise RuntimeError(value)  # calamine's words: read_workbook tells a password from damage by them
    return value


def read_workbook(path: str | Path, suffix: str | None = None) -> Book:
    """Every sheet's rows and what was noticed, or Unreadable with the reason; never another exception.

    `suffix` is the extension as the union wrote it (defaults to the path's); the format itself is
    read from the content, so an old .xls renamed .xlsx is read (and said to be one).
    """
    suffix = (suffix or Path(path).suffix).lower()
    data = read_bytes(path)
    wps = suffix in (".et", ".ett")
    notes: list[tuple[str, str]] = []
    marks: dict[str, Marks] = {}
    parts: list[str] = []
    if data[:8] == OLE_MAGIC:
        if ENCRYPTED_STREAM in data:
            raise Unreadable("password_protected", "工作簿设置了打开密码，无法读取；请取消密码后重新报送")
        if suffix in (".xlsx", ".xlsm"):
            notes.append(("xls_renamed", _message("xls_renamed", suffix=suffix)))
    elif data[:2] == b"PK":
        marks, parts = _check_zip(data)
    elif suffix in (".xlsx", ".xlsm"):
        raise Unreadable("not_a_workbook", "文件扩展名是 .xlsx，但内容不是Excel工作簿（可能是改了扩展名的其他文件）")
    try:
        binary = data[:8] == OLE_MAGIC or data[:2] == b"PK" and b"xl/workbook.bin" in data  # .xls, .xlsb: sized by records
        sheets = _in_child(_sheets, data, marks, parts) if binary else _sheets(data, marks, parts)
    except BaseException as exc:  # calamine raises several types for broken or encrypted files, and a panic in its
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):  # Rust code (a damaged .xls) as pyo3's PanicException,
            raise  # which is no Exception
        if "password" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise Unreadable("password_protected", "工作簿设置了打开密码，无法读取；请取消密码后重新报送") from None
        if wps:
            raise Unreadable("wps_unreadable", _message("wps_unreadable", suffix=suffix)) from None
        raise Unreadable("unreadable_file", _message("unreadable_file")) from None
    if not sheets:  # a damaged directory can hide every sheet from calamine: said, not read as an empty inbox entry
        raise Unreadable("no_worksheet", _message("no_worksheet"))
    return Book(sheets, notes, hashlib.sha256(data).hexdigest())


def open_workbook(path: Path) -> list[Sheet]:
    """Every sheet's rows, or Unreadable with the reason (see `read_workbook`)."""
    return read_workbook(path).sheets


_SEP_LINE = re.compile(r"^sep=(.)$")


def decode_text(data: bytes) -> str | None:
    """Text saved by Excel or WPS: UTF-16 with its BOM (Excel's "Unicode text"), UTF-8 (with or without a
    BOM), else GBK (GB18030); None if none of them."""
    encodings = ("utf-16",) if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def read_csv(path: str | Path) -> Book:
    """A CSV summary as one sheet of text cells (the cell references are the spreadsheet's: A1 …)."""
    data = read_bytes(path)
    text = decode_text(data)
    if text is None or "\x00" in text:
        raise Unreadable("csv_unreadable", _message("csv_unreadable"))
    lines = text[:8192].splitlines(keepends=True)
    declared = _SEP_LINE.match(lines[0].rstrip("\r\n")) if lines else None  # Excel's "sep=;" first line
    if declared:
        delimiter, text = declared[1], text[len(lines[0]):]
    else:  # Excel writes commas; some locales tabs or semicolons: the one the first lines hold most of
        delimiter = max(",\t;", key=lambda d: sum(line.count(d) for line in lines[:30]))
    rows = []
    try:  # universal newlines: a lone \r (an old Mac's line end) ends a line, as Excel reads it
        for row in csv.reader(io.StringIO(text, newline=None), delimiter=delimiter):
            if len(row) > MAX_COLUMNS:  # wider than any sheet Excel saves: a line of 10 million commas took 5 s and 900 MB
                raise Unreadable("csv_too_wide", _message("csv_too_wide", row=len(rows) + 1, columns=len(row), limit=MAX_COLUMNS))
            rows.append(row)
    except csv.Error:
        raise Unreadable("csv_unreadable", _message("csv_unreadable")) from None
    truncated = max(len(rows) - MAX_ROWS, 0)
    rows = rows[:MAX_ROWS]
    while rows and all(c == "" for c in rows[-1]):
        rows.pop()
    return Book([Sheet("", rows, (0, 0), truncated)], sha256=hashlib.sha256(data).hexdigest())
