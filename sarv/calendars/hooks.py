"""The recompute hook: calendars tell the SLA app that business time changed and get back the due times that moved."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass
class MovedDue:
    record_label: str
    record_url: str
    clock_label: str
    old_due: dt.datetime | None
    new_due: dt.datetime | None


@dataclass(frozen=True)
class ChangeScope:
    """What a calendar change can affect, so that only those clocks are recomputed.

    ``calendar_ids``: the calendars whose business time changed (None: every calendar). ``since``: the first
    local date whose business time changed (None: any date). ``site_ids``: for a closure, the sites whose
    calendars it covers, with every place under them (None: every site).
    """

    calendar_ids: frozenset[int] | None = None
    since: dt.date | None = None
    site_ids: frozenset[int] | None = None

    @classmethod
    def of(cls, calendar_ids: Iterable[int] | None, *, since: dt.date | None = None,
           site_ids: Iterable[int] | None = None) -> ChangeScope:
        return cls(calendar_ids=frozenset(calendar_ids) if calendar_ids is not None else None, since=since,
                   site_ids=frozenset(site_ids) if site_ids is not None else None)


class MovedDues(list[MovedDue]):
    """The due times a change moved. ``pending_run`` is the id of the background recompute (a
    ``RecomputeRun``) that is still computing them when the change affected too many records to wait."""

    pending_run: int | None = None


RecomputeFn = Callable[[ChangeScope], list[MovedDue]]
CountFn = Callable[[ChangeScope], int]
_handlers: list[RecomputeFn] = []
_counters: list[CountFn] = []


def register_recompute(fn: RecomputeFn, *, count: CountFn | None = None) -> None:
    """Register a function that recomputes the clocks a change can affect, and one that counts their records."""
    if fn not in _handlers:
        _handlers.append(fn)
    if count is not None and count not in _counters:
        _counters.append(count)


def affected(scope: ChangeScope) -> int:
    """Return how many open records a change of ``scope`` makes the registered functions recompute."""
    return sum(count(scope) for count in list(_counters))


def recompute(scope: ChangeScope) -> list[MovedDue]:
    """Run every registered recompute function and return the due times that moved, in one list."""
    moved: list[MovedDue] = []
    for fn in list(_handlers):
        moved.extend(fn(scope))
    return moved
