"""The meeting's decisions against its places: the tally per category, the 递补 offers after a
不通过 or 暂缓, the candidates not on the ranked list and what the meeting is asked to settle about
them, and the warnings the meeting must see before it decides.

Pure functions of a `Snapshot` (and the store's current decisions): DataFrames and small records in
and out, no widgets and no I/O, so the screen (`workbench.meeting`) and the terminal (`workbench
decide`) apply exactly the same checks. The ranking itself is `workbench.ranking.rank`'s output,
never recomputed here.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from workbench import labels
from workbench.config import Round
from workbench.errors import WorkbenchError
from workbench.screening import under_review
from workbench.state import RoundState as Snapshot

NOTE_MAX_CHARS = 500  # a decision's note: a sentence or two, not a document
REASON_MAX_CHARS = 500  # a ruling's reason, likewise
REPLACEMENT_OFFERS = 3  # how many candidates next in order a vacancy offers as 递补 (a display choice)
SETTLED = ("approve", "reject", "defer")
VACATING = ("reject", "defer")  # decisions that leave a place to fill
EXCLUDED_REASONS = ("review", "ineligible", "over_quota", "unscored")  # the order of the excluded view
# What the meeting may rule on a candidate not on the list, by why it is not: (verdict, values).
RULINGS: dict[str, tuple[str, tuple[str, ...]]] = {
    "review": ("eligibility", ("eligible", "ineligible")),
    "ineligible": ("eligibility", ("eligible",)),
    "over_quota": ("quota_status", ("in_quota",)),
}
DECISION_COLUMNS = ["nomination_id", "decision", "note", "snapshot_id", "actor", "at", "version", "replaces"]


class DecisionError(WorkbenchError, ValueError):
    """A decision or ruling the meeting's screen (or `workbench decide`) refuses to record; Chinese
    message, English `code`."""

    def __init__(self, code: str, **fields: object):
        super().__init__(f"{labels.DECISION_MESSAGES[code].format(**fields)} [{code}]", code)


def current_decisions(decisions: pd.DataFrame | None) -> pd.DataFrame:
    """The store's decisions with every column of DECISION_COLUMNS (older frames lack version/replaces)."""
    if decisions is None or decisions.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in DECISION_COLUMNS})
    out = decisions.copy()
    for col in DECISION_COLUMNS:
        if col not in out:
            out[col] = 1 if col == "version" else None
    return out[DECISION_COLUMNS].drop_duplicates("nomination_id", keep="last").reset_index(drop=True)


def decision_of(decisions: pd.DataFrame | None, nomination_id: str) -> dict | None:
    """The current decision of one candidate as a dict (with its version), or None."""
    found = current_decisions(decisions)
    found = found[found["nomination_id"] == nomination_id]
    return None if found.empty else found.iloc[0].to_dict()


# ---------------------------------------------------------------------------- the tally
def summary(ranked: pd.DataFrame, decisions: pd.DataFrame | None, rnd: Round) -> pd.DataFrame:
    """Per category, in config order: places, candidates, proposed, 通过 / 不通过 / 暂缓, 递补 approved,
    proposed candidates still undecided, and the places still open (places − 通过, never negative)."""
    dec = current_decisions(decisions).set_index("nomination_id")
    rows = []
    for code, cat in rnd.categories.items():
        part = ranked[ranked["category"] == code]
        decided = dec.reindex(part["nomination_id"])["decision"]
        proposed = part["proposed"].fillna(False).astype(bool).to_numpy()
        counts = {d: int((decided == d).sum()) for d in SETTLED}
        replaced = dec.reindex(part["nomination_id"])["replaces"]
        rows.append({"category": code, "label": cat.short, "slots": cat.slots, "candidates": len(part),
                     "proposed": int(proposed.sum()), **counts,
                     "replacements": int((replaced.notna() & (decided == "approve")).sum()),
                     "undecided": int((decided[proposed].isna()).sum()),
                     "open": max(cat.slots - counts["approve"], 0)})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------- 递补
