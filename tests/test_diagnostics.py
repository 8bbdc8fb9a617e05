"""Ranking diagnostics: published reference values, cross-checks, properties, determinism.

Reference data: reference/ranking.md §8 (Shrout & Fleiss 1979; pingouin's wine data; the anxiety
data of irr/DescTools; Krippendorff's examples; the reviewer-offset vector).
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import workbench as wb
from workbench import diagnostics as dg
from workbench.ranking import submitted_sheets

RND = wb.load_round()
NO_RIDGE = RND.model_copy(update={"diagnostics": RND.diagnostics.model_copy(update={"ridge": 0.0})})


def matrix_totals(matrix, candidates=None, reviewers=None) -> pd.DataFrame:
    """A candidates × reviewers array (NaN = not scored) -> the long totals frame."""
    matrix = np.asarray(matrix, dtype=float)
    candidates = candidates or [f"C{i:02d}" for i in range(matrix.shape[0])]
    reviewers = reviewers or [f"R{j:02d}" for j in range(matrix.shape[1])]
    rows = [{"candidate": c, "reviewer": r, "score": matrix[i, j]}
            for i, c in enumerate(candidates) for j, r in enumerate(reviewers) if not np.isnan(matrix[i, j])]
    return pd.DataFrame(rows)


SHROUT_FLEISS = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]
WINES = np.array([[1, 1, 3, 6, 6, 7, 8, 9], [2, 3, 8, 4, 5, 5, 7, 9],
                  [0, 3, 1, 3, 5, 6, 7, 9], [1, 2, 4, 3, 6, 2, 9, 8]]).T
ANXIETY = np.array([[3, 3, 3, 4, 5, 5, 2, 3, 5, 2, 2, 6, 1, 5, 2, 2, 1, 2, 4, 3],
                    [3, 6, 4, 6, 2, 4, 2, 4, 3, 3, 2, 3, 3, 3, 2, 2, 1, 3, 3, 4],
                    [2, 1, 4, 4, 3, 2, 1, 6, 1, 1, 1, 2, 3, 3, 1, 1, 3, 3, 2, 2]]).T


# ---------------------------------------------------------------------------- reliability: published values
def test_reliability_reproduces_shrout_and_fleiss_1979():
    rel = wb.reliability(matrix_totals(SHROUT_FLEISS))
    assert rel["complete"]
    expected = {"icc1": 0.1657, "icc2": 0.2898, "icc3": 0.7148, "icck": 0.4428, "icc2k": 0.6201, "icc3k": 0.9093,
                "alpha": 0.1473}
    for key, value in expected.items():
        assert rel[key] == pytest.approx(value, abs=5e-5), key


@pytest.mark.parametrize("matrix, expected", [
    (WINES, {"icc1": 0.7275, "icc2": 0.7277, "icc3": 0.7295, "icck": 0.9144, "icc2k": 0.9145, "icc3k": 0.9152,
             "alpha": 0.7069}),
    (ANXIETY, {"icc1": 0.1750, "icc2": 0.1980, "icc3": 0.2160, "icck": 0.3889, "icc2k": 0.4255, "icc3k": 0.4526,
               "alpha": 0.1701, "kendall_w": 0.5397}),
])
def test_reliability_reproduces_the_reference_datasets(matrix, expected):
    rel = wb.reliability(matrix_totals(matrix))
    for key, value in expected.items():
        assert rel[key] == pytest.approx(value, abs=5e-5), key


@pytest.mark.parametrize("coders, expected", [
    ([[np.nan] * 5 + [3, 4, 1, 2, 1, 1, 3, 3, np.nan, 3],
      [1, np.nan, 2, 1, 3, 3, 4, 3] + [np.nan] * 7,
      [np.nan, np.nan, 2, 1, 3, 4, 4, np.nan, 2, 1, 1, 3, 3, np.nan, 4]], 0.810845),
    ([[1, 2, 3, 3, 2, 1, 4, 1, 2, np.nan, np.nan, np.nan],
      [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, np.nan, 3],
      [np.nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, np.nan],
      [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, np.nan]], 0.849),
])
def test_interval_alpha_handles_missing_values_like_krippendorff(coders, expected):
    rel = wb.reliability(matrix_totals(np.array(coders).T))
    assert rel["alpha"] == pytest.approx(expected, abs=5e-4)
    assert not rel["complete"] and np.isnan(rel["icc3"]) and np.isnan(rel["kendall_w"])


@pytest.mark.filterwarnings("ignore:The inplace keyword")  # pingouin on pandas 3
@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(4, 12), k=st.integers(2, 6))
def test_reliability_agrees_with_pingouin_and_krippendorff_on_complete_designs(seed, n, k):
    pingouin = pytest.importorskip("pingouin")
    krippendorff = pytest.importorskip("krippendorff")
    rng = np.random.default_rng(seed)
    matrix = rng.normal(70, 8, (n, 1)) + rng.normal(0, 3, (1, k)) + rng.normal(0, 6, (n, k))
    totals = matrix_totals(np.round(matrix, 1))
    rel = wb.reliability(totals)
    icc = pingouin.intraclass_corr(totals, targets="candidate", raters="reviewer", ratings="score")["ICC"].to_numpy()
    ours = [rel[key] for key in ("icc1", "icc2", "icc3", "icck", "icc2k", "icc3k")]
    np.testing.assert_allclose(ours, icc, atol=1e-9)
    alpha = krippendorff.alpha(reliability_data=np.round(matrix, 1).T, level_of_measurement="interval")
    assert rel["alpha"] == pytest.approx(alpha, abs=1e-9)
    friedman = pingouin.friedman(totals, dv="score", within="candidate", subject="reviewer")
    assert rel["kendall_w"] == pytest.approx(float(friedman["W"].iloc[0]), abs=1e-9)


def test_reliability_per_category_and_stage_on_the_demo_round(demo_round):
    snap = wb.load_state(demo_round)
    totals = wb.reviewer_totals(snap.scores, snap.ranked)
    rel = wb.reliability(totals, by=["category", "stage"], rnd=demo_round)
    assert set(zip(rel["category"], rel["stage"])) == set(zip(totals["category"], totals["stage"]))
    for row in rel.itertuples():
        part = totals[(totals["category"] == row.category) & (totals["stage"] == row.stage)]
        assert row.icck == pytest.approx(wb.reliability(part[["candidate", "reviewer", "score"]])["icck"])
        assert row.scores == len(part)


def test_low_reliability_is_reported_with_the_panel_size_that_would_fix_it():
    rng = np.random.default_rng(3)
    noise = matrix_totals(rng.normal(70, 10, (30, 5)))  # no true differences between candidates
    rel = wb.reliability(noise, rnd=RND)
    assert rel["low"] and rel["icck"] < RND.diagnostics.reliability_min


# ---------------------------------------------------------------------------- official score in the diagnostics
def test_olympic_mean_reference_vectors():
    assert wb.olympic_mean([90, 85, 86, 91, 88]) == pytest.approx(88.0)
    assert wb.olympic_mean([81, 89, 83, 88, 84]) == pytest.approx(85.0)
    assert wb.olympic_mean([90, 85, 80, 70, 60]) == pytest.approx(78.3333333)
    assert wb.olympic_mean([80, 80, 70, 60, 60]) == pytest.approx(70.0)


def test_diagnostics_use_the_official_composite_of_rank(demo_round):
    snap = wb.load_state(demo_round)
    totals = wb.reviewer_totals(snap.scores, snap.ranked)
    shadow = wb.shadow_scores(totals, demo_round).set_index("candidate")
    ranked = snap.ranked.set_index("nomination_id")
    np.testing.assert_allclose(shadow.loc[ranked.index, "official"], ranked["composite_raw"].astype(float), atol=1e-9)
    untied = ~ranked["tied"] & ranked["rank"].notna()
    # Ranks agree except where the official tie-break chain separated equal composites.
    same_rank = shadow.loc[ranked.index, "rank_official"] == ranked["rank"]
    composite_tie = ranked.duplicated(["category", "composite"], keep=False)
    assert (same_rank | composite_tie)[untied].all()


# ---------------------------------------------------------------------------- reviewer-offset model
OFFSET_VECTOR = pd.DataFrame(
    [("C1", "R2", 80), ("C1", "R3", 75), ("C2", "R1", 83), ("C2", "R2", 78), ("C3", "R1", 75), ("C3", "R3", 65),
     ("C4", "R1", 65), ("C4", "R2", 60), ("C4", "R3", 55)], columns=["candidate", "reviewer", "score"],
).assign(category="model_worker")


def test_offset_model_recovers_the_true_order_where_the_mean_does_not():
    shadow = wb.shadow_scores(OFFSET_VECTOR, NO_RIDGE).set_index("candidate")
    assert shadow.loc[["C1", "C2", "C3", "C4"], "mean"].tolist() == [77.5, 80.5, 70, 60]
    np.testing.assert_allclose(shadow.loc[["C1", "C2", "C3", "C4"], "adjusted"], [80, 78, 70, 60], atol=1e-8)
    assert shadow.loc["C1", "rank_adjusted"] == 1 and shadow.loc["C1", "rank_mean"] == 2
    offsets = wb.reviewer_flags(OFFSET_VECTOR, NO_RIDGE).set_index("reviewer")["offset"]
    np.testing.assert_allclose(offsets.loc[["R1", "R2", "R3"]], [5, 0, -5], atol=1e-8)


def test_a_ridge_shrinks_offsets_towards_zero():
    offsets = wb.reviewer_flags(OFFSET_VECTOR, RND).set_index("reviewer")["offset"]
    assert 0 < offsets["R1"] < 5 and -5 < offsets["R3"] < 0


def test_a_disconnected_design_is_reported_and_warned():
    extra = pd.DataFrame([("C5", "R4", 70), ("C5", "R5", 72), ("C6", "R4", 68), ("C6", "R5", 66)],
                         columns=["candidate", "reviewer", "score"]).assign(category="model_worker")
    totals = pd.concat([OFFSET_VECTOR, extra], ignore_index=True)
    with pytest.warns(dg.DisconnectedDesignWarning, match="不可比较"):
        shadow = wb.shadow_scores(totals, RND).set_index("candidate")
    assert shadow.loc["C5", "component"] == shadow.loc["C6", "component"] != shadow.loc["C1", "component"]
    design = wb.connectivity(totals, RND)
    assert design["components"].tolist() == [2] and not design["connected"].any()
    assert "2 个互不相连" in design["message"].iloc[0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        wb.shadow_scores(OFFSET_VECTOR, RND)  # connected: no warning
    assert wb.connectivity(OFFSET_VECTOR, RND)["connected"].all()


def test_z_scores_need_enough_scores_per_reviewer():
    assert wb.shadow_scores(OFFSET_VECTOR, RND)["z"].isna().all()
    rng = np.random.default_rng(1)
    totals = matrix_totals(rng.normal(75, 8, (10, 4)).round(1)).assign(category="model_worker")
    assert wb.shadow_scores(totals, RND)["z"].notna().all()


# ---------------------------------------------------------------------------- flags
def test_one_far_score_is_flagged_even_where_a_two_sd_rule_cannot_fire():
    # Shiffler: with 5 scores the SD-rule z can never exceed 1.789.
    totals = matrix_totals([[80, 81, 79, 80, 40], [70, 72, 71, 69, 70], [85, 84, 86, 85, 83]])
    flags = wb.score_flags(totals, RND)
    assert flags[["candidate", "reviewer", "direction"]].values.tolist() == [["C00", "R04", "low"]]
    assert flags["deviation"].iloc[0] == pytest.approx(40 - 80)
    assert "低" in flags["flags"].iloc[0]
    assert wb.score_flags(matrix_totals([[80, 81, 79, 80, 74]]), RND).empty


def test_reviewer_flags_name_the_lenient_the_contrary_and_the_flat_reviewer():
    rng = np.random.default_rng(5)
    quality = np.linspace(60, 95, 16)
    matrix = quality[:, None] + rng.normal(0, 1.5, (16, 6))
    matrix[:, 1] += 12           # lenient
    matrix[:, 2] = 155 - matrix[:, 2]  # ranks the candidates upside down
    matrix[:, 3] = 75            # the same score for everyone
    flags = wb.reviewer_flags(matrix_totals(matrix.round(1)), RND).set_index("reviewer")
    assert flags.loc["R01", "lenient"] and "偏宽" in flags.loc["R01", "flags"]
    assert flags.loc["R02", "disagreeing"]
    assert flags.loc["R03", "degenerate"] and flags.loc["R03", "restricted"]
    assert flags.loc["R00", "flags"] == ""


# ---------------------------------------------------------------------------- random designs
def random_design(seed: int, n_cand: int = 9, n_rev: int = 7, stages: bool = True, spread: float = 6.0):
    """Incomplete, connected-ish design: each candidate scored by 3-6 of the reviewers, integer scores (ties)."""
    rng = np.random.default_rng(seed)
    quality = rng.normal(78, spread, n_cand)
    leniency = rng.normal(0, 3, n_rev)
    rows = []
    for stage in (["material", "site"] if stages else [None]):
        for i in range(n_cand):
            for j in rng.choice(n_rev, rng.integers(3, min(6, n_rev) + 1), replace=False):
                score = float(np.clip(np.round(quality[i] + leniency[j] + rng.normal(0, 4)), 0, 100))
                row = {"candidate": f"D{i:02d}", "reviewer": f"R{j:02d}", "category": "demonstration", "score": score}
                if stage:
                    row["stage"] = stage
                rows.append(row)
    return pd.DataFrame(rows)


def relabel(totals: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, dict]:
    rng = np.random.default_rng(seed)
    names = sorted(totals["reviewer"].unique())
    mapping = dict(zip(names, [f"X{k:02d}" for k in rng.permutation(len(names))]))
    shuffled = totals.sample(frac=1, random_state=seed).reset_index(drop=True)
    return shuffled.assign(reviewer=shuffled["reviewer"].map(mapping)), mapping


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_diagnostics_do_not_depend_on_row_order_or_reviewer_labels(seed):
    totals = random_design(seed)
    moved, mapping = relabel(totals, seed)
    back = {v: k for k, v in mapping.items()}
    for fn in (wb.rank_uncertainty, wb.score_flags):
        a, b = fn(totals, RND), fn(moved, RND)
        if "reviewer" in b:
            b = b.assign(reviewer=b["reviewer"].map(back).astype("str"))
            a, b = (f.sort_values(["candidate", "stage", "reviewer"]).reset_index(drop=True) for f in (a, b))
        pd.testing.assert_frame_equal(a, b)
    a, b = wb.shadow_scores(totals, RND), wb.shadow_scores(moved, RND)
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-9)
    a = wb.leave_one_reviewer_out(totals, RND)
    b = wb.leave_one_reviewer_out(moved, RND)
    b = b.assign(reviewer=b["reviewer"].map(back).astype("str"))
    key = ["candidate", "reviewer"]
    pd.testing.assert_frame_equal(a.sort_values(key).reset_index(drop=True), b.sort_values(key).reset_index(drop=True))
    a = wb.reviewer_flags(totals, RND).sort_values(["stage", "reviewer"]).reset_index(drop=True)
    b = wb.reviewer_flags(moved, RND)
    b = b.assign(reviewer=b["reviewer"].map(back).astype("str")).sort_values(["stage", "reviewer"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-7, atol=1e-9)


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 10_000), shift=st.floats(-20, 20))
def test_a_constant_added_to_one_reviewer_leaves_the_adjusted_ranking_unchanged(seed, shift):
    totals = random_design(seed, stages=False)
    if not wb.connectivity(totals, NO_RIDGE)["connected"].all():
        return
    reviewer = sorted(totals["reviewer"].unique())[seed % totals["reviewer"].nunique()]
    shifted = totals.assign(score=totals["score"] + np.where(totals["reviewer"] == reviewer, shift, 0.0))
    a = wb.shadow_scores(totals, NO_RIDGE).set_index("candidate")["adjusted"]
    b = wb.shadow_scores(shifted, NO_RIDGE).set_index("candidate")["adjusted"]
    differences = (a - b.loc[a.index]).to_numpy()
    np.testing.assert_allclose(differences, differences[0], atol=1e-6)  # one global shift at most


def brute_force_status(totals: pd.DataFrame) -> pd.Series:
    """in/out per candidate by ranking from scratch (the diagnostics' own baseline rank)."""
    unc = wb.rank_uncertainty(totals, RND, resamples=1)
    return unc.set_index("candidate")["in_top"]


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), spread=st.sampled_from([1.0, 4.0, 8.0]))
def test_leave_one_reviewer_out_matches_re_ranking_without_each_reviewer(seed, spread):
    totals = random_design(seed, n_cand=10, spread=spread)
    base = brute_force_status(totals)
    expected = set()
    for reviewer in totals["reviewer"].unique():
        status = brute_force_status(totals[totals["reviewer"] != reviewer]).reindex(base.index, fill_value=False)
        expected |= {(reviewer, c) for c in base.index[status != base]}
    loro = wb.leave_one_reviewer_out(totals, RND)
    assert set(zip(loro["reviewer"], loro["candidate"])) == expected
    assert (loro["in_top"] != loro["in_without"]).all()


