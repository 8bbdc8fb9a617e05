"""The expert panel as a union office runs it: the draw and its log, pledges, paper sheets typed in
twice, site visits, the assignment plan workbook. Through the CLI where a user would use it."""

from __future__ import annotations

import datetime as dt
import json
import math
import sqlite3
from pathlib import Path

import ipywidgets as widgets
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

import workbench as wb
from workbench.errors import PanelError, PledgeRequiredError, WorkbenchError
from workbench.panel import draw, draw_round, verify_draws
from workbench.scoring import scoring_app
from workbench.store import open_store
from tests.test_cli import run
from tests.test_store import NOMINATIONS, REVIEWERS

RND = wb.load_round()


# ---------------------------------------------------------------------------- the draw (pure)
@st.composite
def draw_inputs(draw_: st.DrawFn) -> dict:
    n = draw_(st.integers(1, 40))
    fields = draw_(st.lists(st.sampled_from(["机械", "电子", "化工", "管理", ""]), min_size=n, max_size=n))
    conflicts = draw_(st.lists(st.integers(0, 6), min_size=n, max_size=n))
    pool = [{"reviewer_id": f"E{k:03d}", "field": f, "conflicts": c} for k, (f, c) in enumerate(zip(fields, conflicts))]
    return {"category": draw_(st.sampled_from(list(RND.categories))), "seed": str(draw_(st.integers(0, 2**32 - 1))),
            "size": draw_(st.integers(1, 15)), "reserves": draw_(st.integers(0, 5)),
            "max_conflicts": draw_(st.integers(0, 4)), "pool": draw_(st.permutations(pool))}


@settings(max_examples=300, deadline=None)
@given(draw_inputs())
def test_a_draw_is_reproducible_within_the_pool_and_never_draws_a_heavily_conflicted_expert(inputs):
    limit = inputs["max_conflicts"]
    eligible = [p for p in inputs["pool"] if p["conflicts"] <= limit]
    if len(eligible) < inputs["size"]:
        with pytest.raises(PanelError) as err:
            draw(inputs)
        assert err.value.code == "panel_short"
        return
    result = draw(inputs)
    assert draw(inputs) == result  # the same inputs and seed: the same panel
    assert draw({**inputs, "pool": list(reversed(inputs["pool"]))}) == result  # whatever the file's row order
    members, reserves = result["members"], result["reserves"]
    chosen = members + reserves
    assert len(members) == inputs["size"] and len(set(chosen)) == len(chosen)
    assert len(reserves) == min(inputs["reserves"], len(eligible) - inputs["size"])
    ok = {p["reviewer_id"] for p in eligible}
    assert set(chosen) <= ok  # within the pool, never a heavily conflicted expert
    assert set(result["excluded"]) == {p["reviewer_id"] for p in inputs["pool"]} - ok
    # stratified: each field gets its share of the seats, rounded down or up
    by_field = pd.Series([p["field"] or "—" for p in eligible]).value_counts()
    field_of = {p["reviewer_id"]: p["field"] or "—" for p in eligible}
    seats = pd.Series([field_of[r] for r in members]).value_counts().reindex(by_field.index, fill_value=0)
    share = inputs["size"] * by_field / by_field.sum()
    assert ((seats >= share.apply(math.floor)) & (seats <= share.apply(math.ceil))).all()


def test_the_seed_decides_the_panel():
    pool = [{"reviewer_id": f"E{k:02d}", "field": "机械电子"[k % 2], "conflicts": 0} for k in range(30)]
    inputs = {"category": "employee", "size": 7, "reserves": 2, "max_conflicts": 2, "pool": pool}
    panels = {tuple(draw({**inputs, "seed": str(s)})["members"]) for s in range(10)}
    assert len(panels) > 5


# ---------------------------------------------------------------------------- the log
@pytest.fixture
def drawn(small_round, tmp_path):
    """The small sample round's panels drawn into a fresh store (seed 2022)."""
    rnd = small_round
    store = open_store(rnd, f"sqlite:///{tmp_path / 'panel.sqlite'}")
    screened = wb.screen(wb.read_inbox(rnd.inbox, rnd).nominations, rnd)
    pool = wb.read_reviewers(rnd.workdir / "reviewers.csv")
    for body in draw_round(pool, screened, rnd, 2022):
        store.record_draw(body["inputs"]["category"], 2022, body, actor="张监督")
    yield store, tmp_path / "panel.sqlite"
    store.close()


