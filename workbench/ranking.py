"""Ranking (差额遴选): the official score per stage, the composite, ties and the cut line.

The customary rule: per stage, the olympic trimmed mean of the reviewers' totals (drop exactly one
highest and one lowest) when a candidate has at least `trim_min` scores; the plain mean, flagged,
below that. Everything is vectorised over the long scores frame: no per-candidate Python loop.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from workbench import labels
from workbench.config import Round
from workbench.screening import under_review

ID_COLUMNS = ["nomination_id", "category", "recommender", "studio", "host_unit", "leader"]


def olympic_mean(values: Sequence[float], trim_min: int = 5) -> float:
    """Mean after dropping exactly one highest and one lowest value (when there are >= trim_min)."""
    arr = np.asarray([v for v in values if v is not None and not np.isnan(v)], dtype=float)
    if arr.size == 0:
        return float("nan")
    if arr.size < trim_min:
        return float(arr.mean())
    return float((arr.sum() - arr.max() - arr.min()) / (arr.size - 2))


def round_half_up(x: pd.Series, digits: int) -> pd.Series:
    """Round the way a published table does (0.125 -> 0.13), not banker's rounding."""
    factor = 10.0 ** digits
    return np.floor(x.astype("Float64") * factor + 0.5 + 1e-9) / factor


def sheet_totals(scores: pd.DataFrame) -> pd.DataFrame:
    """Submitted score sheets -> one row per (nomination, stage, reviewer) with the total."""
    submitted = scores[scores["status"] == "submitted"]
    return (submitted.groupby(["nomination_id", "stage", "reviewer_id"], as_index=False, observed=True)["points"]
            .sum().rename(columns={"points": "total"}))


def retained(totals: pd.DataFrame, trim_min: int, aggregation: str = "olympic") -> pd.DataFrame:
    """Mark which reviewers count: all of them, or all but one highest and one lowest.

    `weight` is each sheet's share in the criterion breakdown. When several reviewers share the
    highest (or lowest) total, the one copy dropped is shared among them equally, so the breakdown
    never depends on reviewer ids and still adds up to the trimmed total. `kept` is weight > 0.
    """
    keys = ["nomination_id", "stage"]
    group = totals.groupby(keys, observed=True)["total"]
    size = group.transform("size")
    trim = (aggregation == "olympic") & (size >= trim_min)
    at_max = totals["total"] == group.transform("max")
    at_min = totals["total"] == group.transform("min")
    n_max = at_max.groupby([totals[k] for k in keys], observed=True).transform("sum")
    n_min = at_min.groupby([totals[k] for k in keys], observed=True).transform("sum")
    weight = 1.0 - at_max / n_max - at_min / n_min
    weight = weight.where(trim, 1.0).astype(float)
    return totals.assign(n=size, weight=weight, kept=weight > 1e-12)


def stage_scores(scores: pd.DataFrame, rnd: Round) -> pd.DataFrame:
    """One row per (nomination, stage): official score, untrimmed mean, n, criterion points."""
    cfg = rnd.ranking
    totals = retained(sheet_totals(scores), cfg.trim_min, cfg.aggregation)
    agg = totals.groupby(["nomination_id", "stage"], observed=True).agg(
        n=("total", "size"), untrimmed=("total", "mean"), median=("total", "median"))
    kept = totals[totals["kept"]]
    agg["score"] = (kept["total"] * kept["weight"]).groupby([kept["nomination_id"], kept["stage"]]).sum() \
        / kept.groupby(["nomination_id", "stage"], observed=True)["weight"].sum()
    if cfg.aggregation == "median":
        agg["score"] = agg["median"]
    points = scores[scores["status"] == "submitted"].merge(
        kept[["nomination_id", "stage", "reviewer_id", "weight"]], on=["nomination_id", "stage", "reviewer_id"])
    points["points"] = points["points"] * points["weight"]
    crit = points.pivot_table(index=["nomination_id", "stage"], columns="criterion", values="points",
                              aggfunc="sum", observed=True)
    crit = crit.div(kept.groupby(["nomination_id", "stage"], observed=True)["weight"].sum(), axis=0)
    crit.columns = [f"crit_{c}" for c in crit.columns]
    return agg.join(crit).reset_index()


