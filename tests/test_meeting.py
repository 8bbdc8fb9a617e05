"""The meeting screen's widget layer, driven the way the projector operator meets it: a category
switch, a refresh button, and what ends up in the HTML and the chart. No browser, no kernel."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
from html.parser import HTMLParser

import ipywidgets as widgets
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import workbench as wb
from workbench import labels
from workbench.meeting import COLOURS, meeting_app
from workbench.snapshot import FUNNEL_STEPS, Snapshot

REVIEWER_NAMES = ["钱学评", "孙审阅", "周打分", "吴专家", "郑评议", "冯考察"]


@pytest.fixture(autouse=True)
def _close_widgets():
    yield
    widgets.Widget.close_all()


@pytest.fixture(scope="module")
def rnd():
    return wb.load_round(wb.DEFAULT_ROUND)


# ---------------------------------------------------------------------------- synthetic snapshots
def make_snapshot(rnd, sizes: dict[str, int], *, seed: int = 1, unscored: tuple[str, ...] = ()) -> Snapshot:
    """A snapshot following the data contracts: `sizes` candidates under review per category,
    each with a contact, a phone and reviewers named by their real names in the scores."""
    rng = random.Random(seed)
    stages = list(rnd.stages)
    noms, ranked, scores = [], [], []
    for category, n in sizes.items():
        slots = rnd.categories[category].slots
        composites = sorted((round(rng.uniform(60, 98), 2) for _ in range(n)), reverse=True)
        for i, composite in enumerate(composites):
            nid = f"{category[:3].upper()}{seed}{i:03d}"
            studio = f"{rnd.categories[category].short}第{seed}-{i + 1}号创新工作室"
            contact, phone = f"联系人{category[:2]}{i}", f"139{seed:02d}{i:06d}"
            noms.append({"nomination_id": nid, "category": category, "recommender": f"推荐工会{i % 4}",
                         "studio": studio, "host_unit": f"无锡某某公司{i}", "leader": f"领衔人{i}",
                         "contact": contact, "phone": phone, "note": f"电话{phone}",
                         "eligibility": "eligible", "eligibility_reasons": [], "quota_group": "model",
                         "quota_status": "in_quota", "quota_reason": ""})
            scored = category not in unscored
            row = {"nomination_id": nid, "category": category, "recommender": f"推荐工会{i % 4}",
                   "studio": studio, "host_unit": f"无锡某某公司{i}", "leader": f"领衔人{i}"}
            for s in stages:
                row[f"score_{s}"] = composite if scored else None
                row[f"n_{s}"] = len(REVIEWER_NAMES) if scored else 0
            row |= {"composite": composite if scored else None, "untrimmed_mean": composite if scored else None,
                    "rank": i + 1 if scored else None, "tied": False,
                    "proposed": scored and i < slots, "flags": "" if scored else labels.RANK_FLAGS["no_scores"]}
            ranked.append(row)
            if scored:
                for reviewer in REVIEWER_NAMES:
                    scores.append({"nomination_id": nid, "reviewer_id": reviewer, "stage": stages[0],
                                   "criterion": rnd.rubric[0].code, "points": 10.0, "status": "submitted",
                                   "updated_at": dt.datetime(2022, 11, 1)})
    ranked_df = pd.DataFrame(ranked)
    if not ranked_df.empty:
        for s in stages:
            ranked_df[f"score_{s}"] = ranked_df[f"score_{s}"].astype("Float64")
            ranked_df[f"n_{s}"] = ranked_df[f"n_{s}"].astype("Int64")
        for c in ("composite", "untrimmed_mean"):
            ranked_df[c] = ranked_df[c].astype("Float64")
        ranked_df["rank"] = ranked_df["rank"].astype("Int64")
    funnel = pd.DataFrame(
        [{"category": c, "step": step, "label": labels.FUNNEL[step],
          "count": sum(1 for r in ranked if r["category"] == c and (step != "proposed" or r["proposed"]))}
         for c in rnd.categories for step in FUNNEL_STEPS],
        columns=["category", "step", "label", "count"],
    )
    snapshot_id = hashlib.sha256(f"{seed}{sizes}".encode()).hexdigest()
    # the two candidates either side of each cut line are borderline
    diag = []
    for category in sizes:
        part = [r for r in ranked if r["category"] == category and r["rank"] is not None]
        slots = rnd.categories[category].slots
        for r in part:
            near = abs(r["rank"] - slots - 0.5) < 1
            diag.append({"nomination_id": r["nomination_id"], "rank_low": max(r["rank"] - 1, 1),
                         "rank_high": r["rank"] + 1, "p_top": 0.5 if near else float(r["rank"] <= slots),
                         "band": "borderline" if near else ("in" if r["rank"] <= slots else "out"),
                         "reasons": "进入前N名的概率为50%" if near else ""})
    sheets = pd.DataFrame(
        [{"reviewer_id": sc["reviewer_id"], "nomination_id": sc["nomination_id"], "stage": sc["stage"],
          "total": sc["points"], "comment": f"{sc['reviewer_id']}认为材料扎实，电话13912345678", "status": "submitted",
          "version": 1, "updated_at": sc["updated_at"]} for sc in scores],
        columns=["reviewer_id", "nomination_id", "stage", "total", "comment", "status", "version", "updated_at"])
    return Snapshot(rnd=rnd, snapshot_id=snapshot_id, taken_at=dt.datetime(2022, 11, 10, 9, seed % 60),
                    screened=pd.DataFrame(noms), scores=pd.DataFrame(scores), ranked=ranked_df, funnel=funnel,
                    reviewer_alias={r: f"评委{k + 1}" for k, r in enumerate(REVIEWER_NAMES)},
                    sheets=sheets, diagnostics=pd.DataFrame(diag),
                    decisions=pd.DataFrame(columns=["nomination_id", "decision", "note", "snapshot_id", "actor", "at"]))


# ---------------------------------------------------------------------------- reading the widget tree
def walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def find(app, kind):
    return [w for w in walk(app) if type(w) is kind]


def visible_text(app) -> str:
    """Every HTML value, every button/toggle label, and the chart's JSON: what can reach the screen."""
    parts = []
    for w in walk(app):
        if isinstance(w, widgets.HTML):
            parts.append(w.value)
        if isinstance(w, (widgets.Button, widgets.ToggleButtons)):
            parts.append(w.description)
        if isinstance(w, widgets.ToggleButtons):
            parts.extend(label for label in w._options_labels)
        if isinstance(w, widgets.Output):
            parts.append(json.dumps(w.outputs, ensure_ascii=False))
    return "\n".join(parts)