def test_the_log_verifies_and_each_draw_is_also_in_the_ledger(drawn):
    store, _ = drawn
    report = verify_draws(store.draws())
    assert len(report) == len(RND.categories) and report["problem"].eq("").all()
    events = store.history()
    assert (events["kind"] == "panel_draw").sum() == len(RND.categories)
    panel = store.panel()
    for category, size in RND.panel.size.items():
        assert (panel[(panel["category"] == category)]["role"] == "member").sum() == size


def _tamper(path: Path, sql: str, *args) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute(sql, args)


def test_an_edited_record_breaks_its_hash(drawn):
    store, path = drawn
    body = json.loads(store.draws()["body"].iloc[0])
    body["result"]["members"][0] = "R99"
    _tamper(path, "UPDATE panel_draws SET body = ? WHERE id = 1", json.dumps(body, ensure_ascii=False))
    report = verify_draws(store.draws())
    assert "摘要不符" in report["problem"].iloc[0] and not report["rerun_ok"].iloc[0]
    assert report["problem"].iloc[1:].eq("").all()


def test_a_rewritten_result_with_a_fresh_hash_is_caught_by_the_rerun_and_the_chain(drawn):
    from workbench.store.panel import canonical, chain_hash

    store, path = drawn
    last = store.draws().iloc[-1]
    body = json.loads(last["body"])
    body["result"]["members"], body["result"]["reserves"] = body["result"]["reserves"], body["result"]["members"]
    text = canonical(body)
    _tamper(path, "UPDATE panel_draws SET body = ?, hash = ? WHERE id = ?", text, chain_hash(last["prev_hash"], text),
            int(last["id"]))
    report = verify_draws(store.draws())
    assert report["chain_ok"].all() and not report["rerun_ok"].iloc[-1]
    _tamper(path, "DELETE FROM panel_draws WHERE id = 1")
    assert "链接不符" in verify_draws(store.draws())["problem"].iloc[0]


def test_a_member_who_cannot_serve_is_replaced_by_the_next_reserve_and_the_log_still_verifies(drawn):
    from workbench.panel import replacement
    from workbench.store.panel import canonical, chain_hash

    store, path = drawn
    panel = store.panel()
    members = panel[(panel["category"] == "model_worker") & (panel["role"] == "member")]["reviewer_id"].tolist()
    reserves = panel[(panel["category"] == "model_worker") & (panel["role"] == "reserve")]["reviewer_id"].tolist()
    with pytest.raises(PanelError) as err:
        replacement(store.draws(), members[0], " ", "model_worker")
    assert err.value.code == "replace_reason"
    for k, member in enumerate(members[:2]):
        body = replacement(store.draws(), member, "因故不能参加", "model_worker")
        assert body["in"] == reserves[k]
        store.record_draw("model_worker", "-", body, actor="张监督")
    after = store.panel()
    part = after[after["category"] == "model_worker"]
    assert set(part.loc[part["role"] == "member", "reviewer_id"]) == set(members[2:]) | set(reserves[:2])
    assert set(part.loc[part["role"] == "out", "reviewer_id"]) == set(members[:2])
    assert verify_draws(store.draws())["problem"].eq("").all()
    assert (store.history()["kind"] == "panel_replace").sum() == 2
    if len(reserves) == 2:
        with pytest.raises(PanelError) as err:
            replacement(store.draws(), members[2], "申报回避", "model_worker")
        assert err.value.code == "no_reserve"
    # someone picks a reserve of their liking instead of the next one, and re-hashes the record
    last = store.draws().iloc[-1]
    body = json.loads(last["body"])
    body["in"] = members[0]
    text = canonical(body)
    _tamper(path, "UPDATE panel_draws SET body = ?, hash = ? WHERE id = ?", text, chain_hash(last["prev_hash"], text),
            int(last["id"]))
    assert not verify_draws(store.draws())["rerun_ok"].iloc[-1]


