"""The meeting dashboard in a real browser: `dashboards/meeting.ipynb` served by standalone Voila
exactly as `workbench serve meeting` serves it, on a small demo round, opened in the system
Chromium with every request outside 127.0.0.1 blocked and recorded.

Run alone with `pytest -m browser tests/test_browser.py`; the screenshot lands in
tests/artifacts/meeting.png (git-ignored) for a person to look at.
"""

from __future__ import annotations

import http.client
import re
import secrets
import time
from urllib.parse import urlparse

import pytest

import workbench as wb
from workbench import labels
from tests.browser import ARTIFACTS, CHROMIUM_ARGS, LOCAL, TIMEOUT_MS, chromium_or_skip, opened, voila_serving

pytestmark = pytest.mark.browser

PREHEAT_GRACE_S = 8  # lets the pool kernel read the store before the test changes it (a wait, not a check)


@pytest.fixture(scope="module")
def chromium_path() -> str:
    return chromium_or_skip()


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
    from workbench.state import load_state
    from workbench.store import open_store

    _, _, log_path = served
    for _ in range(1500):  # the pool kernel is started; then give it time to run the notebook
        if "is filled" in log_path.read_text():
            break
        time.sleep(0.2)
    time.sleep(PREHEAT_GRACE_S)
    before = load_state(meeting_round)
    nomination = before.ranked["nomination_id"].iloc[0]
    open_store(meeting_round).record_decision(nomination, "defer", "浏览器测试", before.snapshot_id, "test")
    after = load_state(meeting_round)
    assert after.snapshot_id == before.snapshot_id  # a decision refers to a snapshot, it does not change it
    assert after.fingerprint != before.fingerprint and nomination in set(after.decisions["nomination_id"])
    return after


@pytest.fixture(scope="module")
def served(meeting_round, chromium_path, tmp_path_factory):
    """Voila on the demo round, preheated; yields (base url, token, log path)."""
    with voila_serving("meeting", meeting_round.workdir, tmp_path_factory.mktemp("voila") / "voila.log",
                       secrets.token_hex(12)) as served:
        yield served


@pytest.fixture(scope="module")
def browser(chromium_path):
    """One Chromium for the module (Playwright's sync API allows one at a time)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def page(served, snapshot, browser):
    with opened(browser, served, ".wb-section", "meeting") as page:
        yield page


def shoot(page, name: str, *, full_page: bool = False) -> None:
    """Save a screenshot of the view on screen for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.wait_for_timeout(300)  # let the last redraw paint; a pause, not a check
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def private_words(rnd, snapshot) -> list[str]:
    """Phone numbers and contacts of the nominations, reviewers' ids and names (reviewers.csv)."""
    import pandas as pd

    reviewers = pd.read_csv(rnd.workdir / "reviewers.csv", dtype=str)
    words = [*snapshot.screened["phone"].dropna(), *snapshot.screened["contact"].dropna(),
             *reviewers["name"].dropna(), *snapshot.scores["reviewer_id"].dropna().unique()]
    return sorted({str(w).strip() for w in words if len(str(w).strip()) > 1})


def category_button(page, code: str, rnd):
    return page.locator(".wb-tabs .widget-toggle-button", has_text=rnd.categories[code].short)


def expect_chart_of(page, ranked, category: str) -> None:
    """The chart shows one point per scored candidate of `category` (not a stale figure), drawn."""
    from playwright.sync_api import expect

    rows = ranked[(ranked["category"] == category) & ranked["composite"].notna()]
    points = page.locator("svg.wb-chart circle.wb-pt >> visible=true")
    expect(points).to_have_count(len(rows))
    expect(points.first).to_have_attribute("data-nid", rows["nomination_id"].iloc[0])
    assert page.locator("svg.wb-chart >> visible=true").first.bounding_box()["height"] > 200  # drawn, not collapsed


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
    assert "load_state" not in content and "Traceback" not in content

    # it opens on the first category with candidates: its ranked table, cut line, and a chart with real traces
    expect(page.locator(".wb-section").first).to_contain_text(rnd.categories[first].label)
    table = page.locator("table.wb-ranked")
    top_first = ranked.loc[ranked["category"] == first, "studio"].iloc[0]
    expect(table).to_contain_text(top_first)
    expect(page.locator("tr.wb-cut")).to_contain_text(labels.MEETING["cut_line"].format(slots=rnd.categories[first].slots))
    expect_chart_of(page, ranked, first)
    # the decision recorded before the page opened is on the table
    decided = ranked["nomination_id"].iloc[0]
    expect(page.locator(f'tr[data-nid="{decided}"] .wb-chip.wb-defer')).to_have_text(labels.DECISION["defer"])

    # switching category redraws table and chart
    category_button(page, second, rnd).click()
    expect(page.locator(".wb-section").first).to_contain_text(rnd.categories[second].label)
    top_second = ranked.loc[ranked["category"] == second, "studio"].iloc[0]
    expect(table).to_contain_text(top_second)
    expect(table).not_to_contain_text(top_first)
    expect_chart_of(page, ranked, second)

    # back and forth: every switch draws the chart of the category shown; the borderline band is marked
    for code in (first, pictured):
        category_button(page, code, rnd).click()
        expect(table).to_contain_text(ranked.loc[ranked["category"] == code, "studio"].iloc[0])
        expect_chart_of(page, ranked, code)
    band = snapshot.diagnostics
    border = set(band.loc[band["band"] == "borderline", "nomination_id"]) & set(
        ranked.loc[ranked["category"] == pictured, "nomination_id"])
    expect(page.locator("tr.wb-borderline")).to_have_count(len(border))
    shoot(page, "meeting")


