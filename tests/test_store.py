"""The score store: round trips, refusals, the event ledger, access codes, conflicts, closed stages,
concurrent writers and a writer killed mid-save.

Every test that takes the `store` fixture runs twice: on a SQLite file and on PostgreSQL. The
PostgreSQL run needs WORKBENCH_TEST_PG_URL (a database the tests may create schemas in; see
scripts/postgres-for-tests.sh); without it that variant is skipped, or fails when CI is set.
"""

from __future__ import annotations

import datetime as dt
import math
import multiprocessing
import os
import signal
import sqlite3
import uuid

import pandas as pd
import pytest
from sqlalchemy import create_engine, event
from sqlalchemy.engine import make_url

from workbench.config import DEFAULT_ROUND, load_round
from workbench.errors import AccessCodeError, StageClosedError
from workbench.ranking import rank
from workbench.review import AssignmentError
from workbench.store import (
    CODE_ALPHABET,
    SCHEMA_VERSION,
    NotAssignedError,
    ScoreValidationError,
    StaleWriteError,
    WorkbenchError,
    open_store,
)

PG_URL_ENV = "WORKBENCH_TEST_PG_URL"

NOMINATIONS = pd.DataFrame({
    "nomination_id": ["N1", "N2", "N3"],
    "category": ["model_worker", "employee", "demonstration"],
    "studio": ["甲工作室", "乙工作室", "丙工作室"],
    "host_unit": ["甲公司", "乙公司", "丙公司"],
    "recommender": ["梁溪区总工会", "梁溪区总工会", "锡山区总工会"],
})
REVIEWERS = pd.DataFrame({
    "reviewer_id": ["R1", "R2", "R3"],
    "name": ["张评委", "李评委", "王评委"],
    "unit": ["江南大学", "无锡职业技术学院", "乙公司"],  # R3 works at N2's host unit
})


def points_for(rnd, category: str, stage: str, fraction: float = 0.8) -> dict[str, float]:
    """Valid points for every criterion: `fraction` of each maximum, down to the score step."""
    step = rnd.review.score_step
    return {c.code: math.floor(c.max[category] * fraction / step) * step for c in rnd.criteria(category, stage)}


def url_of(store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, rnd, monkeypatch):
    """The database of one test: the round's default SQLite file, or a fresh schema in PostgreSQL."""
    monkeypatch.delenv("WORKBENCH_DB", raising=False)
    if request.param == "sqlite":
        yield f"sqlite:///{rnd.paths.workdir / 'workbench.sqlite'}"
        return
    base = os.environ.get(PG_URL_ENV)
    if not base:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {PG_URL_ENV} is not: start PostgreSQL with scripts/postgres-for-tests.sh")
        pytest.skip(f"{PG_URL_ENV} is not set (see scripts/postgres-for-tests.sh)")
    schema = f"wb_{uuid.uuid4().hex[:16]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield make_url(base).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture
def store(rnd, db_url):
    with open_store(rnd, db_url) as s:
        yield s


@pytest.fixture
def seeded(store, stage):
    """N1 and N2 assigned to R1 and R2 at the first stage (R3 is conflicted with N2)."""
    store.add_reviewers(REVIEWERS)
    store.save_nominations(NOMINATIONS)
    store.save_assignments(pd.DataFrame({"nomination_id": ["N1", "N1", "N2", "N2"],
                                         "reviewer_id": ["R1", "R2", "R1", "R2"], "stage": stage}))
    pledged(store, REVIEWERS["reviewer_id"])
    return store


def pledged(store, reviewer_ids) -> None:
    """Signed paper pledges for these reviewers: no pledge, no scoring."""
    for reviewer_id in reviewer_ids:
        store.record_pledge(reviewer_id, method="paper", actor="王秘书")


def score_events(store) -> pd.DataFrame:
    h = store.history()
    return h[h["kind"].isin(["score_save", "score_submit"])]


# ---------------------------------------------------------------------------- opening
def test_default_store_is_a_wal_sqlite_file_in_the_round_folder(rnd, monkeypatch):
    monkeypatch.delenv("WORKBENCH_DB", raising=False)
    open_store(rnd).close()
    path = rnd.paths.workdir / "workbench.sqlite"
    assert path.exists()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT version FROM schema_version").fetchone()[0] >= 1


def test_workbench_db_and_explicit_url_take_precedence(rnd, tmp_path, monkeypatch):
    env_db, explicit_db = tmp_path / "env.sqlite", tmp_path / "explicit.sqlite"
    monkeypatch.setenv("WORKBENCH_DB", f"sqlite:///{env_db}")
    open_store(rnd).close()
    assert env_db.exists() and not (rnd.paths.workdir / "workbench.sqlite").exists()
    open_store(rnd, f"sqlite:///{explicit_db}").close()
    assert explicit_db.exists()


def test_reopening_keeps_everything(seeded, rnd, stage):
    seeded.save_scores("R1", "N1", stage, points_for(rnd, "model_worker", stage), submit=True)
    before = (seeded.scores(), seeded.ledger_hash())
    seeded.close()
    with open_store(rnd, url_of(seeded)) as again:
        pd.testing.assert_frame_equal(again.scores(), before[0])
        assert again.ledger_hash() == before[1]


# ---------------------------------------------------------------------------- identities
def test_add_reviewers_is_an_idempotent_upsert(store):
    store.add_reviewers(REVIEWERS)
    store.add_reviewers(REVIEWERS.iloc[::-1])
    assert store.reviewers().sort_values("reviewer_id").reset_index(drop=True).equals(
        REVIEWERS.astype("str").sort_values("reviewer_id").reset_index(drop=True))
    moved = REVIEWERS.assign(unit=["江南大学", "无锡市总工会", "乙公司"])
    store.add_reviewers(moved)
    assert store.reviewers().set_index("reviewer_id").loc["R2", "unit"] == "无锡市总工会"
    changes = store.history(reviewer_id="R2")
    assert [e["unit"] for e in changes["new"]] == ["无锡职业技术学院", "无锡市总工会"]
    assert changes["old"].iloc[-1]["unit"] == "无锡职业技术学院"


def test_a_nomination_without_a_known_category_is_kept_but_cannot_be_assigned(store, stage):
    store.add_reviewers(REVIEWERS)
    store.save_nominations(NOMINATIONS.assign(category=["model_worker", "劳模", None]))
    assert len(store.nominations()) == len(NOMINATIONS)
    with pytest.raises(AssignmentError) as err:
        store.save_assignments(pd.DataFrame({"nomination_id": ["N1", "N2"], "reviewer_id": "R1", "stage": stage}))
    assert err.value.code == "unknown_category" and "N2" in str(err.value)
    assert store.assignments().empty