# ---------------------------------------------------------------------------- the office's whole flow, by CLI
@pytest.fixture(scope="module")
def office(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("panel") / "round"
    run("sample", "--out", str(folder), "--seed", "5", "--unions", "8", "--no-photos", "--no-forms")
    return folder


def test_draw_verify_assign_pledge_sheets_and_double_entry(office, tmp_path):
    w = ["--workdir", str(office)]
    rnd = wb.load_round().at(office)
    assert run("reviewers", "draw", *w, check=False).returncode == 2  # who drew is required
    out = run("reviewers", "draw", "--by", "张监督", "--seed", "424242", *w).stdout
    assert "424242" in out and "抽取记录摘要" in out
    verified = run("reviewers", "draw", "--verify", *w).stdout
    assert "全部核验通过" in verified
    store = open_store(rnd)
    first = store.panel().query("role == 'member' and category == 'employee'")["reviewer_id"].iloc[0]
    replaced = run("reviewers", "replace", first, "--category", "职工", "--reason", "因故不能参加", "--by", "张监督", *w)
    assert "递补" in replaced.stdout and "全部核验通过" in run("reviewers", "draw", "--verify", *w).stdout
    run("reviewers", "assign", *w)
    panel = store.panel()
    assignments = store.assignments()
    assert set(assignments["reviewer_id"]) <= set(panel.loc[panel["role"] == "member", "reviewer_id"])

    # no pledge, no scoring: in the store, whatever the app does
    reviewer_id, nomination_id, stage = assignments[["reviewer_id", "nomination_id", "stage"]].iloc[0]
    with pytest.raises(PledgeRequiredError):
        store.check_pair(reviewer_id, nomination_id, stage)
    assert "未签署" in run("reviewers", "pledge", *w).stdout
    assert run("reviewers", "pledge", reviewer_id, *w, check=False).returncode == 2  # the CLI records paper only
    said = run("reviewers", "pledge", reviewer_id, "--paper", "--by", "王秘书", "--signed-on", "2022-11-01", *w).stdout
    assert reviewer_id in said
    pledge = store.pledges().set_index("reviewer_id").loc[reviewer_id]
    assert pledge["pledged"] and pledge["method"] == "paper" and pledge["recorded_by"] == "王秘书"
    assert pledge["signed_on"] == pd.Timestamp("2022-11-01") and pd.notna(pledge["pledged_at"])
    store.check_pair(reviewer_id, nomination_id, stage)

    # the paper sheet, typed in twice
    folder = tmp_path / "sheets"
    run("reviewers", "sheets", "--stage", stage, "--reviewer", reviewer_id, "--out", str(folder), "--no-pdf", *w)
    [sheet_file] = folder.glob("*.xlsx")
    work = store.worklist(reviewer_id, stage)
    book = load_workbook(sheet_file)
    ws = book.worksheets[0]
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4) and ws.page_setup.orientation == "landscape"
    printed = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
    assert "评委签名" in printed and "评分细则" in printed and RND.rubric[0].description in printed
    first_cat = work["category"].iloc[0]
    assert f"（{RND.rubric[0].max[first_cat]:g}分）" in printed

    typed = _type_sheet(sheet_file, tmp_path / "entry1.xlsx", rnd, fraction=0.8)
    out1 = run("scores", "import", str(typed), "--entry", "1", "--by", "录入员甲", *w).stdout
    assert "已暂存" in out1 and store.sheets(reviewer_id).empty  # nothing stored after one typing
    wrong = _type_sheet(sheet_file, tmp_path / "entry2.xlsx", rnd, fraction=0.8, change=("D5", 1.5))
    second = run("scores", "import", str(wrong), "--entry", "2", "--by", "录入员乙", *w, check=False)
    assert second.returncode == 1 and "D5" in second.stdout and "不一致" in second.stdout
    assert store.sheets(reviewer_id).empty  # a difference stores nothing for that sheet
    n_sheets = len(store.worklist(reviewer_id, stage))
    same = _type_sheet(sheet_file, tmp_path / "entry2b.xlsx", rnd, fraction=0.8)
    stored = run("scores", "import", str(same), "--entry", "2", "--by", "录入员乙", *w).stdout
    assert f"已入库 {n_sheets} 份" in stored
    saved = store.sheets(reviewer_id)
    assert len(saved) == n_sheets and set(saved["status"]) == {"submitted"}
    sheet = store.load_sheet(reviewer_id, work["nomination_id"].iloc[0], stage)
    category = work["category"].iloc[0]
    assert sheet["points"] == {c.code: math.floor(c.max[category] * 0.8 * 2) / 2 for c in rnd.criteria(category, stage)}
    events = store.history(reviewer_id=reviewer_id)
    assert "纸质评分表录入" in events.loc[events["kind"] == "score_submit", "actor"].iloc[0]
    assert (events["kind"] == "paper_entry").sum() == 3 * n_sheets