def view_button(page, view: str):
    return page.locator(".wb-views").get_by_role("button", name=labels.MEETING[f"view_{view}"], exact=True)


def test_criterion_breakdown_view(page, meeting_round):
    from playwright.sync_api import expect

    view_button(page, "breakdown").click()
    heat = page.locator("table.wb-heat")
    expect(heat).to_be_visible()
    for c in meeting_round.rubric:
        expect(heat.locator("th", has_text=c.label)).to_have_count(1)
    shoot(page, "meeting-breakdown")


def test_what_if_view_previews(page, snapshot, meeting_round):
    from playwright.sync_api import expect

    largest = snapshot.ranked["category"].value_counts().idxmax()  # where another rule moves most
    category_button(page, largest, meeting_round).click()
    view_button(page, "whatif").click()
    expect(page.locator(".wb-whatif-head")).to_contain_text(labels.MEETING["whatif_title"])
    page.locator(".wb-whatif-controls .widget-toggle-button", has_text=labels.MEETING["agg_median"]).click()
    expect(page.locator("table.wb-whatif")).to_be_visible()
    shoot(page, "meeting-whatif")
    view_button(page, "ranking").click()
    expect(page.locator("table.wb-ranked")).to_be_visible()


def test_open_a_card_and_record_a_decision(page, snapshot, meeting_round):
    from playwright.sync_api import expect

    from workbench.store import open_store

    ranked = snapshot.ranked
    category = ranked["category"].iloc[0]
    rows = ranked[ranked["category"] == category]
    target = rows["nomination_id"].iloc[min(2, len(rows) - 1)]
    studio = rows.set_index("nomination_id").loc[target, "studio"]
    category_button(page, category, meeting_round).click()
    page.locator(f'table.wb-ranked tr[data-nid="{target}"]').click()  # a click on the row opens its card
    card = page.locator(".wb-card")
    expect(card.locator("h2")).to_contain_text(studio)
    expect(page.locator(".wb-photos img").first).to_be_visible()
    assert page.locator(".wb-photos img").first.get_attribute("src").startswith("data:image/jpeg;base64,")
    expect(page.locator("svg.wb-spread circle")).to_have_count(int(((snapshot.sheets["nomination_id"] == target) & (snapshot.sheets["status"] == "submitted")).sum()))
    shoot(page, "meeting-card")

    decision = page.locator(".wb-decision")
    decision.get_by_role("button", name=labels.DECISION["approve"], exact=True).click()
    decision.locator("textarea").fill("浏览器中审定")
    decision.locator("button.wb-record").click()
    expect(decision).to_contain_text(labels.MEETING["decision_saved"].split("：")[0])
    store = open_store(meeting_round)
    found = store.decisions().set_index("nomination_id")
    assert target in found.index
    assert (found.loc[target, "decision"], found.loc[target, "note"]) == ("approve", "浏览器中审定")
    assert found.loc[target, "snapshot_id"] == snapshot.snapshot_id
    shoot(page, "meeting-decision")

    # the ‹ › buttons move along the discussion order and open the next card
    page.get_by_role("button", name=labels.MEETING["next"]).click()
    expect(card.locator("h2")).not_to_contain_text(studio)
    view_button(page, "ranking").click()
    expect(page.locator(f'tr[data-nid="{target}"] .wb-chip.wb-approve')).to_have_text(labels.DECISION["approve"])


