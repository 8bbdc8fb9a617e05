"""The receipt register (inbox/收件登记.csv): when each file arrived, and (intake.paper) its paper side.

Read once, with the csv module, into plain columns of the cells as written: the register is a few
hundred rows, and pandas' CSV reader and datetime parser cost more to start than the whole read.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from itertools import zip_longest
from pathlib import Path

import pandas as pd

from workbench import labels
from workbench.intake.problems import Problem
from workbench.intake.workbook import Unreadable, decode_text, read_bytes
from workbench.names import normalise

Register = dict[str, list[str]]  # column header -> its cells as written ("" where blank), one per row


def read_register(inbox: Path) -> tuple[Register | None, list[Problem]]:
    """收件登记.csv parsed once, every cell as written (a blank cell is "", the text "NA" is text);
    None when there is none, or when it cannot be read (then with its problem row).

    Blank lines are skipped; a row longer than the header is unreadable unless what it adds is blank
    (a trailing comma), and a shorter row is blank where it stops."""
    path = inbox / labels.RECEIPTS_FILE
    if not path.exists():
        return None, []
    try:  # as a summary is read: refused past 30 MB
        text = decode_text(read_bytes(path))
        rows = [row for row in csv.reader(io.StringIO(text, newline=None)) if row] if text is not None else []
    except (Unreadable, csv.Error):
        rows = []
    if not rows or any(len(row) > len(rows[0]) and any(row[len(rows[0]):]) for row in rows[1:]):
        return None, [_bad_register()]
    header = _unique(rows[0])
    width = len(header)  # the blank cells past it (a row of trailing commas) are not turned into columns
    columns = list(zip_longest(*(row[:width] for row in rows[1:]), fillvalue=""))  # the rows turned: a tuple per column
    return {name: list(columns[k]) if k < len(columns) else [""] * (len(rows) - 1) for k, name in enumerate(header)}, []


def _unique(header: list[str]) -> list[str]:
    """Header names made unique as spreadsheets and pandas do: a second "file" is "file.1"."""
    seen: dict[str, int] = {}
    out = []
    for name in header:
        count = seen.get(name, 0)
        seen[name] = count + 1
        out.append(f"{name}.{count}" if count else name)
    return out


def _bad_register() -> Problem:
    return Problem(labels.RECEIPTS_FILE, "", "", "received_at", "", "error", "bad_receipts",
                   "收件登记表无法读取（应为 UTF-8 或 GBK 编码的CSV，有 file、received_at 两列）")


def read_receipts(register: Register | None) -> tuple[dict[str, dt.datetime], list[Problem]]:
    """The register's receipt times: file (relative to the inbox) -> received_at; none -> {}.

    A time that cannot be read (a blank one too) is a warning; a row without a file is not keyed."""
    if register is None:
        return {}, []
    if "file" not in register or "received_at" not in register:
        return {}, [_bad_register()]
    read = {written: receipt_time(written) for written in set(register["received_at"])}  # a union's rows share a time
    times = [read[written] for written in register["received_at"]]
    bad = [Problem(labels.RECEIPTS_FILE, "", f"第{i + 2}行", "received_at", v, "warning", "bad_receipt_time", "收件时间无法识别")
           for i, (v, t) in enumerate(zip(register["received_at"], times)) if t is None]
    return {file_key(f): t for f, t in zip(register["file"], times) if t is not None and f != ""}, bad


def file_key(written: str) -> str:
    """A file as the register names it, compared with the inbox's: normalised, "/"-separated."""
    return normalise(written).replace("\\", "/")


def registered(register: Register | None) -> set[str]:
    """The files the register names (`file_key`), whether or not their time could be read."""
    return {file_key(f) for f in register["file"] if f} if register and "file" in register else set()


def unlisted_receipts(register: Register | None, files: list[str]) -> list[Problem]:
    """Receipt rows (a union's file, no studio named) for a file the inbox does not hold (renamed,
    misfiled, or never saved): the time they record is then no file's, so it is said. A studio's row
    records its paper materials; a 推荐表 it names that is missing is reported as form_missing."""
    if register is None or "file" not in register:
        return []
    present = {file_key(f) for f in files}
    studios = register.get("studio", [""] * len(register["file"]))
    return [Problem(labels.RECEIPTS_FILE, "", f"第{i + 2}行", "file", f, "warning", "receipt_without_file",
                    labels.INTAKE_MESSAGES["receipt_without_file"].format(file=f))
            for i, (f, studio) in enumerate(zip(register["file"], studios))
            if f and not studio.strip() and file_key(f) not in present]


YEAR_FIRST = r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?:\s*日)?"
_YEAR_FIRST = re.compile(YEAR_FIRST)
BEIJING = dt.timezone(dt.timedelta(hours=8))  # China Standard Time, no daylight saving
_PLAIN_TIME = re.compile(YEAR_FIRST + r"(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2}))?)?\s*$")


_SPOKEN_CLOCK = re.compile(r"(日)?\s*(上午|中午|下午|晚上|凌晨)?\s*(\d{1,2})\s*[时点:：]\s*(\d{1,2})?\s*分?\s*(am|pm)?\s*$", re.I)
_AFTERNOON = ("下午", "晚上", "pm")


def _clock_as_digits(written: str) -> str:
    """A time of day as the office types it, as hours:minutes: 2022年10月26日15:30, 下午3:30, 15时30分,
    3:30 PM (noon is 中午12点; 下午3点 is 15:00)."""
    clock = _SPOKEN_CLOCK.search(written)
    if not clock:
        return written
    day, part, hours, minutes, meridiem = clock.groups()
    hour = int(hours)
    if ((part or "").lower() in _AFTERNOON or (meridiem or "").lower() == "pm") and hour < 12:
        hour += 12
    elif (meridiem or "").lower() == "am" and hour == 12:
        hour = 0
    return f"{written[:clock.start()]}{day or ''} {hour}:{int(minutes or 0):02d}"


def receipt_time(written: str) -> dt.datetime | None:
    """A receipt time as written in the register, read on its own: year first (2022-10-19,
    2022/10/19, 2022.10.19, 2022年10月19日), with or without a time of day. Anything else, a
    month-first 10/19/2022 included, is None (reported, never guessed).

    The usual spellings (a date, then hours and minutes) are read here; the rest of ISO 8601
    (fractions of a second, time zones) by pandas, as before."""
    written = " ".join(written.split())  # one space where several were typed: the patterns' runs of \s* then stay short
    plain = _PLAIN_TIME.match(written) or _PLAIN_TIME.match(_clock_as_digits(written))
    if plain:
        try:
            return dt.datetime(*(int(part) for part in plain.groups() if part is not None))
        except ValueError:
            return None
    iso = _YEAR_FIRST.sub(r"\1-\2-\3", written).strip()
    parsed = pd.to_datetime(iso, format="ISO8601", errors="coerce") if iso else pd.NaT
    if parsed is pd.NaT:
        return None
    if parsed.tzinfo is not None:  # a time with its zone: as a clock in Wuxi showed it
        parsed = parsed.tz_convert(BEIJING).tz_localize(None)
    return parsed.to_pydatetime()
