"""Ranking and diagnostics at scale: time, peak memory, and the ratio to a groupby-apply version.

Synthesises a round directly (the sample generator makes realistic rounds of ~100 candidates,
far too slow to reach 10^5): candidates in the round's three categories, two stages, five
reviewer sheets per candidate and stage from a pool of reviewers per category, so 10^5
candidates give 10^6 scores. Slots are 10 % of each category. Runs, in one process:

1. the official ranking (`wb.rank`, per-criterion sheets) and every diagnostic with a reduced
   number of resamples: time and peak traced memory (tracemalloc) per step;
2. the same official scores and one resample done the straightforward way (pandas
   `groupby(...).apply` with the olympic mean per candidate and stage), on the same data, and
   the ratio of times; leave-one-reviewer-out done that way (re-rank without each reviewer) is
   timed on a few reviewers and extrapolated, marked as such;
3. how the whole pipeline's time grows from 10^3 to 10^5 candidates.

    python benchmarks/ranking.py [--candidates 100000] [--resamples 20]
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np
import pandas as pd

import workbench as wb
from workbench import diagnostics as dg

SHEETS = 5  # reviewer sheets per candidate and stage


def synthesise(n_cand: int, rnd: wb.Round, seed: int = 1) -> tuple[pd.DataFrame, wb.Round]:
    """Long totals frame (candidate, reviewer, category, stage, score) and a round with scaled slots."""
    rng = np.random.default_rng(seed)
    cats = list(rnd.categories)
    share = np.array([0.2, 0.5, 0.3])
    cat = rng.choice(len(cats), n_cand, p=share)
    quality = rng.normal(78, 6, n_cand)
    n_rev = max(10, n_cand // 20)
    leniency = rng.normal(0, 3, n_rev)
    frames = []
    for s, stage in enumerate(rnd.stages):
        # Reviewers of a category come from its own block of the pool: distinct within a candidate.
        block = np.array_split(np.arange(n_rev), len(cats))
        rev = np.empty((n_cand, SHEETS), np.int64)
        for k, b in enumerate(block):
            mask = cat == k
            rev[mask] = b[np.argsort(rng.random((int(mask.sum()), len(b))), axis=1)[:, :SHEETS]]
        score = np.clip(np.round(quality[:, None] + leniency[rev] + rng.normal(0, 5, (n_cand, SHEETS)) * 2) / 2, 0, 100)
        frames.append(pd.DataFrame({
            "candidate": np.repeat([f"N{i:07d}" for i in range(n_cand)], SHEETS),
            "reviewer": [f"R{j:05d}" for j in rev.ravel()],
            "category": np.repeat(np.array(cats, dtype=object)[cat], SHEETS),
            "stage": stage, "score": score.ravel()}))
    totals = pd.concat(frames, ignore_index=True)
    counts = pd.Series(cat).value_counts()
    categories = {c: v.model_copy(update={"slots": max(1, int(counts.get(k, 0) * 0.1))})
                  for k, (c, v) in enumerate(rnd.categories.items())}
    return totals, rnd.model_copy(update={"categories": categories})


def criterion_scores(totals: pd.DataFrame, rnd: wb.Round) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Screened frame and per-criterion store scores matching the totals (for wb.rank)."""
    crits = rnd.rubric
    reps = len(crits)
    share = np.array([[c.max[cat] / 100 for c in crits] for cat in rnd.categories])
    cat_code = totals["category"].map({c: i for i, c in enumerate(rnd.categories)}).to_numpy()
    points = (totals["score"].to_numpy()[:, None] * share[cat_code]).ravel()
    scores = pd.DataFrame({
        "nomination_id": np.repeat(totals["candidate"].to_numpy(), reps),
        "reviewer_id": np.repeat(totals["reviewer"].to_numpy(), reps),
        "stage": np.repeat(totals["stage"].to_numpy(), reps),
        "criterion": np.tile([c.code for c in crits], len(totals)),
        "points": points, "status": "submitted"})
    cands = totals.drop_duplicates("candidate")
    screened = pd.DataFrame({"nomination_id": cands["candidate"], "category": cands["category"], "recommender": "U",
                             "studio": cands["candidate"], "host_unit": "H", "leader": "L",
                             "eligibility": "eligible", "quota_status": "in_quota"})
    return screened, scores


def measure(fn, *args, **kwargs) -> tuple[object, float, float]:
    """Result, seconds, peak traced MB."""
    tracemalloc.start()
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    seconds = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return out, seconds, peak


def pipeline(totals: pd.DataFrame, rnd: wb.Round, resamples: int) -> dict[str, tuple[float, float]]:
    steps = {}
    shadow, *steps["shadow_scores"] = measure(dg.shadow_scores, totals, rnd)
    _, *steps["reliability"] = measure(dg.reliability, totals, ["category", "stage"], rnd)
    _, *steps["reviewer_flags"] = measure(dg.reviewer_flags, totals, rnd)
    _, *steps["score_flags"] = measure(dg.score_flags, totals, rnd)
    _, *steps["connectivity"] = measure(dg.connectivity, totals, rnd)
    unc, *steps[f"rank_uncertainty ({resamples} resamples)"] = measure(dg.rank_uncertainty, totals, rnd,
                                                                       resamples=resamples)
    loro, *steps["leave_one_reviewer_out"] = measure(dg.leave_one_reviewer_out, totals, rnd)
    _, *steps["borderline"] = measure(dg.borderline, unc, loro, shadow, rnd)
    return steps