def test_nothing_private_on_any_view(page, snapshot, meeting_round):
    words = private_words(meeting_round, snapshot)
    assert any(w.isdigit() for w in words)  # phone numbers are among them: the check can fail
    for view in ("ranking", "breakdown", "discussion", "excluded", "whatif"):
        view_button(page, view).click()
        page.wait_for_timeout(300)  # let the view's redraw arrive; a pause, not a check
        content = re.sub(r"data:image/[a-z]+;base64,[A-Za-z0-9+/=]+", "", page.content())  # pictures are not text
        assert not [w for w in words if w in content], view
    view_button(page, "ranking").click()


def test_execute_request_on_the_kernel_websocket_runs_nothing(page, served, tmp_path):
    """A crafted client on the page's kernel websocket (the v1 protocol, the only one served; see
    tests/test_serve_attacks.py for the others) asks to run code: nothing runs, the kernel answers."""
    import asyncio

    import websockets

    from tests.test_serve_attacks import message, v1_frame
    from workbench.voila_server import V1, v1_header

    base, token, _ = served
    kernel = re.search(r'"kernelId":\s*"([0-9a-f-]{36})"', page.content()).group(1)
    marker = tmp_path / "executed.txt"
    url = f"ws://{LOCAL}:{urlparse(base).port}/api/kernels/{kernel}/channels?token={token}&session_id=attacker"

    async def attack() -> str:
        async with websockets.connect(url, max_size=None, subprotocols=[V1]) as ws:
            code = f"open({str(marker)!r}, 'w').write('ran')"
            await ws.send(v1_frame(message("execute_request", {
                "code": code, "silent": False, "store_history": False, "user_expressions": {}, "allow_stdin": False,
                "stop_on_error": True})))
            info = message("kernel_info_request", {})
            await ws.send(v1_frame(info))  # answered after anything sent before it would have run
            while True:
                raw = await asyncio.wait_for(ws.recv(), 60)
                header = v1_header(raw)
                if header and header["msg_type"] == "kernel_info_reply" and \
                        info["header"]["msg_id"] in raw.decode("utf-8", "replace"):
                    return header["msg_type"]

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API owns this thread's event loop
        answer = pool.submit(lambda: asyncio.run(attack())).result()
    assert answer == "kernel_info_reply"  # the channel works: the kernel is alive and listening
    time.sleep(1)  # any execution would have finished by now; waiting, not asserting on time
    assert not marker.exists()


def test_refresh_rereads_the_store(page):
    from playwright.sync_api import expect

    meta = page.locator(".wb-head .wb-meta")
    before = meta.inner_text()
    time.sleep(1.1)  # the data time has one-second resolution; waiting, not asserting on time
    page.locator("button.wb-refresh").click()
    expect(meta).not_to_have_text(before)
    expect(page.locator("button.wb-refresh")).to_be_enabled()
    expect(page.locator("table.wb-ranked")).to_be_visible()


def test_no_request_left_the_machine(page):
    assert page.requested
    outside = sorted({u for u in page.requested if urlparse(u).hostname != LOCAL and urlparse(u).scheme != "data"})
    assert outside == []


def test_empty_round_shows_a_message(browser, tmp_path_factory):
    from playwright.sync_api import expect

    workdir = tmp_path_factory.mktemp("empty")
    with voila_serving("meeting", workdir, tmp_path_factory.mktemp("voila-empty") / "voila.log", secrets.token_hex(12),
                       preheat=False) as served:
        with opened(browser, served, ".wb-message", "meeting-empty") as page:
            expect(page.locator(".wb-message")).to_contain_text(labels.MEETING["empty_round"][:12])
            expect(page.locator(".wb-head")).to_contain_text(labels.MEETING["snapshot"])
            assert "Traceback" not in page.content()
            shoot(page, "meeting-empty")
            outside = sorted({u for u in page.requested if urlparse(u).hostname != LOCAL
                              and urlparse(u).scheme != "data"})
            assert outside == []


# ---------------------------------------------------------------------------- issue 14: both screens, two windows, kernels
SIZES = {"projector": (1920, 1080), "laptop": (1366, 768)}

WRAPPED_CONTROLS = """() => {
  const out = [];
  for (const el of document.querySelectorAll('.wb-meeting button, .wb-meeting .widget-toggle-button')) {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || getComputedStyle(el).display === 'none') continue;
    const line = parseFloat(getComputedStyle(el).lineHeight) || parseFloat(getComputedStyle(el).fontSize) * 1.3;
    const text = el.innerText.trim();
    if (text && (el.scrollWidth > el.clientWidth + 2 || el.scrollHeight > el.clientHeight + 2 || box.height > 2.6 * line))
      out.push(text);
  }
  return out;
}"""


