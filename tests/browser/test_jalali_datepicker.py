"""The vendored Jalali date picker against the server's calendar: leap years 1300-1500 and a picked date."""

from __future__ import annotations

import datetime as dt
from typing import Any

import jdatetime

from sarv.core import jalali
from sarv.core.choices import ReferenceKind
from sarv.incidents.models import Incident
from sarv.testing.assertions import in_persian
from tests.browser.conftest import sign_in

FIRST_YEAR, LAST_YEAR = 1300, 1500
DATE_INPUT = "#report_letter_date"

# For every year, show the picker on Esfand (month 12) of that year and count the days of the month it draws.
# Days of the neighbouring months that fill the first and last week carry the class "not-in-month".
_COUNT_ESFAND_DAYS = """([input, first, last]) => {
  const shown = {};
  for (let year = first; year <= last; year++) {
    input.blur();
    input.value = year + "/12/01";
    input.focus();
    const picker = document.querySelector("jdp-container");
    shown[year] = {
      visible: picker.style.display === "block",
      year: Number(picker.querySelector(".jdp-year select").value),
      month: Number(picker.querySelector(".jdp-month select").value),
      days: picker.querySelectorAll(".jdp-days .jdp-day:not(.not-in-month)").length,
    };
  }
  input.blur();
  return shown;
}"""


def test_picker_leap_years_match_server(browser_contexts: Any, live_server: Any, requester: Any) -> None:
    # given Sara on the Persian report form, whose letter date has the Jalali picker
    page = browser_contexts().new_page()
    sign_in(page, live_server.url, "sara", next_path="/portal/new/")
    date_input = page.locator(DATE_INPUT)
    assert date_input.get_attribute("data-jdp") == ""

    # when she clicks into the date field
    date_input.click()

    # then the picker opens on a month of the Jalali calendar with Persian digits
    picker = page.locator("jdp-container")
    picker.wait_for(state="visible")
    assert picker.locator(".jdp-month select option").nth(11).inner_text() == "اسفند"

    # when Esfand of every year from 1300 to 1500 is shown in turn
    shown = page.evaluate(_COUNT_ESFAND_DAYS, [date_input.element_handle(), FIRST_YEAR, LAST_YEAR])

    # then the picker drew each month it was asked for, with 30 days in exactly the server's leap years
    assert all(shown[str(year)]["visible"] for year in range(FIRST_YEAR, LAST_YEAR + 1))
    wrong_month = [year for year in range(FIRST_YEAR, LAST_YEAR + 1)
                   if (shown[str(year)]["year"], shown[str(year)]["month"]) != (year, 12)]
    assert wrong_month == []
    disagreements = {
        year: shown[str(year)]["days"] for year in range(FIRST_YEAR, LAST_YEAR + 1)
        if shown[str(year)]["days"] != (30 if jdatetime.date(year, 1, 1).isleap() else 29)
    }
    assert disagreements == {}


def test_picked_date_reaches_server_as_gregorian(browser_contexts: Any, live_server: Any, requester: Any) -> None:
    # given Sara on the Persian report form, with the picker open on Esfand 1403, a leap year
    page = browser_contexts().new_page()
    sign_in(page, live_server.url, "sara", next_path="/portal/new/")
    date_input = page.locator(DATE_INPUT)
    date_input.fill("1403/12/01")
    date_input.blur()
    date_input.click()
    picker = page.locator("jdp-container")
    picker.wait_for(state="visible")
    # The picker (version 0.9.12) shows itself again 300 ms after opening, which would undo a faster pick.
    page.wait_for_timeout(400)

    # when she picks its leap day, the 30th
    picker.locator(".jdp-days .jdp-day:not(.not-in-month)", has_text="۳۰").click()

    # then the field contains that Jalali date, which the server reads as 20 March 2025
    value = date_input.input_value()
    assert value == "1403/12/30"
    assert jalali.parse_date(value) == dt.date(2025, 3, 20)
    assert picker.is_hidden()

    # when she sends the report with that letter date
    page.fill("#report_title", "نامه درخواست نصب چاپگر برای واحد مالی")
    page.fill("#report_description", "طبق نامه پیوست، یک چاپگر برای اتاق ۲۰۴ لازم است.")
    page.fill("#report_letter_number", "۱۲۳۴/ص/۱۴۰۳")
    with page.expect_navigation():
        page.get_by_role("button", name=in_persian("Send"), exact=True).click()

    # then the letter reference is stored with the Gregorian date
    incident = Incident.objects.get(requester=requester)
    letter = incident.external_references.get(kind=ReferenceKind.LETTER)
    assert letter.reference == "1234/ص/1403"
    assert letter.reference_date == dt.date(2025, 3, 20)
