"""The three cases of the SLA engine, end to end through incident actions and the stored clock cache."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sarv.incidents import actions
from sarv.incidents.choices import HoldReason, IncidentStatus
from sarv.sla.models import Clock
from sarv.sla.recompute import clocks_for
from sarv.sla.tests.helpers import HOUR, at, jalali, make_agreement, make_calendar


def stored(incident: Any, metric: str = "resolution", slot: str = "sla") -> Clock:
    return Clock.objects.get(object_id=incident.pk, slot=slot, metric=metric)


def test_case_one_due_after_nowruz(requester: Any) -> None:
    # Given the labour-law week with exactly 1403/12/29 and 1404/01/01-04 as holidays.
    holidays = [jalali(1403, 12, 29).date(), *(jalali(1404, 1, day).date() for day in range(1, 5))]
    make_agreement(calendar=make_calendar(holidays=holidays), targets={"resolution": 8})

    # When an incident is reported on Tuesday 1403/12/28 at 20:00 Tehran time.
    with at(jalali(1403, 12, 28, 20)):
        incident = actions.create_incident(actor=requester, title="سامانه حقوق باز نمی‌شود")

    # Then its resolution is due on 1404/01/05 at 12:00, after the half day of the leap day 1403/12/30.
    clock = stored(incident)
    assert clock.due_at == dt.datetime(2025, 3, 25, 8, 30, tzinfo=dt.UTC)
    assert clock.state == "running"
    incident.refresh_from_db()
    assert incident.sla_due_at == clock.due_at
    assert incident.sla_state == "running"


def test_case_two_hold_pauses_seven_business_hours(requester: Any, agent: Any) -> None:
    make_agreement(calendar=make_calendar(), targets={"resolution": 16})
    with at(jalali(1404, 2, 3, 9)):
        incident = actions.create_incident(actor=requester, title="ایمیل ارسال نمی‌شود")
    with at(jalali(1404, 2, 3, 15)):
        incident = actions.change_status(actor=agent, incident=incident, expected_version=incident.version,
                                         status=IncidentStatus.ON_HOLD, hold_reason=HoldReason.AWAITING_REQUESTER)
    assert stored(incident).state == "paused"
    assert stored(incident).due_at is None

    # When the requester answers on Saturday 1404/02/06 at 10:00, the incident goes back in progress.
    with at(jalali(1404, 2, 6, 10)):
        actions.add_reply(actor=requester, incident=incident, body="رمز را عوض کردم.")

    clock = stored(incident)
    assert clock.state == "running"
    assert clock.paused_seconds == 7 * HOUR
    assert clock.elapsed_seconds == 6 * HOUR
    assert clock.due_at == jalali(1404, 2, 7, 12)


def test_case_three_first_response_counts_from_opening(requester: Any, agent: Any) -> None:
    make_agreement(calendar=make_calendar(), targets={"first_response": 2, "resolution": 16})
    with at(jalali(1404, 2, 5, 10)):
        incident = actions.create_incident(actor=requester, title="وای‌فای سالن جلسات قطع است")
    with at(jalali(1404, 2, 6, 9)):
        actions.add_reply(actor=agent, incident=incident, body="در حال بررسی هستیم.")

    clock = stored(incident, "first_response")
    assert clock.started_at == jalali(1404, 2, 6, 8)
    assert clock.state == "met"
    assert clock.elapsed_seconds == HOUR
    assert clock.stopped_at == jalali(1404, 2, 6, 9)

    live = {c.metric: c for c in clocks_for(incident, now=jalali(1404, 2, 6, 12))}
    assert live["first_response"].state == "met"
    assert live["resolution"].elapsed == 4 * HOUR
