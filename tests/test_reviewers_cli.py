"""`workbench reviewers …`: import, codes (shown once), revoke, assign (automatic and a CSV plan), close."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import workbench as wb
from workbench.store import open_store
from tests.test_cli import run

@pytest.fixture(scope="module")
def round_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("reviewers") / "round"
    run("sample", "--out", str(folder), "--seed", "5", "--unions", "8", "--no-photos", "--no-forms")
    return folder


def test_reviewers_from_import_to_closing_a_stage(round_dir, tmp_path):
    w = ["--workdir", str(round_dir)]
    rnd = wb.load_round().at(round_dir)
    out = run("reviewers", "import", str(round_dir / "reviewers.csv"), *w)
    n_reviewers = len(wb.read_reviewers(round_dir / "reviewers.csv"))
    assert f"{n_reviewers} 名" in out.stdout

    shown = run("reviewers", "codes", *w).stdout
    store = open_store(rnd)
    first = store.reviewers()["reviewer_id"].iloc[0]
    code = next(line.split()[-1] for line in shown.splitlines() if line.strip().startswith(first))
    assert store.login(code) == first
    assert "只显示这一次" in shown
    assert "没有需要发放" in run("reviewers", "codes", *w).stdout  # nobody gets a second code by accident

    target = tmp_path / "codes.csv"
    written = run("reviewers", "codes", "--reviewer", first, "--out", str(target), *w)
    assert str(target) in written.stdout and code not in written.stdout
    new_code = pd.read_csv(target, dtype=str, encoding="utf-8-sig").iloc[0, -1]
    assert store.login(new_code) == first
    with pytest.raises(wb.WorkbenchError):
        store.login(code)  # reissued: the old code no longer works

    run("reviewers", "revoke", first, *w)
    with pytest.raises(wb.WorkbenchError):
        store.login(new_code)
    again = run("reviewers", "revoke", first, *w, check=False)
    assert again.returncode == 2 and "[no_active_code]" in again.stderr and "Traceback" not in again.stderr

    assigned = run("reviewers", "assign", *w)
    plan = store.assignments()
    assert f"{len(plan)} 个" in assigned.stdout
    assert not set(plan[["nomination_id", "reviewer_id"]].itertuples(index=False, name=None)) & \
        set(store.conflicts()[["nomination_id", "reviewer_id"]].itertuples(index=False, name=None))

    closed = run("reviewers", "close", "材料评审", *w)
    assert "材料评审已结束" in closed.stdout and store.closed_stages() == ["material"]
    run("reviewers", "close", "material", "--reopen", *w)
    assert store.closed_stages() == []
    store.close()


def test_a_manual_plan_is_checked_like_any_other(round_dir, tmp_path):
    w = ["--workdir", str(round_dir)]
    run("reviewers", "import", str(round_dir / "reviewers.csv"), *w)
    run("reviewers", "assign", *w)
    store = open_store(wb.load_round().at(round_dir))
    conflict = store.conflicts().iloc[0]
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"评审对象编号": [conflict["nomination_id"]], "评委编号": [conflict["reviewer_id"]],
                  "阶段": ["材料评审"]}).to_csv(bad, index=False, encoding="gb18030")
    before = store.assignments()
    refused = run("reviewers", "assign", "--import", str(bad), "--add", *w, check=False)
    assert refused.returncode == 2 and "[assignment_conflict]" in refused.stderr
    unknown = tmp_path / "unknown.csv"
    pd.DataFrame({"nomination_id": ["N404"], "reviewer_id": [before["reviewer_id"].iloc[0]],
                  "stage": ["material"]}).to_csv(unknown, index=False)
    refused = run("reviewers", "assign", "--import", str(unknown), *w, check=False)
    assert refused.returncode == 2 and "N404" in refused.stderr
    pd.testing.assert_frame_equal(store.assignments(), before)

    keep = before[before["stage"] == "material"][["nomination_id", "reviewer_id", "stage"]]
    good = tmp_path / "good.csv"
    keep.to_csv(good, index=False)
    run("reviewers", "assign", "--import", str(good), *w)
    assert set(store.assignments()["stage"]) == {"material"}
    store.close()


def test_a_declared_conflict_that_leaves_too_few_reviewers_warns(round_dir):
    w = ["--workdir", str(round_dir)]
    rnd = wb.load_round().at(round_dir)
    run("reviewers", "import", str(round_dir / "reviewers.csv"), *w)
    run("reviewers", "assign", *w)
    store = open_store(rnd)
    plan = store.assignments()
    counts = plan.groupby(["nomination_id", "stage"]).size()
    (nomination_id, stage), n = next((k, v) for k, v in counts.items() if v == rnd.review.min_reviewers)
    reviewer_id = plan[(plan["nomination_id"] == nomination_id) & (plan["stage"] == stage)]["reviewer_id"].iloc[0]
    studio = store.nominations().set_index("nomination_id").loc[nomination_id, "studio"]
    done = run("reviewers", "conflict", reviewer_id, nomination_id, "--reason", "亲属", *w)
    assert done.returncode == 0
    assert f"{studio}（{nomination_id}）" in done.stderr and f"只分配了 {n - 1} 名评委" in done.stderr
    assert "Traceback" not in done.stderr
    others = counts[counts.index.get_level_values(0) != nomination_id]
    fine = next((k for k, v in others.items() if v > rnd.review.min_reviewers), None)
    if fine is not None:  # a candidate with a spare reviewer: no warning
        spare = plan[(plan["nomination_id"] == fine[0])]["reviewer_id"].iloc[0]
        quiet = run("reviewers", "conflict", spare, fine[0], *w)
        assert "少于要求" not in quiet.stderr or fine[0] not in quiet.stderr
    store.close()