# ---------------------------------------------------------------------------- the straightforward way
def naive_official(totals: pd.DataFrame, rnd: wb.Round) -> pd.DataFrame:
    """Olympic mean per candidate and stage with groupby-apply, weights, rank within category."""
    per = totals.groupby(["candidate", "stage"])["score"].apply(lambda s: wb.olympic_mean(s.to_numpy(), rnd.ranking.trim_min))
    per = per.unstack("stage")
    composite = sum(per[s] * st.weight for s, st in rnd.stages.items())
    category = totals.drop_duplicates("candidate").set_index("candidate")["category"]
    frame = pd.DataFrame({"composite": composite.round(rnd.ranking.precision), "category": category})
    frame["rank"] = frame.groupby("category")["composite"].rank(method="min", ascending=False)
    return frame


def naive_resample(totals: pd.DataFrame, rnd: wb.Round, rng: np.random.Generator) -> pd.DataFrame:
    """One resample of reviewers within candidate and stage, the groupby-apply way, then rank."""
    trim_min = rnd.ranking.trim_min
    per = totals.groupby(["candidate", "stage"])["score"].apply(
        lambda s: wb.olympic_mean(rng.choice(s.to_numpy(), len(s)), trim_min)).unstack("stage")
    composite = sum(per[s] * st.weight for s, st in rnd.stages.items())
    category = totals.drop_duplicates("candidate").set_index("candidate")["category"]
    frame = pd.DataFrame({"composite": composite.round(rnd.ranking.precision), "category": category})
    frame["rank"] = frame.groupby("category")["composite"].rank(method="min", ascending=False)
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--resamples", type=int, default=20)
    args = parser.parse_args()
    base = wb.load_round()

    totals, rnd = synthesise(args.candidates, base)
    print(f"data: {totals['candidate'].nunique():,} candidates, {len(totals):,} scores, "
          f"{totals['reviewer'].nunique():,} reviewers, slots {[c.slots for c in rnd.categories.values()]}")

    screened, scores = criterion_scores(totals, rnd)
    ranked, rank_s, rank_mb = measure(wb.rank, screened, scores, rnd)
    del scores
    print(f"\n{'step':<36}{'seconds':>10}{'peak MB':>10}")
    print(f"{'wb.rank (' + format(len(totals) * len(rnd.rubric), ',') + ' criterion rows)':<36}{rank_s:>10.2f}{rank_mb:>10.0f}")
    steps = pipeline(totals, rnd, args.resamples)
    for name, (sec, mb) in steps.items():
        print(f"{name:<36}{sec:>10.2f}{mb:>10.0f}")
    diag_total = sum(s for s, _ in steps.values())
    print(f"{'all diagnostics':<36}{diag_total:>10.2f}")

    print("\nagainst groupby-apply on the same data")
    _, fast_s, _ = measure(dg.shadow_scores, totals, rnd)
    d_off, naive_s, naive_mb = measure(naive_official, totals, rnd)
    print(f"  official scores + rank: groupby-apply {naive_s:.2f} s ({naive_mb:.0f} MB) "
          f"vs shadow_scores (official and 4 more rules) {fast_s:.2f} s: ratio {naive_s / fast_s:.1f}x")
    sh = dg.shadow_scores(totals, rnd).set_index("candidate")
    diff = (sh["official"].round(rnd.ranking.precision) - d_off["composite"].reindex(sh.index)).abs().max()
    print(f"  (same official composites: max difference {diff:.2g})")
    rng = np.random.default_rng(0)
    _, naive_r, _ = measure(naive_resample, totals, rnd, rng)
    _, fast_r, _ = measure(dg.rank_uncertainty, totals, rnd, resamples=args.resamples)
    print(f"  one resample: groupby-apply {naive_r:.2f} s vs rank_uncertainty {fast_r / args.resamples:.3f} s "
          f"per resample: ratio {naive_r / (fast_r / args.resamples):.0f}x")
    reviewers = sorted(totals["reviewer"].unique())
    few = reviewers[:2]
    t0 = time.perf_counter()
    for r in few:
        naive_official(totals[totals["reviewer"] != r], rnd)
    per_reviewer = (time.perf_counter() - t0) / len(few)
    loro_s = steps["leave_one_reviewer_out"][0]
    print(f"  leave-one-reviewer-out: re-ranking per reviewer {per_reviewer:.2f} s x {len(reviewers):,} reviewers "
          f"= {per_reviewer * len(reviewers) / 3600:.1f} h (extrapolated from {len(few)}) vs {loro_s:.2f} s: "
          f"ratio {per_reviewer * len(reviewers) / loro_s:,.0f}x")

    print("\ngrowth (rank + all diagnostics, seconds)")
    sizes = [n for n in (1_000, 10_000, 100_000) if n <= args.candidates]
    previous = None
    for n in sizes:
        if n == args.candidates:
            seconds = rank_s + diag_total
        else:
            t, r = synthesise(n, base)
            sc, scs = criterion_scores(t, r)
            t0 = time.perf_counter()
            wb.rank(sc, scs, r)
            pipeline(t, r, args.resamples)
            seconds = time.perf_counter() - t0
        note = f"  x{seconds / previous:.1f} for x10 data" if previous else ""
        print(f"  {n:>8,} candidates {n * SHEETS * len(base.stages):>10,} scores {seconds:>8.2f}{note}")
        previous = seconds


if __name__ == "__main__":
    main()
