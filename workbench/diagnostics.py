"""Ranking diagnostics: how sure the meeting can be of the official list (SPEC §7, reference/ranking.md).

Nothing here changes the official list (`workbench.ranking.rank`). Every function is pure: a frame
in, a frame out. The input is a `totals` frame, one row per score sheet: `candidate`, `reviewer`,
`score` (the sheet's total) and, for anything that ranks, `category` and `stage`
(`reviewer_totals(scores, ranked)` builds it from the store). Thresholds come from the round's
`[diagnostics]` table.

One design: `prepare(totals, rnd)` codes the totals once (ids factorised, cells sorted) and every
function here accepts it in place of `totals`; fits (reviewer offsets, components, the official
baseline) are cached on it, so `diagnose` builds each once.

Scale: everything is vectorised over the long frame (sorted runs with `reduceat`, `bincount`,
pandas built-in groupby); the reviewer-offset model is solved matrix-free by conjugate gradients;
there is no dense candidate × reviewer matrix. Determinism: rows are put in a canonical order
first, resampling uses the configured seed, so the same inputs give identical frames.

In/out status is `workbench.ranking.in_top`, the official list's definition: the whole tie group
within the slots, candidates level at the published precision ordered by the official tie-break
chain (`official_rank`, carried by `reviewer_totals`). A tie the chain leaves straddling the cut
is itself a reason to call a candidate borderline.
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import LinearOperator, cg

from workbench import labels
from workbench.config import Diagnostics, Round
from workbench.ranking import Sheets, aggregate, dense, in_top, places, published, submitted_sheets, tie_at_cut


class DiagnosticsError(ValueError):
    """Input the diagnostics cannot use; the message is Chinese, `code` is English."""

    def __init__(self, code: str, **fields: object) -> None:
        self.code = code
        super().__init__(labels.DIAGNOSTIC_MESSAGES[code].format(**fields) + f" [{code}]")


class DisconnectedDesignWarning(UserWarning):
    """Reviewer offsets are not comparable between parts of the candidate–reviewer graph."""


# ---------------------------------------------------------------------------- input
def reviewer_totals(scores: pd.DataFrame | Sheets, ranked: pd.DataFrame, rnd: Round | None = None) -> pd.DataFrame:
    """Store scores (long form, or the ranking kernel's `Sheets`) -> one row per submitted sheet:
    candidate, reviewer, category, stage, score.

    Only candidates in `ranked` (those under review) are kept; their category comes from it, and
    `official_rank` carries the official list's rank, so the diagnostics separate candidates level
    at the published precision by the same tie-break chain as the official list. With `rnd` a
    sheet's total adds its criteria in the rubric's order, as the official list does (to the last bit).
    """
    sh = scores if isinstance(scores, Sheets) else submitted_sheets(scores, rnd, criteria=False)
    cat_of, rank_of = _ranked_codes(sh, ranked, None)
    keep = cat_of[sh.nomination] >= 0
    categories = np.asarray(list(dict.fromkeys(ranked["category"].to_numpy(dtype=object))), dtype=object)
    out = pd.DataFrame({
        "candidate": sh.nomination_ids[sh.nomination[keep]],
        "reviewer": sh.reviewer_ids[sh.reviewer[keep]],
        "category": categories[cat_of[sh.nomination[keep]]] if len(categories) else np.zeros(0, dtype=object),
        "stage": sh.stage_ids[sh.stage[keep]],
        "score": sh.total[keep],
        "official_rank": rank_of[sh.nomination[keep]],
    })
    return _text(out.sort_values(["category", "candidate", "stage", "reviewer"], kind="stable").reset_index(drop=True))


def _ranked_codes(sh: Sheets, ranked: pd.DataFrame, categories: list[str] | None) -> tuple[np.ndarray, np.ndarray]:
    """Per nomination code of `sh`: its category's code in `categories` (by default the order the
    categories first appear in `ranked`; −1: not ranked) and its official rank (NaN: none)."""
    one = ranked.drop_duplicates("nomination_id")
    nomination = pd.Index(sh.nomination_ids).get_indexer(one["nomination_id"])
    known = nomination >= 0
    levels = categories if categories is not None else list(dict.fromkeys(one["category"].to_numpy(dtype=object)))
    cat_of = np.full(len(sh.nomination_ids), -1, np.int64)
    cat_of[nomination[known]] = pd.Categorical(one["category"], categories=levels).codes[known]
    rank_of = np.full(len(sh.nomination_ids), np.nan)
    if "rank" in one:
        rank_of[nomination[known]] = one["rank"].to_numpy(dtype=float, na_value=np.nan)[known]
    return cat_of, rank_of


@dataclass(frozen=True)
class _Design:
    """The totals in canonical order, with integer codes for every level the diagnostics use.

    Rows are sorted by category, candidate, stage, score, reviewer, so each cell (candidate × stage)
    is a contiguous run sorted by score; a panel is a (category, stage) pair; a "rater" is a
    reviewer within one panel.
    """

    y: np.ndarray            # row -> score
    rev: np.ndarray          # row -> reviewer (code into reviewer_ids)
    reviewer_ids: np.ndarray  # reviewer code -> id (sorted)
    cell: np.ndarray         # row -> cell
    rater: np.ndarray        # row -> rater (reviewer × panel)
    start: np.ndarray        # cell -> first row
    n: np.ndarray            # cell -> rows
    cell_cand: np.ndarray    # cell -> candidate
    cell_panel: np.ndarray   # cell -> panel
    cell_weight: np.ndarray  # cell -> stage weight
    rater_panel: np.ndarray  # rater -> panel
    rater_rev: np.ndarray    # rater -> reviewer code
    panels: pd.DataFrame     # panel -> category, stage, label
    cands: pd.DataFrame      # candidate -> candidate, category, cat (order), slots, complete, official_rank
    rnd: Round | None = None
    cache: dict = field(default_factory=dict, compare=False, repr=False)  # fits shared by the diagnostics

    @property
    def n_cells(self) -> int:
        return len(self.start)

    @property
    def n_raters(self) -> int:
        return len(self.rater_rev)

    @property
    def reviewer(self) -> np.ndarray:
        """row -> reviewer id"""
        return self.reviewer_ids[self.rev]

    @property
    def rater_reviewer(self) -> np.ndarray:
        return self.reviewer_ids[self.rater_rev]


def prepare(totals: pd.DataFrame, rnd: Round | None = None) -> _Design:
    """The totals coded once for every diagnostic: pass the result instead of `totals` to any of
    them, so the ids are factorised and the offsets fitted only once (see also `design`)."""
    return _design(totals, rnd, ranking="category" in totals.columns)


def design(scores: pd.DataFrame | Sheets, ranked: pd.DataFrame, rnd: Round) -> _Design:
    """`prepare(reviewer_totals(scores, ranked), rnd)`, straight from the ranking kernel's codes:
    pass the `Sheets` that `workbench.ranking.rank` ranked (or the store's frame) and no id is
    factorised again. `diagnose` uses it."""
    sh = scores if isinstance(scores, Sheets) else submitted_sheets(scores, rnd, criteria=False)
    cats = list(rnd.categories)
    cat_of, rank_of = _ranked_codes(sh, ranked, cats)
    unknown = [s for s in sh.stage_ids[np.unique(sh.stage)] if s not in rnd.stages]
    if unknown:
        raise DiagnosticsError("unknown_stage", stage=unknown[0], known="、".join(rnd.stages))
    sheet_cat = cat_of[sh.nomination]
    rows = np.flatnonzero(sheet_cat >= 0)
    rows = rows[np.argsort(sheet_cat[rows], kind="stable")]  # category first; the sheets' order within
    nom, cat = sh.nomination[rows], sheet_cat[rows]
    nom_code, nom_keep = dense(nom, len(sh.nomination_ids))
    rev_code, rev_keep = dense(sh.reviewer[rows], len(sh.reviewer_ids))
    stage_code, stage_keep = dense(sh.stage[rows], len(sh.stage_ids))
    cat_code, cat_keep = dense(cat, len(cats))
    official = rank_of[nom_keep]
    return _coded(sh.total[rows].astype(float), nom_code, sh.nomination_ids[nom_keep], rev_code, sh.reviewer_ids[rev_keep],
                  cat_code, [cats[k] for k in cat_keep], stage_code, list(sh.stage_ids[stage_keep]), official, rnd,
                  staged=True)


def _as_design(totals: pd.DataFrame | _Design, rnd: Round | None, *, ranking: bool) -> _Design:
    if isinstance(totals, _Design):
        if ranking and (rnd is None or totals.cands["category"].eq("").all()):
            raise DiagnosticsError("no_category")
        return totals
    return _design(totals, rnd, ranking=ranking)


def _design(totals: pd.DataFrame, rnd: Round | None, *, ranking: bool) -> _Design:
    missing = [c for c in ("candidate", "reviewer", "score") if c not in totals.columns]
    if missing:
        raise DiagnosticsError("missing_columns", columns="、".join(missing))
    if ranking and "category" not in totals.columns:
        raise DiagnosticsError("no_category")
    score = pd.to_numeric(totals["score"], errors="coerce").astype(float)
    bad = score.isna() & totals["score"].notna()
    if bad.any():
        raise DiagnosticsError("bad_score", examples="、".join(map(repr, totals.loc[bad, "score"].head(3))))
    keep = score.notna().to_numpy()
    def col(name: str) -> np.ndarray:
        if name not in totals.columns:
            return np.full(int(keep.sum()), "", dtype=object)
        values = totals[name]
        text = values.dtype == object or pd.api.types.is_string_dtype(values.dtype)
        return (values if text else values.astype("str")).to_numpy(dtype=object)[keep]

    candidate, reviewer, category, stage = col("candidate"), col("reviewer"), col("category"), col("stage")
    y = score.to_numpy()[keep]

    known_cats = list(rnd.categories) if rnd else []
    present = sorted(set(category))
    if ranking:
        for c in present:
            if c not in known_cats:
                raise DiagnosticsError("unknown_category", category=c, known="、".join(known_cats))
    cat_levels = [c for c in known_cats if c in present] + [c for c in present if c not in known_cats]
    stage_present = sorted(set(stage))
    if "stage" in totals.columns and rnd is not None:
        for s in stage_present:
            if s not in rnd.stages:
                raise DiagnosticsError("unknown_stage", stage=s, known="、".join(rnd.stages))
        stage_levels = [s for s in rnd.stages if s in stage_present]
    else:
        stage_levels = stage_present
    cat_code = pd.Categorical(category, categories=cat_levels).codes.astype(np.int64)
    stage_code = pd.Categorical(stage, categories=stage_levels).codes.astype(np.int64)
    cand_code, cand_ids = pd.factorize(candidate, sort=True)
    rev_code, rev_ids = pd.factorize(reviewer, sort=True)

    order = np.lexsort((rev_code, y, stage_code, cand_code, cat_code))
    y, cand_code, stage_code, cat_code, rev_code = (a[order] for a in (y, cand_code, stage_code, cat_code, rev_code))
    if len(y):
        pairs = pd.DataFrame({"c": cand_code, "s": stage_code, "r": rev_code})
        dups = pairs.duplicated()
        if dups.any():
            first = pairs[dups].iloc[0]
            raise DiagnosticsError("duplicate_sheets", examples=f"{cand_ids[first['c']]} / {rev_ids[first['r']]}")
        two = pd.DataFrame({"c": cand_code, "k": cat_code}).drop_duplicates()
        if two["c"].duplicated().any():
            raise DiagnosticsError("two_categories", examples="、".join(cand_ids[two.loc[two["c"].duplicated(), "c"].head(3)]))
    official = np.full(len(cand_ids), np.nan)
    if "official_rank" in totals.columns and len(cand_ids):
        official[cand_code] = pd.to_numeric(totals["official_rank"], errors="coerce").to_numpy(dtype=float)[keep][order]
    return _coded(y.astype(float), cand_code, np.asarray(cand_ids, dtype=object), rev_code,
                  np.asarray(rev_ids, dtype=object), cat_code, cat_levels, stage_code, stage_levels, official, rnd,
                  staged="stage" in totals.columns)


def _coded(y: np.ndarray, cand_code: np.ndarray, cand_ids: np.ndarray, rev_code: np.ndarray, rev_ids: np.ndarray,
           cat_code: np.ndarray, cat_levels: list[str], stage_code: np.ndarray, stage_levels: list[str],
           official: np.ndarray, rnd: Round | None, *, staged: bool) -> _Design:
    """The design from rows already in canonical order (category, candidate, stage, score, reviewer),
    every level given as codes into its ids; `staged`: the stages (and their weights) are the round's."""
    change = (cand_code[1:] != cand_code[:-1]) | (stage_code[1:] != stage_code[:-1])
    start = np.flatnonzero(np.r_[True, change]) if len(y) else np.zeros(0, np.int64)
    n = np.diff(np.r_[start, len(y)])
    cell = np.repeat(np.arange(len(start)), n)
    n_stages = max(len(stage_levels), 1)
    panel_code, panel_keys = dense(cat_code[start] * n_stages + stage_code[start], len(cat_levels) * n_stages)
    panels = pd.DataFrame({"category": [cat_levels[k // n_stages] for k in panel_keys],
                           "stage": [stage_levels[k % n_stages] if stage_levels else "" for k in panel_keys]})
    panels["label"] = [_panel_label(c, s, rnd) for c, s in zip(panels["category"], panels["stage"])]
    n_rev = max(len(rev_ids), 1)
    rater_code, rater_keys = dense(panel_code[cell] * n_rev + rev_code, len(panels) * n_rev)

    weights = {s: 1.0 for s in stage_levels}
    required = len(stage_levels) if stage_levels else 1
    if rnd is not None and staged:
        weights = {s: rnd.stages[s].weight for s in stage_levels}
        required = sum(1 for st in rnd.stages.values() if st.weight > 0)
    cell_stage = stage_code[start]
    cell_weight = np.array([weights.get(stage_levels[s], 1.0) if stage_levels else 1.0 for s in range(n_stages)])[cell_stage] \
        if len(start) else np.zeros(0)
    cell_cand = cand_code[start]
    n_cand = len(cand_ids)
    have = np.bincount(cell_cand, weights=(cell_weight > 0).astype(float), minlength=n_cand)
    cand_cat = np.zeros(n_cand, np.int64)
    cand_cat[cell_cand] = cat_code[start]
    slots = np.array([rnd.categories[c].slots if rnd and c in rnd.categories else 0 for c in cat_levels], np.int64)
    cands = pd.DataFrame({"candidate": cand_ids,
                          "category": np.asarray(cat_levels, dtype=object)[cand_cat] if n_cand else np.zeros(0, dtype=object),
                          "cat": cand_cat,
                          "complete": have >= required})
    cands["slots"] = slots[cand_cat] if n_cand else np.zeros(0, np.int64)
    cands["official_rank"] = official
    return _Design(y=y, rev=rev_code, reviewer_ids=rev_ids, cell=cell, rater=rater_code, start=start, n=n,
                   cell_cand=cell_cand, cell_panel=panel_code, cell_weight=cell_weight,
                   rater_panel=rater_keys // n_rev, rater_rev=rater_keys % n_rev, panels=panels, cands=cands, rnd=rnd)


def _panel_label(category: str, stage: str, rnd: Round | None) -> str:
    cat = rnd.categories[category].short if rnd and category in rnd.categories else category
    stg = rnd.stages[stage].label if rnd and stage in rnd.stages else stage
    return "·".join(p for p in (cat, stg) if p)


_TEXT = ("candidate", "reviewer", "category", "stage", "direction", "flags", "shadow_flips", "band", "reasons")


def _text(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as pandas' string dtype, whatever numpy handed over."""
    return frame.astype({c: "str" for c in _TEXT if c in frame.columns})


def _cfg(rnd: Round | None) -> Diagnostics:
    return rnd.diagnostics if rnd is not None else Diagnostics()


# ---------------------------------------------------------------------------- aggregation (workbench.ranking's kernel)
def _aggregate(y: np.ndarray, start: np.ndarray, n: np.ndarray, rnd: Round | None) -> np.ndarray:
    """The official aggregator per cell (last axis holds the sheets, sorted within cells)."""
    return aggregate(y, start, n, rnd.ranking.aggregation if rnd else "olympic", rnd.ranking.trim_min if rnd else 5)


def _stage_cells(d: _Design) -> tuple[np.ndarray, np.ndarray]:
    """(candidates × weighted stages) cell index (−1 where missing) and the stage weights."""
    if "stage_cells" not in d.cache:
        use = np.flatnonzero(d.cell_weight > 0)
        stage_name = d.panels["stage"].to_numpy()[d.cell_panel[use]]
        known = list(d.rnd.stages) if d.rnd else []
        names = sorted(set(stage_name), key=lambda s: (known.index(s) if s in known else len(known), s))
        index = np.full((len(d.cands), len(names)), -1, np.int64)
        weight = np.zeros(len(names))
        for k, name in enumerate(names):
            cells = use[stage_name == name]
            index[d.cell_cand[cells], k] = cells
            weight[k] = d.cell_weight[cells[0]] if len(cells) else 0.0
        d.cache["stage_cells"] = (index, weight)
    return d.cache["stage_cells"]


def _composite(d: _Design, cell_score: np.ndarray) -> np.ndarray:
    """Stage scores (last axis: cells) -> weighted composite per candidate; NaN when a stage is missing."""
    index, weight = _stage_cells(d)
    comp = np.zeros(cell_score.shape[:-1] + (len(d.cands),))
    for k in range(len(weight)):
        comp = comp + weight[k] * np.take(cell_score, np.maximum(index[:, k], 0), axis=-1)
    return np.where(d.cands["complete"].to_numpy(), comp, np.nan)


def _merit(d: _Design, composite: np.ndarray, precision: int, cands: np.ndarray | None = None) -> np.ndarray:
    """Composite at the published precision, then the official tie-break order (as one number, higher first).

    Candidates level at the published precision keep the order the official list gave them
    (`official_rank`, from `reviewer_totals`); without it they stay level.
    """
    key = published(composite, precision)
    every = d.cands["official_rank"].to_numpy(dtype=float)
    if np.isnan(every).all():
        return key
    official = every if cands is None else every[cands]
    width = float(np.nanmax(every)) + 2
    return key * width + (width - np.where(np.isnan(official), width - 1, official))


def _baseline(d: _Design, rnd: Round) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Official composite per candidate, its merit, rank and tie group's last place, and the cell scores."""
    key = ("baseline", rnd.ranking.aggregation, rnd.ranking.trim_min, rnd.ranking.precision)
    if key not in d.cache:
        cell_score = _aggregate(d.y, d.start, d.n, rnd)
        composite = _composite(d, cell_score)
        merit = _merit(d, composite, rnd.ranking.precision)
        rank, last = places(merit, d.cands["cat"].to_numpy())
        d.cache[key] = (composite, merit, rank, last, cell_score)
    return d.cache[key]


# ---------------------------------------------------------------------------- design checks
def _components(d: _Design) -> tuple[np.ndarray, np.ndarray]:
    """Connected components of the candidate–reviewer graph per panel: (label per cell, count per panel)."""
    if "components" in d.cache:
        return d.cache["components"]
    nodes = d.n_cells + d.n_raters
    graph = coo_matrix((np.ones(len(d.y)), (d.cell, d.n_cells + d.rater)), shape=(nodes, nodes))
    _, label = connected_components(graph, directed=False)
    cell_label = label[:d.n_cells]
    uniq, first = np.unique(cell_label, return_index=True)
    comp = pd.DataFrame({"label": uniq, "first": first, "panel": d.cell_panel[first]}).sort_values(["panel", "first"])
    comp["number"] = comp.groupby("panel").cumcount()
    number = comp.set_index("label")["number"].reindex(cell_label).to_numpy()
    per_panel = np.bincount(comp["panel"].to_numpy(), minlength=len(d.panels))
    d.cache["components"] = (number, per_panel)
    return number, per_panel


def connectivity(totals: pd.DataFrame | _Design, rnd: Round | None = None) -> pd.DataFrame:
    """Per (category, stage): candidates, reviewers, scores, connected components, and a warning text.

    Reviewer offsets are only comparable inside one component of the candidate–reviewer graph.
    """
    d = _as_design(totals, rnd, ranking=False)
    _, per_panel = _components(d)
    out = d.panels[["category", "stage"]].copy()
    out["candidates"] = np.bincount(d.cell_panel, minlength=len(d.panels))
    out["reviewers"] = np.bincount(d.rater_panel, minlength=len(d.panels))
    out["scores"] = np.bincount(d.cell_panel[d.cell], minlength=len(d.panels))
    out["components"] = per_panel
    out["connected"] = per_panel <= 1
    out["message"] = [labels.DIAGNOSTIC_MESSAGES["disconnected"].format(panel=p, components=k) if k > 1 else ""
                      for p, k in zip(d.panels["label"], per_panel)]
    return _text(out.reset_index(drop=True))


def _warn_disconnected(d: _Design, per_panel: np.ndarray) -> None:
    for label, k in zip(d.panels["label"], per_panel):
        if k > 1:
            warnings.warn(labels.DIAGNOSTIC_MESSAGES["disconnected"].format(panel=label, components=k)
                          + " [disconnected]", DisconnectedDesignWarning, stacklevel=3)


# ---------------------------------------------------------------------------- reviewer-offset model
@dataclass(frozen=True)
class _Offsets:
    theta: np.ndarray   # cell -> adjusted score (mean of the cell's scores minus their reviewers' offsets)
    offset: np.ndarray  # rater -> offset b_j
    resid: np.ndarray   # row -> residual
    sigma: np.ndarray   # panel -> residual SD
    component: np.ndarray  # cell -> component number within its panel
    per_panel: np.ndarray  # panel -> number of components


def _fit_offsets(d: _Design, ridge: float) -> _Offsets:
    """y = θ_cell + b_rater + ε with a ridge on b, no shrinkage of θ (ranking.md §2.1).

    θ is eliminated (θ = mean of y − b over the cell), leaving a reviewer-sized symmetric system
    solved by conjugate gradients with bincount matrix-vector products. With ridge = 0 the offsets
    are centred so the average offset over all scores of a component is 0.
    """
    if ("offsets", ridge) in d.cache:
        return d.cache[("offsets", ridge)]
    nq, nc = d.n_raters, d.n_cells
    component, per_panel = _components(d)
    m = np.bincount(d.rater, minlength=nq).astype(float)
    inv_n = 1.0 / d.n
    cell_mean = np.bincount(d.cell, d.y, nc) * inv_n
    rhs = np.bincount(d.rater, d.y - cell_mean[d.cell], nq)

    def matvec(b: np.ndarray) -> np.ndarray:
        b = np.ravel(b)
        pb = np.bincount(d.cell, b[d.rater], nc) * inv_n
        return (m + ridge) * b - np.bincount(d.rater, pb[d.cell], nq)

    diag = m + ridge - np.bincount(d.rater, inv_n[d.cell], nq)
    diag = np.where(diag > 1e-12, diag, 1.0)
    if nq and np.any(rhs):
        op = LinearOperator((nq, nq), matvec=matvec, dtype=float)
        pre = LinearOperator((nq, nq), matvec=lambda v: np.ravel(v) / diag, dtype=float)
        offset, _ = cg(op, rhs, rtol=1e-12, atol=1e-12 * max(1.0, float(np.abs(rhs).max())), maxiter=10_000, M=pre)
    else:
        offset = np.zeros(nq)
    if ridge == 0 and nq:
        rater_comp = np.zeros(nq, np.int64)
        rater_comp[d.rater] = d.cell_panel[d.cell] * (int(per_panel.max()) + 1) + component[d.cell]
        shift = np.bincount(rater_comp, m * offset) / np.maximum(np.bincount(rater_comp, m), 1)
        offset = offset - shift[rater_comp]
    theta = np.bincount(d.cell, d.y - offset[d.rater], nc) * inv_n
    resid = d.y - theta[d.cell] - offset[d.rater]
    panel_of_row = d.cell_panel[d.cell]
    n_panels = len(d.panels)
    dof = (np.bincount(panel_of_row, minlength=n_panels) - np.bincount(d.cell_panel, minlength=n_panels)
           - np.bincount(d.rater_panel, minlength=n_panels) + per_panel)
    sigma = np.sqrt(np.bincount(panel_of_row, resid ** 2, n_panels) / np.maximum(dof, 1))
    d.cache[("offsets", ridge)] = _Offsets(theta, offset, resid, sigma, component, per_panel)
    return d.cache[("offsets", ridge)]


# ---------------------------------------------------------------------------- shadow scores
def _z_cells(d: _Design, min_scores: int) -> np.ndarray:
    """Mean per-reviewer z-score per cell; NaN in panels where any reviewer has too few scores or no spread."""
    nq = d.n_raters
    m = np.bincount(d.rater, minlength=nq).astype(float)
    mean = np.bincount(d.rater, d.y, nq) / np.maximum(m, 1)
    var = np.bincount(d.rater, (d.y - mean[d.rater]) ** 2, nq) / np.maximum(m - 1, 1)
    sd = np.sqrt(var)
    bad_rater = (m < min_scores) | (sd <= 1e-12)
    bad_panel = np.bincount(d.rater_panel, bad_rater.astype(float), len(d.panels)) > 0
    z = (d.y - mean[d.rater]) / np.where(sd > 1e-12, sd, 1.0)[d.rater]
    cell_z = np.bincount(d.cell, z, d.n_cells) / d.n
    return np.where(bad_panel[d.cell_panel], np.nan, cell_z)


def shadow_scores(totals: pd.DataFrame | _Design, rnd: Round) -> pd.DataFrame:
    """One row per candidate: the composite under each aggregation rule and the rank it gives.

    official (the round's rule), mean, median, adjusted (reviewer-offset model with the configured
    ridge), z (mean per-reviewer z-score; only where every reviewer of the panel has at least
    `min_z_scores` scores). Ranks are within category at the published precision (z: unrounded).
    `in_<method>` is 拟命名 under that rule (`workbench.ranking.in_top`: the whole tie group within the
    slots). `component` numbers the parts of the candidate–reviewer graph (0 when connected); adjusted
    scores are only comparable within one. Warns (DisconnectedDesignWarning) when not connected.
    """
    cfg = _cfg(rnd)
    d = _as_design(totals, rnd, ranking=True)
    fit = _fit_offsets(d, cfg.ridge)
    _warn_disconnected(d, fit.per_panel)
    cat = d.cands["cat"].to_numpy()
    cells = {
        "official": _baseline(d, rnd)[4],
        "mean": np.add.reduceat(d.y, d.start) / d.n if len(d.y) else np.zeros(0),
        "median": (d.y[d.start + (d.n - 1) // 2] + d.y[d.start + d.n // 2]) / 2 if len(d.y) else np.zeros(0),
        "adjusted": fit.theta,
        "z": _z_cells(d, cfg.min_z_scores),
    }
    out = d.cands[["candidate", "category"]].copy()
    out["n"] = np.bincount(d.cell_cand, d.n.astype(float), len(d.cands)).astype(np.int64)
    for method, values in cells.items():
        out[method] = _composite(d, values)
    slots = d.cands["slots"].to_numpy()
    for method in cells:
        if method == "official":  # the official order, tie-break chain included
            rank, last = _baseline(d, rnd)[2:4]
        else:
            values = out[method].to_numpy()
            rank, last = places(values if method == "z" else published(values, rnd.ranking.precision), cat)
        out[f"rank_{method}"] = pd.array(rank, dtype="Int64")
        out[f"rank_{method}"] = out[f"rank_{method}"].mask(out[f"rank_{method}"] == 0)
        out[f"in_{method}"] = in_top(rank, last, slots)
    # Candidates are comparable on adjusted scores when they share a component in every stage.
    width = int(fit.per_panel.max()) + 1 if len(fit.per_panel) else 1
    first = np.flatnonzero(np.r_[True, d.cell_cand[1:] != d.cell_cand[:-1]]) if d.n_cells else np.zeros(0, np.int64)
    position = np.arange(d.n_cells) - np.repeat(first, np.diff(np.r_[first, d.n_cells]))  # stage slot within candidate
    code = np.bincount(d.cell_cand, fit.component * float(width) ** position, len(d.cands))
    out["component"] = pd.factorize(code)[0] if len(code) else np.zeros(0, np.int64)
    return _in_category_order(out, "rank_official")


def _in_category_order(frame: pd.DataFrame, rank_col: str) -> pd.DataFrame:
    """Sort by category (config order is the frame's `cat` order), rank (missing last), candidate."""
    cat_order = {c: i for i, c in enumerate(dict.fromkeys(frame["category"].to_numpy(dtype=object)))}
    return _text(frame.assign(_cat=frame["category"].map(cat_order))
                 .sort_values(["_cat", rank_col, "candidate"], na_position="last", kind="stable")
                 .drop(columns="_cat").reset_index(drop=True))


# ---------------------------------------------------------------------------- reliability
def _one_design(y: np.ndarray, cand: np.ndarray, rev: np.ndarray) -> dict[str, float]:
    """Reliability of one design (codes 0..): one-way ICC, α, and the complete-design forms."""
    nan = float("nan")
    n_c, n_r, total = int(cand.max()) + 1 if len(cand) else 0, int(rev.max()) + 1 if len(rev) else 0, len(y)
    out = {"candidates": n_c, "reviewers": n_r, "scores": total, "complete": False}
    keys = ("icc1", "icck", "alpha", "k", "kendall_w", "icc2", "icc3", "icc2k", "icc3k")
    out |= {k: nan for k in keys}
    if n_c < 2 or total <= n_c:
        return out
    n_i = np.bincount(cand, minlength=n_c).astype(float)
    mean_i = np.bincount(cand, y, n_c) / n_i
    grand = y.mean()
    msb = float((n_i * (mean_i - grand) ** 2).sum() / (n_c - 1))
    ssw = float(((y - mean_i[cand]) ** 2).sum())
    msw = ssw / (total - n_c)
    n0 = (total - (n_i ** 2).sum() / total) / (n_c - 1)
    k_h = n_c / (1.0 / n_i).sum()
    out["k"] = float(k_h)
    if msb + (n0 - 1) * msw > 0:
        out["icc1"] = (msb - msw) / (msb + (n0 - 1) * msw)
    var_c = (msb - msw) / n0
    if var_c + msw / k_h > 0:
        out["icck"] = var_c / (var_c + msw / k_h)
    pairable = n_i[cand] >= 2
    if pairable.sum() > 1:
        yp, cp = y[pairable], cand[pairable]
        m_u = n_i[cp]
        ss_u = (yp - mean_i[cp]) ** 2
        within = float((ss_u * m_u / (m_u - 1)).sum())
        ss_tot = float(((yp - yp.mean()) ** 2).sum())
        npair = len(yp)
        if ss_tot > 0:
            out["alpha"] = 1 - (npair - 1) * within / (npair * ss_tot)
    complete = n_r >= 2 and total == n_c * n_r and bool(np.all(n_i == n_r))
    out["complete"] = complete
    if complete:
        k = n_r
        mean_j = np.bincount(rev, y, n_r) / n_c
        ssr = k * ((mean_i - grand) ** 2).sum()
        ssc = n_c * ((mean_j - grand) ** 2).sum()
        sse = ((y - grand) ** 2).sum() - ssr - ssc
        msr, msc, mse = ssr / (n_c - 1), ssc / (k - 1), sse / ((n_c - 1) * (k - 1))
        out["icc2"] = (msr - mse) / (msr + (k - 1) * mse + k * (msc - mse) / n_c)
        out["icc3"] = (msr - mse) / (msr + (k - 1) * mse)
        out["icc2k"] = (msr - mse) / (msr + (msc - mse) / n_c)
        out["icc3k"] = (msr - mse) / msr if msr > 0 else nan
        out["kendall_w"] = _kendall_w(y, cand, rev, n_c, k)
    return out


def _kendall_w(y: np.ndarray, cand: np.ndarray, rev: np.ndarray, n: int, m: int) -> float:
    """Kendall's W with the tie correction: reviewers rank the candidates (complete designs only)."""
    frame = pd.DataFrame({"y": y, "c": cand, "r": rev})
    ranks = frame.groupby("r")["y"].rank(method="average").to_numpy()
    r_i = np.bincount(cand, ranks, n)
    s = float(((r_i - m * (n + 1) / 2) ** 2).sum())
    t = frame.groupby(["r", "y"]).size().to_numpy().astype(float)
    denom = m ** 2 * (n ** 3 - n) - m * float((t ** 3 - t).sum())
    return 12 * s / denom if denom > 0 else float("nan")


_RELIABILITY_BY = ("category", "stage")


def reliability(totals: pd.DataFrame | _Design, by: list[str] | None = None, rnd: Round | None = None) -> pd.Series | pd.DataFrame:
    """Inter-rater reliability of the scores.

    Without `by`: a Series for the whole frame (one design; a reviewer scores a candidate at
    most once): icc1 = ICC(1,1) and icck = reliability of the candidate mean (one-way ANOVA,
    unbalanced), alpha = Krippendorff's interval α (closed form), k = harmonic mean reviewers per
    candidate; when every reviewer scored every candidate also icc2/icc3/icc2k/icc3k (Shrout–Fleiss
    ICC(2,1), ICC(3,1), ICC(2,k), ICC(3,k)) and kendall_w (tie-corrected); reviewers_needed = the
    panel size that would reach the configured target; low = icck below the configured minimum.
    With `by` (some of "category", "stage"): one row per group.
    """
    cfg = _cfg(rnd)
    if by is None:
        return pd.Series(_reliability_row(totals, cfg, rnd))
    if not by or any(b not in _RELIABILITY_BY for b in by) or len(set(by)) != len(by):
        raise DiagnosticsError("bad_by", by=by)
    d = _as_design(totals, rnd, ranking=False)
    rows = []
    row_cand = d.cell_cand[d.cell]
    rev_code = d.rev
    for panel_keys, part in d.panels.groupby(list(by), sort=False):
        keys = panel_keys if isinstance(panel_keys, tuple) else (panel_keys,)
        mask = np.isin(d.cell_panel[d.cell], part.index.to_numpy())
        rows.append(dict(zip(by, keys)) | _reliability_codes(d.y[mask], row_cand[mask], rev_code[mask], cfg,
                                                             d.cands["candidate"].to_numpy(), d.reviewer_ids[d.rev[mask]]))
    empty = _reliability_codes(np.zeros(0), np.zeros(0, np.int64), np.zeros(0, np.int64), cfg, np.zeros(0), np.zeros(0))
    return pd.DataFrame(rows, columns=list(by) + list(empty))


def _reliability_row(totals: pd.DataFrame, cfg: Diagnostics, rnd: Round | None) -> dict:
    d = _design(totals.drop(columns=[c for c in ("category", "stage") if c in totals.columns]), rnd, ranking=False)
    cand = d.cell_cand[d.cell]
    return _reliability_codes(d.y, cand, d.rev, cfg, None, None)


def _reliability_codes(y: np.ndarray, cand: np.ndarray, rev: np.ndarray, cfg: Diagnostics,
                       cand_ids: np.ndarray | None, reviewers: np.ndarray | None) -> dict:
    """Reliability of one group of sheets given by integer codes (any numbering); a candidate
    scored twice by one reviewer in the group is an error, as for a frame."""
    cand_dense = np.unique(cand, return_inverse=True)[1].ravel() if len(cand) else cand
    rev_dense = np.unique(rev, return_inverse=True)[1].ravel() if len(rev) else rev
    if cand_ids is not None and len(y):
        pair = cand_dense * (int(rev_dense.max()) + 1) + rev_dense
        _, first, count = np.unique(pair, return_index=True, return_counts=True)
        if (count > 1).any():
            row = first[np.argmax(count > 1)]
            raise DiagnosticsError("duplicate_sheets", examples=f"{cand_ids[cand[row]]} / {reviewers[row]}")
    out = _one_design(y, cand_dense, rev_dense)
    rho, target = out["icc1"], cfg.reliability_target
    out["reviewers_needed"] = (int(np.ceil(target * (1 - rho) / (rho * (1 - target)) - 1e-9))
                               if rho == rho and rho > 0 else pd.NA)
    out["low"] = bool(out["icck"] == out["icck"] and out["icck"] < cfg.reliability_min)
    return out


# ---------------------------------------------------------------------------- flags
def _leave_one_out_means(d: _Design) -> tuple[np.ndarray, np.ndarray]:
    """Per row: mean of the other reviewers' scores of the same cell (NaN when alone), and n of the cell."""
    n_row = d.n[d.cell].astype(float)
    total = np.add.reduceat(d.y, d.start)[d.cell] if len(d.y) else np.zeros(0)
    with np.errstate(invalid="ignore", divide="ignore"):
        others = np.where(n_row >= 2, (total - d.y) / (n_row - 1), np.nan)
    return others, n_row


def score_flags(totals: pd.DataFrame | _Design, rnd: Round | None = None) -> pd.DataFrame:
    """Single scores far from the other reviewers of the same candidate (flag, never delete).

    Leave-one-out rule (ranking.md §5.1): |score − mean of the others| > max(outlier_points,
    outlier_sd · σ_pool · sqrt(1 + 1/(n − 1))), σ_pool the pooled within-candidate SD of the
    (category, stage) panel. One row per flagged score.
    """
    cfg = _cfg(rnd)
    d = _as_design(totals, rnd, ranking=False)
    others, n_row = _leave_one_out_means(d)
    cell_mean = (np.add.reduceat(d.y, d.start) / d.n)[d.cell] if len(d.y) else np.zeros(0)
    panel_row = d.cell_panel[d.cell]
    n_p = len(d.panels)
    ss = np.bincount(panel_row, (d.y - cell_mean) ** 2, n_p)
    dof = np.bincount(d.cell_panel, np.maximum(d.n - 1, 0).astype(float), n_p)
    sigma = np.sqrt(ss / np.maximum(dof, 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        threshold = np.maximum(cfg.outlier_points, cfg.outlier_sd * sigma[panel_row] * np.sqrt(1 + 1 / (n_row - 1)))
    deviation = d.y - others
    flagged = (n_row >= 2) & (np.abs(deviation) > threshold)
    out = pd.DataFrame({
        "candidate": d.cands["candidate"].to_numpy()[d.cell_cand[d.cell]][flagged],
        "category": d.panels["category"].to_numpy()[panel_row][flagged],
        "stage": d.panels["stage"].to_numpy()[panel_row][flagged],
        "reviewer": d.reviewer_ids[d.rev[flagged]],
        "score": d.y[flagged], "others_mean": others[flagged], "deviation": deviation[flagged],
        "threshold": threshold[flagged], "n": n_row[flagged].astype(np.int64),
    })
    out["direction"] = np.where(out["deviation"] > 0, "high", "low")
    out["flags"] = [labels.SCORE_FLAGS[k].format(deviation=abs(v)) for k, v in zip(out["direction"], out["deviation"])]
    return _text(out.reset_index(drop=True))


def reviewer_flags(totals: pd.DataFrame | _Design, rnd: Round | None = None) -> pd.DataFrame:
    """One row per reviewer and (category, stage): offset, agreement, spread, fit, and flags.

    lenient/severe: |offset| > offset_se standard errors and > offset_points (reviewer-offset
    model); disagreeing: Spearman with the others' mean on the same candidates < agreement_min;
    restricted: SD of own scores / SD of the others' means < range_ratio_min; noisy: mean squared
    standardised residual > noisy_mean_square (these three need ≥ min_candidates candidates shared
    with others); degenerate: all own scores equal.
    """
    cfg = _cfg(rnd)
    d = _as_design(totals, rnd, ranking=False)
    fit = _fit_offsets(d, cfg.ridge)
    nq = d.n_raters
    m = np.bincount(d.rater, minlength=nq).astype(float)
    mean = np.bincount(d.rater, d.y, nq) / np.maximum(m, 1)
    sd = np.sqrt(np.bincount(d.rater, (d.y - mean[d.rater]) ** 2, nq) / np.maximum(m - 1, 1))
    sigma = fit.sigma[d.rater_panel]
    se = sigma / np.sqrt(np.maximum(m, 1))
    others, n_row = _leave_one_out_means(d)
    shared = n_row >= 2
    m_shared = np.bincount(d.rater[shared], minlength=nq).astype(float)
    rho = _grouped_spearman(d.rater[shared], d.y[shared], others[shared], nq)
    own_sd = _grouped_sd(d.rater[shared], d.y[shared], nq)
    others_sd = _grouped_sd(d.rater[shared], others[shared], nq)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(others_sd > 1e-12, own_sd / others_sd, np.nan)
        mean_square = np.bincount(d.rater, (fit.resid / np.where(fit.sigma > 0, fit.sigma, np.nan)[d.cell_panel[d.cell]]) ** 2, nq) \
            / np.maximum(m, 1)
    enough = m_shared >= cfg.min_candidates
    big = (np.abs(fit.offset) > cfg.offset_se * se) & (np.abs(fit.offset) > cfg.offset_points)
    out = pd.DataFrame({
        "reviewer": d.rater_reviewer,
        "category": d.panels["category"].to_numpy()[d.rater_panel],
        "stage": d.panels["stage"].to_numpy()[d.rater_panel],
        "n": m.astype(np.int64), "mean": mean, "sd": sd, "offset": fit.offset, "offset_se": se,
        "agreement": rho, "range_ratio": ratio, "mean_square": mean_square,
        "lenient": big & (fit.offset > 0), "severe": big & (fit.offset < 0),
        "disagreeing": enough & (np.nan_to_num(rho, nan=1.0) < cfg.agreement_min),
        "restricted": enough & (np.nan_to_num(ratio, nan=1.0) < cfg.range_ratio_min),
        "noisy": enough & (np.nan_to_num(mean_square) > cfg.noisy_mean_square),
        "degenerate": (m >= 2) & (sd <= 1e-12),
    })
    flag_cols = list(labels.REVIEWER_FLAGS)
    out["flags"] = ["；".join(labels.REVIEWER_FLAGS[c] for c, on in zip(flag_cols, row) if on)
                    for row in out[flag_cols].itertuples(index=False, name=None)]
    return _text(out)


def _grouped_sd(group: np.ndarray, x: np.ndarray, size: int) -> np.ndarray:
    cnt = np.bincount(group, minlength=size).astype(float)
    mean = np.bincount(group, x, size) / np.maximum(cnt, 1)
    var = np.bincount(group, (x - mean[group]) ** 2, size) / np.maximum(cnt - 1, 1)
    return np.where(cnt >= 2, np.sqrt(var), np.nan)


def _grouped_spearman(group: np.ndarray, x: np.ndarray, y: np.ndarray, size: int) -> np.ndarray:
    """Spearman correlation per group (average ranks), from sorted runs and bincount sums."""
    rx, ry = _grouped_ranks(group, x), _grouped_ranks(group, y)
    cnt = np.bincount(group, minlength=size).astype(float)
    mx = np.bincount(group, rx, size) / np.maximum(cnt, 1)
    my = np.bincount(group, ry, size) / np.maximum(cnt, 1)
    dx, dy = rx - mx[group], ry - my[group]
    cov = np.bincount(group, dx * dy, size)
    vx, vy = np.bincount(group, dx * dx, size), np.bincount(group, dy * dy, size)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where((vx > 1e-12) & (vy > 1e-12), cov / np.sqrt(vx * vy), np.nan)


def _grouped_ranks(group: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Average ranks of `x` within each group (1 = lowest; ties share the mean of their places), as
    `groupby(group).rank(method="average")`."""
    if not len(x):
        return np.empty(0)
    order = np.argsort(x, kind="stable")
    small = group.dtype.kind in "iu" and 0 <= group.min() and group.max() < 1 << 16
    order = order[np.argsort(group[order].astype(np.uint16) if small else group[order], kind="stable")]  # a radix sort
    g, v = group[order], x[order]
    new_group = np.r_[True, g[1:] != g[:-1]]
    new_value = new_group | np.r_[True, v[1:] != v[:-1]]
    place = np.arange(len(g))
    first = np.maximum.accumulate(np.where(new_group, place, 0))
    lo = np.maximum.accumulate(np.where(new_value, place, 0))
    ends = np.r_[new_value[1:], True]
    hi = np.minimum.accumulate(np.where(ends, place, len(g))[::-1])[::-1]
    out = np.empty(len(g))
    out[order] = (lo + hi) / 2 - first + 1
    return out


# ---------------------------------------------------------------------------- rank uncertainty
_TABLE_DRAWS_MAX = 1 << 20  # a cell of n sheets with nⁿ up to this (n ≤ 7) draws one integer and looks its outcome up
_BLOCK = 256                # candidates drawn together; fixed, since it orders the random stream
_JOINT_MAX = 2048           # a candidate's outcomes over all stages tabulated at most this many at a time


def _outcome_kind(n: int, aggregation: str, trim_min: int) -> str:
    """Which sorted positions of a draw the aggregator reads: the middle n − 2 ("olympic"), the
    middle one or two ("median"), or all of them ("full": the mean, and olympic below trim_min)."""
    if aggregation == "olympic" and n >= max(trim_min, 3):
        return "olympic"
    return "median" if aggregation == "median" else "full"


@functools.cache
def _outcome_classes(n: int, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """The outcome classes of a bootstrap draw of n sheets from n: the sorted positions the
    aggregator reads (classes × k), and per ordered draw (an integer below nⁿ whose base-n digits
    are the sheets drawn) its class. Drawing an integer below nⁿ uniformly and looking it up draws
    a class with its exact multinomial probability."""
    digits = np.sort((np.arange(n ** n)[:, None] // n ** np.arange(n)[None, :]) % n, axis=1)
    part = {"olympic": digits[:, 1:n - 1], "median": digits[:, [(n - 1) // 2, n // 2]]}.get(kind, digits)
    code = part @ (n ** np.arange(part.shape[1])[::-1]) if part.shape[1] else np.zeros(len(part), np.int64)
    uniq, first, lookup = np.unique(code, return_index=True, return_inverse=True)
    return part[first], lookup.astype(np.int32)


def _class_values(d: _Design, cells: np.ndarray, n: int, kind: str, rnd: Round) -> np.ndarray:
    """The aggregate of each outcome class of each cell (cells × classes); the cells hold n sheets."""
    classes, _ = _outcome_classes(n, kind)
    base = d.start[cells][:, None]
    if kind == "full":
        return _aggregate_rows(d.y[base[:, :, None] + classes[None]], rnd.ranking.aggregation, rnd.ranking.trim_min)
    total = d.y[base + classes[:, 0]]
    for j in range(1, classes.shape[1]):
        total = total + d.y[base + classes[:, j]]
    return total / (n - 2) if kind == "olympic" else total / 2


def _aggregate_rows(y: np.ndarray, aggregation: str, trim_min: int) -> np.ndarray:
    """The aggregator over the last axis of equally sized, sorted draws (same arithmetic as `aggregate`)."""
    n = y.shape[-1]
    total = y[..., 0].copy()
    for k in range(1, n):
        total += y[..., k]
    if aggregation == "mean":
        return total / n
    if aggregation == "median":
        return (y[..., (n - 1) // 2] + y[..., n // 2]) / 2
    return (total - y[..., -1] - y[..., 0]) / max(n - 2, 1) if n >= trim_min else total / n


def _residual_pool(d: _Design) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Residuals (y − cell mean)·sqrt(n/(n−1)) of cells with ≥ 2 scores, pooled per panel: (values, start, count)."""
    cell_mean = np.add.reduceat(d.y, d.start) / d.n
    n_row = d.n[d.cell]
    use = n_row >= 2
    with np.errstate(invalid="ignore", divide="ignore"):
        e = (d.y - cell_mean[d.cell]) * np.sqrt(n_row / np.maximum(n_row - 1, 1))
    panel = d.cell_panel[d.cell][use]
    order = np.argsort(panel, kind="stable")
    count = np.bincount(panel, minlength=len(d.panels))
    return e[use][order], np.r_[0, np.cumsum(count)[:-1]], count


def _key_into(comp: np.ndarray, precision: int) -> np.ndarray:
    """`published(comp, precision)` computed in place (the same operations in the same order)."""
    comp *= 10.0 ** precision
    comp += 0.5
    comp += 1e-9
    return np.floor(comp, out=comp)


@dataclass
class _Draws:
    """What resampling needs per scored candidate (in category order) and stage."""

    cells: np.ndarray       # candidate × stage -> cell
    weight: np.ndarray      # stage -> weight
    kind: np.ndarray        # candidate × stage -> outcome kind, "" where drawn sheet by sheet
    tables: dict            # (stage, n, kind) -> (rows per candidate, weighted class values)
    pool: tuple | None      # residual resampling: the pooled residuals
    top: int                # the highest possible key: stored keys are top − key


def _draws(d: _Design, rnd: Round, cands: np.ndarray, mode: str) -> tuple[_Draws, int]:
    """Outcome tables and key bounds for resampling the candidates `cands` (all scored), and the
    number of distinct keys a resample can give."""
    index, weight = _stage_cells(d)
    cells = index[cands]
    aggregation, trim_min = rnd.ranking.aggregation, rnd.ranking.trim_min
    pool = _residual_pool(d) if mode == "residual" else None
    kind = np.full(cells.shape, "", dtype=object)
    tables, lo, hi = {}, np.zeros(len(cands)), np.zeros(len(cands))
    cell_mean = np.add.reduceat(d.y, d.start) / d.n if len(d.y) else np.zeros(0)
    for s in range(cells.shape[1]):
        n = d.n[cells[:, s]]
        low, high = np.zeros(len(cands)), np.zeros(len(cands))
        for size in np.unique(n):
            at = np.flatnonzero(n == size)
            c = cells[at, s]
            if pool is None and int(size) ** int(size) <= _TABLE_DRAWS_MAX:
                k = _outcome_kind(int(size), aggregation, trim_min)
                values = weight[s] * _class_values(d, c, int(size), k, rnd)
                rows = np.full(len(cands), -1, np.int64)
                rows[at] = np.arange(len(at))
                tables[(s, int(size), k)] = (rows, values)
                kind[at, s] = k
                low[at], high[at] = values.min(axis=1), values.max(axis=1)
            elif pool is None:  # any aggregate of draws lies between the cell's lowest and highest sheet
                low[at] = weight[s] * d.y[d.start[c]]
                high[at] = weight[s] * d.y[d.start[c] + size - 1]
            else:
                values, start, count = pool
                panel = d.cell_panel[c]
                has = count[panel] > 0
                p_lo = np.array([values[a:a + k].min() if k else 0.0 for a, k in zip(start, count)])
                p_hi = np.array([values[a:a + k].max() if k else 0.0 for a, k in zip(start, count)])
                low[at] = weight[s] * (cell_mean[c] + np.where(has, p_lo[panel], 0.0))
                high[at] = weight[s] * (cell_mean[c] + np.where(has, p_hi[panel], 0.0))
        lo, hi = (low, high) if s == 0 else (lo + low, hi + high)
    precision = rnd.ranking.precision
    top = int(published(hi, precision).max()) + 1 if len(cands) else 0
    bottom = int(published(lo, precision).min()) - 1 if len(cands) else 0
    return _Draws(cells, weight, kind, tables, pool, top), top - bottom + 1


def _draw_keys(d: _Design, rnd: Round, dr: _Draws, rng: np.random.Generator, resamples: int,
               out: np.ndarray) -> None:
    """Resampled keys (published composites) of every candidate, stored as `top − key` in `out`
    (resamples × candidates). Candidates are drawn in blocks; within a block stage by stage, each
    cell drawing one integer below nⁿ (its outcome class) or, for big cells and residual
    resampling, its sheets one by one."""
    m, n_stages = dr.cells.shape
    precision = rnd.ranking.precision
    for lo in range(0, m, _BLOCK):
        hi = min(m, lo + _BLOCK)
        kinds = dr.kind[lo:hi]
        sizes = d.n[dr.cells[lo:hi]]
        uniform = all((kinds[:, s] == kinds[0, s]).all() and (sizes[:, s] == sizes[0, s]).all() and kinds[0, s]
                      for s in range(n_stages))
        if uniform:
            keys = [(s, int(sizes[0, s]), kinds[0, s]) for s in range(n_stages)]
            widths = [dr.tables[k][1].shape[1] for k in keys]
            if int(np.prod(widths)) <= min(_JOINT_MAX, resamples):  # tabulating costs less than drawing
                out[:, lo:hi] = _joint_block(dr, keys, lo, hi, rng, resamples, precision, out.dtype)
                continue
        comp = _stage_block(d, rnd, dr, 0, lo, hi, rng, resamples)
        for s in range(1, n_stages):
            comp += _stage_block(d, rnd, dr, s, lo, hi, rng, resamples)
        out[:, lo:hi] = (dr.top - _key_into(comp, precision)).astype(out.dtype)


def _class_draws(n: int, kind: str, rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """Outcome classes of `shape` bootstrap draws of cells of n sheets."""
    _, lookup = _outcome_classes(n, kind)
    draws = n ** n
    return lookup[rng.integers(0, draws, shape, dtype=np.uint16 if draws <= 1 << 16 else np.uint32)]


def _joint_block(dr: _Draws, keys: list, lo: int, hi: int, rng: np.random.Generator, resamples: int,
                 precision: int, dtype: np.dtype) -> np.ndarray:
    """Stored keys of a block whose cells share their size per stage: each candidate's keys over
    every combination of stage outcomes are tabulated first, then looked up by the drawn classes."""
    nb = hi - lo
    comp = None
    for key in keys:
        rows, values = dr.tables[key]
        v = values[rows[lo:hi]]
        comp = v if comp is None else (comp[:, :, None] + v[:, None, :]).reshape(nb, -1)
    table = (dr.top - _key_into(comp, precision)).astype(dtype).ravel()
    index = None
    for key in keys:
        cls = _class_draws(key[1], key[2], rng, (resamples, nb))
        if index is None:
            index = cls
        else:
            index *= np.int32(dr.tables[key][1].shape[1])
            index += cls
    index += (np.arange(nb, dtype=np.int32) * np.int32(comp.shape[1]))[None, :]
    return np.take(table, index)


def _stage_block(d: _Design, rnd: Round, dr: _Draws, s: int, lo: int, hi: int, rng: np.random.Generator,
                 resamples: int) -> np.ndarray:
    """Weighted resampled scores of stage `s` for a block of candidates (resamples × block)."""
    out = np.empty((resamples, hi - lo))
    cells, kinds = dr.cells[lo:hi, s], dr.kind[lo:hi, s]
    sizes = d.n[cells]
    for size in np.unique(sizes):
        n = int(size)
        for kind in sorted(set(kinds[sizes == size])):
            at = np.flatnonzero((sizes == size) & (kinds == kind))
            if kind:
                rows, values = dr.tables[(s, n, kind)]
                v = values[rows[lo + at]]
                cls = _class_draws(n, kind, rng, (resamples, len(at)))
                cls += (np.arange(len(at), dtype=np.int32) * np.int32(v.shape[1]))[None, :]
                out[:, at] = np.take(v, cls)
            else:
                out[:, at] = dr.weight[s] * _sheet_draws(d, rnd, dr.pool, cells[at], n, rng, resamples)
    return out


def _sheet_draws(d: _Design, rnd: Round, pool: tuple | None, cells: np.ndarray, n: int,
                 rng: np.random.Generator, resamples: int) -> np.ndarray:
    """Resampled scores (resamples × cells) of cells of n sheets drawn sheet by sheet: the cell's own
    sheets with replacement, or (residual resampling) the cell's mean plus residuals from its panel's pool."""
    if pool is None:
        y = d.y[d.start[cells][None, :, None] + rng.integers(0, n, (resamples, len(cells), n))]
    else:
        values, start, count = pool
        cnt = count[d.cell_panel[cells]][None, :, None]
        u = rng.random((resamples, len(cells), n))
        draw = start[d.cell_panel[cells]][None, :, None] + np.minimum((u * cnt).astype(np.int64), np.maximum(cnt - 1, 0))
        noise = np.where(cnt > 0, values[np.minimum(draw, max(len(values) - 1, 0))] if len(values) else 0.0, 0.0)
        y = (np.add.reduceat(d.y, d.start) / d.n)[cells][None, :, None] + noise
    y.sort(axis=-1)
    return _aggregate_rows(y, rnd.ranking.aggregation, rnd.ranking.trim_min)


def _rank_draws(keys: np.ndarray, bounds: list[tuple[int, int, int]], width: int) -> tuple[np.ndarray, ...]:
    """Overwrite `keys` (resamples × candidates, stored as top − key, one category after another:
    `bounds` (start, end, slots)) with the resampled ranks: per resample and category the keys are
    counted, and a candidate's rank is 1 + the count of keys above. Returns the members of the tie
    groups that straddle a category's cut (sharing rank ≤ N < their last place) as (resample, member).
    """
    tie_rows, tie_members = [], []
    for a, e, n_slots in bounds:
        chunk = max(1, min((1 << 20) // width, (1 << 18) // (e - a)))  # resamples counted together
        for lo in range(0, keys.shape[0], chunk):
            hi = min(keys.shape[0], lo + chunk)
            x = keys[lo:hi, a:e]
            index = np.add(x, (np.arange(hi - lo, dtype=np.intp) * width)[:, None], dtype=np.intp)
            counts = np.bincount(index.ravel(), minlength=(hi - lo) * width).reshape(hi - lo, width)
            cum = np.cumsum(counts, axis=1)
            over = cum > n_slots
            cut = np.where(over[:, -1], over.argmax(axis=1), width)  # per resample the first stored key that is out
            ahead = np.where(cut > 0, cum[np.arange(hi - lo), np.maximum(cut - 1, 0)], 0)
            straddle = (cut < width) & (ahead < n_slots)
            if straddle.any():
                at = np.flatnonzero(x == np.where(straddle, cut, width).astype(keys.dtype)[:, None])  # flat: fast
                tie_rows.append(lo + at // (e - a))
                tie_members.append(a + at % (e - a))
            cum -= counts - 1
            keys[lo:hi, a:e] = cum.astype(keys.dtype).ravel()[index]
    if not tie_rows:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(tie_rows), np.concatenate(tie_members)


def _tie_order(ties: tuple[np.ndarray, np.ndarray], ranks: np.ndarray, slots: np.ndarray, cat: np.ndarray,
               official: np.ndarray) -> np.ndarray:
    """Per candidate, in how many resamples its tie group straddled the cut and it stayed out: a
    group straddling the cut is ordered by the official tie-break order (`official_rank`), so a
    member is in when the candidates ahead of the group plus its place in the group by official
    rank fit in the slots; members without an official rank stay out. `slots`, `cat` per candidate."""
    rows, members = ties
    out = np.bincount(members[np.isnan(official[members])], minlength=ranks.shape[1])
    known = ~np.isnan(official[members])
    rows, members = rows[known], members[known]
    if not len(members):
        return out
    ahead = ranks[rows, members].astype(np.int64) - 1
    o = official[members]
    width = float(o.max()) + 1
    group = (rows.astype(np.float64) * (int(cat.max()) + 1) + cat[members]) * width  # one resample, one category
    code = group + o
    order = np.sort(code)
    at_or_before = np.searchsorted(order, code, side="right") - np.searchsorted(order, group, side="left")
    return out + np.bincount(members[ahead + at_or_before > slots[members]], minlength=len(out))


def _rank_summary(ranks: np.ndarray, qs: list[float], slots: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per candidate (column): np.quantile(ranks, qs, method="inverted_cdf") and the count of ranks
    within its slots, by sorting blocks of columns (a radix sort for 16-bit ranks)."""
    b, m = ranks.shape
    kth = [max(int(np.ceil(q * b - 1e-9)) - 1, 0) for q in qs]
    quant = np.zeros((len(qs), m), np.int64)
    within = np.zeros(m, np.int64)
    step = max(1, (1 << 22) // max(b, 1))
    for lo in range(0, m, step):
        part = np.ascontiguousarray(ranks[:, lo:lo + step].T)  # one candidate per row
        if part.dtype == np.uint16:
            part.sort(axis=1, kind="stable")
        else:
            part.sort(axis=1)
        quant[:, lo:lo + step] = part[:, kth].T
        within[lo:lo + step] = np.count_nonzero(part <= slots[lo:lo + step, None], axis=1)
    return quant, within


def rank_uncertainty(totals: pd.DataFrame | _Design, rnd: Round, *, resamples: int | None = None,
                     seed: int | None = None) -> pd.DataFrame:
    """Resample and re-rank: per candidate the median rank, the configured rank interval, P(in top N).

    Each resample draws, within every candidate and stage, as many sheets as it has, with
    replacement ("reviewers", the default), or adds residuals drawn from the category-and-stage
    pool to the candidate's mean ("residual", ranking.md §4.2); the official aggregator and the
    stage weights give the composite. In/out is `workbench.ranking.in_top` on the official order
    (published precision, then the official tie-break order); ranks in the interval count the
    candidates strictly ahead at the published precision. N is the category's slots. The same
    inputs and seed give the same frame.

    Cost: a cell of up to 7 sheets draws one integer per resample (its outcome, with the exact
    multinomial probability; the aggregate of every outcome is tabulated once), and candidates
    whose cells share their sizes look their key up in a table over all stages' outcomes; ranks
    are counted, not sorted. Memory: resamples × candidates × 2 bytes (4 beyond 65,535).
    """
    cfg = _cfg(rnd)
    resamples = resamples or cfg.resamples
    seed = cfg.seed if seed is None else seed
    d = _as_design(totals, rnd, ranking=True)
    composite, _, rank, last, _ = _baseline(d, rnd)
    cat = d.cands["cat"].to_numpy()
    slots = d.cands["slots"].to_numpy()
    scored = rank > 0
    cands = np.lexsort((np.arange(len(cat)), cat))
    cands = cands[scored[cands]]  # category after category
    n_cat = int(cat.max()) + 1 if len(cat) else 0
    bounds = np.r_[0, np.cumsum(np.bincount(cat[cands], minlength=n_cat))]
    cat_slots = np.array([slots[cands[a]] if e > a else 0 for a, e in zip(bounds[:-1], bounds[1:])], np.int64)
    dr, width = _draws(d, rnd, cands, cfg.resampling)
    small = width < 1 << 16 and (len(cands) == 0 or np.diff(bounds).max() < 1 << 16)  # 16-bit keys and ranks
    keys = np.empty((resamples, len(cands)), np.uint16 if small else np.uint32)
    _draw_keys(d, rnd, dr, np.random.default_rng(seed), resamples, keys)
    official = d.cands["official_rank"].to_numpy(dtype=float)[cands]
    ties = _rank_draws(keys, [(int(a), int(e), int(n)) for a, e, n in zip(bounds[:-1], bounds[1:], cat_slots) if e > a],
                       width)
    q_lo, q_hi = (1 - cfg.interval) / 2, 1 - (1 - cfg.interval) / 2
    quant = np.zeros((3, len(d.cands)))
    p_top = np.zeros(len(d.cands))
    if len(cands):
        quant[:, cands], within = _rank_summary(keys, [q_lo, 0.5, q_hi], slots[cands])
        p_top[cands] = (within - _tie_order(ties, keys, slots[cands], cat[cands], official)) / resamples
    del keys
    out = d.cands[["candidate", "category", "slots"]].copy()
    out["composite"] = composite
    out["rank"] = pd.array(rank, dtype="Int64")
    out["in_top"] = in_top(rank, last, slots)
    out["tied_at_cut"] = tie_at_cut(rank, last, slots)
    for name, row in zip(("rank_low", "rank_median", "rank_high"), quant):
        out[name] = pd.array(row.astype(np.int64), dtype="Int64")
    out["p_top"] = p_top
    out["resamples"] = resamples
    for col in ("rank", "rank_low", "rank_median", "rank_high"):
        out[col] = out[col].mask(~scored)
    out["p_top"] = out["p_top"].where(scored, 0.0)
    return _in_category_order(out, "rank")


# ---------------------------------------------------------------------------- leave one reviewer out
def _without_row(d: _Design, rnd: Round) -> np.ndarray:
    """Per row: the cell's official score if that row's sheet were removed (NaN if none would remain)."""
    aggregation, trim_min = rnd.ranking.aggregation, rnd.ranking.trim_min
    start, n = d.start[d.cell], d.n[d.cell]
    end = start + n
    p = np.arange(len(d.y)) - start
    n1 = n - 1
    total = np.add.reduceat(d.y, d.start)[d.cell] - d.y
    last = lambda i: d.y[np.clip(i, 0, len(d.y) - 1)]  # noqa: E731
    high = np.where(p == n - 1, last(end - 2), last(end - 1))
    low = np.where(p == 0, last(start + 1), last(start))
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / n1
        if aggregation == "median":
            lo, hi = (n1 - 1) // 2, n1 // 2
            lo, hi = lo + (lo >= p), hi + (hi >= p)
            score = (last(start + lo) + last(start + hi)) / 2
        elif aggregation == "mean":
            score = mean
        else:
            score = np.where(n1 >= trim_min, (total - high - low) / np.maximum(n1 - 2, 1), mean)
    return np.where(n1 >= 1, score, np.nan)


def leave_one_reviewer_out(totals: pd.DataFrame | _Design, rnd: Round) -> pd.DataFrame:
    """Every (reviewer, candidate) whose in/out status changes when that reviewer's sheets are removed.

    Removing a reviewer changes the scores of the candidates they scored and so can move the cut
    line past others: both kinds are listed. Columns: reviewer, candidate, category, composite,
    composite_without, rank, rank_without, in_top, in_without. Exact and deterministic; the cost
    grows with the number of scores, not reviewers × candidates.

    After removing a reviewer, the number of candidates of a category at or above a value x is:
    all at or above x before, minus the candidates the reviewer scored at their old keys, plus the
    same at their new keys. A candidate is in when that count (its tie group's last place) is at
    most the slots; its rank is 1 + those above. The reviewer's own candidates can move that count
    by at most as many as they scored, so only candidates that near the cut are counted exactly;
    and someone the reviewer did not score moves only past those of the reviewer's candidates
    whose old-to-new step crosses the keys near the cut.
    """
    d = _as_design(totals, rnd, ranking=True)
    composite, key, rank, last, cell_score = _baseline(d, rnd)
    cat = d.cands["cat"].to_numpy()
    n_c, n_cat = max(len(d.cands), 1), int(cat.max()) + 1 if len(cat) else 1
    cat_slots = np.zeros(n_cat, np.int64)
    cat_slots[cat] = d.cands["slots"].to_numpy()
    weighted = d.cell_weight[d.cell] > 0
    without = _without_row(d, rnd)
    delta = np.where(weighted, d.cell_weight[d.cell] * (without - cell_score[d.cell]), 0.0)
    row_cand = d.cell_cand[d.cell]
    use = rank[row_cand] > 0
    pair, inverse = np.unique(d.rev[use] * n_c + row_cand[use], return_inverse=True)
    pair_delta = np.bincount(inverse, np.nan_to_num(delta[use]), len(pair))
    pair_gone = np.bincount(inverse, (weighted & np.isnan(without))[use], len(pair)) > 0
    cand, who = pair % n_c, pair // n_c
    groups, group = np.unique(who * n_cat + cat[cand], return_inverse=True)  # a group: one reviewer in one category
    order = np.argsort(group, kind="stable")  # pairs group after group
    cand, who, group, pair_gone, pair_delta = (a[order] for a in (cand, who, group, pair_gone, pair_delta))
    new = np.where(pair_gone, np.nan, composite[cand] + pair_delta)
    new_key = _merit(d, new, rnd.ranking.precision, cand)
    old_key = key[cand]
    size = np.bincount(group, minlength=len(groups))
    segment = _Segments(group, old_key, new_key, size)
    group_cat, group_who, g_slots = groups % n_cat, groups // n_cat, cat_slots[groups % n_cat]
    members = np.flatnonzero(rank > 0)
    by_key = members[np.lexsort((key[members], cat[members]))]  # per category, keys ascending
    cat_end = np.searchsorted(cat[by_key], np.arange(n_cat), side="right")
    low = float(key[members].min()) if len(members) else 0.0
    span = float(key[members].max()) - low + 3 if len(members) else 3.0
    codes = cat[by_key] * span + (key[by_key] - low + 1)  # whole numbers, exact in float64

    def before(c: np.ndarray, x: np.ndarray, side: str) -> np.ndarray:
        """How many of category c had a key ≥ x ("left") or > x ("right") before the removal."""
        return cat_end[c] - np.searchsorted(codes, c * span + np.clip(x - low + 1, 0, span - 1), side=side)

    # The reviewer's own candidates: after the removal the count at their new key lies within `size` of before's.
    n_slots = g_slots[group]
    gone = np.isnan(new_key)
    x = np.where(gone, 0.0, new_key)
    at_or_above = before(group_cat[group], x, "left")
    unsure = np.flatnonzero(~gone & (np.abs(at_or_above - n_slots) <= size[group]))
    own_in = ~gone & (at_or_above <= n_slots)
    old_ge, new_ge = segment.count(group[unsure], x[unsure], "left")
    own_in[unsure] = at_or_above[unsure] - old_ge + new_ge <= n_slots[unsure]
    flip = np.flatnonzero((last[cand] <= n_slots) != own_in)
    old_gt, new_gt = segment.count(group[flip], x[flip], "right")
    own_rank = np.where(gone[flip], 0, before(group_cat[group[flip]], x[flip], "right") - old_gt + new_gt + 1)
    rows = [(who[flip], cand[flip], new[flip], own_rank, own_in[flip])]

    # Everyone else: moved only by the reviewer's candidates whose step crosses their key.
    span = int(last.max()) + 2 if len(last) else 2
    by_last = members[np.lexsort((last[members], cat[members]))]
    code = cat[by_last] * span + last[by_last]
    lo = np.searchsorted(code, group_cat * span + np.clip(g_slots - size + 1, 0, span - 1), side="left")
    hi = np.searchsorted(code, group_cat * span + np.clip(g_slots + size, 0, span - 1), side="right")
    band_hi = key[by_last[np.minimum(lo, len(by_last) - 1)]] if len(by_last) else np.zeros(len(groups))
    band_lo = key[by_last[np.maximum(hi - 1, 0)]] if len(by_last) else np.zeros(len(groups))
    low_end = np.where(gone, -np.inf, np.minimum(old_key, new_key))
    high_end = np.where(gone, old_key, np.maximum(old_key, new_key))
    near = (hi > lo)[group] & (high_end >= band_lo[group]) & (low_end <= band_hi[group])
    up = np.bincount(group[near & ~gone & (new_key > old_key)], minlength=len(groups))
    down = np.bincount(group[near & (gone | (new_key < old_key))], minlength=len(groups))
    lo = np.searchsorted(code, group_cat * span + np.clip(g_slots - up + 1, 0, span - 1), side="left")
    hi = np.searchsorted(code, group_cat * span + np.clip(g_slots + down, 0, span - 1), side="right")
    width = np.maximum(hi - lo, 0) * ((up + down) > 0)
    g = np.repeat(np.arange(len(groups)), width)
    others = by_last[np.repeat(lo - np.r_[0, np.cumsum(width)[:-1]], width) + np.arange(int(width.sum()))]
    scored = pd.Index(group * n_c + cand).get_indexer(g * n_c + others) >= 0  # the reviewer's own candidates
    g, others = g[~scored], others[~scored]
    x = key[others]
    old_ge, new_ge = segment.count(g, x, "left")
    now_in = last[others] - old_ge + new_ge <= g_slots[g]
    flip = np.flatnonzero((last[others] <= g_slots[g]) != now_in)
    g, others, x = g[flip], others[flip], x[flip]
    old_gt, new_gt = segment.count(g, x, "right")
    rows.append((group_who[g], others, composite[others], rank[others] - 1 - old_gt + new_gt + 1, now_in[flip]))

    cols = ["reviewer", "candidate", "category", "composite", "composite_without", "rank", "rank_without",
            "in_top", "in_without"]
    who_code, cand_code, value, rank_without, inside = (np.concatenate(part) for part in zip(*rows))
    if not len(cand_code):
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip(cols, ["str", "str", "str", float, float,
                                                                              "Int64", "Int64", bool, bool])})
    out = pd.DataFrame({"reviewer": d.reviewer_ids[who_code], "candidate": d.cands["candidate"].to_numpy()[cand_code],
                        "category": d.cands["category"].to_numpy()[cand_code], "composite": composite[cand_code],
                        "composite_without": value.astype(float), "rank": pd.array(rank[cand_code], dtype="Int64"),
                        "rank_without": pd.array(np.where(rank_without > 0, rank_without, 0), dtype="Int64"),
                        "in_top": ~inside.astype(bool), "in_without": inside.astype(bool)})
    out["rank_without"] = out["rank_without"].mask(out["rank_without"] == 0)
    cat_order = {name: i for i, name in enumerate(dict.fromkeys(d.cands["category"].to_numpy(dtype=object)))}  # as _in_category_order
    out["_c"] = out["category"].map(cat_order)
    out = out.sort_values(["_c", "rank", "candidate", "reviewer"], kind="stable")
    return _text(out[cols].reset_index(drop=True))


class _Segments:
    """Per group: how many of its old keys and of its new keys (NaN: none) are ≥ x ("left") or > x ("right").
    Keys are whole numbers (`_merit`); each group's keys are sorted once and searched."""

    def __init__(self, group: np.ndarray, old: np.ndarray, new: np.ndarray, size: np.ndarray) -> None:
        has = ~np.isnan(new)
        values = np.r_[old, new[has]]
        self.low = float(values.min()) if len(values) else 0.0
        self.width = int(values.max() - self.low) + 3 if len(values) else 3
        self.ends = np.cumsum(size)
        self.old = np.sort(group * self.width + self._int(old))
        self.new = np.sort(group[has] * self.width + self._int(new[has]))
        self.new_ends = np.cumsum(np.bincount(group[has], minlength=len(size)))

    def _int(self, x: np.ndarray) -> np.ndarray:
        return np.clip(np.rint(x - self.low) + 1, 0, self.width - 1).astype(np.int64)

    def count(self, g: np.ndarray, x: np.ndarray, side: str) -> tuple[np.ndarray, np.ndarray]:
        q = g * self.width + self._int(x)
        return (self.ends[g] - np.searchsorted(self.old, q, side=side),
                self.new_ends[g] - np.searchsorted(self.new, q, side=side))


# ---------------------------------------------------------------------------- borderline band
def borderline(uncertainty: pd.DataFrame, loro: pd.DataFrame, shadow: pd.DataFrame | None = None,
               rnd: Round | None = None) -> pd.DataFrame:
    """Who is in, who is out, and whose in/out status is not robust.

    Borderline when P(in top N) is strictly between the configured thresholds, or removing one
    reviewer flips the status, or the composite ties with someone across the cut, or (with
    `shadow`) one of the configured shadow rules puts the candidate on the other side.
    Columns: candidate, category, rank, slots, in_top, p_top, rank_low, rank_high, loro_flips,
    shadow_flips (method codes, ","-joined), tied_at_cut, band (in / borderline / out / unscored),
    reasons (Chinese, "；"-joined).
    """
    cfg = _cfg(rnd)
    out = uncertainty[["candidate", "category", "rank", "slots", "in_top", "p_top", "rank_low", "rank_high",
                       "tied_at_cut"]].copy()
    counts = loro.groupby("candidate")["reviewer"].nunique() if len(loro) else pd.Series(dtype="int64")
    out["loro_flips"] = out["candidate"].map(counts).fillna(0).astype(np.int64)
    if shadow is not None:
        sh = shadow.set_index("candidate").reindex(out["candidate"])
        slots = out["slots"].to_numpy()
        methods = list(cfg.shadow_methods)
        which = np.zeros(len(out), np.int64)  # bit m: shadow method m puts the candidate on the other side
        for m, method in enumerate(methods):
            r = sh[f"rank_{method}"].to_numpy(dtype=float, na_value=np.nan)
            inside = sh[f"in_{method}"].to_numpy(dtype=bool) if f"in_{method}" in sh else (r <= slots) & ~np.isnan(r)
            which |= ((inside != out["in_top"].to_numpy()) & ~np.isnan(r)).astype(np.int64) << m
        names = np.array([",".join(x for m, x in enumerate(methods) if k >> m & 1) for k in range(1 << len(methods))],
                         dtype=object)
        out["shadow_flips"] = names[which]
    else:
        out["shadow_flips"] = ""
    uncertain = (out["p_top"] > cfg.borderline_low) & (out["p_top"] < cfg.borderline_high)
    reasons = np.full(len(out), "", dtype=object)
    some = (uncertain | (out["loro_flips"] > 0) | out["tied_at_cut"] | (out["shadow_flips"] != "")).to_numpy()
    for i, row, unc in zip(np.flatnonzero(some), out[some].itertuples(index=False), uncertain[some]):  # the few near the cut
        words = []
        if unc:
            words.append(labels.BORDERLINE_REASONS["p_top"].format(slots=row.slots, p=row.p_top))
        if row.loro_flips:
            words.append(labels.BORDERLINE_REASONS["loro"].format(n=row.loro_flips))
        if row.tied_at_cut:
            words.append(labels.BORDERLINE_REASONS["tie_at_cut"])
        if row.shadow_flips:
            names = "、".join(labels.SHADOW_METHODS[m] for m in row.shadow_flips.split(","))
            words.append(labels.BORDERLINE_REASONS["shadow"].format(methods=names))
        reasons[i] = "；".join(words)
    out["reasons"] = pd.Series(reasons, index=out.index, dtype="str")
    scored = out["rank"].notna()
    band = np.where(out["reasons"] != "", "borderline", np.where(out["in_top"], "in", "out"))
    out["band"] = pd.Series(np.where(scored, band, "unscored"), index=out.index, dtype="str")
    return _text(out[["candidate", "category", "rank", "slots", "in_top", "p_top", "rank_low", "rank_high",
                      "loro_flips", "shadow_flips", "tied_at_cut", "band", "reasons"]].reset_index(drop=True))


def diagnose(scores: pd.DataFrame | Sheets, ranked: pd.DataFrame, rnd: Round) -> pd.DataFrame:
    """The borderline band with everything behind it: rank intervals, P(top N), leave-one-out, shadows.

    One call for the meeting and the exports; each piece is also available on its own. `scores` is
    the store's frame or, better, the `Sheets` the official list was ranked from (coded once).
    """
    d = design(scores, ranked, rnd)  # one design for every diagnostic
    return borderline(rank_uncertainty(d, rnd), leave_one_reviewer_out(d, rnd), shadow_scores(d, rnd), rnd)
