"""The scoring app without a browser: log in, type, leave a field, click; then look in the store.

Widgets work without a kernel: setting `.value` fires the observers at once and `Button.click()`
runs the handlers, exactly what a browser's messages do in a served notebook.
"""

from __future__ import annotations

import io
import math

import ipywidgets as widgets
import pandas as pd
import pytest
from PIL import Image

from workbench import labels
from workbench.scoring import candidates_from, list_label, parse_points, scoring_app
from workbench.store import open_store
from tests.test_store import NOMINATIONS, REVIEWERS  # the same three nominations and reviewers

PHONE, CONTACT = "13912345678", "赵联系人"


@pytest.fixture(autouse=True)
def _close_widgets():
    yield
    widgets.Widget.close_all()


@pytest.fixture
def store(rnd, stage, tmp_path):
    with open_store(rnd, f"sqlite:///{tmp_path / 'scores.sqlite'}") as s:
        s.add_reviewers(REVIEWERS)
        s.save_nominations(NOMINATIONS)
        s.save_assignments(pd.DataFrame({"nomination_id": ["N1", "N2", "N1", "N2", "N1", "N3"],
                                         "reviewer_id": ["R1", "R1", "R2", "R2", "R3", "R3"], "stage": stage}))
        for reviewer_id in ("R1", "R2", "R3"):  # pledged on paper: the pledge step is tested in test_panel.py
            s.record_pledge(reviewer_id, method="paper", actor="王秘书")
        yield s


@pytest.fixture
def codes(store):
    return dict(store.issue_codes()[["reviewer_id", "code"]].itertuples(index=False, name=None))


@pytest.fixture
def candidates(tmp_path):
    """The screened facts of the three nominations, with a phone and a contact that must never show, and photos."""
    inbox = tmp_path / "inbox"
    photos = inbox / "梁溪区总工会" / "甲工作室" / "照片"
    photos.mkdir(parents=True)
    for name, colour in [("领衔人标准照", "red"), ("团队合影", "blue"), ("内部场景1", "green")]:
        Image.new("RGB", (1600, 1200), colour).save(photos / f"{name}.jpg")
    screened = NOMINATIONS.assign(
        source_file=["梁溪区总工会/梁溪区总工会推荐汇总表.xlsx"] * 2 + ["锡山区总工会/汇总表.xlsx"],
        leader=["甲领衔", "乙领衔", "丙领衔"], leader_honours=[["无锡市劳动模范"], ["无锡工匠"], []],
        team_size=pd.array([12, 8, 20], dtype="Int64"), established=pd.to_datetime(["2019-03-01"] * 3),
        legal_person=pd.array([True, True, False], dtype="boolean"), contact=CONTACT, phone=PHONE,
        note=["原区级劳模创新工作室", None, None], eligibility="eligible", quota_status="in_quota",
        eligibility_reasons=[[], [], []])
    achievements = pd.DataFrame({"nomination_id": ["N1"], "seq": [1], "name": ["轴类零件质量控制方法"],
                                 "kind": ["发明专利"], "level": ["国家级"], "recognised_on": [pd.Timestamp("2022-08-01")],
                                 "recognised_by": ["国家知识产权局"], "benefit": [12.5]})
    return candidates_from(screened, achievements, inbox)


@pytest.fixture
def app(store, rnd, candidates):
    return scoring_app(store, rnd, candidates)


def says(widget, code: str) -> bool:
    """The widget tells the reviewer, in Chinese only, the message of `code` (the code itself stays in the log)."""
    import re

    shown = widget.value
    assert not re.search(r"\[[a-z_]+\]", shown), shown
    template = {**labels.STORE_MESSAGES, "not_assigned": labels.SCORING["refused"], "stale_write": labels.SCORING["stale"]}[code]
    fragment = re.split(r"[{\[]", template)[0].strip() or template.split("}")[1][:4]
    return fragment in shown


def logged_in(app, codes, reviewer_id="R1"):
    assert app.login(codes[reviewer_id])
    return app


