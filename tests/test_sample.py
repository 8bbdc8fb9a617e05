"""The fictional sample round: deterministic, messy the way real returns are, every planted case present."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

import workbench as wb
from workbench import labels
from workbench.config import load_round
from workbench.sample import CASES, TRUTH_DTYPES, make_sample, sample_nominations
from workbench.state import STATE_DIR


@pytest.fixture(scope="module")
def rnd():
    return load_round()


@pytest.fixture(scope="module")
def default_round(rnd):
    return sample_nominations(rnd=rnd)


@pytest.fixture(scope="module")
def written(tmp_path_factory, rnd) -> Path:
    return make_sample(tmp_path_factory.mktemp("round") / "sample", seed=11, unions=8, rnd=rnd)


def _codes(series: pd.Series) -> pd.Series:
    return series.map(lambda s: set(filter(None, s.split(";"))))


def _listing(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _summary_files(folder: Path) -> list[Path]:
    return sorted(p for p in (folder / "inbox").glob("*/*") if "汇总表" in p.name)


# ---------------------------------------------------------------------------- the truth frame
def test_same_seed_same_truth_other_seed_differs(rnd):
    a, named_a = sample_nominations(8, seed=5, rnd=rnd)
    b, named_b = sample_nominations(8, seed=5, rnd=rnd)
    c, _ = sample_nominations(8, seed=6, rnd=rnd)
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(named_a, named_b)
    assert not a[["studio", "leader"]].equals(c[["studio", "leader"]])


def test_truth_has_the_canonical_columns_and_dtypes(default_round):
    truth, _ = default_round
    assert list(truth.columns) == list(TRUTH_DTYPES)
    for column, dtype in TRUTH_DTYPES.items():
        if dtype.startswith("datetime64"):
            assert pd.api.types.is_datetime64_dtype(truth[column]), column
        else:
            assert str(truth[column].dtype) == dtype, column
    assert truth["leader_honours"].map(lambda v: isinstance(v, list) and all(isinstance(t, str) for t in v)).all()
    assert truth["received_at"].notna().all()
    assert set(truth["category"]) == {"demonstration", "model_worker", "employee"}


def test_every_planted_case_is_in_the_default_round(default_round):
    truth, _ = default_round
    present = set().union(*_codes(truth["case"]))
    assert set(CASES) <= present


def test_default_round_is_mostly_clean_with_a_real_field(default_round):
    truth, _ = default_round
    clean = (truth["expected_rules_fail"] == "") & (truth["expected_rules_review"] == "") & (truth["expected_quota"] == "in_quota")
    assert 0.6 <= clean.mean() <= 0.8
    counts = truth["category"].value_counts()
    assert 10 <= counts["demonstration"] <= 18
    assert 40 <= counts["model_worker"] <= 65
    assert 18 <= counts["employee"] <= 32


def test_quota_counts_match_the_over_quota_planting(default_round, rnd):
    truth, _ = default_round
    group = truth["category"].map({c: g.code for g in rnd.quota_groups for c in g.categories})
    limit = group.map({g.code: g.limit for g in rnd.quota_groups})
    per_union = truth.assign(group=group, limit=limit, over=_codes(truth["case"]).map(lambda c: "over_quota" in c)).groupby(["recommender", "group"])
    summary = per_union.agg(n=("studio", "size"), limit=("limit", "first"), planted=("over", "sum"))
    assert ((summary["n"] > summary["limit"]) == (summary["planted"] > 0)).all()
    assert (summary["planted"] == (summary["n"] - summary["limit"]).clip(lower=0)).all()
    assert (truth["expected_quota"] == "over_quota").sum() == summary["planted"].sum()


def test_registry_is_consistent_with_the_planted_cases(default_round, rnd):
    truth, named = default_round
    ref = pd.Timestamp(rnd.reference_date)
    at_model = named[named["category"] == "model_worker"].set_index("studio")["named_on"]
    demo = truth[truth["category"] == "demonstration"]
    codes = _codes(demo["case"])
    for studio, case in zip(demo["studio"], codes):
        if case & {"never_named", "direct"}:
            assert studio not in at_model.index
        elif "named_recently" in case:
            assert ref - at_model[studio] < pd.Timedelta(days=730)
        else:
            assert ref - at_model[studio] >= pd.Timedelta(days=730)
    already = truth[_codes(truth["case"]).map(lambda c: "already_named" in c)]
    assert already["studio"].isin(at_model.index).all()
    clean_model = truth[(truth["category"] == "model_worker") & (truth["case"] == "")]
    assert not clean_model["studio"].isin(at_model.index).any()


def test_large_round_is_vectorised(rnd):
    truth, named = sample_nominations(30_000, rnd=rnd)
    assert 50_000 <= len(truth) <= 200_000
    assert len(named) > 30_000
    assert not truth.duplicated(["recommender", "studio"]).any()


# ---------------------------------------------------------------------------- the written folder
def test_same_seed_writes_the_same_bytes(tmp_path, rnd):
    a = make_sample(tmp_path / "a", seed=3, unions=6, rnd=rnd, photos=False)
    b = make_sample(tmp_path / "b", seed=3, unions=6, rnd=rnd, photos=False)
    c = make_sample(tmp_path / "c", seed=4, unions=6, rnd=rnd, photos=False)
    assert _listing(a) == _listing(b)
    assert _listing(a) != _listing(c)


def test_folder_layout_and_registries(written, rnd):
    truth = pd.read_csv(written / "ground_truth.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    inbox = written / "inbox"
    for union, rows in truth.groupby("recommender"):
        assert (inbox / rows["source_file"].iloc[0]).exists()
        for studio in rows["studio"]:
            assert (inbox / union / labels.SAMPLE_FORM_FILE.format(studio=studio)).exists()
    photos = {p.parent.parent.name for p in inbox.glob("*/*/照片/*.jpg")}
    assert photos <= set(truth["studio"])
    assert (written / "README.txt").read_text(encoding="utf-8").count("虚构") >= 1
    named = pd.read_csv(written / "named_studios.csv", encoding="utf-8-sig")
    assert list(named.columns) == ["batch", "category", "studio", "host_unit", "leader", "named_on"]
    assert pd.to_datetime(named["named_on"]).notna().all()
    reviewers = pd.read_csv(written / "reviewers.csv", encoding="utf-8-sig")
    assert list(reviewers.columns) == ["reviewer_id", "name", "unit", "field"]
    assert reviewers["field"].nunique() >= 3  # a draw can be stratified by field
    assert reviewers["reviewer_id"].is_unique and len(reviewers) >= 20
    conflicted = reviewers["unit"].isin(set(truth["recommender"]) | set(truth["host_unit"]))
    assert 0 < conflicted.sum() < len(reviewers) / 2
    assert not reviewers["name"].isin(truth["leader"]).any()


def test_receipts_cover_most_files_and_one_is_late(written, rnd):
    raw = (written / "inbox" / labels.RECEIPTS_FILE).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    register = pd.read_csv(written / "inbox" / labels.RECEIPTS_FILE, encoding="utf-8-sig", dtype=str)
    assert list(register.columns) == ["file", "received_at", "studio", "paper_copies", "paper_bound", "paper_sealed",
                                      "party_consent"]
    receipts = register[register["studio"].isna()]  # the summaries; the studio rows record the paper side
    files = [p.relative_to(written / "inbox").as_posix() for p in _summary_files(written)]
    assert set(receipts["file"]) <= set(files)
    assert len(receipts) >= len(files) / 2
    times = pd.to_datetime(receipts["received_at"], format="%Y-%m-%d %H:%M")
    deadline = rnd.round.deadline.replace(tzinfo=None)
    assert (times > deadline).sum() >= 1


def test_the_register_records_the_paper_side_per_studio_with_planted_shortfalls(written, rnd):
    register = pd.read_csv(written / "inbox" / labels.RECEIPTS_FILE, encoding="utf-8-sig", dtype=str)
    truth = pd.read_csv(written / "ground_truth.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    paper = register[register["studio"].notna()]
    unrecorded = truth["case"].str.contains("paper_unrecorded")
    assert set(paper["studio"]) == set(truth.loc[~unrecorded, "studio"])  # every studio but the unrecorded ones
    assert (paper["file"].str.endswith("推荐表.xlsx")).all()
    short = paper[(paper["paper_copies"].astype(int) < rnd.receipts.copies) | (paper[["paper_bound", "paper_sealed", "party_consent"]] == "否").any(axis=1)]
    planted = truth[truth["case"].str.contains("paper_short|no_consent")]
    assert set(short["studio"]) == set(planted["studio"]) and len(planted) >= 2


def test_photos_are_small_jpegs_and_some_studios_are_short(written):
    truth = pd.read_csv(written / "ground_truth.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    jpgs = list((written / "inbox").glob("*/*/照片/*.jpg"))
    assert jpgs and all(p.read_bytes()[:2] == b"\xff\xd8" for p in jpgs)
    assert sum(p.stat().st_size for p in jpgs) / len(jpgs) < 10_000
    for _, row in truth.iterrows():
        folder = written / "inbox" / row["recommender"] / row["studio"] / "照片"
        names = {p.name for p in folder.glob("*.jpg")}
        scenes = sum(n.startswith(labels.PHOTO_ROLES["scene"]) for n in names)
        complete = f"{labels.PHOTO_ROLES['leader']}.jpg" in names and f"{labels.PHOTO_ROLES['team']}.jpg" in names and scenes >= 3
        assert complete != ("photos_short" in row["case"])


def _cells(path: Path) -> list[tuple[int, object]]:
    wb = load_workbook(path)
    return [(cell.row, cell.value) for ws in wb for row in ws.iter_rows() for cell in row if cell.value is not None]


def test_summary_workbooks_are_filled_in_messily(tmp_path, rnd):
    folder = make_sample(tmp_path / "s", seed=2022, unions=35, rnd=rnd, forms=False, photos=False)
    files = _summary_files(folder)
    assert {p.suffix for p in files} == {".xlsx", ".xlsm"}
    xlsm = next(p for p in files if p.suffix == ".xlsm")
    with zipfile.ZipFile(xlsm) as z:
        assert b"macroEnabled" in z.read("[Content_Types].xml")
    texts = [(r, v) for p in files for r, v in _cells(p) if isinstance(v, str)]
    values = [v for _, v in texts]
    header_rows = [r for r, v in texts if re.sub(r"\s", "", v) in ("工作室名称", "工作室", "创新工作室名称", "名称")]
    assert min(header_rows) >= 2 and max(header_rows) >= 4
    assert any(re.fullmatch(r"\d+人", v) for v in values)
    assert any(re.fullmatch(r"\d{4}\.\d{2}", v) for v in values)
    assert any(re.fullmatch(r"\d{4}年\d{1,2}月", v) for v in values)
    assert any(re.fullmatch(r"[\d.]+万元", v) for v in values)
    assert any(re.search(r"[０-９]", v) for v in values)
    assert any("\n" in v and len(v) < 30 for v in values)  # a header broken over two lines
    assert any(v.startswith(labels.SUMMARY_TITLE) for v in values)
    assert any(v.startswith("推荐单位（盖章）") and "填报日期" in v for v in values)
    assert any(v.startswith("填表说明") for v in values)
    assert {"√", "否"} <= set(values) or {"Y", "否"} <= set(values) or {"有", "否"} <= set(values)
    sheets = [load_workbook(p, read_only=True).sheetnames for p in files]
    assert any(len(s) > 1 for s in sheets)


def test_phones_are_fictional(written):
    truth = pd.read_csv(written / "ground_truth.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert truth["phone"].str.contains("0000").all()
    found = []
    for path in (written / "inbox").rglob("*.xls*"):
        for _, value in _cells(path):
            found += re.findall(r"1[3-9]\d[\d-]{8,10}|0510-\d{8}", str(value))
    assert found and all("0000" in phone for phone in found)


def test_refuses_to_overwrite_a_real_inbox(tmp_path, rnd):
    (tmp_path / "inbox" / "某单位").mkdir(parents=True)
    (tmp_path / "inbox" / "某单位" / "汇总表.xlsx").write_bytes(b"real")
    with pytest.raises(ValueError, match="sample_target_not_empty"):
        make_sample(tmp_path, seed=1, unions=6, rnd=rnd, forms=False, photos=False)
    assert (tmp_path / "inbox" / "某单位" / "汇总表.xlsx").read_bytes() == b"real"


def test_truth_received_at_follows_receipts_or_fill_date(written):
    truth = pd.read_csv(written / "ground_truth.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    receipts = pd.read_csv(written / "inbox" / labels.RECEIPTS_FILE, encoding="utf-8-sig", dtype=str)
    by_file = dict(zip(receipts["file"], pd.to_datetime(receipts["received_at"])))
    for source, received in zip(truth["source_file"], pd.to_datetime(truth["received_at"])):
        if source in by_file:
            assert received == by_file[source]
        else:
            assert received == received.normalize() and received < dt.datetime(2022, 10, 29)


def test_the_committed_sample_is_exactly_what_the_generator_makes(tmp_path):
    """data/sample is generated, never edited by hand: `make sample` reproduces it byte for byte."""
    import hashlib

    committed = Path(__file__).resolve().parent.parent / "data" / "sample"
    wb.make_sample(tmp_path / "s", seed=2022, unions=35)

    def digests(root: Path) -> dict[str, str]:
        return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in root.rglob("*") if p.is_file() and not p.name.startswith("workbench.sqlite")}

    made_by_use = ("out/", f"{STATE_DIR}/")  # exports and materialised states a user's commands leave behind
    assert digests(tmp_path / "s") == {k: v for k, v in digests(committed).items() if not k.startswith(made_by_use)}


def test_each_studio_has_a_small_deterministic_pdf_of_materials(tmp_path):
    import hashlib

    a = wb.make_sample(tmp_path / "a", seed=11, unions=3)
    b = wb.make_sample(tmp_path / "b", seed=11, unions=3)
    truth = pd.read_csv(a / "ground_truth.csv", dtype="string", encoding="utf-8-sig")
    pdfs = sorted((a / "inbox").rglob("*.pdf"))
    assert len(pdfs) == len(truth)
    for pdf in pdfs:
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF") and len(data) < 12_000
        twin = b / pdf.relative_to(a)
        assert hashlib.sha256(twin.read_bytes()).digest() == hashlib.sha256(data).digest()
    committed = Path(__file__).resolve().parent.parent / "data" / "sample"
    assert sum(p.stat().st_size for p in committed.rglob("*.pdf")) < 600_000  # the repository stays small
