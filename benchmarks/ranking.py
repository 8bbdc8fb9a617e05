"""Ranking and diagnostics at scale, against what a user would write, measured honestly.

GOALS (issue 18, SPEC §11), at 10^5 candidates / 10^6 score sheets with B = the round's configured
resamples:
  wb.rank >= 20x faster than a groupby-apply olympic mean on the same store frame;
  rank + every diagnostic < 10 s wall; peak memory < 2 GB; time grows linearly with the data.

Synthesises a round directly (the sample generator makes realistic rounds of ~100 candidates):
candidates in the round's three categories, two stages, five reviewer sheets per candidate and
stage from a pool of reviewers per category, scores in half points; slots are 10 % of each
category. The input of both sides is the store's long frame as `Store.scores()` returns it: one
row per criterion, the text columns categorical (sorted categories, as the store makes them), sorted
by nomination, stage, reviewer and the rubric's order.

- baseline: what a user writes with pandas: sheet totals by groupby-sum, then groupby-apply of
  `wb.olympic_mean` per candidate and stage, the weighted composite, rank within category (grouping
  by the categorical ids with `observed=True`, pandas 3's default, as anyone grouping them would);
- the strongest plain alternative (for reference): the same with vectorised groupby sum / max /
  min / count instead of the apply (no criterion breakdown, no tie-break chain, no flags);
- ours: `wb.rank` (which also gives the criterion breakdown, the tie-break chain and the flags).

Baseline and ours run alternately `--repeat` times; medians and ratios are printed. "Rank + all
diagnostics" is the round state's path: the sheets coded once, `rank`, one shared design, then
every diagnostic. No tracing runs during a timed run: peak memory is measured in separate child
processes (the child's own VmHWM; its ru_maxrss would include the parent's memory at the fork).
Diagnostics use the configured resamples (`--resamples` only to override it, and then the output
says so). The load average is printed beside the figures: on a shared
machine other people's jobs slow both sides, so compare the ratios.

    python benchmarks/ranking.py [--candidates 100000] [--repeat 3] [--growth]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

import workbench as wb
from workbench import diagnostics as dg
from workbench.ranking import submitted_sheets

SHEETS = 5  # reviewer sheets per candidate and stage
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
GOAL_RATIO = 20.0
GOAL_WALL = 10.0
GOAL_MB = 2048


def synthesise(n_cand: int, rnd: wb.Round, seed: int = 1) -> tuple[pd.DataFrame, wb.Round]:
    """Long totals frame (candidate, reviewer, category, stage, score) and a round with scaled slots."""
    rng = np.random.default_rng(seed)
    cats = list(rnd.categories)
    share = np.array([0.2, 0.5, 0.3])
    cat = rng.choice(len(cats), n_cand, p=share)
    quality = rng.normal(78, 6, n_cand)
    n_rev = max(10, n_cand // 20)
    leniency = rng.normal(0, 3, n_rev)
    block = np.array_split(np.arange(n_rev), len(cats))  # a category's reviewers: its own block of the pool
    cand, rev, stage, score = [], [], [], []
    for s in range(len(rnd.stages)):
        r = np.empty((n_cand, SHEETS), np.int64)
        for k, b in enumerate(block):
            at = np.flatnonzero(cat == k)
            for lo in range(0, len(at), 4096):  # the same draws as one call, without a candidates x pool matrix
                part = at[lo:lo + 4096]
                r[part] = b[np.argsort(rng.random((len(part), len(b))), axis=1)[:, :SHEETS]]
        r.sort(axis=1)
        y = np.clip(np.round((quality[:, None] + leniency[r] + rng.normal(0, 5, (n_cand, SHEETS))) * 2) / 2, 0, 100)
        cand.append(np.repeat(np.arange(n_cand), SHEETS))
        rev.append(r.ravel())
        stage.append(np.full(n_cand * SHEETS, s))
        score.append(y.ravel())
    cand, rev, stage, score = (np.concatenate(a) for a in (cand, rev, stage, score))
    order = np.lexsort((rev, stage, cand))  # the store's order: nomination, stage, reviewer
    names = np.array([f"N{i:07d}" for i in range(n_cand)], dtype=object)
    reviewers = np.array([f"R{j:05d}" for j in range(n_rev)], dtype=object)
    totals = pd.DataFrame({"candidate": names[cand[order]], "reviewer": reviewers[rev[order]],
                           "category": np.array(cats, dtype=object)[cat[cand[order]]],
                           "stage": np.array(list(rnd.stages), dtype=object)[stage[order]], "score": score[order]})
    counts = pd.Series(cat).value_counts()
    categories = {c: v.model_copy(update={"slots": max(1, int(counts.get(k, 0) * 0.1))})
                  for k, (c, v) in enumerate(rnd.categories.items())}
    return totals, rnd.model_copy(update={"categories": categories})


def store_text(values: np.ndarray) -> pd.Categorical:
    """A text column as `Store.scores()` holds it: a categorical whose categories are the values present, sorted."""
    codes, names = pd.factorize(values, sort=True)
    return pd.Categorical.from_codes(codes, categories=pd.Index(names, dtype="str"))


def criterion_scores(totals: pd.DataFrame, rnd: wb.Round) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Screened frame and the store's long frame matching the totals (as `Store.scores()` returns it)."""
    crits = rnd.rubric
    reps = len(crits)
    share = np.array([[c.max[cat] / 100 for c in crits] for cat in rnd.categories])
    cat_code = totals["category"].map({c: i for i, c in enumerate(rnd.categories)}).to_numpy()
    points = (totals["score"].to_numpy()[:, None] * share[cat_code]).ravel()
    sheet = {c: store_text(totals[c].to_numpy()) for c in ("candidate", "reviewer", "stage")}
    criterion = store_text(np.array([c.code for c in crits], dtype=object))
    status = store_text(np.array(["submitted"], dtype=object))
    rows = lambda codes, like: pd.Categorical.from_codes(codes, dtype=like.dtype)  # noqa: E731  (no text per row)
    scores = pd.DataFrame({
        "nomination_id": rows(np.repeat(sheet["candidate"].codes, reps), sheet["candidate"]),
        "reviewer_id": rows(np.repeat(sheet["reviewer"].codes, reps), sheet["reviewer"]),
        "stage": rows(np.repeat(sheet["stage"].codes, reps), sheet["stage"]),
        "criterion": rows(np.tile(criterion.codes, len(totals)), criterion),
        "points": points, "status": rows(np.zeros(len(points), np.int8), status)})
    cands = totals.drop_duplicates("candidate")
    screened = pd.DataFrame({"nomination_id": cands["candidate"], "category": cands["category"], "recommender": "U",
                             "studio": cands["candidate"], "host_unit": "H", "leader": "L",
                             "eligibility": "eligible", "quota_status": "in_quota"}).reset_index(drop=True)
    return screened, scores