def fill(app, values: dict[str, object], comment: str | None = None) -> None:
    """Type into the fields one by one, as a reviewer leaving each field does."""
    for code, value in values.items():
        app.inputs[code].value = str(value)
    if comment is not None:
        app.comment.value = comment


def full_points(rnd, category, stage, fraction=0.8):
    step = rnd.review.score_step
    return {c.code: math.floor(c.max[category] * fraction / step) * step for c in rnd.criteria(category, stage)}


def everything_shown(widget) -> str:
    """Every text the app's widgets hold (values, labels, options): what any browser view could get."""
    parts = []
    for w in _walk(widget):
        for attr in ("value", "description", "placeholder", "_options_labels", "tooltip"):
            value = getattr(w, attr, None)
            if isinstance(value, (str, tuple, list)):
                parts.append(str(value))
    return "\n".join(parts)


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)


# ---------------------------------------------------------------------------- login
def test_a_reviewer_logs_in_and_sees_only_their_own_list(app, codes, stage):
    assert app.main_view.layout.display == "none"
    logged_in(app, codes)
    assert app.login_view.layout.display == "none" and app.main_view.layout.display is None
    assert [v for _, v in app.candidate_list.options] == ["N1", "N2"]
    assert all(label.startswith(labels.SCORE_STATUS["none"]) for label, _ in app.candidate_list.options)
    assert (app.progress.value, app.progress.max) == (0, 2)
    assert "张评委" in app.who.value
    assert app.current == ("N1", stage)  # opens on the first candidate still to score
    assert "甲工作室" in app.card.value


@pytest.mark.parametrize("typed", ["", "2222-2222-2222", "hello"])
def test_a_wrong_code_is_refused_by_the_app(app, codes, typed):
    assert not app.login(typed)
    assert says(app.login_message, "code_wrong")
    assert app.reviewer_id is None and app.main_view.layout.display == "none"
    assert app.code.value == ""  # the field never keeps what was typed


def test_a_revoked_code_is_refused_by_the_app(app, store, codes):
    store.revoke_code("R1")
    assert not app.login(codes["R1"])
    assert says(app.login_message, "code_revoked") and app.reviewer_id is None


def wrong_rest(code: str) -> str:
    """The reviewer's code with its last character changed: the same code id, the wrong secret."""
    return code[:-1] + ("2" if code[-1] != "2" else "3")


def test_wrong_codes_lock_the_code_on_every_page_not_just_this_one(store, rnd, candidates, codes):
    attacker = scoring_app(store, rnd, candidates, client="10.0.0.66")
    for _ in range(rnd.serving.login_failures_per_code):
        assert not attacker.login(wrong_rest(codes["R1"]))
    fresh = scoring_app(store, rnd, candidates, client="10.0.0.7")  # a new page: a new kernel, another browser
    assert not fresh.login(codes["R1"])  # even the right code, while the lock holds
    assert says(fresh.login_message, "login_locked") and fresh.reviewer_id is None
    assert logged_in(fresh, codes, "R2").reviewer_id == "R2"  # other reviewers' codes are not locked


def test_wrong_codes_lock_the_client_on_every_page(store, rnd, candidates, codes):
    guesses = [f"{a}{b}ZZ-2222-2222" for a in "ABCDEFGH" for b in "2345"]  # a new code id each time
    for guess in guesses[:rnd.serving.login_failures_per_client]:
        page = scoring_app(store, rnd, candidates, client="10.0.0.66")  # a fresh page for every guess
        assert not page.login(guess)
    again = scoring_app(store, rnd, candidates, client="10.0.0.66")
    assert not again.login(codes["R1"])
    assert says(again.login_message, "login_locked")
    assert logged_in(scoring_app(store, rnd, candidates, client="10.0.0.7"), codes).reviewer_id == "R1"


