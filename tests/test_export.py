"""Export: formatted official workbooks and CSV twins; public lists only from recorded approvals."""

import hashlib
import os
import shutil
import subprocess
import time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import workbench as wb
from tests.test_ranking import both_stages, scores, screened
from workbench import labels
from workbench.export import ExportError, display_width, export_all, export_results
from workbench.notice import chinese_date, notice_period
from workbench.screening import rule_categories

RND = wb.load_round()
NAMES = labels.EXPORT_FILES
# The fixtures' meetings leave a category undecided: their public files are exported as incomplete.
PARTIAL = {"allow_incomplete": True, "reason": "示范性类另行审定"}


def ranked_frame() -> pd.DataFrame:
    ids = {"demonstration": ["D1", "D2"], "model_worker": ["M1", "M2", "M3"], "employee": [f"E{i:02d}" for i in range(RND.categories["employee"].slots + 2)]}
    s = screened(ids)
    s.loc[s["nomination_id"] == "E02", "studio"] = "=HYPERLINK(\"http://x\")"
    totals = {}
    for cat, nids in ids.items():
        for i, nid in enumerate(nids):
            totals |= both_stages(nid, [90 - i] * 5, [88 - i] * 5)
    parts = [scores({k: v for k, v in totals.items() if k[0] in nids}, cat) for cat, nids in ids.items()]
    return wb.rank(s, pd.concat(parts, ignore_index=True), RND)


def by_name(paths: list[Path]) -> dict[str, Path]:
    return {p.name: p for p in paths}


def cells(path: Path, sheet: str | None = None) -> list[object]:
    book = openpyxl.load_workbook(path)
    sheets = [book[sheet]] if sheet else book.worksheets
    return [c.value for ws in sheets for row in ws.iter_rows() for c in row if c.value is not None]


def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)


# ---------------------------------------------------------------------------- a realistic round with decisions
@pytest.fixture(scope="module")
def decided(tmp_path_factory):
    """A 12-union sample round with simulated scores; the meeting approved the proposed rows of two
    categories, rejected one and deferred another; one screening verdict was overridden."""
    folder = tmp_path_factory.mktemp("export") / "round"
    rnd = RND.at(folder)
    store = wb.build_demo(rnd, seed=11, unions=12)
    before = wb.load_state(rnd, store)
    doubtful = before.screened.loc[before.screened["eligibility"] == "review", "nomination_id"].iloc[0]
    store.record_override(doubtful, "eligibility", "eligible", "经电话核实，材料齐全", "analyst")
    snap = wb.load_state(rnd, store)  # what the meeting and the export see includes the override
    proposed = snap.ranked[snap.ranked["proposed"]]
    approved = proposed[proposed["category"] != "demonstration"]
    for nid in approved["nomination_id"]:
        store.record_decision(nid, "approve", "", snap.snapshot_id, "主席办公会")
    demo = proposed[proposed["category"] == "demonstration"]["nomination_id"].tolist()
    store.record_decision(demo[0], "reject", "材料不实", snap.snapshot_id, "主席办公会")
    store.record_decision(demo[1], "defer", "", snap.snapshot_id, "主席办公会")
    out = folder / "out"
    paths = export_all(snap, out, store=store, **PARTIAL)
    return {"rnd": rnd, "store": store, "snap": snap, "approved": approved, "rejected": demo[:2],
            "override": doubtful, "paths": by_name(paths), "out": out}


def test_every_file_is_written_with_a_csv_twin(decided):
    paths = decided["paths"]
    for key in ("screening", "ranking", "proposed", "public", "named", "subsidy"):
        assert f"{NAMES[key]}.xlsx" in paths and f"{NAMES[key]}.csv" in paths
        twin = paths[f"{NAMES[key]}.csv"]
        assert twin.parent.name == labels.EXPORT_CSV_DIR
        assert twin.read_bytes().startswith(b"\xef\xbb\xbf")  # the BOM: Excel shows the Chinese


