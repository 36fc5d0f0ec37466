"""Read queries of the calendars app, and building a BusinessCalendar engine from the database."""

from __future__ import annotations

import datetime as dt
import threading
import zoneinfo
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from sarv.calendars import engine
from sarv.calendars.choices import SHIPPED_HOLIDAY_SET_KEY, HolidayMode
from sarv.calendars.engine import minute_to_time
from sarv.calendars.models import (
    Calendar,
    CalendarVersion,
    Closure,
    DataVersion,
    Holiday,
    HolidaySet,
    HourSet,
)

if TYPE_CHECKING:
    from sarv.accounts.models import Location, SupportGroup

_CACHE_SIZE = 64
_cache: OrderedDict[tuple[object, ...], engine.BusinessCalendar] = OrderedDict()
_lock = threading.Lock()


def data_version() -> int:
    """Return the value that every calendar, holiday or closure change replaces (0 before the first change)."""
    return DataVersion.objects.filter(pk=1).values_list("value", flat=True).first() or 0


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def default_calendar() -> Calendar:
    """Return the default calendar («labour-law week» unless an administrator chose another)."""
    calendar = Calendar.objects.filter(is_default=True).first()
    if calendar is None:
        calendar = Calendar.objects.filter(is_active=True).order_by("pk").first()
    if calendar is None:
        raise Calendar.DoesNotExist("no calendar is defined")
    return calendar


def calendar_for_group(group: SupportGroup | None, *, site: Location | None = None) -> Calendar | None:
    """Return the support group's own calendar; with ``site``, its calendar of that site or a parent first."""
    if group is None:
        return None
    calendars = list(Calendar.objects.filter(owner_group=group, is_active=True).order_by("pk"))
    if not calendars:
        return None
    if site is not None:
        for node_id in location_chain_ids(site):
            for calendar in calendars:
                if calendar.site_id == node_id:
                    return calendar
    for calendar in calendars:
        if calendar.site_id is None:
            return calendar
    return calendars[0]


def calendar_for_site(location: Location | None) -> Calendar | None:
    """Return the calendar of a site, else of its city, else of its province; None when none has one."""
    if location is None:
        return None
    chain = location_chain_ids(location)
    found = {c.site_id: c for c in Calendar.objects.filter(site_id__in=chain, is_active=True).order_by("-pk")}
    for node_id in chain:
        if node_id in found:
            return found[node_id]
    return None


def location_chain_ids(location: Location) -> list[int]:
    """Return the ids of ``location`` and its ancestors, nearest first."""
    from sarv.accounts.models import Location

    chain: list[int] = []
    node_id: int | None = location.pk
    parents = dict(Location.objects.values_list("pk", "parent_id"))
    while node_id is not None and node_id not in chain:
        chain.append(node_id)
        node_id = parents.get(node_id)
    return chain


def locations_under(location_ids: set[int]) -> set[int]:
    """Return ``location_ids`` and every location below them (a closure of a province covers its sites)."""
    from sarv.accounts.models import Location

    parents = dict(Location.objects.values_list("pk", "parent_id"))
    found: set[int] = set()
    for node_id in parents:
        chain: list[int] = []
        current: int | None = node_id
        while current is not None and current not in chain:
            if current in location_ids:
                found.add(node_id)
                break
            chain.append(current)
            current = parents.get(current)
    return found | set(location_ids)


def holiday_set_for(calendar: Calendar) -> HolidaySet | None:
    if calendar.holiday_mode == HolidayMode.NONE:
        return None
    if calendar.holiday_mode == HolidayMode.OTHER and calendar.holiday_set_id:
        return calendar.holiday_set
    return shipped_holiday_set()


def shipped_holiday_set() -> HolidaySet | None:
    return HolidaySet.objects.filter(key=SHIPPED_HOLIDAY_SET_KEY).first()


def holiday_dates(calendar: Calendar) -> list[dt.date]:
    holiday_set = holiday_set_for(calendar)
    if holiday_set is None:
        return []
    return list(Holiday.objects.filter(holiday_set=holiday_set).values_list("date", flat=True).distinct())


def closures_for(*, site: Location | None, group: SupportGroup | None) -> QuerySet[Closure]:
    """Closures in force (not reversed) that cover ``site`` (or a place above it), unless ``group`` is exempt.

    A closure without locations covers every location; without a site only those apply.
    """
    covering = Q(locations__isnull=True)
    if site is not None:
        covering |= Q(locations__in=location_chain_ids(site))
    closures = Closure.objects.filter(covering, is_reversed=False)
    if group is not None:
        closures = closures.exclude(exempt_groups=group)
    return closures.distinct()


