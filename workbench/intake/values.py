"""Cell values as people type them -> typed values, or a ValueProblem saying what is wrong.

Pure functions: numbers with units ("6人", "１２０", "5.5万元"), Chinese and month-only dates
("2019年5月", "2019.05", Excel serials), yes/no variants (是/否/有/无/√/×/Y/N), lists of honours.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from workbench import labels
from workbench.config import HonourLevels, Round
from workbench.intake.problems import shown as as_excel_shows
from workbench.names import clean, normalise, normalise_honour, title_level

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
    "site_area": (0, 100_000), "funding": (0, 5_000), "results_last_year": (0, 1000),  # funding: 5000万元 a year
    "benefit": (0, 10_000_000),
}
EARLIEST_DATE = dt.datetime(1949, 10, 1)
MEMBER_AGES = (16, 80)  # a 团队成员 younger or older than this at the reference date is a typing mistake, most likely


class ValueProblem(ValueError):
    """A cell that cannot be read as its field's type; `code` is the English problem code."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


# ---------------------------------------------------------------------------- text
_UNITS = "人|名|位|项|个|万元|元|千元|亿元|百万元|平方米|平米|m2|亩|公顷|年月|年|月|日|岁|次"
# a unit after a header, as unions write it: 团队人数（人）, 年度经费（万元/年）, 年度经费/元, 年度经费（单位：元）
_UNIT_SUFFIX = re.compile(rf"(?:\((?:单位:?)?(?:{_UNITS})(?:/年)?\)|/(?:{_UNITS}))$")
_BRACKETS = re.compile(r"[()《》<>*:]")
_HEADER_NOTE = re.compile(rf"\((?:{'|'.join(labels.HEADER_NOTES)})\)")  # 工作室名称（必填）: a note to whoever fills it in
_BRACKETED = re.compile(r"\([^()]*\)")  # 团队人数（含领衔人）: what a header says of its field, read by `guess_header`


normalise_text = normalise  # the workbench's one text normaliser, under the name intake has always used


def normalise_header(value: Any) -> str:
    """The form a header is matched on: normalised, no unit suffix such as "（人）", no brackets."""
    return _BRACKETS.sub("", _UNIT_SUFFIX.sub("", _HEADER_NOTE.sub("", normalise(value))))


_UNSEEN = object()


@dataclass(frozen=True)
class Vocabulary:
    """How this round's headers and categories are written: normalised text -> field or code."""

    headers: dict[str, str]
    categories: dict[str, str]
    ignored: frozenset[str]
    similarity: float
    levels: HonourLevels | None = None  # how a title names its level (全国, 江苏省, 惠山区 …)
    level: int | None = None  # the level the round's categories are named at (无锡市)
    seen: dict[str, str | None] = field(default_factory=dict, compare=False)  # cell text -> field, as met

    def other_level(self, text: str) -> bool:
        """Whether a (normalised) category text names another level than the round's: 江苏省劳模创新工作室."""
        found = title_level(normalise_honour(text), self.levels) if self.levels else None
        return found is not None and found[0] != self.level

    def header(self, value: Any) -> str | None:
        """The field a header (or form label) cell names exactly, or None."""
        if value.__class__ is not str:
            return None
        name = self.seen.get(value, _UNSEEN)
        if name is _UNSEEN:
            name = self.headers.get(normalise_header(value))
            if len(self.seen) < 100_000:  # bounded: cell texts of a whole round, not of a bomb
                self.seen[value] = name
        return name

    @cached_property
    def _header_options(self) -> tuple[tuple[str, str], ...]:
        return tuple(self.headers.items())

    def guess_header(self, value: Any) -> str | None:
        """The field a header names once what it says in brackets is set aside (团队人数（不含领衔人）), else the
        one it is most like (at least `similarity`), or None: to be reported. A share (一线职工占比) is no count."""
        text = normalise(value)
        if any(word in text for word in labels.SHARE_WORDS):
            return None
        return self.headers.get(normalise_header(_BRACKETED.sub("", text))) or \
            _closest(normalise_header(value), self._header_options, self.similarity)


@lru_cache(maxsize=4096)
def _closest(key: str, options: tuple[tuple[str, str], ...], cutoff: float) -> str | None:
    if len(key) < 2:
        return None
    # A ratio is at most 2·min(len) / (sum of lens): a text far longer or shorter than an option cannot
    # reach the cutoff, so is not compared (a header cell holding a pasted paragraph took seconds).
    n = len(key)
    scored = sorted(((difflib.SequenceMatcher(None, key, text).ratio(), name) for text, name in options
                     if 2 * min(n, len(text)) >= cutoff * (n + len(text))), reverse=True)
    if not scored or scored[0][0] < cutoff:
        return None
    best = {name for ratio, name in scored if ratio == scored[0][0]}
    return best.pop() if len(best) == 1 else None


