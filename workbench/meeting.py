"""The 主席办公会 projector screen: the funnel, the ranked lists, the candidate card, the discussion
order, the secretary's decisions and a what-if preview.

Two layers. Pure helpers turn a `Snapshot`'s frames into HTML strings, inline SVG charts and small
frames (no widgets, no I/O, testable as strings); `check_decision` re-validates in Python whatever a
widget sent. `MeetingApp` is the thin widget shell: a header with the snapshot and a 刷新 button,
a category switch, a view switch, and one reused widget per region. Only whitelisted columns are
ever rendered and every value is HTML-escaped, so contacts, phone numbers and reviewer names in
the snapshot can never reach the screen; reviewers appear as 评委1…n. The I/O edges are
`photo_uris` (the studio's photos as data: URIs) and `store_recorder` (writes a decision).
"""

from __future__ import annotations

import logging
import os
import weakref
from collections.abc import Callable

import ipywidgets as widgets
import numpy as np
import pandas as pd

from workbench import labels
from workbench.config import Round
from workbench.decisions import (
    NOTE_MAX_CHARS,
    DecisionError,
    check_decision,
    check_replacement,
    check_ruling,
    check_version,
    decision_of,
    excluded,
    replacement_offers,
    summary,
    vacated,
    warnings_for,
)
from workbench.dossier import STYLE as DOSSIER_STYLE
from workbench.dossier import (
    MaterialsViewer,
    dossier_html,
    esc,
    material_files,
    photos_html,
)
from workbench.dossier import photo_uris as dossier_photo_uris
from workbench.dossier import plain as _text
from workbench.ranking import Sheets, competition, rank, retained, sheet_totals, submitted_sheets
from workbench.state import FUNNEL_STEPS, scrub
from workbench.state import RoundState as Snapshot

log = logging.getLogger(__name__)

COLOURS = {"proposed": "#C62828", "other": "#78909C", "borderline": "#E08A00", "cut": "#C62828",
           "grid": "#E3E7EC", "stages": ["#1F5FA8", "#2E7D32", "#6A1B9A", "#00838F"]}
VIEWS = ("ranking", "breakdown", "discussion", "excluded", "whatif")
ORDERS = ("rank", "borderline")
AGGREGATIONS = ("olympic", "mean", "median")
BIG = {"font_size": "22px"}  # the buttons' type
# Rows of a category's ranked table drawn at first (a projector shows about ten): a long list, say a
# 2,000-nomination round, is laid out by the browser only when the meeting asks for all of it.
# The cut line, the borderline band and the candidate under discussion are always drawn.
TABLE_ROWS = 60
# The widgets of the views built when first shown (MeetingApp._build), by view.
LAZY_WIDGETS: dict[str, str] = {name: view for view, names in {
    "breakdown": ("breakdown",),
    "discussion": ("discussion_view", "order", "prev_button", "item", "next_button", "position", "card", "spread_title",
                   "spread", "photo_box", "materials", "decision_box", "choice", "note", "record_button",
                   "decision_status", "replace_box", "offers", "offer", "offer_note", "offer_button", "offer_status"),
    "excluded": ("excluded_view", "excluded_table", "ruling_box", "ruling_item", "ruling_value", "ruling_reason",
                 "ruling_button", "ruling_status"),
    "whatif": ("whatif_view", "whatif_head", "whatif_controls", "aggregation", "weights", "whatif_table"),
}.items() for name in names}

