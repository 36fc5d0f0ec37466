"""The requester portal: my requests, reporting an incident, and the requester's incident page and actions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from sarv.core.choices import ReferenceKind, TimelineKind
from sarv.core.models import ExternalReference, TimelineEntry
from sarv.core.text import to_persian_digits
from sarv.incidents import actions
from sarv.incidents.choices import Channel, HoldReason, IncidentStatus
from sarv.incidents.models import Incident
from sarv.incidents.tests.page_helpers import fa, flashed, page_text, text_file
from sarv.testing import factories

HOME_URL = reverse("portal:home")
CREATE_URL = reverse("portal:create")


def _url(incident, action: str | None = None) -> str:
    return reverse(f"portal:{action}", args=[incident.number]) if action else incident.get_portal_url()


def _numbers(response) -> set[str]:
    return {incident.number for incident in response.context["page"].object_list}


def _fresh(incident) -> Incident:
    return Incident.objects.get(pk=incident.pk)


@pytest.fixture
def worked(requester, agent, service_desk, make_incident):
    """Sara's incident with an agent's public reply, a work note and an internal attachment."""
    incident = make_incident(requester, description="از صبح چاپ نمی‌کند", files=[text_file("عکس.txt")])
    incident = actions.assign_incident(actor=agent, incident=incident, expected_version=incident.version,
                                       group=service_desk, assignee=agent)
    incident = actions.change_status(actor=agent, incident=incident, expected_version=incident.version,
                                     status=IncidentStatus.IN_PROGRESS)
    actions.add_work_note(actor=agent, incident=incident, body="یادداشت محرمانه کارشناس",
                          files=[text_file("internal-log.txt")])
    actions.add_reply(actor=agent, incident=incident, body="در حال بررسی هستیم")
    return _fresh(incident)


@pytest.fixture
def resolved(worked, agent, resolution_code):
    return actions.resolve_incident(actor=agent, incident=worked, expected_version=worked.version,
                                    resolution_code=resolution_code, resolution_notes="درایور نصب شد")


class TestHome:
    def test_lists_own_and_watched_only(self, client, requester, other_requester, agent, make_incident):
        own = make_incident(requester, title="مال سارا")
        others = make_incident(other_requester, title="مال رضا")
        watched = make_incident(other_requester, title="سارا پیگیر است")
        actions.add_watcher(actor=agent, incident=watched, user=requester)
        client.force_login(requester)

        response = client.get(HOME_URL)

        assert response.status_code == 200
        assert _numbers(response) == {own.number, watched.number}
        assert others.number not in page_text(response)
        assert not response.context["can_department"]

    def test_department_tab_needs_permission(self, client, requester, make_incident, department):
        colleague = make_incident(factories.make_user("mina", "مینا", "کاظمی", department=department),
                                  title="همکار")
        client.force_login(requester)
        without = client.get(HOME_URL, {"scope": "department"})
        requester.user_permissions.add(Permission.objects.get(codename="view_department_incidents"))
        requester = type(requester).objects.get(pk=requester.pk)
        client.force_login(requester)

        with_permission = client.get(HOME_URL, {"scope": "department"})

        assert without.context["scope"] == "mine"
        assert colleague.number not in _numbers(without)
        assert with_permission.context["scope"] == "department"
        assert colleague.number in _numbers(with_permission)
        assert fa("My department") in page_text(with_permission)

    def test_open_closed_tabs_and_search(self, client, requester, incident_manager, make_incident):
        open_one = make_incident(requester, title="می‌خواهم رمز عبور را عوض کنم")
        cancelled = make_incident(requester, title="لغوشده")
        actions.cancel_incident(actor=incident_manager, incident=cancelled, expected_version=cancelled.version,
                                reason="تکراری")
        client.force_login(requester)

        assert _numbers(client.get(HOME_URL)) == {open_one.number}
        assert _numbers(client.get(HOME_URL, {"state": "closed"})) == {cancelled.number}
        assert _numbers(client.get(HOME_URL, {"state": "all", "q": "مي خواهم"})) == {open_one.number}


@pytest.mark.parametrize("count", [3, 30])
def test_portal_list_query_count_is_fixed(client, requester, agent, service_desk, make_incident,
                                          django_assert_num_queries, count):
    for index in range(count):
        make_incident(requester, title=f"حادثه {index}", actor=agent, assigned_group=service_desk)
    client.force_login(requester)
    client.get(HOME_URL)

    with django_assert_num_queries(9):
        response = client.get(HOME_URL, {"state": "all"})
    assert len(response.context["page"].object_list) == min(count, 25)


class TestReport:
    def test_requester_reports_incident(self, client, requester, category_tree):
        hardware, printer = category_tree
        client.force_login(requester)

        response = client.post(CREATE_URL, {
            "title": "چاپگر كار نمي‌كند", "description": "کاغذ گیر کرده", "category": hardware.pk,
            "subcategory": printer.pk, "urgency": 1, "letter_number": "۷۸۹", "letter_date": "۱۴۰۵/۰۱/۱۵",
            "attachments": [text_file()],
        })

        incident = Incident.objects.get()
        assert response.status_code == 302
        assert response["Location"] == _url(incident)
        assert flashed(response) == [fa("Your incident was registered with the number %(number)s.",
                                        number=incident.number)]
        assert (incident.requester, incident.channel, incident.title) == (requester, Channel.PORTAL,
                                                                          "چاپگر کار نمی‌کند")
        assert incident.assigned_group is None
        assert ExternalReference.objects.get(object_id=incident.pk, kind=ReferenceKind.LETTER).reference == "789"

    def test_missing_description_keeps_title(self, client, requester):
        client.force_login(requester)

        response = client.post(CREATE_URL, {"title": "عنوان من", "urgency": 2})

        assert response.status_code == 400
        assert response.context["form"].errors["description"] == [fa("This field is required.")]
        assert 'value="عنوان من"' in page_text(response)

    def test_disallowed_file_type_rejected_on_field(self, client, requester, settings):
        client.force_login(requester)
        program = SimpleUploadedFile("برنامه.exe", b"MZ\x90\x00", content_type="application/octet-stream")

        response = client.post(CREATE_URL, {"title": "عنوان", "description": "شرح", "urgency": 2,
                                            "attachments": [program]})

        assert response.status_code == 400
        assert response.context["form"].errors["attachments"] == [fa(
            "Files of type %(extension)s cannot be attached. Allowed types: %(allowed)s.", extension="exe",
            allowed=", ".join(settings.SARV_ATTACHMENT_EXTENSIONS),
        )]
        assert not Incident.objects.exists()

    def test_subcategory_options_for_requesters(self, client, requester, category_tree):
        hardware, printer = category_tree
        client.force_login(requester)

        response = client.get(reverse("portal:subcategory_options"), {"category": hardware.pk})

        assert f'<option value="{printer.pk}"' in page_text(response)


class TestIncidentPage:
    def test_requester_sees_public_part_only(self, client, requester, worked):
        client.force_login(requester)

        response = client.get(_url(worked))

        body = page_text(response)
        assert response.status_code == 200
        assert "در حال بررسی هستیم" in body
        assert "یادداشت محرمانه کارشناس" not in body
        assert "internal-log.txt" not in body
        assert "عکس.txt" in body
        assert all(not row.entry.is_internal for row in response.context["rows"])
        assert all(line.field in ("status", "hold_reason") for row in response.context["rows"] for line in row.lines)

    def test_agent_in_portal_sees_requester_view(self, client, agent, worked):
        client.force_login(agent)

        body = page_text(client.get(_url(worked)))

        assert "یادداشت محرمانه کارشناس" not in body
        assert "internal-log.txt" not in body

    def test_internal_attachment_download_is_404(self, client, requester, worked):
        internal = worked.attachments.get(original_name="internal-log.txt")
        public = worked.attachments.get(original_name="عکس.txt")
        client.force_login(requester)

        assert client.get(reverse("core:attachment", args=[internal.public_id])).status_code == 404
        assert client.get(reverse("core:attachment", args=[public.public_id])).status_code == 200

    def test_other_requester_gets_404(self, client, other_requester, worked):
        client.force_login(other_requester)

        assert client.get(_url(worked)).status_code == 404
        assert client.post(_url(worked, "reply"), {"body": "سلام"}).status_code == 404
        assert client.post(_url(worked, "cancel"), {"reason": "x"}).status_code == 404
        public = worked.attachments.get(original_name="عکس.txt")
        assert client.get(reverse("core:attachment", args=[public.public_id])).status_code == 404

    def test_anonymous_sent_to_sign_in(self, client, worked):
        response = client.get(_url(worked))

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


class TestRequesterActions:
    def test_reply_puts_waiting_incident_back_in_progress(self, client, requester, agent, worked):
        waiting = actions.change_status(actor=agent, incident=worked, expected_version=worked.version,
                                        status=IncidentStatus.ON_HOLD, hold_reason=HoldReason.AWAITING_REQUESTER)
        client.force_login(requester)

        response = client.post(_url(waiting, "reply"), {"body": "مدل HP است", "attachments": [text_file("مدل.txt")]})

        assert flashed(response) == [fa("Your reply was sent.")]
        entry = TimelineEntry.objects.get(object_id=worked.pk, kind=TimelineKind.PUBLIC_REPLY, actor=requester)
        assert entry.attachments.get().is_internal is False
        assert _fresh(worked).status == IncidentStatus.IN_PROGRESS

    def test_confirm_resolution_closes(self, client, requester, resolved):
        client.force_login(requester)
        page = client.get(_url(resolved))
        assert {"confirm", "reopen"} <= set(page.context["forms"])

        response = client.post(_url(resolved, "confirm"))

        assert flashed(response) == [fa("Thank you. %(number)s is now closed.", number=resolved.number)]
        assert _fresh(resolved).status == IncidentStatus.CLOSED

    def test_reopen_within_window(self, client, requester, resolved):
        client.force_login(requester)

        empty = client.post(_url(resolved, "reopen"), {"reason": ""})
        response = client.post(_url(resolved, "reopen"), {"reason": "هنوز چاپ نمی‌کند"})

        assert empty.status_code == 400
        assert empty.context["open_panel"] == "reopen"
        assert flashed(response) == [fa("%(number)s was reopened.", number=resolved.number)]
        assert (_fresh(resolved).status, _fresh(resolved).reopen_count) == (IncidentStatus.ASSIGNED, 1)

    def test_reopen_after_window_refused(self, client, requester, resolved):
        Incident.objects.filter(pk=resolved.pk).update(resolved_at=timezone.now() - dt.timedelta(days=30))
        client.force_login(requester)

        page = client.get(_url(resolved))
        response = client.post(_url(resolved, "reopen"), {"reason": "هنوز خراب است"})

        assert "reopen" not in page.context["forms"]
        assert response.status_code == 403
        assert fa("This incident can no longer be reopened. Report a new incident instead.") in page_text(response)
        assert _fresh(resolved).status == IncidentStatus.RESOLVED

    def test_cancel_before_work_starts(self, client, requester, make_incident):
        incident = make_incident(requester)
        client.force_login(requester)

        response = client.post(_url(incident, "cancel"), {"reason": "خودم درستش کردم"})

        assert flashed(response) == [fa("%(number)s was cancelled.", number=incident.number)]
        assert _fresh(incident).status == IncidentStatus.CANCELLED

    def test_cancel_refused_once_in_progress(self, client, requester, worked):
        client.force_login(requester)

        page = client.get(_url(worked))
        response = client.post(_url(worked, "cancel"), {"reason": "دیگر لازم نیست"})

        assert "cancel" not in page.context["forms"]
        assert response.status_code == 403
        assert fa("You do not have permission to do this.") in page_text(response)
        assert _fresh(worked).status == IncidentStatus.IN_PROGRESS


def test_portal_number_with_persian_digits_redirects(client, requester, make_incident):
    incident = make_incident(requester)
    client.force_login(requester)

    response = client.get(f"/portal/{to_persian_digits(incident.number)}/")

    assert response.status_code == 302
    assert response["Location"] == incident.get_portal_url()