class Rows(HTMLParser):
    """The ranked table's rows as (css class, [cell texts]); a cell's text is its first text node
    (the studio, not the leader line under it). `nids` holds each row's data-nid ("" for the cut)."""

    def __init__(self, text: str):
        super().__init__()
        self.rows: list[tuple[str, list[str]]] = []
        self.nids: list[str] = []
        self._in_body = False
        self._cell: list[str] | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        if tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.rows.append((dict(attrs).get("class", ""), []))
            self.nids.append(dict(attrs).get("data-nid", ""))
        elif tag == "td" and self._in_body:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self.rows[-1][1].append(self._cell[0] if self._cell else "")
            self._cell = None
        elif tag == "tbody":
            self._in_body = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def ranked_tables(app) -> list[Rows]:
    return [Rows(w.value) for w in find(app, widgets.HTML) if '<table class="wb-ranked"' in w.value]


class Svg(HTMLParser):
    """The elements of an inline SVG chart as (tag, attributes)."""

    def __init__(self, text: str):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def points(self) -> list[dict]:
        return [a for t, a in self.elements if t == "circle" and "data-nid" in a]


def chart_outputs(app) -> list[Svg]:
    """The ranking view's chart, if drawn."""
    return [Svg(app.chart.value)] if app.chart.value and app.chart.layout.display != "none" else []


# ---------------------------------------------------------------------------- tests
def test_category_switch_changes_table(rnd):
    snap = make_snapshot(rnd, {"demonstration": 7, "model_worker": 24, "employee": 13})
    app = meeting_app(lambda: snap)
    switch = find(app, widgets.ToggleButtons)[0]
    shown = {}
    for code in rnd.categories:
        switch.value = code
        (table,) = ranked_tables(app)
        studios = {cells[1] for cls, cells in table.rows if "wb-cut" not in cls}
        expected = set(snap.ranked.loc[snap.ranked["category"] == code, "studio"])
        assert studios == expected
        shown[code] = studios
    assert len(set.union(*shown.values())) == sum(len(s) for s in shown.values())


@pytest.mark.parametrize("sizes", [{"demonstration": 9, "model_worker": 27, "employee": 14},
                                   {"demonstration": 3, "model_worker": 21, "employee": 10}])
def test_cut_line_after_exactly_the_slots(rnd, sizes):
    snap = make_snapshot(rnd, sizes, seed=3)
    app = meeting_app(lambda: snap)
    switch = find(app, widgets.ToggleButtons)[0]
    for code, cat in rnd.categories.items():
        switch.value = code
        (table,) = ranked_tables(app)
        classes = [cls for cls, _ in table.rows]
        assert classes.count("wb-cut") == 1
        cut = classes.index("wb-cut")
        n_proposed = min(cat.slots, sizes[code])
        assert cut == n_proposed
        assert all(c.split()[0] == "wb-proposed" for c in classes[:cut])
        assert all(c.split()[0] == "wb-other" for c in classes[cut + 1:])
        cut_text = table.rows[cut][1][0]
        assert labels.MEETING["cut_line"].format(slots=cat.slots) in cut_text
        marks = [cells[-3] for cls, cells in table.rows if cls != "wb-cut"]
        assert marks.count(labels.MEETING["proposed_mark"]) == n_proposed


def test_a_long_list_is_drawn_in_part_until_the_meeting_asks_for_all(rnd):
    from workbench.meeting import TABLE_ROWS

    n = TABLE_ROWS + 25
    snap = make_snapshot(rnd, {"demonstration": 2, "model_worker": n, "employee": 3}, seed=7)
    app = meeting_app(lambda: snap)
    app.category.value = "model_worker"
    (table,) = ranked_tables(app)
    drawn = [nid for nid in table.nids if nid]
    expected = snap.ranked.loc[snap.ranked["category"] == "model_worker", "nomination_id"].tolist()
    assert drawn == expected[:TABLE_ROWS]  # in rank order, the cut line (20 places) among them
    assert table.rows[-1][0] == "wb-more" and str(n - TABLE_ROWS) in table.rows[-1][1][0]
    (more,) = [b for b in find(app, widgets.Button) if b.layout.display != "none" and str(n) in b.description]
    more.click()
    (table,) = ranked_tables(app)
    assert [nid for nid in table.nids if nid] == expected and "wb-more" not in [c for c, _ in table.rows]
    assert more.layout.display == "none"
    app.category.value = "employee"  # a short list: all of it, no button
    (table,) = ranked_tables(app)
    assert len([nid for nid in table.nids if nid]) == 3 and more.layout.display == "none"


def test_the_candidate_under_discussion_is_always_in_the_drawn_list(rnd):
    from workbench.meeting import TABLE_ROWS, ranked_html, rows_shown

    snap = make_snapshot(rnd, {"demonstration": 2, "model_worker": TABLE_ROWS + 30, "employee": 3}, seed=8)
    rows = snap.ranked[snap.ranked["category"] == "model_worker"].reset_index(drop=True)
    last = rows["nomination_id"].iloc[-1]
    assert rows_shown(rows, TABLE_ROWS) == TABLE_ROWS
    assert rows_shown(rows, TABLE_ROWS, current=last) == len(rows)
    assert rows_shown(rows, 5) == 20 + 1  # the 20 places above the cut line, and the first row under it
    assert f'data-nid="{last}"' in ranked_html(rows, rnd, "model_worker", current=last, limit=TABLE_ROWS)


def test_no_phone_contact_or_reviewer_name_reaches_the_screen(rnd):
    snap = make_snapshot(rnd, {"demonstration": 6, "model_worker": 22, "employee": 11}, seed=5)
    app = meeting_app(lambda: snap)
    switch = find(app, widgets.ToggleButtons)[0]
    secrets = set(snap.screened["phone"]) | set(snap.screened["contact"]) | set(REVIEWER_NAMES)
    for code in rnd.categories:
        switch.value = code
        text = visible_text(app)
        assert snap.ranked.loc[snap.ranked["category"] == code, "studio"].iloc[0] in text  # the check can see data
        leaked = sorted(s for s in secrets if s in text)
        assert leaked == []


def test_values_are_html_escaped(rnd):
    snap = make_snapshot(rnd, {"demonstration": 2, "model_worker": 3, "employee": 2})
    hostile = '<img src=x onerror="alert(1)">工作室'
    ranked = snap.ranked.copy()
    ranked.loc[ranked["category"] == "demonstration", "studio"] = hostile
    ranked.loc[ranked["category"] == "demonstration", "flags"] = "<script>x</script>"
    app = meeting_app(lambda: Snapshot(**{**snap.__dict__, "ranked": ranked}))
    text = visible_text(app)
    assert "<img" not in text and "<script>" not in text
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;工作室" in text


def test_empty_round_shows_a_message(rnd):
    snap = make_snapshot(rnd, {})
    app = meeting_app(lambda: snap)
    text = visible_text(app)
    assert labels.MEETING["empty_round"][:10] in text
    assert ranked_tables(app) == [] or all(not t.rows for t in ranked_tables(app))
    assert chart_outputs(app) == []