# Scoped CSS for the widget's own HTML; the page-level CSS is in the Voila template (serve.py).
STYLE = """
<style>
.wb-meeting { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif;
  color: #1b1f24; font-size: 22px; }
.wb-meeting .widget-html-content { font-family: inherit; font-size: inherit; line-height: 1.4; }
.wb-head h1 { font-size: 34px; margin: 0 0 4px 0; font-weight: 700; line-height: 1.25; }
.wb-head .wb-meta { font-size: 21px; color: #4a5563; }
.wb-head .wb-meta b { color: #1b1f24; font-weight: 600; }
.wb-head code { font-family: inherit; background: #eef1f5; padding: 1px 8px; border-radius: 4px; color: #1b1f24; }
.wb-refresh { height: 52px; min-width: 130px; }
.wb-message { font-size: 28px; padding: 28px 32px; background: #fff8e1; border-left: 8px solid #f9a825;
  margin: 16px 0; line-height: 1.5; }
.wb-message.wb-error { background: #fdecea; border-left-color: #c62828; }
.wb-message.wb-small { font-size: 22px; padding: 12px 18px; margin: 8px 0; }
.wb-message.wb-ok { background: #e8f5e9; border-left-color: #2e7d32; }
table.wb-funnel { border-collapse: collapse; font-size: 22px; margin: 6px 0 4px 0; width: 100%; }
table.wb-funnel th, table.wb-funnel td { padding: 5px 18px; text-align: right; border-bottom: 1px solid #dfe3e8; }
table.wb-funnel th { color: #4a5563; font-weight: 600; background: #f4f6f9; }
table.wb-funnel th:first-child, table.wb-funnel td:first-child { text-align: left; }
table.wb-funnel tr.wb-current td { background: #e8f0fb; font-weight: 700; }
table.wb-funnel td.wb-final { color: #c62828; font-weight: 700; }
.wb-section { font-size: 28px; font-weight: 700; margin: 8px 0 4px 0; line-height: 1.35; }
.wb-section .wb-sub { font-size: 22px; font-weight: 400; color: #4a5563; }
.wb-legend { font-size: 19px; color: #4a5563; margin: 6px 0 6px 0; }
.wb-legend .wb-l-prop { color: #f0b27a; } .wb-legend .wb-l-border { color: #e08a00; }
.wb-charttitle { font-size: 19px; color: #4a5563; margin: 4px 0 0 8px; }
table.wb-ranked { width: 100%; border-collapse: collapse; font-size: 22px; table-layout: auto; }
table.wb-ranked th { background: #1f3a5f; color: #fff; padding: 8px 10px; text-align: left; font-weight: 600;
  white-space: nowrap; position: sticky; top: 0; z-index: 1; }
table.wb-ranked td { padding: 6px 10px; border-bottom: 1px solid #dfe3e8; vertical-align: middle; line-height: 1.3; }
table.wb-ranked tbody tr[data-nid] { cursor: pointer; }
table.wb-ranked tbody tr[data-nid]:hover td { background: #e3edf9; }
table.wb-ranked .wb-num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.wb-ranked .wb-rank { text-align: center; font-weight: 700; width: 3.2em; }
table.wb-ranked .wb-studio { width: 24%; font-weight: 600; }
table.wb-ranked .wb-unit { width: 22%; }
table.wb-ranked .wb-line { display: block; font-size: 18px; color: #5b6673; font-weight: 400; }
table.wb-ranked td.wb-composite { font-weight: 700; font-size: 24px; }
table.wb-ranked small { color: #6b7683; font-size: 17px; margin-left: 4px; }
table.wb-ranked tr.wb-proposed td { background: #fff3e6; }
table.wb-ranked tr.wb-borderline td { background: #fff8d6; }
table.wb-ranked tr.wb-borderline td.wb-rank { box-shadow: inset 8px 0 0 #e08a00; }
table.wb-ranked tr.wb-current td { outline: 3px solid #1f5fa8; outline-offset: -3px; }
table.wb-ranked td.wb-mark { color: #c62828; font-weight: 700; white-space: nowrap; text-align: center; }
table.wb-ranked td.wb-flags { color: #9a3412; font-size: 18px; }
table.wb-ranked tr.wb-more td { color: #4a5563; font-size: 20px; text-align: center; background: #f4f6f9; }
table.wb-ranked tr.wb-cut td { border-top: 6px solid #c62828; border-bottom: none; padding: 2px 10px 6px 10px;
  color: #c62828; font-weight: 700; font-size: 22px; text-align: left; background: #fff; cursor: default; }
.wb-chip { display: inline-block; padding: 1px 10px; border-radius: 14px; font-size: 19px; font-weight: 700;
  white-space: nowrap; border: 2px solid transparent; }
.wb-chip.wb-approve { background: #e8f5e9; color: #1b5e20; border-color: #66bb6a; }
.wb-chip.wb-reject { background: #fdecea; color: #b71c1c; border-color: #ef5350; }
.wb-chip.wb-defer { background: #fff3e0; color: #8a4b00; border-color: #ffa726; }
.wb-chip.wb-band { background: #fff3cd; color: #7a4a00; border-color: #e08a00; }
.wb-tabs .widget-toggle-button, .wb-views .widget-toggle-button { font-size: 24px; height: 52px; padding: 0 22px;
  margin-right: 8px; background: #eef1f5; color: #1f3a5f; border: 2px solid #c9d3df; border-radius: 6px; }
.wb-tabs .widget-toggle-button.mod-active, .wb-views .widget-toggle-button.mod-active { background: #1f3a5f;
  color: #fff; border-color: #1f3a5f; box-shadow: none; }
.wb-views .widget-toggle-button { background: #fff; }
/* above the sticky tally's white cover, which would otherwise hide the tabs' lower edge before any scroll */
.wb-nav { border-bottom: 3px solid #1f3a5f; padding-bottom: 8px; margin-bottom: 8px; position: relative; z-index: 4; }
table.wb-heat { border-collapse: collapse; font-size: 21px; width: 100%; }
table.wb-heat th { background: #1f3a5f; color: #fff; padding: 6px 8px; font-weight: 600; text-align: center;
  line-height: 1.25; position: sticky; top: 0; }
table.wb-heat th small { display: block; font-weight: 400; font-size: 16px; color: #d6e0ec; }
table.wb-heat td { padding: 5px 8px; border-bottom: 1px solid #ffffff; text-align: center;
  font-variant-numeric: tabular-nums; }
table.wb-heat td.wb-studio { text-align: left; font-weight: 600; white-space: nowrap; max-width: 30em;
  overflow: hidden; text-overflow: ellipsis; }
table.wb-heat td.wb-rank { font-weight: 700; }
table.wb-heat tr.wb-mean td { font-weight: 700; border-top: 3px solid #1f3a5f; background: #f4f6f9; }
table.wb-heat tr.wb-cut td { border-top: 5px solid #c62828; }
.wb-note { font-size: 18px; color: #5b6673; margin: 4px 0; }
.wb-orderbar { align-items: center; margin: 4px 0 10px 0; }
.wb-orderbar .widget-button { font-size: 24px; height: 52px; min-width: 150px; }
.wb-orderbar select { font-size: 22px; height: 52px; }
.wb-orderbar .widget-dropdown { height: 52px; }
.wb-orderbar .widget-toggle-button { font-size: 21px; height: 48px; padding: 0 16px; margin-right: 6px; background: #fff;
  color: #1f3a5f; border: 2px solid #c9d3df; border-radius: 6px; }
.wb-orderbar .widget-toggle-button.mod-active { background: #1f3a5f; color: #fff; border-color: #1f3a5f; box-shadow: none; }
.wb-card h2 { font-size: 32px; margin: 0 0 6px 0; line-height: 1.3; }
.wb-card h2 .wb-rankbadge { background: #1f3a5f; color: #fff; border-radius: 6px; padding: 0 10px;
  margin-right: 10px; font-size: 26px; vertical-align: 3px; }
.wb-card h3 { font-size: 23px; margin: 14px 0 4px 0; color: #1f3a5f; border-bottom: 2px solid #dfe3e8; }
.wb-card .wb-scoreline { font-size: 24px; font-weight: 700; margin: 2px 0; }
.wb-card .wb-scoreline span { font-weight: 400; color: #3b4654; margin-left: 14px; font-size: 21px; }
.wb-card .wb-reasons { color: #7a4a00; background: #fff8d6; padding: 4px 10px; border-radius: 4px; font-size: 20px; }
table.wb-facts { border-collapse: collapse; width: 100%; font-size: 20px; }
table.wb-facts th { text-align: left; color: #5b6673; font-weight: 400; padding: 3px 10px 3px 0; white-space: nowrap;
  width: 13%; }
table.wb-facts td { padding: 3px 18px 3px 0; width: 37%; }
.wb-card ul { margin: 4px 0; padding-left: 1.2em; font-size: 20px; }
.wb-card li { margin: 3px 0; }
.wb-card li b { color: #1f3a5f; }
.wb-card .wb-bad { color: #b71c1c; }
.wb-card .wb-override { color: #6a1b9a; }
.wb-meeting .wb-dossier h3 { font-size: 23px; }
.wb-meeting .wb-zoom { font-size: 16px; }
.wb-meeting .wb-materials .widget-button, .wb-meeting .wb-materials select { font-size: 18px; height: 40px; }
.wb-decision, .wb-panel { border: 3px solid #1f3a5f; border-radius: 8px; padding: 8px 14px; margin-bottom: 10px;
  background: #f7f9fc; }
.wb-decision .widget-toggle-button, .wb-panel .widget-toggle-button { background: #fff; border: 2px solid #c9d3df; }
.wb-decision .widget-toggle-button:nth-child(1).mod-active, .wb-panel .widget-toggle-button:nth-child(1).mod-active {
  background: #2e7d32; color: #fff; border-color: #2e7d32; }
.wb-decision .widget-toggle-button:nth-child(2).mod-active, .wb-panel .widget-toggle-button:nth-child(2).mod-active {
  background: #c62828; color: #fff; border-color: #c62828; }
.wb-decision .widget-toggle-button:nth-child(3).mod-active { background: #e08a00; color: #fff; border-color: #e08a00; }
.wb-decision .widget-toggle-button.mod-active, .wb-panel .widget-toggle-button.mod-active { box-shadow: none; }
.wb-panel .widget-toggle-button { font-size: 22px; height: 50px; min-width: 110px; margin-right: 10px; border-radius: 6px; }
.wb-panel textarea, .wb-panel input, .wb-panel select { font-size: 20px; }
.wb-panel .wb-record { font-size: 22px; height: 50px; min-width: 200px; }
.wb-decision .widget-toggle-button { font-size: 26px; height: 56px; min-width: 130px; margin-right: 10px;
  border-radius: 6px; }
.wb-decision textarea { font-size: 21px; }
.wb-decision .wb-record { font-size: 24px; height: 54px; min-width: 200px; }
.wb-dtitle { font-size: 24px; font-weight: 700; color: #1f3a5f; }
.wb-whatif-head { border: 4px dashed #6a1b9a; background: repeating-linear-gradient(135deg, #faf5ff, #faf5ff 14px,
  #f3e8fd 14px, #f3e8fd 28px); padding: 10px 16px; border-radius: 8px; margin: 6px 0; }
.wb-whatif-head b { font-size: 30px; color: #6a1b9a; }
.wb-whatif-head div { font-size: 20px; color: #3b2b4f; }
.wb-whatif-controls { align-items: center; }
.wb-whatif-controls .widget-toggle-button { font-size: 21px; height: 48px; padding: 0 16px; margin-right: 6px;
  background: #fff; color: #4a2a6b; border: 2px solid #cbb6e0; border-radius: 6px; }
.wb-whatif-controls .widget-toggle-button.mod-active { background: #6a1b9a; color: #fff; border-color: #6a1b9a;
  box-shadow: none; }
.wb-whatif-controls .widget-slider .noUi-handle { width: 22px; height: 22px; top: -9px; }
.wb-whatif-sum { font-size: 23px; font-weight: 700; color: #4a2a6b; margin: 8px 0 6px 0; }
.wb-whatif-controls .widget-label, .wb-whatif-controls .widget-readout { font-size: 20px; }
table.wb-whatif { border-collapse: collapse; font-size: 21px; width: 100%; }
table.wb-whatif th { background: #4a2a6b; color: #fff; padding: 6px 10px; font-weight: 600; white-space: nowrap; }
table.wb-whatif th.wb-off { background: #1f3a5f; }
table.wb-whatif td { padding: 5px 10px; border-bottom: 1px solid #e6e0ee; }
table.wb-whatif td.wb-num { text-align: right; font-variant-numeric: tabular-nums; }
table.wb-whatif td.wb-off { background: #f4f6f9; }
table.wb-whatif td.wb-move, table.wb-whatif td.wb-status { text-align: center; font-weight: 700; }
table.wb-whatif tr.wb-in td.wb-status { color: #1b5e20; font-weight: 700; }
table.wb-whatif tr.wb-out td.wb-status { color: #b71c1c; font-weight: 700; }
table.wb-whatif td.wb-up { color: #1b5e20; } table.wb-whatif td.wb-down { color: #b71c1c; }
table.wb-whatif tr.wb-cut td { border-top: 5px solid #6a1b9a; }
.wb-pick { display: none !important; }
svg.wb-chart { font-family: inherit; display: block; max-width: 1200px; }
svg.wb-chart .wb-grid { stroke: #e3e7ec; stroke-width: 1; }
svg.wb-chart .wb-tick { font-size: 18px; fill: #3b4654; }
svg.wb-chart .wb-axis { font-size: 20px; fill: #1b1f24; }
svg.wb-chart .wb-value { font-size: 16px; fill: #1b1f24; }
svg.wb-chart .wb-legendtext { font-size: 18px; fill: #1b1f24; }
svg.wb-chart .wb-cutline { stroke: #c62828; stroke-width: 3; stroke-dasharray: 9 6; }
svg.wb-chart .wb-cutlabel { font-size: 18px; fill: #c62828; font-weight: 700; }
svg.wb-chart .wb-interval { stroke-width: 4; stroke-linecap: round; opacity: 0.75; }
svg.wb-chart .wb-interval.wb-thin { stroke-width: 2; }
svg.wb-chart .wb-pt { stroke: #ffffff; stroke-width: 1.5; cursor: pointer; }
svg.wb-chart .wb-official { stroke: #1b1f24; stroke-width: 4; }
svg.wb-chart .wb-alias { font-size: 15px; fill: #3b4654; }
/* the tally stays on screen while a long list scrolls, the tables' headers just under it */
.wb-tally { display: flex; flex-wrap: nowrap; overflow: hidden; align-items: center; gap: 0 22px; font-size: 22px;
  padding: 0 14px; height: 46px; box-sizing: border-box; background: #f4f6f9; border: 1px solid #dfe3e8;
  border-radius: 6px; margin: 0; }
.wb-tally-box { position: sticky !important; top: 0; z-index: 3; background: #ffffff; padding: 8px 0 6px 0; margin: 0 !important;
  box-shadow: 0 -30px 0 0 #ffffff; }
table.wb-ranked th, table.wb-heat th, table.wb-excluded th, table.wb-whatif thead { top: 60px !important; }
.wb-tally .wb-t-cat { font-weight: 700; color: #1f3a5f; }
.wb-tally .wb-t { white-space: nowrap; color: #3b4654; }
.wb-tally .wb-t b { font-size: 25px; color: #1b1f24; }
.wb-tally .wb-approve b { color: #1b5e20; } .wb-tally .wb-reject b { color: #b71c1c; }
.wb-tally .wb-defer b { color: #8a4b00; } .wb-tally .wb-open b { color: #c62828; }
.wb-warnings { background: #fff8e1; border-left: 8px solid #f9a825; padding: 6px 14px; margin: 0 0 8px 0;
  font-size: 20px; line-height: 1.4; }
.wb-warnings ul { margin: 2px 0 0 0; padding-left: 1.2em; }
.wb-older { color: #9a3412; font-size: 18px; margin-top: 2px; }
ol.wb-offers { font-size: 20px; margin: 4px 0; padding-left: 1.6em; }
.wb-replace { border-color: #e08a00; background: #fffaf0; }
table.wb-excluded { width: 100%; border-collapse: collapse; font-size: 20px; }
table.wb-excluded th { background: #1f3a5f; color: #fff; padding: 6px 10px; text-align: left; font-weight: 600;
  white-space: nowrap; position: sticky; top: 0; z-index: 1; }
table.wb-excluded td { padding: 5px 10px; border-bottom: 1px solid #dfe3e8; vertical-align: top; }
table.wb-excluded td.wb-studio { font-weight: 600; min-width: 10em; }
table.wb-excluded td.wb-mark { white-space: nowrap; }
table.wb-excluded td.wb-detail { color: #5b4636; font-size: 18px; }
table.wb-excluded tr.wb-group td { background: #eef1f5; font-weight: 700; color: #1f3a5f; }
.wb-meeting .widget-toggle-button, .wb-meeting .widget-button { white-space: nowrap; overflow: visible; }
.wb-meeting .widget-button { width: auto; padding: 0 16px; }
.wb-decision .wb-record, .wb-panel .wb-record { align-self: flex-start; }
.wb-whatif-controls .widget-text { width: auto !important; }
.wb-whatif-controls .widget-text input { width: 4.2em; min-width: 4.2em; font-size: 20px; text-align: right; }
table.wb-whatif thead { position: sticky; top: 0; z-index: 1; }
.wb-meeting .widget-inline-hbox .widget-label { white-space: nowrap; }
table.wb-ranked td.wb-flags { min-width: 9em; }
/* a 1366x768 laptop: the same screen, tighter; nothing wraps inside a control */
@media (max-width: 1600px) {
  .wb-meeting { font-size: 18px; }
  .wb-head h1 { font-size: 26px; } .wb-head .wb-meta { font-size: 17px; }
  .wb-tabs .widget-toggle-button, .wb-views .widget-toggle-button { font-size: 18px; height: 40px; padding: 0 12px;
    margin-right: 4px; }
  .wb-refresh { height: 42px; min-width: 100px; }
  table.wb-funnel { font-size: 17px; } table.wb-funnel th, table.wb-funnel td { padding: 3px 10px; }
  .wb-section { font-size: 22px; } .wb-section .wb-sub { font-size: 18px; }
  .wb-tally { font-size: 17px; gap: 0 14px; height: 36px; } .wb-tally .wb-t b { font-size: 19px; }
  table.wb-ranked th, table.wb-heat th, table.wb-excluded th, table.wb-whatif thead { top: 50px !important; }
  .wb-warnings { font-size: 16px; }
  .wb-charttitle, .wb-legend { font-size: 15px; }
  table.wb-ranked { font-size: 16px; } table.wb-ranked th { padding: 6px 6px; }
  table.wb-ranked td { padding: 4px 6px; }
  table.wb-ranked td.wb-composite { font-size: 18px; }
  table.wb-ranked .wb-line, table.wb-ranked small { font-size: 14px; }
  table.wb-ranked td.wb-flags { font-size: 14px; min-width: 8em; }
  .wb-chip { font-size: 15px; padding: 0 6px; }
  table.wb-heat, table.wb-whatif, table.wb-excluded { font-size: 16px; }
  .wb-orderbar .widget-button, .wb-decision .wb-record, .wb-panel .wb-record { font-size: 18px; height: 42px;
    min-width: 110px; }
  .wb-panel .widget-toggle-button { font-size: 18px; height: 42px; min-width: 80px; }
  .wb-orderbar .widget-toggle-button { font-size: 17px; height: 40px; padding: 0 10px; }
  .wb-orderbar .widget-dropdown { width: 460px !important; height: 42px; }
  .wb-orderbar select { font-size: 17px; height: 42px; }
  .wb-decision .widget-toggle-button { font-size: 20px; height: 44px; min-width: 90px; }
  .wb-card h2 { font-size: 24px; } .wb-card h3 { font-size: 19px; }
  .wb-card .wb-scoreline { font-size: 19px; } table.wb-facts, .wb-card ul { font-size: 16px; }
  .wb-whatif-head b { font-size: 22px; } .wb-whatif-head div { font-size: 16px; }
  .wb-whatif-controls .widget-toggle-button { font-size: 17px; height: 40px; padding: 0 10px; }
}
</style>
"""


# ---------------------------------------------------------------------------- small formatters
def fmt_score(value: object, precision: int) -> str:
    """A score at the published precision, or the dash when there is none."""
    if value is None or pd.isna(value):
        return labels.MEETING["no_value"]
    return f"{float(value):.{precision}f}"


def fmt_p(value: object) -> str:
    """A probability as a whole percentage, or the dash."""
    if value is None or pd.isna(value):
        return labels.MEETING["no_value"]
    return f"{float(value):.0%}"


def interval_level(rnd: Round) -> str:
    """The configured rank-interval level as the meeting reads it: '90%'."""
    return f"{rnd.diagnostics.interval:.0%}"


def fmt_interval(low: object, high: object) -> str:
    if low is None or high is None or pd.isna(low) or pd.isna(high):
        return labels.MEETING["no_value"]
    return f"{int(low)}" if int(low) == int(high) else f"{int(low)}–{int(high)}"


def _count(value: object) -> int:
    return 0 if value is None or pd.isna(value) else int(value)


def stages_of(ranked: pd.DataFrame, rnd: Round) -> list[str]:
    """The stages in config order that the ranked frame carries a score column for."""
    return [s for s in rnd.stages if f"score_{s}" in ranked.columns]


def category_rows(ranked: pd.DataFrame, category: str) -> pd.DataFrame:
    """One category's ranked rows, in the ranking's order (the frame is already sorted)."""
    return ranked[ranked["category"] == category].reset_index(drop=True)