# ---------------------------------------------------------------------------- scores
def test_scores_round_trip(seeded, rnd, stage):
    points = points_for(rnd, "model_worker", stage)
    draft = {k: points[k] for k in list(points)[:2]}
    assert seeded.save_scores("R1", "N1", stage, draft) == 1
    version = seeded.save_scores("R1", "N1", stage, points, comment="材料详实", version=1, submit=True)
    assert version == 2
    scores = seeded.scores()
    assert list(scores.columns) == ["nomination_id", "reviewer_id", "stage", "criterion", "points", "status", "updated_at"]
    assert dict(zip(scores["criterion"], scores["points"])) == points
    assert set(scores["status"]) == {"submitted"}
    sheet = seeded.sheets().iloc[0]
    assert (sheet["total"], sheet["comment"], sheet["version"]) == (sum(points.values()), "材料详实", 2)
    loaded = seeded.load_sheet("R1", "N1", stage)
    assert (loaded["points"], loaded["status"], loaded["version"]) == (points, "submitted", 2)


def test_a_save_without_changes_keeps_the_version_and_writes_no_event(seeded, rnd, stage):
    points = points_for(rnd, "model_worker", stage)
    v = seeded.save_scores("R1", "N1", stage, points)
    n_events = len(seeded.history())
    assert seeded.save_scores("R1", "N1", stage, points, version=v) == v
    assert len(seeded.history()) == n_events


def statements_of(store, action) -> list[str]:
    """The SQL statements `action` sends to the database (SQLAlchemy's cursor events), BEGIN included."""
    sent = []

    def count(conn, cursor, statement, *_args) -> None:
        sent.append(statement.split()[0].upper())

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        action()
    finally:
        event.remove(store.engine, "before_cursor_execute", count)
    return sent


def test_a_save_is_one_read_and_its_writes(seeded, rnd, stage):
    points = points_for(rnd, "model_worker", stage)
    first = statements_of(seeded, lambda: seeded.save_scores("R1", "N1", stage, points))
    # one read (pair, conflicts, stage lock, stored sheet), then the sheet, its points and the event
    assert first.count("SELECT") == 1 and first.count("INSERT") == 3 and len(first) <= 5, first
    again = statements_of(seeded, lambda: seeded.save_scores("R1", "N1", stage, points_for(rnd, "model_worker", stage, 0.9),
                                                             version=1, submit=True))
    # the sheet, the changed points (one upsert, nothing deleted) and the event
    assert again.count("SELECT") == 1 and again.count("UPDATE") == 1 and again.count("DELETE") == 0, again
    assert again.count("INSERT") == 2 and len(again) <= 5, again
    unchanged = statements_of(seeded, lambda: seeded.save_scores("R1", "N1", stage, points_for(rnd, "model_worker", stage, 0.9),
                                                                 version=2, submit=True))
    assert unchanged.count("SELECT") == 1 and not {"INSERT", "UPDATE", "DELETE"} & set(unchanged), unchanged
    sheet = seeded.load_sheet("R1", "N1", stage)
    assert sheet["version"] == 2 and sheet["status"] == "submitted" and sheet["points"] == points_for(rnd, "model_worker", stage, 0.9)


def test_a_reviewers_save_writes_only_what_changed_and_checks_the_session_in_its_one_read(seeded, rnd, stage):
    from workbench.store.codes import code_id

    code = seeded.issue_codes(["R1"])["code"].iloc[0]
    assert seeded.login(code) == "R1"
    session = code_id(code)
    points = points_for(rnd, "model_worker", stage)
    v = seeded.save_scores("R1", "N1", stage, points, session=session)
    one, first = sorted(points)[0], sorted(points)[1]
    changed = {**points, one: points[one] - rnd.review.score_step}
    sent = statements_of(seeded, lambda: seeded.save_scores("R1", "N1", stage, changed, version=v, session=session))
    assert sent.count("SELECT") == 1 and sent.count("DELETE") == 0 and len(sent) <= 5, sent
    assert seeded.load_sheet("R1", "N1", stage)["points"] == changed
    blanked = {c: x for c, x in changed.items() if c != first}  # a field emptied: its point goes
    sent = statements_of(seeded, lambda: seeded.save_scores("R1", "N1", stage, blanked, version=v + 1, session=session))
    assert sent.count("DELETE") == 1 and sent.count("SELECT") == 1, sent
    sheet = seeded.load_sheet("R1", "N1", stage)
    assert sheet["points"] == blanked and sheet["version"] == v + 2
    assert seeded.scores().query("reviewer_id == 'R1' and nomination_id == 'N1'").set_index("criterion")["points"].to_dict() == blanked
    last = score_events(seeded).iloc[-1]
    assert last["old"]["points"] == changed and last["new"]["points"] == blanked


def test_a_bulk_save_reads_once_per_batch_not_per_sheet(seeded, rnd, stage):
    rows = [{"nomination_id": n, "reviewer_id": r, "stage": stage, "criterion": c, "points": v}
            for n, cat in (("N1", "model_worker"), ("N2", "employee")) for r in ("R1", "R2")
            for c, v in points_for(rnd, cat, stage).items()]
    sent = statements_of(seeded, lambda: seeded.save_scores_frame(pd.DataFrame(rows)))
    assert sent.count("SELECT") == 1 and sent.count("INSERT") == 3, sent
    assert len(seeded.sheets()) == 4


def test_a_stale_form_is_refused_and_nothing_is_overwritten(seeded, rnd, stage):
    first = points_for(rnd, "model_worker", stage, 0.8)
    v = seeded.save_scores("R1", "N1", stage, first)
    # two forms opened at version v; the first saves, the second is stale
    mine = seeded.save_scores("R1", "N1", stage, points_for(rnd, "model_worker", stage, 0.9), version=v)
    before = (seeded.scores(), len(seeded.history()))
    with pytest.raises(StaleWriteError) as err:
        seeded.save_scores("R1", "N1", stage, points_for(rnd, "model_worker", stage, 0.7), version=v)
    assert err.value.code == "stale_write" and "刷新" in str(err.value)
    with pytest.raises(StaleWriteError):  # a "new" sheet over an existing one is stale too
        seeded.save_scores("R1", "N1", stage, first, version=None)
    pd.testing.assert_frame_equal(seeded.scores(), before[0])
    assert len(seeded.history()) == before[1]
    assert seeded.load_sheet("R1", "N1", stage)["version"] == mine


def test_an_unassigned_pair_is_refused(seeded, rnd, stage):
    points = points_for(rnd, "demonstration", stage)
    with pytest.raises(NotAssignedError) as err:
        seeded.save_scores("R1", "N3", stage, points)
    assert err.value.code == "not_assigned"
    with pytest.raises(NotAssignedError):
        seeded.save_scores("R1", "N404", stage, points)
    assert seeded.sheets().empty


def test_a_conflicted_pair_cannot_be_assigned(seeded, stage):
    before = seeded.assignments()
    with pytest.raises(AssignmentError) as err:
        seeded.save_assignments(pd.DataFrame({"nomination_id": ["N2"], "reviewer_id": ["R3"], "stage": [stage]}),
                                replace=False)
    assert err.value.code == "assignment_conflict" and "R3" in str(err.value)
    pd.testing.assert_frame_equal(seeded.assignments(), before)


def test_a_reviewer_who_moved_into_a_conflict_cannot_score(seeded, rnd, stage):
    seeded.add_reviewers(REVIEWERS.assign(unit=["江南大学", " 乙公司 ", "乙公司"]))  # R2 now at N2's host unit
    with pytest.raises(NotAssignedError) as err:
        seeded.save_scores("R2", "N2", stage, points_for(rnd, "employee", stage))
    assert err.value.code == "conflicted"
    assert seeded.sheets().empty