def test_a_revoked_code_ends_the_open_session_at_the_next_save(app, store, rnd, codes, stage):
    logged_in(app, codes)
    points = full_points(rnd, "model_worker", stage)
    first = next(iter(points))
    fill(app, {first: points[first]})
    assert store.load_sheet("R1", "N1", stage)["points"] == {first: points[first]}
    store.revoke_code("R1")
    fill(app, {code: value for code, value in points.items() if code != first})
    assert store.load_sheet("R1", "N1", stage)["points"] == {first: points[first]}  # nothing more saved
    assert app.reviewer_id is None and app.main_view.layout.display == "none"
    assert says(app.login_message, "session_ended")
    assert "甲工作室" not in everything_shown(app)


def test_a_reissued_code_ends_the_session_at_the_next_card(app, store, codes):
    logged_in(app, codes)
    store.issue_codes(["R1"])  # a new code: the one this page logged in with stops working
    app.candidate_list.value = "N2"
    assert app.reviewer_id is None and says(app.login_message, "session_ended")
    assert not app.open_candidate("N2")


def test_the_page_reads_nothing_of_the_round_before_a_login(store, rnd, codes, monkeypatch):
    import workbench.scoring as scoring

    read = []
    monkeypatch.setattr(scoring, "load_candidates", lambda *a, **k: read.append(1) or scoring.Candidates.empty())
    app = scoring_app(store, rnd)
    assert not app.login("2222-2222-2222")
    assert read == []  # building the page and a failed login read no inbox
    logged_in(app, codes)
    assert read == [1]


def test_the_candidates_are_read_once_per_inbox_state(rnd, tmp_path, monkeypatch):
    import workbench.scoring as scoring

    inbox = rnd.inbox
    (inbox / "某区总工会").mkdir(parents=True)
    (inbox / "某区总工会" / "a.txt").write_text("x")
    calls = []
    monkeypatch.setattr(scoring, "load_candidates", lambda r, o=None: calls.append(1) or scoring.Candidates.empty())
    first = scoring.cached_candidates(rnd)
    assert isinstance(scoring.cached_candidates(rnd), scoring.Candidates) and calls == [1]
    (inbox / "某区总工会" / "b.txt").write_text("y")  # the inbox changed: read again
    scoring.cached_candidates(rnd)
    assert calls == [1, 1] and first.facts.empty


def test_logging_out_clears_the_page(app, codes):
    logged_in(app, codes)
    fill(app, {"leader": 10})
    app.logout()
    assert app.reviewer_id is None and app.current is None
    assert app.candidate_list.options == () and app.card.value == ""
    assert "甲工作室" not in everything_shown(app)


# ---------------------------------------------------------------------------- typing and saving
def test_leaving_a_field_saves_a_draft_of_exactly_what_was_typed(app, store, codes, stage):
    logged_in(app, codes)
    fill(app, {"leader": "18.5"})
    assert store.load_sheet("R1", "N1", stage)["points"] == {"leader": 18.5}
    fill(app, {"team": "１２"}, comment="  初评 ")  # full-width digits, as a Chinese IME types them
    sheet = store.load_sheet("R1", "N1", stage)
    assert (sheet["points"], sheet["comment"], sheet["status"]) == ({"leader": 18.5, "team": 12.0}, "初评", "draft")
    assert app.candidate_list.options[0][0].startswith(labels.SCORE_STATUS["draft"])
    assert "30.5" in app.total.value
    fill(app, {"team": ""})  # clearing a field removes it from the draft
    assert store.load_sheet("R1", "N1", stage)["points"] == {"leader": 18.5}


def test_submitting_stores_exactly_the_typed_scores(app, store, codes, rnd, stage):
    logged_in(app, codes)
    points = full_points(rnd, "model_worker", stage)
    fill(app, points, comment="材料详实")
    app.submit_button.click()
    got = store.scores()
    got = got[(got["reviewer_id"] == "R1") & (got["nomination_id"] == "N1")]
    assert dict(zip(got["criterion"], got["points"])) == points
    assert set(got["status"]) == {"submitted"}
    assert store.sheets("R1").set_index("nomination_id").loc["N1", "comment"] == "材料详实"
    assert app.progress.value == 1
    assert app.candidate_list.options[0][0].startswith(labels.SCORE_STATUS["submitted"])
    assert len(store.sheets()) == 1  # nothing else was written


