"""SLA compliance report and breach list, in Persian and English, on a small constructed data set.

Time is frozen at 1404/02/05 10:00 Tehran time, in the live server too, so the counts are those the unit
tests in sarv/sla/tests/test_reports.py work out by hand.
"""

from __future__ import annotations

from typing import Any

from sarv.sla.tests.helpers import at
from sarv.sla.tests.report_data import NOW, build_world
from tests.browser.conftest import body_text, save_screenshot, sign_in, switch_language


def test_compliance_and_breach_reports(browser_contexts: Any, live_server: Any, agent: Any, requester: Any,
                                       incident_manager: Any, service_desk: Any, network_group: Any,
                                       resolution_code: Any) -> None:
    with at(NOW):
        world = build_world(requester, agent, service_desk, network_group, resolution_code)
        page = browser_contexts().new_page()
        sign_in(page, live_server.url, "neda", next_path="/sla/reports/?by=month")
        assert page.locator("html").get_attribute("dir") == "rtl"
        table = page.locator("#compliance-table").inner_text()
        assert "فروردین ۱۴۰۴" in table and "اسفند ۱۴۰۳" in table
        assert "۳۳٫۳٪" in table
        save_screenshot(page, "sla-compliance-fa")

        with page.expect_navigation():
            page.click("text=نقض‌ها")
        breaches = page.locator("#breach-table").inner_text()
        assert world["late"].number in breaches
        assert "معلق: در انتظار درخواست‌کننده" in breaches
        save_screenshot(page, "sla-breaches-fa")

        switch_language(page, "en")
        text = body_text(page)
        assert "On hold: Waiting for the requester" in text and "12 h" in text
        save_screenshot(page, "sla-breaches-en")
        with page.expect_navigation():
            page.click("text=Compliance")
        page.select_option("#id_by", "month")
        with page.expect_navigation():
            page.click("#report-filters button[type=submit]")
        table = page.locator("#compliance-table").inner_text()
        assert "Farvardin 1404" in table and "33.3%" in table
        save_screenshot(page, "sla-compliance-en")