def timed(fn, *args, **kwargs) -> tuple[object, float]:
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t0


def rank_and_diagnose(screened: pd.DataFrame, scores: pd.DataFrame, rnd: wb.Round, resamples: int) -> dict[str, float]:
    """The round state's path: sheets coded once, rank, one shared design, every diagnostic; seconds per step."""
    steps = {}
    sheets, steps["sheets (coded once)"] = timed(submitted_sheets, scores, rnd)
    ranked, steps["wb.rank"] = timed(wb.rank, screened, sheets, rnd)
    d, steps["design (shared)"] = timed(dg.design, sheets, ranked, rnd)
    shadow, steps["shadow_scores"] = timed(dg.shadow_scores, d, rnd)
    _, steps["reliability"] = timed(dg.reliability, d, ["category", "stage"], rnd)
    _, steps["reviewer_flags"] = timed(dg.reviewer_flags, d, rnd)
    _, steps["score_flags"] = timed(dg.score_flags, d, rnd)
    _, steps["connectivity"] = timed(dg.connectivity, d, rnd)
    unc, steps[f"rank_uncertainty (B={resamples})"] = timed(dg.rank_uncertainty, d, rnd, resamples=resamples)
    loro, steps["leave_one_reviewer_out"] = timed(dg.leave_one_reviewer_out, d, rnd)
    _, steps["borderline"] = timed(dg.borderline, unc, loro, shadow, rnd)
    return steps


