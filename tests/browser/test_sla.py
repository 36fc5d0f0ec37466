"""SLA clocks on the incident page and the agreement settings, in Persian and English.

Time is frozen at Saturday 1404/02/06 12:00 Tehran time for the whole scenario, in the live
server too, so the clocks and their Jalali due times are the same on every run.
"""

from __future__ import annotations

from typing import Any

from sarv.core.choices import Priority
from sarv.incidents import actions
from sarv.sla.tests.helpers import at, jalali, make_agreement, make_calendar
from tests.browser.conftest import body_text, latin_text, save_screenshot, sign_in, switch_language

NOW = jalali(1404, 2, 6, 12)
# Data the pages show in Latin letters on purpose.
LATIN_DATA = ("admin", "ali", "sara", "SLA", "OLA", "UC")


def _persian_content_is_translated(page: Any) -> None:
    assert page.locator("html").get_attribute("dir") == "rtl"
    navigation = " ".join(page.locator("body > nav, header").all_inner_texts())
    assert [text for text in latin_text(page, LATIN_DATA) if text not in navigation] == []


def _agreements(service_desk: Any, network_group: Any) -> None:
    calendar = make_calendar("هفته کاری قانون کار (آزمون)")
    make_agreement("پشتیبانی فوری", calendar=calendar, precedence=10, priorities=[Priority.CRITICAL, Priority.HIGH],
                   targets={"first_response": 1, "resolution": 4})
    make_agreement("پشتیبانی استاندارد", calendar=calendar, precedence=20,
                   targets={"first_response": 2, ("resolution", None): 8, ("resolution", Priority.PLANNING): 40},
                   escalations=[{"level": 1, "delay_seconds": 0, "notify_group_lead": True},
                                {"level": 2, "delay_seconds": 7200, "reassign_group": network_group,
                                 "raise_priority": True}])
    make_agreement("توافق عملیاتی میز خدمت", kind="ola", ola_group=service_desk, calendar=calendar,
                   targets={"resolution": 3})


def test_incident_clocks_and_agreements(browser_contexts: Any, live_server: Any, agent: Any, requester: Any,
                                        admin_user: Any, service_desk: Any, network_group: Any) -> None:
    with at(NOW):
        _agreements(service_desk, network_group)
        with at(jalali(1404, 2, 6, 8)):
            incident = actions.create_incident(actor=agent, requester=requester, title="سامانه حقوق باز نمی‌شود",
                                               assigned_group=service_desk, assignee=agent)
        with at(jalali(1404, 2, 6, 9, 30)):
            actions.add_reply(actor=agent, incident=incident, body="در حال بررسی هستیم.")

        page = browser_contexts().new_page()
        sign_in(page, live_server.url, "ali", next_path=incident.get_absolute_url())
        card = page.locator("#panel-clocks")
        text = card.inner_text()
        assert "زمان‌سنج‌های سطح خدمت" in text
        assert "پشتیبانی استاندارد" in text and "توافق عملیاتی میز خدمت" in text
        assert "محقق‌شده" in text  # the first response, at 09:30
        assert "۱۴۰۴/۰۲/۰۶ ۱۶:۰۰" in text  # resolution due at 16:00
        assert "نقض‌شده" in text  # the OLA's three hours ran out at 11:00
        _persian_content_is_translated(page)
        card.scroll_into_view_if_needed()
        save_screenshot(page, "incident-clocks-fa")

        switch_language(page, "en")
        text = page.locator("#panel-clocks").inner_text()
        assert "SLA clocks" in text and "2025-04-26 16:00" in text and "Met" in text
        save_screenshot(page, "incident-clocks-en")

        admin_page = browser_contexts().new_page()
        sign_in(admin_page, live_server.url, "admin", next_path="/settings/sla/")
        assert "پشتیبانی فوری" in body_text(admin_page)
        _persian_content_is_translated(admin_page)
        save_screenshot(admin_page, "sla-agreements-fa")
        with admin_page.expect_navigation():
            admin_page.click("text=پشتیبانی استاندارد")
        assert admin_page.input_value("#id_target_resolution_5") == "40"
        _persian_content_is_translated(admin_page)
        save_screenshot(admin_page, "sla-agreement-form-fa")

        switch_language(admin_page, "en")
        assert "Targets (business hours)" in body_text(admin_page)
        save_screenshot(admin_page, "sla-agreement-form-en")
        admin_page.goto(f"{live_server.url}/settings/sla/")
        assert "Standard" in body_text(admin_page) or "پشتیبانی استاندارد" in body_text(admin_page)
        save_screenshot(admin_page, "sla-agreements-en")
