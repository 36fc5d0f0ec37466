"""Jalali (Solar Hijri) dates for display and input.

Dates are stored as aware UTC datetimes or plain Gregorian dates. Pages in
Persian show them in the Jalali calendar with Persian digits; English pages
show Gregorian. Leap years follow jdatetime's 33-year rule, which agrees with
the vendored date picker's algorithm for every year 1300-1500 (a browser test
checks that).
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import jdatetime
from django.conf import settings
from django.utils import timezone, translation

from sarv.core.text import to_ascii_digits, to_persian_digits

JALALI_MONTHS_FA = (
    "فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
    "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند",
)
JALALI_MONTHS_EN = (
    "Farvardin", "Ordibehesht", "Khordad", "Tir", "Mordad", "Shahrivar",
    "Mehr", "Aban", "Azar", "Dey", "Bahman", "Esfand",
)

_DATE_PATTERN = re.compile(
    r"^\s*(?P<year>\d{4})\s*[-/.]\s*(?P<month>\d{1,2})\s*[-/.]\s*(?P<day>\d{1,2})"
    r"(?:[\sT]+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?)?\s*$"
)


def uses_jalali(language: str | None = None) -> bool:
    return (language or translation.get_language() or settings.LANGUAGE_CODE).startswith("fa")


def jalali_year(moment: dt.datetime, zone: str | None = None) -> int:
    """Return the Jalali year of ``moment`` as seen in ``zone`` (default: the numbering zone)."""
    tz = zoneinfo.ZoneInfo(zone or settings.SARV_NUMBERING_TIME_ZONE)
    local = moment.astimezone(tz) if timezone.is_aware(moment) else moment
    return int(jdatetime.date.fromgregorian(date=local.date()).year)


def to_jalali_date(value: dt.date) -> jdatetime.date:
    return jdatetime.date.fromgregorian(date=value)


def to_local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def format_date(value: dt.date | dt.datetime | None, language: str | None = None) -> str:
    """Format a date (or the local date of a datetime) as 1405/09/13 in Persian or 2026-12-04 in English."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = to_local(value).date()
    if uses_jalali(language):
        j = to_jalali_date(value)
        return to_persian_digits(f"{j.year:04d}/{j.month:02d}/{j.day:02d}")
    return value.isoformat()


def format_datetime(value: dt.datetime | None, language: str | None = None, *, seconds: bool = False) -> str:
    """Format an instant in the active time zone: 1405/09/13 14:05 (Persian digits) or 2026-12-04 14:05."""
    if value is None:
        return ""
    local = to_local(value)
    clock = local.strftime("%H:%M:%S" if seconds else "%H:%M")
    if uses_jalali(language):
        return format_date(local.date(), language) + " " + to_persian_digits(clock)
    return f"{local.date().isoformat()} {clock}"


def format_long_date(value: dt.date | dt.datetime | None, language: str | None = None) -> str:
    """Format a date with the month name: 13 آذر 1405 or 4 December 2026."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = to_local(value).date()
    if uses_jalali(language):
        j = to_jalali_date(value)
        return to_persian_digits(f"{j.day} {JALALI_MONTHS_FA[j.month - 1]} {j.year}")
    return f"{value.day} {value.strftime('%B')} {value.year}"


class DateParseError(ValueError):
    """Raised when a date typed by a user cannot be read."""


def parse_date(text: str) -> dt.date:
    """Parse a date typed by a user, Jalali (1405/09/13) or Gregorian (2026-12-04).

    Persian and Arabic-Indic digits are accepted, and so are '/', '-' and '.' as
    separators. The year decides the calendar on any page: below 1700 it is
    Jalali, otherwise Gregorian, so a Jalali date pasted into an English page
    still works.
    """
    date, _time = _parse(text)
    return date


def parse_datetime(text: str) -> dt.datetime:
    """Parse a date with an optional HH:MM time into an aware datetime in the active time zone."""
    date, time = _parse(text)
    naive = dt.datetime.combine(date, time or dt.time(0, 0))
    return timezone.make_aware(naive, timezone.get_current_timezone())


def _parse(text: str) -> tuple[dt.date, dt.time | None]:
    match = _DATE_PATTERN.match(to_ascii_digits(text or ""))
    if not match:
        raise DateParseError(text)
    year, month, day = int(match["year"]), int(match["month"]), int(match["day"])
    try:
        if year < 1700:
            date = jdatetime.date(year, month, day).togregorian()
        else:
            date = dt.date(year, month, day)
        time = None
        if match["hour"] is not None:
            time = dt.time(int(match["hour"]), int(match["minute"]), int(match["second"] or 0))
    except ValueError as error:
        raise DateParseError(text) from error
    return date, time


def jalali_month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    """Return the first and last Gregorian dates of a Jalali month."""
    first = jdatetime.date(year, month, 1)
    if month == 12:
        next_first = jdatetime.date(year + 1, 1, 1)
    else:
        next_first = jdatetime.date(year, month + 1, 1)
    return first.togregorian(), next_first.togregorian() - dt.timedelta(days=1)