# ---------------------------------------------------------------------------- the straightforward ways
def baseline_rank(scores: pd.DataFrame, screened: pd.DataFrame, rnd: wb.Round) -> pd.DataFrame:
    """What a user writes: sheet totals, groupby-apply olympic mean, weighted composite, rank within category."""
    sub = scores[scores["status"] == "submitted"]
    totals = sub.groupby(["nomination_id", "stage", "reviewer_id"], observed=True)["points"].sum()
    trim_min = rnd.ranking.trim_min
    per = totals.groupby(level=["nomination_id", "stage"], observed=True).apply(
        lambda s: wb.olympic_mean(s.to_numpy(), trim_min))
    return _finish(per.unstack("stage"), screened, rnd)


def vectorised_rank(scores: pd.DataFrame, screened: pd.DataFrame, rnd: wb.Round) -> pd.DataFrame:
    """The strongest plain alternative: the olympic mean from vectorised groupby sum / max / min / count."""
    sub = scores[scores["status"] == "submitted"]
    totals = sub.groupby(["nomination_id", "stage", "reviewer_id"], observed=True)["points"].sum()
    agg = totals.groupby(level=["nomination_id", "stage"], observed=True).agg(["sum", "max", "min", "count"])
    trimmed = (agg["sum"] - agg["max"] - agg["min"]) / (agg["count"] - 2)
    per = trimmed.where(agg["count"] >= rnd.ranking.trim_min, agg["sum"] / agg["count"])
    return _finish(per.unstack("stage"), screened, rnd)


def _finish(per: pd.DataFrame, screened: pd.DataFrame, rnd: wb.Round) -> pd.DataFrame:
    composite = sum(per[s] * st.weight for s, st in rnd.stages.items())
    category = screened.set_index("nomination_id")["category"]
    frame = pd.DataFrame({"composite": composite.round(rnd.ranking.precision), "category": category})
    frame["rank"] = frame.groupby("category")["composite"].rank(method="min", ascending=False)
    frame["proposed"] = frame["rank"] <= frame["category"].map({c: v.slots for c, v in rnd.categories.items()})
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