def vacancies(rows: pd.DataFrame, decisions: pd.DataFrame | None) -> int:
    """Places a category's 不通过 / 暂缓 left among its proposed candidates, less those already filled
    by approving someone not proposed (a 递补)."""
    dec = current_decisions(decisions).set_index("nomination_id")["decision"]
    decided = rows["nomination_id"].map(dec)
    proposed = rows["proposed"].fillna(False).astype(bool)
    left = int((proposed & decided.isin(VACATING)).sum())
    filled = int((~proposed & (decided == "approve")).sum())
    return max(left - filled, 0)


def replacement_offers(rows: pd.DataFrame, decisions: pd.DataFrame | None,
                       limit: int = REPLACEMENT_OFFERS) -> pd.DataFrame:
    """The candidates offered as 递补 in one category: while a place is vacant, the next scored,
    undecided candidates below the cut in ranked order (at most `limit`), with their band. Empty
    when nothing is vacant. `rows` are one category's ranked rows, in order (band optional)."""
    if rows.empty or vacancies(rows, decisions) == 0:
        return rows.iloc[0:0]
    dec = current_decisions(decisions).set_index("nomination_id")["decision"]
    undecided = rows["nomination_id"].map(dec).isna()
    below = ~rows["proposed"].fillna(False).astype(bool) & rows["composite"].notna()
    return rows[below & undecided].head(limit)


def vacated(rows: pd.DataFrame, decisions: pd.DataFrame | None) -> list[str]:
    """The proposed candidates of one category the meeting rejected or deferred, in ranked order."""
    dec = current_decisions(decisions).set_index("nomination_id")["decision"]
    mask = rows["proposed"].fillna(False).astype(bool) & rows["nomination_id"].map(dec).isin(VACATING)
    return rows.loc[mask, "nomination_id"].tolist()


# ---------------------------------------------------------------------------- checks (screen and terminal alike)
def check_decision(snapshot: Snapshot | None, nomination_id: object, decision: object, note: object) -> tuple[str, str, str]:
    """Validate a decision in Python, whatever the widget allowed: the nomination must be a
    candidate of the snapshot on screen, the decision one of 通过 / 不通过 / 暂缓, the note text of at
    most NOTE_MAX_CHARS characters. Returns (nomination_id, decision, note); raises DecisionError."""
    if snapshot is None or snapshot.empty:
        raise DecisionError("no_snapshot")
    if not isinstance(nomination_id, str) or nomination_id not in set(snapshot.ranked["nomination_id"]):
        raise DecisionError("not_a_candidate", nomination_id=str(nomination_id)[:40])
    if not isinstance(decision, str) or decision not in labels.DECISION:
        raise DecisionError("bad_decision", value=str(decision)[:40])
    return nomination_id, decision, _text_field(note, NOTE_MAX_CHARS, "bad_note", "note_too_long")


def check_version(version: object) -> int | None:
    """A decision's version as the screen or the terminal sent it: None or a whole number ≥ 1."""
    if version is None:
        return None
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise DecisionError("bad_version", value=str(version)[:20])
    return version


def check_replacement(snapshot: Snapshot, decisions: pd.DataFrame | None, nomination_id: str,
                      replaces: object) -> str:
    """A 递补 must name a proposed candidate of the same category the meeting rejected or deferred,
    and the candidate chosen must be one the screen offers for it. Returns `replaces`."""
    ranked = snapshot.ranked
    if not isinstance(replaces, str) or replaces not in set(ranked["nomination_id"]):
        raise DecisionError("not_a_candidate", nomination_id=str(replaces)[:40])
    category = ranked.loc[ranked["nomination_id"] == replaces, "category"].iloc[0]
    rows = ranked[ranked["category"] == category].reset_index(drop=True)
    if replaces not in vacated(rows, decisions):
        raise DecisionError("nothing_to_replace", nomination_id=replaces)
    if nomination_id not in set(replacement_offers(rows, decisions)["nomination_id"]):
        raise DecisionError("not_offered", nomination_id=str(nomination_id)[:40])
    return replaces