def overlapping_labels(page) -> list[str]:
    """Pairs of chart labels (SVG text) on screen whose boxes overlap."""
    return page.evaluate("""() => {
      const out = [];
      for (const svg of document.querySelectorAll('svg.wb-chart')) {
        if (!svg.getBoundingClientRect().width) continue;
        const boxes = [...svg.querySelectorAll('text')].map(t => [t.textContent, t.getBoundingClientRect()]);
        for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
          const [a, p] = boxes[i], [b, q] = boxes[j];
          if (p.left < q.right - 1 && q.left < p.right - 1 && p.top < q.bottom - 1 && q.top < p.bottom - 1)
            out.push(a + ' / ' + b);
        }
      }
      return out;
    }""")


@pytest.mark.parametrize("size", list(SIZES))
def test_every_view_at_both_sizes(browser, served, snapshot, meeting_round, size):
    """Each view at 1920x1080 and 1366x768: no control wraps its label, no chart label overlaps
    another, the ranked table's header stays on screen when the list scrolls; a screenshot of each."""
    from playwright.sync_api import expect

    rnd = meeting_round
    counts = snapshot.ranked["category"].value_counts()
    longest = counts.idxmax()
    with opened(browser, served, ".wb-section", f"meeting-{size}", viewport=SIZES[size]) as page:
        category_button(page, longest, rnd).click()
        expect(page.locator(".wb-tally")).to_contain_text(rnd.categories[longest].short)
        for view in ("ranking", "breakdown", "discussion", "excluded", "whatif"):
            view_button(page, view).click()
            page.wait_for_timeout(500)  # let the view's redraw arrive; a pause, not a check
            expect(page.locator(".wb-tally")).to_be_visible()
            assert page.evaluate(WRAPPED_CONTROLS) == [], view
            assert overlapping_labels(page) == [], view
            shoot(page, f"meeting-{size}-{view}")
        view_button(page, "ranking").click()
        header = page.locator("table.wb-ranked th").first
        expect(header).to_be_visible()
        page.evaluate("() => document.querySelector('table.wb-ranked tbody tr:last-child').scrollIntoView()")
        page.wait_for_timeout(300)
        box = header.bounding_box()
        assert box is not None and -1 <= box["y"] <= SIZES[size][1] / 3, box  # stuck at the top, not scrolled away
        tally = page.locator(".wb-tally").bounding_box()
        assert tally is not None and -1 <= tally["y"] and tally["y"] + tally["height"] <= box["y"] + 1, (tally, box)
        shoot(page, f"meeting-{size}-scrolled")


def test_two_windows_deciding_at_once(browser, served, snapshot, meeting_round):
    """Two meeting windows open the same candidate; the first records 通过; the second, which had
    not seen it, is refused with who changed it, and the store keeps the first decision."""
    from playwright.sync_api import expect

    from workbench.store import open_store

    ranked = snapshot.ranked
    decided = set(open_store(meeting_round).decisions()["nomination_id"])
    target = ranked.loc[~ranked["nomination_id"].isin(decided) & ranked["composite"].notna(), "nomination_id"].iloc[0]
    category = ranked.set_index("nomination_id").loc[target, "category"]
    with opened(browser, served, ".wb-section", "meeting-window-1") as one, \
            opened(browser, served, ".wb-section", "meeting-window-2") as two:
        for page in (one, two):
            category_button(page, category, meeting_round).click()
            page.locator(f'table.wb-ranked tr[data-nid="{target}"]').click()
            expect(page.locator(".wb-card h2")).to_be_visible()
        for page, choice in ((one, "approve"), (two, "reject")):
            box = page.locator(".wb-decision").first
            box.get_by_role("button", name=labels.DECISION[choice], exact=True).click()
            box.locator("textarea").fill(f"窗口{choice}")
        one.locator(".wb-decision button.wb-record").first.click()
        expect(one.locator(".wb-decision").first).to_contain_text(labels.MEETING["decision_saved"].split("：")[0])
        two.locator(".wb-decision button.wb-record").first.click()
        refused = two.locator(".wb-decision").first
        expect(refused).to_contain_text("stale_write")
        expect(refused).to_contain_text(labels.DECISION["approve"])
        shoot(two, "meeting-two-windows")
        stored = open_store(meeting_round).decisions().set_index("nomination_id").loc[target]
        assert (stored["decision"], stored["note"], stored["version"]) == ("approve", "窗口approve", 1)
        # the tally of the first window counts it
        expect(one.locator(".wb-tally .wb-approve b")).not_to_have_text("0")