# ---------------------------------------------------------------------------- memory, in a child process
def peak_mb(what: str, n: int, resamples: int) -> float:
    """Peak resident memory (MB) of a child process that builds the data and runs `what` once."""
    code = (f"import sys; sys.path[:0] = [{str(ROOT)!r}, {str(HERE)!r}]; import ranking as b; "
            f"b.child({what!r}, {n}, {resamples}); print(b.own_peak_mb())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def own_peak_mb() -> float:
    """This process's peak resident memory (MB): Linux's VmHWM, which a child starts afresh. ru_maxrss
    would carry over the parent's resident memory at the fork (here the parent holds the 10^5 data)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration):
        import resource  # noqa: PLC0415  (not on Windows)

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(what: str, n: int, resamples: int) -> None:
    totals, rnd = synthesise(n, wb.load_round())
    screened, scores = criterion_scores(totals, rnd)
    del totals
    if what == "ours":
        rank_and_diagnose(screened, scores, rnd, resamples)


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (5 min {five:.1f}) on {os.cpu_count()} cores"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="alternating runs of baseline and ours")
    parser.add_argument("--resamples", type=int, default=None, help="override the configured resamples")
    parser.add_argument("--growth", action="store_true", help="also time 10^3 and 10^4 candidates")
    parser.add_argument("--no-memory", action="store_true")
    args = parser.parse_args()
    base = wb.load_round()
    resamples = args.resamples or base.diagnostics.resamples
    note = "" if args.resamples is None else f" (OVERRIDDEN; the round configures {base.diagnostics.resamples})"
    print(f"GOALS: wb.rank >= {GOAL_RATIO:.0f}x faster than groupby-apply; rank + all diagnostics < {GOAL_WALL:.0f} s "
          f"wall; peak < {GOAL_MB} MB; linear growth")
    print(f"at start: {load()} (a shared machine: other people's jobs slow both sides)")

    totals, rnd = synthesise(args.candidates, base)
    screened, scores = criterion_scores(totals, rnd)
    print(f"data: {args.candidates:,} candidates, {len(totals):,} sheets ({len(scores):,} criterion rows), "
          f"{totals['reviewer'].nunique():,} reviewers, slots {[c.slots for c in rnd.categories.values()]}, "
          f"resamples B = {resamples}{note}")

    # 1. wb.rank against groupby-apply (and the vectorised alternative), alternately
    base_s, vec_s, ours_s = [], [], []
    for _ in range(args.repeat):
        ref, t = timed(baseline_rank, scores, screened, rnd)
        base_s.append(t)
        ranked, t = timed(wb.rank, screened, scores, rnd)
        ours_s.append(t)
        _, t = timed(vectorised_rank, scores, screened, rnd)
        vec_s.append(t)
    same = ranked.set_index("nomination_id")
    diff = (same["composite"].astype(float) - ref["composite"].reindex(same.index)).abs().max()
    med_base, med_vec, med_ours = (statistics.median(x) for x in (base_s, vec_s, ours_s))
    ratio = med_base / med_ours
    print(f"\nwb.rank from the store's frame ({args.repeat} alternating runs each, seconds) — {load()}")
    print(f"  groupby-apply baseline {[round(x, 2) for x in base_s]}  median {med_base:.2f}")
    print(f"  vectorised pandas      {[round(x, 2) for x in vec_s]}  median {med_vec:.2f}")
    print(f"  wb.rank                {[round(x, 2) for x in ours_s]}  median {med_ours:.2f}")
    print(f"  ratio groupby-apply / wb.rank {ratio:.1f}x   (goal >= {GOAL_RATIO:.0f}x: "
          f"{'met' if ratio >= GOAL_RATIO else 'NOT met'}); vectorised pandas / wb.rank {med_vec / med_ours:.2f}x; "
          f"same composites: max difference {diff:.2g}")

    # 2. rank + every diagnostic (the round state's path)
    walls, steps = [], {}
    for _ in range(max(1, args.repeat - 1)):
        t0 = time.perf_counter()
        steps = rank_and_diagnose(screened, scores, rnd, resamples)
        walls.append(time.perf_counter() - t0)
    wall = statistics.median(walls)
    print(f"\nrank + all diagnostics (last run's steps, seconds) — {load()}")
    for name, sec in steps.items():
        print(f"  {name:<36}{sec:>8.2f}")
    print(f"  {'total: runs ' + str([round(w, 2) for w in walls]) + ', median':<36}{wall:>8.2f}   "
          f"(goal < {GOAL_WALL:.0f} s: {'met' if wall < GOAL_WALL else 'NOT met'})")

    # 3. one resample: groupby-apply against ours (per resample), alternately
    rng = np.random.default_rng(0)
    naive, fast = [], []
    sheets = submitted_sheets(scores, rnd)
    d = dg.design(sheets, wb.rank(screened, sheets, rnd), rnd)
    for _ in range(args.repeat):
        naive.append(timed(naive_resample, totals, rnd, rng)[1])
        fast.append(timed(dg.rank_uncertainty, d, rnd, resamples=resamples)[1] / resamples)
    print(f"\none resample: groupby-apply {statistics.median(naive):.2f} s vs ours {statistics.median(fast) * 1000:.2f} ms "
          f"per resample (B = {resamples}): ratio {statistics.median(naive) / statistics.median(fast):,.0f}x — {load()}")

    # 4. memory, in separate processes (no tracing while timing)
    if not args.no_memory:
        data = peak_mb("data", args.candidates, resamples)
        ours = peak_mb("ours", args.candidates, resamples)
        print(f"\npeak resident memory: data alone {data:,.0f} MB; data + rank + all diagnostics {ours:,.0f} MB "
              f"(goal < {GOAL_MB} MB: {'met' if ours < GOAL_MB else 'NOT met'})")

    # 5. growth
    if args.growth:
        print(f"\ngrowth (rank + all diagnostics, seconds; median of {max(1, args.repeat - 1)}) — {load()}")
        previous = None
        for n in (1_000, 10_000, 100_000):
            if n > args.candidates:
                break
            if n == args.candidates:
                seconds = wall  # measured above
            else:
                t, r = synthesise(n, base)
                sc, scs = criterion_scores(t, r)
                runs = []
                for _ in range(max(1, args.repeat - 1)):
                    t0 = time.perf_counter()
                    rank_and_diagnose(sc, scs, r, resamples)
                    runs.append(time.perf_counter() - t0)
                seconds = statistics.median(runs)
            note = f"  x{seconds / previous:.1f} for x10 data (linear: x10)" if previous else ""
            print(f"  {n:>8,} candidates {n * SHEETS * len(base.stages):>10,} sheets {seconds:>8.2f}{note}")
            previous = seconds


if __name__ == "__main__":
    main()
