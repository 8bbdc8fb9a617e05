"""The scoring app in a real browser: `notebooks/03_scoring.ipynb` served by standalone Voila exactly
as `workbench serve scoring` serves it, on a small sample round with assignments and no scores.
A reviewer types a wrong code, then their own, scores their first candidate, submits; the store
must then hold exactly those scores. Every request outside 127.0.0.1 is blocked and recorded.

Run alone with `pytest -m browser tests/test_scoring_browser.py`; the screenshot (1366x768, a
reviewer's laptop) lands in tests/artifacts/scoring.png (git-ignored) for a person to look at.
"""

from __future__ import annotations

import math
import secrets
from urllib.parse import urlparse

import pytest

import workbench as wb
from workbench import labels
from tests.browser import ARTIFACTS, CHROMIUM_ARGS, LOCAL, chromium_or_skip, opened, voila_serving
from workbench.scoring import for_reviewer
from workbench.store import open_store

pytestmark = pytest.mark.browser

@pytest.fixture(scope="module")
def chromium_path() -> str:
    return chromium_or_skip()


@pytest.fixture(scope="module")
def scoring_round(tmp_path_factory):
    """An 8-union sample round: screened, stored, assigned, nobody has scored yet; one reviewer's code."""
    folder = tmp_path_factory.mktemp("scoring-round")
    wb.make_sample(folder, seed=7, unions=8)
    rnd = wb.load_round(wb.DEFAULT_ROUND).at(folder)
    screened = wb.screen(wb.read_inbox(rnd.inbox, rnd).nominations, rnd)
    reviewers = wb.read_reviewers(folder / "reviewers.csv")
    with open_store(rnd) as store:
        store.save_nominations(screened)
        store.add_reviewers(reviewers)
        store.save_assignments(wb.assign(screened, reviewers, rnd))
        reviewer_id = store.assignments().groupby("reviewer_id").size().idxmax()  # the longest list
        store.record_pledge(reviewer_id, method="paper", actor="王秘书")  # signed on paper: straight to the list
        code = store.issue_codes([reviewer_id])["code"].iloc[0]
    return rnd, screened, reviewer_id, code


@pytest.fixture(scope="module")
def served(scoring_round, chromium_path, tmp_path_factory):
    log_path = tmp_path_factory.mktemp("voila-scoring") / "voila.log"
    with voila_serving("scoring", scoring_round[0].workdir, log_path, secrets.token_hex(12)) as served:
        yield served


@pytest.fixture(scope="module")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def page(served, browser):
    """A reviewer's laptop: 1366x768, at the login form."""
    with opened(browser, served, ".wb-login input[type=password]", "scoring", viewport=(1366, 768)) as page:
        yield page


def test_a_reviewer_logs_in_scores_and_submits(page, scoring_round):
    from playwright.sync_api import expect

    rnd, screened, reviewer_id, code = scoring_round
    s = labels.SCORING
    store = open_store(rnd)
    assert page.title() == "评委评分 · 创新工作室评审"

    # a wrong code is refused, on the page, in Chinese only (the code stays in the log)
    page.locator(".wb-login input[type=password]").fill("2222-2222-2222")
    page.get_by_role("button", name=s["login"]).click()
    expect(page.locator(".wb-login")).to_contain_text(labels.STORE_MESSAGES["code_wrong"])
    assert "[code_wrong]" not in page.locator(".wb-login").inner_text()

    field = page.locator(".wb-login input[type=password]")
    field.fill(code.lower().replace("-", " "))
    field.press("Enter")  # Enter logs in
    mine = store.worklist(reviewer_id)
    first = mine.iloc[0]
    stage, category = first["stage"], first["category"]
    expect(page.locator(".wb-dossier h2.wb-studio")).to_have_text(first["studio"])
    short = rnd.categories[category].short
    expect(page.locator(".wb-list select option").first).to_contain_text(f"【{short}】")  # the category on every item
    expect(page.locator(".wb-dossier").first).to_contain_text(labels.FORM_NARRATIVES["deeds"])
    expect(page.locator(".wb-materials img")).to_have_count(1)  # the studio's PDF, one page at a time
    font = page.locator(".wb-dossier p").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert font >= 16
    expect(page.locator(".wb-scoring")).to_contain_text(s["progress"].format(
        stage=rnd.stages[stage].label, submitted=0, total=int((mine["stage"] == stage).sum())))

    # one value per criterion, each field left with Tab (that is when a field sends its value)
    step = rnd.review.score_step
    typed = {c.code: math.floor(c.max[category] * (0.9 - 0.05 * i) / step) * step
             for i, c in enumerate(rnd.criteria(category, stage))}
    for crit in rnd.criteria(category, stage):
        field = page.get_by_label(s["criterion"].format(label=crit.label, max=crit.max[category]), exact=True)
        field.fill(f"{typed[crit.code]:g}")
        field.press("Tab")
    page.locator(".wb-form textarea").fill("浏览器中录入的评语")
    page.locator(".wb-form textarea").press("Tab")
    total = sum(typed.values())
    expect(page.locator(".wb-total")).to_contain_text(f"{total:g}")
    expect(page.locator(".wb-form")).to_contain_text(s["saved_draft"].split("（")[0])
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "scoring.png"))

    page.get_by_role("button", name=s["submit"], exact=True).click()
    expect(page.locator(".wb-form")).to_contain_text(s["submitted"].split("（")[0])
    expect(page.locator(".wb-scoring")).to_contain_text(s["progress"].format(
        stage=rnd.stages[stage].label, submitted=1, total=int((mine["stage"] == stage).sum())))
    page.screenshot(path=str(ARTIFACTS / "scoring-submitted.png"))

    # the store holds exactly what was typed, as submitted, and nothing else
    sheets = store.sheets()
    assert sheets[["reviewer_id", "nomination_id", "stage", "status"]].values.tolist() == \
        [[reviewer_id, first["nomination_id"], stage, "submitted"]]
    assert sheets["comment"].iloc[0] == "浏览器中录入的评语"
    assert store.load_sheet(reviewer_id, first["nomination_id"], stage)["points"] == typed

    # nothing private on the page, and nothing left the machine
    content = page.content()
    phones = [p for p in screened["phone"].dropna() if str(p).strip()]
    assert phones and not [p for p in phones if p in content]
    outside = sorted({u for u in page.requested if urlparse(u).hostname != LOCAL and urlparse(u).scheme != "data"})
    assert outside == []
    store.close()


