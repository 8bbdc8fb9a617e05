"""The expert panel (专家评审): the draw from the pool, its verification, the assignment plan workbook.

As a union office runs it: for each category a panel is drawn at random from the expert pool
(reviewers.csv, with a field 专业领域 and optionally a panel 评审组 column) under supervision,
stratified by field, never drawing an expert conflicted with more than `panel.max_conflicts` of the
category's candidates, with a reserve list. The seed is recorded with the inputs and the result in
a hash-chained log in the store, so anyone can re-run every draw to the same result
(`verify_draws`).

`draw` is pure: the same inputs and seed give the same panel, on any machine (numpy's PCG64 with
a seed sequence of the seed and the category). `draw_round` builds the inputs from the pool and the
candidates; the store keeps the log (`Store.record_draw`).
"""

from __future__ import annotations

import json
import secrets
import zlib
from collections.abc import Iterable

import numpy as np
import pandas as pd

from workbench import labels
from workbench.config import Round
from workbench.errors import PanelError
from workbench.review import _panels, candidates as under_review, conflicts
from workbench.store.panel import GENESIS, chain_hash

NO_FIELD = "—"


def _message(code: str, **fields: object) -> str:
    return f"{labels.PANEL_MESSAGES[code].format(**fields)} [{code}]"


def new_seed() -> int:
    """A fresh seed for a draw (32 random bits), to be recorded and announced."""
    return secrets.randbits(32)


# ============================================================================ the draw (pure)
def _rng(seed: int, category: str) -> np.random.Generator:
    return np.random.default_rng([int(seed), zlib.crc32(category.encode("utf-8"))])


def _allocate(counts: dict[str, int], size: int, order: list[str]) -> dict[str, int]:
    """Seats per field in proportion to the field's share of the pool (largest remainder).

    Remainder seats go to the largest fractional parts; ties in the random `order` of fields.
    """
    total = sum(counts.values())
    quota = {f: size * n / total for f, n in counts.items()}
    seats = {f: int(q) for f, q in quota.items()}
    rank = sorted(counts, key=lambda f: (-(quota[f] - seats[f]), order.index(f)))
    for f in rank[: size - sum(seats.values())]:
        seats[f] += 1
    return seats


def draw(inputs: dict) -> dict:
    """One category's draw from its recorded `inputs`: members, reserves, excluded, seats per field.

    `inputs`: category, seed, size, reserves, max_conflicts, pool (list of {reviewer_id, field,
    conflicts}). Experts with more conflicts than `max_conflicts` are excluded; the `size` members
    are drawn per field in proportion to the fields of the eligible pool; the reserves are the
    next experts of one random order of the rest. Raises `PanelError` (panel_short) when fewer
    eligible experts than seats remain.
    """
    category, seed = inputs["category"], int(inputs["seed"])
    size, reserves, limit = int(inputs["size"]), int(inputs["reserves"]), int(inputs["max_conflicts"])
    pool = sorted(inputs["pool"], key=lambda p: p["reviewer_id"])
    eligible = [p for p in pool if int(p["conflicts"]) <= limit]
    excluded = [p["reviewer_id"] for p in pool if int(p["conflicts"]) > limit]
    if len(eligible) < size:
        raise PanelError(_message("panel_short", category=category, size=size, eligible=len(eligible),
                                  pool=len(pool), excluded=len(excluded)), "panel_short")
    rng = _rng(seed, category)
    by_field: dict[str, list[str]] = {}
    for p in eligible:
        by_field.setdefault(p.get("field") or NO_FIELD, []).append(p["reviewer_id"])
    fields = sorted(by_field)
    field_order = [fields[i] for i in rng.permutation(len(fields))]
    seats = _allocate({f: len(ids) for f, ids in by_field.items()}, size, field_order)
    members, rest = [], []
    for f in fields:
        shuffled = [by_field[f][i] for i in rng.permutation(len(by_field[f]))]
        members += shuffled[: seats[f]]
        rest += shuffled[seats[f]:]
    rest = sorted(rest)
    reserve_list = [rest[i] for i in rng.permutation(len(rest))][:reserves]
    return {"members": sorted(members), "reserves": reserve_list, "excluded": excluded,
            "seats": {f: seats[f] for f in fields}}


