"""Every main page in Persian and in English, from a realistic service desk, with the screenshots for the docs.

Each page is checked for its language and direction, its dates (Jalali with
Persian digits, or ISO), and, in Persian, for English text left untranslated.
The conftest fixture fails the test if any page requests another origin or
reports a console error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from sarv.accounts.models import User
from sarv.core.choices import Impact, Urgency
from sarv.core.text import to_persian_digits
from sarv.incidents import actions
from sarv.incidents.choices import Channel, HoldReason, IncidentStatus
from sarv.incidents.models import Incident
from sarv.services.models import Service
from sarv.testing import factories
from tests.browser.conftest import (
    ISO_DATETIME,
    JALALI_DATETIME,
    body_text,
    latin_text,
    save_screenshot,
    sign_in,
    switch_language,
    write_pdf,
)

PRINTER_TITLE = "چاپگر طبقه سوم کاغذ را گیر می‌اندازد"
PDF_NAME = "گزارش خطا.pdf"
# Latin values that Persian pages show as data: usernames in the person pickers, IANA time zone names in the
# preferences, the name of the English language, and a file name and a letter's office-automation system in the
# audit log.
LATIN_DATA = ("sara", "reza", "ali", "maryam", "admin", "English", "Asia/Tehran", "Asia/Dubai", "Asia/Kabul",
              "Europe/Istanbul", "Europe/London", PDF_NAME, "office-automation")
@dataclass
class ServiceDesk:
    """The records the pages show: the printer incident has a full timeline, the rest one of each status."""

    printer: Incident
    incidents: list[Incident]


def _fresh(incident: Incident) -> Incident:
    return Incident.objects.get(pk=incident.pk)


def build_service_desk(people: dict[str, User], groups: dict[str, Any], category_tree: Any, resolution_code: Any,
                       pdf: Path) -> ServiceDesk:
    """Create incidents in every status through the actions, as agents and requesters would."""
    sara, reza, ali, maryam = people["sara"], people["reza"], people["ali"], people["maryam"]
    service_desk, network = groups["service_desk"], groups["network"]
    hardware, printer_category = category_tree
    email = Service.objects.create(name_fa="پست الکترونیک", name_en="E-mail", code="mail", owner_group=service_desk)
    internet = Service.objects.create(name_fa="اینترنت و شبکه", name_en="Internet and network", code="net",
                                      owner_group=network)
    office = Service.objects.create(name_fa="اتوماسیون اداری", name_en="Office automation", code="oa",
                                    owner_group=service_desk)

    # The incident whose pages are photographed: a Persian PDF, an official letter, a work note and replies.
    printer = factories.make_incident(
        sara, PRINTER_TITLE,
        description="از صبح امروز هر برگه‌ای که چاپ می‌کنم وسط دستگاه گیر می‌کند. گزارش خطای دستگاه پیوست است.",
        category=hardware, subcategory=printer_category, channel=Channel.PORTAL,
        files=[SimpleUploadedFile(PDF_NAME, pdf.read_bytes(), content_type="application/pdf")],
        letter_number="۱۲۳۴/ص/۱۴۰۴", letter_date=dt.date(2025, 11, 22),
    )
    actions.assign_incident(actor=ali, incident=printer, expected_version=_fresh(printer).version,
                            group=service_desk, assignee=ali)
    actions.change_status(actor=ali, incident=printer, expected_version=_fresh(printer).version,
                          status=IncidentStatus.IN_PROGRESS)
    actions.add_work_note(actor=ali, incident=_fresh(printer),
                          body="غلتک کشش کاغذ فرسوده است؛ از انبار قطعه یدکی درخواست شد.")
    actions.add_reply(actor=ali, incident=_fresh(printer),
                      body="سلام، قطعه یدکی سفارش داده شد. تا فردا ظهر چاپگر طبقه دوم را استفاده کنید.")
    actions.add_reply(actor=sara, incident=_fresh(printer), body="ممنون، تا فردا از چاپگر طبقه دوم استفاده می‌کنم.")

    internet_down = factories.make_incident(
        reza, "اینترنت واحد منابع انسانی قطع است", description="هیچ‌کدام از رایانه‌های طبقه دوم به اینترنت وصل نمی‌شوند.",
        service=internet, impact=Impact.HIGH, urgency=Urgency.HIGH, actor=maryam, channel=Channel.PHONE,
    )
    actions.assign_incident(actor=maryam, incident=internet_down, expected_version=_fresh(internet_down).version,
                            group=network, assignee=maryam)
    actions.change_status(actor=maryam, incident=internet_down, expected_version=_fresh(internet_down).version,
                          status=IncidentStatus.IN_PROGRESS)

    unassigned = factories.make_incident(
        sara, "درخواست نصب نرم‌افزار حسابداری روی رایانه جدید", service=office, urgency=Urgency.LOW,
        description="رایانه جدید واحد مالی تحویل شده ولی نرم‌افزار حسابداری روی آن نصب نیست.",
    )

    mailbox = factories.make_incident(sara, "صندوق ایمیل سازمانی باز نمی‌شود", service=email, urgency=Urgency.HIGH)
    actions.assign_incident(actor=ali, incident=mailbox, expected_version=_fresh(mailbox).version,
                            group=service_desk, assignee=ali)
    actions.change_status(actor=ali, incident=mailbox, expected_version=_fresh(mailbox).version,
                          status=IncidentStatus.ON_HOLD, hold_reason=HoldReason.AWAITING_REQUESTER,
                          note="لطفاً نام کاربری و پیام خطایی را که می‌بینید بفرستید.")

    slow = factories.make_incident(reza, "کند بودن سامانه اتوماسیون اداری", service=office)
    actions.assign_incident(actor=ali, incident=slow, expected_version=_fresh(slow).version,
                            group=service_desk, assignee=ali)
    actions.resolve_incident(actor=ali, incident=slow, expected_version=_fresh(slow).version,
                             resolution_code=resolution_code,
                             resolution_notes="فضای دیسک کارگزار آزاد شد و سامانه به سرعت عادی برگشت.")

    password = factories.make_incident(sara, "فراموشی رمز عبور سامانه حقوق و دستمزد", service=office)
    actions.assign_incident(actor=ali, incident=password, expected_version=_fresh(password).version,
                            group=service_desk, assignee=ali)
    actions.resolve_incident(actor=ali, incident=password, expected_version=_fresh(password).version,
                             resolution_code=resolution_code, resolution_notes="رمز عبور بازنشانی شد.")
    actions.confirm_resolution(actor=sara, incident=_fresh(password))

    duplicate = factories.make_incident(sara, "چاپ نشدن فیش حقوقی", service=office)
    actions.cancel_incident(actor=sara, incident=duplicate, expected_version=None,
                            reason="با حادثه چاپگر طبقه سوم یکی است.")

    incidents = [_fresh(record) for record in (printer, internet_down, unassigned, mailbox, slow, password, duplicate)]
    return ServiceDesk(printer=incidents[0], incidents=incidents)


class PageChecker:
    """Visits pages, checks language, direction and dates, and collects English left on Persian pages."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.untranslated: dict[str, list[str]] = {}

    def visit(self, page: Any, path: str, language: str, *, screenshot: str = "", has_dates: bool = False,
              known_english: tuple[str, ...] = ()) -> str:
        """Open ``path`` (an empty path checks the page as it is), check it, and return the text it shows."""
        if path:
            page.goto(self.base_url + path)
        html = page.locator("html")
        direction = "rtl" if language == "fa" else "ltr"
        assert (html.get_attribute("lang"), html.get_attribute("dir")) == (language, direction), page.url
        text = body_text(page)
        if language == "fa":
            english = latin_text(page, LATIN_DATA + known_english)
            if english:
                self.untranslated[page.url] = english
            assert not ISO_DATETIME.search(text), page.url
            if has_dates:
                assert JALALI_DATETIME.search(text), page.url
        else:
            assert not JALALI_DATETIME.search(text), page.url
            if has_dates:
                assert ISO_DATETIME.search(text), page.url
        if screenshot:
            save_screenshot(page, f"{screenshot}-{language}")
        return text