def test_public_lists_hold_only_the_approved_rows_and_publishable_columns(decided):
    screened_ = decided["snap"].screened
    approved = set(decided["approved"]["studio"])
    others = set(screened_["studio"]) - approved
    public_values = {str(v) for col in ("recommender", "studio", "host_unit", "leader") for v in decided["approved"][col]}
    private = {str(v) for col in ("phone", "contact", "note", "nomination_id") for v in screened_[col].dropna()
               if str(v).strip()} - public_values
    assert private
    for key in ("public", "named", "subsidy"):
        xlsx, twin = decided["paths"][f"{NAMES[key]}.xlsx"], decided["paths"][f"{NAMES[key]}.csv"]
        values = {str(v) for v in cells(xlsx)} | set(read_csv(twin).to_numpy().ravel())
        assert approved <= values, key
        assert not (others & values), f"{key}: a studio the meeting did not approve is listed"
        assert not (private & values), f"{key}: a private column leaked"
    public = read_csv(decided["paths"][f"{NAMES['public']}.csv"])
    assert list(public.columns) == [labels.EXPORT_COLUMNS["category_short"], *(labels.COLUMNS[c] for c in
                                    ("recommender", "studio", "host_unit", "leader")), labels.EXPORT_COLUMNS["completeness"]]
    assert (public[labels.EXPORT_COLUMNS["completeness"]].str.contains(PARTIAL["reason"])).all()  # incomplete, and says so
    assert len(public) == len(approved)


def test_the_naming_list_is_grouped_by_union_with_counts(decided):
    rnd, approved = decided["rnd"], decided["approved"]
    book = openpyxl.load_workbook(decided["paths"][f"{NAMES['named']}.xlsx"])
    for cat, part in approved.groupby("category"):
        ws = book[rnd.categories[cat].short]
        assert PARTIAL["reason"] in ws["A2"].value  # the incomplete list says so above the header
        rows = list(ws.iter_rows(min_row=4, values_only=True))
        header = [c.value for c in ws[3]]
        studio_col = header.index(labels.COLUMNS["studio"])
        listed = [r for r in rows if r[studio_col]]
        assert len(listed) == len(part)
        for union, n in part["recommender"].value_counts().items():
            group = labels.EXPORT_TEXT["named_group"].format(recommender=union, n=n)
            assert sum(1 for r in rows if r[0] == group) == 1, group
            merged = [m for m in ws.merged_cells.ranges if ws.cell(m.min_row, 1).value == group]
            assert n == 1 or (merged and merged[0].size["rows"] == n)
        assert rows[-1][0] == labels.EXPORT_TEXT["named_total"].format(n=len(part))
    summary = book[labels.EXPORT_SHEETS["summary"]]
    last = [c.value for c in summary[summary.max_row]]
    assert last[0] == labels.EXPORT_TEXT["total"] and last[-1] == len(approved)


def test_the_subsidy_table_sums_the_config_amounts_and_marks_sample_values(decided, tmp_path):
    rnd, approved = decided["rnd"], decided["approved"]
    twin = read_csv(decided["paths"][f"{NAMES['subsidy']}.csv"])
    amount = [c for c in twin.columns if c.startswith(labels.EXPORT_COLUMNS["subsidy"])][0]
    expected = sum(rnd.categories[c].subsidy for c in approved["category"])
    assert twin[amount].astype(float).sum() == expected
    assert labels.SAMPLE_MARK in amount
    book = openpyxl.load_workbook(decided["paths"][f"{NAMES['subsidy']}.xlsx"])
    assert all(labels.SAMPLE_MARK in ws["A1"].value for ws in book.worksheets)
    assert book.worksheets[0][book.worksheets[0].max_row][3].value == expected
    real = rnd.model_copy(update={"categories": {c: cfg.model_copy(update={"subsidy_is_sample": False})
                                                 for c, cfg in rnd.categories.items()}})
    paths = by_name(export_results(decided["snap"].ranked, real, tmp_path, decisions=decided["store"].decisions(), **PARTIAL))
    assert labels.SAMPLE_MARK not in " ".join(str(v) for v in cells(paths[f"{NAMES['subsidy']}.xlsx"]))


