"""Readable record numbers: prefix, Jalali year, and a sequence that restarts each Jalali year.

A number is allocated by one statement that commits on its own when no outer
transaction is open, so concurrent creators wait only for that statement, not for
each other's whole save. Numbers are never reused; a creation that fails after allocation
leaves a gap, which is allowed.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.utils import timezone

from sarv.core.jalali import jalali_year
from sarv.core.models import NumberSequence

SEQUENCE_WIDTH = 6


def format_number(prefix: str, year: int, value: int) -> str:
    return f"{prefix}-{year}-{value:0{SEQUENCE_WIDTH}d}"


def allocate_numbers(prefix: str, year: int, count: int = 1) -> list[str]:
    """Reserve ``count`` consecutive numbers for ``prefix`` in Jalali ``year`` and return them."""
    if count < 1:
        raise ValueError("count must be at least 1")
    table = NumberSequence._meta.db_table
    with connection.cursor() as cursor:
        # One statement creates the year's counter or increments it, and reads the result: it is atomic
        # on its own, so two creators never read the same value and no extra transaction is needed.
        cursor.execute(
            f"INSERT INTO {table} (prefix, year, last_value) VALUES (%s, %s, %s) "
            f"ON CONFLICT (prefix, year) DO UPDATE SET last_value = {table}.last_value + excluded.last_value "
            "RETURNING last_value",
            [prefix, year, count],
        )
        row = cursor.fetchone()
    assert row is not None
    last = int(row[0])
    return [format_number(prefix, year, value) for value in range(last - count + 1, last + 1)]


def allocate_number(prefix: str, at: dt.datetime | None = None) -> str:
    """Return the next number for ``prefix`` in the Jalali year (Tehran time) of ``at`` (default: now)."""
    return allocate_numbers(prefix, jalali_year(at or timezone.now()))[0]
