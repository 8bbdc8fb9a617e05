"""Ranking (差额遴选): the official score per stage, the composite, ties and the cut line.

The customary rule: per stage, the olympic trimmed mean of the reviewers' totals (drop exactly one
highest and one lowest) when a candidate has at least `trim_min` scores; the plain mean, flagged,
below that. Everything is vectorised over the long scores frame: no per-candidate Python loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Callable, Sequence

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


def round_half_up(x: np.ndarray, digits: int) -> np.ndarray:
    """Round the way a published table does (0.125 -> 0.13), not banker's rounding; NaN stays NaN."""
    return published(x, digits) / 10.0 ** digits


@dataclass(frozen=True)
class Sheets:
    """Submitted score sheets as integer codes: one row per sheet, the sheets of a cell
    (nomination × stage) contiguous and sorted by total (the layout every aggregator reads).

    Built once from the store's long frame; the official ranking, the diagnostics and the
    meeting's what-if all start from it, so the ids are factorised and the totals summed once.
    """

    nomination_ids: np.ndarray  # code -> nomination id (sorted)
    stage_ids: np.ndarray       # code -> stage (the round's order first)
    reviewer_ids: np.ndarray    # code -> reviewer id (sorted)
    criteria: np.ndarray        # code -> criterion (the rubric's order first)
    nomination: np.ndarray      # sheet -> code
    stage: np.ndarray
    reviewer: np.ndarray
    total: np.ndarray           # sheet -> total (sum of its criterion points)
    points: np.ndarray          # sheet × criterion -> points (0 where the sheet has none)
    start: np.ndarray           # cell -> first sheet
    n: np.ndarray               # cell -> sheets

    @property
    def cell_nomination(self) -> np.ndarray:
        return self.nomination[self.start]

    @property
    def cell_stage(self) -> np.ndarray:
        return self.stage[self.start]

    @property
    def cell(self) -> np.ndarray:
        """sheet -> cell"""
        return np.repeat(np.arange(len(self.start)), self.n)


@dataclass(frozen=True)
class _Column:
    """A text column of the store's frame as values to compare: the text itself, or a categorical's
    codes numbered in the text's sorted order (then comparing codes compares the texts, in integers)."""

    values: np.ndarray         # row -> text (object) or code
    names: np.ndarray | None   # code -> text; None when `values` are the texts

    def encode(self, texts: Sequence[object]) -> np.ndarray:
        """`texts` as values of this column (a code that matches nothing where the category is absent)."""
        if self.names is None:
            return np.asarray(list(texts), dtype=object)
        return pd.Index(self.names).get_indexer(list(texts)).astype(np.int64)

    def decode(self, values: np.ndarray) -> np.ndarray:
        """Values of this column as texts (object array)."""
        if self.names is None:
            return np.asarray(values, dtype=object)
        return self.names[np.asarray(values, dtype=np.int64)]


def _column(series: pd.Series) -> _Column:
    """A column of the store's frame for comparing: a categorical of texts (the store's dtype) by its
    codes, renumbered when its categories are not sorted; anything else (or a missing value) as objects."""
    if isinstance(series.dtype, pd.CategoricalDtype) and pd.api.types.is_string_dtype(series.cat.categories.dtype):
        codes = series.array.codes
        if not len(codes) or codes.min() >= 0:
            names = series.cat.categories.to_numpy(dtype=object)
            if len(names) > 1 and not bool(np.all(names[1:] > names[:-1])):
                order = np.argsort(names, kind="stable")
                place = np.empty(len(names), np.int64)
                place[order] = np.arange(len(names))
                codes, names = place[codes], names[order]
            return _Column(codes, names)
    return _Column(series.to_numpy(dtype=object), None)