def test_unscored_category_has_table_but_no_chart(rnd):
    snap = make_snapshot(rnd, {"demonstration": 4, "model_worker": 8, "employee": 5}, unscored=("employee",))
    app = meeting_app(lambda: snap)
    switch = find(app, widgets.ToggleButtons)[0]
    switch.value = "employee"
    assert chart_outputs(app) == []
    assert labels.MEETING["no_scores"] in visible_text(app)
    (table,) = ranked_tables(app)
    assert len(table.rows) == 5  # listed, no cut line: nobody is proposed without scores
    switch.value = "model_worker"
    assert len(chart_outputs(app)) == 1


def test_chart_carries_the_category_scores(rnd):
    snap = make_snapshot(rnd, {"demonstration": 7, "model_worker": 12, "employee": 4})
    app = meeting_app(lambda: snap)
    find(app, widgets.ToggleButtons)[0].value = "model_worker"
    (svg,) = chart_outputs(app)
    points = svg.points()
    rows = snap.ranked[snap.ranked["category"] == "model_worker"]
    assert [p["data-nid"] for p in points] == rows["nomination_id"].tolist()
    heights = [float(p["cy"]) for p in points]
    composites = rows["composite"].astype(float).tolist()
    # higher score, higher on screen (smaller y): the points follow the scores
    assert all((h1 < h2) == (c1 > c2) for h1, h2, c1, c2 in zip(heights, heights[1:], composites, composites[1:])
               if c1 != c2)
    assert labels.MEETING["chart_y"] in app.chart.value and "<script" not in app.chart.value


def two_snapshots(rnd, seeds: tuple[int, int]):
    """A loader that returns one snapshot, then another on every later call; and the list of its calls."""
    snaps = [make_snapshot(rnd, {"demonstration": 3, "model_worker": 5, "employee": 2}, seed=s) for s in seeds]
    calls: list[int] = []

    def load():
        calls.append(1)
        return snaps[min(len(calls), 2) - 1]

    return snaps, load, calls


def test_refresh_calls_the_loader_again(rnd):
    snaps, load, calls = two_snapshots(rnd, (11, 12))

    app = meeting_app(load)
    switch = find(app, widgets.ToggleButtons)[0]
    switch.value = "employee"
    assert snaps[0].snapshot_id[:12] in visible_text(app)
    (button,) = [b for b in find(app, widgets.Button) if b.description == labels.MEETING["refresh"]]
    button.click()
    assert len(calls) == 2
    text = visible_text(app)
    assert snaps[1].snapshot_id[:12] in text and snaps[0].snapshot_id[:12] not in text
    assert switch.value == "employee"  # the operator stays on the category being discussed
    (table,) = ranked_tables(app)
    assert {cells[1] for cls, cells in table.rows if cls != "wb-cut"} == set(
        snaps[1].ranked.loc[snaps[1].ranked["category"] == "employee", "studio"])


def test_failed_load_shows_a_message_not_a_traceback(rnd):
    good = make_snapshot(rnd, {"demonstration": 3, "model_worker": 5, "employee": 2})
    state = {"fail": False}

    def load():
        if state["fail"]:
            raise OSError("database is locked")
        return good

    app = meeting_app(load)
    state["fail"] = True
    (button,) = [b for b in find(app, widgets.Button) if b.description == labels.MEETING["refresh"]]
    button.click()
    text = visible_text(app)
    assert labels.MEETING["load_failed"].split("，")[0] in text
    assert "database is locked" not in text
    body_hidden = [w for w in walk(app) if isinstance(w, widgets.Box) and w.layout.display == "none"]
    assert body_hidden and any(any(isinstance(c, widgets.ToggleButtons) for c in walk(b)) for b in body_hidden)


def test_preheated_kernel_rereads_when_a_viewer_opens(rnd, monkeypatch):
    import voila.utils

    from workbench.serve import refresh_when_opened

    snaps, load, calls = two_snapshots(rnd, (21, 22))
    waited = []

    app = meeting_app(load)
    monkeypatch.setattr(voila.utils, "wait_for_request", lambda: waited.append(1))

    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    refresh_when_opened(app)  # not preheated (a notebook, nbval, a second viewer): nothing to do
    assert (len(calls), waited) == (1, [])

    monkeypatch.setenv("VOILA_PREHEAT", "True")
    refresh_when_opened(app)
    assert (len(calls), waited) == (2, [1])
    assert snaps[1].snapshot_id[:12] in visible_text(app)


def test_preheated_kernel_checks_while_the_page_loads_and_covers_the_screen_until_then(rnd, monkeypatch):
    """In a kernel (an event loop runs) the cell returns at once, so Voila can send the page; the
    check for changes runs on the loop when the viewer's request arrives, and until it has run
    the screen shows "checking", never the figures drawn when the pool was filled."""
    import asyncio
    import threading

    import voila.utils

    from workbench.serve import refresh_when_opened

    snaps, load, calls = two_snapshots(rnd, (21, 22))

    app = meeting_app(load)
    arrived = threading.Event()
    monkeypatch.setattr(voila.utils, "wait_for_request", lambda: arrived.wait(10))
    monkeypatch.setenv("VOILA_PREHEAT", "True")

    async def kernel() -> tuple[str, str | None, int]:
        refresh_when_opened(app)  # returns although no viewer has come yet
        covered = (app.message.value, app.body.layout.display, len(calls))
        arrived.set()  # the viewer's request
        for _ in range(500):
            await asyncio.sleep(0.01)
            if app.body.layout.display != "none":
                break
        return covered

    message, display, loads = asyncio.run(kernel())
    assert labels.MEETING["checking"] in message and display == "none" and loads == 1
    assert len(calls) == 2 and app.body.layout.display is None and app.message.value == ""
    assert snaps[1].snapshot_id[:12] in visible_text(app)


def test_a_preheated_screen_with_nothing_new_is_uncovered_as_it_was(rnd):
    import dataclasses

    snap = dataclasses.replace(make_snapshot(rnd, {"demonstration": 3, "model_worker": 5, "employee": 2}),
                               fingerprint="unchanged")
    app = meeting_app(lambda: snap, probe=lambda: "unchanged")
    app.hold()
    assert app.body.layout.display == "none"
    assert app.refresh_if_stale() is False
    app.release()
    assert app.body.layout.display is None and app.message.value == ""
    assert len(ranked_tables(app)) == 1


def test_opens_on_the_first_category_with_candidates(rnd):
    snap = make_snapshot(rnd, {"demonstration": 0, "model_worker": 0, "employee": 4})
    app = meeting_app(lambda: snap)
    assert find(app, widgets.ToggleButtons)[0].value == "employee"
    (table,) = ranked_tables(app)
    assert len([cls for cls, _ in table.rows if cls != "wb-cut"]) == 4