def test_a_reviewer_without_a_pledge_signs_it_on_the_page_and_recuses_before_any_candidate(served, browser,
                                                                                          scoring_round):
    """The pledge step (issue 13) in the browser: no candidate before it; 确认 without 同意 is refused; a ticked
    candidate is declared a conflict and never shown; the store records the pledge as made in the app."""
    from playwright.sync_api import expect

    rnd, _, pledged, _ = scoring_round
    f = labels.PLEDGE_FORM
    store = open_store(rnd)
    lists = store.assignments().groupby("reviewer_id")["nomination_id"].nunique().drop(pledged)
    reviewer_id = lists[lists >= 2].index[0]
    assert not store.has_pledged(reviewer_id)
    code = store.issue_codes([reviewer_id])["code"].iloc[0]
    mine = store.worklist(reviewer_id).drop_duplicates("nomination_id")
    with opened(browser, served, ".wb-login input[type=password]", "pledge", viewport=(1366, 768)) as page:
        page.locator(".wb-login input[type=password]").fill(code)
        page.get_by_role("button", name=labels.SCORING["login"]).click()
        expect(page.get_by_text(f["title"])).to_be_visible()
        expect(page.locator(".wb-dossier h2.wb-studio")).to_have_count(0)  # no candidate before the pledge
        page.get_by_role("button", name=f["confirm"]).click()
        expect(page.get_by_text(f["must_agree"])).to_be_visible()
        assert not store.has_pledged(reviewer_id)

        recused = mine.iloc[0]
        page.get_by_label(f"{recused['studio']}（{recused['nomination_id']}）").check()
        page.get_by_placeholder(f["reason_placeholder"]).fill("近三年在该单位任职")
        page.get_by_placeholder(f["reason_placeholder"]).press("Tab")
        page.get_by_label(f["agree"]).check()
        page.get_by_role("button", name=f["confirm"]).click()
        expect(page.locator(".wb-dossier h2.wb-studio")).to_be_visible()
        options = page.locator(".wb-list select option").all_inner_texts()
        assert options and not any(recused["studio"] in o for o in options)
        assert recused["studio"] not in page.locator(".wb-dossier").first.inner_text()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "scoring-after-pledge.png"))

    pledge = store.pledges().set_index("reviewer_id").loc[reviewer_id]
    assert pledge["pledged"] and pledge["method"] == "app"
    declared = store.declared_conflicts()
    assert declared[["reviewer_id", "nomination_id"]].values.tolist() == [[reviewer_id, recused["nomination_id"]]]
    assert "近三年在该单位任职" in declared["reason"].iloc[0]
    assert recused["nomination_id"] not in set(store.assignments().query("reviewer_id == @reviewer_id")["nomination_id"])
    store.close()


