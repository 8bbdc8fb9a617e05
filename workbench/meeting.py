"""The 主席办公会 projector screen: funnel, ranked list with the cut line, composite chart.

Two layers. Pure helpers turn a `Snapshot`'s frames into HTML strings and plotly figures (no
widgets, no I/O, testable as strings). `meeting_app(load)` is the thin widget shell: a header, a
refresh button that calls `load()` again (a preheated kernel must never keep stale scores), a
category switch, one HTML table and one plotly output per category. Only whitelisted columns are
ever rendered, and every value is HTML-escaped, so contacts, phone numbers and reviewer names in
the snapshot can never reach the screen.
"""

from __future__ import annotations

import html
import json
import logging
from collections.abc import Callable

import ipywidgets as widgets
import pandas as pd
import plotly.graph_objects as go

from workbench import labels
from workbench.config import Round
from workbench.ranking import competition
from workbench.snapshot import FUNNEL_STEPS, Snapshot

log = logging.getLogger(__name__)

FONT_FAMILY = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, sans-serif"
PLOTLY_MIME = "application/vnd.plotly.v1+json"
PLOTLY_CONFIG = {"displayModeBar": False, "displaylogo": False}
COLOURS = {"proposed": "#C62828", "other": "#78909C", "cut": "#C62828", "grid": "#E3E7EC"}

# Scoped CSS for the widget's own HTML; the page-level CSS is in the Voila template (serve.py).
STYLE = """
<style>
.wb-meeting { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif;
  color: #1b1f24; font-size: 22px; }
.wb-meeting .widget-html-content { font-family: inherit; font-size: inherit; line-height: 1.4; }
.wb-head h1 { font-size: 34px; margin: 0 0 4px 0; font-weight: 700; line-height: 1.25; }
.wb-head .wb-meta { font-size: 20px; color: #4a5563; }
.wb-head .wb-meta b { color: #1b1f24; font-weight: 600; }
.wb-head code { font-family: inherit; background: #eef1f5; padding: 1px 8px; border-radius: 4px; }
.wb-refresh { height: 52px; min-width: 130px; }
.wb-message { font-size: 28px; padding: 28px 32px; background: #fff8e1; border-left: 8px solid #f9a825;
  margin: 16px 0; line-height: 1.5; }
.wb-message.wb-error { background: #fdecea; border-left-color: #c62828; }
table.wb-funnel { border-collapse: collapse; font-size: 22px; margin: 10px 0 4px 0; width: 100%; }
table.wb-funnel th, table.wb-funnel td { padding: 6px 18px; text-align: right; border-bottom: 1px solid #dfe3e8; }
table.wb-funnel th { color: #4a5563; font-weight: 600; background: #f4f6f9; }
table.wb-funnel th:first-child, table.wb-funnel td:first-child { text-align: left; }
table.wb-funnel tr.wb-current td { background: #e8f0fb; font-weight: 700; }
table.wb-funnel td.wb-final { color: #c62828; font-weight: 700; }
.wb-section { font-size: 28px; font-weight: 700; margin: 10px 0 6px 0; line-height: 1.35; }
.wb-section .wb-sub { font-size: 22px; font-weight: 400; color: #4a5563; }
table.wb-ranked { width: 100%; border-collapse: collapse; font-size: 22px; table-layout: auto; }
table.wb-ranked th { background: #1f3a5f; color: #fff; padding: 8px 10px; text-align: left; font-weight: 600;
  white-space: nowrap; }
table.wb-ranked td { padding: 7px 10px; border-bottom: 1px solid #dfe3e8; vertical-align: middle; line-height: 1.35; }
table.wb-ranked .wb-num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.wb-ranked .wb-rank { text-align: center; font-weight: 700; width: 3.4em; }
table.wb-ranked .wb-studio { width: 21%; }
table.wb-ranked .wb-unit { width: 19%; }
table.wb-ranked .wb-recommender { width: 14%; }
table.wb-ranked .wb-leader { white-space: nowrap; }
table.wb-ranked th.wb-flags { width: 13%; }
table.wb-ranked td.wb-composite { font-weight: 700; font-size: 24px; }
table.wb-ranked small { color: #6b7683; font-size: 17px; margin-left: 4px; }
table.wb-ranked tr.wb-proposed td { background: #fff3e6; }
table.wb-ranked td.wb-mark { color: #c62828; font-weight: 700; white-space: nowrap; text-align: center; }
table.wb-ranked td.wb-flags { color: #9a3412; font-size: 19px; }
table.wb-ranked tr.wb-cut td { border-top: 6px solid #c62828; border-bottom: none; padding: 2px 10px 6px 10px;
  color: #c62828; font-weight: 700; font-size: 22px; text-align: left; background: #fff; }
.wb-tabs { margin: 10px 0 4px 0; }
.wb-tabs .widget-toggle-button { font-size: 24px; height: 52px; padding: 0 22px; margin-right: 8px;
  background: #eef1f5; color: #1f3a5f; border: 2px solid #c9d3df; border-radius: 6px; }
.wb-tabs .widget-toggle-button.mod-active { background: #1f3a5f; color: #fff; border-color: #1f3a5f;
  box-shadow: none; }
</style>
"""