def _bad_points(rnd, stage):
    category = "model_worker"
    crit = rnd.criteria(category, stage)[0]
    top, step = crit.max[category], rnd.review.score_step
    return [
        ({crit.code: top + step}, "out_of_range"),
        ({crit.code: -step}, "out_of_range"),
        ({crit.code: step / 2}, "wrong_step"),
        ({"no_such_criterion": step}, "unknown_criterion"),
        ({crit.code: float("nan")}, "not_a_number"),
        ({crit.code: float("inf")}, "not_a_number"),
        ({crit.code: str(step)}, "not_a_number"),
        ({crit.code: True}, "not_a_number"),
    ]


@pytest.mark.parametrize("case", range(8))
def test_bad_values_are_refused_with_their_code(seeded, rnd, stage, case):
    points, code = _bad_points(rnd, stage)[case]
    with pytest.raises(ScoreValidationError) as err:
        seeded.save_scores("R1", "N1", stage, points)
    assert err.value.code == code
    assert err.value.problems[0]["criterion"] == next(iter(points))
    assert seeded.sheets().empty and score_events(seeded).empty


def test_the_message_names_the_criterion_in_chinese(seeded, rnd, stage):
    crit = rnd.criteria("model_worker", stage)[0]
    with pytest.raises(ScoreValidationError) as err:
        seeded.save_scores("R1", "N1", stage, {crit.code: crit.max["model_worker"] + 10})
    assert crit.label in str(err.value) and "[out_of_range]" in str(err.value)


def test_submitting_needs_every_criterion(seeded, rnd, stage):
    points = points_for(rnd, "model_worker", stage)
    left_out = list(points)[-1]
    partial = {k: v for k, v in points.items() if k != left_out}
    with pytest.raises(ScoreValidationError) as err:
        seeded.save_scores("R1", "N1", stage, partial, submit=True)
    assert err.value.code == "missing_criterion" and err.value.problems[0]["criterion"] == left_out
    assert seeded.save_scores("R1", "N1", stage, partial) == 1  # a draft may be partial
    assert set(seeded.scores()["status"]) == {"draft"}


@pytest.mark.parametrize("fraction", [0.3, 1.0])
def test_an_extreme_total_needs_a_comment_to_submit(seeded, rnd, stage, fraction):
    points = points_for(rnd, "model_worker", stage, fraction)
    total = sum(points.values())
    assert total < rnd.review.comment_below or total > rnd.review.comment_above
    with pytest.raises(ScoreValidationError) as err:
        seeded.save_scores("R1", "N1", stage, points, comment="  ", submit=True)
    assert err.value.code == "comment_required"
    assert seeded.save_scores("R1", "N1", stage, points, submit=False) == 1  # drafts need no comment yet
    assert seeded.save_scores("R1", "N1", stage, points, comment="理由充分", version=1, submit=True) == 2


def test_history_has_old_and_new_for_every_change(seeded, rnd, stage):
    v = None
    for fraction, submit in [(0.6, False), (0.7, False), (0.8, True), (0.75, False)]:
        v = seeded.save_scores("R1", "N1", stage, points_for(rnd, "model_worker", stage, fraction), version=v, submit=submit)
    events = score_events(seeded)
    events = events[(events["reviewer_id"] == "R1") & (events["nomination_id"] == "N1")]
    assert list(events["kind"]) == ["score_save", "score_save", "score_submit", "score_save"]
    assert events["old"].iloc[0] is None
    for previous, current in zip(events["new"].iloc[:-1], events["old"].iloc[1:]):
        assert previous == current
    assert [e["version"] for e in events["new"]] == [1, 2, 3, 4]
    assert events["new"].iloc[-1]["points"] == points_for(rnd, "model_worker", stage, 0.75)
    assert events["new"].iloc[-1]["status"] == "draft"  # editing a submitted sheet makes it a draft again


# ---------------------------------------------------------------------------- bulk loading
def _frame(rnd, stage, pairs, fraction=0.8):
    rows = []
    for nomination_id, reviewer_id, category in pairs:
        for criterion, points in points_for(rnd, category, stage, fraction).items():
            rows.append({"nomination_id": nomination_id, "reviewer_id": reviewer_id, "stage": stage,
                         "criterion": criterion, "points": points})
    return pd.DataFrame(rows)


def test_scores_are_sorted_categoricals_that_rank_as_their_text(seeded, rnd, stage):
    frame = _frame(rnd, stage, [("N2", "R2", "employee"), ("N1", "R2", "model_worker"), ("N1", "R1", "model_worker")])
    seeded.save_scores_frame(frame)
    seeded.save_scores("R1", "N2", stage, {next(iter(points_for(rnd, "employee", stage))): 1.0})  # a draft
    scores = seeded.scores()
    text = ["nomination_id", "reviewer_id", "stage", "criterion", "status"]
    for column in text:
        values = scores[column]
        assert isinstance(values.dtype, pd.CategoricalDtype), column
        assert list(values.cat.categories) == sorted(set(values.astype(str))), column  # present values, sorted
    as_text = scores.astype({c: "str" for c in text})
    order = {c.code: i for i, c in enumerate(rnd.rubric)}
    key = as_text.assign(_o=as_text["criterion"].map(order))[["nomination_id", "stage", "reviewer_id", "_o"]]
    assert list(key.itertuples(index=False)) == sorted(key.itertuples(index=False))  # the store's order
    assert (scores["status"] == "draft").sum() == 1 and scores[scores["reviewer_id"] == "R2"]["nomination_id"].nunique() == 2
    screened = pd.DataFrame({"nomination_id": ["N1", "N2"], "category": ["model_worker", "employee"], "recommender": "U",
                             "studio": ["S1", "S2"], "host_unit": "H", "leader": "L", "eligibility": "eligible",
                             "quota_status": "in_quota"})
    pd.testing.assert_frame_equal(rank(screened, scores, rnd), rank(screened, as_text, rnd))


def test_a_scores_frame_loads_through_the_same_checks(seeded, rnd, stage):
    frame = _frame(rnd, stage, [("N1", "R1", "model_worker"), ("N2", "R2", "employee")])
    assert seeded.save_scores_frame(frame) == 2
    stored = seeded.scores()[["nomination_id", "reviewer_id", "stage", "criterion", "points"]]
    stored = stored.astype({c: "str" for c in ["nomination_id", "reviewer_id", "stage", "criterion"]})  # categoricals
    key = ["nomination_id", "reviewer_id", "criterion"]
    pd.testing.assert_frame_equal(stored.sort_values(key).reset_index(drop=True),
                                  frame.astype({"points": "float64"}).sort_values(key).reset_index(drop=True),
                                  check_dtype=False)
    assert set(seeded.sheets()["status"]) == {"submitted"}
    assert len(score_events(seeded)) == 2


