"""Review progress: per reviewer and per candidate, what is missing; and the dashboard over a real store."""

from __future__ import annotations

import contextlib

import ipywidgets as widgets
import pandas as pd
import pytest

from workbench import labels
from workbench.config import DEFAULT_ROUND, load_round
from workbench.progress import by_candidate, by_reviewer, progress_app, stage_summary

RND = load_round(DEFAULT_ROUND)
MATERIAL, SITE = list(RND.stages)[:2]


def with_min(n: int):
    return RND.model_copy(update={"review": RND.review.model_copy(update={"min_reviewers": n})})


ASSIGNMENTS = pd.DataFrame(
    [("N1", "R1", MATERIAL), ("N1", "R2", MATERIAL), ("N1", "R3", MATERIAL),
     ("N2", "R1", MATERIAL), ("N2", "R2", MATERIAL), ("N1", "R1", SITE)],
    columns=["nomination_id", "reviewer_id", "stage"])
SHEETS = pd.DataFrame({
    "reviewer_id": ["R1", "R2", "R1", "R3"], "nomination_id": ["N1", "N1", "N2", "N1"],
    "stage": [MATERIAL] * 4, "total": [80.0, 70.0, 60.0, 50.0], "comment": "",
    "status": ["submitted", "submitted", "draft", "submitted"],
    "version": pd.array([1, 2, 1, 1], dtype="Int64"),
    "updated_at": pd.to_datetime(["2022-06-01 09:00", "2022-06-01 10:00", "2022-06-02 08:00", "2022-06-01 11:00"]),
})
REVIEWERS = pd.DataFrame({"reviewer_id": ["R1", "R2", "R3", "R4"], "name": ["甲", "乙", "丙", "丁"], "unit": "大学"})
NOMINATIONS = pd.DataFrame({"nomination_id": ["N1", "N2"], "category": ["employee", "model_worker"],
                            "studio": ["一号工作室", "二号工作室"]})


def test_per_reviewer_says_what_each_has_left():
    got = by_reviewer(ASSIGNMENTS, SHEETS, REVIEWERS, RND).set_index(["reviewer_id", "stage"])
    assert got.loc[("R1", MATERIAL), ["assigned", "submitted", "draft", "none", "missing"]].tolist() == [2, 1, 1, 0, "N2"]
    assert got.loc[("R2", MATERIAL), ["submitted", "none", "missing"]].tolist() == [1, 1, "N2"]
    assert got.loc[("R3", MATERIAL), "missing"] == ""
    assert got.loc[("R1", SITE), ["none", "missing"]].tolist() == [1, "N1"]
    assert got.loc[("R1", MATERIAL), "last_saved"] == pd.Timestamp("2022-06-02 08:00")
    assert pd.isna(got.loc[("R1", SITE), "last_saved"])
    assert got.loc[("R2", MATERIAL), "name"] == "乙"
    assert "R4" not in got.index.get_level_values(0)  # no assignment, nothing missing


@pytest.mark.parametrize("needed, complete_n1", [(3, True), (4, False)])
def test_per_candidate_says_who_has_not_submitted(needed, complete_n1):
    got = by_candidate(ASSIGNMENTS, SHEETS, NOMINATIONS, with_min(needed)).set_index(["nomination_id", "stage"])
    n1 = got.loc[("N1", MATERIAL)]
    assert (n1["submitted"], n1["missing_reviewers"], n1["complete"]) == (3, "", complete_n1)
    assert n1["short"] == max(needed - 3, 0)
    n2 = got.loc[("N2", MATERIAL)]
    assert (n2["draft"], n2["none"], n2["missing_reviewers"], n2["complete"]) == (1, 1, "R1、R2", False)
    assert got.loc[("N1", SITE), "missing_reviewers"] == "R1"
    assert n2["studio"] == "二号工作室"


def test_the_stage_summary_counts_every_expected_sheet():
    got = stage_summary(ASSIGNMENTS, SHEETS, RND).set_index("stage")
    assert got.loc[MATERIAL].tolist() == [5, 3, 1, 1]
    assert got.loc[SITE].tolist() == [1, 0, 0, 1]


def test_nothing_assigned_gives_empty_frames():
    empty = ASSIGNMENTS.iloc[0:0]
    assert by_reviewer(empty, SHEETS.iloc[0:0], REVIEWERS, RND).empty
    assert by_candidate(empty, SHEETS.iloc[0:0], NOMINATIONS, RND).empty


