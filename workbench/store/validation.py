"""Checking one score sheet against the round's rubric (pure), and the store's message helpers."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any

from workbench import labels
from workbench.config import Round

# The error types live in workbench.errors; they are imported above and re-exported from here.


def _message(code: str, **fields: Any) -> str:
    return f"{labels.STORE_MESSAGES[code].format(**fields)} [{code}]"


def _listing(items: list[str], limit: int = 20) -> str:
    """Items joined for a message, cut after `limit` with a count of the rest."""
    more = labels.STORE_MESSAGES["and_more"].format(n=len(items)) if len(items) > limit else ""
    return "、".join(items[:limit]) + more


def _problem(code: str, criterion: str = "", **fields: Any) -> dict[str, str]:
    return {"criterion": criterion, "code": code, "message": _message(code, **fields)}



def validate_sheet(
    points: object,
    category: str,
    stage: str,
    rnd: Round,
    *,
    comment: object = "",
    submit: bool = False,
) -> list[dict[str, str]]:
    """Every problem of one score sheet against the round's rubric (empty list: valid).

    Drafts may leave criteria out; a submission needs every criterion and, when the total is
    below `review.comment_below` or above `review.comment_above`, a comment. Also usable by a
    form for live feedback.
    """
    if stage not in rnd.stages:
        return [_problem("unknown_stage", stage=stage, known="、".join(rnd.stages))]
    if category not in rnd.categories:
        return [_problem("unknown_category", nomination_id="", category=category, known="、".join(rnd.categories))]
    if not isinstance(points, Mapping):
        return [_problem("bad_points")]
    criteria = {c.code: c for c in rnd.criteria(category, stage)}
    step = rnd.review.score_step
    problems: list[dict[str, str]] = []
    total = 0.0
    for code, value in points.items():
        crit = criteria.get(code)
        if crit is None:
            problems.append(_problem("unknown_criterion", str(code), name=code, stage=rnd.stages[stage].label,
                                     known="、".join(criteria)))
            continue
        label, top, number = crit.label, crit.max[category], _finite(value)
        if number is None:
            problems.append(_problem("not_a_number", code, label=label, value=value))
        elif not 0 <= number <= top:
            problems.append(_problem("out_of_range", code, label=label, max=top, value=number))
        elif abs(number / step - round(number / step)) > 1e-9:
            problems.append(_problem("wrong_step", code, label=label, step=step, value=number))
        else:
            total += number
    if not isinstance(comment, str):
        problems.append(_problem("bad_comment"))
    if submit and not problems:
        problems += [_problem("missing_criterion", code, label=c.label) for code, c in criteria.items() if code not in points]
    if submit and not problems and not comment.strip():
        below, above = rnd.review.comment_below, rnd.review.comment_above
        if total < below or total > above:
            problems.append(_problem("comment_required", total=total, below=below, above=above))
    return problems


def _finite(value: object) -> float | None:
    """`value` as a finite float, or None when it is not a real number (bools and text are not)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    try:
        number = float(value)
    except (OverflowError, ValueError):
        return None
    return number if math.isfinite(number) else None