_ATTACHMENT = r"附件[0-9一二三四五六七八九十]+[:、.]?"  # 附件3：…, …（附件3）: how the notice numbers its forms
_TITLE_NOISE = re.compile(rf"^(?:{_ATTACHMENT})?(?:\d{{4}}年度?)?(?:无锡市)?|(?:推荐)?(?:汇总表|名单|一览表|表)(?:\(?{_ATTACHMENT}\)?)?$")


def title_category(text: str, vocab: Vocabulary) -> str | None:
    """The category a sheet name or title names, as written there ('劳模创新工作室' of
    '2022年无锡市劳模创新工作室推荐汇总表'), or None when it names none, or both."""
    written = _TITLE_NOISE.sub("", normalise(text))
    return written if normalise_header(written) in vocab.categories else None


# A section line inside a table, over the studios of one category: 一、劳模创新工作室, （二）职工创新工作室（2个）,
# 第一类：示范性劳模创新工作室 (on normalised text: brackets are "(" ")", colons ":")
_SECTION_NUMBER = re.compile(r"^(?:\(?[一二三四五六七八九十0-9]{1,3}[)、.]|第[一二三四五六七八九十0-9]{1,3}(?:类|部分|组)?:?)")
_SECTION_TAIL = re.compile(r"(?:\([^()]*\))?:?$")


def section_category(text: str, vocab: Vocabulary) -> str | None:
    """The category a section line names, as written there ('劳模创新工作室' of '一、劳模创新工作室（2个）'), or None."""
    return title_category(_SECTION_TAIL.sub("", _SECTION_NUMBER.sub("", normalise(text))), vocab)


_VOCABULARIES: dict[int, tuple[Round, Vocabulary]] = {}


def vocabulary(rnd: Round) -> Vocabulary:
    """The round's vocabulary (built once per round object): canonical headers, aliases, categories."""
    cached = _VOCABULARIES.get(id(rnd))
    if cached is not None and cached[0] is rnd:
        return cached[1]
    headers: dict[str, str] = {}
    for name, header in labels.SUMMARY_FIELDS.items():
        headers[normalise_header(header)] = name
    for name, aliases in rnd.intake.header_aliases.items():
        for alias in aliases:
            headers.setdefault(normalise_header(alias), name)
    categories: dict[str, str] = {}
    for code, cat in rnd.categories.items():
        for text in (code, cat.label, cat.short, cat.label.removeprefix("无锡市"), cat.short + "创新工作室",
                     *rnd.intake.category_aliases.get(code, [])):
            categories.setdefault(normalise_header(text), code)
    named = [title_level(normalise_honour(cat.label), rnd.honour_levels) for cat in rnd.categories.values()]
    own = {found[0] if found else None for found in named}
    level = own.pop() if len(own) == 1 else None
    vocab = Vocabulary(headers, categories, frozenset(normalise_header(h) for h in rnd.intake.ignored_headers),
                       rnd.intake.similarity, rnd.honour_levels if level is not None else None, level)
    if len(_VOCABULARIES) > 32:  # rounds are few; tests make many copies
        _VOCABULARIES.clear()
    _VOCABULARIES[id(rnd)] = (rnd, vocab)
    return vocab


def match_header(value: Any, rnd: Round) -> str | None:
    """The field a header (or form label) cell names, or None."""
    return vocabulary(rnd).header(value)


_BLANK_MARK_START = "-—–－‐―/／\\_＿"  # what a cell left empty on purpose ("/", "—", "——") begins with
_BLANK_MARK = re.compile(f"[{re.escape(_BLANK_MARK_START)}\\s]+")  # such a cell: text beginning so is read by `parse_text`