def test_a_bad_scores_frame_writes_nothing(seeded, rnd, stage):
    frame = _frame(rnd, stage, [("N1", "R1", "model_worker"), ("N2", "R2", "employee")])
    frame.loc[len(frame) - 1, "points"] = float("nan")
    with pytest.raises(ScoreValidationError) as err:
        seeded.save_scores_frame(frame)
    assert err.value.code == "not_a_number" and "N2/R2" in str(err.value)
    with pytest.raises(NotAssignedError):
        seeded.save_scores_frame(_frame(rnd, stage, [("N1", "R1", "model_worker"), ("N3", "R1", "demonstration")]))
    with pytest.raises(ScoreValidationError) as err:
        seeded.save_scores_frame(pd.concat([frame.iloc[:1], frame.iloc[:1]]))
    assert err.value.code == "duplicate_criterion"
    assert seeded.sheets().empty and score_events(seeded).empty


# ---------------------------------------------------------------------------- assignments
def test_replacing_the_plan_withdraws_unscored_pairs_only(seeded, rnd, stage):
    seeded.save_scores("R1", "N1", stage, points_for(rnd, "model_worker", stage))
    keep_scored = pd.DataFrame({"nomination_id": ["N1", "N2"], "reviewer_id": ["R1", "R1"], "stage": stage})
    seeded.save_assignments(keep_scored)
    assert set(seeded.assignments()["reviewer_id"]) == {"R1"}
    assert set(seeded.history()["kind"]) >= {"assign", "unassign"}
    with pytest.raises(AssignmentError) as err:
        seeded.save_assignments(keep_scored.iloc[1:])
    assert err.value.code == "assignment_in_use" and "N1" in str(err.value)
    assert len(seeded.assignments()) == 2


def test_a_plan_with_unknown_ids_or_stages_is_refused(seeded, stage):
    for plan, code in [({"nomination_id": ["N9"], "reviewer_id": ["R1"], "stage": [stage]}, "unknown_nomination"),
                       ({"nomination_id": ["N1"], "reviewer_id": ["R9"], "stage": [stage]}, "unknown_reviewer"),
                       ({"nomination_id": ["N1"], "reviewer_id": ["R1"], "stage": ["答辩"]}, "unknown_stage")]:
        with pytest.raises(AssignmentError) as err:
            seeded.save_assignments(pd.DataFrame(plan), replace=False)
        assert err.value.code == code


# ---------------------------------------------------------------------------- decisions, overrides, ledger
def test_decisions_keep_the_latest_and_the_trail(seeded):
    assert seeded.record_decision("N1", "defer", "待补材料", "snap-1", "秘书") == 1
    assert seeded.record_decision("N1", "approve", "", "snap-2", "秘书", version=1) == 2
    latest = seeded.decisions().set_index("nomination_id").loc["N1"]
    assert (latest["decision"], latest["snapshot_id"], latest["version"]) == ("approve", "snap-2", 2)
    trail = seeded.history(nomination_id="N1")
    trail = trail[trail["kind"] == "decision"]
    assert [e["decision"] for e in trail["new"]] == ["defer", "approve"]
    assert trail["old"].iloc[1]["decision"] == "defer"


@pytest.mark.parametrize("args, code", [
    (("N1", "maybe", "", "snap", "秘书"), "bad_decision"),
    (("N1", "approve", "", "", "秘书"), "snapshot_required"),
    (("N1", "approve", "", "snap", " "), "actor_required"),
    (("N404", "approve", "", "snap", "秘书"), "unknown_nomination"),
])
def test_bad_decisions_are_refused(seeded, args, code):
    with pytest.raises(WorkbenchError) as err:
        seeded.record_decision(*args)
    assert err.value.code == code
    assert seeded.decisions().empty


def test_a_decision_from_a_stale_screen_is_refused_and_says_who_changed_it(seeded):
    v1 = seeded.record_decision("N1", "approve", "", "snap-1", "第一窗口")
    v2 = seeded.record_decision("N1", "defer", "再议", "snap-1", "第二窗口", version=v1)
    for stale in (None, v1, 7):  # a screen that saw no decision, the first one, or a made-up version
        with pytest.raises(StaleWriteError) as err:
            seeded.record_decision("N1", "reject", "", "snap-1", "第一窗口", version=stale)
        assert err.value.code == "stale_write"
        assert "第二窗口" in str(err.value) and "暂缓" in str(err.value) and "甲工作室" in str(err.value)
        assert err.value.current["version"] == v2
    latest = seeded.decisions().set_index("nomination_id").loc["N1"]
    assert (latest["decision"], latest["actor"], latest["version"]) == ("defer", "第二窗口", v2)
    assert seeded.record_decision("N1", "defer", "再议", "snap-1", "第二窗口", version=v2) == v2  # nothing new
    assert (seeded.history(nomination_id="N1")["kind"] == "decision").sum() == 2
    with pytest.raises(StaleWriteError):
        seeded.record_decision("N2", "approve", "", "snap-1", "秘书", version=1)  # no decision to be at version 1
    with pytest.raises(WorkbenchError) as err:
        seeded.record_decision("N1", "reject", "", "snap-1", "秘书", version="2")
    assert err.value.code == "bad_version"


def test_a_replacement_is_a_decision_of_its_own(seeded):
    seeded.save_nominations(pd.concat([NOMINATIONS, pd.DataFrame({
        "nomination_id": ["N4"], "category": ["model_worker"], "studio": ["丁工作室"], "host_unit": ["丁公司"],
        "recommender": ["锡山区总工会"]})]))
    with pytest.raises(WorkbenchError) as err:  # N1 is not rejected or deferred: nothing to replace
        seeded.record_decision("N4", "approve", "递补", "snap", "秘书", replaces="N1")
    assert err.value.code == "bad_replacement"
    seeded.record_decision("N1", "reject", "", "snap", "秘书")
    for nid, decision, replaced in (("N2", "approve", "N1"), ("N4", "defer", "N1"), ("N1", "approve", "N1")):
        with pytest.raises(WorkbenchError) as err:  # another category, not an approval, itself
            seeded.record_decision(nid, decision, "", "snap", "秘书", replaces=replaced)
        assert err.value.code == "bad_replacement"
    with pytest.raises(NotAssignedError):
        seeded.record_decision("N4", "approve", "", "snap", "秘书", replaces="N404")
    assert seeded.record_decision("N4", "approve", "递补", "snap", "秘书", replaces="N1") == 1
    found = seeded.decisions().set_index("nomination_id")
    assert found.loc["N4", "replaces"] == "N1" and found.loc["N1", "decision"] == "reject"
    assert pd.isna(found.loc["N1", "replaces"])


def test_an_override_needs_a_reason(seeded):
    with pytest.raises(WorkbenchError) as err:
        seeded.record_override("N1", "eligibility", "eligible", "  ", "分析员")
    assert err.value.code == "reason_required"
    seeded.record_override("N1", "quota_status", "in_quota", "推荐单位说明情况特殊", "分析员")
    assert seeded.overrides()[["nomination_id", "verdict", "value"]].values.tolist() == [["N1", "quota_status", "in_quota"]]


def test_the_ledger_hash_follows_every_change(seeded, rnd, stage):
    first = seeded.ledger_hash()
    assert first == seeded.ledger_hash()
    seeded.save_scores("R1", "N1", stage, points_for(rnd, "model_worker", stage))
    second = seeded.ledger_hash()
    seeded.record_decision("N1", "approve", "", second, "秘书")
    assert len({first, second, seeded.ledger_hash()}) == 3