# ---------------------------------------------------------------------------- rank uncertainty
def test_a_candidate_far_ahead_is_almost_surely_in_and_one_far_behind_is_out():
    rng = np.random.default_rng(11)
    matrix = rng.normal(70, 5, (8, 6)).round()
    matrix[0] += 25
    matrix[7] -= 25
    unc = wb.rank_uncertainty(matrix_totals(matrix).assign(category="demonstration"), RND).set_index("candidate")
    assert unc.loc["C00", "p_top"] > 0.99 and unc.loc["C00", "rank_high"] == 1
    assert unc.loc["C07", "p_top"] < 0.01


def test_when_reviewers_agree_exactly_the_ranking_is_certain():
    matrix = np.repeat(np.arange(60, 92, 4, dtype=float)[:, None], 5, axis=1)
    unc = wb.rank_uncertainty(matrix_totals(matrix).assign(category="demonstration"), RND)
    assert set(unc["p_top"]) == {0.0, 1.0}
    assert (unc["rank_low"] == unc["rank_high"]).all()


ONE_SLOT = RND.model_copy(update={"categories": {c: v.model_copy(update={"slots": 1}) for c, v in RND.categories.items()}})


def two_candidates(sheets: dict[tuple[str, str], list[float]]) -> pd.DataFrame:
    """A totals frame for candidates A and B of one category; A is ahead in the official order."""
    rows = [{"candidate": c, "reviewer": f"R{j}", "category": "demonstration", "stage": stage, "score": y,
             "official_rank": {"A": 1, "B": 2}[c]}
            for (c, stage), ys in sheets.items() for j, y in enumerate(ys)]
    return pd.DataFrame(rows)


