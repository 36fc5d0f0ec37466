"""Building calendars, agreements and incidents at chosen instants for SLA tests."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from typing import Any

import jdatetime

from sarv.calendars import selectors as calendar_selectors
from sarv.calendars.models import Calendar, CalendarVersion, DataVersion, Holiday, HolidaySet, WeeklyInterval
from sarv.demo.clock import at
from sarv.sla.choices import CalendarSource
from sarv.sla.models import Agreement, AgreementTarget, EscalationLevel

TEHRAN = zoneinfo.ZoneInfo("Asia/Tehran")
HOUR = 3600
# Saturday = 0 ... Friday = 6; hours as (start minute, end minute).
LABOUR_LAW_WEEK = {**{day: [(8 * 60, 16 * 60)] for day in range(5)}, 5: [(8 * 60, 12 * 60)]}

__all__ = ["at", "bump_calendar_data", "jalali", "make_agreement", "make_calendar"]


def jalali(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """Return the aware instant of a Jalali date and a Tehran wall time."""
    day_ = jdatetime.date(year, month, day).togregorian()
    return dt.datetime(day_.year, day_.month, day_.day, hour, minute, tzinfo=TEHRAN)


def bump_calendar_data() -> None:
    """Move the calendars' data version, as their actions do, so cached engines are rebuilt."""
    version, _created = DataVersion.objects.get_or_create(pk=1)
    version.value += 1
    version.save()
    calendar_selectors.clear_cache()


def make_calendar(
    name: str = "labour-law week (test)", *, holidays: Iterable[dt.date] = (),
    week: dict[int, list[tuple[int, int]]] | None = None, effective_from: dt.date = dt.date(2000, 1, 1),
    owner_group: Any = None,
) -> Calendar:
    """Create a calendar with exactly ``holidays`` (its own holiday list) and the weekly hours ``week``."""
    holiday_set = HolidaySet.objects.create(name_fa=name, key=f"test-{HolidaySet.objects.count() + 1}")
    for day in holidays:
        Holiday.objects.create(holiday_set=holiday_set, date=day, name_fa=f"تعطیل {day}", kind="solar")
    calendar = Calendar.objects.create(name_fa=name, holiday_mode="other", holiday_set=holiday_set,
                                       owner_group=owner_group)
    add_week(calendar, effective_from, week or LABOUR_LAW_WEEK)
    return calendar


def add_week(calendar: Calendar, effective_from: dt.date, week: dict[int, list[tuple[int, int]]]) -> None:
    version = CalendarVersion.objects.create(calendar=calendar, effective_from=effective_from)
    for weekday, spans in week.items():
        for start, end in spans:
            WeeklyInterval.objects.create(version=version, weekday=weekday, start_minute=start, end_minute=end)
    bump_calendar_data()


def make_agreement(
    name: str = "SLA", *, kind: str = "sla", calendar: Calendar | None = None, targets: dict[Any, int] | None = None,
    escalations: Iterable[dict[str, Any]] = (), **values: Any,
) -> Agreement:
    """Create an agreement; ``targets`` maps a metric or (metric, priority) to business hours."""
    if calendar is not None:
        values.setdefault("calendar_source", CalendarSource.FIXED)
        values["calendar"] = calendar
    relations = {name_: values.pop(name_) for name_ in ("services", "departments", "categories") if name_ in values}
    agreement = Agreement.objects.create(name_fa=name, name_en=name, kind=kind, **values)
    for relation, items in relations.items():
        getattr(agreement, relation).set(items)
    for key, hours in (targets or {"resolution": 8}).items():
        metric, priority = key if isinstance(key, tuple) else (key, None)
        AgreementTarget.objects.create(agreement=agreement, metric=metric, priority=priority,
                                       seconds=int(hours * HOUR))
    for level in escalations:
        EscalationLevel.objects.create(agreement=agreement, **level)
    return agreement
