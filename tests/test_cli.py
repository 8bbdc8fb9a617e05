"""The whole round once, through the `workbench` command, as an analyst runs it."""

import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

import workbench as wb

EXE = str(Path(sys.executable).with_name("workbench"))


def run(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("WORKBENCH_WORKDIR", "WORKBENCH_DB")}
    proc = subprocess.run([EXE, *args], capture_output=True, text=True, env=env, timeout=300)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture(scope="module")
def round_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("cli") / "round"
    run("sample", "--out", str(folder), "--seed", "11", "--unions", "10", "--no-photos")
    return folder


def test_end_to_end_through_the_cli(round_dir):
    w = ["--workdir", str(round_dir)]
    intake = run("intake", *w)
    assert "推荐单位" in intake.stdout and "问题清单" in intake.stdout
    book = openpyxl.load_workbook(round_dir / "out" / "问题清单.xlsx")
    assert book.sheetnames[0] == "汇总" and len(book.sheetnames) > 2
    assert [c.value for c in book[book.sheetnames[1]][2]][:2] == ["级别", "文件"]

    screen = run("screen", *w)
    assert "合格" in screen.stdout and "不合格" in screen.stdout
    assert (round_dir / "out" / "资格审查情况表.xlsx").exists()

    demo = run("demo", *w, "--no-serve")
    assert "评分" in demo.stdout

    ranked = run("rank", *w)
    for cat in wb.load_round().categories.values():
        assert cat.label in ranked.stdout
    assert "快照" in ranked.stdout

    export = run("export", *w)
    path = round_dir / "out" / "评审结果排名表.xlsx"
    assert str(path) in export.stdout
    assert "公示名单.xlsx" not in export.stdout and "尚未记录" in export.stdout
    assert "Warning" not in export.stderr and "Traceback" not in export.stderr  # warnings read as one line each
    book = openpyxl.load_workbook(path)
    ws = book["劳模"]
    rows = [r for r in ws.iter_rows(min_row=4, values_only=True) if r[0] is not None]
    assert len(rows) > 0 and [r[0] for r in rows] == sorted(r[0] for r in rows)
    proposed = sum(1 for r in rows if r[-2] == "是")
    assert 0 < proposed <= wb.load_round().categories["model_worker"].slots


def test_a_bad_config_is_one_clear_line_not_a_traceback(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(wb.DEFAULT_ROUND.read_text(encoding="utf-8").replace("slots = 20", "slots = -1"), encoding="utf-8")
    proc = run("screen", "--round", str(bad), check=False)
    assert proc.returncode == 2
    assert "categories.model_worker.slots" in proc.stderr and "Traceback" not in proc.stderr


def test_an_override_needs_a_reason_and_reaches_the_screening(round_dir):
    w = ["--workdir", str(round_dir)]
    rnd = wb.load_round().at(round_dir)
    screened = wb.screen(wb.read_inbox(rnd.inbox, rnd).nominations, rnd)
    target = screened.loc[screened["eligibility"] == "review", "nomination_id"].iloc[0]
    refused = run("override", target, "eligibility", "eligible", "--reason", " ", "--by", "王分析", *w, check=False)
    assert refused.returncode == 2 and "reason_required" in refused.stderr
    run("override", target, "eligibility", "eligible", "--reason", "补充材料后认定合格", "--by", "王分析", *w)
    again = wb.screen(wb.read_inbox(rnd.inbox, rnd).nominations, rnd, overrides=wb.open_store(rnd).overrides())
    row = again.set_index("nomination_id").loc[target]
    assert row["eligibility"] == "eligible" and row["eligibility_rule"] == "review"


def test_serving_on_a_port_already_taken_says_so_and_exits(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = run("serve", "meeting", "--port", str(port), check=False)
    assert proc.returncode == 2
    assert "port_in_use" in proc.stderr and str(port) in proc.stderr and "Traceback" not in proc.stderr


@pytest.fixture(scope="module")
def scored_dir(tmp_path_factory) -> Path:
    """A small round with simulated scores, for the secretary's `workbench decide`."""
    folder = tmp_path_factory.mktemp("decide") / "round"
    run("sample", "--out", str(folder), "--seed", "11", "--unions", "24", "--no-photos")
    run("demo", "--workdir", str(folder), "--no-serve")
    return folder


def test_decide_from_the_terminal_with_versions_and_the_screens_checks(scored_dir):
    from workbench.decisions import replacement_offers

    w = ["--workdir", str(scored_dir)]
    rnd = wb.load_round().at(scored_dir)
    snap = wb.load_state(rnd)
    counts = snap.ranked[snap.ranked["composite"].notna()].groupby("category").size()
    category = next(c for c in rnd.categories if counts.get(c, 0) > rnd.categories[c].slots + 1)
    rows = snap.ranked[snap.ranked["category"] == category].reset_index(drop=True)
    first = rows["nomination_id"].iloc[0]

    done = run("decide", first, "approve", "--note", "同意", "--by", "秘书甲", *w)
    assert "第 1 版" in done.stdout and snap.snapshot_id[:12] in done.stdout and "通过 1" in done.stdout
    # a second secretary who has not seen it cannot overwrite it silently: told who, and which version
    stale = run("decide", first, "reject", "--by", "秘书乙", *w, check=False)
    assert stale.returncode == 2 and "stale_write" in stale.stderr and "秘书甲" in stale.stderr
    assert "--version 1" in stale.stderr and "Traceback" not in stale.stderr
    changed = run("decide", first, "reject", "--note", "材料不实", "--by", "秘书乙", "--version", "1", *w)
    assert "第 2 版" in changed.stdout
    found = wb.open_store(rnd).decisions().set_index("nomination_id").loc[first]
    assert (found["decision"], found["actor"], found["version"], found["snapshot_id"]) == (
        "reject", "秘书乙", 2, snap.snapshot_id)

    # a 递补 must be one of the candidates offered, in order; it is a decision of its own
    offers = replacement_offers(rows, wb.open_store(rnd).decisions())
    assert not offers.empty
    beyond = rows.loc[~rows["nomination_id"].isin(offers["nomination_id"]) & ~rows["proposed"]
                      & rows["composite"].notna(), "nomination_id"]
    proposed_other = rows["nomination_id"].iloc[1]
    for stranger in [proposed_other, *beyond.head(1)]:
        refused = run("decide", stranger, "approve", "--replaces", first, "--by", "秘书甲", *w, check=False)
        assert refused.returncode == 2 and "not_offered" in refused.stderr
    pick = offers["nomination_id"].iloc[0]
    run("decide", pick, "approve", "--replaces", first, "--note", "递补", "--by", "秘书甲", *w)
    found = wb.open_store(rnd).decisions().set_index("nomination_id")
    assert found.loc[pick, "replaces"] == first and found.loc[pick, "decision"] == "approve"

    for args, code in [(("N-404", "approve"), "not_a_candidate"), ((first, "maybe"), "bad_decision"),
                       ((rows["nomination_id"].iloc[1], "approve", "--version", "0"), "bad_version")]:
        refused = run("decide", *args, "--by", "秘书甲", *w, check=False)
        assert refused.returncode == 2 and code in refused.stderr and "Traceback" not in refused.stderr