def exact_p_first(sheets: dict[tuple[str, str], list[float]], rnd: wb.Round) -> float:
    """P(A is 拟命名 with one slot) by enumerating every bootstrap draw of every cell (ties go to A)."""
    keys = {}
    for cand in ("A", "B"):
        comp = np.zeros(1)
        for stage, cfg in rnd.stages.items():
            y = np.sort(np.asarray(sheets[(cand, stage)], dtype=float))
            n = len(y)
            draws = np.sort(y[np.array(list(np.ndindex(*([n] * n))))], axis=1)  # every ordered draw, equally likely
            total = draws[:, 0].copy()
            for k in range(1, n):
                total += draws[:, k]
            value = (total - draws[:, -1] - draws[:, 0]) / (n - 2) if n >= rnd.ranking.trim_min else total / n
            comp = (comp[:, None] + cfg.weight * value[None, :]).ravel()
        keys[cand] = np.floor(comp * 10.0 ** rnd.ranking.precision + 0.5 + 1e-9)
    return float(np.searchsorted(np.sort(keys["B"]), keys["A"], side="right").mean() / len(keys["B"]))


@pytest.mark.parametrize("path", ["joint table", "stage tables", "sheet by sheet"])
@pytest.mark.parametrize("sizes", [(3, 3), (5, 4)])
def test_resampling_draws_each_outcome_with_its_exact_multinomial_probability(path, sizes, monkeypatch):
    if path != "joint table":
        monkeypatch.setattr(dg, "_JOINT_MAX", 0)
    if path == "sheet by sheet":
        monkeypatch.setattr(dg, "_TABLE_DRAWS_MAX", 0)
    rng = np.random.default_rng(sum(sizes))
    sheets = {(c, s): list(rng.integers(60, 95, n).astype(float)) for c in "AB" for s, n in zip(RND.stages, sizes)}
    want = exact_p_first(sheets, ONE_SLOT)
    unc = wb.rank_uncertainty(two_candidates(sheets), ONE_SLOT, resamples=40_000).set_index("candidate")
    assert 0.05 < want < 0.95  # a real contest
    assert unc.loc["A", "p_top"] == pytest.approx(want, abs=5 * np.sqrt(want * (1 - want) / 40_000))
    assert unc["p_top"].sum() == pytest.approx(1.0)


