"""Review (评审): reviewers, conflicts of interest, assignment of candidates, simulated scores.

The functional core of the review stage: DataFrames in, DataFrames out, no hidden state. Only
`read_reviewers` touches a file. The store (`workbench.store`) keeps what these functions produce.

Panels: every reviewer sits on every category's panel unless the reviewers file has a `panel`
column (评审组) naming their categories (code, label or short name; several separated by 、 or ,);
a blank panel means all categories. The reviewer cap (`review.max_per_reviewer`) counts the
candidates a reviewer has *per stage*, since material review and site inspection are separate
sittings.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from workbench import labels
from workbench.config import Round
from workbench.errors import AssignmentError, ReviewerFileError, WorkbenchError
from workbench.names import clean, normalise

PLAN_COLUMNS = ["nomination_id", "reviewer_id", "stage"]


def _message(code: str, **fields: object) -> str:
    return f"{labels.REVIEW_MESSAGES[code].format(**fields)} [{code}]"


def _require(df: pd.DataFrame, columns: list[str], what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise WorkbenchError(_message("missing_columns", what=what, missing="、".join(missing)), "missing_columns")


# ============================================================================ reviewers file
def _header_map() -> dict[str, str]:
    names = {field: [field, header, *labels.REVIEWER_ALIASES.get(field, [])]
             for field, header in labels.REVIEWER_FIELDS.items()}
    return {normalise(name): field for field, options in names.items() for name in options}


def _read_table(path: Path) -> pd.DataFrame:
    if path.suffix.lower() in {".xlsx", ".xlsm", ".xls"}:
        return pd.read_excel(path, dtype=str, engine="calamine").fillna("")
    try:
        return pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    except UnicodeDecodeError:  # saved from Excel on a Chinese Windows: GBK
        return pd.read_csv(path, dtype=str, encoding="gb18030", keep_default_na=False)


def read_reviewers(path: str | Path) -> pd.DataFrame:
    """Read reviewers.csv (or .xlsx): reviewer_id, name, unit, and panel and field (专业领域) when the file has them.

    Headers may be English field names or Chinese (评委编号、姓名、工作单位、评审组 and aliases).
    Missing columns, blank or repeated ids raise `ReviewerFileError` naming them.
    """
    path = Path(path)
    if not path.is_file():
        raise ReviewerFileError(_message("reviewer_file_missing", path=path), "reviewer_file_missing")
    try:
        raw = _read_table(path)
    except Exception as exc:  # any unreadable file is one clear message, never a traceback
        raise ReviewerFileError(_message("reviewer_file_unreadable", path=path.name, why=exc), "reviewer_file_unreadable") from exc
    fields = _header_map()
    renamed = {c: fields[normalise(c)] for c in raw.columns if normalise(c) in fields}
    df = raw[list(renamed)].rename(columns=renamed)
    df = df.loc[:, ~df.columns.duplicated()]
    missing = [labels.REVIEWER_FIELDS[f] for f in ("reviewer_id", "name", "unit") if f not in df.columns]
    if missing:
        raise ReviewerFileError(_message("reviewer_columns_missing", path=path.name, missing="、".join(missing)),
                                "reviewer_columns_missing")
    df = df.apply(lambda col: col.map(lambda v: clean(unicodedata.normalize("NFKC", str(v)))))
    df = df[(df != "").any(axis=1)]
    blank = df.index[df["reviewer_id"] == ""]
    if len(blank):
        rows = "、".join(str(i + 2) for i in blank)
        raise ReviewerFileError(_message("reviewer_id_blank", path=path.name, rows=rows), "reviewer_id_blank")
    repeated = sorted(df.loc[df["reviewer_id"].duplicated(), "reviewer_id"].unique())
    if repeated:
        raise ReviewerFileError(_message("reviewer_duplicate_id", path=path.name, ids="、".join(repeated)),
                                "reviewer_duplicate_id")
    columns = [c for c in ("reviewer_id", "name", "unit", "panel", "field") if c in df.columns]
    return df[columns].astype("str").reset_index(drop=True)


# ============================================================================ conflicts
def unit_key(text: object) -> str:
    """A unit name reduced for comparison: `names.normalise` (NFKC, no invisible characters or
    spaces, one kind of bracket, lower case), without a trailing 工会.

    "某某公司工会" is that company's union, so it conflicts with a reviewer from 某某公司.
    """
    key = normalise(text)
    for suffix in labels.UNION_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return key


def conflict_reasons(reviewer_unit: object, host_unit: object, recommender: object) -> str:
    """Why a reviewer from `reviewer_unit` must not review this nomination ("" when they may)."""
    unit = unit_key(reviewer_unit)
    if not unit:
        return ""
    found = [labels.CONFLICT_REASONS[field] for field, other in (("host_unit", host_unit), ("recommender", recommender))
             if unit_key(other) == unit]
    return "；".join(found)


def _declared_reason(said: object) -> str:
    said = "" if said is None or (not isinstance(said, str) and pd.isna(said)) else str(said).strip()
    return labels.CONFLICT_REASONS["declared"] + (f"：{said}" if said else "")


def conflicts(nominations: pd.DataFrame, reviewers: pd.DataFrame, declared: pd.DataFrame | None = None) -> pd.DataFrame:
    """Conflicted pairs: nomination_id, reviewer_id, reason (one row per pair, reasons joined by ；).

    A reviewer is conflicted when their unit is the nomination's host unit or recommending union
    (compared after `unit_key`), or when the pair is in `declared` (nomination_id, reviewer_id,
    optional reason).
    """
    _require(nominations, ["nomination_id", "host_unit", "recommender"], labels.STORE_FRAMES["nominations"])
    _require(reviewers, ["reviewer_id", "unit"], labels.STORE_FRAMES["reviewers"])
    revs = pd.DataFrame({"reviewer_id": reviewers["reviewer_id"].astype("str"), "key": reviewers["unit"].map(unit_key)})
    revs = revs[revs["key"] != ""]
    parts = []
    for order, field in enumerate(("host_unit", "recommender")):
        noms = pd.DataFrame({"nomination_id": nominations["nomination_id"].astype("str"),
                             "key": nominations[field].map(unit_key)})
        hit = noms.merge(revs, on="key")[["nomination_id", "reviewer_id"]]
        parts.append(hit.assign(reason=labels.CONFLICT_REASONS[field], _order=order))
    if declared is not None and len(declared):
        _require(declared, ["nomination_id", "reviewer_id"], labels.CONFLICT_REASONS["declared"])
        said = declared["reason"] if "reason" in declared else pd.Series("", index=declared.index)
        reason = [_declared_reason(r) for r in said]
        parts.append(pd.DataFrame({"nomination_id": declared["nomination_id"].astype("str"),
                                   "reviewer_id": declared["reviewer_id"].astype("str"), "reason": reason, "_order": 2}))
    found = pd.concat(parts, ignore_index=True).sort_values(["nomination_id", "reviewer_id", "_order", "reason"])
    out = (found.drop_duplicates(["nomination_id", "reviewer_id", "reason"])
           .groupby(["nomination_id", "reviewer_id"], sort=True)["reason"].agg("；".join).reset_index())
    return out.astype("str")


# ============================================================================ assignment
def candidates(screened: pd.DataFrame) -> pd.DataFrame:
    """The nominations under review: eligible and within quota (all rows when not screened yet)."""
    keep = pd.Series(True, index=screened.index)
    if "eligibility" in screened:
        keep &= screened["eligibility"] == "eligible"
    if "quota_status" in screened:
        keep &= screened["quota_status"] == "in_quota"
    return screened[keep.fillna(False).astype(bool)]


def _panels(reviewers: pd.DataFrame, rnd: Round) -> dict[str, set[str]]:
    """reviewer_id -> the categories whose panel they sit on (all when the panel is blank)."""
    names = {}
    for code, cat in rnd.categories.items():
        for name in (code, cat.label, cat.short):
            names[normalise(name)] = code
    panels = {}
    for row in reviewers.itertuples(index=False):
        text = "" if "panel" not in reviewers or pd.isna(row.panel) else str(row.panel)
        parts = [p for p in re.split(r"[,，、;；/\s]+", text) if p]
        unknown = [p for p in parts if normalise(p) not in names]
        if unknown:
            raise AssignmentError(_message("unknown_panel", reviewer_id=row.reviewer_id, panel=unknown[0],
                                           known="、".join(c.short for c in rnd.categories.values())), "unknown_panel")
        panels[str(row.reviewer_id)] = {names[normalise(p)] for p in parts} or set(rnd.categories)
    return panels


def assign(
    screened: pd.DataFrame,
    reviewers: pd.DataFrame,
    rnd: Round,
    *,
    stages: list[str] | None = None,
    declared: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Assign `review.min_reviewers` reviewers to every candidate at every stage: nomination_id, reviewer_id, stage.

    Never a conflicted pair (see `conflicts`), never more than `review.max_per_reviewer`
    candidates per reviewer and stage. Greedy: the candidates with the fewest possible reviewers
    first, each taking the least-loaded reviewers (ties by reviewer_id), so the same input in any
    row order gives the same plan. Raises `AssignmentError` naming every candidate left short.
    """
    _require(screened, ["nomination_id", "category", "host_unit", "recommender"], labels.STORE_FRAMES["nominations"])
    _require(reviewers, ["reviewer_id", "unit"], labels.STORE_FRAMES["reviewers"])
    stages = list(rnd.stages) if stages is None else list(stages)
    unknown = [s for s in stages if s not in rnd.stages]
    if unknown:
        raise AssignmentError(_message("unknown_stage", stage=unknown[0], known="、".join(rnd.stages)), "unknown_stage")
    cands = candidates(screened).sort_values("nomination_id", kind="stable")
    repeated = sorted(cands.loc[cands["nomination_id"].duplicated(), "nomination_id"].astype(str).unique())
    if repeated:
        raise AssignmentError(_message("duplicate_nomination", ids="、".join(repeated)), "duplicate_nomination")
    revs = reviewers.assign(reviewer_id=reviewers["reviewer_id"].astype("str")).sort_values("reviewer_id")
    repeated = sorted(revs.loc[revs["reviewer_id"].duplicated(), "reviewer_id"].unique())
    if repeated:
        raise AssignmentError(_message("duplicate_reviewer", ids="、".join(repeated)), "duplicate_reviewer")
    reviewer_ids = list(revs["reviewer_id"])
    panels = _panels(revs, rnd)
    blocked = set(conflicts(cands, revs, declared)[["nomination_id", "reviewer_id"]].itertuples(index=False, name=None))
    need, cap = rnd.review.min_reviewers, rnd.review.max_per_reviewer

    rows, failures = [], []
    for stage in stages:
        load = dict.fromkeys(reviewer_ids, 0)
        possible = {
            c.nomination_id: [r for r in reviewer_ids if c.category in panels[r] and (c.nomination_id, r) not in blocked]
            for c in cands.itertuples(index=False)
        }
        order = sorted(cands.itertuples(index=False), key=lambda c: (len(possible[c.nomination_id]), c.nomination_id))
        for cand in order:
            pool = [r for r in possible[cand.nomination_id] if load[r] < cap]
            if len(pool) < need:
                failures.append(_shortfall(cand, stage, pool, possible, panels, blocked, reviewer_ids, need, rnd))
                continue
            for r in sorted(pool, key=lambda r: (load[r], r))[:need]:
                load[r] += 1
                rows.append((cand.nomination_id, r, stage))
    if failures:
        raise AssignmentError(_message("assignment_infeasible", details="\n".join(failures)))
    stage_order = {s: i for i, s in enumerate(rnd.stages)}
    rows.sort(key=lambda t: (t[0], stage_order[t[2]], t[1]))
    return pd.DataFrame(rows, columns=PLAN_COLUMNS).astype("str")


