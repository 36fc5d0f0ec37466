"""A new record's clocks come from its creation entry alone, and the agreements are reused until they change."""

from __future__ import annotations

from typing import Any

import pytest

from sarv.incidents import actions
from sarv.incidents.models import Incident
from sarv.sla.models import AgreementTarget, Clock
from sarv.sla.recompute import load_rules, recompute_records
from sarv.sla.tests.helpers import HOUR, at, jalali, make_agreement, make_calendar


def _material(incident: Incident) -> dict[tuple[str, str], tuple[Any, ...]]:
    return {(c.slot, c.metric): (c.kind, c.agreement_id, c.target_seconds, c.state, c.cycle, c.started_at, c.due_at,
                                 c.breached_at, c.stopped_at, c.next_alert_at, c.alerted_through, c.calendar_ids,
                                 c.site_ids, c.is_open)
            for c in Clock.objects.filter(object_id=incident.pk)}


def test_creation_clocks_equal_a_full_recompute(requester: Any, service_desk: Any, agent: Any) -> None:
    make_calendar("desk", owner_group=service_desk)
    make_agreement(calendar_source="group", targets={"first_response": 2, "resolution": 16})
    make_agreement("OLA", kind="ola", ola_group=service_desk, targets={"resolution": 8})
    with at(jalali(1404, 2, 6, 10)):
        incident = actions.create_incident(actor=agent, requester=requester, title="چاپگر کار نمی‌کند",
                                           assigned_group=service_desk)
    created = _material(incident)
    due, state = incident.sla_due_at, incident.sla_state

    # when the same record is recomputed from its stored timeline, as any later change does
    with at(jalali(1404, 2, 6, 10)):
        recompute_records(Incident, [Incident.objects.get(pk=incident.pk)])

    # then the rows written at creation were already the full computation
    assert len(created) == 3
    assert _material(incident) == created
    stored = Incident.objects.get(pk=incident.pk)
    assert (stored.sla_due_at, stored.sla_state) == (due, state) == (jalali(1404, 2, 6, 12), "running")


def test_a_record_without_agreements_gets_no_clocks(requester: Any, service_desk: Any, agent: Any) -> None:
    incident = actions.create_incident(actor=agent, requester=requester, title="شبکه کند است",
                                       assigned_group=service_desk)
    assert not Clock.objects.filter(object_id=incident.pk).exists()
    assert Incident.objects.get(pk=incident.pk).sla_state == ""


@pytest.mark.postgres
def test_rules_follow_every_change_to_the_agreement_rows(db: Any) -> None:
    agreement = make_agreement(targets={"resolution": 8})
    assert load_rules()[0].targets == {("resolution", None): 8 * HOUR}
    assert load_rules()[0].targets == {("resolution", None): 8 * HOUR}  # served from the cache

    # a target changed in place, as a script might, without touching the agreement row
    AgreementTarget.objects.filter(agreement=agreement).update(seconds=4 * HOUR)
    assert load_rules()[0].targets == {("resolution", None): 4 * HOUR}

    agreement.is_active = False
    agreement.save()
    assert load_rules() == []