def parse_text(value: Any) -> str | None:
    """Text as typed, trimmed; None for a blank cell or one holding only a dash or slash (left empty on purpose)."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, dt.datetime) and value.time() == dt.time(0):
        value = value.date()  # 2022-06-08, not 2022-06-08 00:00:00
    text = clean(str(value))
    return text if text and not _BLANK_MARK.fullmatch(text) else None


# ---------------------------------------------------------------------------- numbers
# What may follow a number in each field's column: the column's own unit, in the column's scale.
FIELD_UNITS: dict[str, tuple[str, ...]] = {
    "team_size": ("人", "名", "位", "个"), "frontline": ("人", "名", "位", "个"), "results_last_year": ("项", "个", "件"),
    "site_area": ("平方米", "平米", "平方", "平", "m2", "m^2", "㎡"), "funding": ("万元", "万", "万元/年", "万/年"),
    "benefit": ("万元", "万"),
    "recommender_rank": (),
}
ANY_UNIT = tuple(sorted({u for units in FIELD_UNITS.values() for u in units}, key=len, reverse=True))
_FULL_STOP = re.compile(r"(?<=[^\s。.;,、])[。.;,、]+$")  # tried only where a run of marks begins (see _BREAK)
_CURRENCY = re.compile(r"^(?:¥|rmb|人民币)")  # on normalised text (NFKC makes ￥ ¥, casefold RMB rmb)
_IN_ALL = re.compile(r"^(?:共计|合计|总计|总共|共有|共)")  # 共6人: the number itself
_PER_YEAR = re.compile(r"^(?:每年度?|年均)")  # 每年5万元, in a column of yearly amounts (5万元/年)
_PLAIN = re.compile(r"^([-+]?)([1-9]\d{0,2}(?:,\d{3})+|\d+)(\.\d+)?(.*)$")
_GAP_IN_NUMBER = re.compile(r"\d[\s\u3000]+\d")
_RANGE = re.compile(r"^\d+(?:\.\d+)?\s*[-~～至到—–]\s*\d")
_DIGITS = re.compile(r"[0-9０-９]+(?:[.．][0-9０-９]+)?")
# 约20人, 近50, 20余人, 20多人, 十几人, 18人左右, 6人以上, ≥18, 500万+: a number nobody can take as exact
_APPROXIMATE = re.compile(r"^(?:约|大约|近|将近|逾|超过|多于|不到|不足|≈|~|>|<|≥|≤)|余|多|几|左右|以上|以下|上下|以内|\+$")
_SOME_NUMBER = re.compile(r"[0-9〇零一二两三四五六七八九十百]")
OTHER_SCALES = ("元", "千元", "千", "亿元", "亿", "百万元", "百万")  # written in a 万元 column: to be converted, not read
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")
# A header naming another scale than its field's (年度经费（元）): whether the numbers below are in it
# (50000) or in the template's (5) is not known, so the column is reported and not read.
HEADER_OTHER_UNITS: dict[str, tuple[str, ...]] = {"funding": OTHER_SCALES, "benefit": OTHER_SCALES,
                                                  "site_area": ("亩", "公顷", "平方公里", "km2")}
_HEADER_UNIT = re.compile(r"(?:\(|/|单位)\s*([^()/]*?)\s*(?:/年)?\)?$")  # on normalised text: 经费(元), 经费/元, 经费(单位:元)


@lru_cache(maxsize=4096)
def header_unit_mismatch(name: str, header: str) -> str | None:
    """The other scale a header of field `name` names (元 for 年度经费（元）), or None."""
    others = HEADER_OTHER_UNITS.get(name)
    if not others:
        return None
    found = _HEADER_UNIT.search(normalise(header))
    unit = found[1].removeprefix("单位").lstrip(":").strip() if found else ""
    return unit if unit in others else None


def parse_number(value: Any, units: tuple[str, ...] | None = None) -> float | None:
    """120, '120平方米', '１２０', '5.5万元', '6人', '1,200', '共6人', '十二项', '伍万元' -> a float; blank -> None.

    `units` are the words that may follow the number (None: any field's unit). Anything that could
    mean two things is a ValueProblem, never a guess: '1e5', '12 3', '3-5人', '1,2', '50000元' in a
    万元 column, '6人以上'.
    """
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):  # Excel turns 6-8 or 6/8 typed into a cell into a date: June 8th of this year
        raise ValueProblem("not_a_number", f"应为数字，单元格里却是日期“{value.month}月{value.day}日”（Excel 会把输入的 "
                                           f"{value.month}-{value.day}、{value.month}/{value.day} 自动变成日期），请核实原本要填的数字")
    if isinstance(value, bool):
        raise ValueProblem("not_a_number", f"应为数字，填写的是“{as_excel_shows(value)}”")
    if isinstance(value, (int, float)):
        return None if value != value else float(value)
    if value.__class__ is str and _DIGITS.fullmatch(value):  # "120", "１２０", "5.5": what most cells hold
        return float(value.translate(_FULL_WIDTH))
    text = unicodedata.normalize("NFKC", clean(str(value)))
    if not text:
        return None
    if _GAP_IN_NUMBER.search(text):
        raise ValueProblem("ambiguous_number", f"数字中间有空格（“{value}”），无法确定是几，请核实后填写")
    if _RANGE.match(text):
        raise ValueProblem("ambiguous_number", f"填写的是范围“{value}”，请填写一个确切的数字")
    allowed = ANY_UNIT if units is None else units
    text = _IN_ALL.sub("", _FULL_STOP.sub("", normalise(text)))  # 6人。 as a sentence ends
    if "万元/年" in allowed:
        text = _PER_YEAR.sub("", text)
    if "万元" in allowed:
        text = _CURRENCY.sub("", text)  # ￥5.5万
        text = text[:-1] if text.endswith("元整") else text  # 伍万元整, as on a receipt
    match = _PLAIN.match(text)
    if not match:
        written = _written(text, allowed)
        if written is None:
            raise _not_a_number(text, value)
        return float(written)
    sign, digits, decimals, rest = match.groups()
    if rest[1:-1] in allowed and rest[:1] == "(" and rest[-1:] == ")":  # 5.5（万元）: the unit in brackets
        rest = rest[1:-1]
    if rest and rest not in allowed:
        if rest in OTHER_SCALES and "万元" in allowed:
            raise ValueProblem("unit_mismatch", f"此栏单位为万元，填写的是“{value}”，请换算为万元后填写")
        if rest.startswith((",", ".", "e")):
            raise ValueProblem("ambiguous_number", f"“{value}”无法确定是哪个数（逗号、小数点或指数写法不明），请核实后填写")
        raise _not_a_number(text, value)
    return float(sign + digits.replace(",", "") + (decimals or ""))


def _not_a_number(text: str, value: Any) -> ValueProblem:
    """What is wrong with a cell that is no number: an approximation (约20人), or anything else."""
    if _APPROXIMATE.search(text) and _SOME_NUMBER.search(text):  # 约20人, 十几人; not 很多人
        return ValueProblem("approximate_number", f"填写的是约数“{value}”，请填写一个确切的数字")
    return ValueProblem("not_a_number", f"应为数字，填写的是“{value}”")


_NUMERAL = re.compile(r"([〇零一二两三四五六七八九十百]+)(.*)")
_FINANCIAL = str.maketrans("壹贰叁肆伍陆柒捌玖拾佰貳參陸", "一二三四五六七八九十百二三六")  # 大写数字, as on a receipt
_NUMERAL_PARTS = re.compile(r"(?:(?P<h>[一二两三四五六七八九])百)?(?P<z>零)?(?:(?P<t>[一二两三四五六七八九])?(?P<ten>十))?(?P<u>[一二两三四五六七八九])?")
_NUMERAL_DIGITS = dict(zip("一二两三四五六七八九", (1, 2, 2, 3, 4, 5, 6, 7, 8, 9)))
_ORDINAL = re.compile(r"第\s*(.+?)\s*[名位]?|[(（]\s*(.+?)\s*[)）]")  # 第2名, or a place in brackets: （2）


def chinese_numeral(text: str) -> int | None:
    """一, 十二, 二十, 两百, 一百零五 -> the whole number (0-999) they write; None when the text is not
    one numeral written the usual way (一二, 十十, 百五)."""
    if text in ("零", "〇"):
        return 0
    match = _NUMERAL_PARTS.fullmatch(text)
    if not text or not match or (match["z"] and not (match["h"] and match["u"] and not match["ten"])):
        return None
    digit = lambda part: _NUMERAL_DIGITS[match[part]] if match[part] else 0  # noqa: E731
    tens = digit("t") or (1 if match["ten"] else 0)
    return digit("h") * 100 + tens * 10 + digit("u")


def _written(text: str, units: tuple[str, ...]) -> int | None:
    """A whole number written in Chinese numerals (normalised text), with its column's unit if any ('五人',
    '十二', '伍万元'); None if not."""
    match = _NUMERAL.fullmatch(text.translate(_FINANCIAL))
    if not match or (match[2] and match[2] not in units):
        return None
    return chinese_numeral(match[1])


def _place(value: Any) -> Any:
    """'第1', '第一', '第2名', '（2）' in the 推荐排序 column -> the place; anything else as typed (and reported so)."""
    ordinal = _ORDINAL.fullmatch(value.strip()) if value.__class__ is str else None
    if ordinal is None:
        return value
    try:
        place = parse_int(ordinal[1] or ordinal[2], ())
    except ValueProblem:
        return value
    return value if place is None else place


def parse_int(value: Any, units: tuple[str, ...] | None = None) -> int | None:
    """parse_number for a whole number."""
    number = parse_number(value, units)
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
        raise ValueProblem("negative_number", f"不能为负数，填写的是 {value:.10g}")
    if not low <= value <= high:
        scale = "；此栏单位为万元，是否按元填写了" if "万元" in FIELD_UNITS.get(field, ()) and value > high else ""
        raise ValueProblem("implausible_number", f"数值 {value:.10g} 不合常理（应在 {low:g}–{high:g} 之间{scale}），请核实")


# ---------------------------------------------------------------------------- yes / no
def parse_bool(value: Any, words: Sequence[str] = ()) -> bool | None:
    """是/否/有/无/√/×/Y/N (and real booleans) -> bool; blank -> None. `words` are the column's own
    answers meaning yes (党支部 for 党建引领): a cell naming one is yes, or no when it denies it (无党支部)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = _FULL_STOP.sub("", normalise_text(value).lower())  # 否。
    if text in labels.YES_WORDS:
        return True
    if text in labels.NO_WORDS:
        return False
    if any(normalise_text(word) in text for word in words):
        return not text.startswith(labels.NO_PREFIXES)
    raise ValueProblem("not_yes_no", f"应填“是”或“否”，填写的是“{value}”")