def test_the_notice_text_comes_from_the_config(decided, tmp_path):
    rnd = decided["rnd"]
    notice = cells(decided["paths"][f"{NAMES['public']}.xlsx"], labels.EXPORT_SHEETS["notice"])
    text = "".join(map(str, notice))
    first, last = notice_period(rnd.notice.start, rnd.notice.workdays)
    for part in (chinese_date(first), chinese_date(last), rnd.notice.media, rnd.notice.contact_office,
                 rnd.notice.contact_phone, rnd.notice.objection, rnd.round.organiser):
        assert part in text, part
    assert str(len(decided["approved"][decided["approved"]["category"] == "model_worker"])) in text
    unset = rnd.model_copy(update={"notice": rnd.notice.model_copy(update={"start": None})})
    paths = by_name(export_results(decided["snap"].ranked, unset, tmp_path, decisions=decided["store"].decisions(), **PARTIAL))
    text = "".join(map(str, cells(paths[f"{NAMES['public']}.xlsx"], labels.EXPORT_SHEETS["notice"])))
    assert chinese_date(first) not in text and labels.NOTICE_TEXT["date_unset"] in text


def test_the_screening_table_shows_each_rule_reasons_overrides_and_summaries(decided):
    rnd, screened_ = decided["rnd"], decided["snap"].screened
    book = openpyxl.load_workbook(decided["paths"][f"{NAMES['screening']}.xlsx"])
    for cat, cfg in rnd.categories.items():
        ws = book[cfg.short]
        header = [c.value for c in ws[3]]
        rows = [dict(zip(header, r)) for r in ws.iter_rows(min_row=4, values_only=True)]
        part = screened_[screened_["category"] == cat].reset_index(drop=True)
        assert [r[labels.COLUMNS["studio"]] for r in rows] == part["studio"].tolist()
        for rule in wb.RULES:
            if cat in rule_categories(rule, rnd):
                head = labels.RULE_HEADERS[rule.code]
                # a rule without a verdict yet (site_visit before any visit) is a blank cell
                assert [r[head] for r in rows] == [None if pd.isna(v) else labels.RULE_RESULT[v]
                                                   for v in part[f"rule_{rule.code}"]]
        for r, reasons in zip(rows, part["eligibility_reasons"]):
            for reason in reasons:
                assert reason in r[labels.EXPORT_COLUMNS["notes"]]
    row = screened_[screened_["nomination_id"] == decided["override"]].iloc[0]
    ws = book[rnd.categories[row["category"]].short]
    header = [c.value for c in ws[3]]
    line = next(dict(zip(header, r)) for r in ws.iter_rows(min_row=4, values_only=True) if r[header.index("工作室名称")] == row["studio"])
    assert "经电话核实，材料齐全" in line[labels.EXPORT_COLUMNS["override"]]
    assert line[labels.EXPORT_COLUMNS["outcome"]] != labels.OUTCOME["pending"]
    for sheet, key in ((labels.EXPORT_SHEETS["by_union"], "recommender"), (labels.EXPORT_SHEETS["by_category"], "category")):
        ws = book[sheet]
        header = [c.value for c in ws[3]]
        rows = list(ws.iter_rows(min_row=4, values_only=True))
        nominated = header.index(labels.EXPORT_COLUMNS["nominated"])
        assert rows[-1][0] == labels.EXPORT_TEXT["total"] and rows[-1][nominated] == len(screened_)
        assert sum(r[nominated] for r in rows[:-1]) == len(screened_)
        assert len(rows) - 1 == screened_[key].nunique()
    overridden = book[labels.EXPORT_SHEETS["by_category"]]
    header = [c.value for c in overridden[3]]
    assert overridden[overridden.max_row][header.index(labels.EXPORT_COLUMNS["overridden"])].value == 1


def test_a_nomination_of_unknown_category_is_listed_not_dropped(decided, tmp_path):
    screened_ = decided["snap"].screened.copy()
    screened_.loc[screened_.index[:2], "category"] = [pd.NA, "其他"]
    paths = by_name(export_results(decided["snap"].ranked, decided["rnd"], tmp_path, screened=screened_))
    book = openpyxl.load_workbook(paths[f"{NAMES['screening']}.xlsx"])
    unknown = [c for c in cells(paths[f"{NAMES['screening']}.xlsx"], labels.EXPORT_TEXT["unknown_category"])]
    assert set(screened_["studio"].iloc[:2]) <= set(unknown)
    ws = book[labels.EXPORT_SHEETS["by_category"]]
    header = [c.value for c in ws[3]]
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    nominated = header.index(labels.EXPORT_COLUMNS["nominated"])
    assert rows[-1][nominated] == len(screened_) == sum(r[nominated] for r in rows[:-1])
    assert len(read_csv(paths[f"{NAMES['screening']}.csv"])) == len(screened_)