def annotate(rows: pd.DataFrame, diagnostics: pd.DataFrame, decisions: pd.DataFrame) -> pd.DataFrame:
    """Ranked rows with the rank interval, P(in top N), band and reasons (diagnostics) and the
    recorded decision and note; missing ones are NA. Keeps the rows' order."""
    out = rows.copy()
    diag_cols = ["rank_low", "rank_high", "p_top", "band", "reasons"]
    if diagnostics is not None and not diagnostics.empty and "nomination_id" in diagnostics:
        diag = diagnostics.drop_duplicates("nomination_id").set_index("nomination_id")
        for col in diag_cols:
            out[col] = out["nomination_id"].map(diag[col]) if col in diag else pd.NA
    else:
        for col in diag_cols:
            out[col] = pd.NA
    if decisions is not None and not decisions.empty and "nomination_id" in decisions:
        dec = decisions.drop_duplicates("nomination_id", keep="last").set_index("nomination_id")
        out["decision"] = out["nomination_id"].map(dec["decision"])
        out["decision_note"] = out["nomination_id"].map(dec["note"])
        replaces = dec["replaces"] if "replaces" in dec else pd.Series(dtype="object")
        out["decision_replaces"] = out["nomination_id"].map(replaces)
    else:
        out["decision"] = pd.NA
        out["decision_note"] = pd.NA
        out["decision_replaces"] = pd.NA
    return out


def decision_chip(decision: object, replacement: bool = False) -> str:
    """The decision as a coloured chip; a 递补 says so."""
    if decision is None or pd.isna(decision) or decision not in labels.DECISION:
        return ""
    word = labels.MEETING["chip_replacement"] if replacement and decision == "approve" else labels.DECISION[decision]
    return f'<span class="wb-chip wb-{esc(decision)}">{esc(word)}</span>'


def _is_text(value: object) -> bool:
    return isinstance(value, str) and bool(value)


def _is_borderline(value: object) -> bool:
    return isinstance(value, str) and value == "borderline"


# ---------------------------------------------------------------------------- header, funnel, ranked table
def header_html(snapshot: Snapshot, decisions: pd.DataFrame | None = None) -> str:
    """Round name, snapshot id and data time: every screen says what it shows and from when."""
    m = labels.MEETING
    taken = snapshot.taken_at.strftime("%Y-%m-%d %H:%M:%S")
    decided = decisions if decisions is not None else snapshot.decisions
    count = "" if decided is None or decided.empty else f'&emsp;{esc(m["decisions_count"].format(n=len(decided)))}'
    return (
        f'<div class="wb-head"><h1>{esc(snapshot.rnd.round.name)}</h1>'
        f'<div class="wb-meta">{esc(m["data_time"])}：<b>{esc(taken)}</b>'
        f'&emsp;{esc(m["snapshot"])}：<code>{esc(snapshot.snapshot_id[:12])}</code>{count}</div></div>'
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
    extra = fields["candidates"] - fields["slots"]
    if pd.isna(row["margin"]):
        line = m["competition_na"].format(**fields)
    elif extra <= 0:  # no 差额: never a negative margin (warnings_for says so in words)
        line = m["competition_none"].format(**fields)
    else:
        line = m["competition"].format(**fields, extra=extra, margin=f"{row['margin']:.0%}")
    return (f'<div class="wb-section">{esc(row["label"])}'
            f'<div class="wb-sub">{esc(line)}</div></div>')


def tally_html(tally: pd.DataFrame, category: str) -> str:
    """One category's decisions against its places, on every view: 名额, 拟命名, 通过, 不通过, 暂缓,
    递补, 待审定 and the places still open."""
    m = labels.MEETING
    if tally.empty or category not in set(tally["category"]):
        return ""
    r = tally.set_index("category").loc[category]
    cells = [(m["tally_slots"], r["slots"], ""), (m["tally_proposed"], r["proposed"], ""),
             (labels.DECISION["approve"], r["approve"], "wb-approve"), (labels.DECISION["reject"], r["reject"], "wb-reject"),
             (labels.DECISION["defer"], r["defer"], "wb-defer"), (m["tally_replacements"], r["replacements"], ""),
             (m["tally_undecided"], r["undecided"], ""), (m["tally_open"], r["open"], "wb-open" if r["open"] else "")]
    items = "".join(f'<span class="wb-t {cls}">{esc(k)} <b>{esc(int(v))}</b></span>' for k, v, cls in cells)
    return f'<div class="wb-tally"><span class="wb-t-cat">{esc(r["label"])}</span>{items}</div>'


def warnings_html(found: list, category: str) -> str:
    """The warnings of the category on screen and of the round, one line each; "" when none."""
    mine = [w for w in found if w.category in ("", category)]
    if not mine:
        return ""
    items = "".join(f'<li data-code="{esc(w.code)}">{esc(w.text)}</li>' for w in mine)
    return f'<div class="wb-warnings"><b>{esc(labels.MEETING["warnings_title"])}</b><ul>{items}</ul></div>'


def rows_shown(rows: pd.DataFrame, limit: int | None, current: str | None = None) -> int:
    """How many of a category's ranked rows to draw: all, or `limit` and more if needed to reach
    the row after the cut line, the last borderline row and the `current` candidate."""
    n = len(rows)
    if limit is None or n <= limit:
        return n
    needed = [limit]
    proposed = rows["proposed"].fillna(False).astype(bool).to_numpy() if "proposed" in rows else np.zeros(n, bool)
    if proposed.any():
        needed.append(int(np.flatnonzero(proposed).max()) + 2)
    if "band" in rows:
        border = rows["band"].map(_is_borderline).astype(bool).to_numpy()
        if border.any():
            needed.append(int(np.flatnonzero(border).max()) + 1)
    if current is not None:
        hit = np.flatnonzero(rows["nomination_id"].to_numpy() == current)
        if hit.size:
            needed.append(int(hit[0]) + 1)
    return min(n, max(needed))


def ranked_html(rows: pd.DataFrame, rnd: Round, category: str, current: str | None = None,
                limit: int | None = None) -> str:
    """The ranked list of one category as one HTML table: the 拟命名 cut line after the last
    proposed row, the borderline band marked, the rank interval, P(in top N) and the recorded
    decision. Rows carry `data-nid` so a click opens the card. Only whitelisted columns are
    shown; every value is escaped. `rows` may be plain ranked rows or `annotate`d ones. With a
    `limit`, only the rows `rows_shown` picks are drawn and a last row says how many are not."""
    m, col = labels.MEETING, labels.COLUMNS
    if rows.empty:
        return f'<div class="wb-message">{esc(m["empty_category"])}</div>'
    if "band" not in rows:
        rows = annotate(rows, pd.DataFrame(), pd.DataFrame())
    total = len(rows)
    rows = rows.iloc[:rows_shown(rows, limit, current)]
    precision = rnd.ranking.precision
    stages = stages_of(rows, rnd)
    slots = rnd.categories[category].slots
    head = [(col["rank"], "wb-rank"), (m["col_studio"], "wb-studio"), (m["col_unit"], "wb-unit"),
            *[(rnd.stages[s].label, "wb-num") for s in stages], (col["composite"], "wb-num"),
            (m["col_interval"], "wb-num"), (m["col_p_top"], "wb-num"),
            (m["col_mark"], "wb-mark"), (m["col_decision"], "wb-mark"), (col["flags"], "wb-flags")]
    thead = "".join(f'<th class="{cls}">{esc(h)}</th>' for h, cls in head)
    proposed = rows["proposed"].fillna(False).astype(bool)
    last_proposed = int(proposed[proposed].index.max()) if proposed.any() else -1
    cut = m["cut_line"].format(slots=slots)
    body = []
    for i, r in enumerate(rows.itertuples(index=False)):
        r = r._asdict()
        stage_cells = "".join(
            f'<td class="wb-num">{esc(fmt_score(r[f"score_{s}"], precision))}'
            f'<small>{esc(m["stage_reviewers"].format(n=_count(r.get(f"n_{s}"))))}</small></td>'
            for s in stages
        )
        is_proposed = bool(proposed.iloc[i])
        border = _is_borderline(r.get("band"))
        classes = ["wb-proposed" if is_proposed else "wb-other"] + (["wb-borderline"] if border else [])
        if current is not None and r["nomination_id"] == current:
            classes.append("wb-current")
        flags = "；".join(x for x in (_text(r.get("flags")), _text(r.get("reasons"))) if x)
        band = f'<span class="wb-chip wb-band">{esc(labels.BANDS["borderline"])}</span> ' if border else ""
        body.append(
            f'<tr class="{" ".join(classes)}" data-nid="{esc(r["nomination_id"])}">'
            f'<td class="wb-rank">{esc(r["rank"])}</td>'
            f'<td class="wb-studio">{esc(r["studio"])}'
            f'<span class="wb-line">{esc(m["leader_line"].format(leader=_text(r["leader"])))}</span></td>'
            f'<td class="wb-unit">{esc(r["host_unit"])}'
            f'<span class="wb-line">{esc(m["recommender_line"].format(recommender=_text(r["recommender"])))}</span></td>'
            f'{stage_cells}'
            f'<td class="wb-num wb-composite">{esc(fmt_score(r["composite"], precision))}</td>'
            f'<td class="wb-num">{esc(fmt_interval(r.get("rank_low"), r.get("rank_high")))}</td>'
            f'<td class="wb-num">{esc(fmt_p(r.get("p_top")))}</td>'
            f'<td class="wb-mark">{esc(m["proposed_mark"]) if is_proposed else ""}</td>'
            f'<td class="wb-mark">{decision_chip(r.get("decision"), _is_text(r.get("decision_replaces")))}</td>'
            f'<td class="wb-flags">{band}{esc(flags)}</td></tr>'
        )
        if i == last_proposed:
            body.append(f'<tr class="wb-cut"><td colspan="{len(head)}">▲ {esc(cut)}</td></tr>')
    if len(rows) < total:
        body.append(f'<tr class="wb-more"><td colspan="{len(head)}">'
                    f'{esc(m["table_more"].format(n=total - len(rows)))}</td></tr>')
    legend = f'<div class="wb-legend">{_legend()}</div>'
    return (f'{legend}<table class="wb-ranked"><thead><tr>{thead}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>')


def _legend() -> str:
    text = esc(labels.MEETING["legend"])
    first, rest = text.split("■", 2)[1:] if text.count("■") >= 2 else ("", text)
    return (f'<span class="wb-l-prop">■</span>{first}<span class="wb-l-border">■</span>{rest}'
            if first else text)


# ---------------------------------------------------------------------------- charts
def stage_max(rnd: Round, category: str, stage: str) -> float:
    """The highest total a reviewer can give at `stage` for `category`: the rubric's maxima added up."""
    return float(sum(c.max.get(category, 0) for c in rnd.criteria(category, stage)))


def score_max(rnd: Round, category: str) -> float:
    """The highest composite of a category: each stage's maximum at its weight."""
    return sum(st.weight * stage_max(rnd, category, s) for s, st in rnd.stages.items())


def composite_svg(rows: pd.DataFrame, rnd: Round, category: str) -> str:
    """Composite score by rank position with each candidate's rank interval (the configured level) as a horizontal
    bar, as inline SVG (no script, nothing fetched): 拟命名 red, borderline amber, others grey; the
    cut line dashed after the last proposed candidate. Each point carries a tooltip (<title>) and
    its data-nid, so a click opens the card. Unscored candidates are left out; "" if none."""
    m = labels.MEETING
    if "band" not in rows:
        rows = annotate(rows, pd.DataFrame(), pd.DataFrame())
    scored = rows[rows["composite"].notna()].reset_index(drop=True)
    if scored.empty:
        return ""
    n, precision, slots = len(scored), rnd.ranking.precision, rnd.categories[category].slots
    width, height, left, right, top, bottom = 1100, 340, 84, 24, 52, 64
    values = scored["composite"].astype(float)
    top_score = score_max(rnd, category) or float(values.max())
    y_lo, _ = _padded(values)
    ticks = [t for t in _nice_ticks(max(y_lo, 0.0), top_score) if t <= top_score + 1e-9]
    if ticks[-1] < top_score:
        ticks.append(top_score)  # the axis ends at the rubric's maximum, never above it
    y_lo, y_hi = min(y_lo, ticks[0]), top_score
    x = lambda pos: left + (pos - 0.4) / (n + 0.2) * (width - left - right)  # noqa: E731 - positions 1..n
    y = lambda v: top + (y_hi - v) / (y_hi - y_lo) * (height - top - bottom)  # noqa: E731
    proposed = scored["proposed"].fillna(False).astype(bool)
    border = scored["band"].map(_is_borderline).astype(bool)
    colour = [COLOURS["borderline"] if b else COLOURS["proposed"] if p else COLOURS["other"]
              for p, b in zip(proposed, border)]
    many = n > 60
    radius = 5 if many else 9
    out = [f'<svg class="wb-chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
           f'aria-label="{esc(m["chart_title"].format(level=interval_level(rnd)))}" xmlns="http://www.w3.org/2000/svg">']
    for t in ticks:  # y grid and labels
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y(t):.1f}" y2="{y(t):.1f}" class="wb-grid"/>'
                   f'<text x="{left - 10}" y="{y(t) + 6:.1f}" text-anchor="end" class="wb-tick">{t:g}</text>')
    step = next(s for s in (1, 2, 5, 10, 20, 50, 100, 1000) if n / s <= 25)
    for i in range(0, n, step):  # x labels: the official rank
        out.append(f'<text x="{x(i + 1):.1f}" y="{height - bottom + 26}" text-anchor="middle" class="wb-tick">'
                   f'{esc(scored["rank"].iloc[i])}</text>')
    out.append(f'<text x="{(left + width - right) / 2:.0f}" y="{height - 8}" text-anchor="middle" class="wb-axis">'
               f'{esc(m["chart_x"])}</text>'
               f'<text transform="translate(20,{(top + height - bottom) / 2:.0f}) rotate(-90)" text-anchor="middle" '
               f'class="wb-axis">{esc(m["chart_y"])}</text>')
    if proposed.any() and (~proposed).any():
        cx = x(float(proposed[proposed].index.max()) + 1.5)
        out.append(f'<line x1="{cx:.1f}" x2="{cx:.1f}" y1="{top - 6}" y2="{height - bottom}" class="wb-cutline"/>'
                   f'<text x="{cx + 6:.1f}" y="{top + 10}" class="wb-cutlabel">{esc(m["chart_cut"])}</text>')
    for i, r in scored.iterrows():  # intervals under the points
        lo, hi = r.get("rank_low"), r.get("rank_high")
        if pd.notna(lo) and pd.notna(hi) and int(hi) > int(lo):
            yy = y(float(r["composite"]))
            out.append(f'<line x1="{x(float(lo)):.1f}" x2="{x(float(hi)):.1f}" y1="{yy:.1f}" y2="{yy:.1f}" '
                       f'stroke="{colour[i]}" class="wb-interval{" wb-thin" if many else ""}"/>')
    for i, r in scored.iterrows():
        cx, cy = x(i + 1), y(float(r["composite"]))
        tip = "\n".join(t for t in (
            _text(r["studio"]), f'{m["chart_y"]} {fmt_score(r["composite"], precision)}',
            m["chart_hover_interval"].format(level=interval_level(rnd), low=_int_or_dash(r["rank_low"]),
                                             high=_int_or_dash(r["rank_high"]))
            if pd.notna(r.get("rank_low")) else "",
            m["chart_hover_p"].format(slots=slots, p=fmt_p(r["p_top"])) if pd.notna(r.get("p_top")) else "") if t)
        out.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{radius}" fill="{colour[i]}" class="wb-pt" '
                   f'data-nid="{esc(r["nomination_id"])}"><title>{esc(tip)}</title></circle>')
        if n <= 12:
            out.append(f'<text x="{cx:.1f}" y="{cy - radius - 8:.1f}" text-anchor="middle" class="wb-value">'
                       f'{esc(fmt_score(r["composite"], precision))}</text>')
    legend = [(m["chart_proposed"], COLOURS["proposed"], (proposed & ~border).any()),
              (m["chart_borderline"], COLOURS["borderline"], border.any()),
              (m["chart_other"], COLOURS["other"], (~proposed & ~border).any())]
    lx = left
    for label, fill, shown in legend:
        if shown:
            out.append(f'<circle cx="{lx + 8}" cy="18" r="8" fill="{fill}"/>'
                       f'<text x="{lx + 22}" y="24" class="wb-legendtext">{esc(label)}</text>')
            lx += 40 + 19 * len(label)
    out.append("</svg>")
    return "".join(out)


