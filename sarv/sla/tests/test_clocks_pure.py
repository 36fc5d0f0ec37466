"""The pure clock replay against the pure calendar engine: no database."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import jdatetime

from sarv.calendars.engine import BusinessCalendar
from sarv.sla.clocks import ClockResult, Event, Kind, Metric, Rule, State, compute_clocks

TEHRAN = zoneinfo.ZoneInfo("Asia/Tehran")
HOUR = 3600
DAY = (dt.time(8), dt.time(16))
LABOUR_LAW_WEEK = {0: (DAY,), 1: (DAY,), 2: (DAY,), 3: (DAY,), 4: (DAY,), 5: ((dt.time(8), dt.time(12)),)}


def jalali(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    gregorian = jdatetime.date(year, month, day).togregorian()
    return dt.datetime(gregorian.year, gregorian.month, gregorian.day, hour, minute, tzinfo=TEHRAN)


def calendar(holidays: tuple[dt.date, ...] = (), week: dict | None = None) -> BusinessCalendar:
    return BusinessCalendar(time_zone="Asia/Tehran", weeks=[(dt.date(2000, 1, 1), week or LABOUR_LAW_WEEK)],
                            holidays=holidays)


def sla(**values: object) -> Rule:
    defaults: dict = {"id": 1, "kind": Kind.SLA, "pause_hold_reasons": frozenset({"awaiting_requester"}),
                      "targets": {(Metric.RESOLUTION, None): 8 * HOUR}}
    defaults.update(values)
    return Rule(**defaults)


def run(events: list[Event], rules: list[Rule], now: dt.datetime, cal: BusinessCalendar | None = None,
        initial: dict | None = None) -> dict[tuple[str, str], ClockResult]:
    cal = cal or calendar()
    results = compute_clocks(
        record_type="incidents.incident", initial=initial or {"status": "assigned", "priority": 3},
        events=events, rules=rules, calendar_for=lambda rule, state: cal, now=now,
        final_statuses=("closed", "cancelled"),
    )
    return {(result.slot, result.metric): result for result in results}


def hold(at: dt.datetime, reason: str = "awaiting_requester", supplier: int | None = None) -> Event:
    return Event(at=at, changes={"status": "on_hold", "hold_reason": reason, "hold_supplier": supplier})


def resume(at: dt.datetime) -> Event:
    return Event(at=at, changes={"status": "in_progress", "hold_reason": "", "hold_supplier": None})


def test_case_one_new_year_holidays() -> None:
    holidays = (jalali(1403, 12, 29).date(), *(jalali(1404, 1, d).date() for d in range(1, 5)))
    created = jalali(1403, 12, 28, 20)
    clocks = run([Event(created)], [sla()], now=created, cal=calendar(holidays))
    clock = clocks[("sla", Metric.RESOLUTION)]
    assert clock.due_at == dt.datetime(2025, 3, 25, 8, 30, tzinfo=dt.UTC)
    assert clock.due_at == jalali(1404, 1, 5, 12)
    assert clock.state == State.RUNNING


def test_case_two_hold_pauses_business_time() -> None:
    created = jalali(1404, 2, 3, 9)
    events = [Event(created), hold(jalali(1404, 2, 3, 15)), resume(jalali(1404, 2, 6, 10))]
    clock = run(events, [sla(targets={(Metric.RESOLUTION, None): 16 * HOUR})], now=jalali(1404, 2, 6, 10))[
        ("sla", Metric.RESOLUTION)]
    assert clock.paused == 7 * HOUR
    assert clock.elapsed == 6 * HOUR
    assert clock.due_at == jalali(1404, 2, 7, 12)


def test_case_three_response_starts_when_open() -> None:
    created = jalali(1404, 2, 5, 10)
    reply = Event(jalali(1404, 2, 6, 9), agent_reply=True)
    rule = sla(targets={(Metric.FIRST_RESPONSE, None): 2 * HOUR})
    clock = run([Event(created), reply], [rule], now=jalali(1404, 2, 6, 12))[("sla", Metric.FIRST_RESPONSE)]
    assert clock.started_at == jalali(1404, 2, 6, 8)
    assert clock.state == State.MET
    assert clock.elapsed == HOUR
    assert clock.stopped_at == jalali(1404, 2, 6, 9)


def test_breach_at_due_instant() -> None:
    created = jalali(1404, 2, 6, 8)
    clock = run([Event(created)], [sla()], now=jalali(1404, 2, 7, 9))[("sla", Metric.RESOLUTION)]
    assert clock.state == State.BREACHED
    assert clock.breached_at == jalali(1404, 2, 6, 16)
    assert clock.elapsed == 9 * HOUR


def test_resolved_exactly_at_due_is_met() -> None:
    created = jalali(1404, 2, 6, 8)
    events = [Event(created), Event(jalali(1404, 2, 6, 16), changes={"status": "resolved"})]
    clock = run(events, [sla()], now=jalali(1404, 2, 9, 9))[("sla", Metric.RESOLUTION)]
    assert clock.state == State.MET
    assert clock.elapsed == 8 * HOUR
