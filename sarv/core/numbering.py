"""Readable record numbers: prefix, Jalali year, and a sequence that restarts each Jalali year.

A number is allocated in its own short transaction when no outer transaction
is open, so concurrent creators wait only for one UPDATE, not for each other's
whole save. Numbers are never reused; a creation that fails after allocation
leaves a gap, which is allowed.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
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
    with transaction.atomic():
        NumberSequence.objects.bulk_create(
            [NumberSequence(prefix=prefix, year=year, last_value=0)], ignore_conflicts=True
        )
        with connection.cursor() as cursor:
            # One statement increments and reads, so two creators can never read the same value.
            cursor.execute(
                f"UPDATE {table} SET last_value = last_value + %s WHERE prefix = %s AND year = %s "
                "RETURNING last_value",
                [count, prefix, year],
            )
            row = cursor.fetchone()
    assert row is not None
    last = int(row[0])
    return [format_number(prefix, year, value) for value in range(last - count + 1, last + 1)]


def allocate_number(prefix: str, at: dt.datetime | None = None) -> str:
    """Return the next number for ``prefix`` in the Jalali year (Tehran time) of ``at`` (default: now)."""
    return allocate_numbers(prefix, jalali_year(at or timezone.now()))[0]