# ---------------------------------------------------------------------------- pure helpers
def esc(value: object) -> str:
    """HTML-escape any value; missing values become the dash."""
    if value is None or (not isinstance(value, (list, tuple, dict)) and pd.isna(value)):
        return labels.MEETING["no_value"]
    return html.escape(str(value), quote=True)


def fmt_score(value: object, precision: int) -> str:
    """A score at the published precision, or the dash when there is none."""
    if value is None or pd.isna(value):
        return labels.MEETING["no_value"]
    return f"{float(value):.{precision}f}"


def stages_of(ranked: pd.DataFrame, rnd: Round) -> list[str]:
    """The stages in config order that the ranked frame carries a score column for."""
    return [s for s in rnd.stages if f"score_{s}" in ranked.columns]


def category_rows(ranked: pd.DataFrame, category: str) -> pd.DataFrame:
    """One category's ranked rows, in the ranking's order (the frame is already sorted)."""
    return ranked[ranked["category"] == category].reset_index(drop=True)


def header_html(snapshot: Snapshot) -> str:
    """Round name, snapshot id and data time: every screen says what it shows and from when."""
    m = labels.MEETING
    taken = snapshot.taken_at.strftime("%Y-%m-%d %H:%M:%S")
    return (
        f'<div class="wb-head"><h1>{esc(snapshot.rnd.round.name)}</h1>'
        f'<div class="wb-meta">{esc(m["data_time"])}：<b>{esc(taken)}</b>'
        f'&emsp;{esc(m["snapshot"])}：<code>{esc(snapshot.snapshot_id[:12])}</code></div></div>'
    )


def funnel_html(funnel: pd.DataFrame, rnd: Round, current: str | None = None) -> str:
    """The funnel 推荐 → 资格合格 → 名额内 → 评审 → 拟命名 as one table, a row per category."""
    step_labels = dict(zip(funnel["step"], funnel["label"])) if not funnel.empty else {}
    counts = {(r.category, r.step): r.count for r in funnel.itertuples(index=False)}
    head = "".join(f"<th>{esc(step_labels.get(s, labels.FUNNEL[s]))}</th>" for s in FUNNEL_STEPS)
    rows = []
    for code, cat in rnd.categories.items():
        cells = "".join(
            f'<td class="{"wb-final" if s == FUNNEL_STEPS[-1] else ""}">{esc(int(counts.get((code, s), 0) or 0))}</td>'
            for s in FUNNEL_STEPS
        )
        cls = ' class="wb-current"' if code == current else ""
        rows.append(f"<tr{cls}><td>{esc(cat.short)}</td>{cells}</tr>")
    return (
        f'<table class="wb-funnel"><thead><tr><th>{esc(labels.MEETING["funnel_category"])}</th>{head}</tr></thead>'
        f'<tbody>{"".join(rows)}</tbody></table>'
    )