# ============================================================================ inputs from the round
def conflict_counts(cands: pd.DataFrame, pool: pd.DataFrame, declared: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per expert and category: how many of the category's candidates they are conflicted with."""
    pairs = conflicts(cands, pool, declared).merge(cands[["nomination_id", "category"]], on="nomination_id")
    counts = pairs.groupby(["reviewer_id", "category"]).size().rename("conflicts").reset_index()
    return counts.astype({"reviewer_id": "str", "category": "str", "conflicts": "int64"})


def draw_inputs(pool: pd.DataFrame, screened: pd.DataFrame, rnd: Round, category: str, seed: int, *,
                taken: Iterable[str] = (), declared: pd.DataFrame | None = None) -> dict:
    """The recorded inputs of one category's draw: the experts who may sit on its panel (their panel
    column allows it, not `taken` by another category's panel) with their conflict counts."""
    if category not in rnd.categories:
        raise PanelError(_message("unknown_category", category=category, known="、".join(rnd.categories)),
                         "unknown_category")
    if "field" not in pool.columns:
        pool = pool.assign(field="")
    panels = _panels(pool, rnd)
    cands = under_review(screened)
    cands = cands[cands["category"] == category]
    counts = conflict_counts(cands, pool, declared)
    counts = dict(zip(counts.loc[counts["category"] == category, "reviewer_id"],
                      counts.loc[counts["category"] == category, "conflicts"]))
    taken = set(taken)
    members = [{"reviewer_id": str(r.reviewer_id), "field": str(r.field or ""), "conflicts": int(counts.get(str(r.reviewer_id), 0))}
               for r in pool.itertuples(index=False)
               if category in panels[str(r.reviewer_id)] and str(r.reviewer_id) not in taken]
    cfg = rnd.panel
    return {"category": category, "seed": str(seed), "size": cfg.size[category], "reserves": cfg.reserves,
            "max_conflicts": cfg.max_conflicts, "candidates": int(len(cands)),
            "pool": sorted(members, key=lambda p: p["reviewer_id"])}


def draw_round(pool: pd.DataFrame, screened: pd.DataFrame, rnd: Round, seed: int, *,
               categories: Iterable[str] | None = None, current: pd.DataFrame | None = None,
               declared: pd.DataFrame | None = None) -> list[dict]:
    """Draw the panels of `categories` (all, in the config's order, by default): a list of bodies
    ({inputs, result}) to record. With `panel.exclusive` an expert already on another category's
    panel (`current`: the store's `panel()`, or drawn earlier in this call) is not in the pool."""
    wanted = list(rnd.categories) if categories is None else list(categories)
    taken: dict[str, set[str]] = {}
    if current is not None and len(current):
        for cat, part in current.groupby("category"):
            taken[str(cat)] = set(part["reviewer_id"])
    bodies = []
    for category in wanted:
        others = set().union(*(ids for cat, ids in taken.items() if cat != category)) if rnd.panel.exclusive else set()
        inputs = draw_inputs(pool, screened, rnd, category, seed, taken=others, declared=declared)
        result = draw(inputs)
        taken[category] = set(result["members"]) | set(result["reserves"])
        bodies.append({"inputs": inputs, "result": result})
    return bodies


# ============================================================================ verification
def _replay(state: dict[str, dict], body: dict) -> None:
    """Apply one log record to the panel state {category: {members, reserves, out, draw_id}}."""
    category = body["category"]
    if body.get("kind") == "replace":
        panel = state[category]
        panel["members"] = [body["in"] if r == body["out"] else r for r in panel["members"]]
        panel["out"].append(body["out"])
        return
    state[category] = {"members": list(body["result"]["members"]), "reserves": list(body["result"]["reserves"]),
                       "out": [], "draw_id": body.get("_id")}


def next_reserve(state: dict[str, dict], category: str, member: str) -> str:
    """The first reserve of `category` not yet called in: who replaces `member` (PanelError otherwise)."""
    panel = state.get(category)
    if panel is None or member not in panel["members"]:
        raise PanelError(_message("not_a_member", reviewer_id=member, category=category), "not_a_member")
    free = [r for r in panel["reserves"] if r not in panel["members"] and r not in panel["out"]]
    if not free:
        raise PanelError(_message("no_reserve", category=category), "no_reserve")
    return free[0]


def panel_state(log: pd.DataFrame) -> dict[str, dict]:
    """The panel the log describes: per category its members (after replacements), reserves, experts out."""
    state: dict[str, dict] = {}
    for d in log.itertuples(index=False):
        _replay(state, {**json.loads(d.body), "_id": int(d.id)})
    return state


def current_panel(log: pd.DataFrame) -> pd.DataFrame:
    """The panel as a frame: category, reviewer_id, role (member / reserve / out), order, draw_id."""
    rows = []
    for category, panel in panel_state(log).items():
        called = set(panel["members"]) | set(panel["out"])
        rows += [{"category": category, "reviewer_id": r, "role": "member", "order": k + 1, "draw_id": panel["draw_id"]}
                 for k, r in enumerate(panel["members"])]
        rows += [{"category": category, "reviewer_id": r, "role": "reserve", "order": k + 1, "draw_id": panel["draw_id"]}
                 for k, r in enumerate(x for x in panel["reserves"] if x not in called)]
        rows += [{"category": category, "reviewer_id": r, "role": "out", "order": k + 1, "draw_id": panel["draw_id"]}
                 for k, r in enumerate(panel["out"])]
    df = pd.DataFrame(rows, columns=["category", "reviewer_id", "role", "order", "draw_id"])
    return df.astype({"category": "str", "reviewer_id": "str", "role": "str", "order": "Int64", "draw_id": "Int64"})


def replacement(log: pd.DataFrame, member: str, reason: str, category: str | None = None) -> dict:
    """The log record that replaces a drawn `member` (declined, recused) by the next reserve of their panel."""
    state = panel_state(log)
    cats = [c for c, p in state.items() if member in p["members"]] if category is None else [category]
    if len(cats) != 1:
        raise PanelError(_message("not_a_member" if not cats else "member_of_several", reviewer_id=member,
                                  category=category or "、".join(cats)), "not_a_member" if not cats else "member_of_several")
    if not isinstance(reason, str) or not reason.strip():
        raise PanelError(_message("replace_reason"), "replace_reason")
    return {"kind": "replace", "category": cats[0], "out": member, "in": next_reserve(state, cats[0], member),
            "reason": reason.strip()}


def hand_over(assignments: pd.DataFrame, sheets: pd.DataFrame, conflicted: pd.DataFrame,
              out: str, new: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The assignment after `new` (a reserve called in) takes over what `out` has not scored yet.

    Returns (plan, uncovered): the whole plan (nomination_id, reviewer_id, stage) for
    `Store.save_assignments`, and the pairs `new` could not take because they are conflicted with
    it (these nominations need another reviewer). What `out` already scored stays theirs; everyone
    else's assignments are untouched, so a replacement never reshuffles the panel's work.
    """
    keys = ["nomination_id", "reviewer_id", "stage"]
    plan = assignments[keys].astype("str")
    scored = set(sheets[keys].astype("str").itertuples(index=False, name=None)) if len(sheets) else set()
    mine = plan["reviewer_id"] == out
    is_scored = pd.Series([tuple(r) in scored for r in plan[keys].itertuples(index=False, name=None)],
                          index=plan.index, dtype=bool)
    moving = plan[mine & ~is_scored]
    blocked = set(conflicted.loc[conflicted["reviewer_id"] == new, "nomination_id"].astype("str"))
    takes = moving[~moving["nomination_id"].isin(blocked)].assign(reviewer_id=new)
    uncovered = moving[moving["nomination_id"].isin(blocked)].reset_index(drop=True)
    kept = plan[~(mine & ~is_scored)]
    return pd.concat([kept, takes], ignore_index=True).drop_duplicates(), uncovered


def verify_draws(log: pd.DataFrame) -> pd.DataFrame:
    """Check the draw log: every link of the hash chain, every draw re-run from its recorded inputs and
    seed, every replacement the next free reserve. One row per record: id, category, seed, chain_ok,
    rerun_ok, problem ("" when fine)."""
    rows, prev, state = [], GENESIS, {}
    for d in log.itertuples(index=False):
        problems = []
        chain_ok = d.prev_hash == prev and chain_hash(d.prev_hash, d.body) == d.hash
        if d.prev_hash != prev:
            problems.append(labels.PANEL_MESSAGES["chain_broken"])
        elif chain_hash(d.prev_hash, d.body) != d.hash:
            problems.append(labels.PANEL_MESSAGES["hash_mismatch"])
        rerun_ok = False
        try:
            body = json.loads(d.body)
            if body.get("kind") == "replace":
                rerun_ok = body["category"] == d.category and next_reserve(state, d.category, body["out"]) == body["in"]
            else:
                inputs = body["inputs"]
                same_key = inputs["category"] == d.category and str(inputs["seed"]) == str(d.seed) == str(body["seed"])
                rerun_ok = same_key and draw(inputs) == body["result"]
            _replay(state, {**body, "_id": int(d.id)})
        except (ValueError, KeyError, TypeError, PanelError):
            pass
        if not rerun_ok:
            problems.append(labels.PANEL_MESSAGES["rerun_differs"])
        rows.append({"id": int(d.id), "category": d.category, "seed": d.seed, "chain_ok": chain_ok,
                     "rerun_ok": rerun_ok, "problem": "；".join(problems)})
        prev = d.hash
    return pd.DataFrame(rows, columns=["id", "category", "seed", "chain_ok", "rerun_ok", "problem"])


# ============================================================================ tables for people
def panel_table(panel: pd.DataFrame, pool: pd.DataFrame, rnd: Round) -> pd.DataFrame:
    """The current panel as staff read it: 类别, 身份 (成员 / 候补n), 评委编号, 姓名, 单位, 专业领域."""
    info = pool.set_index("reviewer_id")
    out = panel.assign(
        category=panel["category"].map(lambda c: rnd.categories[c].short if c in rnd.categories else c),
        role=[labels.PANEL_ROLES[r].format(n=o) for r, o in zip(panel["role"], panel["order"])],
        name=panel["reviewer_id"].map(info["name"] if "name" in info else {}).fillna(""),
        unit=panel["reviewer_id"].map(info["unit"] if "unit" in info else {}).fillna(""),
        field=panel["reviewer_id"].map(info["field"] if "field" in info else {}).fillna(""),
    )
    return out[["category", "role", "reviewer_id", "name", "unit", "field"]].rename(columns=labels.PANEL_COLUMNS)


def panel_reviewers(panel: pd.DataFrame, reviewers: pd.DataFrame) -> pd.DataFrame:
    """The drawn members as the reviewers frame `assign` takes: each with their category as panel."""
    members = panel[panel["role"] == "member"]
    panels = members.groupby("reviewer_id")["category"].agg("、".join)
    out = reviewers[reviewers["reviewer_id"].isin(panels.index)].copy()
    out["panel"] = out["reviewer_id"].map(panels)
    return out.reset_index(drop=True)


def plan_frames(plan: pd.DataFrame, nominations: pd.DataFrame, reviewers: pd.DataFrame,
                rnd: Round) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The assignment plan for the panel secretary, by reviewer and by candidate (display columns)."""
    noms = nominations.drop_duplicates("nomination_id").set_index("nomination_id")
    revs = reviewers.drop_duplicates("reviewer_id").set_index("reviewer_id")
    stage_order = {s: i for i, s in enumerate(rnd.stages)}
    df = plan.assign(
        stage_label=plan["stage"].map(lambda s: rnd.stages[s].label if s in rnd.stages else s),
        _stage=plan["stage"].map(stage_order),
        category=plan["nomination_id"].map(noms["category"]).map(
            lambda c: rnd.categories[c].short if c in rnd.categories else ""),
        studio=plan["nomination_id"].map(noms["studio"]).fillna(""),
        host_unit=plan["nomination_id"].map(noms["host_unit"]).fillna(""),
        recommender=plan["nomination_id"].map(noms["recommender"]).fillna(""),
        name=plan["reviewer_id"].map(revs["name"]).fillna(""),
        unit=plan["reviewer_id"].map(revs["unit"]).fillna(""),
    )
    by_reviewer = df.sort_values(["reviewer_id", "_stage", "category", "nomination_id"], kind="stable")
    by_reviewer = by_reviewer.assign(seq=by_reviewer.groupby(["reviewer_id", "stage"]).cumcount() + 1)
    by_reviewer = by_reviewer[["reviewer_id", "name", "unit", "stage_label", "seq", "nomination_id", "category", "studio",
                               "host_unit"]]
    grouped = (df.sort_values(["nomination_id", "_stage", "reviewer_id"], kind="stable")
               .groupby(["nomination_id", "_stage"], sort=True)
               .agg(stage_label=("stage_label", "first"), category=("category", "first"), studio=("studio", "first"),
                    recommender=("recommender", "first"), host_unit=("host_unit", "first"),
                    n=("reviewer_id", "size"),
                    reviewers=("name", lambda s: "、".join(s)))
               .reset_index())
    by_candidate = grouped.sort_values(["category", "nomination_id", "_stage"], kind="stable")
    by_candidate = by_candidate[["category", "nomination_id", "studio", "host_unit", "recommender", "stage_label", "n",
                                 "reviewers"]]
    return by_reviewer.reset_index(drop=True), by_candidate.reset_index(drop=True)


def plan_workbook(plan: pd.DataFrame, nominations: pd.DataFrame, reviewers: pd.DataFrame, rnd: Round):
    """The assignment plan as a formatted workbook: 按评委 and 按评审对象, A4, header repeated."""
    from workbench.export import frame_to_sheet, new_workbook

    by_reviewer, by_candidate = plan_frames(plan, nominations, reviewers, rnd)
    wb = new_workbook()
    title = f"{rnd.round.name}{labels.PLAN_WORKBOOK['title']}"
    def headers(df: pd.DataFrame) -> dict[str, str]:
        return {c: labels.PLAN_COLUMNS[c] for c in df.columns}

    frame_to_sheet(wb.create_sheet(labels.PLAN_WORKBOOK["by_reviewer"]), by_reviewer, headers(by_reviewer), title,
                   note=labels.PLAN_WORKBOOK["note"], centred=["seq", "stage_label"],
                   merge_runs=["reviewer_id", "name", "unit"])
    frame_to_sheet(wb.create_sheet(labels.PLAN_WORKBOOK["by_candidate"]), by_candidate, headers(by_candidate), title,
                   note=labels.PLAN_WORKBOOK["note"], centred=["category", "n", "stage_label"],
                   merge_runs=["category"], wide={"reviewers": 36})
    return wb


__all__ = ["conflict_counts", "current_panel", "draw", "draw_inputs", "draw_round", "new_seed", "next_reserve",
           "hand_over", "panel_reviewers", "panel_state", "panel_table", "plan_frames", "plan_workbook", "replacement",
           "verify_draws"]
