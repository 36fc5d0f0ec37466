"""Business-time arithmetic on a working calendar: pure Python, no Django.

A calendar is a base week (per effective date), dated hour sets that replace the week on some days,
whole-day holidays and ad-hoc closures (instant ranges). Wall times are local to the calendar's
time zone and converted with ``zoneinfo``, so a day in a zone with daylight saving (Asia/Tehran
until 2022-09-21) has as many real seconds as the clock shows. A local time that does not exist
or exists twice resolves with ``fold=0`` (the offset in force before the change).

The open time of each local calendar year is built once, lazily, into a sorted list of half-open
``[start, end)`` intervals in UTC epoch microseconds with a prefix sum of open time; ``add`` and
``between`` are then two binary searches and some integer arithmetic.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

Interval = tuple[dt.time, dt.time]
Week = Mapping[int, tuple[Interval, ...]]

MIDNIGHT = dt.time(0, 0)
_UTC = dt.UTC
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=_UTC)
_US = dt.timedelta(microseconds=1)
_SECOND = 1_000_000
_DAY = dt.timedelta(days=1)
# A calendar with no open time in this many years after an instant cannot satisfy ``add``.
_MAX_YEARS_AHEAD = 10


class CalendarError(ValueError):
    """The calendar's definition or a request on it is invalid."""


@dataclass(frozen=True)
class HourSet:
    """Hours that replace the base week on the local dates ``start``..``end`` (inclusive)."""

    start: dt.date
    end: dt.date
    week: Week