# ---------------------------------------------------------------------------- dates
_DATE_PATTERNS = [
    (re.compile(r"^(\d{4})[年.\-/](\d{1,2})[月.\-/](\d{1,2})[日号]?$"), "day"),
    (re.compile(r"^(\d{4})[年.\-/](\d{1,2})(?:月份?)?$"), "month"),
    (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), "day"),
    (re.compile(r"^(\d{4})(\d{2})$"), "month"),
    (re.compile(r"^(\d{4})年?$"), "year"),
]
EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def _year_month_number(value: float) -> tuple[dt.datetime, str]:
    """2019.05 typed into a number cell: year and month. Excel keeps 2019.10 as 2019.1, so 2019.1 may be
    January or October: only its year is read (a date known to the year), and it is reported."""
    year = int(value)
    month = round((value - year) * 100)
    if month == 10:
        raise GuessedValue("ambiguous_month", labels.INTAKE_MESSAGES["ambiguous_month"].format(value=f"{value:g}", year=year),
                           dt.datetime(year, 1, 1), "year")
    if round((value - year) * 10, 6).is_integer() and month % 10 == 0 and month // 10 >= 1:
        month //= 10
    if not 1 <= month <= 12:
        raise ValueProblem("not_a_date", f"无法识别的日期“{value}”")
    return dt.datetime(year, month, 1), "month"