def _type_sheet(blank: Path, target: Path, rnd: wb.Round, *, fraction: float,
                change: tuple[str, object] | None = None, blank_cell: str | None = None) -> Path:
    """What a typist does: fill every criterion box of every candidate row, save a copy."""
    book = load_workbook(blank)
    for ws in book.worksheets:
        if ws.sheet_state == "hidden":
            continue
        category = next(c for c, cat in rnd.categories.items() if cat.short == ws.title)
        codes = {str(c.value): c.column for c in ws[3] if c.value}
        maxima = {c.code: c.max[category] for c in rnd.rubric}
        for row in ws.iter_rows(min_row=5):
            if row[codes["nomination_id"] - 1].value is None:
                break
            for code, col in codes.items():
                if code in maxima:
                    row[col - 1].value = math.floor(maxima[code] * fraction * 2) / 2
        if change:
            ws[change[0]] = change[1]
        if blank_cell:
            ws[blank_cell] = None
    book.save(target)
    return target


def test_out_of_range_missing_and_text_values_are_problems_with_their_cells(office, tmp_path):
    rnd = wb.load_round().at(office)
    store = open_store(rnd)
    if store.panel().empty:
        pytest.skip("runs after the flow test drew the panel")
    reviewer_id = store.pledges().query("pledged")["reviewer_id"].iloc[0]
    folder = tmp_path / "sheets"
    run("reviewers", "sheets", "--stage", "site", "--reviewer", reviewer_id, "--out", str(folder), "--no-pdf",
        "--workdir", str(office))
    [blank] = folder.glob("*.xlsx")
    bad = _type_sheet(blank, tmp_path / "bad.xlsx", rnd, fraction=0.8, change=("D5", 99), blank_cell="E5")
    book = load_workbook(bad)
    book.worksheets[0]["F5"] = "十二"
    book.save(bad)
    out = run("scores", "import", str(bad), "--entry", "1", "--by", "录入员甲", "--workdir", str(office), check=False)
    assert out.returncode == 1
    for cell in ("D5", "E5", "F5"):
        assert cell in out.stdout
    entries = store.paper_entries()
    first_id = load_workbook(bad).worksheets[0]["B5"].value
    assert not ((entries["nomination_id"] == first_id) & (entries["stage"] == "site")).any()  # a bad row is not kept
    assert store.sheets(reviewer_id).query("stage == 'site'").empty


def test_a_file_that_is_not_a_paper_sheet_is_one_clear_message(office, tmp_path):
    other = tmp_path / "other.xlsx"
    pd.DataFrame({"a": [1]}).to_excel(other, index=False)
    out = run("scores", "import", str(other), "--entry", "1", "--by", "甲", "--workdir", str(office), check=False)
    assert out.returncode == 2 and "paper_not_a_sheet" in out.stderr and "Traceback" not in out.stderr