# ---------------------------------------------------------------------------- borderline, card, order, decisions, what-if
class FakeStore:
    """Records decisions the way `store_recorder` does, in memory."""

    def __init__(self):
        self.rows: list[dict] = []

    def record(self, nomination_id, decision, note, snapshot_id, version=None, replaces=None):
        from workbench.errors import StaleWriteError

        before = next((r for r in self.rows if r["nomination_id"] == nomination_id), None)
        if (None if before is None else before["version"]) != version:
            raise StaleWriteError("stale [stale_write]", "stale_write")
        self.rows = [r for r in self.rows if r["nomination_id"] != nomination_id]
        self.rows.append({"nomination_id": nomination_id, "decision": decision, "note": note,
                          "snapshot_id": snapshot_id, "actor": "test", "at": pd.Timestamp("2022-11-10 10:00"),
                          "version": (version or 0) + 1, "replaces": replaces})
        return pd.DataFrame(self.rows)


def test_borderline_band_is_marked_in_the_table(rnd):
    snap = make_snapshot(rnd, {"demonstration": 6, "model_worker": 24, "employee": 13}, seed=9)
    app = meeting_app(lambda: snap)
    for code in rnd.categories:
        find(app, widgets.ToggleButtons)[0].value = code
        (table,) = ranked_tables(app)
        marked = {nid for (cls, _), nid in zip(table.rows, table.nids) if "wb-borderline" in cls.split()}
        expected = set(snap.diagnostics.loc[(snap.diagnostics["band"] == "borderline")
                                            & snap.diagnostics["nomination_id"].isin(
                                                snap.ranked.loc[snap.ranked["category"] == code, "nomination_id"]),
                                            "nomination_id"])
        assert marked == expected and expected
        # the rank interval column shows the diagnostics' interval
        first = snap.diagnostics.set_index("nomination_id").loc[table.nids[0]]
        assert table.rows[0][1][6] in {f"{first.rank_low}–{first.rank_high}", str(first.rank_low)}


def test_chart_draws_rank_intervals(rnd):
    snap = make_snapshot(rnd, {"demonstration": 7, "model_worker": 24, "employee": 4})
    app = meeting_app(lambda: snap)
    find(app, widgets.ToggleButtons)[0].value = "model_worker"
    (svg,) = chart_outputs(app)
    assert labels.MEETING["chart_borderline"] in app.chart.value
    intervals = [a for t, a in svg.elements if t == "line" and "wb-interval" in a.get("class", "")]
    assert len(intervals) == 24  # every point carries its interval (rank ± 1 in this snapshot)
    border = set(snap.diagnostics.loc[snap.diagnostics["band"] == "borderline", "nomination_id"])
    amber = {p["data-nid"] for p in svg.points() if p["fill"] == COLOURS["borderline"]}
    assert amber == border & set(snap.ranked.loc[snap.ranked["category"] == "model_worker", "nomination_id"])


def test_breakdown_uses_the_rubric_of_the_config(rnd):
    snap = make_snapshot(rnd, {"demonstration": 4, "model_worker": 5, "employee": 3})
    ranked = snap.ranked.copy()
    for c in rnd.rubric:
        ranked[f"crit_{c.code}"] = pd.array([c.max[cat] * 0.8 for cat in ranked["category"]], dtype="Float64")
    app = meeting_app(lambda: Snapshot(**{**snap.__dict__, "ranked": ranked}))
    app.category.value = "employee"
    app.view.value = "breakdown"
    text = app.breakdown.value
    for c in rnd.rubric:
        assert c.label in text
        assert labels.MEETING["breakdown_max"].format(max=c.max["employee"]) in text
        assert f"{c.max['employee'] * 0.8:.1f}" in text
    assert text.count("<tr") == 1 + 3 + 1  # header, candidates, the mean row


def test_discussion_order_ranked_or_borderline_first(rnd):
    from workbench.meeting import annotate, category_rows, discussion_order

    snap = make_snapshot(rnd, {"demonstration": 6, "model_worker": 26, "employee": 12}, seed=4)
    rows = annotate(category_rows(snap.ranked, "model_worker"), snap.diagnostics, snap.decisions)
    by_rank = discussion_order(rows, "rank")
    assert by_rank == rows.sort_values("rank")["nomination_id"].tolist()
    first = discussion_order(rows, "borderline")
    border = set(rows.loc[rows["band"] == "borderline", "nomination_id"])
    assert set(first[:len(border)]) == border and sorted(first) == sorted(by_rank)
    assert [n for n in first if n not in border] == [n for n in by_rank if n not in border]
    with pytest.raises(ValueError):
        discussion_order(rows, "by_name")

    # the ‹ › buttons walk that order and open each card
    app = meeting_app(lambda: snap, record=FakeStore().record)
    app.category.value = "model_worker"
    app.view.value = "discussion"
    assert app.current == by_rank[0] and app.prev_button.disabled
    app.next_button.click()
    app.next_button.click()
    assert app.current == by_rank[2] and app.item.value == by_rank[2]
    studio = rows.set_index("nomination_id").loc[by_rank[2], "studio"]
    assert studio in app.card.value
    app.prev_button.click()
    assert app.current == by_rank[1]
    app.order.value = "borderline"
    assert [v for _, v in app.item.options] == first
    app.open_card(first[0])
    for _ in range(len(first) + 3):
        app.next_button.click()
    assert app.current == first[-1] and app.next_button.disabled


def test_row_click_opens_the_card_and_ignores_strangers(rnd):
    snap = make_snapshot(rnd, {"demonstration": 5, "model_worker": 8, "employee": 4})
    app = meeting_app(lambda: snap)
    target = snap.ranked.loc[snap.ranked["category"] == "employee", "nomination_id"].iloc[2]
    app.pick.value = target  # what workbench.js types into the hidden text widget on a click
    assert (app.current, app.category.value, app.view.value) == (target, "employee", "discussion")
    assert app.pick.value == ""
    app.pick.value = "<script>alert(1)</script>"
    assert app.current == target and "<script>" not in visible_text(app)


def test_card_shows_comments_as_aliases_never_names_or_phones(rnd):
    snap = make_snapshot(rnd, {"demonstration": 4, "model_worker": 6, "employee": 3}, seed=6)
    app = meeting_app(lambda: snap, record=FakeStore().record)
    nid = snap.ranked["nomination_id"].iloc[0]
    app.open_card(nid)
    text = visible_text(app)
    assert labels.MEETING["card_comments"] in text and "认为材料扎实" in text
    assert "评委1" in text
    secrets = set(snap.screened["phone"]) | set(snap.screened["contact"]) | set(REVIEWER_NAMES) | {"13912345678"}
    assert sorted(s for s in secrets if s in text) == []  # even a name or number typed into a comment
    circles = [a for t, a in Svg(app.spread.value).elements if t == "circle"]
    assert len(circles) == len(REVIEWER_NAMES)  # one point per reviewer's sheet


