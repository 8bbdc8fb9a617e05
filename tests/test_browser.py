"""The meeting dashboard in a real browser: `dashboards/meeting.ipynb` served by standalone Voila
exactly as `workbench serve meeting` serves it, on a small demo round, opened in the system
Chromium with every request outside 127.0.0.1 blocked and recorded.

Run alone with `pytest -m browser tests/test_browser.py`; the screenshot lands in
tests/artifacts/meeting.png (git-ignored) for a person to look at.
"""

from __future__ import annotations

import http.client
import secrets
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

import workbench as wb
from workbench import labels
from workbench.serve import notebook_path, voila_command, voila_env

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
ARTIFACTS = Path(__file__).parent / "artifacts"
LOCAL = "127.0.0.1"
TIMEOUT_MS = 120_000  # a 2-core box starting a kernel and the JupyterLab bundle; not an assertion
PREHEAT_GRACE_S = 8  # lets the pool kernel read the store before the test changes it (a wait, not a check)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOCAL, 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def chromium_path() -> str:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed: the browser test needs the system Chromium")
    return str(CHROMIUM)


@pytest.fixture(scope="module")
def meeting_round(tmp_path_factory):
    """A demo round (sample inbox, screening, simulated scores) of 24 unions in a tmp folder."""
    from workbench.demo import build_demo

    rnd = wb.load_round(wb.DEFAULT_ROUND).at(tmp_path_factory.mktemp("round"))
    build_demo(rnd, seed=11, unions=24)  # enough for a cut line inside some tables
    return rnd


@pytest.fixture(scope="module")
def snapshot(served, meeting_round):
    """What the dashboard must show, computed here independently of the browser, after the store
    changed behind the preheated kernel's back: the page must not show what the kernel read then."""
    from workbench.snapshot import take_snapshot
    from workbench.store import open_store

    _, _, log_path = served
    for _ in range(1500):  # the pool kernel is started; then give it time to run the notebook
        if "is filled" in log_path.read_text():
            break
        time.sleep(0.2)
    time.sleep(PREHEAT_GRACE_S)
    before = take_snapshot(meeting_round)
    nomination = before.ranked["nomination_id"].iloc[0]
    open_store(meeting_round).record_decision(nomination, "defer", "浏览器测试", before.snapshot_id, "test")
    after = take_snapshot(meeting_round)
    assert after.snapshot_id != before.snapshot_id
    return after


@pytest.fixture(scope="module")
def served(meeting_round, chromium_path, tmp_path_factory):
    """Voila on dashboards/meeting.ipynb, preheated, with a token; yields (base url, token)."""
    port, token = free_port(), secrets.token_hex(12)
    log_path = tmp_path_factory.mktemp("voila") / "voila.log"
    notebook = notebook_path("meeting")
    with open(log_path, "w") as log:
        proc = subprocess.Popen(voila_command(notebook, port=port, token=token),
                                env=voila_env(wb.DEFAULT_ROUND, workdir=meeting_round.workdir),
                                cwd=notebook.parent, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://{LOCAL}:{port}/"
    try:
        for _ in range(600):  # a public static asset: starts no kernel
            if proc.poll() is not None:
                pytest.fail(f"voila exited early:\n{log_path.read_text()[-3000:]}")
            try:
                urllib.request.urlopen(base + "voila/static/voila.js", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        yield base, token, log_path
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def page(served, snapshot, chromium_path):
    """A 1920x1080 page whose every request is recorded, and blocked unless it goes to 127.0.0.1."""
    from playwright.sync_api import sync_playwright

    base, token, log_path = served
    requested: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        page.on("request", lambda r: requested.append(r.url))
        page.on("websocket", lambda ws: requested.append(ws.url))
        page.route("**/*", lambda route: route.continue_() if urlparse(route.request.url).hostname == LOCAL
                   else route.abort())
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(f"{base}?token={token}")
        try:
            page.wait_for_selector(".wb-section")
        except Exception:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "meeting-failed.png"))
            pytest.fail(f"the dashboard did not appear:\n{page.locator('body').inner_text()[-1500:]}\n"
                        f"voila log:\n{log_path.read_text()[-3000:]}")
        page.requested = requested
        yield page
        browser.close()


def category_button(page, code: str, rnd):
    return page.locator(".wb-tabs .widget-toggle-button", has_text=rnd.categories[code].short)


