"""创新工作室评审工作台: the review and scoring workbench of the Wuxi Federation of Trade Unions.

The public API (SPEC §10): load a round, read the inbox, screen, store scores, rank, export.

Every name is imported from its module on first use (PEP 562), so `import workbench` is cheap:
a reviewer's page kernel imports only what the scoring app needs, not plotly, scipy or the
exporters (a served page starts one kernel per viewer).
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING, Any

# module -> the public names it provides
_EXPORTS: dict[str, tuple[str, ...]] = {
    "workbench.config": ("DEFAULT_ROUND", "Round", "RoundConfigError", "load_round", "round_from_env"),
    "workbench.demo": ("build_demo",),
    "workbench.diagnostics": ("DiagnosticsError", "DisconnectedDesignWarning", "borderline", "connectivity", "diagnose", "leave_one_reviewer_out", "rank_uncertainty", "reliability", "reviewer_flags", "reviewer_totals", "score_flags", "shadow_scores"),
    "workbench.export": ("ExportError", "completeness", "export_all", "export_results", "public_list"),
    "workbench.next_round": ("write_next_round",),
    "workbench.registry": ("add_named",),
    "workbench.notice": ("CalendarError", "notice_period", "read_workday_overrides", "round_period"),
    "workbench.intake": ("IntakeResult", "read_inbox"),
    "workbench.ranking": ("competition", "funnel", "olympic_mean", "rank"),
    "workbench.review": ("AssignmentError", "ReviewerFileError", "assign", "candidates", "conflicts", "read_reviewers", "simulate_scores"),
    "workbench.sample": ("make_sample", "sample_nominations"),
    "workbench.screening": ("RULES", "screen", "screening_detail"),
    "workbench.snapshot": ("Snapshot", "take_snapshot"),
    "workbench.state": ("RoundState", "load_state"),
    "workbench.templates": ("write_templates",),
    "workbench.dossier": ("Dossiers", "load_dossiers", "write_dossier"),
    "workbench.progress": ("by_candidate", "by_reviewer", "progress_app", "stage_summary"),
    "workbench.scoring": ("Candidates", "ScoringApp", "load_candidates", "scoring_app"),
    "workbench.store": ("AccessCodeError", "NotAssignedError", "ScoreValidationError", "StageClosedError", "StaleWriteError", "Store", "WorkbenchError", "open_store", "validate_sheet"),
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = sorted(_MODULE_OF)


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:  # a submodule (wb.labels, wb.store, ...) as the eager package offered it
        if not name.startswith("_") and importlib.util.find_spec(f"workbench.{name}") is not None:
            return importlib.import_module(f"workbench.{name}")
        raise AttributeError(f"module 'workbench' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # once imported, a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # what type checkers and IDEs see
    from workbench.config import DEFAULT_ROUND, Round, RoundConfigError, load_round, round_from_env
    from workbench.demo import build_demo
    from workbench.diagnostics import (
        DiagnosticsError,
        DisconnectedDesignWarning,
        borderline,
        connectivity,
        diagnose,
        leave_one_reviewer_out,
        rank_uncertainty,
        reliability,
        reviewer_flags,
        reviewer_totals,
        score_flags,
        shadow_scores,
    )
    from workbench.export import ExportError, completeness, export_all, export_results, public_list
    from workbench.next_round import write_next_round
    from workbench.registry import add_named
    from workbench.notice import CalendarError, notice_period, read_workday_overrides, round_period
    from workbench.intake import IntakeResult, read_inbox
    from workbench.ranking import competition, funnel, olympic_mean, rank
    from workbench.review import (
        AssignmentError,
        ReviewerFileError,
        assign,
        candidates,
        conflicts,
        read_reviewers,
        simulate_scores,
    )
    from workbench.sample import make_sample, sample_nominations
    from workbench.screening import RULES, screen, screening_detail
    from workbench.snapshot import Snapshot, take_snapshot
    from workbench.state import RoundState, load_state
    from workbench.templates import write_templates
    from workbench.dossier import Dossiers, load_dossiers, write_dossier
    from workbench.progress import by_candidate, by_reviewer, progress_app, stage_summary
    from workbench.scoring import Candidates, ScoringApp, load_candidates, scoring_app
    from workbench.store import (
        AccessCodeError,
        NotAssignedError,
        ScoreValidationError,
        StageClosedError,
        StaleWriteError,
        Store,
        WorkbenchError,
        open_store,
        validate_sheet,
    )