def _digits_date(text: str, value: Any) -> tuple[dt.datetime, str]:
    """20190501 or 201905 typed as a number: a day or a month."""
    try:
        if len(text) == 8:
            return dt.datetime(int(text[:4]), int(text[4:6]), int(text[6:])), "day"
        return dt.datetime(int(text[:4]), int(text[4:6]), 1), "month"
    except ValueError:
        raise ValueProblem("not_a_date", f"无法识别的日期“{value}”（可写作 2019年5月 或 2019-05-01）") from None


_DASHES = str.maketrans("—–‐‑−", "-----")  # 2019—05: dashes a word processor puts between numbers
_CLOCK = re.compile(r"(?<=\d)[日号]?\s+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")  # 2019-05-01 00:00:00: the day it names
_WRITTEN_DATE = re.compile(r"^([〇○零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,2})月(?:份|([一二三四五六七八九十]{1,3})[日号])?$")
_YEAR_DIGITS = str.maketrans("〇○零一二三四五六七八九", "000123456789")


def _date_text(value: Any) -> str:
    """A date as typed, in the form the patterns read: 二〇一九年五月 as 2019年5月, dashes as hyphens, a
    time of day after a full date dropped (before normalising, which drops the space before it)."""
    typed = unicodedata.normalize("NFKC", clean(str(value)))
    clock = _CLOCK.search(typed)
    if clock:
        dated = normalise_text(typed[:clock.start()]).translate(_DASHES)
        if _DATE_PATTERNS[0][0].match(dated):  # only a full date has a time of day
            return dated
    text = _FULL_STOP.sub("", normalise_text(typed).translate(_DASHES))  # 2019年5月。
    written = _WRITTEN_DATE.match(text)
    if written:
        month, day = chinese_numeral(written[2]), chinese_numeral(written[3]) if written[3] else ""
        if month is not None and day is not None:
            return f"{written[1].translate(_YEAR_DIGITS)}年{month}月" + (f"{day}日" if day else "")
    return text


def parse_date(value: Any) -> tuple[dt.datetime | None, str | None]:
    """A date as people write it in Excel -> (datetime, precision 'day' | 'month' | 'year')."""
    if value is None or value == "":
        return None, None
    if isinstance(value, dt.datetime):
        return value.replace(hour=0, minute=0, second=0, microsecond=0), "day"
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day), "day"
    if isinstance(value, bool):  # not the number 1 or 0 it also is
        raise ValueProblem("not_a_date", f"无法识别的日期“{as_excel_shows(value)}”（可写作 2019年5月 或 2019-05-01）")
    if isinstance(value, (int, float)):
        if float(value).is_integer() and (190001 <= value <= 210012 or 19000101 <= value <= 21001231):
            return _digits_date(str(int(value)), value)
        if 1900 <= value <= 2100 and not float(value).is_integer():
            return _year_month_number(float(value))
        if 1900 <= value <= 2100:
            return dt.datetime(int(value), 1, 1), "year"
        if 1 <= value < 80_000:  # an Excel serial day number
            return EXCEL_EPOCH + dt.timedelta(days=int(value)), "day"
        raise ValueProblem("not_a_date", f"无法识别的日期“{value}”")
    text = _date_text(value)
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
# ①…⑳, ⑴, ⒈, and 1. 2、 3) (1) numbering the items (not 1.5, not the year in 劳动模范（2015）)
_ENUMERATOR = re.compile(r"[①-⑳⑴-⒇⒈-⒛]|(?<![\d.])\d{1,2}[.、．)）](?!\d)|[(（]\d{1,2}[)）]")


