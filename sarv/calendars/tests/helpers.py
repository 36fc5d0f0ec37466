"""Building engines for tests: the labour-law week and Jalali shortcuts."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import jdatetime

from sarv.calendars.engine import BusinessCalendar, HourSet, Week

TEHRAN = zoneinfo.ZoneInfo("Asia/Tehran")
T = dt.time
BASE = dt.date(2000, 1, 1)

LABOUR_LAW: Week = {**{d: ((T(8), T(16)),) for d in range(5)}, 5: ((T(8), T(12)),)}


def jd(year: int, month: int, day: int) -> dt.date:
    """The Gregorian date of a Jalali date."""
    return jdatetime.date(year, month, day).togregorian()


def tehran(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """An aware instant from a Jalali date and a Tehran wall time."""
    return dt.datetime.combine(jd(year, month, day), dt.time(hour, minute), tzinfo=TEHRAN)


def labour_law(*, holidays: list[dt.date] | None = None, hour_sets: list[HourSet] | None = None,
               closures: list[tuple[dt.datetime, dt.datetime]] | None = None) -> BusinessCalendar:
    return BusinessCalendar(time_zone="Asia/Tehran", weeks=[(BASE, LABOUR_LAW)], holidays=holidays or [],
                            hour_sets=hour_sets or [], closures=closures or [])


HOUR = 3600