def test_a_site_visit_with_an_unconfirmed_condition_is_a_verdict_wherever_verdicts_show(office, tmp_path):
    w = ["--workdir", str(office)]
    rnd = wb.load_round().at(office)
    store = open_store(rnd)
    if store.nominations().empty:
        run("reviewers", "assign", *w, check=False)
    screened = wb.screen(wb.read_inbox(rnd.inbox, rnd).nominations, rnd)
    nid = screened.loc[screened["eligibility"] == "eligible", "nomination_id"].iloc[0]
    photo = tmp_path / "现场.jpg"
    photo.write_bytes(b"\xff\xd8\xff")
    bad = run("visits", "record", nid, "--date", "2022-11-10", "--inspector", "张考察", "--by", "王秘书",
              "--ok", "nonsense", *w, check=False)
    assert bad.returncode == 2 and "unknown_condition" in bad.stderr
    out = run("visits", "record", nid, "--date", "2022-11-10", "--inspector", "张考察", "--inspector", "李考察",
              "--by", "王秘书", "--ok", "site", "--ok", "运行制度上墙", "--ok", "equipment", "--ok", "ledgers",
              "--not", "plaque:现场未见工作室牌匾", "--photo", str(photo), *w).stdout
    assert "未核实 1 项" in out
    listed = run("visits", "list", *w).stdout
    assert nid in listed and "现场未见工作室牌匾" in listed

    snap = wb.load_state(rnd, store, diagnostics=False)  # what the meeting and the exports see
    row = snap.screened.set_index("nomination_id").loc[nid]
    assert row["rule_site_visit"] == "fail" and row["eligibility"] == "ineligible"
    assert any("现场未见工作室牌匾" in r and "张考察" in r for r in row["eligibility_reasons"])
    assert "不合格" in run("screen", *w).stdout
    visit = store.site_visits()
    assert visit["photos"].iloc[0] == [str(photo.resolve())]
    assert (store.history(nomination_id=nid)["kind"] == "site_visit").sum() == 1


def test_the_plan_workbook_lists_every_assignment_by_reviewer_and_by_candidate(office):
    w = ["--workdir", str(office)]
    rnd = wb.load_round().at(office)
    store = open_store(rnd)
    if store.assignments().empty:
        run("reviewers", "assign", *w)
    out = run("reviewers", "plan", *w).stdout
    path = Path(out.strip().split("：", 1)[1])
    book = load_workbook(path)
    assert book.sheetnames == ["按评委", "按评审对象"]
    by_reviewer = pd.read_excel(path, sheet_name="按评委", header=2, engine="openpyxl")
    by_candidate = pd.read_excel(path, sheet_name="按评审对象", header=2, engine="openpyxl")
    assignments = store.assignments()
    assert by_reviewer["编号"].notna().sum() == len(assignments)
    assert by_candidate["评委人数"].sum() == len(assignments)
    ws = book["按评委"]
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4) and ws.print_title_rows and ws.freeze_panes


# ---------------------------------------------------------------------------- the pledge step of the scoring app
@pytest.fixture
def app_store(rnd, tmp_path):
    stage = next(iter(rnd.stages))
    with open_store(rnd, f"sqlite:///{tmp_path / 'app.sqlite'}") as s:
        s.add_reviewers(REVIEWERS)
        s.save_nominations(NOMINATIONS)
        s.save_assignments(pd.DataFrame({"nomination_id": ["N1", "N3"], "reviewer_id": ["R1", "R1"], "stage": stage}))
        yield s, dict(s.issue_codes()[["reviewer_id", "code"]].itertuples(index=False, name=None)), stage
    widgets.Widget.close_all()


def test_the_app_asks_for_the_pledge_before_the_first_candidate(app_store, rnd):
    store, codes, stage = app_store
    app = scoring_app(store, rnd, wb.Candidates.empty())
    assert app.login(codes["R1"])
    assert app.pledge_view.layout.display is None and app.main_view.layout.display == "none"
    assert not app.open_candidate("N1")  # a hostile client cannot open a card before pledging
    with pytest.raises(PledgeRequiredError):
        store.save_scores("R1", "N1", stage, {"leader": 10})
    form = app.pledge
    assert set(form.recuse) == {"N1", "N3"}
    form.confirm_button.click()  # not agreed yet
    assert "请先勾选" in form.message.value and not store.has_pledged("R1")
    form.recuse["N3"].value = True
    form.reason.value = "近三年在该单位任职"
    form.agree.value = True
    form.confirm_button.click()
    pledge = store.pledges().set_index("reviewer_id").loc["R1"]
    assert pledge["pledged"] and pledge["method"] == "app" and pledge["recorded_by"] == "R1"
    declared = store.declared_conflicts()
    assert declared[["reviewer_id", "nomination_id", "reason"]].values.tolist() == [["R1", "N3", "近三年在该单位任职"]]
    assert app.main_view.layout.display is None and app.pledge_view.layout.display == "none"
    assert set(app._rows()["nomination_id"]) == {"N1"}
    assert app.open_candidate("N1") and not app.open_candidate("N3")
    kinds = store.history(reviewer_id="R1")["kind"].tolist()
    assert kinds.index("conflict_declare") < kinds.index("pledge")

    app.logout()  # the next login goes straight to the list
    assert app.login(codes["R1"]) and app.main_view.layout.display is None


