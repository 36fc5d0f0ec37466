"""Problem management in Chromium: writing the root cause with five whys and a workaround, closing a problem
that resolves its linked incidents, and the problem pages in both languages with their screenshots."""

from __future__ import annotations

from typing import Any

from sarv.core.models import Notification
from sarv.core.text import to_persian_digits
from sarv.incidents.choices import IncidentStatus
from sarv.incidents.models import Incident
from sarv.problems import actions
from sarv.problems.choices import ProblemStatus
from sarv.problems.models import FiveWhyStep, Problem
from sarv.testing import factories
from sarv.testing.assertions import in_persian
from tests.browser.conftest import body_text, flash_messages, sign_in, wait_until_shown
from tests.browser.test_main_pages import PageChecker, in_both_languages

ROOT_CAUSE = "کاغذ ۱۰۰ گرمی غلتک کشش چاپگرها را زودتر از موعد فرسوده می‌کند."
WORKAROUND = "تا رسیدن کاغذ ۸۰ گرمی از سینی دستی چاپگر استفاده کنید."
# The problem manager's username appears in the manager pickers, which is Latin text a Persian page may show.
MANAGER_USERNAME = ("shirin",)
CLOSE_MESSAGE = "علت ریشه‌ای برطرف شد و غلتک همهٔ چاپگرها عوض شد. لطفاً دوباره چاپ کنید."


def wait_for_htmx(page: Any) -> None:
    """Wait until no HTMX request is in flight and the last swap has settled."""
    from playwright.sync_api import expect

    expect(page.locator(".htmx-request, .htmx-settling, .htmx-swapping")).to_have_count(0)


def _problem_with_incidents(agent: Any, requester: Any, other_requester: Any, service_desk: Any) -> Problem:
    first = factories.make_incident(requester, "چاپگر طبقه سوم کاغذ گیر می‌اندازد")
    second = factories.make_incident(other_requester, "چاپگر اتاق حقوق کاغذ را مچاله می‌کند")
    return actions.open_problem(actor=agent, title="گیر کردن مکرر کاغذ در چاپگرها", incidents=[first, second],
                                assigned_group=service_desk, assignee=agent)


def test_agent_writes_root_cause_with_five_whys_and_workaround(
    browser_contexts: Any, live_server: Any, agent: Any, requester: Any, other_requester: Any, service_desk: Any,
) -> None:
    base = live_server.url
    problem = _problem_with_incidents(agent, requester, other_requester, service_desk)
    ali = browser_contexts().new_page()
    sign_in(ali, base, "ali", next_path=problem.get_absolute_url())

    # when Ali adds three five-whys steps through the HTMX editor, without a page load
    for question, answer in (("چرا کاغذ گیر می‌کند؟", "غلتک فرسوده است."),
                             ("چرا غلتک فرسوده است؟", "کاغذ سنگین است."),
                             ("چرا کاغذ سنگین خریده شد؟", "")):
        ali.fill("#why_question", question)
        ali.fill("#why_answer", answer)
        ali.locator("#why-add button[type=submit]").click()
        ali.locator(".five-whys li", has_text=question).wait_for()
        wait_for_htmx(ali)
    # and fills in the third step's answer in place and moves it up (each form slides open first: a click during the
    # animation can miss its button on a busy machine)
    third = ali.locator(".five-whys li", has_text="چرا کاغذ سنگین خریده شد؟")
    third.get_by_role("button", name=in_persian("Edit"), exact=True).click()
    third.locator("form.collapse.show").wait_for()
    third.locator("textarea[name=answer]").fill("فرم خرید مشخصات فنی ندارد.")
    third.get_by_role("button", name=in_persian("Save step")).click()
    ali.locator(".five-whys li", has_text="فرم خرید مشخصات فنی ندارد.").wait_for()
    wait_for_htmx(ali)
    ali.locator(".five-whys li", has_text="چرا کاغذ سنگین خریده شد؟").get_by_role(
        "button", name=in_persian("Move up")).click()
    ali.locator(".five-whys li").nth(1).filter(has_text="چرا کاغذ سنگین خریده شد؟").wait_for()
    wait_for_htmx(ali)

    # then the steps are kept in their order
    assert list(FiveWhyStep.objects.filter(problem=problem).values_list("question", flat=True)) == [
        "چرا کاغذ گیر می‌کند؟", "چرا کاغذ سنگین خریده شد؟", "چرا غلتک فرسوده است؟"]

    # when he writes the root cause and then the workaround
    ali.get_by_role("button", name=in_persian("Write the root cause")).click()
    ali.locator("form.rca-form.show").wait_for()
    ali.select_option("#rca_rca_method", "five_whys")
    ali.fill("#rca_root_cause", ROOT_CAUSE)
    with ali.expect_navigation():
        ali.get_by_role("button", name=in_persian("Save analysis")).click()
    assert in_persian("The root cause analysis of %(number)s was saved.", number=problem.number) in \
        flash_messages(ali)
    ali.get_by_role("button", name=in_persian("Write a workaround")).click()
    ali.locator("#workaround-form.show").wait_for()
    ali.fill("#workaround_workaround", WORKAROUND)
    with ali.expect_navigation():
        ali.get_by_role("button", name=in_persian("Save workaround")).click()

    # then the page shows both, the status is "root cause known", and the timeline has the steps
    assert ali.locator("[data-root-cause]").inner_text() == ROOT_CAUSE
    assert ali.locator("[data-workaround]").inner_text() == WORKAROUND
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.ROOT_CAUSE_KNOWN
    assert problem.workaround == WORKAROUND
    assert "چرا کاغذ گیر می‌کند؟" in body_text(ali)