@pytest.mark.parametrize("typed, code", [
    ("25", "out_of_range"), ("-1", "out_of_range"), ("1e9", "out_of_range"), ("18.3", "wrong_step"),
    ("abc", "not_a_number"), ("nan", "not_a_number"), ("inf", "not_a_number"),
])
def test_a_bad_value_never_reaches_the_store(app, store, codes, stage, typed, code):
    logged_in(app, codes)
    fill(app, {"team": "10"})
    before = store.load_sheet("R1", "N1", stage)
    fill(app, {"leader": typed})
    assert store.load_sheet("R1", "N1", stage) == before
    assert says(app.status, code)
    assert "wb-invalid" in app.inputs["leader"]._dom_classes
    app.submit_button.click()
    assert store.load_sheet("R1", "N1", stage) == before
    fill(app, {"leader": "15"})  # corrected: saved, and no longer marked
    assert store.load_sheet("R1", "N1", stage)["points"] == {"team": 10.0, "leader": 15.0}
    assert "wb-invalid" not in app.inputs["leader"]._dom_classes


def test_submitting_needs_every_criterion_and_the_comment_rule(app, store, codes, rnd, stage):
    logged_in(app, codes)
    low = full_points(rnd, "model_worker", stage, 0.3)
    fill(app, dict(list(low.items())[:-1]))
    app.submit_button.click()
    assert says(app.status, "missing_criterion")
    fill(app, dict(list(low.items())[-1:]))
    assert "wb-needed" in app.comment_hint.value  # the form says a comment is needed before 提交
    app.submit_button.click()
    assert says(app.status, "comment_required")
    assert store.load_sheet("R1", "N1", stage)["status"] == "draft"
    app.comment.value = "创新成果偏少"
    app.submit_button.click()
    assert store.load_sheet("R1", "N1", stage)["status"] == "submitted"


def test_a_stale_form_is_refused_and_never_overwrites(store, rnd, candidates, codes, stage):
    first, second = (logged_in(scoring_app(store, rnd, candidates), codes) for _ in range(2))  # two windows
    fill(first, {"leader": 16})
    fill(second, {"leader": 12})
    assert store.load_sheet("R1", "N1", stage)["points"] == {"leader": 16.0}
    assert says(second.status, "stale_write") and second.reload_button.layout.display is None
    fill(second, {"team": 9})  # no more saves from the stale form
    assert store.load_sheet("R1", "N1", stage)["points"] == {"leader": 16.0}
    second.reload_button.click()
    assert second.inputs["leader"].value == "16" and second.inputs["team"].value == ""
    fill(second, {"team": 9})
    assert store.load_sheet("R1", "N1", stage)["points"] == {"leader": 16.0, "team": 9.0}


def test_a_submitted_sheet_can_be_edited_until_the_stage_is_closed(app, store, codes, rnd, stage):
    logged_in(app, codes)
    points = full_points(rnd, "model_worker", stage)
    fill(app, points)
    app.submit_button.click()
    version = store.load_sheet("R1", "N1", stage)["version"]
    app.edit_button.click()  # asked once
    fill(app, {"leader": points["leader"] - 1})  # still complete: stays submitted, with the new value
    sheet = store.load_sheet("R1", "N1", stage)
    assert (sheet["status"], sheet["points"]["leader"], sheet["version"]) == ("submitted", points["leader"] - 1, version + 1)
    fill(app, {"team": ""})  # incomplete: the submitted sheet is kept as it was
    assert store.load_sheet("R1", "N1", stage) == sheet
    store.close_stage(stage)
    fill(app, {"team": points["team"]})
    assert says(app.status, "stage_closed") and app.inputs["leader"].disabled
    app.inputs["leader"].value = "1"  # disabled is only a browser hint: a crafted message still arrives
    app.submit_button.click()
    assert store.load_sheet("R1", "N1", stage) == sheet
    app.open_candidate("N2")
    assert app.inputs["leader"].disabled and labels.SCORING["closed"].format(stage=rnd.stages[stage].label) in app.status.value