def test_a_pledge_is_recorded_once_and_needs_a_known_reviewer(app_store):
    store, _, _ = app_store
    assert store.record_pledge("R2", method="paper", actor="王秘书", signed_on=dt.date(2022, 11, 1))
    assert not store.record_pledge("R2", method="app")
    assert (store.history(reviewer_id="R2")["kind"] == "pledge").sum() == 1
    with pytest.raises(WorkbenchError) as err:
        store.record_pledge("R9", method="paper", actor="王秘书")
    assert err.value.code == "unknown_reviewer"
    with pytest.raises(WorkbenchError) as err:
        store.record_pledge("R3", method="paper", actor="")
    assert err.value.code == "actor_required"
    with pytest.raises(WorkbenchError) as err:
        store.record_pledge("R3", method="email", actor="王秘书")
    assert err.value.code == "bad_pledge_method"


def test_a_replacement_takes_over_only_what_the_member_has_not_scored(tmp_path):
    """Replacing a member after assignment hands their unscored work to the reserve (not a reshuffle),
    keeps what they scored, leaves a pair the reserve must recuse from to the office, and stops their code."""
    folder = tmp_path / "round"
    run("sample", "--out", str(folder), "--seed", "9", "--unions", "8", "--no-photos", "--no-forms")
    w = ["--workdir", str(folder)]
    rnd = wb.load_round().at(folder)
    run("reviewers", "draw", "--by", "张监督", "--seed", "77", *w)
    run("reviewers", "assign", *w)
    store = open_store(rnd)
    panel = store.panel()
    members = panel.query("role == 'member'")
    before = store.assignments()
    out = before["reviewer_id"].value_counts().index[0]  # the busiest member: at least two assignments
    category = members.loc[members["reviewer_id"] == out, "category"].iloc[0]
    reserve = panel.query("role == 'reserve' and category == @category").sort_values("order")["reviewer_id"].iloc[0]
    theirs = before[before["reviewer_id"] == out].reset_index(drop=True)
    assert len(theirs) >= 3
    code = store.issue_codes([out])["code"].iloc[0]
    store.record_pledge(out, method="paper", actor="王秘书")
    scored = theirs.iloc[0]
    criteria = rnd.criteria(category, scored["stage"])
    store.save_scores(out, scored["nomination_id"], scored["stage"], {c.code: c.max[category] / 2 for c in criteria})
    recused = theirs.iloc[1]
    store.add_reviewers(wb.read_reviewers(folder / "reviewers.csv").query("reviewer_id == @reserve"))
    store.declare_conflict(reserve, recused["nomination_id"], "亲属关系")

    done = run("reviewers", "replace", out, "--reason", "因故不能参加", "--by", "张监督", *w)
    assert reserve in done.stdout and "已停用" in done.stdout
    assert recused["nomination_id"] in done.stderr and "回避" in done.stderr  # the office must cover it

    after = store.assignments()
    others = before[before["reviewer_id"] != out]
    key = ["nomination_id", "reviewer_id", "stage"]
    assert others[key].merge(after[key]).shape[0] == len(others)  # nobody else's work moved
    left = after[after["reviewer_id"] == out]
    assert list(left["nomination_id"]) == [scored["nomination_id"]]  # what they scored stays theirs
    taken = set(after.loc[after["reviewer_id"] == reserve, "nomination_id"])
    assert taken == set(theirs["nomination_id"]) - {scored["nomination_id"], recused["nomination_id"]}
    with pytest.raises(WorkbenchError, match="code_revoked"):
        store.login(code)