def test_errors_share_the_workbench_base_and_carry_a_code():
    for cls in (StaleWriteError, NotAssignedError, ScoreValidationError, AssignmentError):
        assert issubclass(cls, WorkbenchError) and cls.code


# ---------------------------------------------------------------------------- concurrency
WRITERS, SHEETS_EACH = 20, 10


def _writer(workdir: str, url: str, reviewer_id: str, nominations: list[str], barrier, results) -> None:
    """One reviewer process: wait for the others, then save a draft and submit each of its sheets."""
    try:
        rnd = load_round(DEFAULT_ROUND).at(workdir)
        stage = next(iter(rnd.stages))
        with open_store(rnd, url) as store:
            barrier.wait(timeout=120)
            for nomination_id in nominations:
                v = store.save_scores(reviewer_id, nomination_id, stage, points_for(rnd, "model_worker", stage, 0.7))
                store.save_scores(reviewer_id, nomination_id, stage, points_for(rnd, "model_worker", stage, 0.8),
                                  version=v, submit=True)
        results.put((reviewer_id, "ok"))
    except Exception as exc:  # reported to the test, which fails on it
        results.put((reviewer_id, f"{type(exc).__name__}: {exc}"))


def test_concurrent_reviewer_processes_lose_nothing(store, rnd, stage):
    reviewers = [f"R{i}" for i in range(WRITERS)]
    nominations = [f"N{j:02d}" for j in range(SHEETS_EACH)]
    store.add_reviewers(pd.DataFrame({"reviewer_id": reviewers, "name": reviewers, "unit": [f"大学{i}" for i in range(WRITERS)]}))
    store.save_nominations(pd.DataFrame({"nomination_id": nominations, "category": "model_worker",
                                         "host_unit": [f"公司{j}" for j in range(SHEETS_EACH)], "recommender": "市总工会"}))
    store.save_assignments(pd.DataFrame([(n, r, stage) for r in reviewers for n in nominations],
                                        columns=["nomination_id", "reviewer_id", "stage"]))
    pledged(store, reviewers)
    url = url_of(store)
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(WRITERS), ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(str(rnd.paths.workdir), url, r, nominations, barrier, results))
             for r in reviewers]
    for p in procs:
        p.start()
    outcomes = dict(results.get(timeout=300) for _ in procs)
    for p in procs:
        p.join(timeout=60)
    assert outcomes == dict.fromkeys(reviewers, "ok")
    sheets = store.sheets()
    assert len(sheets) == WRITERS * SHEETS_EACH
    assert set(sheets["status"]) == {"submitted"} and set(sheets["version"]) == {2}
    assert len(score_events(store)) == 2 * WRITERS * SHEETS_EACH
    assert len(store.scores()) == WRITERS * SHEETS_EACH * len(rnd.criteria("model_worker", stage))


# ---------------------------------------------------------------------------- a writer killed mid-save
def _killable_writer(workdir: str, url: str, reviewer_id: str, nominations: list[str], hold_at: int, pipe) -> None:
    """Submit sheets one by one, reporting each after its commit; the `hold_at`-th save stops inside
    its commit (rows written, not yet committed) and says so, waiting for SIGKILL."""
    import time

    rnd = load_round(DEFAULT_ROUND).at(workdir)
    stage = next(iter(rnd.stages))
    done = 0
    with open_store(rnd, url) as store:
        @event.listens_for(store.engine, "commit")
        def _hold(_conn) -> None:
            if done == hold_at:
                pipe.send(("holding", nominations[done]))
                time.sleep(600)

        for nomination_id in nominations:
            version = store.save_scores(reviewer_id, nomination_id, stage, points_for(rnd, "model_worker", stage),
                                        comment="进程被终止前", submit=True)
            done += 1
            pipe.send(("committed", nomination_id, version))


def test_a_writer_killed_mid_save_leaves_every_committed_score(store, rnd, stage):
    nominations = [f"N{j:02d}" for j in range(8)]
    store.add_reviewers(pd.DataFrame({"reviewer_id": ["R1", "R2"], "name": ["甲", "乙"], "unit": ["大学", "学院"]}))
    store.save_nominations(pd.DataFrame({"nomination_id": nominations, "category": "model_worker",
                                         "host_unit": [f"公司{j}" for j in range(8)], "recommender": "市总工会"}))
    store.save_assignments(pd.DataFrame([(n, r, stage) for r in ("R1", "R2") for n in nominations],
                                        columns=["nomination_id", "reviewer_id", "stage"]))
    pledged(store, ["R1", "R2"])
    ctx = multiprocessing.get_context("spawn")
    ours, theirs = ctx.Pipe()
    proc = ctx.Process(target=_killable_writer, args=(str(rnd.paths.workdir), url_of(store), "R1", nominations, 5, theirs))
    proc.start()
    committed = {}
    while True:
        assert ours.poll(180), "the writer neither committed nor reached the held save"
        message = ours.recv()
        if message[0] == "holding":
            held = message[1]
            break
        committed[message[1]] = message[2]
    os.kill(proc.pid, signal.SIGKILL)
    proc.join(60)
    assert proc.exitcode == -signal.SIGKILL
    assert len(committed) == 5 and held not in committed

    with open_store(rnd, url_of(store)) as after:  # a new process-like opening reads everything back
        if after.engine.dialect.name == "sqlite":
            with sqlite3.connect(rnd.paths.workdir / "workbench.sqlite") as conn:
                assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        sheets = after.sheets().set_index("nomination_id")
        assert set(sheets.index) == set(committed)
        assert sheets["version"].to_dict() == committed
        assert set(sheets["status"]) == {"submitted"}
        assert len(score_events(after)) == len(committed)
        assert len(after.scores()) == len(committed) * len(rnd.criteria("model_worker", stage))
        # nothing is left locked: the held sheet and another reviewer's can be saved now
        assert after.save_scores("R1", held, stage, points_for(rnd, "model_worker", stage)) == 1
        assert after.save_scores("R2", held, stage, points_for(rnd, "model_worker", stage)) == 1


# ---------------------------------------------------------------------------- a writer stopped mid-save
def quick(rnd, seconds: float = 2):
    """The round with a short wait for the store's locks."""
    return rnd.model_copy(update={"serving": rnd.serving.model_copy(update={"lock_wait_seconds": seconds})})


def _stoppable_writer(workdir: str, url: str, pipe) -> None:
    """Save R1's sheet for N00 and stop inside its commit (the write lock held), waiting for SIGSTOP."""
    import time

    rnd = quick(load_round(DEFAULT_ROUND).at(workdir))
    stage = next(iter(rnd.stages))
    with open_store(rnd, url) as store:
        @event.listens_for(store.engine, "commit")
        def _hold(_conn) -> None:
            pipe.send(("holding", os.getpid()))
            time.sleep(600)

        store.save_scores("R1", "N00", stage, points_for(rnd, "model_worker", stage))