# ---------------------------------------------------------------------------- what a reviewer can never see
def test_an_unassigned_or_conflicted_candidate_is_never_shown(app, store, codes, stage):
    logged_in(app, codes, "R3")
    assert [v for _, v in app.candidate_list.options] == ["N1", "N3"]  # never N2 (host unit) nor anything else
    for sent in ("N2", "N404", None, 3, ["N1"]):
        assert not app.open_candidate(sent)
        assert app.current is None and app.card.value == "" and says(app.placeholder, "not_assigned")
    assert "乙工作室" not in everything_shown(app)
    with pytest.raises(Exception):  # a crafted selection outside the list: refused by the widget itself
        app.candidate_list.set_state({"index": 7})
    store.declare_conflict("R3", "N3", "亲属在该工作室")  # declared after the list was read
    assert not app.open_candidate("N3")
    assert "丙工作室" not in app.card.value


def test_private_fields_and_other_reviewers_scores_are_never_shown(app, store, codes, rnd, stage):
    store.save_scores("R2", "N1", stage, full_points(rnd, "model_worker", stage, 0.55),
                      comment="李评委的私密评语", submit=True)
    logged_in(app, codes)
    for nomination_id in ("N1", "N2"):
        app.candidate_list.value = nomination_id
        shown = everything_shown(app)
        assert PHONE not in shown and CONTACT not in shown
        assert "李评委的私密评语" not in shown
    app.candidate_list.value = "N1"
    assert all(box.value == "" for box in app.inputs.values())  # R2's sheet is not R1's


def test_the_card_shows_facts_notes_and_photos_that_open_large(app, codes):
    import base64
    import re

    logged_in(app, codes)
    card = app.card.value
    for text in ("甲工作室", "甲领衔", "无锡市劳动模范", "原区级劳模创新工作室", "轴类零件质量控制方法", "2019年3月"):
        assert text in card
    uris = re.findall(r'src="data:image/jpeg;base64,([^"]+)"', card)
    assert len(uris) == 3  # the three photos, embedded: the page never asks for a file
    sizes = [Image.open(io.BytesIO(base64.b64decode(u))).size for u in uris]
    assert all(max(size) <= 1280 for size in sizes)  # the 1600px originals are shrunk, not sent
    assert card.count('class="wb-zoom-toggle"') == 3 and "领衔人标准照" in card  # each opens large, with its caption
    assert not any(isinstance(w, widgets.Image) for w in _walk(app))  # no Image widget (binary buffers)


def test_switching_candidates_shows_each_ones_own_sheet(app, store, codes, rnd, stage):
    logged_in(app, codes)
    fill(app, {"leader": 11})
    app.candidate_list.value = "N2"
    assert app.current == ("N2", stage) and app.inputs["leader"].value == ""
    assert "0–15" in app.inputs["leader"].placeholder  # employee: the leader criterion is out of 15
    fill(app, {"leader": 14})
    app.candidate_list.value = "N1"
    assert app.inputs["leader"].value == "11"
    assert store.load_sheet("R1", "N2", stage)["points"] == {"leader": 14.0}


# ---------------------------------------------------------------------------- pure helpers
def test_parse_points_keeps_what_it_cannot_read_for_the_store_to_name():
    assert parse_points({"a": " 12.5 ", "b": "", "c": "１８", "d": "十", "e": None, "f": "3。5"}) == \
        {"a": 12.5, "c": 18.0, "d": "十", "f": 3.5}


def test_list_labels_say_the_status_and_the_category_in_words():
    assert list_label("none", "甲") == "未评 · 甲"
    assert list_label("submitted", "甲", 86.5, "劳模") == "已提交 86.5 · 【劳模】甲"


