"""Jalali dates: formatting, parsing, leap years and Tehran's time-zone history."""

import datetime as dt
import zoneinfo

import jdatetime
import pytest
from django.utils import timezone, translation

from sarv.core import jalali

TEHRAN = zoneinfo.ZoneInfo("Asia/Tehran")


def borkowski_is_leap(year: int) -> bool:
    """Leap rule of the jalaali algorithm (break years), the one the vendored date picker implements."""
    breaks = [-61, 9, 38, 199, 426, 686, 756, 818, 1111, 1181, 1210, 1635, 2060, 2097, 2192, 2262, 2324, 2394,
              2456, 3178]
    jump = 0
    previous = breaks[0]
    for boundary in breaks[1:]:
        jump = boundary - previous
        if year < boundary:
            break
        previous = boundary
    n = year - previous
    if jump - n < 6:
        n = n - jump + (jump + 4) // 33 * 33
    return ((n + 1) % 33 - 1) % 4 == 0


def test_server_leap_years_match_picker_algorithm_1300_to_1500():
    mismatches = [y for y in range(1300, 1501) if jdatetime.date(y, 1, 1).isleap() != borkowski_is_leap(y)]
    assert mismatches == []


def test_known_leap_years():
    assert jdatetime.date(1403, 1, 1).isleap()
    assert not jdatetime.date(1404, 1, 1).isleap()
    assert jdatetime.date(1403, 12, 30).togregorian() == dt.date(2025, 3, 20)


def test_format_date_persian_and_english():
    day = dt.date(2026, 12, 4)
    with translation.override("fa"):
        assert jalali.format_date(day) == "۱۴۰۵/۰۹/۱۳"
        assert jalali.format_long_date(day) == "۱۳ آذر ۱۴۰۵"
    with translation.override("en"):
        assert jalali.format_date(day) == "2026-12-04"


def test_format_datetime_uses_tehran_time():
    moment = dt.datetime(2026, 12, 4, 20, 45, tzinfo=dt.UTC)
    with translation.override("fa"), timezone.override(TEHRAN):
        # 20:45 UTC is 00:15 the next day in Tehran (UTC+03:30, no daylight saving since 2022).
        assert jalali.format_datetime(moment) == "۱۴۰۵/۰۹/۱۴ ۰۰:۱۵"


def test_tehran_daylight_saving_history_is_respected():
    summer_2021 = dt.datetime(2021, 7, 1, 12, 0, tzinfo=dt.UTC).astimezone(TEHRAN)
    summer_2023 = dt.datetime(2023, 7, 1, 12, 0, tzinfo=dt.UTC).astimezone(TEHRAN)
    assert summer_2021.utcoffset() == dt.timedelta(hours=4, minutes=30)
    assert summer_2023.utcoffset() == dt.timedelta(hours=3, minutes=30)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("۱۴۰۵/۰۹/۱۳", dt.date(2026, 12, 4)),
        ("1405-9-13", dt.date(2026, 12, 4)),
        ("١٤٠٥.٠٩.١٣", dt.date(2026, 12, 4)),
        ("2026-12-04", dt.date(2026, 12, 4)),
        ("1403/12/30", dt.date(2025, 3, 20)),
    ],
)
def test_parse_date_accepts_jalali_and_gregorian(text, expected):
    assert jalali.parse_date(text) == expected


@pytest.mark.parametrize("text", ["1404/12/30", "1405/13/01", "فردا", "", "2026-02-30"])
def test_parse_date_rejects_invalid_dates(text):
    with pytest.raises(jalali.DateParseError):
        jalali.parse_date(text)


def test_parse_datetime_is_aware_in_active_zone():
    with timezone.override(TEHRAN):
        moment = jalali.parse_datetime("۱۴۰۵/۰۱/۰۱ ۰۸:۳۰")
    assert moment == dt.datetime(2026, 3, 21, 5, 0, tzinfo=dt.UTC)


def test_jalali_year_follows_tehran_midnight():
    # Nowruz 1405 begins at 2026-03-21 00:00 Tehran time = 2026-03-20 20:30 UTC.
    assert jalali.jalali_year(dt.datetime(2026, 3, 20, 20, 29, tzinfo=dt.UTC)) == 1404
    assert jalali.jalali_year(dt.datetime(2026, 3, 20, 20, 30, tzinfo=dt.UTC)) == 1405


def test_jalali_month_bounds():
    first, last = jalali.jalali_month_bounds(1403, 12)
    assert (first, last) == (dt.date(2025, 2, 19), dt.date(2025, 3, 20))