# ---------------------------------------------------------------------------- two servers, one PostgreSQL
@pytest.fixture(scope="module")
def postgres_round(tmp_path_factory):
    """The 8-union round in a fresh PostgreSQL schema; two reviewers' codes."""
    import os
    import uuid

    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    base = os.environ.get("WORKBENCH_TEST_PG_URL")
    if not base:
        pytest.skip("WORKBENCH_TEST_PG_URL is not set (see scripts/postgres-for-tests.sh)")
    schema = f"wb_{uuid.uuid4().hex[:16]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    folder = tmp_path_factory.mktemp("pg-round")
    wb.make_sample(folder, seed=7, unions=8)
    rnd = wb.load_round(wb.DEFAULT_ROUND).at(folder)
    screened = wb.screen(wb.read_inbox(rnd.inbox, rnd).nominations, rnd)
    reviewers = wb.read_reviewers(folder / "reviewers.csv")
    with open_store(rnd, url) as store:
        store.save_nominations(screened)
        store.add_reviewers(reviewers)
        store.save_assignments(wb.assign(screened, reviewers, rnd))
        busiest = store.assignments().groupby("reviewer_id").size().sort_values(ascending=False).index[:2]
        codes = dict(store.issue_codes(list(busiest))[["reviewer_id", "code"]].itertuples(index=False, name=None))
        for reviewer_id in codes:  # signed paper pledges: both go straight to their lists
            store.record_pledge(reviewer_id, method="paper", actor="王秘书")
    try:
        yield rnd, url, codes
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def log_in(page, code: str) -> None:
    page.locator(".wb-login input[type=password]").fill(code)
    page.get_by_role("button", name=labels.SCORING["login"]).click()


def field_of(page, rnd, category: str, stage: str):
    crit = rnd.criteria(category, stage)[0]
    return page.get_by_label(labels.SCORING["criterion"].format(label=crit.label, max=crit.max[category]), exact=True)


def test_two_servers_on_one_postgresql_serve_the_same_round(postgres_round, browser, tmp_path):
    """Two `serve scoring` processes (two ports, standing for two machines) on one PostgreSQL: a
    save on one is seen on the other, a stale form is refused, the lockout and a revoked code hold
    across them."""
    from playwright.sync_api import expect

    rnd, url, codes = postgres_round
    (first_id, first_code), (second_id, second_code) = codes.items()
    s = labels.SCORING
    with voila_serving("scoring", rnd.workdir, tmp_path / "one.log", secrets.token_hex(12),
                       env={"WORKBENCH_DB": url}) as one, \
            voila_serving("scoring", rnd.workdir, tmp_path / "two.log", secrets.token_hex(12),
                          env={"WORKBENCH_DB": url}) as two:
        assert one[0] != two[0]
        ready = ".wb-login input[type=password]"
        with opened(browser, one, ready, "scoring-one") as a, opened(browser, two, ready, "scoring-two") as b:
            store = open_store(rnd, url)
            first = store.worklist(first_id).iloc[0]
            stage, category = first["stage"], first["category"]
            step = rnd.review.score_step
            crit = rnd.criteria(category, stage)[0]
            value = math.floor(crit.max[category] * 0.6 / step) * step

            # a draft saved through server one is what server two shows
            log_in(a, first_code)
            expect(a.locator(".wb-dossier h2.wb-studio")).to_have_text(first["studio"])
            field_of(a, rnd, category, stage).fill(f"{value:g}")
            field_of(a, rnd, category, stage).press("Tab")
            expect(a.locator(".wb-form")).to_contain_text(s["saved_draft"].split("（")[0])
            log_in(b, first_code)  # the same reviewer, a second window, the other server
            expect(b.locator(".wb-dossier h2.wb-studio")).to_have_text(first["studio"])
            expect(field_of(b, rnd, category, stage)).to_have_value(f"{value:g}")

            # versions hold across them: server two saves, server one's form is stale and refused
            field_of(b, rnd, category, stage).fill(f"{value - step:g}")
            field_of(b, rnd, category, stage).press("Tab")
            expect(b.locator(".wb-form")).to_contain_text(s["saved_draft"].split("（")[0])
            field_of(a, rnd, category, stage).fill(f"{value + step:g}")
            field_of(a, rnd, category, stage).press("Tab")
            expect(a.locator(".wb-form")).to_contain_text(for_reviewer(s["stale"]))
            assert store.load_sheet(first_id, first["nomination_id"], stage)["points"] == {crit.code: value - step}

            # the lockout holds across them: wrong codes on one lock that code on the other
            wrong = second_code[:-1] + ("2" if second_code[-1] != "2" else "3")
            with opened(browser, one, ready, "scoring-attacker") as attacker:
                for _ in range(rnd.serving.login_failures_per_code):
                    log_in(attacker, wrong)
                    expect(attacker.locator(ready)).to_have_value("")  # the app took this attempt
                expect(attacker.locator(".wb-login")).to_contain_text(labels.STORE_MESSAGES["code_wrong"])
            with opened(browser, two, ready, "scoring-locked") as locked:
                log_in(locked, second_code)
                expect(locked.locator(".wb-login")).to_contain_text(
                    labels.STORE_MESSAGES["login_locked"].format(minutes=f"{rnd.serving.login_window_minutes:g}"))

            # a code revoked on the analyst's machine ends the session on server two at its next save
            store.revoke_code(first_id)
            field_of(b, rnd, category, stage).fill(f"{value:g}")
            field_of(b, rnd, category, stage).press("Tab")
            expect(b.locator(".wb-login")).to_contain_text(labels.STORE_MESSAGES["session_ended"])
            assert store.load_sheet(first_id, first["nomination_id"], stage)["points"] == {crit.code: value - step}
            b.screenshot(path=str(ARTIFACTS / "scoring-session-ended.png"))
            store.close()
