"""Names as people type them: one normaliser, and the tolerant keys studios and units are matched on.

`normalise` is the one text normaliser of the workbench: intake (headers, categories, receipts),
duplicate detection, the conflict-of-interest check, registry matching and assignment all compare
names after it, so "江阴市\u200b总工会", "江阴市 总工会" and "江阴市总工会" are one union.
It applies NFKC (full-width to half-width), drops invisible characters (zero-width spaces and
joiners, BOM, soft hyphen, direction marks, other format characters), drops every kind of space
and line break, folds bracket variants to "(" ")", and folds case. It is idempotent.

`clean` is for values kept for display: the same invisible characters removed and the ends
trimmed, nothing else changed. `studio_key` and `host_unit_key` add what the registry match
tolerates: the usual affixes people add or drop ("无锡市", "劳模创新工作室", "有限公司").
`normalise_honour` and `title_level` read a title as officers do: its usual spelling, and the level
its awarding body names (全国, 江苏省, 无锡市, or a 区/县 below the city), for honours and categories alike.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import pandas as pd

from workbench import labels

if TYPE_CHECKING:
    from workbench.config import HonourLevels

# Invisible characters: format characters (Unicode category Cf: zero-width space and joiners, BOM,
# soft hyphen, direction marks, word joiner, tags…), control characters other than white space, and
# the fillers Unicode does not class as Cf. The ranges are Unicode 14's Cf and non-space Cc.
_INVISIBLE_RE = re.compile(
    "[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2"
    "\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f\u034f\u115f\u1160\u3164\uffa0]")
_BRACKETS = str.maketrans({"（": "(", "【": "(", "〔": "(", "〖": "(", "［": "(", "[": "(", "｛": "(", "{": "(",
                           "）": ")", "】": ")", "〕": ")", "〗": ")", "］": ")", "]": ")", "｝": ")", "}": ")"})
_BRACKET_CHARS = re.compile("[" + re.escape("".join(map(chr, _BRACKETS))) + "]")  # what _BRACKETS folds
_SPACE = re.compile(r"\s+")


# Every character dropped below is unprintable (str.isprintable) except these: the space, the
# combining grapheme joiner and the Hangul fillers. Text without them that is printable has nothing
# to drop, which is most names, so the two patterns are not run over it.
_PRINTABLE_DROPPED = re.compile("[ \u034f\u115f\u1160\u3164\uffa0]")


def _drop(text: str) -> str:
    """`text` without invisible characters and white space."""
    if text.isprintable() and _PRINTABLE_DROPPED.search(text) is None:
        return text
    return _SPACE.sub("", _INVISIBLE_RE.sub("", text))


def _step(text: str) -> str:
    text = unicodedata.normalize("NFKC", _drop(text))
    if _BRACKET_CHARS.search(text):  # str.translate with a dict is slow on CJK text (a lookup per character):
        text = text.translate(_BRACKETS)  # run only where there is a bracket to fold (few names)
    return _drop(text.casefold())


# Text made only of these is its own normal form: CJK Unified Ideographs (no compatibility forms,
# nothing that composes), lower-case ASCII letters and digits, and punctuation NFKC and casefold keep.
_SETTLED = re.compile("[\u4e00-\u9fff0-9a-z/._\\-、·]*")


@lru_cache(maxsize=65536)
def _normalise(text: str) -> str:
    if _SETTLED.fullmatch(text):  # most names: Chinese characters and nothing any step would change
        return text
    # Removing a character can let NFKC compose its neighbours, and NFKC can produce a space
    # ("¨" -> " ̈"): repeat until nothing changes (two passes in practice), so the result is a fixed point.
    for _ in range(8):
        new = _step(text)
        if new == text:
            break
        text = new
    return text


def normalise(value: Any) -> str:
    """The form names are compared on; None and NA are ""."""
    if value.__class__ is str:
        return _normalise(value)
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return _normalise(value if isinstance(value, str) else str(value))


def clean(value: str) -> str:
    """A value kept as typed, without invisible characters or surrounding white space."""
    return _INVISIBLE_RE.sub("", value).strip()


def has_invisible(value: str) -> bool:
    return _INVISIBLE_RE.search(value) is not None


def normalise_series(values: pd.Series) -> pd.Series:
    """`normalise` over a column (NA -> "")."""
    return pd.Series([normalise(v) for v in values.tolist()], index=values.index, dtype="string")


_STUDIO_NOISE = re.compile(r"^(无锡市|无锡)|(示范性)?(劳模|职工)?(创新)?工作室$")
_STUDIO_MARKS = re.compile(r"[()“”\"'·‘’「」『』]")
_UNIT_NOISE = re.compile(r"^(无锡市|无锡)|((股份)?有限(责任)?)?公司$|集团$")
_UNION_NOISE = re.compile(r"^(无锡市|无锡)|(总工会|工会委员会|工会)$")
_CHINESE_NAME = re.compile("[\u4e00-\u9fff]{2}")


def studio_keys(values: list) -> list[str]:
    """Studio names without what people add or drop: '无锡市', '劳模创新工作室', spaces, brackets."""
    return [_STUDIO_NOISE.sub("", _STUDIO_MARKS.sub("", normalise(v))) for v in values]


def host_unit_keys(values: list) -> list[str]:
    """Host units without '无锡市', '有限公司', '股份有限公司', '集团'."""
    return [_UNIT_NOISE.sub("", normalise(v)) for v in values]


_FOLDER_NUMBER = re.compile(r"^(?:[0-9０-９]{1,3}(?![0-9０-９])[\s.、．\-_—)）]*|[0-9０-９]{4}年度?)+")  # 01-梁溪区总工会, 2022年梁溪区总工会
_FOLDER_NOTE = re.compile(r"[(（][^()（）]*[)）]")  # 梁溪区总工会（10月26日报送）
_FOLDER_WORDS = re.compile(rf"(?:{'|'.join(labels.FOLDER_WORDS)})+$")  # 梁溪区总工会报送材料


@lru_cache(maxsize=4096)
def folder_union(folder: str) -> str:
    """The union an inbox folder is named for, without what officers add to a folder's name (its number,
    a note in brackets, 报送材料) or invisible characters; the folder's name as it is when that leaves no name
    in Chinese."""
    folder = clean(folder).replace("\ufffd", "")  # a control character in a folder's name is shown as � in its path
    text = _FOLDER_NUMBER.sub("", folder)
    bare = _FOLDER_NOTE.sub("", text)
    text = bare if _CHINESE_NAME.search(bare) else text
    text = _FOLDER_WORDS.sub("", re.sub(r"[【】\[\]《》]", "", text)).strip(" -_—、（）()")
    return text if _CHINESE_NAME.search(text) else folder


@lru_cache(maxsize=4096)
def other_union(named: str, folder: str) -> bool:
    """A union named in a file is not the one whose inbox folder holds it: the folder is named in
    Chinese (a folder 'U' or '01' names no union) and not for that union, however written
    ('无锡市梁溪区总工会', '梁溪区总工会', '梁溪区' and '梁溪' are one)."""
    if not _CHINESE_NAME.search(folder):
        return False
    a, b = (_UNION_NOISE.sub("", normalise(v)) for v in (named, folder_union(folder)))
    return bool(a and b) and a not in b and b not in a


def studio_key(values: pd.Series) -> pd.Series:
    """`studio_keys` over a column."""
    return pd.Series(studio_keys(values.tolist()), index=values.index, dtype="string")


def host_unit_key(values: pd.Series) -> pd.Series:
    """`host_unit_keys` over a column."""
    return pd.Series(host_unit_keys(values.tolist()), index=values.index, dtype="string")


_PREFIX_ALIASES = [(r"[(（]?\d{4}年?度?[)）]?", ""), (r"^(获|荣获|被授予|授予)", ""), (r"^省", "江苏省"),
                   (r"^市", "无锡市"), (r"劳模$", "劳动模范"), (r"^江苏(?!省)", "江苏省"), (r"^无锡(?!市)", "无锡市"),
                   (r"(获得者|称号|荣誉称号)$", ""), (r"^全国五一劳动奖章", "全国五一劳动奖章")]


def normalise_honour(title: str) -> str:
    """'2019年无锡市劳动模范', '省五一劳动奖章', '全国劳模' -> the honours table's spelling."""
    text = normalise(title)
    for pattern, repl in _PREFIX_ALIASES:
        text = re.sub(pattern, repl, text)
    return text


def title_level(title: str, levels: HonourLevels) -> tuple[int, str] | None:
    """(level, the rest of the title) from the awarding body at the start of a normalised title."""
    for city in levels.county_cities:
        if title.startswith(normalise(city)) and len(title) > len(city):
            return 1, title[len(city):]
    for prefix, level in sorted(levels.prefixes.items(), key=lambda p: -len(p[0])):
        if title.startswith(normalise(prefix)) and len(title) > len(prefix):
            rest = title[len(prefix):]
            inner = title_level(rest, levels)  # 无锡市新吴区…: the district's title
            return (min(level, inner[0]), inner[1]) if inner else (level, rest)
    for suffix in levels.county_suffixes:
        at = title.find(suffix, 1)
        if 0 < at <= 6:  # a place name of a few characters: 惠山区, 新吴区
            return 1, title[at + len(suffix):]
    return None