def competition_html(ranked: pd.DataFrame, rnd: Round, category: str) -> str:
    """Section title: the category's full name, candidates, slots and the competition ratio (差额比例)."""
    m = labels.MEETING
    row = competition(ranked, rnd).set_index("category").loc[category]
    fields = {"candidates": int(row["candidates"]), "slots": int(row["slots"])}
    line = (m["competition"].format(**fields, ratio=f"{row['ratio']:.2f}:1") if pd.notna(row["ratio"])
            else m["competition_na"].format(**fields))
    return (f'<div class="wb-section">{esc(row["label"])}'
            f'<div class="wb-sub">{esc(line)}</div></div>')


def ranked_html(rows: pd.DataFrame, rnd: Round, category: str) -> str:
    """The ranked list of one category as one HTML table, with the 拟命名 cut line drawn after the
    last proposed row. Only whitelisted columns are shown; every value is escaped."""
    m, col = labels.MEETING, labels.COLUMNS
    if rows.empty:
        return f'<div class="wb-message">{esc(m["empty_category"])}</div>'
    precision = rnd.ranking.precision
    stages = stages_of(rows, rnd)
    head = [(col["rank"], "wb-rank"), (col["studio"], "wb-studio"), (col["host_unit"], "wb-unit"),
            (col["recommender"], "wb-recommender"), (col["leader"], "wb-leader"),
            *[(rnd.stages[s].label, "wb-num") for s in stages], (col["composite"], "wb-num"),
            (col["proposed"], "wb-mark"), (col["flags"], "wb-flags")]
    thead = "".join(f'<th class="{cls}">{esc(h)}</th>' for h, cls in head)
    proposed = rows["proposed"].fillna(False).astype(bool)
    last_proposed = int(proposed[proposed].index.max()) if proposed.any() else -1
    cut = m["cut_line"].format(slots=rnd.categories[category].slots)
    body = []
    for i, r in rows.iterrows():
        stage_cells = "".join(
            f'<td class="wb-num">{esc(fmt_score(r[f"score_{s}"], precision))}'
            f'<small>{esc(m["stage_reviewers"].format(n=_count(r.get(f"n_{s}"))))}</small></td>'
            for s in stages
        )
        is_proposed = bool(proposed.iloc[i])
        body.append(
            f'<tr class="{"wb-proposed" if is_proposed else "wb-other"}">'
            f'<td class="wb-rank">{esc(r["rank"])}</td><td class="wb-studio">{esc(r["studio"])}</td>'
            f'<td class="wb-unit">{esc(r["host_unit"])}</td><td class="wb-recommender">{esc(r["recommender"])}</td>'
            f'<td class="wb-leader">{esc(r["leader"])}</td>{stage_cells}'
            f'<td class="wb-num wb-composite">{esc(fmt_score(r["composite"], precision))}</td>'
            f'<td class="wb-mark">{esc(m["proposed_mark"]) if is_proposed else ""}</td>'
            f'<td class="wb-flags">{esc(r["flags"] or "")}</td></tr>'
        )
        if i == last_proposed:
            body.append(f'<tr class="wb-cut"><td colspan="{len(head)}">▲ {esc(cut)}</td></tr>')
    return f'<table class="wb-ranked"><thead><tr>{thead}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _count(value: object) -> int:
    return 0 if value is None or pd.isna(value) else int(value)


