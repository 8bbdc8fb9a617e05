"""The snapshot is the round state: `workbench.state` (kept so old imports keep working).

`Snapshot` is `RoundState`, and `take_snapshot` is a deprecated name of `load_state`.
"""

from __future__ import annotations

import warnings

from workbench.config import Round
from workbench.state import (
    DIAGNOSTIC_COLUMNS,
    FUNNEL_STEPS,
    RoundState,
    fingerprint,
    load_state,
    scrub,
    snapshot_id,
)
from workbench.store import Store

Snapshot = RoundState


def take_snapshot(rnd: Round, store: Store | None = None, *, diagnostics: bool = True) -> RoundState:
    """Deprecated: use `wb.load_state(rnd, store)`."""
    warnings.warn("take_snapshot is deprecated: use wb.load_state(rnd, store)", DeprecationWarning, stacklevel=2)
    return load_state(rnd, store, diagnostics=diagnostics)


__all__ = ["DIAGNOSTIC_COLUMNS", "FUNNEL_STEPS", "Snapshot", "fingerprint", "scrub", "snapshot_id", "take_snapshot"]
