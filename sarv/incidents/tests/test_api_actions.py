"""Incident life-cycle endpoints: each calls its action, returns the incident, and reports the
action's errors with their codes and messages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from sarv.core.api.testing import token_client
from sarv.core.choices import AuditAction, Priority, TimelineKind
from sarv.core.models import AuditLogEntry, TimelineEntry
from sarv.incidents import actions
from sarv.incidents.choices import IncidentStatus
from sarv.incidents.models import Incident

PERMISSION_DENIED = {"code": "permission_denied", "message": "You do not have permission to do this."}


def url(incident: Incident, name: str) -> str:
    return f"/api/v1/incidents/{incident.number}/{name}/"


@pytest.fixture
def incident(requester, make_incident):
    return make_incident(requester)


@pytest.fixture
def assigned(incident, agent, service_desk):
    return actions.assign_incident(actor=agent, incident=incident, expected_version=incident.version,
                                   group=service_desk, assignee=agent)


@pytest.fixture
def resolved(assigned, agent, resolution_code):
    return actions.resolve_incident(actor=agent, incident=assigned, expected_version=assigned.version,
                                    resolution_code=resolution_code, resolution_notes="درایور نصب شد")


@pytest.mark.django_db
class TestAssign:
    def test_assign_to_group_and_agent(self, incident, agent, service_desk):
        response = token_client(agent).post(url(incident, "assign"), {
            "version": incident.version, "assigned_group": service_desk.pk, "assignee": agent.pk,
        }, format="json")

        assert response.status_code == 200
        body = response.json()
        assert (body["status"], body["assignee"]["username"], body["assigned_group"]["id"]) == (
            "assigned", "ali", service_desk.pk)
        assert body["version"] == incident.version + 2
        assert TimelineEntry.objects.filter(object_id=incident.pk, kind=TimelineKind.ASSIGNED).exists()

    def test_assignee_outside_group(self, incident, agent, other_agent, service_desk):
        response = token_client(agent).post(url(incident, "assign"), {
            "version": incident.version, "assigned_group": service_desk.pk, "assignee": other_agent.pk,
        }, format="json")

        assert response.status_code == 400
        assert response.json() == {
            "code": "invalid", "field": "assignee",
            "message": "مریم حسینی is not a member of IT service desk.",
            "params": {"user": "مریم حسینی", "group": "IT service desk"},
        }

    def test_nothing_chosen(self, incident, agent):
        response = token_client(agent).post(url(incident, "assign"), {"version": incident.version}, format="json")

        assert response.status_code == 400
        assert response.json()["message"] == "Choose a support group or an agent."

    def test_requester_may_not_assign(self, incident, requester, service_desk):
        response = token_client(requester).post(url(incident, "assign"), {
            "version": incident.version, "assigned_group": service_desk.pk}, format="json")

        assert response.status_code == 403
        assert response.json() == PERMISSION_DENIED

    def test_stale_version(self, incident, agent, service_desk):
        response = token_client(agent).post(url(incident, "assign"), {
            "version": incident.version + 5, "assigned_group": service_desk.pk}, format="json")

        assert response.status_code == 409
        assert response.json()["code"] == "conflict"

    def test_take(self, incident, agent):
        response = token_client(agent).post(url(incident, "take"), {"version": incident.version}, format="json")

        assert response.status_code == 200
        assert response.json()["assignee"]["username"] == "ali"
        assert response.json()["assigned_group"]["name"] == "IT service desk"


@pytest.mark.django_db
class TestStatus:
    def test_on_hold_with_reason(self, assigned, agent):
        response = token_client(agent).post(url(assigned, "status"), {
            "version": assigned.version, "status": "on_hold", "hold_reason": "awaiting_requester",
            "note": "لطفا شماره اموال را بفرستید",
        }, format="json")

        assert response.status_code == 200
        body = response.json()
        assert (body["status"], body["status_display"]) == ("on_hold", "On hold")
        assert (body["hold_reason"], body["hold_reason_display"]) == ("awaiting_requester",
                                                                      "Waiting for the requester")

    def test_on_hold_needs_reason(self, assigned, agent):
        response = token_client(agent).post(url(assigned, "status"), {
            "version": assigned.version, "status": "on_hold"}, format="json")

        assert response.status_code == 400
        assert response.json() == {"code": "invalid", "field": "hold_reason",
                                   "message": "Choose why the incident is on hold."}

    def test_resolved_is_not_a_working_status(self, assigned, agent):
        response = token_client(agent).post(url(assigned, "status"), {
            "version": assigned.version, "status": "resolved"}, format="json")

        assert response.status_code == 400
        assert response.json()["message"] == "Use resolve, close, reopen or cancel for that status."

    def test_unknown_status(self, assigned, agent):
        response = token_client(agent).post(url(assigned, "status"), {
            "version": assigned.version, "status": "sleeping"}, format="json")

        assert response.status_code == 400
        assert response.json()["message"] == '"sleeping" is not a valid choice.'


@pytest.mark.django_db
class TestResolveAndClose:
    def test_resolve(self, assigned, agent, resolution_code):
        response = token_client(agent).post(url(assigned, "resolve"), {
            "version": assigned.version, "resolution_code": resolution_code.pk, "resolution_notes": "رفع شد",
        }, format="json")

        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "resolved"
        assert body["resolution_code"]["id"] == resolution_code.pk
        assert body["resolved_by"]["username"] == "ali"
        assert body["resolved_at"].endswith("Z")

    def test_resolve_needs_notes(self, assigned, agent, resolution_code):
        response = token_client(agent).post(url(assigned, "resolve"), {
            "version": assigned.version, "resolution_code": resolution_code.pk, "resolution_notes": "  ",
        }, format="json")

        assert response.status_code == 400
        assert response.json()["field"] == "resolution_notes"

    def test_close_resolved(self, resolved, agent):
        response = token_client(agent).post(url(resolved, "close"))

        assert response.status_code == 200
        assert response.json()["status"] == "closed"
        assert response.json()["closed_at"].endswith("Z")

    def test_close_open_incident_is_invalid_transition(self, assigned, agent):
        response = token_client(agent).post(url(assigned, "close"))

        assert response.status_code == 409
        assert response.json()["code"] == "invalid_transition"

    def test_requester_confirms(self, resolved, requester):
        response = token_client(requester).post(url(resolved, "confirm"))

        assert response.status_code == 200
        assert response.json()["status"] == "closed"
        entry = TimelineEntry.objects.filter(object_id=resolved.pk).latest("id")
        assert entry.data["confirmed_by_requester"] is True

    def test_agent_cannot_confirm_for_requester(self, resolved, agent):
        response = token_client(agent).post(url(resolved, "confirm"))

        assert response.status_code == 403
        assert response.json() == PERMISSION_DENIED


@pytest.mark.django_db
class TestReopen:
    def test_requester_reopens_within_window(self, resolved, requester):
        response = token_client(requester).post(url(resolved, "reopen"), {"reason": "هنوز چاپ نمی‌کند"},
                                                format="json")

        assert response.status_code == 200
        assert response.json()["status"] == "assigned"
        assert response.json()["reopen_count"] == 1

    def test_reopen_needs_reason(self, resolved, requester):
        response = token_client(requester).post(url(resolved, "reopen"), {"reason": ""}, format="json")

        assert response.status_code == 400
        assert response.json()["field"] == "reason"

    def test_requester_after_window(self, resolved, requester):
        Incident.objects.filter(pk=resolved.pk).update(resolved_at=timezone.now() - dt.timedelta(days=30))

        response = token_client(requester).post(url(resolved, "reopen"), {"reason": "باز هم"}, format="json")

        assert response.status_code == 403
        assert response.json() == {
            "code": "permission_denied",
            "message": "This incident can no longer be reopened. Report a new incident instead.",
        }


@pytest.mark.django_db
class TestCancel:
    def test_requester_cancels_new_incident(self, incident, requester):
        response = token_client(requester).post(url(incident, "cancel"), {"reason": "خودش درست شد"},
                                                format="json")

        assert response.status_code == 200
        assert response.json()["status"] == "cancelled"
        assert response.json()["abilities"]["reply"] is False

    def test_requester_cannot_cancel_in_progress(self, assigned, agent, requester):
        actions.change_status(actor=agent, incident=assigned, expected_version=assigned.version,
                              status=IncidentStatus.IN_PROGRESS)

        response = token_client(requester).post(url(assigned, "cancel"), {"reason": "x"}, format="json")

        assert response.status_code == 403

    def test_manager_cancel_with_stale_version(self, incident, incident_manager):
        response = token_client(incident_manager).post(url(incident, "cancel"), {"reason": "تکراری", "version": 9},
                                                       format="json")

        assert response.status_code == 409
        assert response.json()["code"] == "conflict"


@pytest.mark.django_db
class TestManagerActions:
    def test_priority_override_and_back(self, incident, incident_manager):
        client = token_client(incident_manager)

        manual = client.post(url(incident, "priority-override"), {
            "version": incident.version, "priority": Priority.CRITICAL, "reason": "مدیرعامل"}, format="json")
        back = client.post(url(incident, "priority-override"), {
            "version": manual.json()["version"], "priority": None}, format="json")

        assert manual.status_code == 200
        assert (manual.json()["priority"], manual.json()["priority_overridden"]) == (1, True)
        assert manual.json()["priority_override_reason"] == "مدیرعامل"
        assert back.status_code == 200
        assert (back.json()["priority"], back.json()["priority_overridden"]) == (3, False)

    def test_priority_override_needs_reason(self, incident, incident_manager):
        response = token_client(incident_manager).post(url(incident, "priority-override"), {
            "version": incident.version, "priority": 1}, format="json")

        assert response.status_code == 400
        assert response.json()["message"] == "Give a reason for setting the priority by hand."

    def test_agent_cannot_override_priority(self, incident, agent):
        response = token_client(agent).post(url(incident, "priority-override"), {
            "version": incident.version, "priority": 1, "reason": "x"}, format="json")

        assert response.status_code == 403
        assert response.json()["message"] == "Only incident managers can set the priority by hand."

    def test_declare_major(self, incident, incident_manager):
        response = token_client(incident_manager).post(url(incident, "major"), {
            "version": incident.version, "is_major": True}, format="json")

        assert response.status_code == 200
        assert response.json()["is_major"] is True
        row = AuditLogEntry.objects.filter(action=AuditAction.UPDATE, object_id=str(incident.pk)).latest("id")
        assert row.changes == {"is_major": [False, True]}

    def test_agent_cannot_declare_major(self, incident, agent):
        response = token_client(agent).post(url(incident, "major"), {"version": incident.version,
                                                                      "is_major": True}, format="json")

        assert response.status_code == 403
        assert response.json()["message"] == "Only incident managers can declare a major incident."


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "name"), [
    ("post", "cancel"), ("post", "confirm"), ("post", "reopen"), ("post", "replies"), ("post", "notes"),
    ("get", "timeline"), ("get", "attachments"), ("post", "watchers"), ("get", "children"),
])
def test_hidden_incident_endpoints_return_404(requester, other_requester, make_incident, method, name):
    theirs = make_incident(other_requester)

    response = getattr(token_client(requester), method)(url(theirs, name), {"reason": "x", "body": "x"},
                                                        format="json")

    assert response.status_code == 404
    assert response.json() == {"code": "not_found",
                               "message": "The record was not found or you do not have access to it."}