def composite_figure(rows: pd.DataFrame, rnd: Round, category: str) -> go.Figure:
    """Composite score by rank position, 拟命名 in red, the cut line dashed between the last
    proposed and the first other candidate. Unscored candidates are left out."""
    m = labels.MEETING
    scored = rows[rows["composite"].notna()].reset_index(drop=True)
    position = pd.Series(range(1, len(scored) + 1))
    proposed = scored["proposed"].fillna(False).astype(bool)
    precision = rnd.ranking.precision
    step = next(s for s in (1, 2, 5, 10, 20, 50, 100, 1000) if len(scored) / s <= 40)  # readable ticks
    fig = go.Figure()
    for name, mask, colour in ((m["chart_proposed"], proposed, COLOURS["proposed"]),
                               (m["chart_other"], ~proposed, COLOURS["other"])):
        part = scored[mask]
        fig.add_trace(go.Scatter(
            x=position[mask].tolist(), y=part["composite"].astype(float).tolist(),
            mode="markers+text" if len(scored) <= 15 else "markers",
            name=name, marker={"size": 18, "color": colour, "line": {"width": 1, "color": "white"}},
            text=[fmt_score(v, precision) for v in part["composite"]], textposition="top center",
            textfont={"size": 17}, customdata=[[esc(v)] for v in part["studio"]],  # plotly reads tags in text
            hovertemplate="%{customdata[0]}<br>" + m["chart_y"] + " %{y:." + str(precision) + "f}<extra></extra>",
        ))
    if proposed.any() and (~proposed).any():
        cut_x = int(position[proposed].max()) + 0.5
        fig.add_vline(x=cut_x, line={"color": COLOURS["cut"], "width": 3, "dash": "dash"},
                      annotation={"text": m["chart_cut"], "font": {"color": COLOURS["cut"], "size": 18}},
                      annotation_position="top right")
    fig.update_layout(
        template="plotly_white", height=300, autosize=True,
        margin={"l": 80, "r": 20, "t": 44, "b": 64},
        font={"family": FONT_FAMILY, "size": 20, "color": "#1b1f24"},
        legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom", "font": {"size": 18}},
        xaxis={"title": {"text": m["chart_x"]}, "tickmode": "array", "tickvals": position[::step].tolist(),
               "ticktext": [esc(v) for v in scored["rank"]][::step], "range": [0.3, max(len(scored), 1) + 0.7],
               "gridcolor": COLOURS["grid"]},
        yaxis={"title": {"text": m["chart_y"]}, "gridcolor": COLOURS["grid"], "range": _padded(scored["composite"])},
        hoverlabel={"font": {"family": FONT_FAMILY, "size": 18}},
    )
    return fig


def _padded(values: pd.Series) -> list[float]:
    """A y range with room above the highest point for its label."""
    lo, hi = float(values.min()), float(values.max())
    span = max(hi - lo, 5.0)
    return [lo - 0.12 * span, hi + 0.22 * span]


def figure_output(fig: go.Figure) -> dict:
    """A display_data output carrying the plotly mimetype: rendered offline by the
    jupyterlab-plotly extension that ships in the plotly wheel (Voila and JupyterLab)."""
    data = json.loads(fig.to_json())
    data["config"] = PLOTLY_CONFIG
    return {"output_type": "display_data", "data": {PLOTLY_MIME: data, "text/plain": "<Figure>"}, "metadata": {}}


def message_html(text: str, *, error: bool = False) -> str:
    return f'<div class="wb-message{" wb-error" if error else ""}">{esc(text)}</div>'