def _wide(per_stage: pd.DataFrame, rnd: Round) -> pd.DataFrame:
    """Per-stage rows -> one row per nomination with score_<stage>, n_<stage>, composite, crit_*."""
    weights = {s: st.weight for s, st in rnd.stages.items()}
    out = pd.DataFrame(index=pd.Index(per_stage["nomination_id"].unique(), name="nomination_id"))
    composite = pd.Series(0.0, index=out.index)
    untrimmed = pd.Series(0.0, index=out.index)
    median = pd.Series(0.0, index=out.index)
    crit_cols = [f"crit_{c.code}" for c in rnd.rubric]
    crit = pd.DataFrame(0.0, index=out.index, columns=crit_cols)
    complete = pd.Series(True, index=out.index)
    for stage, w in weights.items():
        part = per_stage[per_stage["stage"] == stage].set_index("nomination_id").reindex(out.index)
        out[f"score_{stage}"] = part["score"].astype("Float64")
        out[f"n_{stage}"] = part["n"].fillna(0).astype("Int64")
        composite += w * part["score"].fillna(0)
        untrimmed += w * part["untrimmed"].fillna(0)
        median += w * part["median"].fillna(0)
        for col in crit_cols:
            crit[col] += w * part[col].fillna(0) if col in part else 0.0
        if w > 0:
            complete &= part["score"].notna()
    out["composite_raw"] = composite.where(complete).astype("Float64")
    out["untrimmed_mean"] = untrimmed.where(complete).astype("Float64")
    out["median"] = median.where(complete).astype("Float64")  # tie-break key "median"; dropped by rank()
    for col in crit_cols:
        out[col] = crit[col].where(complete).astype("Float64")
    return out.reset_index()


def _tie_keys(rnd: Round) -> list[str]:
    keys = []
    for key in rnd.ranking.tie_break:
        kind, _, arg = key.partition(":")
        keys.append({"criterion": f"crit_{arg}", "stage": f"score_{arg}"}.get(kind, kind))
    return keys


def _rank_category(part: pd.DataFrame, keys: list[str], slots: int, precision: int) -> pd.DataFrame:
    """Rank one category: composite at the published precision, then the tie-break chain."""
    sort_cols = ["composite"] + keys
    rounded = part[sort_cols].apply(lambda s: round_half_up(s, 6)).astype("Float64")
    rounded["composite"] = part["composite"]
    order = rounded.assign(nomination_id=part["nomination_id"]).sort_values(
        sort_cols + ["nomination_id"], ascending=[False] * len(sort_cols) + [True], na_position="last", kind="stable")
    scored = order["composite"].notna()
    values = order[sort_cols]
    before = values.shift(1)
    # Missing values compare equal to each other (an unscored row is never ranked anyway).
    same = ((values == before).fillna(False) | (values.isna() & before.isna())).all(axis=1).to_numpy()
    same[:1] = False
    ranks = []
    for i, is_same in enumerate(same):
        ranks.append(ranks[-1] if is_same else i + 1)
    group_size = pd.Series(ranks).map(pd.Series(ranks).value_counts()).to_numpy()
    tied = (group_size > 1) & scored.to_numpy()
    rank = pd.array(np.where(scored, ranks, np.nan), dtype="Float64").astype("Int64")
    last_in_group = np.asarray(ranks) + group_size - 1
    proposed = scored.to_numpy() & (last_in_group <= slots)
    at_cut = tied & (np.asarray(ranks) <= slots) & (last_in_group > slots)
    return part.loc[order.index].assign(rank=rank, tied=tied, proposed=proposed, tie_at_cut=at_cut)