def parse_list(value: Any) -> list[str]:
    """'江苏省劳动模范；无锡工匠', '①江苏省劳动模范②无锡工匠', '1.江苏省劳动模范 2.无锡工匠' -> the items;
    blank, or 无 / 暂无 / — (nothing to list) -> []."""
    if value is None or value == "":
        return []
    parts = [part.strip() for part in _LIST_SPLIT.split(_ENUMERATOR.sub("；", str(value))) if part.strip()]
    return [] if len(parts) == 1 and parts[0] in labels.NONE_WORDS else parts


class GuessedValue(ValueProblem):
    """A value read as the nearest known one: kept, and reported so a person can confirm it."""

    def __init__(self, code: str, message: str, value: Any, precision: str | None = None):
        super().__init__(code, message)
        self.value, self.precision = value, precision  # precision: how far a date read so is known


def category_lookup(rnd: Round) -> dict[str, str]:
    """Every way a category is written (labels, short names, the config's aliases) -> its code."""
    return vocabulary(rnd).categories


def parse_category(value: Any, lookup: dict[str, str], similarity: float | None = None,
                   shown: dict[str, str] | None = None, vocab: Vocabulary | None = None) -> str | None:
    """A category code; with `similarity`, the nearest one as a GuessedValue (`shown`: code -> label),
    never for a text naming another level than the round's (江苏省劳模创新工作室, 惠山区…: `vocab`)."""
    if value is None or value == "":
        return None
    key = normalise_header(value)
    code = lookup.get(key)
    if code is None and vocab is not None and vocab.other_level(key):
        raise ValueProblem("category_other_level", labels.INTAKE_MESSAGES["category_other_level"].format(value=value))
    if code is None:
        qualified = _qualifier(str(value))  # 劳模创新工作室（示范性）: the word in brackets decides
        guess = qualified and (lookup.get(normalise_header(qualified[1] + qualified[0]))
                               or lookup.get(normalise_header(qualified[1])))
        guess = guess or (_closest(key, tuple(lookup.items()), similarity) if similarity is not None else None)
        if guess is not None:
            label = (shown or {}).get(guess, guess)
            raise GuessedValue("category_guessed", f"推荐类别“{value}”不是规范写法，已按“{label}”读取，请核实", guess)
    if code is None:
        raise ValueProblem("unknown_category", f"无法识别的推荐类别“{value}”（应为示范性/劳模/职工）")
    return code


def _qualifier(text: str) -> tuple[str, str] | None:
    """(what, qualifier) of a text ending in a bracketed qualifier: 劳模创新工作室（示范性）. Found by the last
    opening bracket: a pattern for it scanned a long run of spaces from each character before (seconds)."""
    text = text.strip()
    opening = max(text.rfind("("), text.rfind("（"))
    if opening <= 0 or not text.endswith((")", "）")):
        return None
    what, qualifier = text[:opening].strip(), text[opening + 1:-1].strip()
    return (what, qualifier) if what and qualifier and not any(c in qualifier for c in "()（）") else None


PARSERS = {"text": parse_text, "list": parse_list}


def parse_field(name: str, value: Any, rnd: Round, categories: dict[str, str]) -> tuple[Any, str | None]:
    """Parse one cell for field `name`; returns (value, date precision); raises ValueProblem."""
    if value.__class__ is str and value.strip() in ERROR_VALUES:  # a CSV's or an old .xls's #N/A: not a name
        raise ValueProblem("error_value", labels.INTAKE_MESSAGES["error_value"].format(value=value.strip()))
    if value.__class__ is str and value.strip() in labels.SAME_AS_ABOVE:  # read from the row above (`summary.read_tables`)
        raise ValueProblem("same_as_above_blank", labels.INTAKE_MESSAGES["same_as_above_blank"].format(value=value.strip()))
    kind = FIELD_TYPES[name]
    if value.__class__ is str and kind != "list" and (_BLANK_MARK.fullmatch(value) or kind == "date" and value.strip() in labels.NONE_WORDS):
        return None, None  # "/", "—" (or a date's 无): left empty on purpose
    try:
        return _typed(name, kind, value, rnd, categories)
    except ValueProblem as problem:
        note = _note(kind, value, problem)
        if note is None:
            raise
        unread = problem
    parsed, precision = parse_field(name, note[1], rnd, categories)  # the value before the note: its own problems, if any
    if parsed is None:
        raise unread
    raise GuessedValue("value_annotated", labels.INTAKE_MESSAGES["value_annotated"].format(value=note[1], note=note[2]),
                       parsed, precision)


# A number, date or yes/no followed by a note in brackets: 6人（含领衔人）, 10万元（含设备）, 是（分公司）. The value
# before it is read and the note said; not a note that makes the value approximate (约) or names another number
# or date, unless it breaks the value down (其中专利5项).
_NOTE = re.compile(r"(.*?\S)\s*[(（]\s*([^()（）]*?[^()（）\s])\s*[)）][。.]?")
_UNREAD = {"int": ("not_a_number",), "float": ("not_a_number",), "date": ("not_a_date",), "bool": ("not_yes_no",)}
_BREAKDOWN = ("其中", "含", "包括", "包含")


