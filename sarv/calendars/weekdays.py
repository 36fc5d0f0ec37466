"""The one weekday convention of Sarv: Saturday = 0 … Friday = 6.

This is the Iranian week, and it is also what ``jdatetime.date.weekday()`` returns. Python's
``datetime.date.weekday()`` counts Monday = 0 … Sunday = 6; convert at the edges with these functions.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

SATURDAY, SUNDAY, MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY = range(7)
WEEKDAYS = tuple(range(7))

WEEKDAY_CHOICES = [
    (SATURDAY, _("Saturday")),
    (SUNDAY, _("Sunday")),
    (MONDAY, _("Monday")),
    (TUESDAY, _("Tuesday")),
    (WEDNESDAY, _("Wednesday")),
    (THURSDAY, _("Thursday")),
    (FRIDAY, _("Friday")),
]

# Python Monday=0 … Sunday=6  ->  Saturday=0: Monday is 2, Saturday (5) is 0.
_PY_OFFSET = 2


def from_python(py_weekday: int) -> int:
    """Return the Saturday-first weekday of Python's ``date.weekday()`` value."""
    _check(py_weekday)
    return (py_weekday + _PY_OFFSET) % 7


def to_python(sat0: int) -> int:
    """Return Python's ``date.weekday()`` value of a Saturday-first weekday."""
    _check(sat0)
    return (sat0 - _PY_OFFSET) % 7


def from_jdatetime(jd_weekday: int) -> int:
    """Return the Saturday-first weekday of ``jdatetime.date.weekday()`` (the same numbering)."""
    _check(jd_weekday)
    return jd_weekday


def of_date(value: dt.date) -> int:
    """Return the Saturday-first weekday of a Gregorian date (or datetime: its own wall date)."""
    return (value.weekday() + _PY_OFFSET) % 7


def _check(value: int) -> None:
    if not isinstance(value, int) or not 0 <= value <= 6:
        raise ValueError(f"weekday must be an integer 0-6, got {value!r}")
