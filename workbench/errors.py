"""The workbench's own error types, in one module every other module can import.

Each carries a Chinese message that ends in "[code]" and the English `code` itself, so a person
reads what to do and a program (or a test) can tell the cases apart.
"""

from __future__ import annotations


class WorkbenchError(Exception):
    """Base of the workbench's own errors: a Chinese message ending in "[code]", and `code`."""

    code = "workbench_error"

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        if code is not None:
            self.code = code


class StaleWriteError(WorkbenchError):
    """The sheet changed since the form was loaded; nothing was written."""

    code = "stale_write"


class NotAssignedError(WorkbenchError):
    """The reviewer may not score or see this nomination (not assigned, unknown, or conflicted)."""

    code = "not_assigned"


class ScoreValidationError(WorkbenchError):
    """A score sheet breaks the rubric; `problems` lists each (criterion, code, message)."""

    code = "score_invalid"

    def __init__(self, problems: list[dict[str, str]]):
        self.problems = problems
        super().__init__("；".join(p["message"] for p in problems), problems[0]["code"])


class StageClosedError(WorkbenchError):
    """The analyst closed this stage: its score sheets can no longer change."""

    code = "stage_closed"


class AccessCodeError(WorkbenchError):
    """A login with a wrong, revoked or malformed access code (codes: code_wrong, code_revoked)."""

    code = "code_wrong"


class AssignmentError(WorkbenchError):
    """No valid assignment: the message names each candidate and why (code: assignment_infeasible)."""

    code = "assignment_infeasible"


class PledgeRequiredError(WorkbenchError):
    """The reviewer has not made the pledge (保密承诺 and 回避声明) yet: no candidate opens, no score is saved."""

    code = "pledge_required"


class PanelError(WorkbenchError):
    """The panel cannot be drawn, or a draw log does not verify; the message says which and why."""

    code = "panel_invalid"


class ReviewerFileError(WorkbenchError):
    """The reviewers file cannot be used as it is; the message says what to fix."""

    code = "reviewer_file_invalid"


__all__ = [
    "AccessCodeError",
    "AssignmentError",
    "NotAssignedError",
    "PanelError",
    "PledgeRequiredError",
    "ReviewerFileError",
    "ScoreValidationError",
    "StageClosedError",
    "StaleWriteError",
    "WorkbenchError",
]


class InboxMissingError(WorkbenchError):
    """The inbox folder does not exist: nothing to read (a wrong --workdir or path)."""

    code = "inbox_missing"


class DocumentError(WorkbenchError):
    """A document template the workbench cannot use (codes: template_field, template_unreadable)."""

    code = "template_invalid"


class DossierNotFound(WorkbenchError):
    """No nomination with that id (or studio name) in the round: no dossier to print."""

    code = "dossier_not_found"

    def __init__(self, message: str):
        super().__init__(f"{message} [{self.code}]")


class DossierPrintError(WorkbenchError):
    """The dossier could not be written as asked (an unknown file type, no PDF printer, printing failed)."""

    code = "dossier_print_failed"

    def __init__(self, message: str):
        super().__init__(f"{message} [{self.code}]")
