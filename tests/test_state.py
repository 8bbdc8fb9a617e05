"""The one round state: `wb.load_state` is what every command and screen stands on.

Materialised and fresh states are equal; every input that can change a result changes the
snapshot id (and the state), a decision does not; a damaged cache is rebuilt, never trusted.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

import workbench as wb
from workbench import labels
from workbench.notice import WORKDAYS_TABLE
from workbench.state import FIELDS, STATE_DIR

VOLATILE = ("taken_at", "rnd")  # when it was loaded; the Round object is the caller's


@pytest.fixture(scope="module")
def scored(tmp_path_factory) -> Path:
    """A small sample round with simulated scores (built once; tests work on copies)."""
    folder = tmp_path_factory.mktemp("state") / "round"
    store = wb.build_demo(wb.load_round().at(folder), seed=3, unions=12)
    store.close()
    return folder


@pytest.fixture
def rnd(scored, tmp_path) -> wb.Round:
    """A private copy of the scored round, with its own reference tables (safe to edit)."""
    folder = tmp_path / "round"
    shutil.copytree(scored, folder, ignore=shutil.ignore_patterns(STATE_DIR))
    base = wb.load_round().at(folder)
    honours, workdays = folder / "honours.csv", folder / "workdays.csv"
    shutil.copy(base.paths.honours, honours)
    shutil.copy(base.paths.workdays or WORKDAYS_TABLE, workdays)
    return base.model_copy(update={"paths": base.paths.model_copy(update={"honours": honours, "workdays": workdays})})


def assert_same_state(a: wb.RoundState, b: wb.RoundState) -> None:
    for name in FIELDS:
        if name in VOLATILE:
            continue
        x, y = getattr(a, name), getattr(b, name)
        if isinstance(x, pd.DataFrame):
            pd.testing.assert_frame_equal(x, y, obj=name)
        else:
            assert x == y, name


def test_the_materialised_state_equals_a_fresh_one_and_is_read_without_the_workbooks(rnd, monkeypatch):
    fresh = wb.load_state(rnd, cache=False)
    first = wb.load_state(rnd)  # computes and materialises
    assert (rnd.workdir / STATE_DIR / first.snapshot_id / "state.pkl").is_file()
    monkeypatch.setattr("workbench.state.read_inbox", lambda *a, **k: pytest.fail("the inbox was read again"))
    cached = wb.load_state(rnd)
    assert_same_state(fresh, cached)
    assert_same_state(first, cached)
    assert not cached.ranked.empty and cached.ranked["composite"].notna().any() and not cached.diagnostics.empty
    assert set(cached.competition["category"]) <= set(rnd.categories)


def test_a_changed_receipt_changes_the_materialised_state(rnd):
    before = wb.load_state(rnd)
    receipts = rnd.inbox / labels.RECEIPTS_FILE
    table = pd.read_csv(receipts, dtype=str, encoding="utf-8-sig")
    table["received_at"] = "2022-11-30 09:00"  # every file late
    table.to_csv(receipts, index=False, encoding="utf-8-sig")
    after = wb.load_state(rnd)
    assert after.snapshot_id != before.snapshot_id
    assert (after.screened["rule_on_time"] == "fail").sum() > (before.screened["rule_on_time"] == "fail").sum()
    assert len(after.ranked) < len(before.ranked)  # late files leave the list
    assert_same_state(after, wb.load_state(rnd, cache=False))


def test_a_new_score_or_override_reranks_without_reading_the_workbooks_again(rnd, monkeypatch):
    store = wb.open_store(rnd)
    before = wb.load_state(rnd, store)
    monkeypatch.setattr("workbench.state.read_inbox", lambda *a, **k: pytest.fail("the inbox was read again"))
    _change_a_score(store)
    nid = before.screened.loc[before.screened["eligibility"] == "eligible", "nomination_id"].iloc[0]
    store.record_override(nid, "eligibility", "ineligible", "测试改判", "analyst")
    after = wb.load_state(rnd, store)
    assert after.snapshot_id != before.snapshot_id and nid not in set(after.ranked["nomination_id"])
    monkeypatch.undo()
    assert_same_state(after, wb.load_state(rnd, store, cache=False))


@pytest.mark.parametrize("damage", ["garbage", "checksum", "dangling", "foreign"])
def test_a_damaged_cache_is_ignored_and_rebuilt(rnd, damage):
    good = wb.load_state(rnd)
    root = rnd.workdir / STATE_DIR
    blob = root / good.snapshot_id / "state.pkl"
    if damage == "garbage":
        blob.write_bytes(b"\x80\x05not a pickle at all")
    elif damage == "checksum":
        blob.write_bytes(blob.read_bytes()[:-10])
    elif damage == "dangling":
        shutil.rmtree(root / good.snapshot_id)
    else:  # a well-formed pickle, checksum and all, that is not a state
        import hashlib
        import pickle

        data = pickle.dumps({"snapshot_id": good.snapshot_id})
        blob.write_bytes(data)
        (root / good.snapshot_id / "state.sha256").write_text(hashlib.sha256(data).hexdigest())
    again = wb.load_state(rnd)
    assert_same_state(good, again)
    assert_same_state(good, wb.load_state(rnd))  # and the rebuilt cache is good again


# ---------------------------------------------------------------------------- what the snapshot id covers
def _append_row(path: Path, row: str) -> None:
    with path.open("a", encoding="utf-8") as f:
        f.write(row + "\n")


def _first_studio_dir(rnd: wb.Round) -> Path:
    return next(p for p in sorted(rnd.inbox.glob("*/*")) if p.is_dir())


CHANGES = {
    "workbook": lambda rnd, store: _rewrite_workbook(rnd),
    "receipts": lambda rnd, store: _append_row(rnd.inbox / labels.RECEIPTS_FILE, "其他单位/新增.xlsx,2022-10-20 10:00"),
    "photo": lambda rnd, store: (_first_studio_dir(rnd) / "新照片.jpg").write_bytes(b"\xff\xd8\xff\xe0 fictional"),
    "named_studios": lambda rnd, store: _append_row(rnd.paths.named_studios, "9,employee,虚构职工创新工作室,某单位,某人,2019-05-01"),
    "honours": lambda rnd, store: _append_row(rnd.paths.honours, "虚构荣誉,other,2"),
    "workdays": lambda rnd, store: _append_row(rnd.paths.workdays, "2022-12-31,workday,调休"),
    "override": lambda rnd, store: store.record_override(
        store.nominations()["nomination_id"].iloc[0], "eligibility", "ineligible", "测试改判", "analyst"),
    "score": lambda rnd, store: _change_a_score(store),
}


def _rewrite_workbook(rnd: wb.Round) -> None:
    import openpyxl

    path = next(p for p in sorted(rnd.inbox.rglob("*推荐汇总表.xlsx")))
    book = openpyxl.load_workbook(path)
    book.active.cell(row=book.active.max_row + 2, column=1, value="附注：虚构的补充说明")
    book.save(path)


def _change_a_score(store: wb.Store) -> None:
    sheet = store.sheets().iloc[0]
    points = store.scores()
    own = points[(points["reviewer_id"] == sheet["reviewer_id"]) & (points["nomination_id"] == sheet["nomination_id"])
                 & (points["stage"] == sheet["stage"])]
    values = dict(zip(own["criterion"], own["points"]))
    code = min(values, key=lambda c: values[c])  # lower one criterion by a point
    values[code] = values[code] - 1
    store.save_scores(sheet["reviewer_id"], sheet["nomination_id"], sheet["stage"], values, comment="复核后调整",
                      version=int(sheet["version"]), submit=sheet["status"] == "submitted")


@pytest.mark.parametrize("kind", sorted(CHANGES))
def test_every_input_kind_changes_the_snapshot_id(rnd, kind):
    store = wb.open_store(rnd)
    before = wb.load_state(rnd, store)
    CHANGES[kind](rnd, store)
    after = wb.load_state(rnd, store)
    assert after.snapshot_id != before.snapshot_id, kind
    assert after.fingerprint != before.fingerprint
    assert after.snapshot_id == wb.load_state(rnd, store, cache=False).snapshot_id


def test_the_config_changes_the_snapshot_id(rnd):
    before = wb.load_state(rnd, diagnostics=False, cache=False)
    ranking = rnd.ranking.model_copy(update={"trim_min": rnd.ranking.trim_min + 1})
    changed = wb.load_state(rnd.model_copy(update={"ranking": ranking}), diagnostics=False, cache=False)
    assert changed.snapshot_id != before.snapshot_id


def test_a_decision_leaves_the_snapshot_id_alone_and_names_it(rnd):
    store = wb.open_store(rnd)
    before = wb.load_state(rnd, store)
    nid = before.ranked["nomination_id"].iloc[0]
    store.record_decision(nid, "approve", "", before.snapshot_id, "主席办公会")
    after = wb.load_state(rnd, store)
    assert after.snapshot_id == before.snapshot_id == wb.load_state(rnd, store, cache=False).snapshot_id
    assert after.fingerprint != before.fingerprint  # a preheated meeting still sees that something changed
    assert after.decisions.set_index("nomination_id").loc[nid, "snapshot_id"] == before.snapshot_id
    assert before.decisions.empty


def test_the_same_inputs_elsewhere_give_the_same_snapshot_id(rnd, tmp_path):
    other = tmp_path / "elsewhere"
    shutil.copytree(rnd.workdir, other, ignore=shutil.ignore_patterns(STATE_DIR))
    moved = rnd.at(other)
    assert wb.load_state(moved, cache=False).snapshot_id == wb.load_state(rnd, cache=False).snapshot_id


def test_an_empty_round_has_a_state(tmp_path):
    state = wb.load_state(wb.load_round().at(tmp_path))
    assert state.empty and state.ranked.empty and len(state.snapshot_id) == 12


# ---------------------------------------------------------------------------- the one path, through the CLI
def test_reviewers_assign_stands_on_the_overridden_screening(rnd):
    from tests.test_cli import run

    w = ["--workdir", str(rnd.workdir)]
    state = wb.load_state(rnd)
    doubtful = state.screened[state.screened["eligibility"] != "eligible"]
    target = next(nid for nid in doubtful["nomination_id"])
    run("override", target, "eligibility", "eligible", "--reason", "经核实合格", "--by", "王分析", *w)
    after = wb.load_state(rnd)
    row = after.screened.set_index("nomination_id").loc[target]
    assert row["eligibility"] == "eligible"
    if row["quota_status"] != "in_quota":
        run("override", target, "quota_status", "in_quota", "--reason", "名额内", "--by", "王分析", *w)
    run("reviewers", "assign", "--add", *w)  # the scored pairs stay; the newly admitted one gets reviewers
    assert target in set(wb.open_store(rnd).assignments()["nomination_id"])
    assert target in set(wb.load_state(rnd).ranked["nomination_id"])


# ---------------------------------------------------------------------------- one clock
@pytest.fixture
def new_york(monkeypatch):
    """The server's clock in New York (12-13 hours behind the round's)."""
    import time

    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _hours_apart(a, b) -> float:
    return abs((a - b).total_seconds()) / 3600


def test_every_time_stored_or_shown_is_on_the_round_clock_whatever_the_server(rnd, new_york):
    import datetime as dt
    from zoneinfo import ZoneInfo

    from workbench.progress import progress_app

    server = dt.datetime.now()
    beijing = dt.datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)
    assert _hours_apart(server, beijing) > 11  # the fixture really moved the server's clock
    assert _hours_apart(rnd.now(), beijing) < 0.5
    store = wb.open_store(rnd)
    state = wb.load_state(rnd, store)
    nid = state.ranked["nomination_id"].iloc[0]
    store.record_override(nid, "eligibility", "eligible", "核实", "analyst")
    store.record_decision(nid, "approve", "", state.snapshot_id, "主席办公会")
    after = wb.load_state(rnd, store)
    stamps = {"taken_at": after.taken_at, "override": after.overrides["at"].max(), "decision": after.decisions["at"].max(),
              "event": store.history()["at"].max()}
    for what, at in stamps.items():
        assert _hours_apart(pd.Timestamp(at).to_pydatetime(), beijing) < 0.5, what
    app = progress_app(store)
    shown = pd.Timestamp(app.header.value.split("：")[-1][:19]).to_pydatetime()
    assert _hours_apart(shown, beijing) < 0.5


def test_the_round_time_zone_is_config(tmp_path, new_york):
    import datetime as dt

    text = wb.DEFAULT_ROUND.read_text(encoding="utf-8")
    assert 'time_zone = "Asia/Shanghai"' in text
    there = tmp_path / "ny.toml"
    there.write_text(text.replace('time_zone = "Asia/Shanghai"', 'time_zone = "America/New_York"'), encoding="utf-8")
    assert _hours_apart(wb.load_round(there).now(), dt.datetime.now()) < 0.5
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace('time_zone = "Asia/Shanghai"', 'time_zone = "Mars/Olympus"'), encoding="utf-8")
    with pytest.raises(wb.RoundConfigError, match="round.time_zone"):
        wb.load_round(bad)


def test_the_deadline_is_read_on_the_round_clock():
    rnd = wb.load_round()
    assert rnd.deadline.tzinfo is None and rnd.deadline.hour == 17  # 17:30+08:00 is 17:30 in Asia/Shanghai
    utc = rnd.model_copy(update={"round": rnd.round.model_copy(update={"time_zone": "UTC"})})
    assert utc.deadline.hour == 9 and utc.deadline.minute == 30
