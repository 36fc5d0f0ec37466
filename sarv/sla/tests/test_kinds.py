"""Each kind of clock behaviour, end to end through incident actions and the stored clock cache."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sarv.core.choices import Priority
from sarv.incidents import actions
from sarv.incidents.choices import HoldReason, IncidentStatus
from sarv.incidents.models import Incident
from sarv.services.models import Supplier
from sarv.sla.models import Clock
from sarv.sla.recompute import recompute_open
from sarv.sla.tests.helpers import HOUR, add_week, at, jalali, make_agreement, make_calendar

LUNCH_WEEK = {day: [(8 * 60, 12 * 60), (13 * 60, 17 * 60)] for day in range(5)}


def clocks(incident: Any) -> dict[tuple[str, str], Clock]:
    return {(c.slot, c.metric): c for c in Clock.objects.filter(object_id=incident.pk)}


def report(requester: Any, moment: dt.datetime, **values: Any) -> Incident:
    with at(moment):
        return actions.create_incident(actor=requester, title="برنامه حسابداری خطا می‌دهد", **values)


def hold(agent: Any, incident: Incident, moment: dt.datetime, reason: str = HoldReason.AWAITING_REQUESTER,
         supplier: Supplier | None = None) -> Incident:
    with at(moment):
        return actions.change_status(actor=agent, incident=incident, expected_version=incident.version,
                                     status=IncidentStatus.ON_HOLD, hold_reason=reason, supplier=supplier)


def resume(agent: Any, incident: Incident, moment: dt.datetime) -> Incident:
    with at(moment):
        return actions.change_status(actor=agent, incident=incident, expected_version=incident.version,
                                     status=IncidentStatus.IN_PROGRESS)


def resolve(agent: Any, incident: Incident, moment: dt.datetime, code: Any) -> Incident:
    with at(moment):
        return actions.resolve_incident(actor=agent, incident=incident, expected_version=incident.version,
                                        resolution_code=code, resolution_notes="درست شد.")


def test_lunch_break_is_not_business_time(requester: Any) -> None:
    make_agreement(calendar=make_calendar(week=LUNCH_WEEK), targets={"resolution": 6})
    # Sunday 1404/02/07 10:00: 10-12 and 13-17 give six hours, so the due time is 17:00, not 16:00.
    incident = report(requester, jalali(1404, 2, 7, 10))
    assert clocks(incident)[("sla", "resolution")].due_at == jalali(1404, 2, 7, 17)


def test_sla_ola_and_uc_each_count_their_phases(requester: Any, agent: Any, service_desk: Any,
                                                network_group: Any, resolution_code: Any) -> None:
    calendar = make_calendar()
    supplier = Supplier.objects.create(name_fa="شرکت نگهداری سرور")
    make_agreement("SLA", calendar=calendar, targets={"resolution": 16})
    make_agreement("OLA desk", kind="ola", ola_group=service_desk, calendar=calendar, targets={"resolution": 4})
    make_agreement("UC", kind="uc", uc_supplier=supplier, calendar=calendar, targets={"resolution": 2})
    with at(jalali(1404, 2, 6, 8)):
        incident = actions.create_incident(actor=agent, requester=requester, title="سرور ایمیل از کار افتاده",
                                           assigned_group=service_desk, assignee=agent)
    # No UC clock until the record waits on the supplier.
    assert (f"uc:{supplier.pk}", "resolution") not in clocks(incident)

    incident = hold(agent, incident, jalali(1404, 2, 6, 10), HoldReason.AWAITING_SUPPLIER, supplier)
    state = clocks(incident)
    assert state[("sla", "resolution")].state == "paused"
    assert state[(f"ola:{service_desk.pk}", "resolution")].state == "paused"
    assert state[(f"uc:{supplier.pk}", "resolution")].state == "running"

    incident = resume(agent, incident, jalali(1404, 2, 6, 12))
    with at(jalali(1404, 2, 6, 13)):
        incident = actions.assign_incident(actor=agent, incident=incident, expected_version=incident.version,
                                           group=network_group, assignee=None)
    incident = resolve(agent, incident, jalali(1404, 2, 6, 15), resolution_code)

    state = clocks(incident)
    sla, ola, uc = (state[("sla", "resolution")], state[(f"ola:{service_desk.pk}", "resolution")],
                    state[(f"uc:{supplier.pk}", "resolution")])
    assert (sla.elapsed_seconds, sla.paused_seconds, sla.state) == (5 * HOUR, 2 * HOUR, "met")
    assert (ola.elapsed_seconds, ola.state) == (3 * HOUR, "met")
    assert (uc.elapsed_seconds, uc.state) == (2 * HOUR, "met")


@pytest.mark.parametrize(("created", "due_utc"), [
    # Tuesday 1401/06/29 (2022-09-20) 15:00, still +04:30: due Wednesday 15:00 = 10:30 UTC.
    (jalali(1401, 6, 29, 15), dt.datetime(2022, 9, 21, 10, 30, tzinfo=dt.UTC)),
    # Wednesday 1401/06/30 15:00 (+04:30): due Saturday 1401/07/02 11:00, now +03:30 = 07:30 UTC.
    (jalali(1401, 6, 30, 15), dt.datetime(2022, 9, 24, 7, 30, tzinfo=dt.UTC)),
    # Saturday 1401/07/02 15:00, after daylight saving ended: due Sunday 15:00 = 11:30 UTC.
    (jalali(1401, 7, 2, 15), dt.datetime(2022, 9, 25, 11, 30, tzinfo=dt.UTC)),
])
def test_due_times_around_end_of_tehran_dst(requester: Any, created: dt.datetime, due_utc: dt.datetime) -> None:
    make_agreement(calendar=make_calendar(), targets={"resolution": 8})
    incident = report(requester, created)
    assert clocks(incident)[("sla", "resolution")].due_at == due_utc


def test_priority_change_while_paused_swaps_sla(requester: Any, agent: Any, incident_manager: Any) -> None:
    calendar = make_calendar()
    make_agreement("Standard", calendar=calendar, targets={"resolution": 16}, precedence=20)
    critical = make_agreement("Critical", calendar=calendar, targets={"resolution": 8}, precedence=10,
                              priorities=[Priority.CRITICAL])
    incident = report(requester, jalali(1404, 2, 6, 8))
    incident = hold(agent, incident, jalali(1404, 2, 6, 11))
    with at(jalali(1404, 2, 6, 14)):
        incident = actions.override_priority(actor=incident_manager, incident=incident,
                                             expected_version=incident.version, priority=Priority.CRITICAL,
                                             reason="مدیرعامل منتظر است")
    clock = clocks(incident)[("sla", "resolution")]
    assert clock.agreement_id == critical.pk
    assert clock.state == "paused"
    # The three hours used under the standard SLA count toward the critical SLA's eight.
    assert clock.elapsed_seconds == 3 * HOUR
    incident = resume(agent, incident, jalali(1404, 2, 7, 8))
    clock = clocks(incident)[("sla", "resolution")]
    assert clock.paused_seconds == 5 * HOUR  # Saturday 11:00-16:00
    assert clock.due_at == jalali(1404, 2, 7, 13)


def test_swap_that_restarts(requester: Any, incident_manager: Any) -> None:
    calendar = make_calendar()
    make_agreement("Standard", calendar=calendar, targets={"resolution": 16}, precedence=20)
    make_agreement("Critical", calendar=calendar, targets={"resolution": 4}, precedence=10,
                   priorities=[Priority.CRITICAL], swap_behaviour="restart")
    incident = report(requester, jalali(1404, 2, 6, 8))
    with at(jalali(1404, 2, 6, 12)):
        incident = actions.override_priority(actor=incident_manager, incident=incident,
                                             expected_version=incident.version, priority=Priority.CRITICAL,
                                             reason="قطعی گسترده")
    assert clocks(incident)[("sla", "resolution")].due_at == jalali(1404, 2, 6, 16)


def test_calendar_edited_after_opening_moves_due(requester: Any) -> None:
    calendar = make_calendar()
    make_agreement(calendar=calendar, targets={"resolution": 16})
    incident = report(requester, jalali(1404, 2, 6, 8))
    assert clocks(incident)[("sla", "resolution")].due_at == jalali(1404, 2, 7, 16)

    # From Sunday the office works 07:00-13:00 (a summer schedule).
    add_week(calendar, jalali(1404, 2, 7).date(), {day: [(7 * 60, 13 * 60)] for day in range(6)})
    with at(jalali(1404, 2, 6, 9)):
        moved = recompute_open({calendar.pk})

    assert [(m.record_label, m.old_due, m.new_due) for m in moved] == [
        (incident.number, jalali(1404, 2, 7, 16), jalali(1404, 2, 8, 9))]
    assert clocks(incident)[("sla", "resolution")].due_at == jalali(1404, 2, 8, 9)
    incident.refresh_from_db()
    assert incident.sla_due_at == jalali(1404, 2, 8, 9)


@pytest.mark.parametrize(("behaviour", "elapsed", "due"), [
    ("continue", 3 * HOUR, jalali(1404, 2, 8, 9)),
    ("restart", 0, jalali(1404, 2, 8, 12)),
])
def test_reopened_record(requester: Any, agent: Any, resolution_code: Any, behaviour: str, elapsed: int,
                         due: dt.datetime) -> None:
    make_agreement(calendar=make_calendar(), targets={"resolution": 4}, reopen_behaviour=behaviour)
    incident = report(requester, jalali(1404, 2, 7, 13))
    incident = resolve(agent, incident, jalali(1404, 2, 7, 16), resolution_code)
    assert clocks(incident)[("sla", "resolution")].state == "met"

    with at(jalali(1404, 2, 8, 8)):
        actions.reopen_incident(actor=requester, incident=incident, reason="دوباره قطع شد")
    clock = clocks(incident)[("sla", "resolution")]
    assert clock.state == "running"
    assert clock.elapsed_seconds == elapsed
    assert clock.due_at == due
    assert clock.cycle == (2 if behaviour == "restart" else 1)


def test_leap_year_holiday_entered_in_jalali(requester: Any) -> None:
    # 1403 is a leap year: 1403/12/30 exists (Thursday 2025-03-20) and is a holiday here.
    leap_day = jalali(1403, 12, 30).date()
    assert leap_day == dt.date(2025, 3, 20)
    make_agreement(calendar=make_calendar(holidays=[leap_day]), targets={"resolution": 8})
    incident = report(requester, jalali(1403, 12, 29, 12))
    # Wednesday 12-16 gives four hours, the leap day is closed, Friday is closed: due Saturday 1404/01/02 12:00.
    assert clocks(incident)[("sla", "resolution")].due_at == jalali(1404, 1, 2, 12)