def test_the_table_paths_draw_the_same_resamples(monkeypatch):
    totals = random_design(3, n_cand=12)
    totals = totals[totals.groupby(["candidate", "stage"])["reviewer"].transform("size") == 4]  # one cell size
    joint = wb.rank_uncertainty(totals, RND, resamples=300)  # 10 × 10 stage outcomes: tabulated per candidate
    monkeypatch.setattr(dg, "_JOINT_MAX", 0)
    pd.testing.assert_frame_equal(joint, wb.rank_uncertainty(totals, RND, resamples=300), check_exact=True)


def test_a_tie_at_the_cut_follows_the_official_order_in_every_category():
    rnd = RND.model_copy(update={"categories": {c: v.model_copy(update={"slots": 3}) for c, v in RND.categories.items()}})
    rows = []
    for cat, prefix in (("demonstration", "D"), ("employee", "E")):
        scores = [95, 90, 70, 70, 60]  # the two 70s straddle the cut; the chain put the first ahead
        for i, y in enumerate(scores):
            for stage in rnd.stages:
                rows += [{"candidate": f"{prefix}{i}", "reviewer": f"{prefix}R{j}", "category": cat, "stage": stage,
                          "score": float(y), "official_rank": i + 1} for j in range(5)]
    unc = wb.rank_uncertainty(pd.DataFrame(rows), rnd, resamples=50).set_index("candidate")
    for prefix in "DE":
        assert unc.loc[[f"{prefix}{i}" for i in range(5)], "p_top"].tolist() == [1.0, 1.0, 1.0, 0.0, 0.0]