def _text_field(value: object, limit: int, bad: str, too_long: str) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise DecisionError(bad)
    value = value.strip()
    if len(value) > limit:
        raise DecisionError(too_long, n=len(value), max=limit)
    return value


# ---------------------------------------------------------------------------- the excluded
def excluded(snapshot: Snapshot) -> pd.DataFrame:
    """Everyone not on the ranked list (or on it without a score), one row each: nomination_id,
    category, studio, recommender, reason (EXCLUDED_REASONS), detail (the failing rules or the quota
    reason), verdict and values the meeting may rule (empty when there is nothing to rule), direct
    (特别优秀直接推荐), and any override already recorded. Ordered by reason, category, recommender."""
    screened = snapshot.screened
    cols = ["nomination_id", "category", "studio", "recommender", "reason", "detail", "verdict", "values",
            "direct", "overridden"]
    if screened.empty:
        return pd.DataFrame(columns=cols)
    ranked = snapshot.ranked
    unscored = set(ranked.loc[ranked["composite"].isna(), "nomination_id"]) if not ranked.empty else set()
    reviewed = under_review(screened)
    reason = pd.Series(pd.NA, index=screened.index, dtype="object")
    reason[screened["eligibility"] == "review"] = "review"
    reason[screened["eligibility"] == "ineligible"] = "ineligible"
    reason[(screened["eligibility"] == "eligible") & ~reviewed] = "over_quota"
    reason[reviewed & screened["nomination_id"].isin(unscored)] = "unscored"
    out = screened[reason.notna()].assign(reason=reason[reason.notna()])
    overridden = set(snapshot.overrides["nomination_id"]) if snapshot.overrides is not None and not snapshot.overrides.empty else set()
    out = out.assign(
        detail=[_detail(r, why) for (_, r), why in zip(out.iterrows(), out["reason"])],
        verdict=out["reason"].map(lambda r: RULINGS.get(r, ("", ()))[0]),
        values=out["reason"].map(lambda r: RULINGS.get(r, ("", ()))[1]),
        direct=out["direct"].astype("boolean").fillna(False).astype(bool) if "direct" in out else False,
        overridden=out["nomination_id"].isin(overridden),
    )
    order = {r: i for i, r in enumerate(EXCLUDED_REASONS)}
    cats = {c: i for i, c in enumerate(snapshot.rnd.categories)}
    out = out.assign(_r=out["reason"].map(order), _c=out["category"].map(cats).fillna(len(cats)))
    return out.sort_values(["_r", "_c", "recommender", "nomination_id"], kind="stable")[cols].reset_index(drop=True)


def _detail(row: pd.Series, reason: str) -> str:
    """Why a candidate is not on the list, in a line: the rules that did not pass (with their
    reasons), the quota reason, or the missing scores."""
    if reason == "over_quota":
        return _clean(row.get("quota_reason")) or labels.QUOTA_STATUS["over_quota"]
    if reason == "unscored":
        return labels.RANK_FLAGS["no_scores"]
    bits = []
    for col in row.index:
        if col.startswith("rule_") and isinstance(row[col], str) and row[col] != "pass":
            code = col[len("rule_"):]
            why = _clean(row.get(f"why_{code}"))
            bits.append(labels.RULE_HEADERS.get(code, code) + (f"（{why}）" if why else ""))
    return "；".join(bits)


def _clean(value: object) -> str:
    return "" if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value)) else str(value).strip()


@dataclass(frozen=True)
class Ruling:
    """A ruling of the meeting on a candidate not on the list, checked: an override with its reason."""

    nomination_id: str
    verdict: str
    value: str
    reason: str


