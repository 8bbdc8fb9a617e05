"""Cell values as people type them -> typed values, or a ValueProblem saying what is wrong.

Pure functions: numbers with units ("6人", "１２０", "5.5万元"), Chinese and month-only dates
("2019年5月", "2019.05", Excel serials), yes/no variants (是/否/有/无/√/×/Y/N), lists of honours.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache
from typing import Any

from workbench import labels
from workbench.config import Round

FIELD_TYPES: dict[str, str] = {
    "recommender": "text", "category": "category", "recommender_rank": "int", "studio": "text",
    "host_unit": "text", "legal_person": "bool", "union_sound": "bool", "rnd_or_team": "bool",
    "party_building": "bool", "leader": "text", "leader_honours": "list", "team_size": "int",
    "frontline": "int", "established": "date", "named_on": "date", "direct": "bool",
    "site_area": "float", "funding": "float", "systems": "bool", "ledger": "bool",
    "results_last_year": "int", "benefit": "float", "video": "bool", "contact": "text",
    "phone": "text", "note": "text",
}
DTYPES = {"text": "string", "category": "string", "int": "Int64", "float": "Float64",
          "bool": "boolean", "date": "datetime64[ns]", "list": "object"}

# Values outside these bounds are typing mistakes, not facts: reported, and read as missing.
BOUNDS: dict[str, tuple[float, float]] = {
    "recommender_rank": (1, 99), "team_size": (1, 1000), "frontline": (0, 1000),
    "site_area": (0, 100_000), "funding": (0, 100_000), "results_last_year": (0, 1000),
    "benefit": (0, 10_000_000),
}
EARLIEST_DATE = dt.datetime(1949, 10, 1)


class ValueProblem(ValueError):
    """A cell that cannot be read as its field's type; `code` is the English problem code."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


# ---------------------------------------------------------------------------- text
_UNIT_SUFFIX = re.compile(r"[（(](?:人|项|个|万元|元|平方米|㎡|m2|年月|年|月|日|岁|次)[）)]$")
_BRACKETS = re.compile(r"[（）()【】\[\]《》<>*＊:：]")


_SPACE = re.compile(r"\s+")


def normalise_text(value: Any) -> str:
    """Full-width to half-width, no white space or line breaks."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", str(value)))


def normalise_header(value: Any) -> str:
    """The form a header is matched on: NFKC, no spaces, no unit suffix, no brackets."""
    return _BRACKETS.sub("", _UNIT_SUFFIX.sub("", normalise_text(value)))


def _header_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for name, header in labels.SUMMARY_FIELDS.items():
        lookup[normalise_header(header)] = name
        for alias in labels.FIELD_ALIASES.get(name, []):
            lookup.setdefault(normalise_header(alias), name)
    return lookup


HEADER_LOOKUP = _header_lookup()


def match_header(value: Any) -> str | None:
    """The field a header (or form label) cell names, or None."""
    return _match_text(value) if isinstance(value, str) else None


@lru_cache(maxsize=8192)
def _match_text(text: str) -> str | None:
    return HEADER_LOOKUP.get(normalise_header(text))


def parse_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


# ---------------------------------------------------------------------------- numbers
_NUMBER = re.compile(r"^[-+]?\d+(?:\.\d+)?")


def parse_number(value: Any) -> float | None:
    """120, '120平方米', '１２０', '5.5万元', '6人' -> a float; blank -> None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or isinstance(value, (dt.date, dt.datetime)):
        raise ValueProblem("not_a_number", f"应为数字，填写的是“{value}”")
    if isinstance(value, (int, float)):
        return None if value != value else float(value)
    text = normalise_text(value).replace(",", "")
    if not text:
        return None
    match = _NUMBER.match(text)
    if not match:
        raise ValueProblem("not_a_number", f"应为数字，填写的是“{value}”")
    return float(match.group())


def parse_int(value: Any) -> int | None:
    number = parse_number(value)
    if number is None:
        return None
    if not float(number).is_integer():
        raise ValueProblem("not_an_integer", f"应为整数，填写的是“{value}”")
    return int(number)


def check_bounds(field: str, value: float | None) -> None:
    """Negative or absurd numbers (a team of 5,000) are typing mistakes."""
    if value is None or field not in BOUNDS:
        return
    low, high = BOUNDS[field]
    if value < 0:
        raise ValueProblem("negative_number", f"不能为负数，填写的是 {value:g}")
    if not low <= value <= high:
        raise ValueProblem("implausible_number", f"数值 {value:g} 不合常理（应在 {low:g}–{high:g} 之间），请核实")


