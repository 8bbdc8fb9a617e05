"""Review progress (评审进度): per reviewer and per candidate, what is still missing.

Pure helpers turn the store's frames (assignments, sheets, reviewers, nominations) into progress
frames; `progress_app(store)` is the thin widget shell of `dashboards/progress.ipynb`, served by
`workbench serve progress` for the analyst (it names reviewers: serve it with a token).
"""

from __future__ import annotations

import datetime as dt
import html
import logging

import ipywidgets as widgets
import pandas as pd

from workbench import labels
from workbench.config import Round

log = logging.getLogger(__name__)

REVIEWER_COLUMNS = ["reviewer_id", "name", "stage", "assigned", "submitted", "draft", "none", "missing", "last_saved"]
CANDIDATE_COLUMNS = ["nomination_id", "studio", "category", "stage", "assigned", "submitted", "draft", "none",
                     "needed", "short", "missing_reviewers", "complete", "under_assigned"]


def _status_per_pair(assignments: pd.DataFrame, sheets: pd.DataFrame) -> pd.DataFrame:
    """Every assigned (nomination, reviewer, stage) with its sheet's status: none / draft / submitted."""
    keys = ["nomination_id", "reviewer_id", "stage"]
    pairs = assignments[keys].astype("str").drop_duplicates()
    own = sheets[keys + ["status", "updated_at"]].astype({k: "str" for k in keys}) if len(sheets) else \
        pd.DataFrame(columns=keys + ["status", "updated_at"])
    out = pairs.merge(own, on=keys, how="left")
    out["status"] = out["status"].fillna("none").astype("str")
    return out


