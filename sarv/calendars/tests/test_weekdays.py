import datetime as dt

import jdatetime
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sarv.calendars import weekdays


def test_named_days_against_python_and_jdatetime():
    saturday = dt.date(2025, 3, 22)  # 1404/01/02
    assert saturday.strftime("%A") == "Saturday"
    assert weekdays.of_date(saturday) == weekdays.SATURDAY == 0
    assert weekdays.of_date(dt.date(2025, 3, 28)) == weekdays.FRIDAY == 6
    assert weekdays.to_python(weekdays.MONDAY) == dt.date(2025, 3, 24).weekday() == 0
    assert weekdays.from_python(6) == weekdays.SUNDAY  # Python's Sunday
    assert jdatetime.date.fromgregorian(date=saturday).weekday() == weekdays.SATURDAY


@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_conversions_agree_for_every_date(day):
    ours = weekdays.of_date(day)
    assert weekdays.from_python(day.weekday()) == ours
    assert weekdays.to_python(ours) == day.weekday()
    assert weekdays.from_jdatetime(jdatetime.date.fromgregorian(date=day).weekday()) == ours


@pytest.mark.parametrize("value", [-1, 7, "1"])
def test_out_of_range_weekday_is_rejected(value):
    with pytest.raises(ValueError):
        weekdays.to_python(value)


def test_choices_start_on_saturday_in_both_languages():
    from django.utils import translation

    assert [value for value, _label in weekdays.WEEKDAY_CHOICES] == list(range(7))
    with translation.override("fa"):
        assert str(weekdays.WEEKDAY_CHOICES[0][1]) == "شنبه"
    with translation.override("en"):
        assert str(weekdays.WEEKDAY_CHOICES[6][1]) == "Friday"