def test_big_cells_are_resampled_sheet_by_sheet():
    rng = np.random.default_rng(8)
    totals = matrix_totals(rng.normal(75, 4, (12, 9))).assign(category="demonstration")  # 9 sheets: 9**9 outcomes
    unc = wb.rank_uncertainty(totals, RND, resamples=400)
    slots = RND.categories["demonstration"].slots
    assert slots - 0.05 <= unc["p_top"].sum() <= slots + 1e-9
    assert (unc["rank_low"] <= unc["rank_median"]).all() and (unc["rank_median"] <= unc["rank_high"]).all()


def test_the_design_of_the_ranked_sheets_is_the_design_of_the_totals():
    rows = []
    rng = np.random.default_rng(4)
    for cat, prefix in (("model_worker", "M"), ("employee", "E")):
        for i in range(9):
            for stage in RND.stages:
                for j in rng.choice(7, int(rng.integers(3, 7)), replace=False):
                    rows += _sheet_rows(f"{prefix}{i}", stage, f"R{j}", float(rng.integers(60, 95)),
                                        float(rng.integers(0, 3)), cat)
    scores = pd.DataFrame(rows).sample(frac=1, random_state=4).reset_index(drop=True)
    scores.loc[scores["reviewer_id"] == "R6", "status"] = "draft"
    screened = pd.concat([_screened([f"M{i}" for i in range(9)]), _screened([f"E{i}" for i in range(9)], "employee")])
    ranked = wb.rank(screened, scores, RND)
    sheets = submitted_sheets(scores, RND)
    coded, framed = dg.design(sheets, ranked, RND), dg.prepare(wb.reviewer_totals(scores, ranked, RND), RND)
    for fn in (wb.shadow_scores, wb.rank_uncertainty, wb.reviewer_flags, wb.score_flags, wb.leave_one_reviewer_out):
        pd.testing.assert_frame_equal(fn(coded, RND), fn(framed, RND), check_exact=True)
    pd.testing.assert_frame_equal(wb.diagnose(sheets, ranked, RND), wb.diagnose(scores, ranked, RND), check_exact=True)


