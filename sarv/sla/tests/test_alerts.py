"""Warnings, breaches and escalations fire once, as timeline entries with notifications."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from sarv.core.choices import Priority, TimelineKind
from sarv.core.models import Notification, TimelineEntry
from sarv.incidents import actions
from sarv.incidents.models import Incident
from sarv.sla.alerts import check_clocks
from sarv.sla.models import Clock, ClockAlert
from sarv.sla.tests.helpers import at, jalali, make_agreement, make_calendar


def entries(incident: Any, kind: str) -> list[TimelineEntry]:
    return list(TimelineEntry.objects.filter(object_id=incident.pk, kind=kind).order_by("id"))


@pytest.fixture
def assigned_incident(requester: Any, agent: Any, service_desk: Any) -> Incident:
    with at(jalali(1404, 2, 6, 8)):
        return actions.create_incident(actor=agent, requester=requester, title="سرور فایل در دسترس نیست",
                                       assigned_group=service_desk, assignee=agent)


def test_warnings_then_breach(assigned_incident: Incident, agent: Any) -> None:
    make_agreement(calendar=make_calendar(), targets={"resolution": 8}, warning_percents=[50, 75])
    with at(jalali(1404, 2, 6, 8)):
        actions.add_work_note(actor=agent, incident=assigned_incident, body="بررسی")
        # The agreement came after the incident: the status change rebuilds its clocks from the timeline.
        actions.change_status(actor=agent, incident=assigned_incident, expected_version=assigned_incident.version,
                              status="in_progress")

    # Given 5 business hours used, when the job runs, then only the 50% warning fires.
    assert check_clocks(jalali(1404, 2, 6, 13)) == 1
    warnings = entries(assigned_incident, TimelineKind.SLA_WARNING)
    assert [entry.data["percent"] for entry in warnings] == [50]
    assert warnings[0].is_internal
    assert Notification.objects.filter(recipient=agent, kind="sla_warning").count() == 1

    # A second run at the same moment fires nothing.
    assert check_clocks(jalali(1404, 2, 6, 13)) == 0

    # After the due time, the 75% warning and the breach fire once each.
    assert check_clocks(jalali(1404, 2, 7, 9)) == 2
    assert len(entries(assigned_incident, TimelineKind.SLA_BREACHED)) == 1
    assert check_clocks(jalali(1404, 2, 7, 10)) == 0
    clock = Clock.objects.get(object_id=assigned_incident.pk, metric="resolution")
    assert clock.state == "breached"
    assert clock.next_alert_at is None


def test_escalation_reassigns_and_raises_priority(assigned_incident: Incident, agent: Any, network_group: Any,
                                                  group_lead: Any) -> None:
    make_agreement(
        calendar=make_calendar(), targets={"resolution": 2}, warning_percents=[],
        escalations=[{"level": 1, "delay_seconds": 0, "notify_group_lead": True},
                     {"level": 2, "delay_seconds": 3600, "reassign_group": network_group, "raise_priority": True}],
    )
    with at(jalali(1404, 2, 6, 9)):
        actions.add_reply(actor=agent, incident=assigned_incident, body="پیگیری می‌کنیم.")

    # At 10:30 the 2-hour target is breached; at 11:30 it is an hour past it.
    assert check_clocks(jalali(1404, 2, 6, 10, 30)) == 1
    assert Notification.objects.filter(recipient=group_lead, kind="sla_breached").count() == 1
    assert check_clocks(jalali(1404, 2, 6, 11, 30)) == 1

    incident = Incident.objects.get(pk=assigned_incident.pk)
    assert incident.assigned_group == network_group
    assert incident.assignee is None
    assert incident.priority == Priority.HIGH
    escalated = entries(incident, TimelineKind.SLA_ESCALATED)
    assert escalated[0].data["actions"] == ["reassigned", "priority_raised"]
    assert escalated[0].data["level"] == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_fire_once(requester: Any, agent: Any, service_desk: Any) -> None:
    make_agreement(calendar=make_calendar(), targets={"resolution": 1}, warning_percents=[50])
    with at(jalali(1404, 2, 6, 8)):
        incident = actions.create_incident(actor=agent, requester=requester, title="قطعی اینترنت",
                                           assigned_group=service_desk, assignee=agent)
    barrier = threading.Barrier(2)
    results: list[int] = []

    def worker(name: str) -> None:
        try:
            barrier.wait()
            results.append(check_clocks(jalali(1404, 2, 6, 12), worker=name))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(f"worker-{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results)[-1] >= 1
    assert sum(results) == 2
    assert len(entries(incident, TimelineKind.SLA_WARNING)) == 1
    assert len(entries(incident, TimelineKind.SLA_BREACHED)) == 1
    assert ClockAlert.objects.filter(object_id=incident.pk).count() == 2