def _note(kind: str, value: Any, problem: ValueProblem) -> re.Match | None:
    """(value, note) of a cell not read as its type for the note in brackets after its value; else None."""
    if value.__class__ is not str or problem.code not in _UNREAD.get(kind, ()):
        return None
    note = _NOTE.fullmatch(value.strip())
    if note is None or _APPROXIMATE.search(note[2]):
        return None
    if kind != "bool" and _DIGITS.search(note[2]) and not note[2].startswith(_BREAKDOWN):
        return None  # 6（8人）, 2019年5月（2020年挂牌）: which is meant is not known; 有（3项） is yes
    return note


def _typed(name: str, kind: str, value: Any, rnd: Round, categories: dict[str, str]) -> tuple[Any, str | None]:
    """One cell read as its field's type (see `parse_field`)."""
    if kind == "date":
        try:
            parsed, precision = parse_date(value)
        except GuessedValue as guess:
            check_date(guess.value, rnd.reference_date)
            raise
        check_date(parsed, rnd.reference_date)
        return parsed, precision
    if kind == "category":
        shown = {code: cat.label for code, cat in rnd.categories.items()}
        vocab = vocabulary(rnd)
        return parse_category(value, categories, vocab.similarity, shown, vocab), None
    if kind in ("int", "float"):
        if name == "recommender_rank":
            value = _place(value)
        parsed = (parse_int if kind == "int" else parse_number)(value, FIELD_UNITS.get(name, ()))
        check_bounds(name, parsed)
        return parsed, None
    if name == "leader":  # a line break between two names parts two people: kept as a space, and said
        text = parse_text(value)
        text = text if text is None or text.isprintable() else _BREAK.sub(" ", text)
        if text is not None:
            check_leader(text)
        return text, None
    if name in ONE_LINE:
        return one_line(parse_text(value)), None
    if kind == "bool":
        return parse_bool(value, rnd.intake.yes_words.get(name, ())), None
    return PARSERS[kind](value), None


ERROR_VALUES = frozenset({"#N/A", "#REF!", "#DIV/0!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!",
                          "#GETTING_DATA"})  # Excel's error values, as text where a file keeps no cell types
ONE_LINE = ("recommender", "studio", "host_unit", "leader", "contact")  # names: a line break in one is layout
_CJK = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"  # CJK punctuation, ideographs and full-width forms
_LINE_BREAKS = "\n\r\v\f\x1c-\x1e\x85\u2028\u2029"
# (?<!\s): a search tries each run of white space once, from its start, and takes it whole (\s++): tried from
# each of its characters, a cell of 15,000 line breaks or full-width spaces took a second or more
_BREAK = re.compile(rf"(?<!\s)\s*[{_LINE_BREAKS}]\s*")
_BREAK_IN_CJK = re.compile(rf"(?<=[{_CJK}])(?<!\s)(?=\s*[{_LINE_BREAKS}])\s++(?=[{_CJK}])")


_SEVERAL = re.compile(r"[、，,;；/／]")  # between two names: 张伟、李强
_OPENING, _CLOSING = re.compile(r"[(（\[【]"), re.compile(r"[)）\]】]")  # 张伟（全国劳模）
_SPACED = re.compile(r"[\u4e00-\u9fff]{2,4}(?:\s+[\u4e00-\u9fff]{2,4})+")  # 张伟 李强 (张 伟 is one name, spaced out)
_AND_OTHERS = re.compile(r"(?<=\S\S)等(?:人|同志|[0-9一二三四五六七八九十]+人)?$")  # 张伟等, 张伟等3人
_LEADER_MARKS = re.compile(r"[、，,;；/／(（\[【\s等0-9０-９]")  # any of these: the cells `check_leader` must see
_NUMBER_CHARS = frozenset("0123456789０１２３４５６７８９-－—‐ \u3000")


def _number_after_name(text: str) -> str:
    """The number written after a name ('张伟 13812345678', '张伟（电话：0510-82738722）'), or ''. Read from
    the end, character by character: a pattern searching for it backtracked for minutes on a cell of spaces."""
    end = len(text.rstrip(" \u3000)）"))
    start = end
    while start and text[start - 1] in _NUMBER_CHARS:
        start -= 1
    number = text[start:end].strip(" \u3000")
    name = text[:start].rstrip(" \u3000:：").removesuffix("电话").removesuffix("手机").rstrip(" \u3000(（")
    return number if name and any(c.isdigit() for c in number) else ""


