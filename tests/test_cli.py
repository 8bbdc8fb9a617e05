"""The whole round once, through the `workbench` command, as an analyst runs it."""

import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
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


# ---------------------------------------------------------------------------- the round that feeds the next
def _config_at(folder: Path, workdir: Path) -> Path:
    """data/rounds/2022.toml copied into `folder`, its working folder and registry at `workdir`."""
    text = (wb.DEFAULT_ROUND).read_text(encoding="utf-8")
    repo = wb.DEFAULT_ROUND.parent
    text = (text.replace('workdir = "../sample"', f'workdir = "{workdir.as_posix()}"')
                .replace('named_studios = "../sample/named_studios.csv"', f'named_studios = "{(workdir / "named_studios.csv").as_posix()}"')
                .replace('"../reference/', f'"{(repo.parent / "reference").as_posix()}/')
                .replace('templates = "templates"', f'templates = "{(repo / "templates").as_posix()}"'))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "2022.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def round_2022(tmp_path_factory):
    """A 2022 round whose meeting approved the proposed candidates of every category."""
    base = tmp_path_factory.mktemp("rounds")
    config = _config_at(base / "rounds", base / "r2022")
    rnd = wb.load_round(config)
    store = wb.build_demo(rnd, seed=3, unions=8)
    snap = wb.load_state(rnd, store, diagnostics=False)
    for nid in snap.ranked.loc[snap.ranked["proposed"], "nomination_id"]:
        store.record_decision(nid, "approve", "", snap.snapshot_id, "主席办公会")
    store.close()
    return {"config": config, "rnd": rnd, "base": base, "approved": snap.ranked[snap.ranked["proposed"]]}


def test_export_writes_the_word_documents_and_leaves_the_registry_unless_asked(round_2022):
    rnd = round_2022["rnd"]
    before = rnd.paths.named_studios.read_bytes()
    out = run("export", "--round", str(round_2022["config"]), "--no-add-named")
    for name in ("公示.docx", "命名通知.docx", "公示名单.xlsx", "命名名单.xlsx"):
        assert (rnd.workdir / "out" / name).exists() and name in out.stdout
    assert "registry add-named" in out.stdout
    assert rnd.paths.named_studios.read_bytes() == before


def test_an_incomplete_round_is_refused_with_a_clear_line(tmp_path):
    config = _config_at(tmp_path / "rounds", tmp_path / "r")
    rnd = wb.load_round(config)
    store = wb.build_demo(rnd, seed=3, unions=8)
    snap = wb.load_state(rnd, store, diagnostics=False)
    store.record_decision(snap.ranked.loc[snap.ranked["proposed"], "nomination_id"].iloc[0], "approve", "", snap.snapshot_id, "会")
    store.close()
    refused = run("export", "--round", str(config), "--no-add-named", check=False)
    assert refused.returncode == 2 and "[incomplete]" in refused.stderr and "Traceback" not in refused.stderr
    assert not (rnd.workdir / "out" / "公示.docx").exists()
    allowed = run("export", "--round", str(config), "--no-add-named", "--allow-incomplete", "--reason", "先行公示已审定的一个")
    assert "公示.docx" in allowed.stdout


def test_the_next_round_screens_a_renominated_studio_from_this_rounds_naming(round_2022):
    rnd, config, base = round_2022["rnd"], round_2022["config"], round_2022["base"]
    added = run("registry", "add-named", "--round", str(config))
    approved = round_2022["approved"]
    assert f"{len(approved)} 个" in added.stdout
    again = run("registry", "add-named", "--round", str(config))
    assert "未重复登记" in again.stdout
    registry = wb.load_round(config).named_studios()
    mine = registry[registry["named_on"] == "2023-01-16"]
    assert sorted(mine["studio"]) == sorted(approved["studio"])
    assert set(mine["batch"]) == {str(rnd.categories[c].batch) for c in approved["category"].unique()}

    made = run("new-round", "--from", str(config), "--year", "2023")
    path = config.with_name("2023.toml")
    assert str(path) in made.stdout and "待确认" in made.stdout
    nxt = wb.load_round(path)
    assert nxt.round.year == 2023 and not nxt.round.deadline_confirmed
    assert nxt.round.deadline.date().isoformat() == "2023-10-28" and nxt.reference_date.isoformat() == "2023-10-28"
    assert {c: cfg.batch for c, cfg in nxt.categories.items()} == {c: cfg.batch + 1 for c, cfg in rnd.categories.items()}
    assert nxt.paths.named_studios == rnd.paths.named_studios and nxt.workdir == (base / "2023").resolve()
    assert nxt.rubric == rnd.rubric and nxt.quota_groups == rnd.quota_groups  # everything else kept
    assert "# 待确认" in path.read_text(encoding="utf-8") and "Wuxi" in path.read_text(encoding="utf-8")  # comments kept
    assert run("new-round", "--from", str(config), "--year", "2023", check=False).returncode == 2  # never overwritten

    studio = approved[approved["category"] == "model_worker"].iloc[0]
    noms = wb.read_inbox(rnd.inbox, rnd).nominations
    row = noms[noms["studio"] == studio["studio"]]
    again_model = wb.screen(row.assign(received_at=pd.Timestamp(2023, 10, 20)), nxt).iloc[0]
    assert again_model["rule_not_already_named"] == "fail"
    assert "2023年01月被命名为无锡市劳模创新工作室" in again_model["why_not_already_named"]
    assert again_model["rule_on_time"] == "review"  # the deadline is still to be confirmed
    promoted = wb.screen(row.assign(category="demonstration", named_on=pd.NaT, direct=False), nxt).iloc[0]
    assert promoted["rule_named_years"] == "fail" and "2023年01月" in promoted["why_named_years"]
    later = wb.load_round(wb.write_next_round(path, 2025, out=base / "rounds" / "2025.toml"))
    assert later.categories["demonstration"].batch == rnd.categories["demonstration"].batch + 2
    assert wb.screen(row.assign(category="demonstration", named_on=pd.NaT, direct=False), later).iloc[0]["rule_named_years"] == "pass"
