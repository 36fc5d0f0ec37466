"""The main story in Chromium, in Persian: a requester reports an incident, an agent works it, the requester closes it.

People sign in through the login form in their own browser profiles. Every
step is checked on the page a person sees and in the database.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from django.utils import timezone, translation

from sarv.core import jalali
from sarv.core.choices import TimelineKind
from sarv.core.text import to_persian_digits
from sarv.core.timeline import entries_for
from sarv.incidents.choices import Channel, IncidentStatus
from sarv.incidents.models import Incident
from sarv.testing.assertions import audit_rows, in_persian
from tests.browser.conftest import (
    ISO_DATETIME,
    JALALI_DATETIME,
    body_text,
    flash_messages,
    sign_in,
    switch_language,
    wait_until_shown,
    write_pdf,
)

TITLE = "چاپگر طبقه سوم کاغذ را گیر می‌اندازد"
DESCRIPTION = "از صبح امروز هر برگه‌ای که چاپ می‌کنم وسط دستگاه گیر می‌کند. گزارش خطای دستگاه پیوست است."
FILE_NAME = "گزارش خطا.pdf"
WORK_NOTE = "غلتک کشش کاغذ فرسوده است؛ از انبار قطعه یدکی درخواست شد."
REPLY = "سلام، غلتک چاپگر را تعویض کردیم. لطفاً یک برگه آزمایشی چاپ کنید و نتیجه را اعلام کنید."
RESOLUTION_NOTES = "غلتک کشش کاغذ تعویض شد و چاپ آزمایشی بدون گیر کردن انجام شد."


def queue_tab(page: Any, label: str) -> Any:
    return page.locator(".queue-tabs a", has_text=label)


def incident_row(page: Any, title: str) -> Any:
    return page.locator("#incident-results tbody tr", has_text=title)


def label_in(language: str, label: Any) -> str:
    """Return a lazily translated label (a choice with a context, for example) in ``language``."""
    with translation.override(language):
        return str(label)


def shown_in(language: str, moment: Any) -> str:
    """Return ``moment`` as a page in ``language`` shows it, in the organisation's time zone."""
    with translation.override(language), timezone.override(timezone.get_default_timezone()):
        return jalali.format_datetime(moment)