def test_decision_is_validated_again_in_python(rnd):
    snap = make_snapshot(rnd, {"demonstration": 4, "model_worker": 6, "employee": 3})
    fake = FakeStore()
    app = meeting_app(lambda: snap, record=fake.record)
    nid = snap.ranked["nomination_id"].iloc[1]
    app.open_card(nid)
    # values no widget offers: a crafted client may still send them
    with pytest.raises(Exception):
        app.choice.value = "delete_everything"
    assert not app.record(nid, "delete_everything", "")
    assert "bad_decision" in app.decision_status.value
    assert not app.record("N-NOT-A-CANDIDATE", "approve", "")
    assert "not_a_candidate" in app.decision_status.value
    assert not app.record(nid, "approve", "很长" * 400)
    assert "note_too_long" in app.decision_status.value
    assert not app.record(nid, "approve", {"note": 1})
    assert not app.record(nid, ["approve"], "")
    assert fake.rows == []
    # nothing chosen: a message, nothing written
    app.record_button.click()
    assert fake.rows == [] and labels.MEETING["decision_pick"] in app.decision_status.value
    # a proper one is recorded against the snapshot on screen and shown on the table
    app.choice.value = "defer"
    app.note.value = "  补充材料后再议  "
    app.record_button.click()
    assert fake.rows == [{"nomination_id": nid, "decision": "defer", "note": "补充材料后再议",
                          "snapshot_id": snap.snapshot_id, "actor": "test", "at": pd.Timestamp("2022-11-10 10:00"),
                          "version": 1, "replaces": None}]
    app.view.value = "ranking"
    (table,) = ranked_tables(app)
    row = table.rows[table.nids.index(nid)]
    assert row[1][-2] == labels.DECISION["defer"]


def test_check_decision_refuses_what_the_store_must_not_see(rnd):
    from workbench.meeting import NOTE_MAX_CHARS, DecisionError, check_decision

    snap = make_snapshot(rnd, {"demonstration": 2, "model_worker": 2, "employee": 2})
    nid = snap.ranked["nomination_id"].iloc[0]
    assert check_decision(snap, nid, "reject", " 不符合 ") == (nid, "reject", "不符合")
    assert check_decision(snap, nid, "approve", "x" * NOTE_MAX_CHARS)[2] == "x" * NOTE_MAX_CHARS
    for args, code in [((nid, "approve", "x" * (NOTE_MAX_CHARS + 1)), "note_too_long"),
                       ((nid, "通过", ""), "bad_decision"), ((nid, None, ""), "bad_decision"),
                       ((42, "approve", ""), "not_a_candidate"), ((nid, "approve", 3), "bad_note")]:
        with pytest.raises(DecisionError) as err:
            check_decision(snap, *args)
        assert err.value.code == code
    with pytest.raises(DecisionError):
        check_decision(make_snapshot(rnd, {}), nid, "approve", "")


