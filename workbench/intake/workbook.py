"""Opening a workbook safely: refuse what cannot or must not be read before reading it.

A file that is not a workbook, is encrypted, is far too large, or would inflate past a limit (a
decompression bomb) is refused with a reason, before calamine inflates anything. What is read
comes back as plain rows per sheet, with the cells that hold formulas (calamine gives only their
cached values, and a file saved by a script may have none).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

MAX_FILE_BYTES = 30 * 1024 * 1024
MAX_INFLATED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200  # inflated / compressed, over the whole archive
MAX_ROWS = 5000  # a summary or form sheet longer than this is junk after this row

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_FORMULA_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"[^>]*?(?<!/)>(?:(?!</c>).)*?<f[ >/]', re.S)


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


def _check_zip(path: Path) -> dict[str, set[str]]:
    """Refuse bombs before inflating; return formula cells per sheet XML part."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise Unreadable("corrupt_file", "文件已损坏，无法作为Excel工作簿打开（不是完整的 .xlsx 压缩包）") from None
    with archive:
        infos = archive.infolist()
        inflated = sum(i.file_size for i in infos)
        packed = sum(i.compress_size for i in infos) or 1
        if inflated > MAX_INFLATED_BYTES or inflated / packed > MAX_RATIO:
            raise Unreadable("decompression_bomb", f"文件解压后过大（约 {inflated // 2**20} MB），疑似异常文件，未读取")
        formulas = {}
        for info in infos:
            if info.filename.startswith("xl/worksheets/sheet") and info.filename.endswith(".xml"):
                data = archive.read(info)
                if b"<f" in data:
                    formulas[info.filename] = {m.decode() for m in _FORMULA_CELL.findall(data)}
        return formulas


def _sheet_parts(path: Path) -> list[str]:
    """Worksheet XML part names in workbook order (sheet1.xml … as Excel numbers them)."""
    with zipfile.ZipFile(path) as archive:
        workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace")
        rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    targets = dict(re.findall(r'Id="([^"]+)"[^>]*Target="([^"]+)"', rels))
    targets |= {k: v for v, k in re.findall(r'Target="([^"]+)"[^>]*Id="([^"]+)"', rels)}
    ids = re.findall(r'<sheet [^>]*r:id="([^"]+)"', workbook)
    return ["xl/" + targets.get(i, "").lstrip("/").removeprefix("xl/") for i in ids]


def open_workbook(path: Path) -> list[Sheet]:
    """Every sheet's rows, or Unreadable with the reason; never another exception."""
    size = path.stat().st_size
    if size == 0:
        raise Unreadable("empty_file", "文件为空（0 字节）")
    if size > MAX_FILE_BYTES:
        raise Unreadable("file_too_large", f"文件过大（{size // 2**20} MB），汇总表或推荐表不应超过 {MAX_FILE_BYTES // 2**20} MB")
    head = path.read_bytes()[:8] if size < 1 << 20 else path.open("rb").read(8)
    formulas: dict[str, set[str]] = {}
    if head == OLE_MAGIC and path.suffix.lower() in (".xlsx", ".xlsm"):
        raise Unreadable("password_protected", "工作簿设置了打开密码，无法读取；请取消密码后重新报送")
    if head.startswith(b"PK"):
        formulas = _check_zip(path)
    elif path.suffix.lower() in (".xlsx", ".xlsm"):
        raise Unreadable("not_a_workbook", "文件扩展名是 .xlsx，但内容不是Excel工作簿（可能是改了扩展名的其他文件）")
    try:
        book = CalamineWorkbook.from_path(str(path))
        parts = _sheet_parts(path) if formulas else []
        sheets = []
        for i, name in enumerate(book.sheet_names):
            raw = book.get_sheet_by_name(name)
            rows = []
            truncated = 0
            for row in raw.iter_rows():
                if len(rows) < MAX_ROWS:
                    rows.append(row)
                else:
                    truncated += 1
            while rows and all(c in (None, "") for c in rows[-1]):
                rows.pop()
            origin = tuple(raw.start or (0, 0))
            sheets.append(Sheet(name, rows, origin, truncated, formulas.get(parts[i], set()) if i < len(parts) else set()))
        return sheets
    except Exception as exc:  # calamine raises several types for broken or encrypted files
        if "password" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise Unreadable("password_protected", "工作簿设置了打开密码，无法读取；请取消密码后重新报送") from None
        raise Unreadable("unreadable_file", f"文件无法作为Excel工作簿读取（{type(exc).__name__}）") from None