def test_the_ranking_workbook_carries_provenance(decided):
    snap, rnd = decided["snap"], decided["rnd"]
    values = [str(v) for v in cells(decided["paths"][f"{NAMES['ranking']}.xlsx"], labels.EXPORT_SHEETS["provenance"])]
    assert snap.snapshot_id in values and rnd.source_sha256 in values
    summary = next(rnd.inbox.rglob("*推荐汇总表*"))
    assert hashlib.sha256(summary.read_bytes()).hexdigest() in values
    assert any(v.endswith("openpyxl") for v in values) and openpyxl.__version__ in values


def test_diagnostics_go_on_their_own_sheet_when_given(tmp_path):
    ranked = ranked_frame()
    diagnostics = pd.DataFrame({"candidate": ["E01"], "category": ["employee"], "p_top": [0.5]})
    paths = by_name(export_results(ranked, RND, tmp_path / "a", diagnostics=diagnostics))
    book = openpyxl.load_workbook(paths[f"{NAMES['ranking']}.xlsx"])
    assert labels.EXPORT_SHEETS["diagnostics"] in book.sheetnames
    values = cells(paths[f"{NAMES['ranking']}.xlsx"], labels.EXPORT_SHEETS["diagnostics"])
    studio = ranked.loc[ranked["nomination_id"] == "E01", "studio"].item()
    assert "E01" in values and studio in values and 0.5 in values
    paths = by_name(export_results(ranked, RND, tmp_path / "b"))
    assert labels.EXPORT_SHEETS["diagnostics"] not in openpyxl.load_workbook(paths[f"{NAMES['ranking']}.xlsx"]).sheetnames


def test_no_public_files_without_an_approval_and_an_unknown_approval_is_refused(tmp_path):
    ranked = ranked_frame()
    approve = pd.DataFrame({"nomination_id": ["M1"], "decision": ["approve"]})
    earlier = by_name(export_results(ranked, RND, tmp_path / "a", decisions=approve, **PARTIAL))
    assert earlier[f"{NAMES['public']}.xlsx"].exists()
    withdrawn = approve.assign(decision="reject")
    written = by_name(export_results(ranked, RND, tmp_path / "a", decisions=withdrawn, **PARTIAL))
    assert f"{NAMES['public']}.xlsx" not in written and f"{NAMES['named']}.xlsx" not in written
    assert not any(p.exists() for name, p in earlier.items() if name not in written)  # no stale public list left
    with pytest.raises(ExportError) as err:
        export_results(ranked, RND, tmp_path / "b", decisions=pd.DataFrame({"nomination_id": ["X9"], "decision": ["approve"]}))
    assert err.value.code == "unknown_decision" and "X9" in str(err.value)


# ---------------------------------------------------------------------------- formatting
def test_ranking_workbook_is_formatted_as_an_official_table(tmp_path):
    path = by_name(export_results(ranked_frame(), RND, tmp_path))[f"{NAMES['ranking']}.xlsx"]
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[:3] == [c.short for c in RND.categories.values()]
    ws = book["职工"]
    assert ws["A1"].value == "无锡市职工创新工作室评审结果排名表" and ws["A1"].font.bold
    assert any(str(r).startswith("A1:") for r in ws.merged_cells.ranges)
    header = [c.value for c in ws[3]]
    assert header[:3] == ["排名", "工作室名称", "所在单位"] and "综合得分" in header
    assert all(c.font.bold and c.border.left.style == "thin" for c in ws[3])
    assert ws.freeze_panes == "A4" and ws.print_title_rows.replace("$", "") == "3:3"
    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
    assert ws["B4"].font.name == "宋体"
    assert ws.column_dimensions["B"].width >= 10
    for cell in ws[3]:  # a header of up to five Chinese characters is not split over two lines
        if display_width(cell.value) <= 10:
            assert ws.column_dimensions[cell.column_letter].width >= display_width(cell.value) + 1, cell.value
    values = [c.value for row in ws.iter_rows(min_row=4) for c in row]
    assert "'=HYPERLINK(\"http://x\")" in values
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)
    last_proposed = 3 + sum(1 for r in ws.iter_rows(min_row=4, values_only=True) if r[header.index("拟命名")] == "是")
    assert ws.cell(row=last_proposed, column=1).border.bottom.style == "thick"
    assert ws.cell(row=last_proposed + 1, column=1).border.bottom.style == "thin"