def _shortfall(cand, stage: str, pool: list[str], possible: dict, panels: dict, blocked: set,
               reviewer_ids: list[str], need: int, rnd: Round) -> str:
    """One line saying why a candidate could not get enough reviewers."""
    outside = sum(cand.category not in panels[r] for r in reviewer_ids)
    conflicted = sum((cand.nomination_id, r) in blocked for r in reviewer_ids if cand.category in panels[r])
    studio = getattr(cand, "studio", "") or ""
    return labels.REVIEW_MESSAGES["infeasible_detail"].format(
        nomination_id=cand.nomination_id, studio=studio, stage=rnd.stages[stage].label, need=need,
        available=len(pool), outside=outside, conflicted=conflicted,
        full=len(possible[cand.nomination_id]) - len(pool))


# ============================================================================ simulated scores
def simulate_scores(plan: pd.DataFrame, nominations: pd.DataFrame, rnd: Round, *, seed: int = 2022) -> pd.DataFrame:
    """Believable submitted scores for `plan`, in the long scores frame (plus a per-sheet comment).

    Each candidate has a latent quality with per-criterion strengths, each reviewer a leniency,
    each score some noise; points are fractions of the criterion's maximum rounded to the score
    step. In each category a few candidates sit close together around the cut line (the
    category's slots), so the meeting has a borderline to discuss. Same seed, same scores,
    whatever the row order of the inputs.
    """
    _require(plan, PLAN_COLUMNS, labels.STORE_FRAMES["assignments"])
    _require(nominations, ["nomination_id", "category"], labels.STORE_FRAMES["nominations"])
    rng = np.random.default_rng(seed)
    category = nominations.drop_duplicates("nomination_id").set_index("nomination_id")["category"]
    cand_ids = sorted(plan["nomination_id"].astype(str).unique())
    reviewer_ids = sorted(plan["reviewer_id"].astype(str).unique())
    stages = list(rnd.stages)
    unknown = sorted(set(cand_ids) - set(category.index))
    if unknown:
        raise WorkbenchError(_message("missing_nominations", ids="、".join(unknown[:20])), "missing_nominations")
    unknown = sorted(set(plan["stage"].astype(str)) - set(stages))
    if unknown:
        raise WorkbenchError(_message("unknown_stage", stage=unknown[0], known="、".join(stages)), "unknown_stage")

    quality = pd.Series(np.clip(rng.normal(0.80, 0.07, len(cand_ids)), 0.45, 0.98), index=cand_ids)
    quality = _crowd_the_cut(quality, category, rnd, rng)
    strength = rng.normal(0.0, 0.05, (len(cand_ids), len(rnd.rubric)))
    stage_shift = rng.normal(0.0, 0.02, (len(cand_ids), len(stages)))
    leniency = rng.normal(0.0, 0.03, len(reviewer_ids))

    cand_pos = {n: i for i, n in enumerate(cand_ids)}
    reviewer_pos = {r: i for i, r in enumerate(reviewer_ids)}
    scored = {(cat, stage): {c.code for c in rnd.criteria(cat, stage)} for cat in rnd.categories for stage in stages}
    rows = []
    for nid, rid, stage in sorted(set(plan[PLAN_COLUMNS].astype(str).itertuples(index=False, name=None)),
                                  key=lambda t: (t[0], stages.index(t[2]), t[1])):
        c, r, s = cand_pos[nid], reviewer_pos[rid], stages.index(stage)
        for k, crit in enumerate(rnd.rubric):
            if crit.code in scored[category[nid], stage]:
                rows.append((nid, rid, stage, crit.code, crit.max[category[nid]],
                             quality.iloc[c] + strength[c, k] + stage_shift[c, s] + leniency[r]))
    df = pd.DataFrame(rows, columns=["nomination_id", "reviewer_id", "stage", "criterion", "max", "level"])
    step = rnd.review.score_step
    fraction = np.clip(df["level"].to_numpy() + rng.normal(0.0, 0.04, len(df)), 0.0, 1.0)
    df["points"] = np.clip(np.round(fraction * df["max"].to_numpy() / step) * step, 0.0, df["max"].to_numpy())
    total = df.groupby(["nomination_id", "reviewer_id", "stage"])["points"].transform("sum")
    df["comment"] = np.select([total < rnd.review.comment_below, total > rnd.review.comment_above],
                              [labels.SIMULATED_COMMENTS["low"], labels.SIMULATED_COMMENTS["high"]], "")
    df["status"] = "submitted"
    df["updated_at"] = pd.Series(pd.NaT, index=df.index, dtype="datetime64[us]")
    columns = ["nomination_id", "reviewer_id", "stage", "criterion", "points", "status", "updated_at", "comment"]
    out = df[columns].astype({c: "str" for c in ("nomination_id", "reviewer_id", "stage", "criterion", "status", "comment")})
    return out.astype({"points": "float64"}).reset_index(drop=True)


def _crowd_the_cut(quality: pd.Series, category: pd.Series, rnd: Round, rng: np.random.Generator) -> pd.Series:
    """Pull the candidates ranked just around each category's cut line to nearly the same quality."""
    quality = quality.copy()
    for code, cat in rnd.categories.items():
        members = quality[category.reindex(quality.index) == code].sort_values(ascending=False, kind="stable")
        if len(members) <= cat.slots or cat.slots == 0:
            continue
        near = members.index[max(cat.slots - 2, 0): cat.slots + 2]
        centre = members.iloc[cat.slots - 1: cat.slots + 1].mean()
        quality[near] = centre + rng.normal(0.0, 0.004, len(near))
    return quality


__all__ = [
    "AssignmentError",
    "ReviewerFileError",
    "assign",
    "candidates",
    "conflict_reasons",
    "conflicts",
    "read_reviewers",
    "simulate_scores",
    "unit_key",
]