def expect_chart_of(page, ranked, category: str) -> None:
    """The chart shows one point per scored candidate of `category` (not a stale figure)."""
    from playwright.sync_api import expect

    scored = int(ranked.loc[ranked["category"] == category, "composite"].notna().sum())
    expect(page.locator(".js-plotly-plot .scatterlayer .point")).to_have_count(scored)
    assert page.locator(".js-plotly-plot .trace").count() > 0
    assert page.locator(".js-plotly-plot .svg-container").bounding_box()["height"] > 100  # drawn, not collapsed


def test_token_is_required(served):
    base, _, _ = served
    host, port = urlparse(base).hostname, urlparse(base).port
    kernel = "/api/kernels/" + "0" * 8 + "-0000-0000-0000-" + "0" * 12
    for path in ("/", kernel, f"{kernel}/channels"):
        conn = http.client.HTTPConnection(host, port, timeout=10)
        conn.request("GET", path)
        status = conn.getresponse().status
        conn.close()
        assert status in {302, 401, 403}, path  # to the login page, or refused


def test_meeting_dashboard_in_the_browser(page, snapshot, meeting_round):
    from playwright.sync_api import expect

    rnd = meeting_round
    ranked = snapshot.ranked
    assert not ranked.empty, "the demo round has candidates under review"
    shown = [c for c in rnd.categories if (ranked["category"] == c).any()]
    first, second = shown[:2]
    counts = ranked["category"].value_counts()
    over = [c for c in rnd.categories if counts.get(c, 0) > rnd.categories[c].slots]
    pictured = min(over, key=lambda c: counts[c]) if over else counts.idxmax()  # cut line on screen

    # the page shows this round's data, in Chinese, with the notebook's title and no code
    expect(page.locator(".wb-head")).to_contain_text(snapshot.snapshot_id[:12])
    expect(page.locator(".wb-head")).to_contain_text(rnd.round.name)
    assert page.title() == "主席办公会 · 创新工作室评审"
    assert page.locator("html").get_attribute("lang") == "zh"
    content = page.content()
    assert "take_snapshot" not in content and "Traceback" not in content

    # it opens on the first category with candidates: its ranked table, cut line, and a chart with real traces
    expect(page.locator(".wb-section")).to_contain_text(rnd.categories[first].label)
    table = page.locator("table.wb-ranked")
    top_first = ranked.loc[ranked["category"] == first, "studio"].iloc[0]
    expect(table).to_contain_text(top_first)
    expect(page.locator("tr.wb-cut")).to_contain_text(labels.MEETING["cut_line"].format(slots=rnd.categories[first].slots))
    expect_chart_of(page, ranked, first)

    # switching category redraws table and chart
    category_button(page, second, rnd).click()
    expect(page.locator(".wb-section")).to_contain_text(rnd.categories[second].label)
    top_second = ranked.loc[ranked["category"] == second, "studio"].iloc[0]
    expect(table).to_contain_text(top_second)
    expect(table).not_to_contain_text(top_first)
    expect_chart_of(page, ranked, second)

    # nothing private reaches the page
    content = page.content()
    phones = [p for p in snapshot.screened["phone"].dropna() if str(p).strip()]
    assert phones and not [p for p in phones if p in content]
    reviewers = [r for r in snapshot.scores["reviewer_id"].dropna().unique() if len(str(r)) > 1]
    assert not [r for r in reviewers if str(r) in content]

    # back and forth: every switch draws the chart of the category shown
    for code in (first, pictured):
        category_button(page, code, rnd).click()
        expect(table).to_contain_text(ranked.loc[ranked["category"] == code, "studio"].iloc[0])
        expect_chart_of(page, ranked, code)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "meeting.png"))

    # nothing left the machine
    assert page.requested
    outside = sorted({u for u in page.requested if urlparse(u).hostname != LOCAL and urlparse(u).scheme != "data"})
    assert outside == []


def test_refresh_rereads_the_store(page):
    from playwright.sync_api import expect

    meta = page.locator(".wb-head .wb-meta")
    before = meta.inner_text()
    time.sleep(1.1)  # the data time has one-second resolution; waiting, not asserting on time
    page.locator("button.wb-refresh").click()
    expect(meta).not_to_have_text(before)
    expect(page.locator("button.wb-refresh")).to_be_enabled()
    expect(page.locator("table.wb-ranked")).to_be_visible()