def _nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering [lo, hi]."""
    raw = (hi - lo) / max(count - 1, 1)
    step = next(s for s in (0.5, 1, 2, 2.5, 5, 10, 20, 25, 50) if s >= raw)
    first = step * np.floor(lo / step)
    return [float(first + k * step) for k in range(int(np.ceil((hi - first) / step)) + 1)]


def _int_or_dash(value: object) -> str:
    return labels.MEETING["no_value"] if value is None or pd.isna(value) else str(int(value))


def _padded(values: pd.Series) -> list[float]:
    """A y range with room above the highest point for its label."""
    lo, hi = float(values.min()), float(values.max())
    span = max(hi - lo, 5.0)
    return [lo - 0.12 * span, hi + 0.22 * span]


def message_html(text: str, *, error: bool = False, small: bool = False, ok: bool = False) -> str:
    cls = "wb-message" + (" wb-error" if error else "") + (" wb-small" if small else "") + (" wb-ok" if ok else "")
    return f'<div class="{cls}">{esc(text)}</div>'


# ---------------------------------------------------------------------------- criterion breakdown
def breakdown_html(rows: pd.DataFrame, rnd: Round, category: str) -> str:
    """A heat table of the criterion breakdown (crit_<code>) of one category: a row per candidate
    in rank order, a column per rubric criterion headed with its label and maximum from the config,
    shaded by the candidate's place within the category on that criterion; a mean row at the end."""
    m = labels.MEETING
    precision = rnd.ranking.precision
    scored = rows[rows["composite"].notna()].reset_index(drop=True)
    if scored.empty:
        return message_html(m["no_scores"] if not rows.empty else m["empty_category"])
    criteria = [c for c in rnd.rubric if f"crit_{c.code}" in scored.columns]
    head = [f'<th>{esc(labels.COLUMNS["rank"])}</th>', f'<th>{esc(labels.COLUMNS["studio"])}</th>']
    head += [f'<th>{esc(c.label)}<small>{esc(m["breakdown_max"].format(max=c.max[category]))}</small></th>'
             for c in criteria]
    head.append(f'<th>{esc(labels.COLUMNS["composite"])}</th>')
    shades = {c.code: scored[f"crit_{c.code}"].astype(float).rank(pct=True) for c in criteria}
    proposed = scored["proposed"].fillna(False).astype(bool)
    last_proposed = int(proposed[proposed].index.max()) if proposed.any() and (~proposed).any() else -1
    body = []
    for i, r in scored.iterrows():
        cells = [f'<td class="wb-rank">{esc(r["rank"])}</td>', f'<td class="wb-studio">{esc(r["studio"])}</td>']
        for c in criteria:
            value, shade = r[f"crit_{c.code}"], shades[c.code].iloc[i]
            cells.append(f'<td style="{_heat(shade)}">{esc(fmt_score(value, 1))}</td>')
        cells.append(f'<td class="wb-rank">{esc(fmt_score(r["composite"], precision))}</td>')
        cls = ' class="wb-cut"' if i == last_proposed + 1 and last_proposed >= 0 else ""
        body.append(f"<tr{cls}>{''.join(cells)}</tr>")
    means = "".join(f'<td>{esc(fmt_score(scored[f"crit_{c.code}"].astype(float).mean(), 1))}</td>' for c in criteria)
    body.append(f'<tr class="wb-mean"><td></td><td class="wb-studio">{esc(m["breakdown_mean"])}</td>{means}'
                f'<td>{esc(fmt_score(scored["composite"].astype(float).mean(), precision))}</td></tr>')
    return (f'<div class="wb-section">{esc(m["breakdown_title"])}</div>'
            f'<div class="wb-note">{esc(m["breakdown_note"])}</div>'
            f'<table class="wb-heat"><thead><tr>{"".join(head)}</tr></thead><tbody>{"".join(body)}</tbody></table>')


def _heat(shade: float) -> str:
    """Background and text colour for a within-category percentile in [0, 1] (blue scale)."""
    if shade is None or pd.isna(shade):
        return "background:#ffffff"
    light, dark = (240, 245, 251), (21, 67, 128)
    t = max(0.0, min(1.0, float(shade))) ** 1.3
    rgb = tuple(round(a + (b - a) * t) for a, b in zip(light, dark))
    text = "#ffffff" if t > 0.55 else "#1b1f24"
    return f"background:rgb{rgb};color:{text}"


# ---------------------------------------------------------------------------- discussion order
def discussion_order(rows: pd.DataFrame, mode: str = "rank") -> list[str]:
    """The order in which the meeting discusses one category's candidates: the ranked order, or
    (mode "borderline") the borderline band first, each part in ranked order. Unranked last."""
    if mode not in ORDERS:
        raise ValueError(f"unknown discussion order {mode!r}")
    if rows.empty:
        return []
    ids = rows["nomination_id"].tolist()
    if mode == "rank" or "band" not in rows:
        return ids
    border = rows["band"].map(_is_borderline).astype(bool).tolist()
    return [i for i, b in zip(ids, border) if b] + [i for i, b in zip(ids, border) if not b]


def order_options(rows: pd.DataFrame, order: list[str]) -> list[tuple[str, str]]:
    """Dropdown options (label, nomination_id) for the discussion order."""
    m = labels.MEETING
    by_id = rows.set_index("nomination_id")
    options = []
    for i, nid in enumerate(order, start=1):
        r = by_id.loc[nid]
        studio = _text(r["studio"])
        label = (m["item"].format(i=i, studio=studio, rank=int(r["rank"])) if pd.notna(r["rank"])
                 else m["item_unranked"].format(i=i, studio=studio))
        options.append((label, nid))
    return options


# ---------------------------------------------------------------------------- candidate card
def card_html(snapshot: Snapshot, nomination_id: str, decisions: pd.DataFrame | None = None) -> str:
    """The candidate card: title with rank, band and decision; scores and rank interval; facts from
    the screened frame (never contact, phone or free notes); screening verdicts, failing rules and
    overrides; the reviewers' comments under their alias 评委k. Everything escaped."""
    m, rnd = labels.MEETING, snapshot.rnd
    decisions = snapshot.decisions if decisions is None else decisions
    ranked = annotate(snapshot.ranked[snapshot.ranked["nomination_id"] == nomination_id],
                      snapshot.diagnostics, decisions)
    if ranked.empty:
        return ""
    r = ranked.iloc[0]
    screened = snapshot.screened[snapshot.screened["nomination_id"] == nomination_id]
    s = screened.iloc[0] if not screened.empty else pd.Series(dtype=object)
    category = r["category"]
    precision = rnd.ranking.precision
    badge = m["card_rank"].format(rank=int(r["rank"])) if pd.notna(r["rank"]) else m["card_unranked"]
    chips = ""
    if _is_borderline(r.get("band")):
        chips += f' <span class="wb-chip wb-band">{esc(labels.BANDS["borderline"])}</span>'
    if pd.notna(r.get("decision")) and r.get("decision") in labels.DECISION:
        chips += " " + decision_chip(r["decision"])
    stage_bits = "".join(f'<span>{esc(rnd.stages[st].label)} {esc(fmt_score(r.get(f"score_{st}"), precision))}</span>'
                         for st in stages_of(ranked, rnd))
    parts = [f'<div class="wb-card"><h2><span class="wb-rankbadge">{esc(badge)}</span>{esc(r["studio"])}{chips}</h2>',
             f'<div class="wb-scoreline">{esc(m["card_scores"].format(composite=fmt_score(r["composite"], precision)))}'
             f'{stage_bits}</div>']
    if pd.notna(r.get("rank_low")):
        parts.append(f'<div class="wb-note">{esc(m["card_interval"].format(level=interval_level(rnd), low=_int_or_dash(r["rank_low"]), high=_int_or_dash(r["rank_high"]), slots=rnd.categories[category].slots, p=fmt_p(r["p_top"])))}</div>')
    if _is_borderline(r.get("band")) and _text(r.get("reasons")):
        parts.append(f'<div class="wb-reasons">{esc(m["card_borderline"].format(reasons=_text(r["reasons"])))}</div>')
    parts.append(dossier_html(s, rnd, members=_of(snapshot.members, nomination_id),
                              achievements=_of(snapshot.achievements, nomination_id), title=False))
    parts.append(f'<h3>{esc(m["card_comments"])}</h3>{comments_html(snapshot, nomination_id)}')
    parts.append("</div>")
    return "".join(parts)