@pytest.mark.parametrize("method", ["reviewers", "residual"])
def test_probabilities_of_the_top_n_add_up_to_n(method):
    rnd = RND.model_copy(update={"diagnostics": RND.diagnostics.model_copy(update={"resampling": method})})
    rng = np.random.default_rng(2)
    totals = matrix_totals(rng.normal(75, 4, (12, 5))).assign(category="demonstration")  # continuous: no ties
    unc = wb.rank_uncertainty(totals, rnd, resamples=400)
    slots = RND.categories["demonstration"].slots
    assert slots - 0.05 <= unc["p_top"].sum() <= slots + 1e-9  # less only when a tie straddles the cut
    assert (unc["rank_low"] <= unc["rank_median"]).all() and (unc["rank_median"] <= unc["rank_high"]).all()


def test_the_same_inputs_give_identical_frames():
    totals = random_design(4)
    for fn in (wb.shadow_scores, wb.rank_uncertainty, wb.reviewer_flags, wb.score_flags, wb.leave_one_reviewer_out):
        pd.testing.assert_frame_equal(fn(totals, RND), fn(totals.copy(), RND), check_exact=True)
    other_seed = wb.rank_uncertainty(totals, RND, seed=RND.diagnostics.seed + 1)
    assert not other_seed["p_top"].equals(wb.rank_uncertainty(totals, RND)["p_top"]) or other_seed["p_top"].isin([0, 1]).all()


