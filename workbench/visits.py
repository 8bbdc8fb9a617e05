"""Site visits (实地考察): the checklist of the notice's verifiable conditions, and its verdicts.

A visit record (kept by `Store.record_visit`) holds the date, the inspectors, photos and, per
condition of `panel.site_conditions` (fixed site, plaque, rules on the wall, equipment, ledgers),
confirmed / not confirmed / not checked with a note. `visit_verdicts` turns the records into the
screening verdict of the site_visit rule, with the record as its evidence.
"""

from __future__ import annotations

import pandas as pd

from workbench import labels
from workbench.config import Round
from workbench.errors import WorkbenchError


def _message(code: str, **fields: object) -> str:
    return f"{labels.VISIT_MESSAGES[code].format(**fields)} [{code}]"


def parse_checks(confirmed: list[str], failed: list[str], rnd: Round) -> dict[str, tuple[bool | None, str]]:
    """CLI checklist options ("code" or "code:note", by code or label) -> {code: (confirmed, note)}.

    A condition named twice, or both confirmed and not, is refused; one named nowhere stays unchecked.
    """
    by_name = {}
    for c in rnd.panel.site_conditions:
        by_name[c.code] = by_name[c.label] = c.code
    checks: dict[str, tuple[bool | None, str]] = {}
    for items, ok in ((confirmed, True), (failed, False)):
        for item in items:
            name, _, note = item.replace("：", ":").partition(":")
            code = by_name.get(name.strip())
            if code is None:
                raise WorkbenchError(_message("unknown_condition", value=name.strip(),
                                              known="、".join(c.code for c in rnd.panel.site_conditions)),
                                     "unknown_condition")
            if code in checks:
                raise WorkbenchError(_message("condition_twice", value=code), "condition_twice")
            checks[code] = (ok, note.strip())
    return checks


def _evidence(visit: pd.DataFrame) -> str:
    first = visit.iloc[0]
    return labels.VISIT_TEXT["evidence"].format(date=pd.Timestamp(first["visit_date"]).strftime("%Y-%m-%d"),
                                                inspectors="、".join(first["inspectors"]))


def visit_verdicts(visits: pd.DataFrame | None, rnd: Round) -> pd.DataFrame:
    """Per visited nomination: result (pass / fail / review) and reason quoting the record.

    fail: a condition was not confirmed; review: none failed but one was not checked; pass: every
    condition confirmed. Indexed by nomination_id; nominations without a record are absent.
    """
    if visits is None or visits.empty:
        return pd.DataFrame({"result": pd.Series(dtype="string"), "reason": pd.Series(dtype="string")},
                            index=pd.Index([], name="nomination_id"))
    label_of = {c.code: c.label for c in rnd.panel.site_conditions}
    rows = {}
    for nid, visit in visits.groupby("nomination_id", sort=True):
        evidence = _evidence(visit)
        confirmed = visit["confirmed"]

        def items(mask: pd.Series) -> str:
            part = visit[mask.fillna(False).astype(bool)]
            return "；".join(label_of.get(c, c) + (f"（{n}）" if n else "") for c, n in zip(part["condition"], part["note"]))

        failed, unchecked = confirmed == False, confirmed.isna()  # noqa: E712 - a nullable boolean column
        if failed.fillna(False).any():
            rows[nid] = ("fail", labels.VISIT_TEXT["fail"].format(evidence=evidence, items=items(failed)))
        elif unchecked.any():
            rows[nid] = ("review", labels.VISIT_TEXT["review"].format(evidence=evidence, items=items(unchecked)))
        else:
            rows[nid] = ("pass", labels.VISIT_TEXT["pass"].format(evidence=evidence, n=len(visit)))
    out = pd.DataFrame.from_dict(rows, orient="index", columns=["result", "reason"]).astype("string")
    out.index.name = "nomination_id"
    return out


def visits_table(visits: pd.DataFrame, nominations: pd.DataFrame, rnd: Round) -> pd.DataFrame:
    """The visit records as staff read them: one row per visit, one column per condition (✓ / ✗ / 空)."""
    if visits.empty:
        return pd.DataFrame()
    studio = nominations.drop_duplicates("nomination_id").set_index("nomination_id")["studio"]
    mark = {True: labels.RULE_RESULT["pass"], False: labels.RULE_RESULT["fail"]}
    rows = []
    for nid, visit in visits.groupby("nomination_id", sort=True):
        first = visit.iloc[0]
        row = {labels.VISIT_TEXT["nomination_id"]: nid, labels.VISIT_TEXT["studio"]: studio.get(nid, ""),
               labels.VISIT_TEXT["date"]: pd.Timestamp(first["visit_date"]).strftime("%Y-%m-%d"),
               labels.VISIT_TEXT["inspectors"]: "、".join(first["inspectors"])}
        for c in visit.itertuples(index=False):
            row[c.condition] = ("" if pd.isna(c.confirmed) else mark[bool(c.confirmed)]) + (f" {c.note}" if c.note else "")
        row[labels.VISIT_TEXT["photos"]] = len(first["photos"])
        rows.append(row)
    return pd.DataFrame(rows).rename(columns={c.code: c.label for c in rnd.panel.site_conditions})


__all__ = ["parse_checks", "visit_verdicts", "visits_table"]
