"""创新工作室评审工作台: the review and scoring workbench of the Wuxi Federation of Trade Unions.

The public API (SPEC §10): load a round, read the inbox, screen, store scores, rank, export.
"""

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

__all__ = [
    "add_named", "completeness", "write_next_round",
    "AccessCodeError", "Candidates", "Dossiers", "ScoringApp", "load_dossiers", "write_dossier", "StageClosedError", "by_candidate", "by_reviewer",
    "load_candidates", "progress_app", "scoring_app", "stage_summary",
    "CalendarError", "DiagnosticsError", "DisconnectedDesignWarning", "ExportError", "borderline", "connectivity",
    "diagnose", "export_all", "leave_one_reviewer_out", "notice_period", "public_list", "read_workday_overrides",
    "round_period",
    "rank_uncertainty", "reliability", "reviewer_flags", "reviewer_totals", "score_flags", "shadow_scores",
    "DEFAULT_ROUND", "AssignmentError", "IntakeResult", "NotAssignedError", "RULES", "ReviewerFileError",
    "Round", "RoundConfigError", "ScoreValidationError", "Snapshot", "StaleWriteError", "Store",
    "WorkbenchError", "assign", "build_demo", "candidates", "competition", "conflicts", "export_results",
    "funnel", "load_round", "make_sample", "olympic_mean", "open_store", "rank", "read_inbox",
    "read_reviewers", "round_from_env", "RoundState", "load_state", "sample_nominations", "screen", "screening_detail",
    "simulate_scores", "take_snapshot", "validate_sheet", "write_templates",
]