def _levels(values: np.ndarray, first: list[str] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of `values`: the levels in `first` keep that order, any others follow sorted.

    Values already in sorted order (the store's nominations) are coded by counting changes, without hashing.
    """
    if not first and len(values) > 1 and bool(np.all(values[1:] >= values[:-1])):
        change = np.r_[True, values[1:] != values[:-1]]
        return np.cumsum(change) - 1, values[change]
    codes, uniques = pd.factorize(values, sort=True)
    uniques = np.asarray(uniques, dtype=object)
    if not first:
        return codes.astype(np.int64), uniques
    known = [f for f in first if f in set(uniques)]
    levels = np.asarray(known + [u for u in uniques if u not in set(known)], dtype=object)
    remap = pd.Series(np.arange(len(levels)), index=levels).reindex(uniques).to_numpy()
    return remap[codes].astype(np.int64) if len(codes) else codes.astype(np.int64), levels


def _stage_criteria(rnd: Round) -> list[list[str]]:
    """Per stage (the round's order), the criterion codes a sheet of that stage lists, in rubric order."""
    return [[c.code for c in rnd.criteria("", st)] for st in rnd.stages]


def _criterion_codes(col: _Column, run: np.ndarray, heads: np.ndarray, stage_of_head: np.ndarray,
                     rnd: Round | None) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the criterion's code. Sheets usually list their stage's criteria in rubric order:
    check that against the expected pattern in one comparison and hash only the rows that differ."""
    criteria = np.asarray([c.code for c in rnd.rubric] if rnd else [], dtype=object)
    column = col.values
    code = np.full(len(column), -1, np.int64)
    if rnd is not None and len(column):
        index = {c: k for k, c in enumerate(criteria)}
        stages = list(rnd.stages)
        own = [[index[c] for c in codes] for codes in _stage_criteria(rnd)]
        width = max(map(len, own), default=0)
        pattern = np.full((len(stages) + 1, width + 1), -1, np.int64)
        for i, codes in enumerate(own):
            pattern[i, :len(codes)] = codes
        stage_row = pd.Index(stages).get_indexer(stage_of_head)
        stage_row = np.where(stage_row < 0, len(stages), stage_row)[run]
        position = np.minimum(np.arange(len(column)) - heads[run], width)
        expect = pattern[stage_row, position]
        names = np.append(col.encode(criteria), None if col.names is None else -1)
        code = np.where(column == names[expect], expect, -1)
    rest = np.flatnonzero(code < 0)
    if len(rest):
        extra, uniques = pd.factorize(column[rest], sort=True)
        uniques = col.decode(uniques)
        known = {c: k for k, c in enumerate(criteria)}
        others = [u for u in uniques if u not in known]
        criteria = np.append(criteria, np.asarray(others, dtype=object)).astype(object)
        lookup = {**known, **{u: len(known) + k for k, u in enumerate(others)}}
        code[rest] = np.array([lookup[u] for u in uniques], np.int64)[extra]
    return code, criteria


def _uniform_points(col: _Column, points: np.ndarray, change: np.ndarray,
                    rnd: Round | None) -> tuple[np.ndarray, np.ndarray] | None:
    """The common layout in one comparison: every sheet lists the same criteria in rubric order
    (every stage scores the same ones), so the points reshape to sheets × criteria. None otherwise."""
    column = col.values
    if rnd is None or not len(column):
        return None
    lists = _stage_criteria(rnd)
    k = len(lists[0]) if lists else 0
    if not k or any(c != lists[0] for c in lists) or len(column) % k:
        return None
    shape = (len(column) // k, k)
    if not change[::k].all() or change.reshape(shape)[:, 1:].any():
        return None  # sheets of another length
    if not (column.reshape(shape) == col.encode(lists[0])).all():
        return None
    criteria = np.asarray([c.code for c in rnd.rubric], dtype=object)
    if list(criteria) == lists[0]:
        return points.reshape(shape), criteria
    out = np.zeros((shape[0], len(criteria)))
    out[:, [list(criteria).index(c) for c in lists[0]]] = points.reshape(shape)
    return out, criteria


def _codes(values: np.ndarray, first: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """`_levels` for a column with few distinct values, most of them in `first`: one comparison per level."""
    code = np.full(len(values), -1, np.int64)
    for k, level in enumerate(first):
        code[values == level] = k
    if (code >= 0).all():
        code, kept = dense(code, len(first))
        return code, np.asarray(first, dtype=object)[kept]
    return _levels(values, first)


def dense(codes: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Codes (0 ≤ code < size) renumbered 0.. over the values present, keeping their order; and the
    old code of each new one."""
    present = np.zeros(size, bool)
    present[codes] = True
    return (np.cumsum(present) - 1)[codes], np.flatnonzero(present)


def _head_changes(new: np.ndarray, heads: np.ndarray, kept: np.ndarray | slice) -> np.ndarray:
    """Per kept head, how many rows up to it are `new` (differ from the row before; each such row is a head)."""
    return np.cumsum(new[heads])[kept]


def _column_levels(col: _Column, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`_levels(values)` for values of `col`, the levels as texts: codes are renumbered over those present."""
    if col.names is None:
        return _levels(values)
    codes, kept = dense(values, len(col.names))
    return codes, col.names[kept]


def _run_levels(col: _Column, heads: np.ndarray, changes: Callable[[], np.ndarray],
                first: list[str] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """`_levels(column[heads], first)`, the levels as texts. A text column has only one value per run
    of equal values coded (in the store's order, one per nomination, and they come sorted): `changes()`
    counts, per head, the rows up to it whose value differs from the row before."""
    column = col.values
    wanted = None if first is None else list(col.encode(first))
    if col.names is not None:  # codes: read at every head, renumbered over those present
        if first is not None:
            codes, levels = _codes(column[heads], wanted)
            return codes, col.decode(levels)
        codes, kept = dense(column[heads], len(col.names))
        return codes, col.names[kept]
    if not len(heads):
        codes, levels = _levels(column[heads], wanted)
        return codes, col.decode(levels)
    changes = changes()
    new = np.r_[True, changes[1:] != changes[:-1]]  # the value may differ from the head before
    codes, levels = _levels(column[heads[new]]) if first is None else _codes(column[heads[new]], wanted)
    return codes[np.cumsum(new) - 1], col.decode(levels)


def submitted_sheets(scores: pd.DataFrame, rnd: Round | None = None, *, criteria: bool = True) -> Sheets:
    """The store's long frame (one row per criterion) -> `Sheets` of the submitted sheets.

    Rows of one sheet usually arrive together (the store orders them so): runs of equal keys are
    found by comparing each row with the one before, and only the run heads (one per sheet) are
    coded. When every sheet lists its criteria in rubric order the points simply reshape to sheets ×
    criteria; otherwise they are summed per run and criterion. Runs of the same sheet that are not
    adjacent are merged, so any row order gives the same sheets (and the same totals: a total adds
    its criteria in their order). Without `criteria` only the totals are kept (`points` has no columns).
    """
    n_rows = len(scores)
    key_cols = [_column(scores[c]) for c in ("nomination_id", "stage", "reviewer_id")]
    cols = [c.values for c in key_cols]
    status = _column(scores["status"])
    ok = status.values == status.encode(["submitted"])[0]
    new = np.ones((2, n_rows), bool)  # a row whose nomination (stage) differs from the row before
    change = np.ones(n_rows, bool)
    if n_rows:
        for k in (0, 1):
            np.not_equal(cols[k][1:], cols[k][:-1], out=new[k, 1:])
        np.not_equal(ok[1:], ok[:-1], out=change[1:])
        change |= new[0] | new[1]
        change[1:] |= cols[2][1:] != cols[2][:-1]
    heads = np.flatnonzero(change)
    keep = ok[heads]
    kept = slice(None) if keep.all() else np.flatnonzero(keep)
    points = scores["points"].to_numpy(dtype=float, na_value=np.nan)
    missing = np.isnan(points)
    if missing.any():
        points = np.where(missing, 0.0, points)  # as groupby-sum skips NaN
    column = _column(scores["criterion"])
    uniform = _uniform_points(column, points, change, rnd)
    if uniform is not None:
        run_points, crit_ids = uniform
    else:
        run = np.cumsum(change) - 1
        crit_code, crit_ids = _criterion_codes(column, run, heads, key_cols[1].decode(cols[1][heads]), rnd)
        n_crit = len(crit_ids)
        run_points = np.bincount(run * n_crit + crit_code, weights=points, minlength=len(heads) * n_crit) \
            .reshape(len(heads), n_crit) if n_rows else np.zeros((0, n_crit))
    changes = [partial(_head_changes, new[k], heads, kept) for k in (0, 1)]
    heads, run_points = heads[kept], run_points[kept]
    nom, nomination_ids = _run_levels(key_cols[0], heads, changes[0])
    stage, stage_ids = _run_levels(key_cols[1], heads, changes[1], list(rnd.stages) if rnd else None)
    rev, reviewer_ids = _column_levels(key_cols[2], cols[2][heads])
    key = (nom * max(len(stage_ids), 1) + stage) * max(len(reviewer_ids), 1) + rev
    if len(key) > 1 and not (key[1:] > key[:-1]).all():  # not in (nomination, stage, reviewer) order
        order = np.argsort(key, kind="stable")
        key, nom, stage, rev, run_points = key[order], nom[order], stage[order], rev[order], run_points[order]
        new_key = np.r_[True, key[1:] != key[:-1]]
        if not new_key.all():  # one sheet in several runs: merge them (adding in row order)
            first = np.flatnonzero(new_key)
            merged = np.zeros((len(first), run_points.shape[1]))
            np.add.at(merged, np.cumsum(new_key) - 1, run_points)
            nom, stage, rev, run_points = nom[first], stage[first], rev[first], merged
    total = run_points.sum(axis=1)  # in the criteria's order, whatever the rows' order: one total per sheet
    if not criteria:
        run_points, crit_ids = run_points[:, :0], crit_ids[:0]
    new_cell = np.ones(len(nom), bool)
    new_cell[1:] = (nom[1:] != nom[:-1]) | (stage[1:] != stage[:-1])
    start = np.flatnonzero(new_cell)
    n = np.diff(np.r_[start, len(nom)])
    order = _by_total(total, start, n, new_cell)
    if order is not None:
        nom, stage, rev, total = nom[order], stage[order], rev[order], total[order]
    run_points = run_points.copy() if order is None else np.take(run_points, order, axis=0)  # not a view of the frame
    return Sheets(nomination_ids, stage_ids, reviewer_ids, crit_ids, nom, stage, rev, total, run_points, start, n)


_COMPARED = 8  # cells of up to this many sheets are sorted by comparing every pair (cheaper than argsort)


def _by_total(total: np.ndarray, start: np.ndarray, n: np.ndarray, new_cell: np.ndarray) -> np.ndarray | None:
    """The order that sorts each cell's sheets by total (stable: equal totals keep their order), or
    None when they already are. Cells of one size are sorted together as rows of a matrix: small ones
    by counting, for each sheet, the sheets that go before it."""
    if len(total) < 2 or ((total[1:] >= total[:-1]) | new_cell[1:]).all():
        return None
    order = np.arange(len(total))
    for size in np.unique(n[n > 1]).tolist():
        at = start[n == size] + np.arange(size)[:, None]  # sheet i of every such cell in row i
        y = total[at]
        if size > _COMPARED or np.isnan(y).any():
            order[at] = np.take_along_axis(at, np.argsort(y, axis=0, kind="stable"), axis=0)
            continue
        place = np.zeros(at.shape, np.int8)  # how many of the cell's sheets go before each: lower, or equal and earlier
        for i in range(size):
            for j in range(size):
                if j != i:
                    place[i] += y[j] <= y[i] if j < i else y[j] < y[i]
        order[at[0] + place] = at
    return order


def sheet_totals(scores: pd.DataFrame) -> pd.DataFrame:
    """Submitted score sheets -> one row per (nomination, stage, reviewer) with the total."""
    sh = submitted_sheets(scores, criteria=False)
    out = pd.DataFrame({"nomination_id": sh.nomination_ids[sh.nomination], "stage": sh.stage_ids[sh.stage],
                        "reviewer_id": sh.reviewer_ids[sh.reviewer], "total": sh.total})
    return out.sort_values(["nomination_id", "stage", "reviewer_id"], kind="stable").reset_index(drop=True)


def retained(totals: pd.DataFrame, trim_min: int, aggregation: str = "olympic") -> pd.DataFrame:
    """Mark which reviewers count: all of them, or all but one highest and one lowest.

    `weight` is each sheet's share in the criterion breakdown. When several reviewers share the
    highest (or lowest) total, the one copy dropped is shared among them equally, so the breakdown
    never depends on reviewer ids and still adds up to the trimmed total. `kept` is weight > 0.
    """
    keys = ["nomination_id", "stage"]
    ordered = totals.sort_values(keys + ["total"], kind="stable")
    cell = ordered.groupby(keys, sort=False, observed=True).ngroup().to_numpy()
    start = np.flatnonzero(np.r_[True, cell[1:] != cell[:-1]]) if len(cell) else np.zeros(0, np.int64)
    n = np.diff(np.r_[start, len(cell)])
    weight = sheet_weights(ordered["total"].to_numpy(dtype=float), start, n, aggregation, trim_min)
    return ordered.assign(n=np.repeat(n, n), weight=weight, kept=weight > 1e-12).loc[totals.index]


# ---------------------------------------------------------------------------- the kernel
def aggregate(y: np.ndarray, start: np.ndarray, n: np.ndarray, aggregation: str, trim_min: int) -> np.ndarray:
    """The round's aggregator per cell; the last axis of `y` holds the sheets, sorted within each cell.

    olympic: (sum − highest − lowest) / (n − 2) when n ≥ trim_min, else the mean; mean; median.
    Works on one set of totals or a (resamples, sheets) matrix.
    """
    if y.shape[-1] == 0:
        return np.zeros(y.shape[:-1] + (0,))
    total = np.add.reduceat(y, start, axis=-1)
    mean = total / n
    if aggregation == "mean":
        return mean
    if aggregation == "median":
        return (np.take(y, start + (n - 1) // 2, axis=-1) + np.take(y, start + n // 2, axis=-1)) / 2
    high, low = np.take(y, start + n - 1, axis=-1), np.take(y, start, axis=-1)
    return np.where(n >= trim_min, (total - high - low) / np.maximum(n - 2, 1), mean)


def sheet_weights(y: np.ndarray, start: np.ndarray, n: np.ndarray, aggregation: str, trim_min: int) -> np.ndarray:
    """Each sheet's weight in its cell's criterion breakdown (see `retained`); `y` sorted within cells."""
    cell = np.repeat(np.arange(len(start)), n)
    if aggregation != "olympic" or not len(y):
        return np.ones(len(y))
    at_max = y == y[(start + n - 1)[cell]]
    at_min = y == y[start[cell]]
    n_max = np.bincount(cell, at_max, len(start))[cell]
    n_min = np.bincount(cell, at_min, len(start))[cell]
    weight = 1.0 - at_max / n_max - at_min / n_min
    return np.where(n[cell] >= trim_min, weight, 1.0)


def published(values: np.ndarray, digits: int) -> np.ndarray:
    """Values as integers at the published precision, rounded half up (78.125 -> 7813 at 2 digits)."""
    return np.floor(np.asarray(values, dtype=float) * 10.0 ** digits + 0.5 + 1e-9)


def places(merit: np.ndarray, cat: np.ndarray, order: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(rank, last) within category, higher merit first; equal merit shares the best rank.

    `last` is the worst place the candidate's tie group occupies. NaN merit (unscored): 0 and 0.
    `order`, when the caller has it: the rows by category, then merit (higher first; equal merit in
    row order), the unscored last in their category.
    """
    merit = np.asarray(merit, dtype=float)
    scored = ~np.isnan(merit)
    if order is None:
        order = np.lexsort((np.where(scored, -merit, 0.0), ~scored, cat))
    m, c = merit[order], cat[order]
    size = len(order)
    new_cat = np.ones(size, bool)
    new_cat[1:] = c[1:] != c[:-1]
    new_grp = new_cat.copy()
    new_grp[1:] |= (m[1:] != m[:-1]) & ~(np.isnan(m[1:]) & np.isnan(m[:-1]))
    pos = np.arange(size)
    cat_start = np.maximum.accumulate(np.where(new_cat, pos, 0)) if size else pos
    grp_start = np.maximum.accumulate(np.where(new_grp, pos, 0)) if size else pos
    ends = np.r_[new_grp[1:], True] if size else new_grp
    grp_end = np.minimum.accumulate(np.where(ends, pos, size)[::-1])[::-1] if size else pos
    rank, last = np.zeros(size, np.int64), np.zeros(size, np.int64)
    rank[order] = grp_start - cat_start + 1
    last[order] = grp_end - cat_start + 1
    rank[~scored], last[~scored] = 0, 0
    return rank, last


def in_top(rank: np.ndarray, last: np.ndarray, slots: np.ndarray) -> np.ndarray:
    """拟命名 / "in the top N": scored, and the whole tie group fits within the category's slots.

    The one definition: the official list, the diagnostics (every resample, leave-one-out) and
    the meeting's what-if all decide in/out with this function.
    """
    return (rank > 0) & (last <= slots)


def tie_at_cut(rank: np.ndarray, last: np.ndarray, slots: np.ndarray) -> np.ndarray:
    """A tie group that straddles the cut: it starts inside the slots and ends outside."""
    return (rank > 0) & (rank <= slots) & (last > slots)


# ---------------------------------------------------------------------------- the official ranking
def _cells(sheets: Sheets, rnd: Round) -> dict[str, np.ndarray]:
    """Per cell (nomination × stage): official score, untrimmed mean, median, n, criterion points."""
    cfg = rnd.ranking
    y, start, n = sheets.total, sheets.start, sheets.n
    weight = sheet_weights(y, start, n, cfg.aggregation, cfg.trim_min)
    cell = sheets.cell
    w_sum = np.bincount(cell, weight, len(start))
    crit = np.zeros((len(start), len(sheets.criteria)))
    for k in range(len(sheets.criteria)):
        crit[:, k] = np.bincount(cell, sheets.points[:, k] * weight, len(start)) / w_sum
    return {"n": n, "untrimmed": aggregate(y, start, n, "mean", cfg.trim_min),
            "median": aggregate(y, start, n, "median", cfg.trim_min),
            "score": aggregate(y, start, n, cfg.aggregation, cfg.trim_min), "crit": crit}


def stage_scores(sheets: Sheets, rnd: Round) -> pd.DataFrame:
    """One row per (nomination, stage): official score, untrimmed mean, median, n, criterion points."""
    cells = _cells(sheets, rnd)
    out = pd.DataFrame({"nomination_id": sheets.nomination_ids[sheets.cell_nomination],
                        "stage": sheets.stage_ids[sheets.cell_stage], "n": cells["n"],
                        "untrimmed": cells["untrimmed"], "median": cells["median"], "score": cells["score"]})
    for k, code in enumerate(sheets.criteria):
        out[f"crit_{code}"] = cells["crit"][:, k]
    return out


def _wide(sheets: Sheets, ids: np.ndarray, rnd: Round) -> dict[str, np.ndarray]:
    """Per candidate (`ids`): score_<stage>, n_<stage>, composite_raw, untrimmed_mean, median, crit_*
    (NaN where missing; the composite and its companions only when every weighted stage has a score)."""
    cells = _cells(sheets, rnd)
    code = pd.Index(sheets.nomination_ids).get_indexer(ids) if len(sheets.nomination_ids) else np.full(len(ids), -1)
    table = np.full((len(sheets.nomination_ids) + 1, len(sheets.stage_ids) + 1), -1, np.int64)  # last row/column: none
    table[sheets.cell_nomination, sheets.cell_stage] = np.arange(len(sheets.start))
    crit_index = {c: k for k, c in enumerate(sheets.criteria)}
    out: dict[str, np.ndarray] = {}
    composite, untrimmed, median = np.zeros(len(ids)), np.zeros(len(ids)), np.zeros(len(ids))
    crit = {c.code: np.zeros(len(ids)) for c in rnd.rubric}
    complete = np.ones(len(ids), bool)
    stage_code = {s: k for k, s in enumerate(sheets.stage_ids)}
    for stage, cfg in rnd.stages.items():
        w = cfg.weight
        cell = table[code, stage_code.get(stage, -1)]
        has = cell >= 0
        def part(values: np.ndarray) -> np.ndarray:
            return np.where(has, values[cell] if len(values) else 0.0, 0.0)  # missing: 0, as fillna(0)
        score = np.where(has, cells["score"][cell] if len(cell) and len(sheets.start) else np.nan, np.nan)
        out[f"score_{stage}"] = score
        out[f"n_{stage}"] = part(cells["n"]).astype(np.int64)
        composite += w * part(cells["score"])
        untrimmed += w * part(cells["untrimmed"])
        median += w * part(cells["median"])
        for c in crit:
            if c in crit_index:
                crit[c] += w * part(cells["crit"][:, crit_index[c]])
        if w > 0:
            complete &= has
    out["composite_raw"] = np.where(complete, composite, np.nan)
    out["untrimmed_mean"] = np.where(complete, untrimmed, np.nan)
    out["median"] = np.where(complete, median, np.nan)  # tie-break key "median"; not in rank()'s frame
    for c, values in crit.items():
        out[f"crit_{c}"] = np.where(complete, values, np.nan)
    return out


def _tie_keys(rnd: Round) -> list[str]:
    keys = []
    for key in rnd.ranking.tie_break:
        kind, _, arg = key.partition(":")
        keys.append({"criterion": f"crit_{arg}", "stage": f"score_{arg}"}.get(kind, kind))
    return keys


def _lexsort_whole(keys: list[np.ndarray]) -> np.ndarray:
    """`np.lexsort(keys[::-1])`: the rows by keys[0], then keys[1], … (level rows in row order). Keys of
    whole numbers and +inf are packed, several to a 64-bit integer while their ranges fit, so fewer
    passes sort them; any other key is sorted as it is."""
    words, word, bits = [], None, 0
    for key in keys:
        finite = np.isfinite(key)
        numbers = key[finite]
        if np.isnan(key).any() or (key == -np.inf).any() or (numbers != np.floor(numbers)).any():
            return np.lexsort(keys[::-1])
        low, high = (int(numbers.min()), int(numbers.max())) if len(numbers) else (0, -1)
        top = high - low + 1  # codes 0 .. top, top for +inf: in Python's integers, as a float would round it
        need = top.bit_length()
        if need > 53:  # past 2**53 a float's key - low may round two keys to one code
            return np.lexsort(keys[::-1])
        code = np.where(finite, key - low, top).astype(np.int64)
        if word is not None and bits + need <= 62:
            word, bits = (word << need) | code, bits + need
        else:
            words += [] if word is None else [word]
            word, bits = code, need
    return np.lexsort((words + [word])[::-1]) if word is not None else np.arange(0)


def _merit(columns: dict[str, np.ndarray], keys: list[str], cat: np.ndarray,
           precision: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One number per candidate ordering the composite, then the tie-break chain (higher first).

    Equal numbers are candidates the chain cannot separate; NaN where there is no composite.
    Also each row's group (its place in the display order: by category, unscored ones last by their
    remaining keys; shared by rows level on every key) and the rows in that order (level rows in row order).
    """
    composite = columns["composite"]
    values = [composite] + [published(columns[k], 6) for k in keys]
    sortable = [np.where(np.isnan(c), np.inf, -c) for c in values]  # missing keys sort last
    whole = np.where(np.isnan(composite), np.inf, -published(columns["composite_raw"], precision))  # same order
    order = _lexsort_whole([cat.astype(float), whole] + sortable[1:])
    same = np.zeros(len(order), bool)
    if len(order):
        same[1:] = cat[order][1:] == cat[order][:-1]
        for c in sortable:
            same[1:] &= c[order][1:] == c[order][:-1]
    merit = np.empty(len(order))
    merit[order] = -np.cumsum(~same)  # the row's place in the sorted order, shared by rows the chain cannot separate
    return np.where(np.isnan(composite), np.nan, merit), -merit, order


FLAG_ORDER = ("no_scores", "too_few_scores", "few_scores", "tie_at_cut", "tie")


def _flags(ns: np.ndarray, rnd: Round, tied: np.ndarray, at_cut: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Flag codes per candidate (lists) and their Chinese text (few scores, ties), as object arrays;
    `ns`: sheets per weighted stage. Candidates with the same flags share one list of codes."""
    most, least = ns.max(axis=1), ns.min(axis=1)
    count = np.select([most == 0, least < 3, least < rnd.ranking.trim_min], [1, 2, 3], 0)
    tie = np.where(at_cut, 1, np.where(tied, 2, 0))
    codes, text = np.empty(12, dtype=object), np.empty(12, dtype=object)
    for c in range(4):
        for t in range(3):
            codes[c * 3 + t] = ([FLAG_ORDER[c - 1]] if c else []) + ([("tie_at_cut", "tie")[t - 1]] if t else [])
            text[c * 3 + t] = "；".join(labels.RANK_FLAGS[x].format(trim_min=rnd.ranking.trim_min)
                                       for x in codes[c * 3 + t])
    combo = count * 3 + tie
    return codes[combo], text[combo]


def _display_order(cat: np.ndarray, group: np.ndarray, first: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Rows by category, then `group`, then nomination id; `first`: the rows by category and group
    (level rows in row order), so only the rows level on both are sorted again, by their ids."""
    level = np.zeros(len(first), bool)
    level[1:] = (cat[first][1:] == cat[first][:-1]) & (group[first][1:] == group[first][:-1])
    level[:-1] |= level[1:]
    at = np.flatnonzero(level)
    if not len(at):
        return first
    tied = first[at]
    by_id = np.argsort(np.argsort(ids[tied], kind="stable"), kind="stable")
    rows = first.copy()
    rows[at] = tied[np.lexsort((by_id, group[tied], cat[tied]))]  # level groups are contiguous in `first`
    return rows


def rank(screened: pd.DataFrame, scores: pd.DataFrame | Sheets, rnd: Round) -> pd.DataFrame:
    """One row per candidate under review, ranked within its category; top `slots` are 拟命名.

    `scores` is the store's long frame, or `Sheets` already built from it. Works on the sheets'
    integer codes: the candidates' ids are looked up once, everything after is numpy.
    """
    cats = list(rnd.categories)
    candidates = screened.loc[under_review(screened) & screened["category"].isin(cats), ID_COLUMNS]
    sheets = scores if isinstance(scores, Sheets) else submitted_sheets(scores, rnd)
    ids = candidates["nomination_id"].to_numpy(dtype=object)
    columns = _wide(sheets, ids, rnd)
    columns["composite"] = round_half_up(columns["composite_raw"], rnd.ranking.precision)
    cat = pd.Categorical(candidates["category"], categories=cats).codes.astype(np.int64)
    merit, group, order = _merit(columns, _tie_keys(rnd), cat, rnd.ranking.precision)
    place, last = places(merit, cat, order)
    slots = np.array([c.slots for c in rnd.categories.values()], dtype=np.int64)[cat] if len(cat) else np.zeros(0, np.int64)
    tied = (place > 0) & (last - place > 0)
    at_cut = tie_at_cut(place, last, slots)
    ns = np.stack([columns[f"n_{s}"] for s, st in rnd.stages.items() if st.weight > 0], axis=1) \
        if any(st.weight > 0 for st in rnd.stages.values()) else np.zeros((len(ids), 1), np.int64)
    codes, text = _flags(ns, rnd, tied, at_cut)
    rows = _display_order(cat, group, order, ids)
    float_col = lambda v: pd.array(v[rows], dtype="Float64")  # noqa: E731  (NaN -> <NA>)
    out = {}
    for stage in rnd.stages:
        out[f"score_{stage}"] = float_col(columns[f"score_{stage}"])
        out[f"n_{stage}"] = pd.array(columns[f"n_{stage}"][rows], dtype="Int64")
    for name in ("composite_raw", "untrimmed_mean", *(f"crit_{c.code}" for c in rnd.rubric), "composite"):
        out[name] = float_col(columns[name])
    ranks = place[rows]
    out["rank"] = pd.arrays.IntegerArray(np.where(ranks > 0, ranks, 0), ranks <= 0)  # unscored: <NA>
    out["tied"] = tied[rows]
    out["proposed"] = in_top(place, last, slots)[rows]
    out["flag_codes"] = codes[rows]
    out["flags"] = pd.array(text[rows], dtype="string")
    return pd.concat([candidates.iloc[rows].reset_index(drop=True), pd.DataFrame(out)], axis=1)


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
