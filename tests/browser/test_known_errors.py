"""The known error database and the incident page's problem panel in a real browser, in Persian and English.

An agent finds a published known error by searching with Arabic letters and opens it. Then the agent
works an incident linked to its problem. The panel shows the workaround and suggests another known error,
and "apply workaround" sends the workaround to the requester, who reads it in the portal. Screenshots of the list,
the known error page and the incident page with its panel go to docs/screenshots/.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from sarv.problems import actions
from sarv.problems.models import Problem
from sarv.services.models import Service
from sarv.testing import factories
from tests.browser.conftest import body_text, flash_messages, latin_text, save_screenshot, sign_in

WORKAROUND = "کاغذ ۸۰ گرمی را در سینی ۲ بگذارید و از سینی ۱ استفاده نکنید."
# Latin values the Persian pages show as data.
LATIN_DATA = ("HP", "LaserJet", "VPN", "SSTP", "PRB-1405-000123")

TEXTS = {
    "fa": {"search": "چاپگرهاي", "apply": "اعمال راه‌حل موقت", "sent": "راه‌حل موقت برای درخواست‌کننده",
           "intro": "این یک مشکل شناخته‌شده است"},
    "en": {"search": "چاپگرهاي", "apply": "Apply workaround", "sent": "The workaround was sent to the requester",
           "intro": "This is a known issue"},
}


def _analysed(manager: Any, title: str, root_cause: str, workaround: str, **values: Any) -> Problem:
    problem = actions.open_problem(actor=manager, title=title, **values)
    Problem.objects.filter(pk=problem.pk).update(root_cause=root_cause, workaround=workaround)
    return Problem.objects.get(pk=problem.pk)


@pytest.mark.parametrize("language", ["fa", "en"])
def test_workaround_reaches_requester(browser_contexts: Any, live_server: Any, language: str) -> None:
    base = live_server.url
    texts = TEXTS[language]
    desk = factories.make_group("میز خدمت فاوا", "IT service desk")
    manager = factories.make_user("shirin", "شیرین", "مقدم", roles=["problem_manager"], groups=[desk])
    agent = factories.make_user("ali", "علی", "کریمی", roles=["agent"], groups=[desk], language=language)
    requester = factories.make_user("sara", "سارا", "رضایی", language=language)
    printing = Service.objects.create(name_fa="رایانه و چاپ", name_en="Desktop computing and printing")

    printer = _analysed(manager, "گیر کردن کاغذ در چاپگرهای HP طبقه سوم", "غلتک‌های سینی ۱ فرسوده شده‌اند.",
                        WORKAROUND, description="چاپگر HP LaserJet پس از چند برگ کاغذ را گیر می‌اندازد",
                        services=[printing])
    known_error = actions.publish_known_error(actor=manager, problem=printer)
    spooler = _analysed(manager, "چاپگر طبقه سوم پس از به‌روزرسانی چاپ نمی‌کند", "صف چاپ خراب شده است.",
                        "سرویس صف چاپ را دوباره راه‌اندازی کنید.", services=[printing])
    suggested = actions.publish_known_error(actor=manager, problem=spooler)
    incident = factories.make_incident(requester, title="چاپگر طبقه سوم کاغذ را گیر می‌اندازد", service=printing,
                                       actor=agent)
    actions.link_incident_to_problem(actor=agent, incident=incident, problem=printer)

    page = browser_contexts().new_page()
    sign_in(page, base, "ali", next_path="/known-errors/")

    # The list: a search typed with Arabic yeh finds the Persian title.
    html = page.locator("html")
    assert html.get_attribute("dir") == ("rtl" if language == "fa" else "ltr")
    page.fill("#f_q", texts["search"])
    expect(page.locator("#known-error-results tbody tr")).to_have_count(1)
    expect(page.locator("#known-error-results")).to_contain_text(known_error.title)
    if language == "fa":
        assert latin_text(page, LATIN_DATA) == []
    save_screenshot(page, f"known-errors-list-{language}")

    # The known error's page.
    with page.expect_navigation():
        page.locator("#known-error-results tbody a").first.click()
    expect(page.locator(".workaround-text")).to_have_text(WORKAROUND)
    if language == "fa":
        assert latin_text(page, LATIN_DATA) == []
    save_screenshot(page, f"known-error-{language}")

    # The incident page: the linked problem with its workaround, and the other known error suggested.
    page.goto(f"{base}{incident.get_absolute_url()}")
    panel = page.locator("#problem-panel")
    expect(panel.locator(f'[data-problem="{printer.number}"] .workaround-text')).to_have_text(WORKAROUND)
    expect(panel.locator(f'[data-known-error="{suggested.number}"]')).to_be_visible()
    if language == "fa":
        # The incident page's people pickers show user names beside the names.
        assert latin_text(page, (*LATIN_DATA, "shirin", "sara", "ali")) == []
    save_screenshot(page, f"incident-problem-panel-{language}")

    # Apply the workaround, confirming the dialog.
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        panel.get_by_role("button", name=texts["apply"]).click()
    assert any(texts["sent"] in message for message in flash_messages(page))

    # The requester reads it in the portal, in their language, with no trace of the panel.
    portal = browser_contexts().new_page()
    sign_in(portal, base, "sara", next_path=incident.get_portal_url())
    text = body_text(portal)
    assert texts["intro"] in text
    assert WORKAROUND in text
    assert portal.locator("#problem-panel").count() == 0
