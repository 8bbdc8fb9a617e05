"""The demo round: the sample inbox, screened, assigned, filled with simulated scores, stored.

This is the whole process run once on fictional data, so the meeting dashboard has something to
show and a new user sees every stage work.
"""

from __future__ import annotations

from pathlib import Path

from workbench.config import Round
from workbench.review import assign, read_reviewers, simulate_scores
from workbench.sample import make_sample
from workbench.state import load_state
from workbench.store import Store, open_store


DEMO_ACTOR = "示例（模拟）"


def build_demo(rnd: Round, *, seed: int = 2022, unions: int = 35, url: str | None = None) -> Store:
    """Make the sample round if it is missing, then fill its store with simulated scores once."""
    workdir: Path = rnd.workdir
    if not rnd.inbox.exists():
        make_sample(workdir, seed=seed, unions=unions, rnd=rnd)
    store = open_store(rnd, url)
    screened = load_state(rnd, store, diagnostics=False).screened
    store.save_nominations(screened)
    reviewers = read_reviewers(workdir / "reviewers.csv")
    store.add_reviewers(reviewers)
    if store.scores().empty:
        plan = assign(screened, reviewers, rnd)
        store.save_assignments(plan)
        for reviewer_id in sorted(plan["reviewer_id"].unique()):  # no pledge, no scoring: signed on paper
            store.record_pledge(reviewer_id, method="paper", actor=DEMO_ACTOR, signed_on=rnd.reference_date)
        store.save_scores_frame(simulate_scores(plan, screened, rnd, seed=seed), rnd)
    return store