def comments_html(snapshot: Snapshot, nomination_id: str) -> str:
    """The submitted sheets' comments of one candidate, under 评委k and the stage, never a name."""
    m = labels.MEETING
    sheets = snapshot.sheets
    if sheets is None or sheets.empty:
        return f'<div class="wb-note">{esc(m["card_no_comments"])}</div>'
    mine = sheets[(sheets["nomination_id"] == nomination_id) & (sheets["status"] == "submitted")]
    mine = mine[mine["comment"].fillna("").str.strip() != ""]
    if mine.empty:
        return f'<div class="wb-note">{esc(m["card_no_comments"])}</div>'
    order = {s: i for i, s in enumerate(snapshot.rnd.stages)}
    mine = mine.assign(_s=mine["stage"].map(order), _a=mine["reviewer_id"].map(_alias_number(snapshot)))
    items = []
    for r in mine.sort_values(["_s", "_a"]).itertuples(index=False):
        alias = snapshot.reviewer_alias.get(r.reviewer_id, labels.MEETING["no_value"])
        stage = snapshot.rnd.stages[r.stage].label if r.stage in snapshot.rnd.stages else r.stage
        head = m["card_comment"].format(alias=alias, stage=stage, total=f"{float(r.total):g}")
        items.append(f"<li><b>{esc(head)}</b>{esc(scrub(r.comment.strip(), snapshot.reviewer_alias))}</li>")
    return f"<ul>{''.join(items)}</ul>"


def _alias_number(snapshot: Snapshot) -> dict[str, int]:
    return {rid: i for i, rid in enumerate(snapshot.reviewer_alias)}


ALIAS_LEVEL_PX = 18  # vertical step between label rows on the spread chart


def label_levels(xs: list[float], widths: list[float], gap: float = 6.0) -> list[int]:
    """Rows for labels centred at `xs` (in any order) so that no two labels on a row overlap: each
    label takes the lowest row whose last label ends before it starts. Returns the row of each."""
    ends: list[float] = []
    levels = [0] * len(xs)
    for i in sorted(range(len(xs)), key=lambda k: xs[k]):
        start = xs[i] - widths[i] / 2
        row = next((k for k, end in enumerate(ends) if end + gap <= start), len(ends))
        if row == len(ends):
            ends.append(0.0)
        ends[row] = xs[i] + widths[i] / 2
        levels[i] = row
    return levels


def _label_width(text: str, size: float = 15.0) -> float:
    """Approximate width of a label in SVG units: CJK characters a full em, others about half."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.6 for ch in text)


def spread_svg(snapshot: Snapshot, nomination_id: str) -> str:
    """A strip plot of the reviewers' totals per stage as inline SVG: a point per sheet labelled
    评委k (never a name), hollow for the sheets the olympic rule drops, a black tick at the stage's
    official score. The axis ends at the rubric's maximum; labels are set in rows above and below
    the points so that none overlaps another. "" when the candidate has no submitted sheet."""
    m, rnd = labels.MEETING, snapshot.rnd
    scores = snapshot.scores
    if scores is None or scores.empty:
        return ""
    totals = sheet_totals(scores[scores["nomination_id"] == nomination_id])
    if totals.empty:
        return ""
    kept = retained(totals, rnd.ranking.trim_min, rnd.ranking.aggregation)
    row = snapshot.ranked[snapshot.ranked["nomination_id"] == nomination_id]
    category = row["category"].iloc[0] if not row.empty else next(iter(rnd.categories))
    stages = [s for s in rnd.stages if (kept["stage"] == s).any()]
    top_score = max([stage_max(rnd, category, s) for s in stages] + [float(kept["total"].max())])
    lo, hi = float(kept["total"].min()), float(kept["total"].max())
    pad = max(2.0, 0.08 * (hi - lo))
    ticks = [t for t in _nice_ticks(lo - pad, min(hi + pad, top_score), 6) if t <= top_score + 1e-9]
    x_lo, x_hi = ticks[0], max(ticks[-1], min(hi + pad, top_score))
    width, left, right, top, bottom = 820, 120, 30, 8, 66
    layouts = []
    x = lambda v: left + (v - x_lo) / max(x_hi - x_lo, 1e-9) * (width - left - right)  # noqa: E731
    for stage in stages:
        part = kept[kept["stage"] == stage].sort_values(["total", "reviewer_id"]).reset_index(drop=True)
        aliases = [snapshot.reviewer_alias.get(r, m["no_value"]) for r in part["reviewer_id"]]
        xs = [x(float(v)) for v in part["total"]]
        levels = label_levels(xs, [_label_width(a) for a in aliases])
        layouts.append((stage, part, aliases, xs, levels))
    half = [max([lv // 2 for lv in levels if lv % 2 == side] + [0]) for _, _, _, _, levels in layouts
            for side in (0, 1)]
    reach = 30 + ALIAS_LEVEL_PX * (max(half) + 1)  # room above and below the points for the label rows
    band = 2 * reach + 10
    height = top + band * len(stages) + bottom
    out = [f'<svg class="wb-chart wb-spread" viewBox="0 0 {width} {height}" width="100%" role="img" '
           f'aria-label="{esc(m["card_spread"])}" xmlns="http://www.w3.org/2000/svg">']
    for t in ticks:
        out.append(f'<line x1="{x(t):.1f}" x2="{x(t):.1f}" y1="{top}" y2="{height - bottom}" class="wb-grid"/>'
                   f'<text x="{x(t):.1f}" y="{height - bottom + 26}" text-anchor="middle" class="wb-tick">{t:g}</text>')
    out.append(f'<text x="{(left + width - right) / 2:.0f}" y="{height - 6}" text-anchor="middle" class="wb-axis">'
               f'{esc(m["spread_x"].format(max=f"{top_score:g}"))}</text>')
    for k, (stage, part, aliases, xs, levels) in enumerate(layouts):
        mid = top + band * k + band / 2
        colour = COLOURS["stages"][k % len(COLOURS["stages"])]
        out.append(f'<text x="{left - 14}" y="{mid + 7:.0f}" text-anchor="end" class="wb-axis">'
                   f'{esc(rnd.stages[stage].label)}</text>')
        same = part.groupby("total").cumcount() - part.groupby("total")["total"].transform("size").sub(1) / 2
        spread = max(float(same.abs().max()), 1.0)
        official = row[f"score_{stage}"].iloc[0] if not row.empty and f"score_{stage}" in row else None
        if official is not None and pd.notna(official):
            ox = x(float(official))
            out.append(f'<line x1="{ox:.1f}" x2="{ox:.1f}" y1="{mid - 22:.0f}" y2="{mid + 22:.0f}" class="wb-official">'
                       f'<title>{esc(rnd.stages[stage].label)} {float(official):.2f}</title></line>')
        trimmed = bool((part["weight"] < 1 - 1e-9).any())  # the rule drops exactly one lowest and one highest
        for j, r in part.iterrows():
            cx, cy = xs[j], mid + 12 * float(same.iloc[j]) / spread  # tied totals stacked within ±12
            dropped = trimmed and j in (0, len(part) - 1)
            fill = "#ffffff" if dropped else colour
            level = levels[j]
            ty = mid - 26 - ALIAS_LEVEL_PX * (level // 2) if level % 2 == 0 else mid + 38 + ALIAS_LEVEL_PX * (level // 2)
            out.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="9" fill="{fill}" stroke="{colour}" stroke-width="3">'
                       f'<title>{esc(aliases[j])}：{float(r["total"]):g}</title></circle>'
                       f'<text x="{cx:.1f}" y="{ty:.1f}" text-anchor="middle" class="wb-alias">{esc(aliases[j])}</text>')
    out.append("</svg>")
    return "".join(out)


# ---------------------------------------------------------------------------- decisions
def decision_status_html(snapshot: Snapshot, decisions: pd.DataFrame, nomination_id: str) -> str:
    """What the store holds for this candidate now: the decision, who recorded it, when, its version
    and the snapshot it was made on (flagged when that is not the one on screen)."""
    m = labels.MEETING
    d = decision_of(decisions, nomination_id)
    if d is None:
        return f'<div class="wb-note">{esc(m["decision_none"])}</div>'
    note = f"（{scrub(_text(d['note']), {})}）" if _text(d["note"]) else ""
    at = d["at"].strftime("%m-%d %H:%M") if d["at"] is not None and pd.notna(d["at"]) else ""
    replaced, is_replacement = "", _is_text(d.get("replaces"))
    word = labels.DECISION.get(d["decision"], d["decision"])
    if is_replacement:
        hit = snapshot.ranked.loc[snapshot.ranked["nomination_id"] == d["replaces"], "studio"]
        replaced = m["decision_replaces"].format(studio=hit.iloc[0] if not hit.empty else d["replaces"])
        word = m["chip_replacement"] if d["decision"] == "approve" else word
    version = d.get("version")
    text = m["decision_current"].format(decision=word, note=note,
                                        replaced=replaced, actor=_text(d.get("actor")), at=at,
                                        version=int(version) if version is not None and pd.notna(version) else 1,
                                        snapshot=_text(d["snapshot_id"])[:12])
    older = (f'<div class="wb-older">{esc(m["decision_older"])}</div>'
             if _text(d["snapshot_id"]) and d["snapshot_id"] != snapshot.snapshot_id else "")
    return f'<div class="wb-note">{decision_chip(d["decision"], is_replacement)} {esc(text)}</div>{older}'


def offers_html(offers: pd.DataFrame, replaced_studio: str) -> str:
    """The 递补 offered for a place left by a 不通过 / 暂缓: rank, studio, composite and band, in order."""
    m = labels.MEETING
    if offers.empty:
        return f'<div class="wb-note">{esc(m["replace_none"])}</div>'
    items = []
    for r in offers.itertuples(index=False):
        r = r._asdict()
        band = (f' <span class="wb-chip wb-band">{esc(labels.BANDS["borderline"])}</span>'
                if _is_borderline(r.get("band")) else "")
        items.append(f'<li>{esc(m["replace_item"].format(rank=_int_or_dash(r["rank"]), studio=r["studio"], composite=fmt_score(r["composite"], 2)))}{band}</li>')
    return (f'<div class="wb-note">{esc(m["replace_intro"].format(studio=replaced_studio))}</div>'
            f'<ol class="wb-offers">{"".join(items)}</ol>')


def store_recorder(store, actor: str | None = None) -> Callable[..., pd.DataFrame]:
    """A `record` callable for the app: writes one decision (or 递补) to the store, which checks its
    version again, and returns the store's current decisions. A stale write is re-raised with the
    current decisions attached (`exc.decisions`), so the screen can show who changed what."""
    from workbench.errors import StaleWriteError

    who = actor or os.environ.get("WORKBENCH_ACTOR") or labels.MEETING["actor"]

    def record(nomination_id: str, decision: str, note: str, snapshot_id: str, version: int | None = None,
               replaces: str | None = None) -> pd.DataFrame:
        try:
            store.record_decision(nomination_id, decision, note, snapshot_id, who, version, replaces=replaces)
        except StaleWriteError as exc:
            exc.decisions = store.decisions()
            raise
        return store.decisions()

    return record


def store_ruler(store, actor: str | None = None) -> Callable[[str, str, str, str], None]:
    """A `rule` callable for the app: the meeting's ruling on a candidate not on the list, recorded
    as an override with its reason (the app has checked it with `check_ruling`)."""
    who = actor or os.environ.get("WORKBENCH_ACTOR") or labels.MEETING["actor"]

    def rule(nomination_id: str, verdict: str, value: str, reason: str) -> None:
        store.record_override(nomination_id, verdict, value, reason, who)

    return rule


# ---------------------------------------------------------------------------- the excluded
def excluded_html(rows: pd.DataFrame, rnd: Round, category: str | None = None) -> str:
    """Everyone not on the ranked list, grouped by why (待核实, 不合格, 超出推荐名额, 尚无评分), with the
    failing rules or the quota reason, 特别优秀直接推荐 marked, and what the meeting is asked to rule."""
    m = labels.MEETING
    if category is not None:
        rows = rows[rows["category"] == category]
    if rows.empty:
        return message_html(m["excluded_none"], small=True)
    head = "".join(f"<th>{esc(h)}</th>" for h in (m["ex_col_studio"], m["ex_col_recommender"], m["ex_col_reason"],
                                                     m["ex_col_detail"], m["ex_col_ask"]))
    body = []
    for reason, part in rows.groupby("reason", sort=False):
        body.append(f'<tr class="wb-group"><td colspan="5">{esc(m["ex_reason_" + reason])}（{len(part)}）</td></tr>')
        for r in part.itertuples(index=False):
            direct = f' <span class="wb-chip wb-band">{esc(labels.CARD_FACT_LABELS["direct"])}</span>' if r.direct else ""
            ask = (m["ex_ask"].format(verdict=labels.OVERRIDE_VERDICTS.get(r.verdict, r.verdict)) if r.verdict else "")
            done = f' <span class="wb-chip wb-approve">{esc(m["ex_ruled"])}</span>' if r.overridden else ""
            body.append(f'<tr data-ex="{esc(r.nomination_id)}"><td class="wb-studio">{esc(r.studio)}{direct}</td>'
                        f'<td>{esc(r.recommender)}</td><td class="wb-mark">{esc(m["ex_reason_" + r.reason])}</td>'
                        f'<td class="wb-detail">{esc(r.detail)}</td><td class="wb-mark">{esc(ask)}{done}</td></tr>')
    return (f'<table class="wb-excluded"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>')


# ---------------------------------------------------------------------------- what-if
def check_weights(rnd: Round, weights: dict[str, object]) -> dict[str, int]:
    """Stage weights as whole percentages (0–100) for every stage of the round, adding up to 100:
    anything else is refused (DecisionError bad_weights), never rescaled behind the meeting's back."""
    values = {s: weights.get(s) for s in rnd.stages}
    ok = all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 100 for v in values.values())
    total = sum(v for v in values.values() if isinstance(v, (int, float)) and not isinstance(v, bool))
    if not ok or set(weights) - set(rnd.stages) or total != 100:
        raise DecisionError("bad_weights", total=f"{total:g}" if isinstance(total, (int, float)) else "?")
    return values