def test_a_studio_name_that_looks_like_a_path_shows_no_photos_from_outside(tmp_path):
    from workbench.scoring import candidates_from

    inbox = tmp_path / "inbox"
    (inbox / "U" / "真工作室" / "照片").mkdir(parents=True)
    Image.new("RGB", (8, 8)).save(inbox / "U" / "真工作室" / "照片" / "领衔人标准照.jpg")
    outside = tmp_path / "secret"
    outside.mkdir()
    Image.new("RGB", (8, 8)).save(outside / "内部场景1.jpg")
    screened = pd.DataFrame({"nomination_id": ["N1", "N2", "N3"], "studio": ["真工作室", "../../secret", "/"],
                             "source_file": ["U/汇总表.xlsx"] * 3, "category": "model_worker"})
    from workbench.dossier import photo_uris

    facts = candidates_from(screened, pd.DataFrame(columns=["nomination_id"]), inbox).facts
    assert [caption for caption, _ in photo_uris(inbox, facts.loc["N1"])] == ["领衔人标准照"]
    assert photo_uris(inbox, facts.loc["N2"]) == [] and photo_uris(inbox, facts.loc["N3"]) == []


# ---------------------------------------------------------------------------- a 55-year-old expert on a laptop
def test_enter_in_the_code_field_logs_in(app, codes):
    app.code.value = codes["R1"]  # the field sends its value on Enter (continuous_update is off)
    assert app.reviewer_id == "R1" and app.code.value == ""
    assert app.main_view.layout.display is None


def test_an_empty_login_click_asks_for_the_code_and_counts_no_failure(app, store):
    app.login_button.click()
    assert labels.SCORING["code_empty"] in app.login_message.value
    assert "login_failed" not in store.access_log()["kind"].tolist()  # nothing counted towards a lockout


def test_every_list_item_names_its_category(app, codes, rnd):
    logged_in(app, codes)
    labels_shown = [label for label, _ in app.candidate_list.options]
    assert labels_shown[0].endswith(f"【{rnd.categories['model_worker'].short}】甲工作室")
    assert labels_shown[1].endswith(f"【{rnd.categories['employee'].short}】乙工作室")


def test_the_running_total_ignores_invalid_entries_and_names_them(app, codes):
    logged_in(app, codes)
    fill(app, {"leader": "18", "team": "99", "operation": "abc", "innovation": "20"})
    total = app.total.value
    assert "<b>38</b>" in total  # 18 + 20: 99 (over the maximum) and abc are not counted
    assert labels.SCORING["total_invalid"].split("：")[0] in total and "团队建设" in total and "基础保障与规范运行" in total
    assert "领衔人" not in total.split("wb-bad")[1]


def test_each_input_shows_its_rubric_description_and_basis(app, codes, rnd):
    logged_in(app, codes)
    shown = everything_shown(app)
    for crit in rnd.rubric:
        assert crit.description and crit.description in shown
    assert labels.SCORING["basis"].format(basis="材料·实地") in shown


def test_an_on_site_stage_shows_only_the_criteria_judged_on_site(store, codes, candidates, rnd):
    """Where the config says so (stages.<code>.on_site_only), 实地考察 scores only the on-site criteria."""
    site = list(rnd.stages)[1]
    rubric = [c.model_copy(update={"basis": ["material"]}) if c.code in ("leader", "innovation") else c
              for c in rnd.rubric]
    stages = {k: v.model_copy(update={"on_site_only": k == site}) for k, v in rnd.stages.items()}
    on_site = rnd.model_copy(update={"rubric": rubric, "stages": stages})
    assert [c.code for c in on_site.criteria("model_worker", site)] == ["team", "operation", "talent", "leadership"]
    store.save_assignments(pd.DataFrame({"nomination_id": ["N1"], "reviewer_id": ["R1"], "stage": [site]}))
    app = scoring_app(store, on_site, candidates)
    logged_in(app, codes)
    app.stage_switch.value = site
    assert app.current == ("N1", site)
    shown = {code for code, row in app.criterion_rows.items() if row.layout.display is None}
    assert shown == {"team", "operation", "talent", "leadership"}