def test_formula_text_is_neutralised_in_every_file_and_csv(decided, tmp_path):
    snap = decided["snap"]
    target = decided["approved"]["nomination_id"].iloc[0]
    evil = {"studio": "=1+2", "host_unit": "+SUM(A1)", "leader": "-3", "recommender": "@cmd"}
    ranked, screened_ = snap.ranked.copy(), snap.screened.copy()
    for col, value in evil.items():
        ranked.loc[ranked["nomination_id"] == target, col] = value
        screened_.loc[screened_["nomination_id"] == target, col] = value
    paths = export_results(ranked, decided["rnd"], tmp_path, screened=screened_, decisions=decided["store"].decisions(), **PARTIAL)
    for path in (p for p in paths if p.suffix in (".xlsx", ".csv")):  # Word runs no formulas
        values = [str(v) for v in cells(path)] if path.suffix == ".xlsx" else list(read_csv(path).to_numpy().ravel())
        assert not any(v.startswith(("=", "+", "-", "@")) for v in values if v), path.name
        assert "'=1+2" in values, path.name


def test_reexport_gives_the_same_bytes(decided, tmp_path):
    snap, store = decided["snap"], decided["store"]
    a = export_all(snap, tmp_path / "a", store=store, **PARTIAL)
    time.sleep(2.1)  # zip entries carry a time stamp to 2 s: make sure the clock has moved on
    b = export_all(snap, tmp_path / "b", store=store, **PARTIAL)
    assert [p.relative_to(tmp_path / "a") for p in a] == [p.relative_to(tmp_path / "b") for p in b]
    for x, y in zip(a, b):
        assert hashlib.sha256(x.read_bytes()).digest() == hashlib.sha256(y.read_bytes()).digest(), x.name


# ---------------------------------------------------------------------------- a real client opens every file
def test_every_workbook_converts_to_pdf_in_libreoffice(decided, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or shutil.which("pdftotext") is None:
        if os.environ.get("CI"):
            pytest.fail("CI needs LibreOffice and poppler-utils (libreoffice-calc-nogui, poppler-utils)")
        pytest.skip("LibreOffice or pdftotext not installed")
    books = sorted(p for p in decided["paths"].values() if p.suffix == ".xlsx")
    profile = (tmp_path / "profile").as_uri()
    subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), *map(str, books)], check=True, capture_output=True, timeout=240)
    for book in books:
        pdf = tmp_path / f"{book.stem}.pdf"
        assert pdf.exists(), book.name
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
        pages = text.count("\f")
        assert pages > 0, book.name
        title = openpyxl.load_workbook(book).worksheets[0]["A1"].value
        assert title.replace("\n", "")[:8] in text.replace(" ", ""), book.name


def test_a_rule_override_shows_in_the_screening_table_with_who_and_why(small_round):
    from workbench.export import screening_table

    screened_ = wb.screen(wb.read_inbox(small_round.inbox, small_round).nominations, small_round)
    nid = screened_["nomination_id"].iloc[0]
    overrides = pd.DataFrame([{"nomination_id": nid, "verdict": "rule_named_years", "value": "pass",
                               "reason": "特别优秀，直接推荐", "actor": "王分析", "at": pd.Timestamp(2022, 11, 3, 10)}])
    for frame in (screened_, wb.screen(wb.read_inbox(small_round.inbox, small_round).nominations, small_round,
                                       overrides=overrides)):
        row = screening_table(frame, small_round, overrides).set_index("nomination_id").loc[nid]
        assert "特别优秀，直接推荐" in row["override"] and "王分析" in row["override"]
        assert row["sym_named_years"] == labels.RULE_RESULT["pass"]