def test_what_if_previews_and_never_writes(rnd):
    from workbench.meeting import what_if

    snap = make_snapshot(rnd, {"demonstration": 4, "model_worker": 6, "employee": 3})
    before = snap.ranked.copy()
    fake = FakeStore()
    app = meeting_app(lambda: snap, record=fake.record)
    app.view.value = "whatif"
    assert labels.MEETING["whatif_title"] in app.whatif_head.value
    assert snap.snapshot_id[:12] in app.whatif_head.value
    for aggregation in ("mean", "median", "olympic"):
        app.aggregation.value = aggregation
        for w in app.weights.values():
            w.value = 50
    assert fake.rows == []
    pd.testing.assert_frame_equal(snap.ranked, before)
    preview = what_if(snap, "mean", {s: 100 // len(rnd.stages) for s in rnd.stages})
    assert set(preview["nomination_id"]) == set(snap.ranked["nomination_id"])
    app.view.value = "ranking"
    (table,) = ranked_tables(app)
    assert labels.MEETING["whatif_title"] not in app.table.value  # the official list is untouched


def test_what_if_with_real_scores_moves_candidates_and_keeps_the_store(demo_round, tmp_path):
    import shutil

    from workbench.meeting import meeting_for_round, what_if
    from workbench.store import open_store

    rnd = demo_round.at(shutil.copytree(demo_round.workdir, tmp_path / "round"))
    app = meeting_for_round(rnd)
    store = open_store(rnd)
    ledger = store.ledger_hash()
    app.view.value = "whatif"
    weights = list(app.weights.values())
    weights[0].value, weights[-1].value = 100, 0  # only the first stage counts
    app.aggregation.value = "median"
    preview = what_if(app.snapshot, "median", {s: (100 if i == 0 else 0) for i, s in enumerate(rnd.stages)})
    assert (preview["move"].fillna(0) != 0).any()  # another rule really re-ranks
    shown = Rows(app.whatif_table.value.replace("<tbody>", "<tbody>", 1))
    assert [c[0] for _, c in shown.rows][:3] == ["1", "2", "3"]
    assert store.ledger_hash() == ledger and store.decisions().empty


def test_decision_reaches_the_store_with_its_snapshot(demo_round, tmp_path):
    import shutil

    from workbench.meeting import meeting_for_round
    from workbench.store import open_store

    rnd = demo_round.at(shutil.copytree(demo_round.workdir, tmp_path / "round"))
    app = meeting_for_round(rnd, actor="秘书处")
    nid = app.snapshot.ranked["nomination_id"].iloc[3]
    app.pick.value = nid
    assert app.photo_box.value.count('src="data:image/jpeg;base64,') >= 1  # photos embedded, no file URL
    app.choice.value = "approve"
    app.note.value = "同意"
    app.record_button.click()
    decisions = open_store(rnd).decisions()
    assert decisions[["nomination_id", "decision", "note", "snapshot_id", "actor"]].values.tolist() == [
        [nid, "approve", "同意", app.snapshot.snapshot_id, "秘书处"]]
    assert labels.DECISION["approve"] in app.card.value
    # the fingerprint saw the new event: a preheated kernel would re-read
    assert app.refresh_if_stale() is True
    assert app.refresh_if_stale() is False


def test_the_competition_line_states_the_margin_as_the_notice_readers_use_it():
    from workbench.meeting import competition_html

    rnd = wb.load_round()
    slots = rnd.categories["demonstration"].slots
    ranked = pd.DataFrame({"nomination_id": [f"D{i}" for i in range(slots + 2)], "category": "demonstration",
                           "proposed": [True] * slots + [False] * 2})
    html = competition_html(ranked, rnd, "demonstration")
    assert f"参评 {slots + 2} 个" in html and "差额 2 个" in html and f"{2 / slots:.0%}" in html


def test_the_card_shows_the_override_note_screening_wrote(rnd):
    import dataclasses

    from workbench.meeting import card_html

    snap = make_snapshot(rnd, {"demonstration": 3, "model_worker": 4, "employee": 3})
    nid = snap.ranked["nomination_id"].iloc[0]
    note = "资格审查：待核实→合格（理由：补正材料后认定；王分析，2022-11-02 09:30）"
    screened = snap.screened.assign(override_notes=[[note] if n == nid else [] for n in snap.screened["nomination_id"]])
    html = card_html(dataclasses.replace(snap, screened=screened), nid)
    assert "补正材料后认定" in html and "王分析" in html and "人工改判" in html
    other = snap.ranked["nomination_id"].iloc[1]
    assert "人工改判" not in card_html(dataclasses.replace(snap, screened=screened), other)


def test_scrub_masks_phone_numbers_but_not_dates_and_times():
    from workbench.snapshot import scrub

    note = "理由：台账属实；王分析，2026-11-24 07:25"
    assert scrub(note, {}) == note
    assert "12345678" not in scrub("请联系 0510-12345678 或 13900001111", {})


def sheets_with_totals(rnd, snap, nid: str, totals: list[float]) -> pd.DataFrame:
    """Submitted sheets of one candidate at every stage, reviewer R<k> giving totals[k] (of 100)."""
    category = snap.ranked.set_index("nomination_id").loc[nid, "category"]
    return pd.DataFrame([{"nomination_id": nid, "reviewer_id": f"R{k}", "stage": stage, "criterion": c.code,
                          "points": total * c.max[category] / 100, "status": "submitted"}
                         for stage in rnd.stages for k, total in enumerate(totals) for c in rnd.criteria(category, stage)])


def test_the_spread_hollows_exactly_one_highest_and_one_lowest_even_when_tied(rnd):
    import dataclasses

    from workbench.meeting import spread_svg

    snap = make_snapshot(rnd, {"demonstration": 3, "model_worker": 4, "employee": 3})
    nid = snap.ranked["nomination_id"].iloc[0]
    scores = sheets_with_totals(rnd, snap, nid, [85, 85, 85, 89.5, 89.5])  # ties at both ends
    svg = spread_svg(dataclasses.replace(snap, scores=scores), nid)
    assert svg.count('fill="#ffffff"') == 2 * len(rnd.stages)


# ---------------------------------------------------------------------------- decisions against places (issue 14)
def tally_of(app) -> dict[str, int]:
    """The numbers of the tally line, by label."""
    import re

    return {k: int(v) for k, v in re.findall(r'<span class="wb-t[^"]*">([^<]+) <b>(\d+)</b>', app.tally.value)}


def test_the_tally_counts_decisions_against_places_on_every_view(rnd):
    snap = make_snapshot(rnd, {"demonstration": 6, "model_worker": 4, "employee": 3})
    fake = FakeStore()
    app = meeting_app(lambda: snap, record=fake.record)
    app.category.value = "demonstration"
    rows = snap.ranked[snap.ranked["category"] == "demonstration"]["nomination_id"].tolist()
    slots = rnd.categories["demonstration"].slots
    for nid, decision in zip(rows, ("approve", "reject", "defer")):
        assert app.record(nid, decision, "")
    for view in ("ranking", "breakdown", "discussion", "excluded", "whatif"):
        app.view.value = view
        tally = tally_of(app)
        assert tally[labels.MEETING["tally_slots"]] == slots
        assert (tally[labels.DECISION["approve"]], tally[labels.DECISION["reject"]], tally[labels.DECISION["defer"]]) == (1, 1, 1)
        assert tally[labels.MEETING["tally_open"]] == slots - 1
        assert tally[labels.MEETING["tally_undecided"]] == 0


def test_a_vacancy_offers_the_next_candidates_and_a_replacement_is_its_own_decision(rnd):
    snap = make_snapshot(rnd, {"demonstration": 8, "model_worker": 4, "employee": 3})
    fake = FakeStore()
    app = meeting_app(lambda: snap, record=fake.record)
    rows = snap.ranked[snap.ranked["category"] == "demonstration"].reset_index(drop=True)
    slots = rnd.categories["demonstration"].slots
    second = rows["nomination_id"].iloc[1]
    app.open_card(second)
    assert app.replace_box.layout.display == "none"  # nothing vacant yet
    assert app.record(second, "reject", "材料不实")
    app.open_card(second)
    assert app.replace_box.layout.display is None
    offered = [v for _, v in app.offer.options]
    assert offered == rows["nomination_id"].iloc[slots:slots + 3].tolist()  # the next ones, in order
    # tampered values: a candidate not offered (further down, or already proposed), an unknown one
    with pytest.raises(Exception):
        app.offer.value = rows["nomination_id"].iloc[slots + 4]
    for stranger in (rows["nomination_id"].iloc[slots + 4], rows["nomination_id"].iloc[0], "N-404", None, 7):
        assert not app.replace(stranger, second)
        assert "not_offered" in app.offer_status.value or "not_a_candidate" in app.offer_status.value
    assert not app.replace(offered[0], rows["nomination_id"].iloc[0])  # the first was not rejected
    assert "nothing_to_replace" in app.offer_status.value
    assert [r["nomination_id"] for r in fake.rows] == [second]
    assert app.replace(offered[0], second, "")
    pick = fake.rows[-1]
    assert (pick["nomination_id"], pick["decision"], pick["replaces"], pick["version"]) == (offered[0], "approve", second, 1)
    assert not app.offer.options or offered[0] not in [v for _, v in app.offer.options]  # the place is filled
    assert tally_of(app)[labels.MEETING["tally_replacements"]] == 1
    app.view.value = "ranking"
    (table,) = ranked_tables(app)
    assert table.rows[table.nids.index(offered[0])][1][-2] == labels.MEETING["chip_replacement"]
    assert table.rows[table.nids.index(second)][1][-2] == labels.DECISION["reject"]
    app.open_card(offered[0])  # its card says 递补通过 too, and whose place it took
    assert labels.MEETING["chip_replacement"] in app.decision_status.value
    assert rows.set_index("nomination_id").loc[second, "studio"] in app.decision_status.value
    app.open_card(second)
    assert not app.replace(offered[1], second)  # one place, one 递补


def with_excluded(snap, rnd):
    """The snapshot with four nominations not on the list: 待核实 (直接推荐), 不合格, over quota, unscored."""
    import dataclasses

    base = snap.screened.iloc[0].to_dict()
    extra = []
    for nid, elig, quota, direct in (("X-REVIEW", "review", "in_quota", True), ("X-FAIL", "ineligible", "in_quota", False),
                                     ("X-OVER", "eligible", "over_quota", False)):
        extra.append({**base, "nomination_id": nid, "studio": f"{nid}工作室", "eligibility": elig,
                      "quota_status": quota, "direct": direct, "rule_named_years": "review" if direct else "pass",
                      "why_named_years": "特别优秀直接推荐（未满命名年限）" if direct else "",
                      "rule_team": "fail" if elig == "ineligible" else "pass",
                      "why_team": "团队不足5人" if elig == "ineligible" else "",
                      "quota_reason": "超出本单位推荐名额（排第4）" if quota == "over_quota" else ""})
    screened = pd.concat([snap.screened, pd.DataFrame(extra)], ignore_index=True)
    unscored = snap.ranked.iloc[[0]].assign(nomination_id="X-UNSCORED", studio="X-UNSCORED工作室", composite=pd.NA,
                                            rank=pd.NA, proposed=False)
    ranked = pd.concat([snap.ranked, unscored], ignore_index=True)
    screened = pd.concat([screened, pd.DataFrame([{**base, "nomination_id": "X-UNSCORED", "studio": "X-UNSCORED工作室"}])],
                         ignore_index=True)
    return dataclasses.replace(snap, screened=screened, ranked=ranked,
                               overrides=pd.DataFrame(columns=["nomination_id", "verdict", "value", "reason"]))


def test_the_excluded_view_gives_the_reason_and_the_rulings_are_overrides_checked_in_python(rnd):
    from workbench.decisions import excluded

    snap = with_excluded(make_snapshot(rnd, {"demonstration": 4, "model_worker": 4, "employee": 3}), rnd)
    category = snap.screened["category"].iloc[0]
    ruled = []
    app = meeting_app(lambda: snap, rule=lambda *args: ruled.append(args))
    app.category.value = category
    app.view.value = "excluded"
    rows = excluded(snap)
    assert rows["reason"].tolist() == ["review", "ineligible", "over_quota", "unscored"]
    assert rows["direct"].tolist() == [True, False, False, False]
    table = app.excluded_table.value
    for nid, word in (("X-REVIEW", "ex_reason_review"), ("X-FAIL", "ex_reason_ineligible"),
                      ("X-OVER", "ex_reason_over_quota"), ("X-UNSCORED", "ex_reason_unscored")):
        assert f"{nid}工作室" in table and labels.MEETING[word] in table
    assert "团队不足5人" in table and "超出本单位推荐名额" in table and labels.CARD_FACT_LABELS["direct"] in table
    assert [v for _, v in app.ruling_item.options] == ["X-REVIEW", "X-FAIL", "X-OVER"]  # nothing to rule when unscored
    # tampered values are refused in Python
    for nid, value, reason, code in [("X-UNSCORED", "eligible", "理由", "not_excluded"),
                                     (snap.ranked["nomination_id"].iloc[0], "eligible", "理由", "not_excluded"),
                                     ("X-REVIEW", "in_quota", "理由", "bad_ruling"),
                                     ("X-OVER", "eligible", "理由", "bad_ruling"),
                                     ("X-REVIEW", "eligible", "   ", "reason_required"),
                                     ("X-REVIEW", "eligible", {"x": 1}, "bad_reason"),
                                     (["X-REVIEW"], "eligible", "理由", "not_excluded")]:
        assert not app.rule(nid, value, reason)
        assert code in app.ruling_status.value
    assert ruled == []
    app.ruling_item.value = "X-REVIEW"
    assert [v for _, v in app.ruling_value.options] == ["eligible", "ineligible"]
    app.ruling_value.value = "eligible"
    app.ruling_reason.value = "成果突出，会议同意直接推荐"
    app.ruling_button.click()
    assert ruled == [("X-REVIEW", "eligibility", "eligible", labels.MEETING["ruling_prefix"] + "成果突出，会议同意直接推荐")]


def test_warnings_no_margin_ties_few_scores_and_older_snapshots(rnd):
    import dataclasses

    snap = make_snapshot(rnd, {"demonstration": 2, "model_worker": 22, "employee": 11})
    ranked = snap.ranked.copy()
    ranked["flag_codes"] = [[] for _ in range(len(ranked))]
    mw = ranked.index[ranked["category"] == "model_worker"]
    ranked.at[mw[19], "flag_codes"] = ["tie_at_cut"]
    ranked.at[mw[20], "flag_codes"] = ["tie_at_cut"]
    ranked.at[mw[3], "flag_codes"] = ["few_scores"]
    decisions = pd.DataFrame([{"nomination_id": mw[0] and ranked.at[mw[0], "nomination_id"], "decision": "approve",
                               "note": "", "snapshot_id": "an-older-snapshot", "actor": "秘书",
                               "at": pd.Timestamp("2022-11-10 09:00"), "version": 1, "replaces": None}])
    snap = dataclasses.replace(snap, ranked=ranked, decisions=decisions)
    app = meeting_app(lambda: snap)
    app.category.value = "demonstration"
    line = app.section.value
    assert "无差额" in line and "差额 -" not in line and "-" not in line.split("名额")[-1]
    assert 'data-code="no_margin"' in app.warnings.value and 'data-code="older_snapshot"' in app.warnings.value
    assert "an-older-sna" in app.warnings.value
    app.category.value = "model_worker"
    warned = app.warnings.value
    assert 'data-code="tie_at_cut"' in warned and 'data-code="few_scores"' in warned and "no_margin" not in warned
    for nid in ranked.loc[[mw[19], mw[20]], "studio"]:
        assert nid in warned
    app.open_card(ranked.at[mw[0], "nomination_id"])
    assert labels.MEETING["decision_older"] in app.decision_status.value
    # more 通过 than places: said, and the places still open never go below zero
    fake = FakeStore()
    app = meeting_app(lambda: snap, record=fake.record)
    app.category.value = "demonstration"
    for nid in ranked.loc[ranked["category"] == "demonstration", "nomination_id"]:
        assert app.record(nid, "approve", "")
    assert 'data-code="over_places"' not in app.warnings.value  # 2 candidates, 3 places
    app.category.value = "employee"
    for nid in ranked.loc[ranked["category"] == "employee", "nomination_id"]:
        assert app.record(nid, "approve", "")
    assert 'data-code="over_places"' in app.warnings.value
    assert tally_of(app)[labels.MEETING["tally_open"]] == 0


def test_weights_are_percentages_that_must_add_to_100(rnd):
    from workbench.meeting import check_weights, what_if

    snap = make_snapshot(rnd, {"demonstration": 4, "model_worker": 6, "employee": 3})
    app = meeting_app(lambda: snap)
    app.view.value = "whatif"
    first, second = list(app.weights)[:2]
    assert sum(w.value for w in app.weights.values()) == 100  # the official weights, as percentages
    app.weights[first].value = 100  # 100 + 40: refused, not rescaled
    assert "bad_weights" in app.whatif_table.value and "<table" not in app.whatif_table.value
    app.weights[second].value = 0
    assert "<table" in app.whatif_table.value
    for bad in ({first: 100, second: 40}, {first: 60.5, second: 39.5}, {first: 120, second: -20},
                {first: True, second: 99}, {first: 100}, {first: 50, second: 50, "extra": 0}, {first: "50", second: 50}):
        with pytest.raises(Exception) as err:
            check_weights(rnd, bad if len(rnd.stages) == 2 else {**bad})
        assert getattr(err.value, "code", "") == "bad_weights"
        with pytest.raises(Exception):
            what_if(snap, "mean", bad)


def test_the_axes_end_at_the_rubrics_maximum(rnd):
    from workbench.meeting import score_max, spread_svg

    snap = make_snapshot(rnd, {"demonstration": 4, "model_worker": 12, "employee": 3})
    app = meeting_app(lambda: snap)
    app.category.value = "model_worker"
    assert len(chart_outputs(app)) == 1
    import re

    ticks = [float(t) for t in re.findall(r'class="wb-tick">([\d.]+)</text>', app.chart.value)]
    top = score_max(rnd, "model_worker")
    assert max(ticks) == top and top == 100  # not 120
    nid = snap.ranked.loc[snap.ranked["category"] == "model_worker", "nomination_id"].iloc[0]
    spread = spread_svg(snap, nid)
    assert max(float(t) for t in re.findall(r'class="wb-tick">([\d.]+)</text>', spread)) <= top


def test_spread_labels_never_overlap(rnd):
    import dataclasses
    import re

    from workbench.meeting import _label_width, spread_svg

    snap = make_snapshot(rnd, {"demonstration": 3, "model_worker": 4, "employee": 3})
    nid = snap.ranked["nomination_id"].iloc[0]
    scores = sheets_with_totals(rnd, snap, nid, [80, 80.5, 81, 81, 81.5, 82, 90, 90.5, 91])  # crowded and tied
    aliases = {f"R{k}": f"评委{k + 1}" for k in range(9)}
    svg = spread_svg(dataclasses.replace(snap, scores=scores, reviewer_alias=aliases), nid)
    found = [(float(x), float(y), t) for x, y, t in
             re.findall(r'<text x="([\d.]+)" y="([\d.]+)" text-anchor="middle" class="wb-alias">([^<]+)</text>', svg)]
    assert len(found) == 9 * len(rnd.stages)
    for i, (x1, y1, t1) in enumerate(found):
        for x2, y2, t2 in found[i + 1:]:
            if abs(y1 - y2) < 15:  # on the same row: their boxes must not meet
                assert abs(x1 - x2) >= (_label_width(t1) + _label_width(t2)) / 2, (t1, t2)


def test_a_second_window_cannot_overwrite_a_decision_silently(demo_round, tmp_path):
    import shutil

    from workbench.meeting import meeting_for_round
    from workbench.store import open_store

    rnd = demo_round.at(shutil.copytree(demo_round.workdir, tmp_path / "round"))
    first, second = meeting_for_round(rnd, actor="第一窗口"), meeting_for_round(rnd, actor="第二窗口")
    nid = first.snapshot.ranked["nomination_id"].iloc[0]
    assert first.record(nid, "approve", "同意")
    assert not second.record(nid, "reject", "")  # it had not seen the first window's decision
    status = second.decision_status.value
    assert "stale_write" in status and "第一窗口" in status and labels.DECISION["approve"] in status
    stored = open_store(rnd).decisions().set_index("nomination_id").loc[nid]
    assert (stored["decision"], stored["actor"], stored["version"]) == ("approve", "第一窗口", 1)
    second.open_card(nid)
    assert "第一窗口" in second.decision_status.value  # now it shows who decided, and when
    assert second.record(nid, "reject", "复议")  # a deliberate change over what it now shows
    assert open_store(rnd).decisions().set_index("nomination_id").loc[nid, "version"] == 2
    assert first.snapshot.snapshot_id == second.snapshot.snapshot_id
    first.refresh()
    assert first.snapshot.snapshot_id == second.snapshot.snapshot_id  # a decision does not make a new snapshot


# ---------------------------------------------------------------------------- invariants (hypothesis)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 12), slots=st.integers(1, 6), choices=st.lists(st.sampled_from([None, "approve", "reject", "defer"]),
                                                                        min_size=12, max_size=12))
