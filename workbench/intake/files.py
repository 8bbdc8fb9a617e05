"""The files in an inbox: every one is read, or reported with the reason it is not.

Walks `inbox/<推荐单位>/` without following links out of it, decodes file names written on a
Chinese Windows (GBK bytes) so they are shown as the union wrote them, and sorts each file into
what intake does with it: a workbook or CSV to read, a photo for the materials count, or a problem
row (an archive, an Office lock file, a system file, a link leading outside, anything else).
"""

from __future__ import annotations

import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from workbench import labels
from workbench.intake.problems import Problem

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".et", ".ett", ".xltx", ".xltm"}  # .xltx: saved as a template
DOCUMENT_SUFFIXES = {".doc", ".docx", ".wps", ".wpt", ".dot", ".dotx", ".rtf", ".odt"}  # a form typed in Word or WPS 文字
PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".heic", ".webp"}
VIDEO_SUFFIXES = {".mp4", ".mov", ".avi", ".wmv", ".flv", ".mkv", ".m4v", ".mpg", ".mpeg", ".3gp"}
ARCHIVE_SUFFIXES = {".zip", ".rar", ".7z", ".gz", ".tar", ".tgz"}
MATERIAL_SUFFIXES = {".pdf"}  # the studio's electronic materials: shown page by page in the dossier
SYSTEM_NAMES = {".ds_store", "thumbs.db", "desktop.ini", "__macosx"}


@dataclass(frozen=True)
class InboxFile:
    path: str  # where to open it (may hold the file system's own bytes; a str: a Path per file costs more than its read)
    rel: str  # as shown: decoded, relative to the inbox, "/"-separated
    kind: str  # workbook | csv | photo | video | material


def display_name(name: str) -> str:
    """A file name as its author wrote it: bytes that are not UTF-8 are read as GBK (GB18030); a control
    character (which no sheet, list or message can hold) is shown as �."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes were kept as surrogate escapes
        raw = os.fsencode(name)
        try:
            name = raw.decode("utf-8")
        except UnicodeDecodeError:
            name = raw.decode("gb18030", errors="replace")
    return _CONTROL.sub("\ufffd", name) if not name.isprintable() else name


_CONTROL = re.compile("[\x00-\x1f\x7f]")


def suffix(name: str) -> str:
    """The extension, ignoring the trailing spaces and dots Windows users leave ("汇总表.xlsx ").

    As `Path.suffix` reads it (a leading dot is not one), without building a Path per file."""
    base = name.rstrip(" .\u3000").rsplit("/", 1)[-1]
    dot = base.rfind(".")
    return base[dot:].lower() if 0 < dot < len(base) - 1 else ""


def _inside(path: Path, root: Path) -> bool:
    try:
        return path.resolve(strict=True).is_relative_to(root)
    except (OSError, RuntimeError):  # a broken or looping link
        return False


def _problem(rel: str, code: str, severity: str = "warning", **fields: object) -> Problem:
    return Problem(rel, "", "", "", "", severity, code, labels.INBOX_FILE_MESSAGES[code].format(**fields))


def _archive_contents(path: Path) -> str:
    """'共 N 个文件（工作簿 a 个、照片 b 张）' for a zip, '' when it cannot be listed."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = [i.filename for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError):
        return ""
    books = sum(suffix(n) in WORKBOOK_SUFFIXES | {".csv"} for n in names)
    photos = sum(suffix(n) in PHOTO_SUFFIXES for n in names)
    return labels.INBOX_FILE_MESSAGES["archive_contents"].format(n=len(names), books=books, photos=photos)


def _entries(folder: str) -> tuple[list[os.DirEntry], list[os.DirEntry]]:
    """A folder's sub-folders (links to folders too, as os.walk lists them) and its other entries,
    each sorted by name; an unreadable folder has none (as os.walk skips it)."""
    try:
        with os.scandir(folder) as found:
            entries = sorted(found, key=lambda e: e.name)
    except OSError:
        return [], []
    folders, others = [], []
    for entry in entries:
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        (folders if is_dir else others).append(entry)
    return folders, others


def list_inbox(inbox: Path) -> tuple[list[InboxFile], list[Problem]]:
    """Every file under the inbox, sorted by shown name, and a problem for each one not read."""
    root = inbox.resolve()
    found: list[InboxFile] = []
    problems: list[Problem] = []
    locks: dict[str, list[str]] = {}
    readable_folders: set[str] = set()
    stack = [(str(inbox), "")]  # (folder, its shown path): top-down, each folder's sub-folders by name
    while stack:
        folder, shown_base = stack.pop()
        dirs, files = _entries(folder)
        walk = []
        for d in dirs:
            rel = f"{shown_base}/{display_name(d.name)}".lstrip("/")
            if d.is_symlink():
                code = "symlink_inside" if _inside(Path(d.path), root) else "symlink_outside"
                problems.append(_problem(rel, code, "warning" if code == "symlink_inside" else "error"))
            elif d.name.lower() in SYSTEM_NAMES:
                problems.append(_problem(rel, "system_file", name=display_name(d.name)))
            else:
                walk.append((d.path, rel))
        stack += reversed(walk)
        for entry in files:
            shown = display_name(entry.name)
            rel = f"{shown_base}/{shown}".lstrip("/")
            kind = suffix(shown)
            if entry.is_symlink() and not _inside(Path(entry.path), root):
                problems.append(_problem(rel, "symlink_outside", "error"))
            elif rel == labels.RECEIPTS_FILE:
                continue
            elif shown.startswith("~$"):
                locks.setdefault(shown_base, []).append(shown)
            elif shown.startswith("._") or shown.lower() in SYSTEM_NAMES:
                problems.append(_problem(rel, "system_file", name=shown))
            elif kind in WORKBOOK_SUFFIXES or kind == ".csv":
                found.append(InboxFile(entry.path, rel, "csv" if kind == ".csv" else "workbook"))
                readable_folders.add(shown_base)
            elif kind in PHOTO_SUFFIXES or kind in VIDEO_SUFFIXES:
                found.append(InboxFile(entry.path, rel, "photo" if kind in PHOTO_SUFFIXES else "video"))
            elif kind in MATERIAL_SUFFIXES:
                found.append(InboxFile(entry.path, rel, "material"))
            elif kind in DOCUMENT_SUFFIXES:
                problems.append(_problem(rel, "document_not_read", name=shown))
            elif kind in ARCHIVE_SUFFIXES:
                problems.append(_problem(rel, "archive_not_read", contents=_archive_contents(Path(entry.path))))
            else:
                problems.append(_problem(rel, "file_not_read", name=shown))
    for folder, lock_names in sorted(locks.items()):
        for lock in lock_names:
            rel = f"{folder}/{lock}".lstrip("/")
            if folder in readable_folders:
                problems.append(_problem(rel, "lock_file", name=lock))
            else:
                problems.append(_problem(rel, "lock_file_only", "error", name=lock))
    found.sort(key=lambda f: f.rel)
    return found, problems