def test_the_dashboard_reads_the_store_and_refreshes(demo_round):
    import workbench as wb

    store = wb.open_store(demo_round)
    app = progress_app(store)
    try:
        sheets = store.sheets()
        first_stage = sheets[sheets["stage"] == MATERIAL]
        assert f"已提交 {(first_stage['status'] == 'submitted').sum()} 份" in app.summary.value
        first = store.reviewers()["reviewer_id"].iloc[0]
        assert first in app.reviewers.value and "<script" not in app.candidates.value
        before = app.header.value
        app.refresh_button.click()
        assert app.summary.value and app.header.value.startswith(before[:20])
    finally:
        widgets.Widget.close_all()


def test_under_assigned_candidates_are_found_per_stage():
    from workbench.progress import under_assigned

    got = under_assigned(ASSIGNMENTS, with_min(3))
    assert got[["nomination_id", "stage", "assigned"]].values.tolist() == [["N1", SITE, 1], ["N2", MATERIAL, 2],
                                                                          ["N2", SITE, 0]]
    assert under_assigned(ASSIGNMENTS, with_min(3), ["N1"])["stage"].tolist() == [SITE]
    assert under_assigned(ASSIGNMENTS, with_min(1), ["N1"]).empty
    flags = by_candidate(ASSIGNMENTS, SHEETS, NOMINATIONS, with_min(3)).set_index(["nomination_id", "stage"])
    assert flags["under_assigned"].to_dict() == {("N1", MATERIAL): False, ("N2", MATERIAL): True, ("N1", SITE): True}


@contextlib.contextmanager
def small_store(tmp_path, rnd, reviewers: list[str], nominations: list[str]):
    """A store with test_store's people and nominations, and these (nomination, reviewer) pairs assigned."""
    from tests.test_store import NOMINATIONS as NOMS
    from tests.test_store import REVIEWERS as PEOPLE
    from workbench.store import open_store

    store = open_store(rnd.at(tmp_path), f"sqlite:///{tmp_path / 'scores.sqlite'}")
    try:
        store.add_reviewers(PEOPLE)
        store.save_nominations(NOMS)
        store.save_assignments(pd.DataFrame({"nomination_id": nominations, "reviewer_id": reviewers, "stage": MATERIAL}))
        yield store
    finally:
        store.close()
        widgets.Widget.close_all()


def test_the_dashboard_names_studios_and_highlights_the_under_assigned(tmp_path):
    """After a declared conflict a candidate has fewer reviewers than required: its row says so."""
    import re

    with small_store(tmp_path, with_min(2), ["R1", "R2", "R1", "R2"], ["N1", "N1", "N3", "N3"]) as store:
        store.declare_conflict("R2", "N1", "亲属")
        app = progress_app(store)
        table = app.candidates.value
        rows = [r for r in table.split("<tr") if r.startswith(' class="wb-under"')]
        assert len(rows) == 1 and "甲工作室" in rows[0] and labels.PROGRESS["under_assigned"] in rows[0]
        assert "丙工作室" in table and not re.search(r"<td[^>]*>N[13]</td>", table)  # studios, not ids
        missing = re.findall(r'<td class="wb-missing">([^<]*)</td>', app.reviewers.value)
        assert "甲工作室、丙工作室" in missing and not any(re.search(r"\bN\d\b", m) for m in missing)
        assert "张评委" in table  # who has not submitted, by name


def test_the_dashboard_shows_who_has_not_signed_the_pledge(tmp_path):
    """A reviewer without a pledge cannot score (issue 13): progress says so before they try, and highlights them."""
    rnd = with_min(1)
    with small_store(tmp_path, rnd, ["R1", "R2"], ["N1", "N3"]) as store:
        store.record_pledge("R1", method="paper", actor="王秘书")
        app = progress_app(store)
        rows = {r.split("</td>")[0].rsplit(">", 1)[-1]: r for r in app.reviewers.value.split("<tr")[2:]}
        assert labels.PLEDGE_STATUS[True] in rows["R1"] and labels.PLEDGE_STATUS[False] in rows["R2"]
        assert rnd.panel.pledge_required and rows["R2"].startswith(' class="wb-under"')
        assert not rows["R1"].startswith(' class="wb-under"')