def _queued_save(workdir: str, url: str, results) -> None:
    """R2's save in a process of its own (its main thread: the alarm path of the lock wait)."""
    rnd = quick(load_round(DEFAULT_ROUND).at(workdir))
    stage = next(iter(rnd.stages))
    try:
        with open_store(rnd, url) as store:
            results.put(("saved", store.save_scores("R2", "N01", stage, points_for(rnd, "model_worker", stage))))
    except WorkbenchError as exc:
        results.put((exc.code, str(exc)))


def test_a_stopped_writer_cannot_freeze_the_others(store, rnd, stage):
    """SIGSTOP on a process in the middle of a save: the others get their turn (PostgreSQL ends the
    stopped transaction) or, on SQLite where nothing can take its lock, a clear error naming the
    stopped process after the lock wait; never an endless wait."""
    import threading

    nominations = ["N00", "N01"]
    store.add_reviewers(pd.DataFrame({"reviewer_id": ["R1", "R2"], "name": ["甲", "乙"], "unit": ["大学", "学院"]}))
    store.save_nominations(pd.DataFrame({"nomination_id": nominations, "category": "model_worker",
                                         "host_unit": ["公司0", "公司1"], "recommender": "市总工会"}))
    store.save_assignments(pd.DataFrame([(n, r, stage) for r in ("R1", "R2") for n in nominations],
                                        columns=["nomination_id", "reviewer_id", "stage"]))
    pledged(store, ["R1", "R2"])
    ctx = multiprocessing.get_context("spawn")
    ours, theirs = ctx.Pipe()
    writer = ctx.Process(target=_stoppable_writer, args=(str(rnd.paths.workdir), url_of(store), theirs))
    writer.start()
    try:
        assert ours.poll(180), "the writer never reached its commit"
        assert ours.recv() == ("holding", writer.pid)
        os.kill(writer.pid, signal.SIGSTOP)

        other = open_store(quick(rnd), url_of(store))
        outcome: list = []

        def close_in_thread() -> None:  # another thread of a server: the polling path of the lock wait
            try:
                other.close_stage(stage, actor="analyst")
                outcome.append("closed")
            except WorkbenchError as exc:
                outcome.append((exc.code, str(exc)))

        thread = threading.Thread(target=close_in_thread, daemon=True)
        thread.start()
        thread.join(120)
        assert outcome, "close_stage waited without end behind a stopped writer"
        if store.engine.dialect.name == "postgresql":
            assert outcome == ["closed"] and other.closed_stages() == [stage]
            other.reopen_stage(stage, actor="analyst")
        else:
            code, said = outcome[0]
            assert code == "store_busy" and str(writer.pid) in said and "已暂停" in said
        results = ctx.Queue()
        queued = ctx.Process(target=_queued_save, args=(str(rnd.paths.workdir), url_of(store), results))
        queued.start()
        code, said = results.get(timeout=120)
        queued.join(30)
        if store.engine.dialect.name == "postgresql":
            assert (code, said) == ("saved", 1)
        else:
            assert code == "store_busy" and str(writer.pid) in said
        other.close()
    finally:
        os.kill(writer.pid, signal.SIGKILL)
        writer.join(30)
    assert store.load_sheet("R1", "N00", stage) is None  # the stopped save never happened


# ---------------------------------------------------------------------------- schema upgrade
@pytest.mark.parametrize("version, added", [
    (1, ("declared_conflicts", "stage_state", "access_codes", "access_log", "login_failures", "site_checks",
         "site_visits", "paper_entries", "pledges", "panel_draws")),
    (2, ("login_failures", "site_checks", "site_visits", "paper_entries", "pledges", "panel_draws")),
    (4, ("site_checks", "site_visits", "paper_entries", "pledges", "panel_draws")),
])
def test_an_older_store_is_upgraded_in_place(rnd, monkeypatch, stage, version, added):
    monkeypatch.delenv("WORKBENCH_DB", raising=False)
    with open_store(rnd) as s:
        s.add_reviewers(REVIEWERS)
    path = rnd.paths.workdir / "workbench.sqlite"
    with sqlite3.connect(path) as conn:  # what a store of that version looked like
        for table in added:
            conn.execute(f"DROP TABLE {table}")
        conn.execute(f"UPDATE schema_version SET version = {version}")
    with open_store(rnd) as s:
        assert s.reviewers()["reviewer_id"].tolist() == ["R1", "R2", "R3"]
        assert s.closed_stages() == []
        codes = s.issue_codes()
        assert len(codes) == 3
        with pytest.raises(AccessCodeError):
            s.login("2222-2222-2222")  # counted in the new table
        assert s.login(codes["code"].iloc[0]) == codes["reviewer_id"].iloc[0]
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
    with open_store(rnd) as s:  # the panel's tables exist after the upgrade
        assert s.pledges()["pledged"].tolist() == [False, False, False] and s.draws().empty


def test_a_version_2_store_gets_decision_versions(rnd, monkeypatch):
    monkeypatch.delenv("WORKBENCH_DB", raising=False)
    with open_store(rnd) as s:
        s.save_nominations(NOMINATIONS)
    path = rnd.paths.workdir / "workbench.sqlite"
    with sqlite3.connect(path) as conn:  # the decisions table of version 2, with a decision in it
        conn.execute("DROP TABLE decisions")
        conn.execute("CREATE TABLE decisions (nomination_id VARCHAR(64) PRIMARY KEY, decision VARCHAR(16) NOT NULL, "
                     "note TEXT NOT NULL, snapshot_id VARCHAR(128) NOT NULL, actor VARCHAR(200) NOT NULL, "
                     "at DATETIME NOT NULL)")
        conn.execute("INSERT INTO decisions VALUES ('N1', 'defer', '', 'snap', '秘书', '2022-11-10 09:00:00')")
        conn.execute("UPDATE schema_version SET version = 2")
    with open_store(rnd) as s:
        found = s.decisions().set_index("nomination_id")
        assert (found.loc["N1", "decision"], found.loc["N1", "version"]) == ("defer", 1)
        with pytest.raises(StaleWriteError):
            s.record_decision("N1", "approve", "", "snap", "秘书")
        assert s.record_decision("N1", "approve", "", "snap", "秘书", version=1) == 2
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]


# ---------------------------------------------------------------------------- access codes
CODE_SHAPE = r"^[{a}]{{4}}-[{a}]{{4}}-[{a}]{{4}}$".format(a=CODE_ALPHABET)


def all_stored_text(store) -> str:
    """Every value of every table, as one string: to check that no code is stored anywhere."""
    from workbench.store import metadata

    with store.engine.connect() as conn:
        return "\n".join(str(tuple(row)) for table in metadata.sorted_tables for row in conn.execute(table.select()))


def test_codes_are_issued_once_readable_and_stored_only_as_hashes(seeded):
    issued = seeded.issue_codes()
    assert list(issued.columns) == ["reviewer_id", "name", "code"]
    assert issued["reviewer_id"].tolist() == ["R1", "R2", "R3"]
    assert issued["code"].str.match(CODE_SHAPE).all() and issued["code"].is_unique
    assert not set("0O1I") & set("".join(issued["code"]))
    stored = all_stored_text(seeded)
    for code in issued["code"]:
        assert code not in stored and code.replace("-", "") not in stored and code[5:] not in stored
    assert seeded.issue_codes().empty  # everyone has a valid code: nobody gets another by accident
    assert seeded.access_codes()["has_code"].all()