def test_portal_incident_from_report_to_closure(
    browser_contexts: Any, live_server: Any, requester: Any, agent: Any, service_desk: Any, resolution_code: Any,
    tmp_path: Path,
) -> None:
    base = live_server.url
    pdf = write_pdf(tmp_path / FILE_NAME)

    # given Sara, a requester, who opens the portal's report form and is sent to sign in first
    sara = browser_contexts().new_page()
    sara.goto(f"{base}/portal/new/")
    assert "/accounts/login/" in sara.url
    assert sara.locator("html").get_attribute("dir") == "rtl"
    sign_in(sara, base, "sara")
    assert sara.url == f"{base}/portal/new/"

    # when she reports the incident in Persian with a PDF whose file name is Persian
    sara.fill("#report_title", TITLE)
    sara.fill("#report_description", DESCRIPTION)
    sara.set_input_files("#report_attachments", str(pdf))
    with sara.expect_navigation():
        sara.get_by_role("button", name=in_persian("Send"), exact=True).click()

    # then it is registered from the portal, unassigned, with her file under its Persian name
    incident = Incident.objects.get(title=TITLE)
    assert incident.requester == requester
    assert incident.channel == Channel.PORTAL
    assert incident.status == IncidentStatus.NEW
    assert incident.assigned_group is None
    assert incident.description == DESCRIPTION
    attachment = incident.attachments.get()
    assert attachment.original_name == FILE_NAME
    assert attachment.is_internal is False
    assert attachment.sha256 == hashlib.sha256(pdf.read_bytes()).hexdigest()
    assert sara.url == f"{base}{incident.get_portal_url()}"
    assert flash_messages(sara) == [
        in_persian("Your incident was registered with the number %(number)s.", number=incident.number)
    ]
    assert sara.locator("h1").inner_text() == TITLE
    # and the file downloads under its Persian name with the bytes she sent
    with sara.expect_download() as download_info:
        sara.locator(".card a.attachment-link", has_text=FILE_NAME).first.click()
    download = download_info.value
    assert download.suggested_filename == FILE_NAME
    assert Path(download.path()).read_bytes() == pdf.read_bytes()

    # given Ali, an agent of the IT service desk group, who signs in
    ali = browser_contexts().new_page()
    ali.goto(f"{base}/")
    sign_in(ali, base, "ali")
    assert ali.url.startswith(f"{base}/incidents/")

    # when he looks in the "Unassigned" queue, because portal incidents reach nobody's queue by themselves
    with ali.expect_navigation():
        queue_tab(ali, in_persian("Unassigned")).click()

    # then the new incident is there, with its number in Persian digits, and he opens it
    row = incident_row(ali, TITLE)
    assert row.count() == 1
    assert to_persian_digits(incident.number) in row.inner_text()
    with ali.expect_navigation():
        row.locator("a", has_text=TITLE).click()
    assert ali.url == f"{base}{incident.get_absolute_url()}"
    assert FILE_NAME in ali.locator(".card", has_text=in_persian("Attachments")).last.inner_text()

    # when he assigns it to his support group and to himself
    ali.get_by_role("button", name=in_persian("Assign"), exact=True).click()
    modal = wait_until_shown(ali, "#modal-assign")
    with ali.expect_response(lambda response: "/incidents/options/agents/" in response.url):
        modal.locator("#assign_assigned_group").select_option(str(service_desk.pk))
    modal.locator("#assign_assignee").select_option(str(agent.pk))
    with ali.expect_navigation():
        modal.locator("button[type=submit]").click()

    # then it is assigned to both, and the page shows it
    incident.refresh_from_db()
    assert incident.assigned_group == service_desk
    assert incident.assignee == agent
    assert incident.status == IncidentStatus.ASSIGNED
    assert flash_messages(ali) == [in_persian("%(number)s was assigned.", number=incident.number)]
    sidebar = ali.locator(".card", has_text=in_persian("Details")).first.inner_text()
    assert service_desk.name_fa in sidebar
    assert agent.display_name in sidebar

    # and it now shows in the queue of his groups
    ali.goto(f"{base}/incidents/?queue=my_groups")
    assert incident_row(ali, TITLE).count() == 1
    assert "active" in (queue_tab(ali, in_persian("My groups' queue")).get_attribute("class") or "")

    # when he adds a work note and then a public reply on the incident page
    ali.goto(f"{base}{incident.get_absolute_url()}")
    ali.locator("#tab-note").click()
    ali.locator("#note_body").fill(WORK_NOTE)
    with ali.expect_navigation():
        ali.locator("#pane-note button[type=submit]").click()
    assert flash_messages(ali) == [in_persian("Your work note was added.")]
    ali.locator("#reply_body").fill(REPLY)
    with ali.expect_navigation():
        ali.locator("#pane-reply button[type=submit]").click()
    assert flash_messages(ali) == [in_persian("Your reply was sent.")]

    # then the agent's timeline shows both, the note marked as a work note
    timeline = ali.locator("ol.timeline")
    assert WORK_NOTE in timeline.locator(".timeline-card.work-note").inner_text()
    assert REPLY in timeline.locator(".kind-public_reply").inner_text()
    entries = entries_for(incident, agent)
    note = entries.get(kind=TimelineKind.WORK_NOTE)
    reply = entries.get(kind=TimelineKind.PUBLIC_REPLY)
    assert (note.body, note.is_internal, note.actor) == (WORK_NOTE, True, agent)
    assert (reply.body, reply.is_internal, reply.actor) == (REPLY, False, agent)

    # when Sara opens her incident in the portal
    sara.goto(f"{base}{incident.get_portal_url()}")

    # then she reads the reply, but the work note is nowhere on the page, not even hidden
    assert REPLY in body_text(sara)
    assert WORK_NOTE not in sara.content()
    assert service_desk.name_fa in body_text(sara)

    # when Ali resolves the incident with a resolution code and notes
    ali.goto(f"{base}{incident.get_absolute_url()}")
    ali.get_by_role("button", name=in_persian("Resolve"), exact=True).click()
    modal = wait_until_shown(ali, "#modal-resolve")
    modal.locator("#resolve_resolution_code").select_option(str(resolution_code.pk))
    modal.locator("#resolve_resolution_notes").fill(RESOLUTION_NOTES)
    with ali.expect_navigation():
        modal.locator("button[type=submit]").click()

    # then it is resolved and waits for Sara
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.RESOLVED
    assert incident.resolution_code == resolution_code
    assert incident.resolution_notes == RESOLUTION_NOTES
    assert incident.resolved_by == agent
    assert flash_messages(ali) == [in_persian("%(number)s was resolved.", number=incident.number)]
    assert resolution_code.name_fa in ali.locator(".card.border-success-subtle").inner_text()

    # when Sara opens it, reads the resolution and confirms that her problem is solved
    sara.goto(f"{base}/portal/")
    assert in_persian("Waiting for your confirmation") in sara.locator(".portal-list", has_text=TITLE).inner_text()
    with sara.expect_navigation():
        sara.locator(".portal-list a", has_text=TITLE).click()
    assert in_persian("The IT service desk has resolved this incident. Is your problem solved?") in body_text(sara)
    assert RESOLUTION_NOTES in body_text(sara)
    with sara.expect_navigation():
        sara.get_by_role("button", name=in_persian("Yes, it is solved"), exact=True).click()

    # then the incident is closed, on the page and in the database
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CLOSED
    assert incident.closed_at is not None
    assert flash_messages(sara) == [in_persian("Thank you. %(number)s is now closed.", number=incident.number)]
    assert sara.locator(".badge-status").first.inner_text() == label_in("fa", IncidentStatus.CLOSED.label)
    closed_fa = shown_in("fa", incident.closed_at)
    assert closed_fa in body_text(sara)

    # when she switches the page to English
    switch_language(sara, "en")

    # then the page is English and left-to-right, with Gregorian dates, and her account keeps the choice
    html = sara.locator("html")
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == ("en", "ltr")
    assert sara.url == f"{base}{incident.get_portal_url()}"
    text = body_text(sara)
    assert sara.locator(".badge-status").first.inner_text() == label_in("en", IncidentStatus.CLOSED.label)
    assert sara.locator(".breadcrumb a").first.inner_text() == "My requests"
    assert shown_in("en", incident.closed_at) in text
    assert ISO_DATETIME.search(text)
    assert not JALALI_DATETIME.search(text)
    requester.refresh_from_db()
    assert requester.language == "en"

    # when she switches back to Persian
    switch_language(sara, "fa")

    # then the page is right-to-left again, with Jalali dates in Persian digits
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == ("fa", "rtl")
    text = body_text(sara)
    assert sara.locator(".badge-status").first.inner_text() == label_in("fa", IncidentStatus.CLOSED.label)
    assert closed_fa in text
    assert JALALI_DATETIME.search(text)
    assert not ISO_DATETIME.search(text)
    requester.refresh_from_db()
    assert requester.language == "fa"
    assert audit_rows(requester)[-1].changes == {"language": ["en", "fa"]}
