"""Business calendars in the browser: the weekly editor, a closure entered and reversed, holidays and the preview.

Each page is photographed in Persian and English for the admin guide, and Persian pages are checked for
English left untranslated.
"""

from __future__ import annotations

from typing import Any

from sarv.accounts.models import Location
from sarv.calendars.models import Calendar, Closure
from sarv.calendars.tests.helpers import jd
from tests.browser.conftest import body_text, latin_text, save_screenshot, sign_in, switch_language

# IANA zone names and file formats the pages show as data.
LATIN_DATA = ("Asia/Tehran", "CSV", "UTF-8", "admin")


def _persian_page_is_translated(page: Any) -> None:
    """Check the page's own content; the navigation bar is checked by the main pages' test."""
    assert page.locator("html").get_attribute("dir") == "rtl"
    navigation = " ".join(page.locator("body > nav, header").all_inner_texts())
    assert [text for text in latin_text(page, LATIN_DATA) if text not in navigation] == []


def test_calendar_editor_with_two_intervals(browser_context: Any, live_server: Any, admin_user: Any,
                                            service_desk: Any) -> None:
    page = browser_context.new_page()
    sign_in(page, live_server.url, "admin", next_path="/settings/calendars/")
    assert "هفتهٔ کاری قانون کار" in body_text(page)

    page.click("text=تقویم جدید")
    page.fill("#id_name_fa", "میز خدمت، شیفت صبح")
    page.fill("#id_name_en", "Service desk, morning shift")
    page.select_option("#id_owner_group", str(service_desk.pk))
    for day in range(5):
        page.fill(f"#id_w{day}_0_start", "۰۷:۳۰")
        page.fill(f"#id_w{day}_0_end", "12:00")
        page.fill(f"#id_w{day}_1_start", "13:00")
        page.fill(f"#id_w{day}_1_end", "16:30")
    page.fill("#id_w5_0_start", "08:00")
    page.fill("#id_w5_0_end", "12:00")
    with page.expect_navigation():
        page.click("#calendar-form button[type=submit]")

    calendar = Calendar.objects.get(name_en="Service desk, morning shift")
    intervals = [(i.weekday, i.start_minute, i.end_minute) for i in calendar.versions.get().intervals.all()]
    assert intervals[:2] == [(0, 450, 720), (0, 780, 990)] and len(intervals) == 11
    assert page.input_value("#id_w1_1_end") == "16:30"
    _persian_page_is_translated(page)
    save_screenshot(page, "calendar-editor-fa")

    # A later edit applies from a chosen date and shows which due times moved.
    page.fill("#id_w0_1_end", "17:00")
    page.fill("#id_effective_from", "1405/01/15")
    with page.expect_navigation():
        page.click("#calendar-form button[type=submit]")
    assert "moved-dues" in page.content()
    assert calendar.versions.count() == 2

    switch_language(page, "en")
    page.goto(f"{live_server.url}/settings/calendars/{calendar.pk}/")
    assert page.locator("html").get_attribute("dir") == "ltr"
    save_screenshot(page, "calendar-editor-en")


def test_closure_entered_in_one_form_and_reversed(browser_context: Any, live_server: Any, admin_user: Any,
                                                  network_group: Any) -> None:
    tehran = Location.objects.create(name_fa="تهران", name_en="Tehran", kind="province")
    Location.objects.create(name_fa="اصفهان", name_en="Isfahan", kind="province")
    page = browser_context.new_page()
    sign_in(page, live_server.url, "admin", next_path="/settings/calendars/closures/")

    page.fill("#id_start_date", "۱۴۰۴/۰۹/۱۰")
    page.keyboard.press("Escape")
    page.uncheck("#id_whole_day")
    page.fill("#id_start_time", "10:00")
    page.select_option("#id_locations", str(tehran.pk))
    page.select_option("#id_exempt_groups", str(network_group.pk))
    page.fill("#id_reason", "آلودگی هوا")
    page.fill("#id_announced_by", "استانداری تهران")
    with page.expect_navigation():
        page.click("#closure-form button[type=submit]")

    closure = Closure.objects.get()
    assert (closure.start_date, closure.whole_day, closure.end_time) == (jd(1404, 9, 10), False, None)
    assert "تعطیلی «آلودگی هوا» ذخیره شد." in body_text(page)
    _persian_page_is_translated(page)
    page.click("text=ادامه")
    page.wait_for_selector("#closure-table")
    assert "تعطیل از ساعت" in body_text(page)
    _persian_page_is_translated(page)
    save_screenshot(page, "closure-form-fa")

    with page.expect_navigation():
        page.click("#closure-table button:has-text('لغو')")
    closure.refresh_from_db()
    assert closure.is_reversed and closure.reversed_by == admin_user

    switch_language(page, "en")
    page.goto(f"{live_server.url}/settings/calendars/closures/")
    assert "Reversed" in body_text(page)
    save_screenshot(page, "closure-form-en")


def test_holidays_and_preview_pages(browser_context: Any, live_server: Any, admin_user: Any) -> None:
    page = browser_context.new_page()
    sign_in(page, live_server.url, "admin", next_path="/settings/calendars/holidays/?year=1405")
    text = body_text(page)
    assert "۱۴۰۵/۰۱/۰۱" in text and "تخمینی" in text
    _persian_page_is_translated(page)
    save_screenshot(page, "calendar-holidays-fa")

    calendar = Calendar.objects.get(template_key="labour_law")
    page.goto(f"{live_server.url}/settings/calendars/preview/?calendar={calendar.pk}"
              "&start=۱۴۰۴/۰۲/۰۳+۰۹:۰۰&hours=۱۶")
    assert page.inner_text("#preview-due") == "۱۴۰۴/۰۲/۰۷ ۰۹:۰۰"
    _persian_page_is_translated(page)
    save_screenshot(page, "calendar-preview-fa")

    switch_language(page, "en")
    page.goto(f"{live_server.url}/settings/calendars/holidays/?year=1405")
    assert "2026-03-21" in body_text(page)
    save_screenshot(page, "calendar-holidays-en")
    page.goto(f"{live_server.url}/settings/calendars/preview/?calendar={calendar.pk}"
              "&start=2025-04-23+09:00&hours=16")
    assert page.inner_text("#preview-due") == "2025-04-27 09:00"
    save_screenshot(page, "calendar-preview-en")