def test_a_code_logs_its_reviewer_in_however_it_is_typed(seeded):
    codes = dict(seeded.issue_codes()[["reviewer_id", "code"]].itertuples(index=False, name=None))
    ledger = seeded.ledger_hash()
    assert seeded.login(codes["R2"]) == "R2"
    assert seeded.login(" " + codes["R1"].lower().replace("-", " ") + " ") == "R1"
    assert seeded.access_log()["kind"].tolist().count("login") == 2
    assert seeded.ledger_hash() == ledger  # a login is not a change of the round's data


@pytest.mark.parametrize("typed", ["", "hello", None, 12345, "2222-2222-2222", "ABCD-EFGH-JKL0"])
def test_a_wrong_code_is_refused(seeded, typed):
    real = seeded.issue_codes()["code"].tolist()
    with pytest.raises(AccessCodeError) as err:
        seeded.login(typed)
    assert err.value.code == "code_wrong" and "[code_wrong]" in str(err.value) and "访问码" in str(err.value)
    log = seeded.access_log()
    assert log["kind"].iloc[-1] == "login_failed"
    assert not [c for c in real if c in all_stored_text(seeded)]


def test_a_wrong_secret_with_a_real_first_group_is_refused(seeded):
    code = seeded.issue_codes(["R1"])["code"].iloc[0]
    other = next(c for c in CODE_ALPHABET if c != code[-1])
    with pytest.raises(AccessCodeError) as err:
        seeded.login(code[:-1] + other)
    assert err.value.code == "code_wrong"


def test_a_revoked_code_is_refused_and_a_reissued_one_works(seeded):
    first = seeded.issue_codes(["R1"])["code"].iloc[0]
    seeded.revoke_code("R1")
    with pytest.raises(AccessCodeError) as err:
        seeded.login(first)
    assert err.value.code == "code_revoked" and "[code_revoked]" in str(err.value)
    with pytest.raises(WorkbenchError) as err:
        seeded.revoke_code("R1")
    assert err.value.code == "no_active_code"
    second = seeded.issue_codes()  # only R1 lacks a valid code now... and R2, R3 never had one
    assert set(second["reviewer_id"]) == {"R1", "R2", "R3"}
    new = second.set_index("reviewer_id").loc["R1", "code"]
    assert seeded.login(new) == "R1"
    third = seeded.issue_codes("R1")["code"].iloc[0]  # reissue: the previous code stops working
    with pytest.raises(AccessCodeError) as err:
        seeded.login(new)
    assert err.value.code == "code_revoked"
    assert seeded.login(third) == "R1"
    kinds = seeded.access_log("R1")["kind"].tolist()
    assert kinds.count("code_issue") == 3 and kinds.count("code_revoke") == 2


def test_codes_for_unknown_reviewers_are_refused(seeded):
    with pytest.raises(WorkbenchError) as err:
        seeded.issue_codes(["R1", "R404"])
    assert err.value.code == "unknown_reviewer" and "R404" in str(err.value)
    assert not seeded.access_codes()["has_code"].any()
    with pytest.raises(WorkbenchError) as err:
        seeded.revoke_code("R404")
    assert err.value.code == "unknown_reviewer"


def test_wrong_codes_lock_a_code_id_and_a_client_for_the_window_across_stores(seeded, rnd, db_url, monkeypatch):
    codes = dict(seeded.issue_codes()[["reviewer_id", "code"]].itertuples(index=False, name=None))
    limit, window = rnd.serving.login_failures_per_code, rnd.serving.login_window_minutes
    wrong = codes["R1"][:-1] + ("2" if codes["R1"][-1] != "2" else "3")
    for _ in range(limit):
        with pytest.raises(AccessCodeError) as err:
            seeded.login(wrong, client="10.0.0.66")
        assert err.value.code == "code_wrong"
    with open_store(rnd, db_url) as elsewhere:  # another kernel or server on the same store
        with pytest.raises(AccessCodeError) as err:
            elsewhere.login(codes["R1"], client="10.0.0.7")
        assert err.value.code == "login_locked" and "[login_locked]" in str(err.value)
        assert elsewhere.login(codes["R2"], client="10.0.0.66") == "R2"  # the client is under its own limit
        later = rnd.now() + dt.timedelta(minutes=window + 1)
        monkeypatch.setattr(type(rnd), "now", lambda self: later)  # the window has passed on the round's clock
        assert elsewhere.login(codes["R1"], client="10.0.0.7") == "R1"
    kinds = seeded.access_log()["kind"].tolist()
    assert kinds.count("login_failed") == limit and kinds.count("login_locked") == 1
    assert not any(c.replace("-", "") in all_stored_text(seeded) for c in codes.values())


def test_a_revoked_code_ends_its_sessions_at_the_next_save(seeded, rnd, stage):
    from workbench.store.codes import code_id

    code = seeded.issue_codes(["R1"])["code"].iloc[0]
    assert seeded.login(code) == "R1"
    session = code_id(code)
    seeded.check_session("R1", session)
    points = points_for(rnd, "model_worker", stage)
    assert seeded.save_scores("R1", "N1", stage, points, session=session) == 1
    with pytest.raises(AccessCodeError) as err:
        seeded.check_session("R2", session)  # a code id is one reviewer's
    assert err.value.code == "session_ended"
    seeded.revoke_code("R1")
    with pytest.raises(AccessCodeError) as err:
        seeded.save_scores("R1", "N1", stage, points_for(rnd, "model_worker", stage, 0.5), version=1, session=session)
    assert err.value.code == "session_ended" and "[session_ended]" in str(err.value)
    assert seeded.load_sheet("R1", "N1", stage)["version"] == 1  # nothing written
    with pytest.raises(AccessCodeError):
        seeded.check_session("R1", session)


# ---------------------------------------------------------------------------- declared conflicts
def test_a_declared_conflict_withdraws_the_assignment_and_blocks_everything(seeded, rnd, stage):
    seeded.declare_conflict("R1", "N1", "曾参与该工作室项目")
    assert ("N1", "R1") not in set(seeded.assignments()[["nomination_id", "reviewer_id"]].itertuples(index=False, name=None))
    found = seeded.conflicts().set_index(["nomination_id", "reviewer_id"])
    assert "曾参与该工作室项目" in found.loc[("N1", "R1"), "reason"]
    assert ("N2", "R3") in found.index  # the unit conflict is there too
    with pytest.raises(AssignmentError) as err:
        seeded.save_assignments(pd.DataFrame({"nomination_id": ["N1"], "reviewer_id": ["R1"], "stage": [stage]}),
                                replace=False)
    assert err.value.code == "assignment_conflict"
    with pytest.raises(NotAssignedError) as err:
        seeded.save_scores("R1", "N1", stage, points_for(rnd, "model_worker", stage))
    assert err.value.code in {"conflicted", "not_assigned"}
    with pytest.raises(NotAssignedError):
        seeded.check_pair("R1", "N1", stage)
    assert "N1" not in set(seeded.worklist("R1")["nomination_id"])
    assert seeded.declared_conflicts()[["nomination_id", "reviewer_id"]].values.tolist() == [["N1", "R1"]]
    kinds = seeded.history(nomination_id="N1", reviewer_id="R1")["kind"].tolist()
    assert kinds[-2:] == ["conflict_declare", "unassign"]