def test_changing_one_category_never_moves_another():
    a = random_design(8)
    b = random_design(9).assign(category="employee")
    b["candidate"] = "E" + b["candidate"]
    both = pd.concat([a, b], ignore_index=True)
    changed = both.assign(score=np.where(both["category"] == "employee", both["score"] - 10, both["score"]))
    for fn in (wb.rank_uncertainty, wb.shadow_scores):
        x, y = fn(both, RND), fn(changed, RND)
        pd.testing.assert_frame_equal(x[x["category"] == "demonstration"], y[y["category"] == "demonstration"])


# ---------------------------------------------------------------------------- borderline band
def test_borderline_band_combines_resampling_leave_one_out_and_ties():
    slots = RND.categories["demonstration"].slots
    top = [[95, 96, 94, 95, 95]] * 1 + [[90 - 3 * i] * 5 for i in range(slots - 2)]
    contested = [[80, 80, 80, 80, 80], [80, 80, 80, 80, 80]]  # tied exactly at the cut
    tail = [[60, 61, 59, 60, 60], [50, 50, 50, 50, 50]]
    totals = matrix_totals(top + contested + tail).assign(category="demonstration")
    unc = wb.rank_uncertainty(totals, RND)
    loro = wb.leave_one_reviewer_out(totals, RND)
    band = wb.borderline(unc, loro, wb.shadow_scores(totals, RND), RND).set_index("candidate")
    names = band.index.tolist()
    contested_ids = names[slots - 1:slots + 1]
    assert (band.loc[contested_ids, "band"] == "borderline").all()
    assert band.loc[contested_ids, "tied_at_cut"].all()
    assert "同" in band.loc[contested_ids[0], "reasons"]
    assert band.loc[names[0], "band"] == "in" and band.loc[names[-1], "band"] == "out"


def test_bad_input_gets_a_clear_message_with_a_code():
    with pytest.raises(dg.DiagnosticsError, match=r"缺少列.*\[missing_columns\]"):
        wb.reliability(pd.DataFrame({"candidate": ["A"], "score": [1.0]}))
    dup = pd.DataFrame({"candidate": ["A", "A"], "reviewer": ["R", "R"], "score": [80.0, 81.0]})
    with pytest.raises(dg.DiagnosticsError, match="duplicate_sheets"):
        wb.reliability(dup)
    with pytest.raises(dg.DiagnosticsError, match="no_category"):
        wb.rank_uncertainty(matrix_totals([[80, 81, 79]]), RND)
    with pytest.raises(dg.DiagnosticsError, match="unknown_category"):
        wb.rank_uncertainty(matrix_totals([[80, 81, 79]]).assign(category="nope"), RND)