def check_ruling(snapshot: Snapshot | None, nomination_id: object, value: object, reason: object) -> Ruling:
    """A ruling must be about a candidate of the excluded view that has something to rule, give one
    of the values offered for it, and a reason. Raises DecisionError."""
    if snapshot is None or snapshot.empty:
        raise DecisionError("no_snapshot")
    rows = excluded(snapshot)
    match = rows[rows["nomination_id"] == nomination_id] if isinstance(nomination_id, str) else rows.iloc[0:0]
    if match.empty or not match.iloc[0]["verdict"]:
        raise DecisionError("not_excluded", nomination_id=str(nomination_id)[:40])
    row = match.iloc[0]
    if not isinstance(value, str) or value not in row["values"]:
        raise DecisionError("bad_ruling", value=str(value)[:40])
    reason = _text_field(reason, REASON_MAX_CHARS, "bad_reason", "reason_too_long")
    if not reason:
        raise DecisionError("reason_required")
    return Ruling(nomination_id, row["verdict"], value, labels.MEETING["ruling_prefix"] + reason)


# ---------------------------------------------------------------------------- warnings
@dataclass(frozen=True)
class MeetingWarning:
    """One thing the meeting must see before deciding: its category ("" for the round), code, text."""

    category: str
    code: str
    text: str


def warnings_for(snapshot: Snapshot, decisions: pd.DataFrame | None) -> list[MeetingWarning]:
    """Per category: no 差额 (candidates ≤ places), a tie across the cut, candidates with too few
    scores, more 通过 than places; for the round: decisions recorded on another snapshot than the
    one on screen."""
    w = labels.MEETING_WARNINGS
    rnd, ranked = snapshot.rnd, snapshot.ranked
    out: list[MeetingWarning] = []
    tally = summary(ranked, decisions, rnd).set_index("category")
    for code, cat in rnd.categories.items():
        part = ranked[ranked["category"] == code]
        if part.empty:
            continue
        if len(part) <= cat.slots:
            out.append(MeetingWarning(code, "no_margin", w["no_margin"].format(category=cat.short, candidates=len(part),
                                                                       slots=cat.slots)))
        tied = _flagged(part, "tie_at_cut")
        if tied:
            out.append(MeetingWarning(code, "tie_at_cut", w["tie_at_cut"].format(category=cat.short, studios="、".join(tied))))
        few = _flagged(part, "too_few_scores") + _flagged(part, "few_scores")
        if few:
            out.append(MeetingWarning(code, "few_scores", w["few_scores"].format(category=cat.short, n=len(few),
                                                                         min=rnd.ranking.trim_min)))
        approved = int(tally.loc[code, "approve"])
        if approved > cat.slots:
            out.append(MeetingWarning(code, "over_places", w["over_places"].format(category=cat.short, n=approved,
                                                                               slots=cat.slots)))
        missing = _flagged(part, "no_scores")
        if missing:
            out.append(MeetingWarning(code, "no_scores", w["no_scores"].format(category=cat.short, n=len(missing))))
    dec = current_decisions(decisions)
    older = dec[dec["snapshot_id"].notna() & (dec["snapshot_id"] != snapshot.snapshot_id)]
    if not older.empty:
        out.append(MeetingWarning("", "older_snapshot", w["older_snapshot"].format(
            n=len(older), snapshots="、".join(sorted({str(s)[:12] for s in older["snapshot_id"]})),
            current=snapshot.snapshot_id[:12])))
    return out


def _flagged(part: pd.DataFrame, flag: str) -> list[str]:
    """The studios of `part` whose ranking flags (rank()'s flag_codes) include `flag`."""
    if "flag_codes" not in part:
        return []
    return part.loc[part["flag_codes"].map(lambda c: isinstance(c, (list, tuple)) and flag in c), "studio"].tolist()


__all__ = ["DecisionError", "MeetingWarning", "Ruling", "check_decision", "check_replacement", "check_ruling",
           "check_version", "current_decisions", "decision_of", "excluded", "replacement_offers", "summary",
           "vacancies", "vacated", "warnings_for"]