def in_both_languages(browser_contexts: Any, base_url: str, username: str) -> Iterator[tuple[Any, str]]:
    """Sign ``username`` in, then yield their page in Persian and, after the language switch, in English."""
    page = browser_contexts().new_page()
    sign_in(page, base_url, username)
    yield page, "fa"
    switch_language(page, "en")
    yield page, "en"


def test_main_pages_in_both_languages(
    browser_contexts: Any, live_server: Any, requester: Any, other_requester: Any, agent: Any, other_agent: Any,
    service_desk: Any, network_group: Any, category_tree: Any, resolution_code: Any, admin_user: Any, tmp_path: Path,
) -> None:
    # given a service desk with incidents in every status, Persian titles and names, and a full timeline
    people = {"sara": requester, "reza": other_requester, "ali": agent, "maryam": other_agent}
    desk = build_service_desk(people, {"service_desk": service_desk, "network": network_group}, category_tree,
                              resolution_code, write_pdf(tmp_path / PDF_NAME))
    printer = desk.printer
    checker = PageChecker(live_server.url)

    # when a visitor opens the sign-in page, in Persian and then in English
    visitor = browser_contexts().new_page()
    checker.visit(visitor, "/accounts/login/", "fa", screenshot="login")
    switch_language(visitor, "en")
    checker.visit(visitor, "", "en", screenshot="login")

    # when Ali, an agent, signs in and visits the workspace pages in Persian, then in English
    for ali, language in in_both_languages(browser_contexts, live_server.url, "ali"):
        text = checker.visit(ali, "/incidents/?queue=all", language, screenshot="agent-list", has_dates=True)
        # then the list shows every incident, numbers in the page's digits
        for incident in desk.incidents:
            assert incident.title in text
        number = to_persian_digits(printer.number) if language == "fa" else printer.number
        assert number in text

        text = checker.visit(ali, printer.get_absolute_url(), language, screenshot="incident-detail", has_dates=True)
        # then the incident page shows the work note, both replies and the Persian file name
        assert "غلتک کشش کاغذ فرسوده است" in text
        assert "قطعه یدکی سفارش داده شد" in text
        assert "از چاپگر طبقه دوم استفاده می‌کنم" in text
        assert PDF_NAME in text
        assert ("۱۴۰۴/۰۹/۰۱" if language == "fa" else "2025-11-22") in text

        checker.visit(ali, "/incidents/new/", language, screenshot="incident-create")
        checker.visit(ali, "/notifications/", language, has_dates=True)
        checker.visit(ali, "/preferences/", language)
        checker.visit(ali, "/incidents/?queue=unassigned", language, has_dates=True)

    # when Sara, a requester, signs in and visits the portal in Persian, then in English
    for sara, language in in_both_languages(browser_contexts, live_server.url, "sara"):
        text = checker.visit(sara, "/portal/?state=all", language, screenshot="portal-list", has_dates=True)
        # then she sees her own incidents only
        assert PRINTER_TITLE in text
        assert "اینترنت واحد منابع انسانی قطع است" not in text

        text = checker.visit(sara, printer.get_portal_url(), language, screenshot="portal-incident", has_dates=True)
        # then her page of the incident has the replies and the file, but not the work note
        assert "قطعه یدکی سفارش داده شد" in text
        assert PDF_NAME in text
        assert "غلتک کشش کاغذ فرسوده است" not in sara.content()

        checker.visit(sara, "/portal/new/", language, screenshot="portal-report")

    # when the administrator signs in and visits the settings in Persian, then in English
    for admin, language in in_both_languages(browser_contexts, live_server.url, "admin"):
        checker.visit(admin, "/settings/", language, screenshot="settings")
        checker.visit(admin, "/settings/users/", language)
        checker.visit(admin, "/settings/incidents/", language)
        checker.visit(admin, "/settings/audit-log/", language, has_dates=True)

    # then no Persian page had English left in it
    report = "\n".join(f"{url}: {texts}" for url, texts in checker.untranslated.items())
    assert checker.untranslated == {}, f"English left on Persian pages:\n{report}"