def closure_instants(closure: Closure, time_zone: str) -> list[tuple[dt.datetime, dt.datetime]]:
    """The closed instant ranges of a closure, one per local date, in the given time zone."""
    tz = zoneinfo.ZoneInfo(time_zone)
    spans = []
    day = closure.start_date
    while day <= closure.end_date:
        start = dt.time(0) if closure.whole_day or closure.start_time is None else closure.start_time
        start_at = dt.datetime.combine(day, start, tzinfo=tz)
        if closure.whole_day or closure.end_time is None:
            end_at = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
        else:
            end_at = dt.datetime.combine(day, closure.end_time, tzinfo=tz)
        spans.append((start_at, end_at))
        day += dt.timedelta(days=1)
    return spans


def week_of(intervals: list) -> dict[int, tuple[engine.Interval, ...]]:
    """Turn interval rows (weekday, start_minute, end_minute) into the engine's week."""
    week: dict[int, list[engine.Interval]] = {}
    for row in intervals:
        week.setdefault(row.weekday, []).append((minute_to_time(row.start_minute), minute_to_time(row.end_minute)))
    return {weekday: tuple(spans) for weekday, spans in week.items()}


def build_business_calendar(
    calendar: Calendar, *, site: Location | None = None, group: SupportGroup | None = None,
) -> engine.BusinessCalendar:
    """Build the engine from the database, without the cache."""
    versions = CalendarVersion.objects.filter(calendar=calendar).prefetch_related("intervals")
    weeks = [(v.effective_from, week_of(list(v.intervals.all()))) for v in versions]
    if not weeks:
        weeks = [(dt.date(1900, 1, 1), {})]
    hour_sets = [
        engine.HourSet(start=h.start_date, end=h.end_date, week=week_of(list(h.intervals.all())))
        for h in HourSet.objects.filter(calendar=calendar).prefetch_related("intervals")
    ]
    spans: list[tuple[dt.datetime, dt.datetime]] = []
    for closure in closures_for(site=site if site is not None else calendar.site, group=group):
        spans.extend(closure_instants(closure, calendar.time_zone))
    return engine.BusinessCalendar(
        time_zone=calendar.time_zone, weeks=weeks, hour_sets=hour_sets,
        holidays=holiday_dates(calendar), closures=spans,
    )


def business_calendar(
    calendar: Calendar, *, site: Location | None = None, group: SupportGroup | None = None,
) -> engine.BusinessCalendar:
    """The engine of ``calendar`` with the closures covering ``site`` (default: the calendar's site) unless
    ``group`` is exempt. Engines are kept in a small LRU keyed by the data version, so a change to any
    calendar, holiday or closure makes the next call rebuild.
    """
    key = (data_version(), calendar.pk, calendar.site_id, calendar.time_zone, calendar.holiday_mode,
           calendar.holiday_set_id, getattr(site, "pk", None), getattr(group, "pk", None))
    with _lock:
        cached = _cache.get(key)
        if cached is not None:
            _cache.move_to_end(key)
            return cached
    built = build_business_calendar(calendar, site=site, group=group)
    with _lock:
        _cache[key] = built
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return built


def calendars() -> QuerySet[Calendar]:
    return Calendar.objects.select_related("owner_group", "site", "holiday_set")


def current_version(calendar: Calendar, on: dt.date) -> CalendarVersion | None:
    return (CalendarVersion.objects.filter(calendar=calendar, effective_from__lte=on)
            .order_by("-effective_from").first()
            or CalendarVersion.objects.filter(calendar=calendar).order_by("effective_from").first())


@dataclass
class Preview:
    calendar: Calendar
    start: dt.datetime
    seconds: int | None
    end: dt.datetime | None
    due: dt.datetime | None
    elapsed: int | None
    open_intervals: list[tuple[dt.datetime, dt.datetime]]


def preview(
    calendar: Calendar, *, start: dt.datetime, seconds: int | None = None, end: dt.datetime | None = None,
    site: Location | None = None, group: SupportGroup | None = None,
) -> Preview:
    """The due time of ``seconds`` of business time from ``start``, or the business time from ``start`` to
    ``end``, with the open intervals in between (at most 50) so an administrator can see why."""
    business = business_calendar(calendar, site=site, group=group)
    due = business.add(start, seconds) if seconds is not None else None
    elapsed = business.between(start, end) if end is not None else None
    until = due or end or start
    spans = []
    for span in business.intervals(start, until):
        spans.append(span)
        if len(spans) >= 50:
            break
    return Preview(calendar=calendar, start=start, seconds=seconds, end=end, due=due, elapsed=elapsed,
                   open_intervals=spans)