def what_if_round(rnd: Round, aggregation: str, weights: dict[str, int]) -> Round:
    """A copy of the round with another aggregation and stage weights given as percentages (see `check_weights`)."""
    if aggregation not in AGGREGATIONS:
        raise ValueError(f"unknown aggregation {aggregation!r}")
    percent = check_weights(rnd, weights)
    stages = {s: st.model_copy(update={"weight": percent[s] / 100}) for s, st in rnd.stages.items()}
    return rnd.model_copy(update={"ranking": rnd.ranking.model_copy(update={"aggregation": aggregation}),
                                  "stages": stages})


_LAST_SHEETS: list = [None, None]  # (weak reference to a snapshot's scores frame, its Sheets)


def _sheets(snapshot: Snapshot) -> Sheets:
    """The snapshot's submitted sheets as the ranking kernel's codes, built once per snapshot:
    moving a what-if slider re-aggregates them, it does not re-read the long scores frame."""
    ref, sheets = _LAST_SHEETS
    if ref is None or ref() is not snapshot.scores:
        sheets = submitted_sheets(snapshot.scores, snapshot.rnd)
        _LAST_SHEETS[:] = [weakref.ref(snapshot.scores), sheets]
    return sheets


def what_if(snapshot: Snapshot, aggregation: str, weights: dict[str, int]) -> pd.DataFrame:
    """The ranked list under another aggregation and weights, next to the official one: per
    candidate the official rank, composite and 拟命名, the preview's, the move (positive: up) and the
    change (in / out / ""). A pure function of the snapshot: nothing is written anywhere."""
    rnd2 = what_if_round(snapshot.rnd, aggregation, weights)
    preview = rank(snapshot.screened, _sheets(snapshot), rnd2)  # the official kernel, other aggregation and weights
    official = snapshot.ranked[["nomination_id", "category", "studio", "rank", "composite", "proposed"]]
    out = preview[["nomination_id", "rank", "composite", "proposed"]].rename(
        columns={"rank": "preview_rank", "composite": "preview_composite", "proposed": "preview_proposed"})
    out = out.merge(official, on="nomination_id", how="left")
    out["move"] = (out["rank"].astype("Float64") - out["preview_rank"].astype("Float64")).astype("Float64")
    was, now = out["proposed"].fillna(False).astype(bool), out["preview_proposed"].fillna(False).astype(bool)
    out["change"] = pd.Series(["in" if n and not w else "out" if w and not n else "" for w, n in zip(was, now)],
                              index=out.index, dtype="str")
    return out[["nomination_id", "category", "studio", "rank", "composite", "proposed", "preview_rank",
                "preview_composite", "preview_proposed", "move", "change"]].reset_index(drop=True)


def what_if_html(preview: pd.DataFrame, rnd: Round, category: str, snapshot_id: str) -> str:
    """The preview of one category, ordered by the preview's rank, official figures alongside."""
    m, col = labels.MEETING, labels.COLUMNS
    rows = preview[preview["category"] == category].reset_index(drop=True)
    if rows.empty:
        return message_html(m["empty_category"])
    precision = rnd.ranking.precision
    n_in, n_out = int((rows["change"] == "in").sum()), int((rows["change"] == "out").sum())
    summary = m["whatif_same"] if n_in == n_out == 0 else m["whatif_changes"].format(n_in=n_in, n_out=n_out)
    head = (f'<tr><th colspan="3">{esc(m["whatif_preview"])}</th><th colspan="3" class="wb-off">{esc(m["whatif_official"])}</th>'
            f'<th rowspan="2">{esc(m["whatif_move"])}</th><th rowspan="2">{esc(m["whatif_status"])}</th></tr>'
            f'<tr><th>{esc(col["rank"])}</th><th>{esc(col["studio"])}</th><th>{esc(col["composite"])}</th>'
            f'<th class="wb-off">{esc(col["rank"])}</th><th class="wb-off">{esc(col["composite"])}</th>'
            f'<th class="wb-off">{esc(col["proposed"])}</th></tr>')
    now = rows["preview_proposed"].fillna(False).astype(bool)
    last = int(now[now].index.max()) if now.any() and (~now).any() else -1
    body = []
    for i, r in rows.iterrows():
        move = r["move"]
        if move is None or pd.isna(move) or move == 0:
            move_cell, move_cls = "—", ""
        else:
            move_cell, move_cls = (f"↑{int(move)}", "wb-up") if move > 0 else (f"↓{int(-move)}", "wb-down")
        status = {"in": m["whatif_in"], "out": m["whatif_out"]}.get(r["change"], "")
        cls = {"in": "wb-in", "out": "wb-out"}.get(r["change"], "")
        if i == last + 1 and last >= 0:
            cls += " wb-cut"
        body.append(
            f'<tr class="{cls.strip()}"><td class="wb-num">{esc(r["preview_rank"])}</td><td>{esc(r["studio"])}</td>'
            f'<td class="wb-num">{esc(fmt_score(r["preview_composite"], precision))}</td>'
            f'<td class="wb-num wb-off">{esc(r["rank"])}</td>'
            f'<td class="wb-num wb-off">{esc(fmt_score(r["composite"], precision))}</td>'
            f'<td class="wb-off">{esc(m["proposed_mark"]) if bool(r["proposed"]) else ""}</td>'
            f'<td class="wb-move {move_cls}">{esc(move_cell)}</td><td class="wb-status">{esc(status)}</td></tr>')
    return (f'<div class="wb-whatif-sum">{esc(summary)}</div>'
            f'<table class="wb-whatif"><thead>{head}</thead><tbody>{"".join(body)}</tbody></table>')


def what_if_head_html(snapshot_id: str, weights_text: str) -> str:
    m = labels.MEETING
    return (f'<div class="wb-whatif-head"><b>{esc(m["whatif_title"])}</b>'
            f'<div>{esc(m["whatif_sub"].format(snapshot=snapshot_id[:12]))}</div>'
            f'<div>{esc(weights_text)}</div></div>')


# ---------------------------------------------------------------------------- photos (I/O edge)
def _of(frame: pd.DataFrame, nomination_id: str) -> pd.DataFrame | None:
    """The rows of one nomination in one of the snapshot's dossier tables (None: the table is not there)."""
    if frame is None or "nomination_id" not in frame:
        return None
    return frame[frame["nomination_id"] == nomination_id]


def photo_uris(rnd: Round, row: pd.Series) -> list[tuple[str, str]]:
    """The studio's photos as (caption, data: URI), from the dossier."""
    return dossier_photo_uris(rnd.inbox, row)


