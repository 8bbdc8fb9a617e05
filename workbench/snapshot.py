"""A named, frozen view of the round: what the meeting sees, and what its decisions refer to.

The snapshot id hashes the input files, the score ledger and the config, so two screens showing
the same id show the same numbers, and a decision records exactly what the meeting looked at.
`fingerprint` is the cheap test of "has anything changed since": file sizes and times, the head of
the append-only ledger and the config, without reading a workbook (a preheated kernel asks it when
a viewer arrives, and only re-reads everything when it differs).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import warnings
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import func, select

from workbench import labels
from workbench.config import Round
from workbench.diagnostics import diagnose
from workbench.dossier import scrub  # noqa: F401 - scrub stays importable from here
from workbench.intake import finish_nominations, read_inbox
from workbench.ranking import FUNNEL_STEPS, funnel, rank
from workbench.screening import screen
from workbench.store import Store, events_table, open_store

log = logging.getLogger(__name__)

# Columns of `Snapshot.diagnostics`: one row per ranked candidate (workbench.diagnostics.borderline).
DIAGNOSTIC_COLUMNS = ["nomination_id", "rank_low", "rank_high", "p_top", "band", "reasons"]
@dataclass(frozen=True)
class Snapshot:
    """Everything one screen of the meeting shows, computed once from the store and the inbox."""

    rnd: Round
    snapshot_id: str
    taken_at: dt.datetime
    screened: pd.DataFrame
    scores: pd.DataFrame
    ranked: pd.DataFrame
    funnel: pd.DataFrame  # category, step (FUNNEL_STEPS), label, count
    reviewer_alias: dict[str, str] = field(default_factory=dict)  # reviewer_id -> 评委1…n
    sheets: pd.DataFrame = field(default_factory=pd.DataFrame)  # store.sheets(): totals and comments
    decisions: pd.DataFrame = field(default_factory=pd.DataFrame)  # store.decisions() when taken
    overrides: pd.DataFrame = field(default_factory=pd.DataFrame)  # store.overrides()
    diagnostics: pd.DataFrame = field(default_factory=pd.DataFrame)  # DIAGNOSTIC_COLUMNS
    fingerprint: str = ""
    members: pd.DataFrame = field(default_factory=pd.DataFrame)  # intake's 团队成员 (the dossier)
    achievements: pd.DataFrame = field(default_factory=pd.DataFrame)  # intake's 创新成果 (the dossier)

    @property
    def empty(self) -> bool:
        return self.screened.empty


def _scrub_comments(sheets: pd.DataFrame, reviewers: pd.DataFrame, alias: dict[str, str]) -> pd.DataFrame:
    """The sheets with reviewers' names in comments replaced by their alias (and phone numbers masked)."""
    if sheets.empty or "comment" not in sheets:
        return sheets
    names = {}
    if not reviewers.empty and {"reviewer_id", "name"} <= set(reviewers.columns):
        names = {str(n).strip(): alias[r] for r, n in zip(reviewers["reviewer_id"], reviewers["name"])
                 if r in alias and isinstance(n, str) and n.strip()}
    names |= alias
    return sheets.assign(comment=[scrub(c, names) if isinstance(c, str) and c else c for c in sheets["comment"]])


def snapshot_id(rnd: Round, files: pd.DataFrame, ledger: str) -> str:
    """A short hash of the config, the input files and the score ledger."""
    h = hashlib.sha256()
    h.update(rnd.source_sha256.encode())
    for name, digest in sorted(zip(files.get("file", []), files.get("sha256", []))):
        h.update(f"{name}:{digest};".encode())
    h.update(ledger.encode())
    return h.hexdigest()[:12]


def fingerprint(rnd: Round, store: Store) -> str:
    """A cheap hash of what a snapshot depends on: the config, every inbox file's name, size and
    modification time, and the ledger's length and last event (the ledger is append-only)."""
    h = hashlib.sha256(rnd.source_sha256.encode())
    if rnd.inbox.exists():
        for p in sorted(rnd.inbox.rglob("*")):
            if p.is_file():
                st = p.stat()
                h.update(f"{p.relative_to(rnd.inbox).as_posix()}:{st.st_size}:{st.st_mtime_ns};".encode())
    with store.engine.connect() as conn:
        count, last = conn.execute(select(func.count(), func.max(events_table.c.id))).one()
    h.update(f"ledger:{count}:{last}".encode())
    return h.hexdigest()[:16]


def candidate_diagnostics(scores: pd.DataFrame, ranked: pd.DataFrame, rnd: Round) -> pd.DataFrame:
    """Rank interval, P(in top N) and the borderline band per ranked candidate (DIAGNOSTIC_COLUMNS).

    Informational: never changes the list. Empty when nothing is scored; a failure of the
    diagnostics is logged and gives an empty frame, so the meeting still sees the official list.
    """
    empty = pd.DataFrame({c: pd.Series(dtype="object") for c in DIAGNOSTIC_COLUMNS})
    if ranked.empty or scores.empty or not ranked["composite"].notna().any():
        return empty
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. a disconnected design: not for the projector
            band = diagnose(scores, ranked, rnd)
    except Exception:  # noqa: BLE001 - diagnostics are optional on the meeting screen
        log.exception("snapshot: the ranking diagnostics failed")
        return empty
    return band.rename(columns={"candidate": "nomination_id"})[DIAGNOSTIC_COLUMNS].reset_index(drop=True)


def take_snapshot(rnd: Round, store: Store | None = None, *, diagnostics: bool = True) -> Snapshot:
    """Read the inbox and the store now, and rank: the data behind one screen of the meeting."""
    store = store or open_store(rnd)
    stamp = fingerprint(rnd, store)
    intake = read_inbox(rnd.inbox, rnd) if rnd.inbox.exists() else None
    nominations = intake.nominations if intake else finish_nominations([])
    overrides = store.overrides()
    screened = screen(nominations, rnd, overrides=overrides)
    scores = store.scores()
    ranked = rank(screened, scores, rnd)
    reviewers = sorted(scores["reviewer_id"].dropna().unique())
    alias = {rid: labels.MEETING["reviewer_alias"].format(n=i) for i, rid in enumerate(reviewers, start=1)}
    return Snapshot(
        rnd=rnd,
        snapshot_id=snapshot_id(rnd, intake.files if intake else pd.DataFrame(), store.ledger_hash()),
        taken_at=dt.datetime.now().replace(microsecond=0),
        screened=screened,
        scores=scores,
        ranked=ranked,
        funnel=funnel(screened, ranked, rnd),
        reviewer_alias=alias,
        sheets=_scrub_comments(store.sheets(), store.reviewers(), alias),
        decisions=store.decisions(),
        overrides=overrides,
        diagnostics=candidate_diagnostics(scores, ranked, rnd) if diagnostics else pd.DataFrame(columns=DIAGNOSTIC_COLUMNS),
        fingerprint=stamp,
        members=intake.members if intake else pd.DataFrame(),
        achievements=intake.achievements if intake else pd.DataFrame(),
    )


__all__ = ["FUNNEL_STEPS", "Snapshot", "candidate_diagnostics", "fingerprint", "scrub", "snapshot_id", "take_snapshot"]