def _counts(pairs: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    counts = pd.crosstab([pairs[c] for c in by], pairs["status"]).reindex(columns=["submitted", "draft", "none"],
                                                                          fill_value=0)
    counts["assigned"] = counts.sum(axis=1)
    return counts.reset_index()


def by_reviewer(assignments: pd.DataFrame, sheets: pd.DataFrame, reviewers: pd.DataFrame, rnd: Round) -> pd.DataFrame:
    """One row per reviewer and stage: assigned, submitted, draft, none (not started), the candidates not
    yet submitted (ids, "、"-joined) and when they last saved. Reviewers without assignments are left out."""
    pairs = _status_per_pair(assignments, sheets)
    if pairs.empty:
        return pd.DataFrame(columns=REVIEWER_COLUMNS)
    out = _counts(pairs, ["reviewer_id", "stage"])
    open_ = pairs[pairs["status"] != "submitted"].sort_values("nomination_id")
    missing = open_.groupby(["reviewer_id", "stage"])["nomination_id"].agg("、".join)
    last = pairs.dropna(subset=["updated_at"]).groupby(["reviewer_id", "stage"])["updated_at"].max()
    out["missing"] = [missing.get((r, s), "") for r, s in zip(out["reviewer_id"], out["stage"])]
    out["last_saved"] = pd.to_datetime(pd.Series([last.get((r, s)) for r, s in zip(out["reviewer_id"], out["stage"])],
                                                 dtype="object")).astype("datetime64[us]")
    names = reviewers.drop_duplicates("reviewer_id").set_index("reviewer_id")["name"]
    out["name"] = out["reviewer_id"].map(names).fillna("").astype("str")
    order = {s: i for i, s in enumerate(rnd.stages)}
    out = out.sort_values(["stage", "reviewer_id"], key=lambda c: c.map(order) if c.name == "stage" else c)
    return out[REVIEWER_COLUMNS].reset_index(drop=True)


def by_candidate(assignments: pd.DataFrame, sheets: pd.DataFrame, nominations: pd.DataFrame, rnd: Round) -> pd.DataFrame:
    """One row per candidate and stage: assigned, submitted, draft, none, how many submitted sheets are
    needed (`review.min_reviewers`), how many are short, who has not submitted, and whether it is complete
    (every assigned reviewer submitted and at least the minimum)."""
    pairs = _status_per_pair(assignments, sheets)
    if pairs.empty:
        return pd.DataFrame(columns=CANDIDATE_COLUMNS)
    out = _counts(pairs, ["nomination_id", "stage"])
    open_ = pairs[pairs["status"] != "submitted"].sort_values("reviewer_id")
    missing = open_.groupby(["nomination_id", "stage"])["reviewer_id"].agg("、".join)
    out["missing_reviewers"] = [missing.get((n, s), "") for n, s in zip(out["nomination_id"], out["stage"])]
    out["needed"] = rnd.review.min_reviewers
    out["short"] = (out["needed"] - out["submitted"]).clip(lower=0)
    out["complete"] = (out["missing_reviewers"] == "") & (out["short"] == 0)
    out["under_assigned"] = out["assigned"] < out["needed"]  # fewer reviewers than required (e.g. after a conflict)
    noms = nominations.drop_duplicates("nomination_id").set_index("nomination_id")
    out["studio"] = out["nomination_id"].map(noms["studio"]).fillna("").astype("str")
    out["category"] = out["nomination_id"].map(noms["category"]).fillna("").astype("str")
    order = {s: i for i, s in enumerate(rnd.stages)}
    out = out.sort_values(["stage", "complete", "nomination_id"],
                          key=lambda c: c.map(order) if c.name == "stage" else c)
    return out[CANDIDATE_COLUMNS].reset_index(drop=True)


def under_assigned(assignments: pd.DataFrame, rnd: Round, nomination_ids: list[str] | None = None) -> pd.DataFrame:
    """Candidates (of `nomination_ids`, default all) with fewer reviewers at a stage than
    `review.min_reviewers`: nomination_id, stage, assigned, needed. A candidate assigned at no stage
    counts at every stage of the round."""
    needed = rnd.review.min_reviewers
    counts = (assignments.astype({"nomination_id": "str", "stage": "str"})
              .drop_duplicates(["nomination_id", "reviewer_id", "stage"])
              .groupby(["nomination_id", "stage"]).size())
    ids = nomination_ids if nomination_ids is not None else sorted(assignments["nomination_id"].astype("str").unique())
    stages = [st for st in rnd.stages if st in set(assignments["stage"])] or list(rnd.stages)
    rows = [(n, st, int(counts.get((n, st), 0))) for n in ids for st in stages]
    out = pd.DataFrame(rows, columns=["nomination_id", "stage", "assigned"]).assign(needed=needed)
    return out[out["assigned"] < needed].reset_index(drop=True)


def stage_summary(assignments: pd.DataFrame, sheets: pd.DataFrame, rnd: Round) -> pd.DataFrame:
    """One row per stage with assignments: expected (sheets), submitted, draft, none."""
    pairs = _status_per_pair(assignments, sheets)
    if pairs.empty:
        return pd.DataFrame(columns=["stage", "expected", "submitted", "draft", "none"])
    out = _counts(pairs, ["stage"]).rename(columns={"assigned": "expected"})
    order = {s: i for i, s in enumerate(rnd.stages)}
    out = out.sort_values("stage", key=lambda c: c.map(order))
    return out[["stage", "expected", "submitted", "draft", "none"]].reset_index(drop=True)


# ---------------------------------------------------------------------------- HTML (pure)
STYLE = """
<style>
.wb-progress { font-size: 17px; --jp-widgets-font-size: 16px; }
.wb-progress .widget-html-content { font-size: 17px; line-height: 1.45; }
.wb-progress h2 { font-size: 26px; margin: 0; }
.wb-progress h3 { font-size: 20px; margin: 16px 0 6px 0; color: #1f3a5f; }
.wb-progress .wb-meta { color: #4a5563; font-size: 15px; }
.wb-progress table { border-collapse: collapse; width: 100%; }
.wb-progress th { background: #1f3a5f; color: #fff; text-align: left; padding: 5px 8px; font-weight: 600; white-space: nowrap; }
.wb-progress td { border-bottom: 1px solid #e3e7ec; padding: 4px 8px; vertical-align: top; }
.wb-progress td.wb-num { text-align: right; font-variant-numeric: tabular-nums; }
.wb-progress tr.wb-done td { color: #6b7683; }
.wb-progress tr.wb-open td.wb-missing { color: #8e1c1c; }
.wb-progress tr.wb-under td { background: #fff3cd; }
.wb-progress tr.wb-under td.wb-flag { color: #8e1c1c; font-weight: 700; }
.wb-progress .wb-summary { font-size: 18px; margin: 4px 0; }
</style>
"""


def _esc(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.strftime("%m-%d %H:%M")
    return html.escape(str(value))


def table_html(df: pd.DataFrame, columns: list[str], *, done: pd.Series | None = None, missing_col: str = "",
               flagged: pd.Series | None = None) -> str:
    """An escaped HTML table of `columns` with Chinese headers; rows where `done` is True are greyed,
    rows where `flagged` is True are highlighted."""
    heads = labels.PROGRESS_COLUMNS
    numeric = {"assigned", "submitted", "draft", "none", "needed", "short"}
    head = "".join(f"<th>{html.escape(heads.get(c, c))}</th>" for c in columns)
    rows = []
    for i, row in enumerate(df.itertuples(index=False)):
        cls = "wb-done" if done is not None and bool(done.iloc[i]) else "wb-open"
        if flagged is not None and bool(flagged.iloc[i]):
            cls = "wb-under"
        cells = []
        for c in columns:
            value = getattr(row, c)
            css = "wb-num" if c in numeric else ("wb-missing" if c == missing_col else "")
            if c in ("complete", "has_code"):
                value = labels.SCORING["yes"] if value else labels.SCORING["no"]
            if c == "pledged":
                value = labels.PLEDGE_STATUS[bool(value)]
            if c == "under_assigned":
                css, value = "wb-flag", labels.PROGRESS["under_assigned"] if value else ""
            cells.append(f'<td class="{css}">{_esc(value)}</td>')
        rows.append(f'<tr class="{cls}">{"".join(cells)}</tr>')
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def summary_html(summary: pd.DataFrame, rnd: Round, closed: list[str]) -> str:
    p = labels.PROGRESS
    lines = [p["overall"].format(stage=rnd.stages[r.stage].label if r.stage in rnd.stages else r.stage,
                                 expected=r.expected, submitted=r.submitted, draft=r.draft, none=r.none)
             + (p["closed"] if r.stage in closed else "") for r in summary.itertuples(index=False)]
    return "".join(f'<div class="wb-summary">{html.escape(line)}</div>' for line in lines)


# ---------------------------------------------------------------------------- widget shell
class ProgressApp(widgets.VBox):
    """Header with 刷新, the per-stage summary, then the per-reviewer and per-candidate tables."""

    def __init__(self, store):
        p = labels.PROGRESS
        self.store = store
        self.header = widgets.HTML()
        self.refresh_button = widgets.Button(description=p["refresh"], icon="refresh", button_style="primary")
        self.refresh_button.on_click(lambda _: self.refresh())
        self.summary = widgets.HTML()
        self.reviewers = widgets.HTML()
        self.candidates = widgets.HTML()
        top = widgets.HBox([self.header, self.refresh_button],
                           layout=widgets.Layout(justify_content="space-between", align_items="center"))
        super().__init__([widgets.HTML(STYLE), top, self.summary, self.reviewers, self.candidates])
        self.add_class("wb-progress")
        self.refresh()

    def refresh(self) -> None:
        """Read the store again; a failure shows a message, never a traceback."""
        p, rnd = labels.PROGRESS, self.store.rnd
        now = rnd.now().strftime("%Y-%m-%d %H:%M:%S")  # the round's clock, like the times in the store
        self.header.value = (f"<h2>{html.escape(p['title'])} · {html.escape(rnd.round.name)}</h2>"
                             f'<div class="wb-meta">{html.escape(p["data_time"])}：{now}</div>')
        try:
            assignments, sheets = self.store.assignments(), self.store.sheets()
            # the nominations as saved when they were assigned (from the round state): not the whole
            # state, which every score saved during the scoring changes and would recompute
            reviewers, nominations = self.store.access_codes(), self.store.nominations()
            pledges = self.store.pledges()[["reviewer_id", "pledged"]]
            closed = self.store.closed_stages()
        except Exception:
            log.exception("progress: reading the store failed")
            self.summary.value, self.reviewers.value, self.candidates.value = p["load_failed"], "", ""
            return
        if assignments.empty:
            self.summary.value, self.reviewers.value, self.candidates.value = html.escape(p["empty"]), "", ""
            return
        rev = by_reviewer(assignments, sheets, reviewers, rnd)
        rev = rev.merge(reviewers[["reviewer_id", "has_code"]], on="reviewer_id", how="left")
        rev = rev.merge(pledges, on="reviewer_id", how="left").fillna({"pledged": False})
        rev["stage"] = rev["stage"].map(lambda s: rnd.stages[s].label if s in rnd.stages else s)
        studios = nominations.drop_duplicates("nomination_id").set_index("nomination_id")["studio"].astype("str")
        people = reviewers.drop_duplicates("reviewer_id").set_index("reviewer_id")["name"].astype("str")
        rev["missing"] = rev["missing"].map(lambda ids: _names(ids, studios))
        cand = by_candidate(assignments, sheets, nominations, rnd)
        cand["missing_reviewers"] = cand["missing_reviewers"].map(lambda ids: _names(ids, people))
        cand = cand.sort_values(["under_assigned", "complete"], ascending=[False, True], kind="stable")
        cand["stage"] = cand["stage"].map(lambda s: rnd.stages[s].label if s in rnd.stages else s)
        cand["category"] = cand["category"].map(lambda c: rnd.categories[c].short if c in rnd.categories else c)
        self.summary.value = summary_html(stage_summary(assignments, sheets, rnd), rnd, closed)
        self.reviewers.value = (f"<h3>{html.escape(p['by_reviewer'])}</h3>" + table_html(
            rev, ["reviewer_id", "name", "stage", "assigned", "submitted", "draft", "none", "missing", "has_code",
                  "pledged", "last_saved"], done=rev["missing"] == "", missing_col="missing",
            flagged=~rev["pledged"].astype(bool) if rnd.panel.pledge_required else None))
        self.candidates.value = (f"<h3>{html.escape(p['by_candidate'])}</h3>" + table_html(
            cand, ["studio", "category", "stage", "assigned", "needed", "submitted", "short", "missing_reviewers",
                   "complete", "under_assigned"], done=cand["complete"], missing_col="missing_reviewers",
            flagged=cand["under_assigned"]))


def _names(ids: str, names: pd.Series) -> str:
    """"N1、N2" -> the studios' (or reviewers') names, the id kept where no name is known."""
    return "、".join(str(names.get(i, i)) or i for i in ids.split("、")) if ids else ""


def progress_app(store) -> ProgressApp:
    """The progress dashboard over `store` (刷新 re-reads it)."""
    return ProgressApp(store)


__all__ = ["ProgressApp", "by_candidate", "by_reviewer", "progress_app", "stage_summary", "table_html", "under_assigned"]
