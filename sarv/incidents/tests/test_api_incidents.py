"""Incident API: list with filters and queues, create, read, edit with versions, bulk updates, visibility
between requesters, and the module switch."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sarv.core.api.testing import token_client
from sarv.core.choices import AuditAction, Priority
from sarv.core.models import Attachment, AuditLogEntry, Category, ExternalReference, ModuleSwitch, Watcher
from sarv.core.text import to_persian_digits
from sarv.incidents import actions
from sarv.incidents.choices import IncidentStatus
from sarv.incidents.models import Incident

LIST_URL = "/api/v1/incidents/"
NOT_FOUND = {"code": "not_found", "message": "The record was not found or you do not have access to it."}


def detail_url(incident: Incident, suffix: str = "") -> str:
    return f"{LIST_URL}{incident.number}/{suffix}"


def numbers(response) -> list[str]:
    return [row["number"] for row in response.json()["results"]]


@pytest.mark.django_db
class TestList:
    def test_agent_sees_all_newest_first(self, agent, requester, other_requester, make_incident):
        first = make_incident(requester)
        second = make_incident(other_requester, title="VPN وصل نمی‌شود")

        response = token_client(agent).get(LIST_URL)

        assert response.status_code == 200
        assert numbers(response) == [second.number, first.number]
        row = response.json()["results"][0]
        assert row["status"] == "new"
        assert row["status_display"] == "New"
        assert row["priority"] == 3
        assert row["priority_display"] == "Moderate"
        assert row["requester"]["username"] == "reza"
        assert row["created_at"].endswith("Z")

    def test_requester_sees_only_own_and_watched(self, requester, other_requester, agent, make_incident):
        own = make_incident(requester)
        others = make_incident(other_requester)
        watched = make_incident(other_requester, title="watched")
        actions.add_watcher(actor=agent, incident=watched, user=requester)

        response = token_client(requester).get(LIST_URL)

        assert set(numbers(response)) == {own.number, watched.number}
        assert others.number not in numbers(response)

    def test_search_does_not_reach_other_requesters(self, requester, other_requester, make_incident):
        mine = make_incident(requester, title="چاپگر طبقه سوم")
        theirs = make_incident(other_requester, title="چاپگر طبقه دوم")
        client = token_client(requester)

        by_text = client.get(LIST_URL, {"q": "چاپگر"})
        by_number = client.get(LIST_URL, {"q": theirs.number})

        assert numbers(by_text) == [mine.number]
        assert numbers(by_number) == []

    def test_filters_status_priority_and_group(self, agent, service_desk, requester, make_incident):
        plain = make_incident(requester)
        urgent = make_incident(requester, title="سرور ایمیل از دسترس خارج است", impact=1, urgency=1)
        actions.assign_incident(actor=agent, incident=urgent, expected_version=urgent.version,
                                group=service_desk, assignee=None)
        client = token_client(agent)

        assert numbers(client.get(LIST_URL, {"status": "assigned"})) == [urgent.number]
        assert numbers(client.get(LIST_URL, {"status": ["new", "assigned"]})) == [urgent.number, plain.number]
        assert numbers(client.get(LIST_URL, {"priority": Priority.CRITICAL})) == [urgent.number]
        assert numbers(client.get(LIST_URL, {"assigned_group": service_desk.pk})) == [urgent.number]
        assert numbers(client.get(LIST_URL, {"ordering": "priority"})) == [urgent.number, plain.number]
        assert numbers(client.get(LIST_URL, {"ordering": "-priority"})) == [plain.number, urgent.number]

    def test_date_filter_reads_jalali_with_persian_digits(self, agent, requester, make_incident):
        incident = make_incident(requester)
        client = token_client(agent)

        today = client.get(LIST_URL, {"created_from": to_persian_digits("1300/01/01")})
        future = client.get(LIST_URL, {"created_from": "2999-01-01"})

        assert numbers(today) == [incident.number]
        assert numbers(future) == []

    def test_invalid_filter_answers_400(self, agent):
        response = token_client(agent).get(LIST_URL, {"status": "lost"})

        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "invalid"
        assert body["field"] == "status"
        assert body["message"] == "Select a valid choice. lost is not one of the available choices."

    def test_queues_for_agents(self, agent, other_agent, service_desk, requester, make_incident):
        mine = make_incident(requester, title="mine")
        group_only = make_incident(requester, title="group")
        unassigned = make_incident(requester, title="nobody")
        actions.assign_incident(actor=agent, incident=mine, expected_version=mine.version, group=service_desk,
                                assignee=agent)
        actions.assign_incident(actor=agent, incident=group_only, expected_version=group_only.version,
                                group=service_desk, assignee=None)
        client = token_client(agent)

        assert numbers(client.get(LIST_URL, {"queue": "mine"})) == [mine.number]
        assert numbers(client.get(LIST_URL, {"queue": "my_groups"})) == [group_only.number, mine.number]
        assert numbers(client.get(LIST_URL, {"queue": "unassigned"})) == [unassigned.number, group_only.number]
        assert len(numbers(client.get(LIST_URL, {"queue": "all"}))) == 3
        assert numbers(token_client(other_agent).get(LIST_URL, {"queue": "my_groups"})) == []

    def test_unknown_queue_is_invalid(self, agent):
        response = token_client(agent).get(LIST_URL, {"queue": "everything"})

        assert response.status_code == 400
        assert response.json() == {"code": "invalid", "message": "everything is not a valid choice.",
                                   "field": "queue", "params": {"value": "everything"}}

    def test_requester_has_no_queues(self, requester):
        response = token_client(requester).get(LIST_URL, {"queue": "mine"})

        assert response.status_code == 403
        assert response.json() == {"code": "permission_denied", "message": "Only agents have work queues.",
                                   "field": "queue"}

    def test_page_size(self, agent, requester, make_incident):
        for index in range(3):
            make_incident(requester, title=f"حادثه {index}")

        body = token_client(agent).get(LIST_URL, {"page_size": 2}).json()

        assert body["count"] == 3
        assert len(body["results"]) == 2
        # The next link carries a keyset cursor (sarv.core.keyset) and keeps the page size.
        assert "cursor=" in body["next"] and body["next"].endswith("page_size=2")


@pytest.mark.django_db
class TestCreate:
    def test_requester_reports_for_themselves(self, requester, category_tree):
        hardware, printer = category_tree

        response = token_client(requester).post(LIST_URL, {
            "title": "چاپگر كار نمي‌كند", "description": "از صبح", "category": hardware.pk, "subcategory": printer.pk,
            "urgency": 1, "letter_number": "۱۲۳/۴۵", "letter_date": "۱۴۰۵/۰۱/۲۰",
        }, format="json")

        assert response.status_code == 201
        body = response.json()
        incident = Incident.objects.get(number=body["number"])
        assert response.headers["Location"] == f"/api/v1/incidents/{incident.number}/"
        # Arabic kaf and yeh are stored in their Persian forms.
        assert incident.title == "چاپگر کار نمی‌کند"
        assert incident.requester == requester
        assert incident.channel == "api"
        assert (body["category"]["name"], body["subcategory"]["name"]) == ("Hardware", "Printer")
        assert body["urgency"] == 1
        assert body["version"] == 1
        letter = ExternalReference.objects.get(object_id=incident.pk)
        assert letter.reference == "123/45"
        assert letter.reference_date is not None
        assert letter.reference_date.isoformat() == "2026-04-09"
        assert AuditLogEntry.objects.filter(action=AuditAction.CREATE, object_id=str(incident.pk)).exists()

    def test_multipart_with_attachments(self, requester):
        files = [SimpleUploadedFile("خطا.txt", b"error 42", content_type="text/plain"),
                 SimpleUploadedFile("log.csv", b"a,b\n1,2\n", content_type="text/csv")]

        response = token_client(requester).post(LIST_URL, {"title": "خطای نرم‌افزار", "attachments": files},
                                                format="multipart")

        assert response.status_code == 201
        incident = Incident.objects.get(number=response.json()["number"])
        stored = Attachment.objects.filter(object_id=incident.pk).order_by("original_name")
        assert [a.original_name for a in stored] == ["log.csv", "خطا.txt"]
        assert not any(a.is_internal for a in stored)

    def test_bad_attachment_is_rejected_with_action_message(self, requester):
        renamed = SimpleUploadedFile("report.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")

        response = token_client(requester).post(LIST_URL, {"title": "فایل", "attachments": [renamed]},
                                                format="multipart")

        assert response.status_code == 400
        assert response.json()["code"] == "invalid"
        assert response.json()["field"] == "attachments"
        assert response.json()["message"] == "The content of report.pdf does not match its .pdf extension."
        assert not Incident.objects.exists()

    def test_agent_reports_for_someone_else_and_assigns(self, agent, requester, service_desk, other_requester):
        response = token_client(agent).post(LIST_URL, {
            "title": "تماس تلفنی", "requester": requester.pk, "channel": "phone",
            "assigned_group": service_desk.pk, "assignee": agent.pk, "watchers": [other_requester.pk],
        }, format="json")

        assert response.status_code == 201
        body = response.json()
        assert body["requester"]["username"] == "sara"
        assert body["status"] == "assigned"
        assert body["assignee"]["username"] == "ali"
        assert body["created_by"]["username"] == "ali"
        assert Watcher.objects.filter(user=other_requester).exists()

    def test_requester_cannot_report_for_others(self, requester, other_requester):
        response = token_client(requester).post(LIST_URL, {"title": "x", "requester": other_requester.pk},
                                                format="json")

        assert response.status_code == 403
        assert response.json() == {"code": "permission_denied",
                                   "message": "Only agents can register an incident for someone else."}

    def test_requester_cannot_assign(self, requester, service_desk):
        response = token_client(requester).post(LIST_URL, {"title": "x", "assigned_group": service_desk.pk},
                                                format="json")

        assert response.status_code == 403
        assert response.json()["message"] == "Only agents can assign an incident."

    def test_subcategory_of_other_category(self, requester, category_tree):
        _hardware, printer = category_tree
        software = Category.objects.create(name_fa="نرم‌افزار", name_en="Software")
        response = token_client(requester).post(LIST_URL, {"title": "x", "category": software.pk,
                                                           "subcategory": printer.pk}, format="json")

        assert response.status_code == 400
        assert response.json() == {"code": "invalid", "field": "subcategory",
                                   "message": "The subcategory does not belong to the chosen category."}

    def test_letter_date_without_number(self, requester):
        response = token_client(requester).post(LIST_URL, {"title": "x", "letter_date": "1405/01/20"},
                                                format="json")

        assert response.status_code == 400
        assert response.json()["field"] == "letter_number"
        assert response.json()["message"] == "Enter the letter number, or clear the letter date."

    def test_unreadable_letter_date(self, requester):
        response = token_client(requester).post(LIST_URL, {"title": "x", "letter_number": "1",
                                                           "letter_date": "yesterday"}, format="json")

        assert response.status_code == 400
        assert response.json()["field"] == "letter_date"
        assert response.json()["message"] == "Enter a valid date, such as 1405/09/13 or 2026-12-04."


@pytest.mark.django_db
class TestDetail:
    def test_persian_digits_in_number(self, requester, make_incident):
        incident = make_incident(requester)

        response = token_client(requester).get(f"{LIST_URL}{to_persian_digits(incident.number.lower())}/")

        assert response.status_code == 200
        assert response.json()["number"] == incident.number

    def test_other_requesters_incident_is_not_found(self, requester, other_requester, make_incident):
        theirs = make_incident(other_requester)

        response = token_client(requester).get(detail_url(theirs))

        assert response.status_code == 404
        assert response.json() == NOT_FOUND

    def test_requester_gets_no_agent_only_fields(self, requester, make_incident):
        incident = make_incident(requester)

        body = token_client(requester).get(detail_url(incident)).json()

        assert "priority_override_reason" not in body
        assert "reassignment_count" not in body
        assert body["abilities"] == {"work": False, "reply": True, "reopen": False, "confirm": False,
                                     "cancel": True, "manage": False}

    def test_agent_gets_agent_fields(self, agent, requester, make_incident):
        incident = make_incident(requester)

        body = token_client(agent).get(detail_url(incident)).json()

        assert body["priority_override_reason"] == ""
        assert body["reassignment_count"] == 0
        assert body["abilities"]["work"] is True


@pytest.mark.django_db
class TestEdit:
    def test_agent_edits_with_version(self, agent, requester, make_incident):
        incident = make_incident(requester)

        response = token_client(agent).patch(detail_url(incident), {"version": 1, "title": "عنوان تازه",
                                                                      "impact": 1}, format="json")

        assert response.status_code == 200
        body = response.json()
        assert body["title"] == "عنوان تازه"
        assert body["version"] == 2
        assert body["priority"] == Priority.HIGH
        row = AuditLogEntry.objects.filter(action=AuditAction.UPDATE, object_id=str(incident.pk)).latest("id")
        assert row.changes["title"] == ["چاپگر طبقه سوم کار نمی‌کند", "عنوان تازه"]
        assert row.changes["impact"] == [2, 1]

    def test_stale_version_answers_409(self, agent, other_agent, requester, make_incident):
        incident = make_incident(requester)
        token_client(other_agent).patch(detail_url(incident), {"version": 1, "title": "first"}, format="json")

        response = token_client(agent).patch(detail_url(incident), {"version": 1, "title": "second"},
                                             format="json")

        assert response.status_code == 409
        assert response.json() == {
            "code": "conflict",
            "message": "Someone else changed this record after you opened it. Your changes were not saved; "
                       "reload the page, check the new values and apply your changes again.",
            "params": {"current_version": "2"},
        }
        incident.refresh_from_db()
        assert incident.title == "first"

    def test_version_is_required(self, agent, requester, make_incident):
        incident = make_incident(requester)

        response = token_client(agent).patch(detail_url(incident), {"title": "x"}, format="json")

        assert response.status_code == 400
        assert response.json()["field"] == "version"
        assert response.json()["message"] == "This field is required."

    def test_requester_cannot_edit(self, requester, make_incident):
        incident = make_incident(requester)

        response = token_client(requester).patch(detail_url(incident), {"version": 1, "title": "x"}, format="json")

        assert response.status_code == 403
        assert response.json() == {"code": "permission_denied", "message": "You do not have permission to do this."}

    def test_put_is_not_allowed(self, agent, requester, make_incident):
        incident = make_incident(requester)

        response = token_client(agent).put(detail_url(incident), {"version": 1, "title": "x"}, format="json")

        assert response.status_code == 405
        assert response.json() == {"code": "method_not_allowed", "message": 'Method "PUT" not allowed.'}


@pytest.mark.django_db
class TestBulk:
    def test_group_lead_assigns_several(self, group_lead, agent, service_desk, requester, other_requester,
                                        make_incident):
        first = make_incident(requester)
        second = make_incident(requester, title="دوم")
        hidden_number = "INC-1300-000999"

        response = token_client(group_lead).post(f"{LIST_URL}bulk/", {
            "numbers": [first.number, to_persian_digits(second.number), hidden_number],
            "assigned_group": service_desk.pk, "assignee": agent.pk,
        }, format="json")

        assert response.status_code == 200
        assert response.json()["results"] == [
            {"number": first.number, "ok": True, "message": "Updated"},
            {"number": second.number, "ok": True, "message": "Updated"},
            {"number": hidden_number, "ok": False, "message": NOT_FOUND["message"]},
        ]
        assert Incident.objects.filter(assignee=agent, status=IncidentStatus.ASSIGNED).count() == 2

    def test_agent_without_bulk_permission(self, agent, service_desk, requester, make_incident):
        incident = make_incident(requester)

        response = token_client(agent).post(f"{LIST_URL}bulk/", {"numbers": [incident.number],
                                                                  "assigned_group": service_desk.pk}, format="json")

        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"

    def test_nothing_to_change(self, group_lead, requester, make_incident):
        incident = make_incident(requester)

        response = token_client(group_lead).post(f"{LIST_URL}bulk/", {"numbers": [incident.number]}, format="json")

        assert response.status_code == 400
        assert response.json()["message"] == "Choose a support group, an agent or a new status."


@pytest.mark.django_db
def test_resolution_codes_are_listed(requester, resolution_code):
    body = token_client(requester).get("/api/v1/resolution-codes/").json()

    assert resolution_code.code in [row["code"] for row in body["results"]]


@pytest.mark.django_db
def test_switched_off_module_answers_404(agent, requester, make_incident):
    # given an incident and then the incidents module switched off
    incident = make_incident(requester)
    ModuleSwitch.objects.create(code="incidents", enabled=False)
    client = token_client(agent)

    # when the incident API is called
    # then it does not exist, while other parts of the API still respond
    assert client.get(LIST_URL).status_code == 404
    assert client.get(detail_url(incident)).status_code == 404
    assert client.get("/api/v1/resolution-codes/").status_code == 404
    assert client.get("/api/v1/me/").status_code == 200