# ---------------------------------------------------------------------------- completeness of the meeting's decisions
def test_public_files_are_refused_while_a_category_is_undecided(decided, tmp_path):
    snap, store = decided["snap"], decided["store"]
    with pytest.raises(ExportError) as err:
        export_all(snap, tmp_path, store=store)
    assert err.value.code == "incomplete"
    assert "示范性类审定通过0个" in str(err.value) and "--allow-incomplete" in str(err.value)
    written = {p.name for p in tmp_path.rglob("*") if p.is_file()}
    assert f"{NAMES['ranking']}.xlsx" in written and f"{NAMES['proposed']}.xlsx" in written  # the internal files are there
    public = {f"{NAMES[k]}.{ext}" for k in ("public", "named", "subsidy") for ext in ("xlsx", "csv")}
    public |= {f"{name}.docx" for name in labels.DOCUMENT_FILES.values()}
    assert not (written & public)
    with pytest.raises(ExportError) as err:
        export_all(snap, tmp_path, store=store, allow_incomplete=True, reason="  ")
    assert err.value.code == "reason_required"


def test_completeness_counts_places_approvals_and_open_decisions(decided):
    state = wb.completeness(decided["snap"].ranked, decided["store"].decisions(), decided["rnd"]).set_index("category")
    ranked = decided["snap"].ranked
    for cat, cfg in decided["rnd"].categories.items():
        assert state.at[cat, "places"] == min(cfg.slots, int((ranked["category"] == cat).sum()))
    demo = state.loc["demonstration"]
    assert demo["approved"] == 0 and not demo["complete"]
    assert demo["open"] == int(ranked.loc[ranked["category"] == "demonstration", "proposed"].sum()) - 1  # one rejected, one deferred
    assert state.loc["model_worker", "complete"] and state.loc["employee", "complete"]


def test_the_incomplete_statement_heads_every_public_workbook(decided):
    for key in ("public", "named", "subsidy"):
        values = " ".join(str(v) for v in cells(decided["paths"][f"{NAMES[key]}.xlsx"]))
        assert "名单不完整" in values and PARTIAL["reason"] in values, key


# ---------------------------------------------------------------------------- Chinese, unique, rounded
def test_every_exported_header_is_chinese_and_csv_columns_are_unique(decided, tmp_path):
    ranked = ranked_frame()
    diag = pd.DataFrame({"candidate": ["M1"], "category": ["model_worker"], "rank": [1], "slots": [20], "in_top": [True],
                         "p_top": [0.98765], "rank_low": [1], "rank_high": [2], "loro_flips": [0], "shadow_flips": ["median,mean"],
                         "tied_at_cut": [False], "band": ["borderline"], "reasons": ["x"]})
    paths = export_results(ranked, RND, tmp_path, diagnostics=diag,
                           decisions=pd.DataFrame({"nomination_id": ["M1"], "decision": ["approve"]}), **PARTIAL)
    ascii_word = __import__("re").compile(r"^[a-z_]+$")
    for path in [*paths, *decided["paths"].values()]:
        if path.suffix == ".csv":
            header = list(read_csv(path).columns)
            assert len(header) == len(set(header)), (path.name, header)
            assert not [h for h in header if ascii_word.match(h)], (path.name, header)
    book = openpyxl.load_workbook(tmp_path / f"{NAMES['ranking']}.xlsx")
    ws = book[labels.EXPORT_SHEETS["diagnostics"]]
    header = [c.value for c in ws[2]]
    assert not [h for h in header if h and ascii_word.match(str(h))], header
    row = dict(zip(header, [c.value for c in ws[3]]))
    assert row[labels.DIAGNOSTIC_COLUMNS["band"]] == labels.BANDS["borderline"]
    assert row[labels.DIAGNOSTIC_COLUMNS["shadow_flips"]] == "中位数、算术平均"
    assert row[labels.DIAGNOSTIC_COLUMNS["p_top"]] == 0.99


def test_csv_numbers_are_rounded_as_published(tmp_path):
    ranked = ranked_frame()
    ranked["untrimmed_mean"] = ranked["untrimmed_mean"] + 1 / 3
    export_results(ranked, RND, tmp_path)
    table = read_csv(tmp_path / labels.EXPORT_CSV_DIR / f"{NAMES['ranking']}.csv")
    figures = table[labels.COLUMNS["untrimmed_mean"]]
    assert (figures.str.len() > 0).all()
    assert all(len(v.split(".")[1]) <= RND.ranking.precision for v in figures if "." in v)
    crit = [h for h in table.columns if h.endswith("分项得分")]
    assert len(crit) == len(RND.rubric) and labels.COLUMNS["leader"] in table.columns
