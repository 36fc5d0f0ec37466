"""Recurring incidents in the browser: a problem manager accepts a proposed cluster and gets the problem.

Four printer incidents make a proposal. The problem manager opens the proposals page, reads the
cluster and accepts it, and the page that follows shows the new problem with the four incidents linked. The
reports and the detector settings are opened in both languages. Screenshots of the proposals
list, one proposal, the reports and the settings go to docs/screenshots/ in Persian and English.
"""

from __future__ import annotations

from typing import Any

from sarv.core.text import to_persian_digits
from sarv.problems import actions
from sarv.problems.choices import ClusterBasis, LinkSource
from sarv.problems.models import Problem, ProblemProposal, RecurrencePolicy
from sarv.problems.tests.recurring_helpers import incidents, problem_manager
from tests.browser.conftest import body_text, latin_text, save_screenshot, sign_in, switch_language


def either_digits(text: str, value: str) -> bool:
    return value in text or to_persian_digits(value) in text


def test_accept_a_recurring_cluster(browser_context: Any, live_server: Any, requester: Any,
                                    category_tree: Any) -> None:
    # given four printer incidents this week, proposed by the detector, and a problem manager
    _hardware, printer = category_tree
    RecurrencePolicy.objects.update_or_create(pk=1, defaults={"min_incidents": 3, "bases": [ClusterBasis.CATEGORY]})
    made = incidents(requester, 4, category=printer, title="چاپگر طبقه سوم کاغذ گیر می‌اندازد")
    actions.run_recurrence_detection(actor=None)
    proposal = ProblemProposal.objects.get()
    manager = problem_manager()

    # when the problem manager opens the proposals page
    page = browser_context.new_page()
    sign_in(page, live_server.url, manager.username, next_path="/problems/proposals/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    table = page.locator("#proposals").inner_text()
    assert "سخت‌افزار › چاپگر" in table
    assert "۴" in table
    assert latin_text(page) == []
    save_screenshot(page, "problem-proposals-fa")

    # and opens the cluster, which lists its four incidents
    with page.expect_navigation():
        page.click("#proposals a:has-text('چاپگر')")
    listed = page.locator("#proposal-incidents").inner_text()
    assert all(either_digits(listed, incident.number) for incident in made)
    save_screenshot(page, "problem-proposal-fa")

    # and accepts it
    with page.expect_navigation():
        page.click("#accept-form button[type=submit]")

    # then a problem is raised with the four incidents linked through the proposal, and the page shows it
    problem = Problem.objects.get()
    assert problem.incident_links.filter(source=LinkSource.PROPOSAL).count() == 4
    assert problem.problem_manager == manager
    text = body_text(page)
    assert either_digits(text, problem.number)
    assert either_digits(text, made[0].number)
    proposal.refresh_from_db()
    assert proposal.problem == problem

    # the reports and the detector settings open in Persian
    page.goto(f"{live_server.url}/problems/reports/incidents/")
    assert either_digits(page.locator("#incidents-per-problem").inner_text(), problem.number)
    page.goto(f"{live_server.url}/problems/reports/?period=quarter")
    assert "فصل" in page.locator("#status-periods").inner_text()
    save_screenshot(page, "problem-reports-fa")
    page.goto(f"{live_server.url}/problems/proposals/settings/")
    save_screenshot(page, "problem-recurrence-settings-fa")

    # and in English, where the accepted proposal and the reports read in English
    switch_language(page, "en")
    page.goto(f"{live_server.url}/problems/proposals/?status=accepted")
    assert page.locator("html").get_attribute("dir") == "ltr"
    assert "Hardware › Printer" in page.locator("#proposals").inner_text()
    save_screenshot(page, "problem-proposals-en")
    page.goto(f"{live_server.url}/problems/proposals/{proposal.pk}/")
    assert "Accepted" in body_text(page)
    save_screenshot(page, "problem-proposal-en")
    page.goto(f"{live_server.url}/problems/reports/?period=quarter")
    assert "Quarter" in page.locator("#status-periods").inner_text()
    save_screenshot(page, "problem-reports-en")
    page.goto(f"{live_server.url}/problems/proposals/settings/")
    assert "Traits to compare" in body_text(page)
    save_screenshot(page, "problem-recurrence-settings-en")