def test_editing_a_submitted_sheet_asks_once_and_it_stays_submitted(app, store, codes, rnd, stage):
    logged_in(app, codes)
    points = full_points(rnd, "model_worker", stage)
    fill(app, points)
    app.submit_button.click()
    assert app.inputs["leader"].disabled  # submitted: read-only
    app.candidate_list.value = "N2"
    app.candidate_list.value = "N1"  # reopened: still read-only until the reviewer asks
    assert app.inputs["leader"].disabled and app.edit_button.layout.display is None
    before = store.load_sheet("R1", "N1", stage)
    app.inputs["leader"].value = "1"  # a crafted message to a disabled field changes nothing
    assert store.load_sheet("R1", "N1", stage) == before
    app.reload()
    app.edit_button.click()
    assert not app.inputs["leader"].disabled and app.edit_button.layout.display == "none"
    assert labels.SCORING["editing_submitted"] in app.edit_note.value  # says it stays submitted
    fill(app, {"leader": points["leader"] - 1})
    sheet = store.load_sheet("R1", "N1", stage)
    assert sheet["status"] == "submitted" and sheet["points"]["leader"] == points["leader"] - 1
    app.candidate_list.value = "N2"
    app.candidate_list.value = "N1"  # asked once: the same sheet stays open for changes
    assert not app.inputs["leader"].disabled


def test_switching_stage_keeps_the_selection_working(store, codes, candidates, rnd):
    site = list(rnd.stages)[1]
    store.save_assignments(pd.DataFrame({"nomination_id": ["N1", "N2"], "reviewer_id": ["R1", "R1"],
                                         "stage": [site, site]}))
    app = scoring_app(store, rnd, candidates)
    logged_in(app, codes)
    first = app.stage
    app.stage_switch.value = site
    ids = [v for _, v in app.candidate_list.options]
    assert sorted(ids) == ["N1", "N2"] and app.current == (ids[0], site)
    app.candidate_list.value = ids[1]
    assert app.current == (ids[1], site)
    app.stage_switch.value = first
    opened = app.current[0]
    assert app.current[1] == first and app.candidate_list.value == opened
    for nid in ("N2", "N1", "N2"):  # every pick opens its card, whatever was selected in the other stage
        app.candidate_list.value = nid
        assert app.current == (nid, first)


def test_messages_to_reviewers_carry_no_codes():
    from workbench.scoring import for_reviewer

    assert for_reviewer("访问码不正确 [code_wrong]") == "访问码不正确"
    assert for_reviewer("a [x_y]；b [z]") == "a；b"


def test_a_save_relabels_its_own_line_as_a_fresh_login_would_without_reading_the_list(store, rnd, candidates, codes, stage,
                                                                                       monkeypatch):
    app = logged_in(scoring_app(store, rnd, candidates), codes)
    reads = []
    real = store.worklist
    monkeypatch.setattr(store, "worklist", lambda *a, **k: reads.append(a) or real(*a, **k))
    points = full_points(rnd, "model_worker", stage)
    fill(app, {"leader": points["leader"]})  # a draft
    app.candidate_list.value = "N2"
    fill(app, full_points(rnd, "employee", stage), comment="材料详实")
    app.submit_button.click()  # N2 submitted
    app.candidate_list.value = "N1"
    fill(app, {"team": points["team"]})  # N1 still a draft, with a new total
    assert reads == []  # saving touched the one line, and read no list
    shown = (app.candidate_list.options, app.candidate_list.value, app.progress.value, app.progress.max,
             app.progress_text.value)
    fresh = logged_in(scoring_app(store, rnd, candidates), codes)
    fresh.candidate_list.value = "N1"
    assert shown == (fresh.candidate_list.options, fresh.candidate_list.value, fresh.progress.value,
                     fresh.progress.max, fresh.progress_text.value)
    assert app.progress.value == 1 and f"{points['leader'] + points['team']:g}" in app.candidate_list.options[0][0]