def test_a_declared_conflict_on_an_assigned_pair_refuses_the_save_even_if_assignment_stays(seeded, rnd, stage):
    """The store checks declared conflicts on every save, not only through the assignment."""
    from sqlalchemy import insert

    from workbench.store import declared_table

    with seeded.engine.begin() as conn:  # a conflict recorded behind the assignment's back
        conn.execute(insert(declared_table).values(nomination_id="N1", reviewer_id="R2", reason="亲属", actor="t",
                                                   at=pd.Timestamp("2022-06-01").to_pydatetime()))
    with pytest.raises(NotAssignedError) as err:
        seeded.save_scores("R2", "N1", stage, points_for(rnd, "model_worker", stage))
    assert err.value.code == "conflicted" and "亲属" in str(err.value)


def test_a_conflict_cannot_be_declared_after_scoring_or_for_unknown_ids(seeded, rnd, stage):
    seeded.save_scores("R1", "N1", stage, points_for(rnd, "model_worker", stage))
    with pytest.raises(WorkbenchError) as err:
        seeded.declare_conflict("R1", "N1", "事后发现")
    assert err.value.code == "conflict_scored"
    for args, code in [(("R404", "N1"), "unknown_reviewer"), (("R1", "N404"), "unknown_nomination")]:
        with pytest.raises(WorkbenchError) as err:
            seeded.declare_conflict(*args, "")
        assert err.value.code == code
    assert seeded.declared_conflicts().empty


# ---------------------------------------------------------------------------- closing a stage
def test_a_closed_stage_refuses_saves_until_reopened(seeded, rnd, stage):
    v = seeded.save_scores("R1", "N1", stage, points_for(rnd, "model_worker", stage, 0.7), submit=True)
    seeded.close_stage(stage, actor="秘书")
    assert seeded.closed_stages() == [stage]
    before = (seeded.scores(), len(score_events(seeded)))
    for who, nomination, version in [("R1", "N1", v), ("R2", "N1", None)]:
        with pytest.raises(StageClosedError) as err:
            seeded.save_scores(who, nomination, stage, points_for(rnd, "model_worker", stage, 0.9), version=version)
        assert err.value.code == "stage_closed" and rnd.stages[stage].label in str(err.value)
    pd.testing.assert_frame_equal(seeded.scores(), before[0])
    assert len(score_events(seeded)) == before[1]
    seeded.close_stage(stage)  # closing twice changes nothing
    seeded.reopen_stage(stage)
    assert seeded.closed_stages() == []
    assert seeded.save_scores("R1", "N1", stage, points_for(rnd, "model_worker", stage, 0.9), version=v) == v + 1
    kinds = seeded.history()["kind"].tolist()
    assert kinds.count("stage_close") == 1 and kinds.count("stage_reopen") == 1
    with pytest.raises(WorkbenchError) as err:
        seeded.close_stage("答辩")
    assert err.value.code == "unknown_stage"


# ---------------------------------------------------------------------------- one reviewer's view
def test_the_worklist_shows_only_the_reviewers_own_sheets(seeded, rnd, stage):
    seeded.save_scores("R2", "N1", stage, points_for(rnd, "model_worker", stage), submit=True)
    seeded.save_scores("R1", "N2", stage, points_for(rnd, "employee", stage, 0.5))
    mine = seeded.worklist("R1")
    assert list(mine.columns) == ["nomination_id", "stage", "category", "studio", "status", "total", "version",
                                  "updated_at"]
    assert mine[["nomination_id", "status"]].values.tolist() == [["N1", "none"], ["N2", "draft"]]
    assert mine["total"].isna().tolist() == [True, False]
    assert mine.loc[1, "total"] == sum(points_for(rnd, "employee", stage, 0.5).values())
    assert seeded.worklist("R2")["status"].tolist() == ["submitted", "none"]
    assert seeded.worklist("R3").empty and seeded.worklist("R404").empty
    seeded.add_reviewers(REVIEWERS.assign(unit=["甲公司", "无锡职业技术学院", "乙公司"]))  # R1 moved to N1's host
    assert seeded.worklist("R1")["nomination_id"].tolist() == ["N2"]


# ---------------------------------------------------------------------------- the panel's tables (schema 3)
def test_the_panel_tables_round_trip_on_every_database(seeded, rnd, stage):
    from workbench.errors import PledgeRequiredError
    from workbench.panel import verify_draws

    body = {"inputs": {"category": "employee", "seed": "7", "size": 1, "reserves": 1, "max_conflicts": 0,
                       "pool": [{"reviewer_id": "R1", "field": "", "conflicts": 0},
                                {"reviewer_id": "R2", "field": "", "conflicts": 0}]}}
    from workbench.panel import draw
    body["result"] = draw(body["inputs"])
    seeded.record_draw("employee", 7, body, actor="张监督")
    assert verify_draws(seeded.draws())["problem"].eq("").all() and len(seeded.panel()) == 2

    seeded.add_reviewers(pd.DataFrame({"reviewer_id": ["R4"], "name": ["赵评委"], "unit": ["江南大学"]}))
    seeded.save_assignments(pd.DataFrame({"nomination_id": ["N1"], "reviewer_id": ["R4"], "stage": [stage]}), replace=False)
    with pytest.raises(PledgeRequiredError):
        seeded.save_scores("R4", "N1", stage, points_for(rnd, "model_worker", stage))
    assert seeded.sheets("R4").empty
    seeded.record_pledge("R4", method="app")
    assert seeded.save_scores("R4", "N1", stage, points_for(rnd, "model_worker", stage)) == 1

    seeded.save_paper_entry([{"reviewer_id": "R1", "nomination_id": "N1", "stage": stage, "points": {"leader": 12.0},
                              "comment": "", "cells": {"leader": "D5"}}], 1, source="a.xlsx", actor="录入员")
    assert seeded.paper_entries()["cells"].iloc[0] == {"leader": "D5"}

    checks = {c.code: (True, "") for c in rnd.panel.site_conditions} | {"plaque": (False, "未见牌匾"), "ledgers": (None, "")}
    seeded.record_visit("N1", dt.date(2022, 11, 10), ["张考察"], checks, actor="王秘书", photos=["a.jpg"])
    seeded.record_visit("N1", dt.date(2022, 11, 10), ["张考察"], checks, actor="王秘书", photos=["a.jpg"])  # no change
    visits = seeded.site_visits().set_index("condition")
    assert visits.loc["plaque", "confirmed"] == False and pd.isna(visits.loc["ledgers", "confirmed"])  # noqa: E712
    assert visits["inspectors"].iloc[0] == ["张考察"] and visits["photos"].iloc[0] == ["a.jpg"]
    assert (seeded.history(nomination_id="N1")["kind"] == "site_visit").sum() == 1
    with pytest.raises(WorkbenchError) as err:
        seeded.record_visit("N1", dt.date(2022, 11, 10), [" "], checks, actor="王秘书")
    assert err.value.code == "inspectors_required"