# ---------------------------------------------------------------------------- widget shell
class MeetingApp(widgets.VBox):
    """The meeting screen. `refresh()` (or the 刷新 button) calls `load()` and redraws;
    `refresh_if_stale()` does so only when `probe()` says the data changed; `record(...)` writes
    a decision through the `record` callable, after `check_decision`."""

    def __init__(self, load: Callable[[], Snapshot], *, probe: Callable[[], str] | None = None,
                 record: Callable[..., pd.DataFrame] | None = None,
                 rule: Callable[[str, str, str, str], None] | None = None,
                 photos: Callable[[Round, pd.Series], list[tuple[str, str]]] | None = photo_uris):
        m = labels.MEETING
        self._load, self._probe, self._record, self._photos = load, probe, record, photos
        self._rule = rule
        self.snapshot: Snapshot | None = None
        self.decisions: pd.DataFrame = pd.DataFrame()
        self.current: str | None = None  # the nomination under discussion
        self._photo_cache: dict[str, list[tuple[str, str]]] = {}
        self._preview: tuple | None = None  # (key, frame) of the last what-if
        self._quiet = False
        self._held: tuple | None = None  # what hold() covered
        # header
        self.header = widgets.HTML(layout=widgets.Layout(flex="1 1 auto"))
        self.refresh_button = widgets.Button(description=m["refresh"], icon="refresh", tooltip=m["refresh_tip"],
                                             button_style="primary", style=BIG)
        self.refresh_button.add_class("wb-refresh")
        self.refresh_button.on_click(lambda _: self.refresh())
        self.message = widgets.HTML()
        # navigation: category and view
        self.category = widgets.ToggleButtons(options=[], style={"button_width": "auto", "font_weight": "600"})
        self.category.add_class("wb-tabs")
        self.view = widgets.ToggleButtons(options=[(m[f"view_{v}"], v) for v in VIEWS], value="ranking",
                                          style={"button_width": "auto", "font_weight": "600"})
        self.view.add_class("wb-views")
        for w in (self.category, self.view):
            w.observe(lambda _: None if self._quiet else self._show(), names="value")
        self.nav = widgets.HBox([self.category, self.view], layout=widgets.Layout(
            width="100%", justify_content="space-between", align_items="center", flex_flow="row wrap"))
        self.nav.add_class("wb-nav")
        # on every view: the category's decisions against its places, and the warnings
        self.tally = widgets.HTML(layout=widgets.Layout(width="100%"))
        self.tally.add_class("wb-tally-box")
        self.warnings = widgets.HTML(layout=widgets.Layout(width="100%"))
        # ranking view (the one the screen opens on; the other views are built when first shown)
        self.funnel = widgets.HTML()
        self.section = widgets.HTML()
        self.chart_title = widgets.HTML()
        self.chart = widgets.HTML(layout=widgets.Layout(width="auto"))
        self.table = widgets.HTML(layout=widgets.Layout(width="100%"))
        left = widgets.VBox([self.funnel, self.section],
                            layout=widgets.Layout(width="40%", min_width="600px", margin="0 24px 0 0"))
        right = widgets.VBox([self.chart_title, self.chart], layout=widgets.Layout(flex="1 1 auto", width="auto"))
        overview = widgets.HBox([left, right], layout=widgets.Layout(width="100%", align_items="flex-start"))
        self.show_all = widgets.Button(description=m["show_all"].format(n=0), style=BIG, icon="list",
                                       layout=widgets.Layout(width="auto", align_self="center", margin="10px 0"))
        self.show_all.add_class("wb-more-button")
        self.show_all.on_click(lambda _: self._show_all_rows())
        self.show_all.layout.display = "none"
        self._all_rows: str | None = None  # the category whose whole list the meeting asked for
        self.ranking_view = widgets.VBox([overview, self.table, self.show_all], layout=widgets.Layout(width="100%"))
        # a row click in the ranked table arrives here (workbench.js in the Voila template)
        self.pick = widgets.Text(value="", continuous_update=True)
        self.pick.add_class("wb-pick")
        self.pick.observe(self._picked, names="value")
        self.views: dict[str, widgets.Widget] = {"ranking": self.ranking_view}
        self.body = widgets.VBox([self.nav, self.tally, self.warnings, self.ranking_view, self.pick],
                                 layout=widgets.Layout(width="100%"))
        top = widgets.HBox([self.header, self.refresh_button],
                           layout=widgets.Layout(width="100%", align_items="center", justify_content="space-between"))
        super().__init__([widgets.HTML(STYLE + DOSSIER_STYLE), top, self.message, self.body], layout=widgets.Layout(width="100%"))
        self.add_class("wb-meeting")
        self.refresh()

    # ------------------------------------------------------------------ the views built on first use
    def __getattr__(self, name: str):
        """A widget of a view not built yet (say `app.card`) builds that view first. Every widget
        costs the page a model to create when it opens, so the screen opens with the ranking only."""
        view = LAZY_WIDGETS.get(name)
        if view is None or "views" not in self.__dict__ or view in self.__dict__["views"]:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        self._build(view)
        return self.__dict__[name]

    def _build(self, name: str) -> widgets.Widget:
        """The widgets of one view, made once and placed in the body (hidden until shown)."""
        if name not in self.views:
            view = {"breakdown": self._build_breakdown, "discussion": self._build_discussion,
                    "excluded": self._build_excluded, "whatif": self._build_whatif}[name]()
            view.layout.display = "none"
            self.views[name] = view
            self.body.children = (self.nav, self.tally, self.warnings, *self.views.values(), self.pick)
        return self.views[name]

    def _build_breakdown(self) -> widgets.Widget:
        self.breakdown = widgets.HTML(layout=widgets.Layout(width="100%"))
        return self.breakdown

    def _build_discussion(self) -> widgets.Widget:
        """Order bar, card, spread, photos, materials, the decision panel and the 递补 panel."""
        m = labels.MEETING
        self.order = widgets.ToggleButtons(options=[(m["order_rank"], "rank"), (m["order_borderline"], "borderline")],
                                           value="rank", style={"button_width": "auto"})
        self.order.observe(lambda _: None if self._quiet else self._reorder(), names="value")
        self.prev_button = widgets.Button(description=m["prev"], style=BIG)
        self.next_button = widgets.Button(description=m["next"], style=BIG)
        self.prev_button.on_click(lambda _: self.step(-1))
        self.next_button.on_click(lambda _: self.step(1))
        self.item = widgets.Dropdown(options=[], layout=widgets.Layout(width="720px"))
        self.item.observe(lambda ch: None if self._quiet or ch["new"] is None else self.open_card(ch["new"]),
                          names="value")
        self.position = widgets.HTML()
        order_label = widgets.HTML(f'<b style="font-size:22px">{esc(m["order_label"])}</b>')
        bar = widgets.HBox([order_label, self.order, self.prev_button, self.item, self.next_button, self.position],
                           layout=widgets.Layout(width="100%", flex_flow="row wrap", grid_gap="10px"))
        bar.add_class("wb-orderbar")
        self.card = widgets.HTML(layout=widgets.Layout(width="100%"))
        self.spread_title = widgets.HTML(f'<div class="wb-dtitle">{esc(m["card_spread"])}</div>'
                                         f'<div class="wb-note">{esc(m["card_spread_note"])}</div>')
        self.spread = widgets.HTML(layout=widgets.Layout(width="auto"))
        self.photo_box = widgets.HTML()
        self.choice = widgets.ToggleButtons(options=[(v, k) for k, v in labels.DECISION.items()], value=None,
                                            style={"button_width": "auto", "font_weight": "700"})
        self.note = widgets.Textarea(placeholder=m["decision_note"].format(max=NOTE_MAX_CHARS),
                                     continuous_update=False, layout=widgets.Layout(width="98%", height="64px"))
        self.record_button = widgets.Button(description=m["decision_record"], button_style="success", icon="check",
                                            style=BIG)
        self.record_button.add_class("wb-record")
        self.record_button.on_click(lambda _: self.record(self.current, self.choice.value, self.note.value))
        self.decision_status = widgets.HTML()
        self.decision_box = widgets.VBox([widgets.HTML(f'<div class="wb-dtitle">{esc(m["decision_title"])}</div>'),
                                          self.choice, self.note, self.record_button, self.decision_status])
        self.decision_box.add_class("wb-decision")
        # 递补: offered while a place left by a 不通过 / 暂缓 is vacant
        self.offers = widgets.HTML()
        self.offer = widgets.Dropdown(options=[], layout=widgets.Layout(width="98%"))
        self.offer_note = widgets.Text(placeholder=m["decision_note"].format(max=NOTE_MAX_CHARS),
                                       continuous_update=False, layout=widgets.Layout(width="98%"))
        self.offer_button = widgets.Button(description=m["replace_record"], button_style="warning", icon="check",
                                           style=BIG)
        self.offer_button.add_class("wb-record")
        self.offer_button.on_click(lambda _: self.replace(self.offer.value, self.current, self.offer_note.value))
        self.offer_status = widgets.HTML()
        self.replace_box = widgets.VBox([widgets.HTML(f'<div class="wb-dtitle">{esc(m["replace_title"])}</div>'),
                                         self.offers, self.offer, self.offer_note, self.offer_button, self.offer_status])
        self.replace_box.add_class("wb-panel")
        self.replace_box.add_class("wb-replace")
        self.replace_box.layout.display = "none"
        self.materials = MaterialsViewer(page_width=900)
        side = widgets.VBox([self.decision_box, self.replace_box, self.spread_title, self.spread, self.photo_box,
                             self.materials.widget],
                            layout=widgets.Layout(width="44%", min_width="640px"))
        card_row = widgets.HBox([widgets.Box([self.card], layout=widgets.Layout(width="56%", margin="0 24px 0 0")),
                                 side],
                                layout=widgets.Layout(width="100%", align_items="flex-start"))
        self.discussion_view = widgets.VBox([bar, card_row], layout=widgets.Layout(width="100%"))
        return self.discussion_view

    def _build_excluded(self) -> widgets.Widget:
        """Everyone not on the ranked list, and the meeting's rulings on them."""
        m = labels.MEETING
        self.excluded_table = widgets.HTML(layout=widgets.Layout(width="100%"))
        self.ruling_item = widgets.Dropdown(options=[], layout=widgets.Layout(width="98%"))
        self.ruling_item.observe(lambda _: None if self._quiet else self._ruling_values(), names="value")
        self.ruling_value = widgets.ToggleButtons(options=[], value=None, style={"button_width": "auto",
                                                                               "font_weight": "700"})
        self.ruling_reason = widgets.Textarea(placeholder=m["ruling_reason"], continuous_update=False,
                                              layout=widgets.Layout(width="98%", height="64px"))
        self.ruling_button = widgets.Button(description=m["ruling_record"], button_style="warning", icon="gavel",
                                            style=BIG)
        self.ruling_button.add_class("wb-record")
        self.ruling_button.on_click(lambda _: self.rule(self.ruling_item.value, self.ruling_value.value,
                                                        self.ruling_reason.value))
        self.ruling_status = widgets.HTML()
        self.ruling_box = widgets.VBox([widgets.HTML(f'<div class="wb-dtitle">{esc(m["ruling_title"])}</div>'
                                                     f'<div class="wb-note">{esc(m["ruling_note"])}</div>'),
                                        self.ruling_item, self.ruling_value, self.ruling_reason, self.ruling_button,
                                        self.ruling_status], layout=widgets.Layout(width="34%", min_width="420px"))
        self.ruling_box.add_class("wb-panel")
        self.excluded_view = widgets.HBox(
            [widgets.Box([self.excluded_table], layout=widgets.Layout(flex="1 1 auto", margin="0 24px 0 0")),
             self.ruling_box], layout=widgets.Layout(width="100%", align_items="flex-start"))
        return self.excluded_view

    def _build_whatif(self) -> widgets.Widget:
        """Another aggregation and stage weights, previewed beside the official list."""
        m = labels.MEETING
        self.aggregation = widgets.ToggleButtons(options=[(m[f"agg_{a}"], a) for a in AGGREGATIONS], value="olympic",
                                                 style={"button_width": "auto"})
        self.weights: dict[str, widgets.BoundedIntText] = {}  # one per stage (percent), built with the first snapshot
        self.aggregation.observe(lambda _: None if self._quiet else self._show_whatif(), names="value")
        self.whatif_head = widgets.HTML()
        self.whatif_controls = widgets.HBox(
            [widgets.HTML(f'<b style="font-size:22px">{esc(m["whatif_aggregation"])}</b>'), self.aggregation],
            layout=widgets.Layout(width="100%", flex_flow="row wrap", grid_gap="14px"))
        self.whatif_controls.add_class("wb-whatif-controls")
        self.whatif_table = widgets.HTML(layout=widgets.Layout(width="100%"))
        self.whatif_view = widgets.VBox([self.whatif_head, self.whatif_controls, self.whatif_table],
                                        layout=widgets.Layout(width="100%"))
        if self.snapshot is not None and not self.snapshot.empty:
            self._quiet = True
            try:
                self._ensure_weight_inputs(self.snapshot.rnd)
            finally:
                self._quiet = False
        return self.whatif_view

    # ------------------------------------------------------------------ data
    def refresh(self) -> None:
        """Re-read everything through `load()`; a failure shows a message, never a traceback."""
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
        self.decisions = snapshot.decisions if snapshot.decisions is not None else pd.DataFrame()
        self._photo_cache.clear()
        self._preview = None
        self.header.value = header_html(snapshot, self.decisions)
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
            if "whatif" in self.views:
                self._ensure_weight_inputs(rnd)
        finally:
            self._quiet = False
        if self.current is not None and self.current not in set(snapshot.ranked["nomination_id"]):
            self.current = None
        self._show()

    def refresh_if_stale(self) -> bool:
        """Refresh only when `probe()` differs from the shown snapshot's fingerprint (or there is
        no probe, or nothing is shown). Returns whether it refreshed."""
        if self._probe is not None and self.snapshot is not None and self.snapshot.fingerprint:
            try:
                if self._probe() == self.snapshot.fingerprint:
                    return False
            except Exception:  # noqa: BLE001 - when in doubt, re-read
                log.exception("meeting: probing for changes failed")
        self.refresh()
        return True

    def hold(self) -> None:
        """Cover the screen with "checking the data" until `release()`: what a preheated kernel drew
        when the pool was filled may be stale by the time a viewer opens the page."""
        self._held = (self.message.value, self.body.layout.display)
        self.message.value = message_html(labels.MEETING["checking"])
        self.body.layout.display = "none"

    def release(self) -> None:
        """Uncover the screen `hold()` covered, unless something was drawn over it since (a refresh)."""
        held, self._held = self._held, None
        if held is not None and self.message.value == message_html(labels.MEETING["checking"]):
            self.message.value, self.body.layout.display = held

    def _ensure_weight_inputs(self, rnd: Round) -> None:
        """One percentage box per stage of the round (built on the first snapshot), at the official weights."""
        if set(self.weights) != set(rnd.stages):
            for w in self.weights.values():
                w.close()
            m = labels.MEETING
            self.weights = {s: widgets.BoundedIntText(min=0, max=100, step=5, continuous_update=False,
                                                      description=m["whatif_weight"].format(stage=st.label),
                                                      style={"description_width": "initial"},
                                                      layout=widgets.Layout(width="auto"))
                            for s, st in rnd.stages.items()}
            for w in self.weights.values():
                w.observe(lambda _: None if self._quiet else self._show_whatif(), names="value")
            controls = self.whatif_controls
            controls.children = controls.children[:2] + tuple(self.weights.values())
        for s, w in self.weights.items():
            w.value = round(rnd.stages[s].weight * 100)
        self.aggregation.value = rnd.ranking.aggregation

    # ------------------------------------------------------------------ drawing
    def rows(self, category: str | None = None) -> pd.DataFrame:
        """The annotated ranked rows of a category (the one shown by default)."""
        snap = self.snapshot
        category = category or self.category.value
        return annotate(category_rows(snap.ranked, category), snap.diagnostics, self.decisions)

    def _show(self) -> None:
        snapshot, category = self.snapshot, self.category.value
        if snapshot is None or snapshot.empty or category is None:
            return
        self._build(self.view.value)
        for name, view in self.views.items():
            view.layout.display = None if name == self.view.value else "none"
        self._show_tally()
        {"ranking": self._show_ranking, "breakdown": self._show_breakdown, "discussion": self._show_discussion,
         "excluded": self._show_excluded, "whatif": self._show_whatif}[self.view.value]()

    def _show_tally(self) -> None:
        """The decisions against places and the warnings of the category on screen (every view)."""
        snap, category = self.snapshot, self.category.value
        self.tally.value = tally_html(summary(snap.ranked, self.decisions, snap.rnd), category)
        self.warnings.value = warnings_html(warnings_for(snap, self.decisions), category)

    def _show_excluded(self) -> None:
        rows = excluded(self.snapshot)
        self.excluded_table.value = excluded_html(rows, self.snapshot.rnd, self.category.value)
        ask = rows[(rows["category"] == self.category.value) & (rows["verdict"] != "")]
        current = self.ruling_item.value
        self._quiet = True
        try:
            self.ruling_item.options = [(f"{r.studio}（{labels.MEETING['ex_reason_' + r.reason]}）", r.nomination_id)
                                        for r in ask.itertuples(index=False)]
            self.ruling_item.value = current if current in set(ask["nomination_id"]) else (
                ask["nomination_id"].iloc[0] if not ask.empty else None)
        finally:
            self._quiet = False
        self._ruling_values()
        self.ruling_box.layout.display = None if self._rule is not None and not ask.empty else "none"

    def _show_ranking(self) -> None:
        snapshot, category = self.snapshot, self.category.value
        rnd = snapshot.rnd
        rows = self.rows()
        self.funnel.value = funnel_html(snapshot.funnel, rnd, current=category)
        self.section.value = competition_html(snapshot.ranked, rnd, category)
        shown = rows_shown(rows, None if self._all_rows == category else TABLE_ROWS, self.current)
        self.table.value = ranked_html(rows, rnd, category, current=self.current, limit=shown)
        self.show_all.description = labels.MEETING["show_all"].format(n=len(rows))
        self.show_all.layout.display = None if shown < len(rows) else "none"
        self.chart.value = composite_svg(rows, rnd, category)
        if not rows.empty and not self.chart.value:
            self.section.value += message_html(labels.MEETING["no_scores"], small=True)
        self.chart.layout.display = None if self.chart.value else "none"
        self.chart_title.value = f'<div class="wb-charttitle">{esc(labels.MEETING["chart_title"].format(level=interval_level(rnd)))}</div>'
        self.chart_title.layout.display = self.chart.layout.display

    def _show_all_rows(self) -> None:
        """The whole ranked list of the category on screen (for this category, from now on)."""
        self._all_rows = self.category.value
        self._show_ranking()

    def _show_breakdown(self) -> None:
        self.breakdown.value = breakdown_html(self.rows(), self.snapshot.rnd, self.category.value)

    def _discussion_ids(self) -> list[str]:
        return discussion_order(self.rows(), self.order.value)

    def _show_discussion(self) -> None:
        rows = self.rows()
        order = self._discussion_ids()
        self._quiet = True
        try:
            self.item.options = order_options(rows, order)
            if self.current not in order:
                self.current = order[0] if order else None
            self.item.value = self.current
        finally:
            self._quiet = False
        self._draw_card()

    def _reorder(self) -> None:
        if self.view.value == "discussion":
            self._show_discussion()

    def step(self, delta: int) -> None:
        """Move the current item along the discussion order (‹ ›) and open its card."""
        if self.snapshot is None or self.snapshot.empty:
            return
        order = self._discussion_ids()
        if not order:
            return
        i = order.index(self.current) if self.current in order else -1
        i = min(max(i + delta, 0), len(order) - 1)
        self.open_card(order[i])

    def open_card(self, nomination_id: str) -> None:
        """Show the card of a candidate (switching category and view as needed)."""
        snap = self.snapshot
        if snap is None or snap.empty or not isinstance(nomination_id, str):
            return
        match = snap.ranked.loc[snap.ranked["nomination_id"] == nomination_id, "category"]
        if match.empty:
            return  # not a candidate of this snapshot: ignored
        self.current = nomination_id
        if self.choice.value is not None or self.note.value:
            self._quiet = True
            try:
                self.choice.value, self.note.value = None, ""
            finally:
                self._quiet = False
        self._quiet = True
        try:
            self.category.value = match.iloc[0]
            self.view.value = "discussion"
        finally:
            self._quiet = False
        self._show()

    def _picked(self, change) -> None:
        value = change["new"]
        if not value:
            return
        self.pick.value = ""  # so the same row can be clicked again
        if isinstance(value, str) and len(value) <= 64:
            self.open_card(value)

    def _draw_card(self) -> None:
        m = labels.MEETING
        snap, nid = self.snapshot, self.current
        order = self._discussion_ids()
        if nid is None:
            self.card.value = message_html(m["empty_category"])
            self.spread.value, self.photo_box.value, self.decision_status.value = "", "", ""
            self.position.value = ""
            self.decision_box.layout.display = "none"
            return
        self.position.value = f'<b style="font-size:22px">{esc(m["position"].format(i=order.index(nid) + 1, n=len(order)))}</b>'
        self.prev_button.disabled = order.index(nid) == 0
        self.next_button.disabled = order.index(nid) == len(order) - 1
        self.card.value = card_html(snap, nid, self.decisions)
        self.spread.value = spread_svg(snap, nid)
        self.spread.layout.display = None if self.spread.value else "none"
        self.spread_title.layout.display = self.spread.layout.display
        row = snap.screened[snap.screened["nomination_id"] == nid]
        if nid not in self._photo_cache:
            self._photo_cache[nid] = (self._photos(snap.rnd, row.iloc[0]) if self._photos and not row.empty else [])
        self.photo_box.value = (f'<div class="wb-dtitle">{esc(m["card_photos"])}</div>'
                                + photos_html(self._photo_cache[nid], nid))
        self.materials.load(material_files(snap.rnd.inbox, row.iloc[0]) if not row.empty else [])
        self.decision_box.layout.display = None if self._record is not None else "none"
        self.decision_status.value = decision_status_html(snap, self.decisions, nid)
        self._draw_offers()

    def _draw_offers(self) -> None:
        """The 递补 panel: shown on the card of a proposed candidate the meeting rejected or deferred."""
        nid = self.current
        rows = self.rows()
        if self._record is None or nid is None or nid not in vacated(rows, self.decisions):
            self.replace_box.layout.display = "none"
            return
        offers = replacement_offers(rows, self.decisions)
        studio = rows.loc[rows["nomination_id"] == nid, "studio"].iloc[0]
        self.offers.value = offers_html(offers, studio)
        self._quiet = True
        try:
            self.offer.options = [(labels.MEETING["replace_option"].format(rank=_int_or_dash(r.rank), studio=r.studio),
                                   r.nomination_id) for r in offers.itertuples(index=False)]
            self.offer.value = offers["nomination_id"].iloc[0] if not offers.empty else None
        finally:
            self._quiet = False
        self.offer.layout.display = self.offer_note.layout.display = self.offer_button.layout.display = (
            None if not offers.empty else "none")
        self.replace_box.layout.display = None

    def _show_whatif(self) -> None:
        m = labels.MEETING
        snap = self.snapshot
        if snap is None or snap.empty or self.view.value != "whatif":
            return
        weights = {s: w.value for s, w in self.weights.items()}
        total = sum(v for v in weights.values() if isinstance(v, int))
        shown = "、".join(f"{snap.rnd.stages[s].label} {v}%" for s, v in weights.items())
        self.whatif_head.value = what_if_head_html(snap.snapshot_id, m["whatif_weights"].format(weights=shown, total=total))
        try:
            weights = check_weights(snap.rnd, weights)
        except DecisionError as exc:
            self._preview = None
            self.whatif_table.value = message_html(str(exc), error=True, small=True)
            return
        key = (snap.snapshot_id, self.aggregation.value, tuple(sorted(weights.items())))
        if self._preview is None or self._preview[0] != key:
            self._preview = (key, what_if(snap, self.aggregation.value, weights))
        self.whatif_table.value = what_if_html(self._preview[1], snap.rnd, self.category.value, snap.snapshot_id)

    # ------------------------------------------------------------------ decisions
    def record(self, nomination_id: object, decision: object, note: object, *, replaces: object = None,
               status: widgets.HTML | None = None) -> bool:
        """Validate and write one decision (or, with `replaces`, a 递补) against the snapshot on screen
        and the version of the decision the screen shows; shows the outcome. A decision changed
        elsewhere meanwhile is not overwritten: the screen says who changed it, when, and shows it.
        Returns whether it was recorded."""
        m = labels.MEETING
        status = status or self.decision_status
        if self._record is None:
            return False
        if decision is None:
            status.value = message_html(m["decision_pick"], error=True, small=True)
            return False
        try:
            nid, decision, note = check_decision(self.snapshot, nomination_id, decision, note)
            if replaces is not None:
                replaces = check_replacement(self.snapshot, self.decisions, nid, replaces)
            seen = decision_of(self.decisions, nid)
            version = check_version(None if seen is None else int(seen["version"]))
            self.decisions = self._record(nid, decision, note, self.snapshot.snapshot_id, version, replaces)
        except Exception as exc:  # noqa: BLE001 - shown as a message, never a traceback
            own = getattr(exc, "code", None) is not None
            if not own:
                log.exception("meeting: recording a decision failed")
            if getattr(exc, "decisions", None) is not None:  # changed elsewhere: show what is there now
                self.decisions = exc.decisions
                self._redraw_decisions()
            why = str(exc) if own else m["load_failed"]
            status.value = message_html(m["decision_failed"].format(why=why), error=True, small=True)
            return False
        studio = self.snapshot.ranked.loc[self.snapshot.ranked["nomination_id"] == nid, "studio"].iloc[0]
        stored = decision_of(self.decisions, nid)  # the store's time, as every other time of a decision
        at = stored["at"].strftime("%H:%M:%S") if stored and stored["at"] is not None and pd.notna(stored["at"]) else ""
        saved = m["decision_saved"].format(studio=studio, decision=labels.DECISION[decision],
                                           snapshot=self.snapshot.snapshot_id[:12], at=at)
        self._redraw_decisions()
        status.value = message_html(saved, small=True, ok=True) + (
            decision_status_html(self.snapshot, self.decisions, nid) if status is self.decision_status else "")
        return True

    def replace(self, nomination_id: object, replaces: object, note: object = "") -> bool:
        """Record a 递补: approve `nomination_id`, one of the candidates offered, in place of
        `replaces`, a proposed candidate the meeting rejected or deferred. A decision of its own."""
        note = note if isinstance(note, str) and note.strip() else labels.MEETING["replace_default_note"]
        done = self.record(nomination_id, "approve", note, replaces=replaces, status=self.offer_status)
        if done:
            self.offer_note.value = ""
            self._draw_offers()
        return done

    def _redraw_decisions(self) -> None:
        """Header, tally, warnings and the open card after the decisions changed."""
        self.header.value = header_html(self.snapshot, self.decisions)
        self._show_tally()
        if self.current is not None and self.view.value == "discussion":
            self.card.value = card_html(self.snapshot, self.current, self.decisions)
            self.decision_status.value = decision_status_html(self.snapshot, self.decisions, self.current)
            self._draw_offers()

    # ------------------------------------------------------------------ rulings on the excluded
    def _ruling_values(self) -> None:
        rows = excluded(self.snapshot) if self.snapshot is not None and not self.snapshot.empty else pd.DataFrame()
        hit = rows[rows["nomination_id"] == self.ruling_item.value] if not rows.empty else rows
        values = hit.iloc[0]["values"] if not hit.empty else ()
        vocab = {"eligibility": labels.ELIGIBILITY, "quota_status": labels.QUOTA_STATUS}
        words = vocab.get(hit.iloc[0]["verdict"], {}) if not hit.empty else {}
        self._quiet = True
        try:
            self.ruling_value.options = [(words.get(v, v), v) for v in values]
            self.ruling_value.value = None
        finally:
            self._quiet = False

    def rule(self, nomination_id: object, value: object, reason: object) -> bool:
        """The meeting's ruling on a candidate not on the list: checked (`check_ruling`), recorded as
        an override with its reason, then the round is re-read (the candidate may join the list)."""
        m = labels.MEETING
        if self._rule is None:
            return False
        try:
            ruling = check_ruling(self.snapshot, nomination_id, value, reason)
            self._rule(ruling.nomination_id, ruling.verdict, ruling.value, ruling.reason)
        except Exception as exc:  # noqa: BLE001 - shown as a message, never a traceback
            own = getattr(exc, "code", None) is not None
            if not own:
                log.exception("meeting: recording a ruling failed")
            self.ruling_status.value = message_html(m["decision_failed"].format(why=str(exc) if own else m["load_failed"]),
                                                    error=True, small=True)
            return False
        studio = self.snapshot.screened.loc[self.snapshot.screened["nomination_id"] == ruling.nomination_id, "studio"].iloc[0]
        self.ruling_reason.value = ""
        self.refresh()
        self.ruling_status.value = message_html(m["ruling_saved"].format(studio=studio), small=True, ok=True)
        return True