# ---------------------------------------------------------------------------- yes / no
def parse_bool(value: Any) -> bool | None:
    """是/否/有/无/√/×/Y/N (and real booleans) -> bool; blank -> None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = normalise_text(value).lower()
    if text in labels.YES_WORDS:
        return True
    if text in labels.NO_WORDS:
        return False
    raise ValueProblem("not_yes_no", f"应填“是”或“否”，填写的是“{value}”")


# ---------------------------------------------------------------------------- dates
_DATE_PATTERNS = [
    (re.compile(r"^(\d{4})[年.\-/](\d{1,2})[月.\-/](\d{1,2})日?$"), "day"),
    (re.compile(r"^(\d{4})[年.\-/](\d{1,2})月?$"), "month"),
    (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), "day"),
    (re.compile(r"^(\d{4})(\d{2})$"), "month"),
    (re.compile(r"^(\d{4})年?$"), "year"),
]
EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def _year_month_number(value: float) -> tuple[dt.datetime, str]:
    """2019.05 typed into a number cell: year and month (2019.1 is read as October, as typed 2019.10)."""
    year = int(value)
    month = round((value - year) * 100)
    if round((value - year) * 10, 6).is_integer() and month % 10 == 0 and month // 10 >= 1:
        month = month if month <= 12 else month // 10
    if not 1 <= month <= 12:
        raise ValueProblem("not_a_date", f"无法识别的日期“{value}”")
    return dt.datetime(year, month, 1), "month"


def parse_date(value: Any) -> tuple[dt.datetime | None, str | None]:
    """A date as people write it in Excel -> (datetime, precision 'day' | 'month' | 'year')."""
    if value is None or value == "":
        return None, None
    if isinstance(value, dt.datetime):
        return value.replace(hour=0, minute=0, second=0, microsecond=0), "day"
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day), "day"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1900 <= value <= 2100 and not float(value).is_integer():
            return _year_month_number(float(value))
        if 1900 <= value <= 2100:
            return dt.datetime(int(value), 1, 1), "year"
        if 1 <= value < 80_000:  # an Excel serial day number
            return EXCEL_EPOCH + dt.timedelta(days=int(value)), "day"
        raise ValueProblem("not_a_date", f"无法识别的日期“{value}”")
    text = normalise_text(value)
    for pattern, precision in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            parts = [int(g) for g in m.groups()] + [1, 1]
            try:
                return dt.datetime(parts[0], parts[1], parts[2]), precision
            except ValueError:
                break
    raise ValueProblem("not_a_date", f"无法识别的日期“{value}”（可写作 2019年5月 或 2019-05-01）")


def check_date(value: dt.datetime | None, reference: dt.date) -> None:
    """A date after the round's reference date, or before 1949, cannot be right."""
    if value is None:
        return
    if value.date() > reference:
        raise ValueProblem("future_date", f"日期 {value:%Y-%m-%d} 晚于本轮基准日 {reference:%Y-%m-%d}")
    if value < EARLIEST_DATE:
        raise ValueProblem("implausible_date", f"日期 {value:%Y-%m-%d} 不合常理")


# ---------------------------------------------------------------------------- lists and categories
_LIST_SPLIT = re.compile(r"[；;、,，/\n\r|]+")


def parse_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    return [part.strip() for part in _LIST_SPLIT.split(str(value)) if part.strip()]


def category_lookup(rnd: Round) -> dict[str, str]:
    """Every way a category is written -> its code."""
    lookup: dict[str, str] = {}
    for code, cat in rnd.categories.items():
        for text in (code, cat.label, cat.short, cat.label.removeprefix("无锡市"), cat.short + "创新工作室"):
            lookup[normalise_header(text)] = code
    lookup[normalise_header("示范性劳模")] = "demonstration"
    lookup[normalise_header("示范")] = "demonstration"
    return lookup


def parse_category(value: Any, lookup: dict[str, str]) -> str | None:
    if value is None or value == "":
        return None
    code = lookup.get(normalise_header(value))
    if code is None:
        raise ValueProblem("unknown_category", f"无法识别的推荐类别“{value}”（应为示范性/劳模/职工）")
    return code


PARSERS = {"text": parse_text, "int": parse_int, "float": parse_number, "bool": parse_bool, "list": parse_list}


def parse_field(name: str, value: Any, rnd: Round, categories: dict[str, str]) -> tuple[Any, str | None]:
    """Parse one cell for field `name`; returns (value, date precision); raises ValueProblem."""
    kind = FIELD_TYPES[name]
    if kind == "date":
        parsed, precision = parse_date(value)
        check_date(parsed, rnd.reference_date)
        return parsed, precision
    if kind == "category":
        return parse_category(value, categories), None
    parsed = PARSERS[kind](value)
    if kind in ("int", "float"):
        check_bounds(name, parsed)
    return parsed, None
