"""创新工作室评审工作台: the review and scoring workbench of the Wuxi Federation of Trade Unions.

The public API (SPEC §10): load a round, read the inbox, screen, store scores, rank, export.

Names are imported on first use (PEP 562 module `__getattr__`), so `import workbench` and
`workbench --help` start without pandas, scipy or SQLAlchemy. To export a new name, add one line
to `_EXPORTS`: public name -> the module that defines it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS: dict[str, str] = {
    # config
    "DEFAULT_ROUND": "workbench.locations", "Round": "workbench.config", "RoundConfigError": "workbench.config",
    "load_round": "workbench.config", "round_from_env": "workbench.config",
    # errors and the store
    "AccessCodeError": "workbench.store", "NotAssignedError": "workbench.store",
    "ScoreValidationError": "workbench.store", "StageClosedError": "workbench.store",
    "StaleWriteError": "workbench.store", "Store": "workbench.store", "WorkbenchError": "workbench.store",
    "open_store": "workbench.store", "validate_sheet": "workbench.store",
    # intake, screening, reviewers
    "IntakeResult": "workbench.intake", "read_inbox": "workbench.intake",
    "RULES": "workbench.screening", "screen": "workbench.screening", "screening_detail": "workbench.screening",
    "AssignmentError": "workbench.review", "ReviewerFileError": "workbench.review", "assign": "workbench.review",
    "candidates": "workbench.review", "conflicts": "workbench.review", "read_reviewers": "workbench.review",
    "simulate_scores": "workbench.review",
    # ranking and diagnostics
    "competition": "workbench.ranking", "funnel": "workbench.ranking", "olympic_mean": "workbench.ranking",
    "rank": "workbench.ranking",
    "DiagnosticsError": "workbench.diagnostics", "DisconnectedDesignWarning": "workbench.diagnostics",
    "borderline": "workbench.diagnostics", "connectivity": "workbench.diagnostics",
    "diagnose": "workbench.diagnostics", "leave_one_reviewer_out": "workbench.diagnostics",
    "rank_uncertainty": "workbench.diagnostics", "reliability": "workbench.diagnostics",
    "reviewer_flags": "workbench.diagnostics", "reviewer_totals": "workbench.diagnostics",
    "score_flags": "workbench.diagnostics", "shadow_scores": "workbench.diagnostics",
    # outputs, apps, samples
    "ExportError": "workbench.export", "export_all": "workbench.export", "export_results": "workbench.export",
    "public_list": "workbench.export", "completeness": "workbench.export",
    "write_next_round": "workbench.next_round", "add_named": "workbench.registry",
    "CalendarError": "workbench.notice", "notice_period": "workbench.notice",
    "read_workday_overrides": "workbench.notice", "round_period": "workbench.notice",
    "Snapshot": "workbench.snapshot", "take_snapshot": "workbench.snapshot",
    "RoundState": "workbench.state", "load_state": "workbench.state",
    "build_demo": "workbench.demo", "make_sample": "workbench.sample", "sample_nominations": "workbench.sample",
    "write_templates": "workbench.templates",
    "Dossiers": "workbench.dossier", "load_dossiers": "workbench.dossier", "write_dossier": "workbench.dossier",
    "by_candidate": "workbench.progress", "by_reviewer": "workbench.progress", "progress_app": "workbench.progress",
    "stage_summary": "workbench.progress",
    "Candidates": "workbench.scoring", "ScoringApp": "workbench.scoring", "load_candidates": "workbench.scoring",
    "scoring_app": "workbench.scoring",
}

__all__ = sorted(_EXPORTS)  # noqa: PLE0605 (built from the one table)


def __getattr__(name: str) -> Any:
    """Import the defining module on first use and cache the name in this module."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'workbench' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


if TYPE_CHECKING:  # static checkers and IDEs see the eager imports
    from workbench.config import DEFAULT_ROUND, Round, RoundConfigError, load_round, round_from_env  # noqa: F401
    from workbench.diagnostics import (  # noqa: F401
        DiagnosticsError, DisconnectedDesignWarning, borderline, connectivity, diagnose, leave_one_reviewer_out,
        rank_uncertainty, reliability, reviewer_flags, reviewer_totals, score_flags, shadow_scores)
    from workbench.ranking import competition, funnel, olympic_mean, rank  # noqa: F401
    from workbench.store import Store, open_store  # noqa: F401