def test_closing_problem_resolves_chosen_incidents_with_message(
    browser_contexts: Any, live_server: Any, agent: Any, requester: Any, other_requester: Any, service_desk: Any,
    resolution_code: Any,
) -> None:
    base = live_server.url
    problem = _problem_with_incidents(agent, requester, other_requester, service_desk)
    sara_incident, reza_incident = Incident.objects.order_by("pk")
    factories.make_user("shirin", "شیرین", "مقدم", roles=["problem_manager"], groups=[service_desk])
    shirin = browser_contexts().new_page()
    sign_in(shirin, base, "shirin", next_path=problem.get_absolute_url())

    # when Shirin, the problem manager, opens the close dialog: both open incidents are ticked
    shirin.get_by_role("button", name=in_persian("Close"), exact=True).first.click()
    dialog = wait_until_shown(shirin, "#modal-close")
    boxes = dialog.locator("input[name=incidents]")
    assert boxes.count() == 2
    assert all(boxes.nth(index).is_checked() for index in range(2))
    # and she leaves Reza's incident open, writes the message and closes
    dialog.locator(f"input[name=incidents][value='{reza_incident.pk}']").uncheck()
    dialog.locator("#close_resolution_code").select_option(str(resolution_code.pk))
    dialog.locator("#close_message").fill(CLOSE_MESSAGE)
    with shirin.expect_navigation():
        dialog.get_by_role("button", name=in_persian("Close problem")).click()

    # then the problem is closed and the page lists Sara's incident as resolved
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.CLOSED
    results = shirin.locator("#close-results")
    assert to_persian_digits(sara_incident.number) in results.inner_text()
    assert to_persian_digits(reza_incident.number) not in results.inner_text()
    sara_incident.refresh_from_db()
    reza_incident.refresh_from_db()
    assert sara_incident.status == IncidentStatus.RESOLVED
    assert reza_incident.status == IncidentStatus.NEW
    assert Notification.objects.filter(recipient=requester, kind="resolved", object_id=sara_incident.pk).exists()

    # and Sara reads the message on her incident in the portal
    sara = browser_contexts().new_page()
    sign_in(sara, base, "sara", next_path=sara_incident.get_portal_url())
    assert CLOSE_MESSAGE in body_text(sara)


def test_problem_pages_in_both_languages(
    browser_contexts: Any, live_server: Any, agent: Any, requester: Any, other_requester: Any, service_desk: Any,
    resolution_code: Any,
) -> None:
    problem = _problem_with_incidents(agent, requester, other_requester, service_desk)
    for question, answer in (("چرا کاغذ گیر می‌کند؟", "غلتک فرسوده است."), ("چرا غلتک فرسوده است؟", "کاغذ سنگین است.")):
        actions.add_five_why(actor=agent, problem=problem, question=question, answer=answer)
    problem = actions.save_root_cause(actor=agent, problem=Problem.objects.get(pk=problem.pk),
                                      expected_version=Problem.objects.get(pk=problem.pk).version,
                                      rca_method="five_whys", root_cause=ROOT_CAUSE,
                                      contributing_factors="فرم خرید مشخصات فنی ندارد.")
    actions.save_workaround(actor=agent, problem=problem, expected_version=problem.version, workaround=WORKAROUND)
    actions.open_problem(actor=agent, title="قطع مکرر VPN کاربران دورکار", impact=1, urgency=2)
    factories.make_incident(requester, "اینترنت طبقه دوم قطع است", actor=agent, assigned_group=service_desk,
                            assignee=agent)
    manager = factories.make_user("shirin", "شیرین", "مقدم", roles=["problem_manager"], groups=[service_desk])
    checker = PageChecker(live_server.url)

    for page, language in in_both_languages(browser_contexts, live_server.url, "ali"):
        text = checker.visit(page, "/problems/?queue=all", language, screenshot="problem-list", has_dates=True,
                             known_english=MANAGER_USERNAME)
        assert problem.title in text
        text = checker.visit(page, problem.get_absolute_url(), language, screenshot="problem-detail",
                             has_dates=True, known_english=MANAGER_USERNAME)
        assert ROOT_CAUSE in text
        checker.visit(page, "/problems/new/", language, screenshot="problem-create", known_english=MANAGER_USERNAME)
        text = checker.visit(page, "/my-work/", language, screenshot="my-work", has_dates=True)
        assert problem.title in text

    for page, language in in_both_languages(browser_contexts, live_server.url, manager.username):
        page.goto(live_server.url + problem.get_absolute_url())
        page.locator(".incident-toolbar button[data-bs-target='#modal-close']").click()
        modal = wait_until_shown(page, "#modal-close")
        checker.visit(page, "", language, screenshot="problem-close", known_english=MANAGER_USERNAME)
        page.keyboard.press("Escape")
        modal.wait_for(state="hidden")

    assert checker.untranslated == {}
