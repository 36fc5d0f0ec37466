"""Incident life-cycle rules: automatic closure, the reopen window, hold and resume, priority override."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from sarv.core.choices import AuditAction, Priority, TimelineKind
from sarv.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from sarv.core.models import AuditLogEntry, TimelineEntry
from sarv.incidents import actions
from sarv.incidents.choices import HoldReason, IncidentStatus
from sarv.incidents.models import Incident, IncidentPolicy

pytestmark = pytest.mark.django_db


@pytest.fixture
def resolved(requester, agent, service_desk, resolution_code, make_incident):
    """An incident that the agent resolved just now."""
    incident = make_incident(requester)
    incident = actions.assign_incident(actor=agent, incident=incident, expected_version=1, group=service_desk,
                                       assignee=agent)
    return actions.resolve_incident(actor=agent, incident=incident, expected_version=incident.version,
                                    resolution_code=resolution_code, resolution_notes="کابل شبکه تعویض شد")


def _age_resolution(incident: Incident, days: float) -> Incident:
    Incident.objects.filter(pk=incident.pk).update(resolved_at=timezone.now() - dt.timedelta(days=days))
    incident.refresh_from_db()
    return incident


def test_auto_close_after_policy_days(resolved):
    # given the policy closes resolved incidents after 3 days
    IncidentPolicy.objects.update_or_create(pk=1, defaults={"auto_close_days": 3})
    _age_resolution(resolved, 2.9)
    # when the periodic job runs before and after the three days
    closed_early = actions.close_resolved_incidents()
    _age_resolution(resolved, 3.1)
    closed_late = actions.close_resolved_incidents()
    # then only the second run closes it, as the system, with an entry the requester can see
    resolved.refresh_from_db()
    assert (closed_early, closed_late) == (0, 1)
    assert resolved.status == IncidentStatus.CLOSED
    entry = TimelineEntry.objects.filter(object_id=resolved.pk, kind=TimelineKind.STATUS_CHANGED).latest("id")
    assert entry.actor is None
    assert entry.data["automatic"] is True
    assert entry.is_internal is False


def test_requester_reopens_within_window(requester, resolved):
    IncidentPolicy.objects.update_or_create(pk=1, defaults={"reopen_window_days": 7})
    _age_resolution(resolved, 6)
    incident = actions.reopen_incident(actor=requester, incident=resolved, reason="هنوز وصل نمی‌شود")
    assert incident.status == IncidentStatus.ASSIGNED
    assert incident.reopen_count == 1
    assert incident.resolved_at is None


def test_requester_cannot_reopen_after_window(requester, resolved):
    IncidentPolicy.objects.update_or_create(pk=1, defaults={"reopen_window_days": 7})
    _age_resolution(resolved, 8)
    with translation.override("en"), pytest.raises(PermissionDenied) as error:
        actions.reopen_incident(actor=requester, incident=resolved, reason="هنوز وصل نمی‌شود")
    assert error.value.message == "This incident can no longer be reopened. Report a new incident instead."


def test_requester_reply_resumes_incident_waiting_for_them(requester, agent, service_desk, make_incident):
    incident = make_incident(requester)
    incident = actions.assign_incident(actor=agent, incident=incident, expected_version=1, group=service_desk,
                                       assignee=agent)
    incident = actions.change_status(actor=agent, incident=incident, expected_version=incident.version,
                                     status=IncidentStatus.ON_HOLD, hold_reason=HoldReason.AWAITING_REQUESTER)
    actions.add_reply(actor=requester, incident=incident, body="عکس صفحه را فرستادم")
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.IN_PROGRESS
    assert incident.hold_reason == ""


def test_on_hold_needs_a_reason(requester, agent, service_desk, make_incident):
    incident = make_incident(requester)
    with translation.override("en"), pytest.raises(ValidationFailed) as error:
        actions.change_status(actor=agent, incident=incident, expected_version=1, status=IncidentStatus.ON_HOLD)
    assert error.value.field == "hold_reason"
    assert error.value.message == "Choose why the incident is on hold."


def test_closed_incident_cannot_be_resolved_again(requester, agent, resolution_code, resolved):
    incident = actions.confirm_resolution(actor=requester, incident=resolved)
    with pytest.raises(InvalidTransition):
        actions.resolve_incident(actor=agent, incident=incident, expected_version=incident.version,
                                 resolution_code=resolution_code, resolution_notes="دوباره")


def test_priority_override_needs_reason_and_is_logged(requester, incident_manager, make_incident):
    incident = make_incident(requester)
    assert incident.priority == Priority.MODERATE
    with translation.override("en"), pytest.raises(ValidationFailed) as error:
        actions.override_priority(actor=incident_manager, incident=incident, expected_version=1,
                                  priority=Priority.CRITICAL, reason="")
    assert error.value.message == "Give a reason for setting the priority by hand."

    incident = actions.override_priority(actor=incident_manager, incident=incident, expected_version=1,
                                         priority=Priority.CRITICAL, reason="سامانه حقوق کل سازمان")
    assert (incident.priority, incident.priority_overridden) == (Priority.CRITICAL, True)
    entry = TimelineEntry.objects.get(object_id=incident.pk, kind=TimelineKind.PRIORITY_OVERRIDDEN)
    assert entry.body == "سامانه حقوق کل سازمان"
    audit = AuditLogEntry.objects.filter(action=AuditAction.UPDATE, object_id=str(incident.pk)).latest("id")
    assert audit.changes["priority"] == [Priority.MODERATE, Priority.CRITICAL]
    assert audit.changes["priority_override_reason"] == ["", "سامانه حقوق کل سازمان"]


def test_agent_cannot_override_priority(requester, agent, make_incident):
    incident = make_incident(requester)
    with pytest.raises(PermissionDenied):
        actions.override_priority(actor=agent, incident=incident, expected_version=1, priority=Priority.HIGH,
                                  reason="فوری")


def test_impact_change_recomputes_priority_unless_overridden(requester, agent, incident_manager, make_incident):
    incident = make_incident(requester)
    incident = actions.update_incident(actor=agent, incident=incident, expected_version=1, impact=1, urgency=1)
    assert incident.priority == Priority.CRITICAL
    incident = actions.override_priority(actor=incident_manager, incident=incident,
                                         expected_version=incident.version, priority=Priority.LOW, reason="آزمایشی")
    incident = actions.update_incident(actor=agent, incident=incident, expected_version=incident.version, impact=2)
    assert incident.priority == Priority.LOW


def test_major_incident_with_children(requester, other_requester, agent, incident_manager, make_incident):
    major = make_incident(requester, title="قطع کامل اینترنت ساختمان مرکزی")
    child = make_incident(other_requester, title="اینترنت واحد مالی قطع است")
    major = actions.set_major(actor=incident_manager, incident=major, expected_version=1, is_major=True)
    child = actions.link_child(actor=agent, parent=major, child=child)
    assert list(major.children.values_list("number", flat=True)) == [child.number]
    with translation.override("en"), pytest.raises(ValidationFailed) as error:
        actions.link_child(actor=agent, parent=child, child=major)
    assert error.value.message == f"{child.number} is itself a child incident."


def test_bulk_item_is_all_or_nothing(requester, agent, incident_manager, service_desk, network_group, resolved,
                                     make_incident):
    # given an incident in progress with the service desk, a new one, and a resolved one
    worked = make_incident(requester, title="در حال کار")
    worked = actions.assign_incident(actor=agent, incident=worked, expected_version=1, group=service_desk,
                                     assignee=agent)
    worked = actions.change_status(actor=agent, incident=worked, expected_version=worked.version,
                                   status=IncidentStatus.IN_PROGRESS)
    fresh = make_incident(requester, title="جدید")

    # when all three are moved to the network group and set in progress
    results = actions.bulk_update(actor=incident_manager, incidents=[worked, fresh, resolved],
                                  group=network_group, status=IncidentStatus.IN_PROGRESS)

    # then the open ones succeed, because the same status is no change. The resolved one cannot be set
    # in progress, so its reassignment, which would have succeeded alone, was rolled back with it.
    assert [(r.number, r.ok) for r in results] == [(worked.number, True), (fresh.number, True),
                                                   (resolved.number, False)]
    resolved.refresh_from_db()
    assert resolved.assigned_group == service_desk
    assert resolved.status == IncidentStatus.RESOLVED
    assert TimelineEntry.objects.filter(object_id=resolved.pk, kind=TimelineKind.ASSIGNED).count() == 1


def test_bulk_on_hold_without_reason_is_rejected_once(requester, incident_manager, make_incident):
    incidents = [make_incident(requester, title=f"حادثه {i}") for i in range(3)]
    with translation.override("en"), pytest.raises(ValidationFailed) as error:
        actions.bulk_update(actor=incident_manager, incidents=incidents, status=IncidentStatus.ON_HOLD)
    assert error.value.message == "Choose why the incident is on hold."
    assert {incident.status for incident in Incident.objects.all()} == {IncidentStatus.NEW}


def test_new_incident_goes_to_default_group(requester, agent, admin_user, service_desk,
                                            django_capture_on_commit_callbacks):
    # given the policy sends unassigned incidents to the service desk
    actions.update_incident_policy(actor=admin_user, reopen_window_days=7, auto_close_days=3,
                                   default_group=service_desk)
    # when a requester reports an incident
    with django_capture_on_commit_callbacks(execute=True):
        incident = actions.create_incident(actor=requester, title="صفحه کلید کار نمی‌کند")
    # then it waits in the service desk's queue, and its members were notified
    assert (incident.assigned_group, incident.assignee, incident.status) == (service_desk, None,
                                                                            IncidentStatus.ASSIGNED)
    assert agent.notifications.filter(kind="assigned", object_id=incident.pk).exists()


def test_without_default_group_incident_waits_unassigned(requester, make_incident):
    incident = make_incident(requester)
    assert (incident.assigned_group, incident.status) == (None, IncidentStatus.NEW)