# ---------------------------------------------------------------------------- widget shell
class MeetingApp(widgets.VBox):
    """The meeting screen. `refresh()` (or the 刷新 button) calls `load()` and redraws."""

    def __init__(self, load: Callable[[], Snapshot]):
        m = labels.MEETING
        self._load = load
        self.snapshot: Snapshot | None = None
        self.header = widgets.HTML(layout=widgets.Layout(flex="1 1 auto"))
        self.refresh_button = widgets.Button(description=m["refresh"], icon="refresh", tooltip=m["refresh_tip"],
                                             button_style="primary", style={"font_size": "22px"})
        self.refresh_button.add_class("wb-refresh")
        self.refresh_button.on_click(lambda _: self.refresh())
        self.message = widgets.HTML()
        self.funnel = widgets.HTML()
        self.category = widgets.ToggleButtons(options=[], style={"button_width": "auto", "font_weight": "600"})
        self.category.add_class("wb-tabs")
        self._quiet = False
        self.category.observe(lambda _: None if self._quiet else self._show_category(), names="value")
        self.section = widgets.HTML()
        self.chart = widgets.Output(layout=widgets.Layout(flex="1 1 auto", width="auto", min_height="300px"))
        self.table = widgets.HTML(layout=widgets.Layout(width="100%"))
        left = widgets.VBox([self.funnel, self.category, self.section],
                            layout=widgets.Layout(width="44%", min_width="640px", margin="0 24px 0 0"))
        overview = widgets.HBox([left, self.chart], layout=widgets.Layout(width="100%", align_items="flex-start"))
        self.body = widgets.VBox([overview, self.table], layout=widgets.Layout(width="100%"))
        top = widgets.HBox([self.header, self.refresh_button],
                           layout=widgets.Layout(width="100%", align_items="center", justify_content="space-between"))
        super().__init__([widgets.HTML(STYLE), top, self.message, self.body], layout=widgets.Layout(width="100%"))
        self.add_class("wb-meeting")
        self.refresh()

    def refresh(self) -> None:
        """Re-read the store through `load()`; a failure shows a message, never a traceback."""
        m = labels.MEETING
        self.refresh_button.disabled, self.refresh_button.description = True, m["refreshing"]
        try:
            snapshot = self._load()
        except Exception as exc:  # the projector must never show a traceback
            log.exception("meeting: loading the snapshot failed")
            self.snapshot = None
            own = getattr(exc, "code", None) is not None  # our errors carry a Chinese message and a code
            self.message.value = message_html(str(exc) if own else m["load_failed"], error=True)
            self.body.layout.display = "none"
            return
        finally:
            self.refresh_button.disabled, self.refresh_button.description = False, m["refresh"]
        self.snapshot = snapshot
        self.header.value = header_html(snapshot)
        if snapshot.empty:
            self.message.value = message_html(m["empty_round"])
            self.body.layout.display = "none"
            return
        self.message.value = ""
        self.body.layout.display = None
        rnd = snapshot.rnd
        counts = snapshot.ranked["category"].value_counts()
        options = [(f"{cat.short}（{int(counts.get(code, 0))}）", code) for code, cat in rnd.categories.items()]
        current = self.category.value
        self._quiet = True  # one redraw below, not one per trait change
        try:
            self.category.options = options
            self.category.value = current if current in rnd.categories else _first_with_rows(counts, rnd)
        finally:
            self._quiet = False
        self._show_category()

    def _show_category(self) -> None:
        snapshot, category = self.snapshot, self.category.value
        if snapshot is None or snapshot.empty or category is None:
            return
        rnd = snapshot.rnd
        rows = category_rows(snapshot.ranked, category)
        self.funnel.value = funnel_html(snapshot.funnel, rnd, current=category)
        self.section.value = competition_html(snapshot.ranked, rnd, category)
        self.table.value = ranked_html(rows, rnd, category)
        scored = not rows.empty and rows["composite"].notna().any()
        self.chart.outputs = (figure_output(composite_figure(rows, rnd, category)),) if scored else ()
        if not rows.empty and not scored:
            self.section.value += message_html(labels.MEETING["no_scores"])
        self.chart.layout.display = None if self.chart.outputs else "none"


def _first_with_rows(counts: pd.Series, rnd: Round) -> str:
    """The category the screen opens on: the first in config order with candidates under review."""
    return next((c for c in rnd.categories if counts.get(c, 0) > 0), next(iter(rnd.categories)))


def meeting_app(load: Callable[[], Snapshot]) -> widgets.Widget:
    """The meeting dashboard over `load()`, which must return a fresh `Snapshot` on every call."""
    return MeetingApp(load)