def test_configs_without_a_diagnostics_table_still_load(tmp_path):
    text = RND.source.read_text(encoding="utf-8").replace('"../', f'"{RND.source.parent.parent.as_posix()}/')
    head, _, rest = text.partition("[diagnostics]")
    path = tmp_path / "round.toml"
    path.write_text(head + rest[rest.index("\n# ----"):], encoding="utf-8")
    assert wb.load_round(path).diagnostics == type(RND.diagnostics)()
    path.write_text(text.replace("borderline_low = 0.10", "borderline_low = 0.95"), encoding="utf-8")
    with pytest.raises(wb.RoundConfigError, match="borderline_low"):
        wb.load_round(path)


# ---------------------------------------------------------------------------- official ranking regressions
def _sheet_rows(nid, stage, reviewer, total, innovation_share, category="model_worker"):
    crits = RND.criteria(category, stage)
    rows = []
    for c in crits:
        share = c.max[category] / 100
        points = total * share
        rows.append({"nomination_id": nid, "reviewer_id": reviewer, "stage": stage, "criterion": c.code,
                     "points": points, "status": "submitted"})
    inn = next(r for r in rows if r["criterion"] == "innovation")
    lead = next(r for r in rows if r["criterion"] == "leader")
    inn["points"] += innovation_share
    lead["points"] -= innovation_share
    return rows


def _screened(ids, category="model_worker"):
    return pd.DataFrame([{"nomination_id": n, "category": category, "recommender": "U", "studio": n, "host_unit": "H",
                          "leader": "L", "eligibility": "eligible", "quota_status": "in_quota"} for n in ids])


def test_rank_survives_a_candidate_without_scores():
    rows = [r for j in range(5) for s in RND.stages for r in _sheet_rows("A", s, f"R{j}", 80, 0)]
    ranked = wb.rank(_screened(["A", "B"]), pd.DataFrame(rows), RND).set_index("nomination_id")
    assert ranked.loc["A", "rank"] == 1 and pd.isna(ranked.loc["B", "rank"]) and not ranked.loc["B", "proposed"]


def test_the_criterion_breakdown_does_not_depend_on_which_tied_extreme_is_dropped():
    def sheets(labels_):
        rows = []
        for s in RND.stages:
            for reviewer, total, shift in zip(labels_, [90, 90, 80, 80, 70], [3, 0, 0, 0, 0]):
                rows += _sheet_rows("A", s, reviewer, total, shift)
        return pd.DataFrame(rows)
    a = wb.rank(_screened(["A"]), sheets(["R1", "R2", "R3", "R4", "R5"]), RND)
    b = wb.rank(_screened(["A"]), sheets(["R9", "R2", "R3", "R4", "R5"]), RND)  # the 90 with more innovation sorts last
    assert a["crit_innovation"].iloc[0] == pytest.approx(b["crit_innovation"].iloc[0])
    crit = [c for c in a.columns if c.startswith("crit_")]
    assert a[crit].sum(axis=1).iloc[0] == pytest.approx(a["composite_raw"].iloc[0])


def test_the_median_tie_break_key_is_accepted():
    rnd = RND.model_copy(update={"ranking": RND.ranking.model_copy(update={"tie_break": ["median"]})})
    rows = []
    for nid, totals in {"A": [70, 80, 80, 80, 90], "B": [60, 78, 80, 82, 100]}.items():
        for s in RND.stages:
            rows += [r for j, t in enumerate(totals) for r in _sheet_rows(nid, s, f"R{j}", t, 0)]
    ranked = wb.rank(_screened(["A", "B"]), pd.DataFrame(rows), rnd)
    assert ranked["rank"].tolist() == [1, 1] and ranked["tied"].all()  # same trimmed mean, same median
