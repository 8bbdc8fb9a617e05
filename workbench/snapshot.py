"""A named, frozen view of the round: what the meeting sees, and what its decisions refer to.

The snapshot id hashes the input files, the score ledger and the config, so two screens showing
the same id show the same numbers, and a decision records exactly what the meeting looked at.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

import pandas as pd

from workbench.config import Round
from workbench.intake import finish_nominations, read_inbox
from workbench.ranking import FUNNEL_STEPS, funnel, rank
from workbench.screening import screen
from workbench.store import Store, open_store


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

    @property
    def empty(self) -> bool:
        return self.screened.empty


def snapshot_id(rnd: Round, files: pd.DataFrame, ledger: str) -> str:
    """A short hash of the config, the input files and the score ledger."""
    h = hashlib.sha256()
    h.update(rnd.source_sha256.encode())
    for name, digest in sorted(zip(files.get("file", []), files.get("sha256", []))):
        h.update(f"{name}:{digest};".encode())
    h.update(ledger.encode())
    return h.hexdigest()[:12]


def take_snapshot(rnd: Round, store: Store | None = None) -> Snapshot:
    """Read the inbox and the store now, and rank: the data behind one screen of the meeting."""
    store = store or open_store(rnd)
    intake = read_inbox(rnd.inbox, rnd) if rnd.inbox.exists() else None
    nominations = intake.nominations if intake else finish_nominations([])
    screened = screen(nominations, rnd)
    scores = store.scores()
    ranked = rank(screened, scores, rnd)
    reviewers = sorted(scores["reviewer_id"].dropna().unique())
    return Snapshot(
        rnd=rnd,
        snapshot_id=snapshot_id(rnd, intake.files if intake else pd.DataFrame(), store.ledger_hash()),
        taken_at=dt.datetime.now().replace(microsecond=0),
        screened=screened,
        scores=scores,
        ranked=ranked,
        funnel=funnel(screened, ranked, rnd),
        reviewer_alias={rid: f"评委{i}" for i, rid in enumerate(reviewers, start=1)},
    )
