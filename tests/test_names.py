"""The one text normaliser: invisible characters, spaces, widths and brackets never split a name."""

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench import names

ODD = ["\u200b", "\u200c", "\u200d", "\ufeff", "\u00ad", "\u2060", "\u200e", "\u3000", "\xa0", " ", "\n", "\t",
       "（", "）", "【", "】", "〔", "〕", "(", ")", "¨", "\u0301", "ｅ", "Ａ", "１", "ß", "İ", "ﬁ"]
text = st.text(alphabet=st.one_of(st.sampled_from(ODD), st.characters(codec="utf-8")), max_size=40)


@settings(max_examples=400, deadline=None)
@given(text)
def test_normalise_is_idempotent(value):
    once = names.normalise(value)
    assert names.normalise(once) == once


@settings(max_examples=200, deadline=None)
@given(text)
def test_normalise_leaves_no_space_or_invisible_character(value):
    out = names.normalise(value)
    assert not any(ch.isspace() for ch in out)
    assert not names.has_invisible(out)


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=20), st.lists(st.sampled_from(["\u200b", "\ufeff", "\u00ad", "\u2060", " ", "\u3000"]),
                                                   max_size=4), st.data())
def test_invisible_characters_and_spaces_anywhere_do_not_change_the_key(value, noise, data):
    noisy = value
    for ch in noise:
        at = data.draw(st.integers(0, len(noisy)))
        noisy = noisy[:at] + ch + noisy[at:]
    assert names.normalise(noisy) == names.normalise(value)


def test_the_cases_unions_send():
    same = ["江阴市总工会", "江阴市\u200b总工会", "\ufeff江阴市 总工会", "江阴市\u00ad总工会", "江 阴 市 总 工 会\n"]
    assert {names.normalise(s) for s in same} == {"江阴市总工会"}
    assert names.normalise("无锡【某某】集团（有限）公司") == names.normalise("无锡[某某]集团(有限)公司")
    assert names.normalise("ＡＢＣ１２３") == "abc123"
    assert names.clean(" 张\u200b伟\ufeff ") == "张伟"
    assert names.normalise(None) == "" and names.normalise(pd.NA) == ""


def test_tolerant_keys_drop_usual_affixes():
    studios = pd.Series(["无锡市张伟劳模创新工作室", "张伟\u200b工作室", "（张伟）", None])
    assert names.studio_key(studios).tolist() == ["张伟", "张伟", "张伟", ""]
    units = pd.Series(["无锡某某机械有限公司", "某某机械股份有限公司", "某某机械\ufeff集团"])
    assert names.host_unit_key(units).tolist() == ["某某机械"] * 3


def test_only_the_listed_printable_characters_are_ever_dropped():
    """normalise skips its patterns for printable text without the space and the fillers: no other
    printable character may be one they drop."""
    for code in range(0x110000):
        ch = chr(code)
        if ch.isprintable() and not names._PRINTABLE_DROPPED.match(ch):
            assert not names._INVISIBLE_RE.match(ch) and not names._SPACE.match(ch), hex(code)


SETTLED = st.text(alphabet=st.one_of(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
                                     st.sampled_from("abcxyz0189/._-、·")), max_size=30)


@settings(max_examples=300, deadline=None)
@given(SETTLED)
def test_text_normalise_returns_at_once_is_a_fixed_point_of_every_step(value):
    """Chinese characters, lower-case letters, digits and a little punctuation are returned as they
    are, without the normalising steps: that is right only if the steps would change nothing."""
    assert names._SETTLED.fullmatch(value)
    assert names._step(value) == value
    assert names.normalise(value) == value


def test_no_character_returned_at_once_is_one_a_step_would_change():
    changed = [hex(code) for code in range(0x110000)
               if names._SETTLED.fullmatch(chr(code)) and names._step(chr(code)) != chr(code)]
    assert changed == []