def test_offers_and_tally_invariants(n, slots, choices):
    """Whatever the decisions: a 递补 offer is never proposed, decided or unscored, offers appear only
    while a place is vacant and come in ranked order; the tally adds up and never goes negative."""
    from workbench.decisions import replacement_offers, summary, vacancies

    rnd = wb.load_round(wb.DEFAULT_ROUND)
    rnd = rnd.model_copy(update={"categories": {"demonstration": rnd.categories["demonstration"].model_copy(
        update={"slots": slots})}})
    rows = pd.DataFrame({"nomination_id": [f"N{i:02d}" for i in range(n)], "category": "demonstration",
                         "studio": [f"S{i}" for i in range(n)], "rank": pd.array(range(1, n + 1), dtype="Int64"),
                         "composite": pd.array([90.0 - i if i != n - 1 else None for i in range(n)], dtype="Float64"),
                         "proposed": [i < slots and i != n - 1 for i in range(n)]})
    decisions = pd.DataFrame([{"nomination_id": f"N{i:02d}", "decision": d, "note": "", "snapshot_id": "s",
                               "actor": "a", "at": pd.Timestamp("2022-11-10"), "version": 1, "replaces": None}
                              for i, d in enumerate(choices[:n]) if d is not None])
    offers = replacement_offers(rows, decisions)
    decided = set(decisions["nomination_id"]) if not decisions.empty else set()
    assert not set(offers["nomination_id"]) & decided
    assert not offers["proposed"].any() and offers["composite"].notna().all()
    assert offers["rank"].is_monotonic_increasing
    assert offers.empty or vacancies(rows, decisions) > 0
    tally = summary(rows, decisions, rnd).iloc[0]
    assert tally["approve"] + tally["reject"] + tally["defer"] == len(decided)
    assert tally["open"] == max(slots - tally["approve"], 0) and tally["undecided"] >= 0


@settings(max_examples=100, deadline=None)
@given(xs=st.lists(st.floats(0, 800), min_size=1, max_size=30), widths=st.lists(st.floats(10, 60), min_size=30, max_size=30))
def test_label_rows_never_overlap(xs, widths):
    from workbench.meeting import label_levels

    widths = widths[:len(xs)]
    levels = label_levels(xs, widths, gap=6.0)
    for i in range(len(xs)):
        for j in range(i + 1, len(xs)):
            if levels[i] == levels[j]:
                assert abs(xs[i] - xs[j]) >= (widths[i] + widths[j]) / 2 + 6.0 - 1e-6
