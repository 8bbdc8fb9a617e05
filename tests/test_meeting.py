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

import workbench as wb
from workbench import labels
from workbench.meeting import PLOTLY_MIME, meeting_app
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
    return Snapshot(rnd=rnd, snapshot_id=snapshot_id, taken_at=dt.datetime(2022, 11, 10, 9, seed % 60),
                    screened=pd.DataFrame(noms), scores=pd.DataFrame(scores), ranked=ranked_df, funnel=funnel,
                    reviewer_alias={r: f"评委{k + 1}" for k, r in enumerate(REVIEWER_NAMES)})


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
    """The ranked table's rows as (css class, [cell texts])."""

    def __init__(self, text: str):
        super().__init__()
        self.rows: list[tuple[str, list[str]]] = []
        self._in_body = False
        self._cell: list[str] | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        if tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.rows.append((dict(attrs).get("class", ""), []))
        elif tag == "td" and self._in_body:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self.rows[-1][1].append("".join(self._cell))
            self._cell = None
        elif tag == "tbody":
            self._in_body = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def ranked_tables(app) -> list[Rows]:
    return [Rows(w.value) for w in find(app, widgets.HTML) if '<table class="wb-ranked"' in w.value]


def chart_outputs(app) -> list[dict]:
    return [o for w in find(app, widgets.Output) for o in w.outputs if PLOTLY_MIME in o.get("data", {})]


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
        assert all(c == "wb-proposed" for c in classes[:cut])
        assert all(c == "wb-other" for c in classes[cut + 1:])
        cut_text = table.rows[cut][1][0]
        assert labels.MEETING["cut_line"].format(slots=cat.slots) in cut_text
        marks = [cells[-2] for cls, cells in table.rows if cls != "wb-cut"]
        assert marks.count(labels.MEETING["proposed_mark"]) == n_proposed


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
    (out,) = chart_outputs(app)
    fig = out["data"][PLOTLY_MIME]
    plotted = sorted(y for trace in fig["data"] for y in trace["y"])
    expected = sorted(snap.ranked.loc[snap.ranked["category"] == "model_worker", "composite"].astype(float))
    assert plotted == pytest.approx(expected)
    assert fig["config"]["displayModeBar"] is False
    assert "CJK" in fig["layout"]["font"]["family"]
    assert fig["layout"]["yaxis"]["title"]["text"] == labels.MEETING["chart_y"]


def test_refresh_calls_the_loader_again(rnd):
    snaps = [make_snapshot(rnd, {"demonstration": 3, "model_worker": 5, "employee": 2}, seed=s) for s in (11, 12)]
    calls = []

    def load():
        calls.append(1)
        return snaps[min(len(calls), 2) - 1]

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

    snaps = [make_snapshot(rnd, {"demonstration": 3, "model_worker": 5, "employee": 2}, seed=s) for s in (21, 22)]
    calls, waited = [], []

    def load():
        calls.append(1)
        return snaps[min(len(calls), 2) - 1]

    app = meeting_app(load)
    monkeypatch.setattr(voila.utils, "wait_for_request", lambda: waited.append(1))

    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    refresh_when_opened(app)  # not preheated (a notebook, nbval, a second viewer): nothing to do
    assert (len(calls), waited) == (1, [])

    monkeypatch.setenv("VOILA_PREHEAT", "True")
    refresh_when_opened(app)
    assert (len(calls), waited) == (2, [1])
    assert snaps[1].snapshot_id[:12] in visible_text(app)


def test_opens_on_the_first_category_with_candidates(rnd):
    snap = make_snapshot(rnd, {"demonstration": 0, "model_worker": 0, "employee": 4})
    app = meeting_app(lambda: snap)
    assert find(app, widgets.ToggleButtons)[0].value == "employee"
    (table,) = ranked_tables(app)
    assert len([cls for cls, _ in table.rows if cls != "wb-cut"]) == 4