def test_a_closed_page_frees_its_kernel(browser, served):
    """Voila's shutdown on page close is accepted (no 403 for a missing _xsrf): the kernel goes."""
    _, _, log_path = served
    with opened(browser, served, ".wb-section", "meeting-close") as page:
        kernel = re.search(r'"kernelId":\s*"([0-9a-f-]{36})"', page.content()).group(1)
        page.unroute("**/*")  # the beacon sent while the page goes must not wait on the test's request filter
        page.close(run_before_unload=True)
    for _ in range(600):  # waiting for the server, not timing it
        text = log_path.read_text()
        if f"Kernel shutdown: {kernel}" in text:
            break
        time.sleep(0.2)
    text = log_path.read_text()
    assert f"Kernel shutdown: {kernel}" in text
    assert "_xsrf' argument missing" not in text


def test_a_replacement_and_a_ruling_in_the_browser(browser, served, snapshot, meeting_round):
    """After a 不通过 the card offers the next candidates; choosing one records a 递补 of its own.
    A 特别优秀直接推荐 case waits in 未进入排名; the meeting's ruling there is an override with its reason."""
    from playwright.sync_api import expect

    from workbench.decisions import decision_of, excluded, replacement_offers
    from workbench.store import open_store

    rnd, store = meeting_round, open_store(meeting_round)
    ranked = snapshot.ranked
    counts = ranked[ranked["composite"].notna()].groupby("category").size()
    category = next(c for c in rnd.categories if counts.get(c, 0) > rnd.categories[c].slots)
    rows = ranked[ranked["category"] == category].reset_index(drop=True)
    proposed = rows.loc[rows["proposed"], "nomination_id"].tolist()
    target = proposed[-1]
    seen = decision_of(store.decisions(), target)
    store.record_decision(target, "reject", "浏览器测试：不通过", snapshot.snapshot_id, "test",
                          None if seen is None else int(seen["version"]))
    offers = replacement_offers(rows, store.decisions())
    assert not offers.empty
    with opened(browser, served, ".wb-section", "meeting-replace", viewport=SIZES["laptop"]) as page:
        category_button(page, category, rnd).click()
        page.locator(f'table.wb-ranked tr[data-nid="{target}"]').click()
        panel = page.locator(".wb-replace")
        expect(panel).to_be_visible()
        expect(panel).to_contain_text(offers["studio"].iloc[0])
        shoot(page, "meeting-laptop-replace")
        panel.locator("button.wb-record").click()
        expect(panel).to_contain_text(labels.MEETING["decision_saved"].split("：")[0])
        found = store.decisions().set_index("nomination_id")
        pick = offers["nomination_id"].iloc[0]
        assert (found.loc[pick, "decision"], found.loc[pick, "replaces"]) == ("approve", target)
        expect(page.locator(".wb-tally")).to_contain_text(labels.MEETING["tally_replacements"] + " 1")

        waiting = excluded(snapshot)
        direct = waiting[waiting["direct"] & (waiting["verdict"] == "eligibility")]
        case = (direct if not direct.empty else waiting[waiting["verdict"] != ""]).iloc[0]
        category_button(page, case["category"], rnd).click()
        view_button(page, "excluded").click()
        expect(page.locator("table.wb-excluded")).to_contain_text(case["studio"])
        ruling = page.locator(".wb-panel").filter(has_text=labels.MEETING["ruling_title"])
        expect(ruling.locator("select")).to_contain_text(case["studio"])  # the category's list has arrived
        ruling.locator("select").select_option(value=None, label=next(
            o for o in ruling.locator("select option").all_inner_texts() if case["studio"] in o))
        value = case["values"][0]
        words = {"eligibility": labels.ELIGIBILITY, "quota_status": labels.QUOTA_STATUS}[case["verdict"]]
        ruling.get_by_role("button", name=words[value], exact=True).click()
        ruling.locator("textarea").fill("成果突出，会议同意")
        shoot(page, "meeting-laptop-ruling")
        ruling.locator("button.wb-record").click()  # then the round is re-read: slow on a busy machine
        expect(ruling).to_contain_text(labels.MEETING["ruling_saved"].split("{")[0], timeout=TIMEOUT_MS)
        expect(ruling).to_contain_text(case["studio"])
        rules = store.overrides().set_index(["nomination_id", "verdict"])
        stored = rules.loc[(case["nomination_id"], case["verdict"])]
        assert stored["value"] == value and stored["reason"] == labels.MEETING["ruling_prefix"] + "成果突出，会议同意"