def _flags(df: pd.DataFrame, rnd: Round) -> pd.Series:
    codes = []
    n_cols = [f"n_{s}" for s, st in rnd.stages.items() if st.weight > 0]
    trim_min = rnd.ranking.trim_min
    for row in df[n_cols + ["tied", "tie_at_cut"]].itertuples(index=False):
        ns = [int(n) for n in row[:len(n_cols)]]
        row_codes = []
        if max(ns) == 0:
            row_codes.append("no_scores")
        elif min(ns) < 3:
            row_codes.append("too_few_scores")
        elif min(ns) < trim_min:
            row_codes.append("few_scores")
        if row.tie_at_cut:
            row_codes.append("tie_at_cut")
        elif row.tied:
            row_codes.append("tie")
        codes.append(row_codes)
    return pd.Series(codes, index=df.index)


def rank(screened: pd.DataFrame, scores: pd.DataFrame, rnd: Round) -> pd.DataFrame:
    """One row per candidate under review, ranked within its category; top `slots` are 拟命名."""
    candidates = screened.loc[under_review(screened), ID_COLUMNS]
    per_stage = stage_scores(scores[scores["nomination_id"].isin(candidates["nomination_id"])], rnd)
    wide = candidates.merge(_wide(per_stage, rnd), on="nomination_id", how="left")
    for stage in rnd.stages:
        wide[f"n_{stage}"] = wide[f"n_{stage}"].fillna(0).astype("Int64")
    wide["composite"] = round_half_up(wide["composite_raw"], rnd.ranking.precision)
    keys = _tie_keys(rnd)
    parts = [_rank_category(wide[wide["category"] == cat], keys, cfg.slots, rnd.ranking.precision)
             for cat, cfg in rnd.categories.items()]
    ranked = pd.concat(parts, ignore_index=True)
    ranked["flag_codes"] = _flags(ranked, rnd)
    words = {code: text.format(trim_min=rnd.ranking.trim_min) for code, text in labels.RANK_FLAGS.items()}
    ranked["flags"] = ranked["flag_codes"].map(lambda c: "；".join(words[x] for x in c)).astype("string")
    return ranked.drop(columns=["tie_at_cut", "median"])


def competition(ranked: pd.DataFrame, rnd: Round) -> pd.DataFrame:
    """Per category: candidates, slots, proposed, candidates per place, and 差额比例 (margin)."""
    rows = []
    for cat, cfg in rnd.categories.items():
        part = ranked[ranked["category"] == cat]
        n = len(part)
        rows.append({"category": cat, "label": cfg.label, "candidates": n, "slots": cfg.slots,
                     "proposed": int(part["proposed"].sum()),
                     "ratio": round(n / cfg.slots, 2) if cfg.slots else float("nan"),
                     # 差额比例 as the notice's readers use it: how many more candidates than places
                     "margin": round((n - cfg.slots) / cfg.slots, 4) if cfg.slots else float("nan")})
    return pd.DataFrame(rows)


FUNNEL_STEPS = ("nominated", "eligible", "in_quota", "reviewed", "proposed")


def funnel(screened: pd.DataFrame, ranked: pd.DataFrame, rnd: Round) -> pd.DataFrame:
    """Counts per category along 推荐 → 资格合格 → 名额内 → 评审 → 拟命名 (long form)."""
    rows = []
    for cat in rnd.categories:
        s = screened[screened["category"] == cat]
        r = ranked[ranked["category"] == cat]
        counts = {
            "nominated": len(s),
            "eligible": int((s["eligibility"] == "eligible").sum()),
            "in_quota": int(under_review(s).sum()),
            "reviewed": int(r["composite"].notna().sum()),
            "proposed": int(r["proposed"].sum()),
        }
        rows += [{"category": cat, "step": step, "label": labels.FUNNEL[step], "count": counts[step]} for step in FUNNEL_STEPS]
    return pd.DataFrame(rows)
