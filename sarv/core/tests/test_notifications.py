"""Notifications: in-app rows and e-mails through a real SMTP server on loopback, in each recipient's language."""

from __future__ import annotations

import email
import email.policy
import socket
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone, translation

from sarv.core.models import Notification
from sarv.incidents import actions

pytestmark = pytest.mark.django_db


@dataclass
class Mailbox:
    """Messages received by the loopback SMTP server, parsed."""

    messages: list[email.message.EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if address in m["X-Envelope-To"]]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def mailbox(settings) -> Iterator[Mailbox]:
    """Start an SMTP server on 127.0.0.1 and point Django's SMTP backend at it."""
    box = Mailbox()
    port = _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    try:
        yield box
    finally:
        controller.stop()


def _bodies(message: email.message.EmailMessage) -> tuple[str, str]:
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    assert text_part is not None
    assert html_part is not None
    return text_part.get_content(), html_part.get_content()


def test_assignment_mail_is_persian_rtl_with_jalali_date(
    mailbox, requester, agent, incident_manager, service_desk, make_incident, django_capture_on_commit_callbacks
):
    # given a Persian-speaking agent and a new incident
    incident = make_incident(requester, title="چاپگر طبقه سوم کار نمی‌کند")

    # when the incident manager assigns it to the agent and the transaction commits
    with django_capture_on_commit_callbacks(execute=True):
        actions.assign_incident(actor=incident_manager, incident=incident, expected_version=1,
                                group=service_desk, assignee=agent)

    # then the agent gets one in-app notification and one e-mail in Persian, right to left, with a Jalali date
    assert Notification.objects.filter(recipient=agent, kind="assigned").count() == 1
    received = mailbox.to(agent.email)
    assert len(received) == 1
    message = received[0]
    with translation.override("fa"):
        expected_subject = translation.gettext("%(number)s was assigned to you") % {"number": incident.number}
    # Python folds a long encoded subject onto a continuation line; mail clients drop the leading space.
    assert message["Subject"].strip() == expected_subject
    assert "ارجاع" in expected_subject
    assert message["Content-Language"] == "fa"
    assert message["Auto-Submitted"] == "auto-generated"
    text, html = _bodies(message)
    assert 'dir="rtl"' in html
    assert "۱۴۰" in text  # the Jalali year in Persian digits (1404, 1405, ...)
    assert incident.title in text
    assert f"/incidents/{incident.number}/" in text
    assert Notification.objects.get(recipient=agent).emailed_at is not None


def test_reply_and_resolution_mails_follow_requester_language(
    mailbox, requester, agent, service_desk, resolution_code, make_incident, django_capture_on_commit_callbacks
):
    # given a requester who reads Sarv in English
    requester.language = "en"
    requester.save(update_fields=["language"])
    incident = make_incident(requester, title="VPN does not connect")
    incident = actions.assign_incident(actor=agent, incident=incident, expected_version=1, group=service_desk,
                                       assignee=agent)

    # when the agent replies and then resolves it
    with django_capture_on_commit_callbacks(execute=True):
        actions.add_reply(actor=agent, incident=incident, body="لطفا دوباره وصل شوید")
    incident.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        actions.resolve_incident(actor=agent, incident=incident, expected_version=incident.version,
                                 resolution_code=resolution_code, resolution_notes="Profile fixed")

    # then the requester gets both mails in English, left to right, with Gregorian dates and a portal link
    subjects = [m["Subject"].strip() for m in mailbox.to(requester.email)]
    assert subjects == [f"New reply on {incident.number}", f"{incident.number} was resolved"]
    text, html = _bodies(mailbox.to(requester.email)[1])
    assert 'dir="ltr"' in html
    assert "Please confirm the resolution or reopen it" in text
    assert f"/portal/{incident.number}/" in text
    incident.refresh_from_db()
    with timezone.override(zoneinfo.ZoneInfo("Asia/Tehran")):
        updated_day = timezone.localtime(incident.updated_at).date().isoformat()
    assert f"Updated: {updated_day}" in text


def test_actor_gets_no_notification_of_own_action(mailbox, requester, agent, service_desk, make_incident,
                                                  django_capture_on_commit_callbacks):
    incident = make_incident(requester)
    with django_capture_on_commit_callbacks(execute=True):
        actions.take_incident(actor=agent, incident=incident, expected_version=1)
    assert Notification.objects.filter(recipient=agent).count() == 0
    assert mailbox.to(agent.email) == []


def test_rolled_back_change_sends_nothing(mailbox, requester, agent, incident_manager, service_desk,
                                          make_incident, django_capture_on_commit_callbacks):
    incident = make_incident(requester)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        actions.assign_incident(actor=incident_manager, incident=incident, expected_version=1,
                                group=service_desk, assignee=agent)
    # the callbacks were captured but not run, as if the transaction had rolled back
    assert len(callbacks) == 1
    assert mailbox.messages == []


def test_reopen_mail_says_reopened_with_reason(
    mailbox, requester, agent, service_desk, resolution_code, make_incident, django_capture_on_commit_callbacks
):
    # given an incident the agent resolved, read by an agent who uses English
    agent.language = "en"
    agent.save(update_fields=["language"])
    incident = make_incident(requester)
    incident = actions.assign_incident(actor=agent, incident=incident, expected_version=1, group=service_desk,
                                       assignee=agent)
    incident = actions.resolve_incident(actor=agent, incident=incident, expected_version=incident.version,
                                        resolution_code=resolution_code, resolution_notes="Fixed")

    # when the requester reopens it
    with django_capture_on_commit_callbacks(execute=True):
        actions.reopen_incident(actor=requester, incident=incident, reason="هنوز چاپ نمی‌کند")

    # then the agent's mail states that it was reopened, and the reason
    message = mailbox.to(agent.email)[-1]
    assert message["Subject"].strip() == f"{incident.number} was reopened"
    text, _html = _bodies(message)
    assert "reopened" in text
    assert "Reason: هنوز چاپ نمی‌کند" in text