def minute_to_time(minute: int) -> dt.time:
    """Return the wall time of a minute of the day; 1440 (24:00) is ``time(0, 0)``, the engine's midnight."""
    minute %= 1440
    return dt.time(minute // 60, minute % 60)


def _minutes(value: dt.time) -> int:
    return value.hour * 60 + value.minute


def normalize_week(week: Week) -> dict[int, tuple[tuple[int, int], ...]]:
    """Return ``{weekday: ((start_minute, end_minute), ...)}`` sorted and merged; end minute 1440 is midnight.

    Raises ``CalendarError`` for a weekday outside 0-6, an empty or reversed interval, seconds in a
    wall time, or overlapping intervals.
    """
    result: dict[int, tuple[tuple[int, int], ...]] = {}
    for weekday, intervals in week.items():
        if not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise CalendarError(f"weekday must be 0-6 (Saturday = 0), got {weekday!r}")
        spans: list[tuple[int, int]] = []
        for start, end in intervals:
            if start.second or start.microsecond or end.second or end.microsecond:
                raise CalendarError("working intervals are whole minutes")
            a = _minutes(start)
            b = 1440 if end == MIDNIGHT else _minutes(end)
            if b <= a:
                raise CalendarError(f"interval {start:%H:%M}-{end:%H:%M} ends before it starts")
            spans.append((a, b))
        spans.sort()
        merged: list[tuple[int, int]] = []
        for a, b in spans:
            if merged and a < merged[-1][1]:
                raise CalendarError(f"intervals overlap on weekday {weekday}")
            if merged and a == merged[-1][1]:
                merged[-1] = (merged[-1][0], b)
            else:
                merged.append((a, b))
        if merged:
            result[weekday] = tuple(merged)
    return result


def _to_us(instant: dt.datetime) -> int:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise CalendarError("business-time arithmetic needs aware datetimes")
    return (instant - _EPOCH) // _US


def _from_us(value: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(microseconds=value)


class BusinessCalendar:
    """Open time of one calendar; see the module docstring."""

    def __init__(
        self,
        *,
        time_zone: str,
        weeks: Sequence[tuple[dt.date, Week]],
        hour_sets: Sequence[HourSet] = (),
        holidays: Iterable[dt.date] = (),
        closures: Sequence[tuple[dt.datetime, dt.datetime]] = (),
    ) -> None:
        try:
            self.tz = zoneinfo.ZoneInfo(time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise CalendarError(f"unknown time zone {time_zone!r}") from exc
        self.time_zone = time_zone
        if not weeks:
            raise CalendarError("a calendar needs at least one weekly schedule")
        ordered = sorted(weeks, key=lambda item: item[0])
        self._week_dates = [effective for effective, _week in ordered]
        if len(set(self._week_dates)) != len(self._week_dates):
            raise CalendarError("two weekly schedules take effect on the same date")
        self._weeks = [normalize_week(week) for _effective, week in ordered]
        sets = []
        for hour_set in hour_sets:
            if hour_set.end < hour_set.start:
                raise CalendarError(f"hour set {hour_set.start}..{hour_set.end} ends before it starts")
            sets.append((hour_set.start, hour_set.end, normalize_week(hour_set.week)))
        # Where dated hour sets overlap, the one that starts later wins (then the shorter one).
        sets.sort(key=lambda item: (item[0], -item[1].toordinal()))
        self._hour_sets = sets
        self._holidays = frozenset(holidays)
        spans = []
        for start, end in closures:
            a, b = _to_us(start), _to_us(end)
            if b > a:
                spans.append((a, b))
        spans.sort()
        merged: list[list[int]] = []
        for a, b in spans:
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        self._closures = [(a, b) for a, b in merged]
        self._closure_starts = [a for a, _b in self._closures]
        self._years: dict[int, list[tuple[int, int]]] = {}
        self._lo_year = 0
        self._hi_year = -1
        self._lo = 0  # epoch microseconds of the covered range [lo, hi)
        self._hi = 0
        self._starts: list[int] = []
        self._ends: list[int] = []
        self._cum: list[int] = [0]

    # -- building --------------------------------------------------------------------------

    def day_spans(self, day: dt.date) -> tuple[tuple[int, int], ...]:
        """Return the open minutes of a local date before closures: holiday, hour set or weekly schedule."""
        if day in self._holidays:
            return ()
        weekday = (day.weekday() + 2) % 7
        for start, end, week in reversed(self._hour_sets):
            if start <= day <= end:
                return week.get(weekday, ())
        index = bisect_right(self._week_dates, day) - 1
        return self._weeks[max(index, 0)].get(weekday, ())

    def _local_us(self, day: dt.date, minute: int) -> int:
        if minute == 1440:
            day = day + _DAY
            minute = 0
        local = dt.datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=self.tz)
        return (local - _EPOCH) // _US

    def _year_start(self, year: int) -> int:
        return (dt.datetime(year, 1, 1, tzinfo=self.tz) - _EPOCH) // _US

    def _build_year(self, year: int) -> list[tuple[int, int]]:
        spans: list[tuple[int, int]] = []
        day = dt.date(year, 1, 1)
        while day.year == year:
            for a, b in self.day_spans(day):
                start, end = self._local_us(day, a), self._local_us(day, b)
                if end <= start:
                    continue
                if spans and start <= spans[-1][1]:
                    spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
                else:
                    spans.append((start, end))
            day += _DAY
        return self._subtract_closures(spans)

    def _subtract_closures(self, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
        if not self._closures or not spans:
            return spans
        result: list[tuple[int, int]] = []
        closures = self._closures
        k = max(bisect_right(self._closure_starts, spans[0][0]) - 1, 0)
        for a, b in spans:
            while k < len(closures) and closures[k][1] <= a:
                k += 1
            j = k
            cur = a
            while j < len(closures) and closures[j][0] < b:
                ca, cb = closures[j]
                if ca > cur:
                    result.append((cur, ca))
                cur = max(cur, cb)
                if cur >= b:
                    break
                j += 1
            if cur < b:
                result.append((cur, b))
        return result

    def _cover(self, lo_year: int, hi_year: int) -> None:
        """Make the index cover the local years ``lo_year``..``hi_year`` (and what it covered before)."""
        if self._hi_year >= self._lo_year:
            lo_year, hi_year = min(lo_year, self._lo_year), max(hi_year, self._hi_year)
        if (lo_year, hi_year) == (self._lo_year, self._hi_year):
            return
        if hi_year - lo_year > 200 or lo_year < 1 or hi_year > 9998:
            raise CalendarError("instant out of the supported range")
        starts: list[int] = []
        ends: list[int] = []
        cum = [0]
        total = 0
        for year in range(lo_year, hi_year + 1):
            spans = self._years.get(year)
            if spans is None:
                spans = self._years[year] = self._build_year(year)
            for a, b in spans:
                starts.append(a)
                ends.append(b)
                total += b - a
                cum.append(total)
        self._starts, self._ends, self._cum = starts, ends, cum
        self._lo_year, self._hi_year = lo_year, hi_year
        self._lo, self._hi = self._year_start(lo_year), self._year_start(hi_year + 1)

    def _ensure(self, us: int) -> None:
        if self._lo <= us < self._hi:
            return
        year = _from_us(us).astimezone(self.tz).year
        self._cover(year, year)

    def _position(self, us: int) -> int:
        """Open microseconds in the covered range before ``us`` (``us`` must be covered)."""
        i = bisect_right(self._starts, us) - 1
        if i >= 0 and us < self._ends[i]:
            return self._cum[i] + us - self._starts[i]
        return self._cum[i + 1]

    # -- queries ---------------------------------------------------------------------------

    def add(self, start: dt.datetime, seconds: int) -> dt.datetime:
        """Return the instant ``seconds`` of business time after ``start`` (aware UTC).

        With ``seconds == 0`` this is the next open instant at or after ``start``. A due time that
        lands on the end of a working interval is that end (16:00 that day, not 08:00 the next day).
        """
        if seconds < 0:
            raise CalendarError("a business duration cannot be negative")
        us = _to_us(start)
        if seconds == 0:
            return _from_us(self._next_open_us(us))
        if not self._lo <= us < self._hi:
            self._ensure(us)
        target = self._position(us) + seconds * _SECOND
        cum = self._cum
        while target > cum[-1]:
            if self._hi_year - _from_us(us).astimezone(self.tz).year >= _MAX_YEARS_AHEAD:
                raise CalendarError("the calendar has no open time to reach the due time")
            self._cover(self._lo_year, self._hi_year + 1)
            cum = self._cum
        j = bisect_left(cum, target)
        return _EPOCH + dt.timedelta(microseconds=self._starts[j - 1] + target - cum[j - 1])

    def between(self, start: dt.datetime, end: dt.datetime) -> int:
        """Return the whole business seconds in ``[start, end)``; 0 if ``end <= start``."""
        a, b = _to_us(start), _to_us(end)
        if b <= a:
            return 0
        if not (self._lo <= a < self._hi and self._lo <= b < self._hi):
            ya = _from_us(a).astimezone(self.tz).year
            yb = _from_us(b).astimezone(self.tz).year
            self._cover(ya, yb)
        return (self._position(b) - self._position(a)) // _SECOND

    def is_open(self, instant: dt.datetime) -> bool:
        us = _to_us(instant)
        self._ensure(us)
        i = bisect_right(self._starts, us) - 1
        return i >= 0 and us < self._ends[i]

    def _next_open_us(self, us: int) -> int:
        self._ensure(us)
        first_year = self._hi_year
        while True:
            i = bisect_right(self._starts, us) - 1
            if i >= 0 and us < self._ends[i]:
                return us
            if i + 1 < len(self._starts):
                return self._starts[i + 1]
            if self._hi_year - first_year >= _MAX_YEARS_AHEAD:
                raise CalendarError("the calendar has no open time after this instant")
            self._cover(self._lo_year, self._hi_year + 1)

    def next_open(self, instant: dt.datetime) -> dt.datetime:
        """Return ``instant`` if the calendar is open then, else the start of the next open interval (UTC)."""
        us = _to_us(instant)
        result = self._next_open_us(us)
        return instant.astimezone(_UTC) if result == us else _from_us(result)

    def intervals(self, start: dt.datetime, end: dt.datetime) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        """Yield the open intervals clipped to ``[start, end)`` as aware UTC pairs."""
        a, b = _to_us(start), _to_us(end)
        if b <= a:
            return
        self._cover(_from_us(a).astimezone(self.tz).year, _from_us(b).astimezone(self.tz).year)
        i = max(bisect_right(self._starts, a) - 1, 0)
        starts, ends = self._starts, self._ends
        while i < len(starts) and starts[i] < b:
            lo, hi = max(starts[i], a), min(ends[i], b)
            if lo < hi:
                yield _from_us(lo), _from_us(hi)
            i += 1