def check_leader(text: str) -> None:
    """A studio has one 领衔人, named by name alone: two names in the cell, or a title beside the name,
    are reported (the text is kept as typed: which name, or what part of it, is the union's to say)."""
    number = _number_after_name(text)
    if number:
        raise GuessedValue("leader_with_number", labels.INTAKE_MESSAGES["leader_with_number"].format(number=number), text)
    if _SEVERAL.search(text) or _AND_OTHERS.search(text):
        raise GuessedValue("several_leaders", labels.INTAKE_MESSAGES["several_leaders"].format(value=text), text)
    if _SPACED.fullmatch(text) and not (text.split()[0] in labels.COMPOUND_SURNAMES and len(text.split()) == 2):
        raise GuessedValue("leader_spaced", labels.INTAKE_MESSAGES["leader_spaced"].format(value=text), text)
    opening = _OPENING.search(text)  # two plain searches: one pattern spanning both took seconds on a cell of "（"s
    closing = _CLOSING.search(text, opening.end()) if opening else None
    if closing:
        note = text[opening.start():closing.end()]
        raise GuessedValue("leader_annotated", labels.INTAKE_MESSAGES["leader_annotated"].format(note=note), text)


def one_line(text: str | None) -> str | None:
    """A name typed over several lines of its cell (Alt+Enter) as one line: a break between Chinese
    characters dropped ("张伟劳模\n创新工作室"), elsewhere a space ("Li\nNa")."""
    if text is None or text.isprintable():
        return text
    return _BREAK.sub(" ", _BREAK_IN_CJK.sub("", text))


ParsedCell = tuple[Any, str | None, str | None, str]  # value, date precision, problem code (None: fine), message
MAX_MEMO = 200_000  # distinct cells remembered in one read: a whole round's, not a bomb's


class FieldParser:
    """`parse_field` for one read, a column at a time, each distinct (field, cell) parsed once: the
    same 是, 2019年5月 or 劳模创新工作室 in a thousand rows is read the same way a thousand times."""

    def __init__(self, rnd: Round, categories: dict[str, str]):
        self.rnd, self.categories = rnd, categories
        self.memo: dict[str, dict[Any, ParsedCell]] = {}
        self.size = 0

    def cell(self, name: str, raw: Any) -> ParsedCell:
        """One cell, parsed (the problem, if any, as its code and message)."""
        try:
            value, precision = parse_field(name, raw, self.rnd, self.categories)
            return value, precision, None, ""
        except GuessedValue as guess:
            return guess.value, guess.precision, guess.code, str(guess)
        except ValueProblem as exc:
            return None, None, exc.code, str(exc)

    def column(self, name: str, cells: list[Any]) -> tuple[list[Any], list[str | None], list[tuple[int, str, str]]]:
        """A column's cells -> (values, date precisions, problems as (position, code, message))."""
        memo = self.memo.setdefault(name, {})
        parsed = _plain_cells(name, cells)
        for k, raw in enumerate(cells):
            if parsed[k] is not None:
                continue
            key = raw if raw.__class__ is str else (raw.__class__, raw)  # 1, 1.0 and True are different cells
            hit = memo.get(key)
            if hit is None:
                hit = self.cell(name, raw)
                if self.size < MAX_MEMO:
                    memo[key] = hit
                    self.size += 1
            parsed[k] = hit
        values = [p[0] for p in parsed]
        if FIELD_TYPES[name] == "list":  # each record gets its own list of honours
            values = [list(v) if v.__class__ is list else v for v in values]
        precisions = [p[1] for p in parsed] if FIELD_TYPES[name] == "date" else []
        return values, precisions, [(k, p[2], p[3]) for k, p in enumerate(parsed) if p[2] is not None]


_PRINTABLE_INVISIBLE = re.compile("[\u034f\u115f\u1160\u3164\uffa0]")  # what `clean` drops that str.isprintable keeps


def _plain_cells(name: str, cells: list[Any]) -> list[ParsedCell | None]:
    """The cells of a text or number column that need no parsing, read at once (None: to be parsed):
    text without invisible or control characters (trimmed), and numbers within the field's bounds
    (whole ones for a whole-number field). They are read exactly as `parse_field` would read them."""
    kind = FIELD_TYPES[name]
    if kind == "text":
        same = labels.SAME_AS_ABOVE
        return [(text or None, None, None, "")
                if raw.__class__ is str and raw.isprintable() and (raw.isascii() or _PRINTABLE_INVISIBLE.search(raw) is None)
                and "#" not in raw  # an error value (#N/A) is parsed, to be reported
                and ((text := raw.strip()) == "" or text[0] not in _BLANK_MARK_START and text not in same)
                and (name != "leader" or _LEADER_MARKS.search(raw) is None)  # two names, or a title beside one
                else None for raw in cells]
    if kind in ("int", "float") and name in BOUNDS:
        low, high = BOUNDS[name]
        whole = kind == "int"
        return [((int(raw) if whole else raw), None, None, "")
                if raw.__class__ is float and low <= raw <= high and (not whole or raw.is_integer()) else None
                for raw in cells]
    return [None] * len(cells)
