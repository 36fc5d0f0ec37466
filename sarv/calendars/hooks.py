"""The recompute hook: calendars tell the SLA app that business time changed and get back the due times that moved."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class MovedDue:
    record_label: str
    record_url: str
    clock_label: str
    old_due: dt.datetime | None
    new_due: dt.datetime | None


RecomputeFn = Callable[[set[int] | None], list[MovedDue]]
_handlers: list[RecomputeFn] = []


def register_recompute(fn: RecomputeFn) -> None:
    """Register a function that recomputes the clocks following the given calendars (None = all)."""
    if fn not in _handlers:
        _handlers.append(fn)


def recompute(calendar_ids: set[int] | None) -> list[MovedDue]:
    """Run every registered recompute function and return the due times that moved, in one list."""
    moved: list[MovedDue] = []
    for fn in list(_handlers):
        moved.extend(fn(set(calendar_ids) if calendar_ids is not None else None))
    return moved