def _first_with_rows(counts: pd.Series, rnd: Round) -> str:
    """The category the screen opens on: the first in config order with candidates under review."""
    return next((c for c in rnd.categories if counts.get(c, 0) > 0), next(iter(rnd.categories)))


def meeting_app(load: Callable[[], Snapshot], *, probe: Callable[[], str] | None = None,
                record: Callable[..., pd.DataFrame] | None = None,
                rule: Callable[[str, str, str, str], None] | None = None) -> MeetingApp:
    """The meeting dashboard over `load()`, which must return a fresh `Snapshot` on every call;
    `probe()` a cheap fingerprint of the data (see `workbench.state.fingerprint`); `record`
    writes a decision (see `store_recorder`); without it the decision panel is hidden; `rule`
    records the meeting's ruling on a candidate not on the list (see `store_ruler`)."""
    return MeetingApp(load, probe=probe, record=record, rule=rule)


def meeting_for_round(rnd: Round, *, actor: str | None = None) -> MeetingApp:
    """The meeting dashboard of a round, wired to its store: what dashboards/meeting.ipynb shows."""
    from workbench.state import fingerprint, load_state
    from workbench.store import open_store

    store = open_store(rnd)
    return meeting_app(lambda: load_state(rnd, store), probe=lambda: fingerprint(rnd, store),
                       record=store_recorder(store, actor), rule=store_ruler(store, actor))
