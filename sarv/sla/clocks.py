"""Replay a record's timeline into SLA clock phases: a pure function, no database and no Django.

A record's timeline is a list of events, each changing some fields of the record
(status, on-hold reason, priority, group...) or carrying a public reply. Between
two events the record's state is constant: that span is a *phase*. For every
phase this module selects the agreement that applies to each *slot* (one SLA, one
OLA per support group, one UC per supplier: the first match by precedence in each
slot), decides whether each clock counts or pauses, and measures the phase in
business seconds with the calendar the agreement follows.

Nothing is kept between calls: the result depends only on the events, the rules,
the calendars and ``now``, so changing a calendar, a pause rule or a priority and
calling again gives the exact new clocks.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol


class Metric:
    FIRST_RESPONSE = "first_response"
    RESOLUTION = "resolution"
    NEXT_UPDATE = "next_update"

    ALL = (FIRST_RESPONSE, RESOLUTION, NEXT_UPDATE)


class Kind:
    SLA = "sla"
    OLA = "ola"
    UC = "uc"

    ORDER = (SLA, OLA, UC)


class State:
    NOT_STARTED = "not_started"
    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    BREACHED = "breached"
    STOPPED = "stopped"


# The record fields that conditions, pause rules and clock calendars read.
TRACKED_FIELDS = (
    "status", "hold_reason", "hold_supplier", "priority", "assigned_group", "assignee", "service",
    "category", "subcategory", "department", "location",
)


class Calendar(Protocol):
    """The part of ``sarv.calendars.engine.BusinessCalendar`` that clocks use."""

    def add(self, start: dt.datetime, seconds: int) -> dt.datetime: ...

    def between(self, start: dt.datetime, end: dt.datetime) -> int: ...

    def next_open(self, instant: dt.datetime) -> dt.datetime: ...


@dataclass(frozen=True)
class Event:
    """One timeline entry reduced to what clocks need.

    ``changes`` maps a field name to its new raw value (ids and codes, as the
    timeline stores them). ``agent_reply`` is true for a public reply written by
    an agent other than the requester; ``reopened`` for the status change that
    reopens a resolved record.
    """

    at: dt.datetime
    changes: Mapping[str, Any] = field(default_factory=dict)
    agent_reply: bool = False
    reopened: bool = False


@dataclass(frozen=True)
class Rule:
    """One agreement (SLA, OLA or UC) in plain values; ``sarv.sla.models.Agreement.as_rule`` builds it.

    Empty condition sets match every record. ``targets`` maps ``(metric, priority)``
    to business seconds, with ``priority=None`` for the target of every other priority.
    ``alert_points`` lists the alerts of a clock as ``(key, percent of target, extra
    business seconds after the target)``: warnings are ``("w75", 75, 0)``, the breach
    ``("breach", 100, 0)`` and escalation levels ``("e2", 100, 7200)``.
    """

    id: int
    kind: str
    precedence: int = 0
    name: str = ""
    record_types: frozenset[str] = frozenset()
    service_ids: frozenset[int] = frozenset()
    priorities: frozenset[int] = frozenset()
    department_ids: frozenset[int] = frozenset()
    category_ids: frozenset[int] = frozenset()
    pause_statuses: frozenset[str] = frozenset()
    pause_hold_reasons: frozenset[str] = frozenset()
    start_statuses: frozenset[str] = frozenset()
    stop_statuses: frozenset[str] = frozenset({"resolved", "closed"})
    reopen_restarts: bool = False
    swap_restarts: bool = False
    group_id: int | None = None
    supplier_id: int | None = None
    calendar_source: str = "group"
    calendar_id: int | None = None
    targets: Mapping[tuple[str, int | None], int] = field(default_factory=dict)
    alert_points: tuple[tuple[str, int, int], ...] = ()

    @property
    def slot(self) -> str:
        """Return the slot this agreement competes in: the first match by precedence in a slot applies."""
        if self.kind == Kind.OLA:
            return f"ola:{self.group_id}"
        if self.kind == Kind.UC:
            return f"uc:{self.supplier_id}"
        return Kind.SLA

    def matches(self, record_type: str, state: Mapping[str, Any]) -> bool:
        if self.record_types and record_type not in self.record_types:
            return False
        if self.service_ids and state.get("service") not in self.service_ids:
            return False
        if self.priorities and state.get("priority") not in self.priorities:
            return False
        if self.department_ids and state.get("department") not in self.department_ids:
            return False
        return not self.category_ids or bool({state.get("category"), state.get("subcategory")} & self.category_ids)

    def target(self, metric: str, priority: Any) -> int | None:
        found = self.targets.get((metric, priority))
        return found if found is not None else self.targets.get((metric, None))

    def pauses(self, state: Mapping[str, Any]) -> bool:
        return state.get("status") in self.pause_statuses or (
            bool(state.get("hold_reason")) and state.get("hold_reason") in self.pause_hold_reasons
        )

    def counts(self, state: Mapping[str, Any]) -> bool:
        """Return whether this agreement's clocks count business time in ``state`` (before stop rules)."""
        if self.kind == Kind.UC:
            # An underpinning contract covers exactly the time the record waits on its supplier.
            return self.supplier_id is not None and state.get("hold_supplier") == self.supplier_id
        if self.kind == Kind.OLA and state.get("assigned_group") != self.group_id:
            return False
        return not self.pauses(state)

    def can_start(self, state: Mapping[str, Any]) -> bool:
        if self.kind == Kind.UC:
            return self.counts(state)
        if self.kind == Kind.OLA and state.get("assigned_group") != self.group_id:
            return False
        return not self.start_statuses or state.get("status") in self.start_statuses


@dataclass
class ClockResult:
    """One clock of one record at ``now``: all durations in business seconds."""

    slot: str
    kind: str
    metric: str
    agreement_id: int
    target: int
    elapsed: int
    paused: int
    state: str
    started_at: dt.datetime | None = None
    due_at: dt.datetime | None = None
    breached_at: dt.datetime | None = None
    stopped_at: dt.datetime | None = None
    cycle: int = 1
    # Agreements that applied before the current one, as (from instant, agreement id), oldest first.
    history: list[tuple[dt.datetime, int]] = field(default_factory=list)
    calendar: Calendar | None = field(default=None, repr=False, compare=False)
    alert_points: tuple[tuple[str, int, int], ...] = ()
    now: dt.datetime | None = None
    # Whether business time is being added at ``now`` (running, or breached and still running).
    is_counting: bool = False

    @property
    def remaining(self) -> int:
        return self.target - self.elapsed


    def alert_thresholds(self) -> list[tuple[str, int]]:
        """Return each alert point as ``(key, elapsed business seconds at which it fires)``, ascending."""
        points = [(key, self.target * percent // 100 + extra) for key, percent, extra in self.alert_points]
        return sorted(points, key=lambda point: (point[1], point[0]))

    def instant_of(self, elapsed: int) -> dt.datetime | None:
        """Return when this clock reaches ``elapsed`` business seconds if it keeps counting, or None."""
        if not self.is_counting or self.calendar is None or self.now is None:
            return None
        if elapsed <= self.elapsed:
            return None
        return self.calendar.add(self.now, elapsed - self.elapsed)


CalendarFor = Callable[[Rule, Mapping[str, Any]], Calendar]

# The state fields that agreement conditions read: records that share them get the same agreements.
_CONDITION_FIELDS = ("service", "priority", "department", "category", "subcategory")


class RuleIndex:
    """Agreements sorted by precedence, with the agreement of each slot memoised per condition values.

    One index serves a whole recompute run: many records share a record type, service, priority,
    department and category, so the first-match search runs once per distinct combination. It memoises the
    selection only; the clocks are computed anew for every record.
    """

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = sorted(rules, key=lambda rule: (rule.precedence, rule.id))
        self.slots = sorted({rule.slot for rule in self.rules},
                            key=lambda s: (Kind.ORDER.index(s.split(":")[0]), s))
        self.metrics = {slot: sorted({m for r in self.rules if r.slot == slot for (m, _p) in r.targets})
                        for slot in self.slots}
        self._selected: dict[tuple[Any, ...], dict[str, Rule | None]] = {}
        self._conditions = operator.itemgetter(*_CONDITION_FIELDS)

    def select(self, record_type: str, state: Mapping[str, Any]) -> dict[str, Rule | None]:
        """Return the agreement that applies in each slot for ``state`` (None where none matches).

        ``state`` holds every tracked field, as ``compute_clocks`` keeps it.
        """
        key = (record_type, self._conditions(state))
        found = self._selected.get(key)
        if found is None:
            found = {slot: _select(self.rules, slot, record_type, state) for slot in self.slots}
            self._selected[key] = found
        return found


@dataclass
class _Tracker:
    slot: str
    metric: str
    rule: Rule | None = None
    last_rule: Rule | None = None
    calendar: Calendar | None = None
    target: int | None = None
    started_at: dt.datetime | None = None
    elapsed: int = 0
    paused: int = 0
    breached_at: dt.datetime | None = None
    stopped_at: dt.datetime | None = None
    stopped_as: str = ""
    counting: bool = False
    cycle: int = 1
    history: list[tuple[dt.datetime, int]] = field(default_factory=list)

    @property
    def live(self) -> bool:
        return self.started_at is not None and self.stopped_at is None

    def advance(self, start: dt.datetime, end: dt.datetime, measured: dict[int, int] | None = None) -> None:
        """Measure the phase ``[start, end)`` and add it to elapsed or paused time.

        ``measured`` holds the phase's business seconds per calendar (by ``id``), shared by the trackers
        of one phase so that clocks on the same calendar measure it once.
        """
        if not self.live or end <= start or self.calendar is None:
            return
        if measured is None:
            seconds = self.calendar.between(start, end)
        else:
            seconds = measured.get(id(self.calendar), -1)
            if seconds < 0:
                seconds = measured[id(self.calendar)] = self.calendar.between(start, end)
        if not self.counting:
            self.paused += seconds
            return
        if self.breached_at is None and self.target is not None:
            remaining = self.target - self.elapsed
            if remaining <= 0:
                self.breached_at = start
            else:
                due = self.calendar.add(start, remaining)
                # A clock stopped exactly at its due instant is met; one still running after it is breached.
                if due < end:
                    self.breached_at = due
        self.elapsed += seconds

    def restart(self, at: dt.datetime) -> None:
        self.started_at = at
        self.elapsed = 0
        self.paused = 0
        self.breached_at = None
        self.stopped_at = None
        self.stopped_as = ""
        self.cycle += 1

    def stop(self, at: dt.datetime, verdict: str) -> None:
        if not self.live:
            return
        self.stopped_at = at
        self.stopped_as = verdict
        self.counting = False


def _select(rules: Sequence[Rule], slot: str, record_type: str, state: Mapping[str, Any]) -> Rule | None:
    for rule in rules:
        if rule.slot == slot and rule.matches(record_type, state):
            return rule
    return None


def _state_of(tracker: _Tracker) -> str:
    if tracker.started_at is None:
        return State.NOT_STARTED
    if tracker.stopped_at is not None:
        if tracker.stopped_as == State.STOPPED:
            return State.BREACHED if tracker.breached_at else State.STOPPED
        return State.BREACHED if tracker.breached_at else State.MET
    if tracker.breached_at is not None:
        return State.BREACHED
    return State.RUNNING if tracker.counting else State.PAUSED


def compute_clocks(
    *,
    record_type: str,
    initial: Mapping[str, Any],
    events: Iterable[Event],
    rules: Sequence[Rule],
    calendar_for: CalendarFor,
    now: dt.datetime,
    final_statuses: Iterable[str] = (),
    index: RuleIndex | None = None,
) -> list[ClockResult]:
    """Replay ``events`` from the ``initial`` state and return every clock of the record at ``now``.

    ``initial`` holds the tracked fields as the record was created; the first event is
    the creation itself (its instant starts the first phase). ``rules`` must be sorted by
    precedence. ``calendar_for(rule, state)`` returns the business calendar that rule's
    clock follows in a state (the assigned group's, the site's or a fixed calendar).
    ``final_statuses`` are the record type's final statuses: reaching one that is not a
    stop status of the agreement (a cancellation) stops the clock without a verdict. ``index`` (built
    from the same ``rules``) lets many records share the agreement selection of one run.
    """
    ordered = sorted(events, key=lambda event: event.at)
    if not ordered:
        return []
    final = frozenset(final_statuses)
    index = index or RuleIndex(rules)
    trackers = [_Tracker(slot=slot, metric=metric) for slot in index.slots for metric in index.metrics[slot]]
    state: dict[str, Any] = {name: initial.get(name) for name in TRACKED_FIELDS}

    previous_at: dt.datetime | None = None
    for event in ordered:
        if previous_at is not None:
            measured: dict[int, int] = {}
            for tracker in trackers:
                tracker.advance(previous_at, event.at, measured)
        before = dict(state)
        for name, value in event.changes.items():
            if name in state:
                state[name] = value
        _apply_event(trackers, index.select(record_type, state), before, state, event, final, calendar_for)
        previous_at = event.at

    end = max(now, ordered[-1].at)
    assert previous_at is not None
    measured = {}
    for tracker in trackers:
        tracker.advance(previous_at, end, measured)
    # OLA and UC clocks appear once their group holds the record or its supplier is waited on.
    return [
        _result(tracker, end) for tracker in trackers
        if tracker.last_rule is not None and (tracker.started_at is not None or tracker.slot == Kind.SLA)
    ]


def _apply_event(
    trackers: list[_Tracker], selected: Mapping[str, Rule | None], before: Mapping[str, Any],
    state: Mapping[str, Any], event: Event, final: frozenset[str], calendar_for: CalendarFor,
) -> None:
    status_changed = before.get("status") != state.get("status")
    for tracker in trackers:
        rule = selected[tracker.slot]
        _swap(tracker, rule, state, event.at)
        if rule is None:
            tracker.counting = False
            continue
        tracker.calendar = calendar_for(rule, state)
        status = state.get("status")
        was_stopped = before.get("status") in rule.stop_statuses or before.get("status") in final

        # Reopening: leaving a stop status (or a reopen entry) resumes or restarts resolution-type clocks.
        if tracker.stopped_at is not None and tracker.metric != Metric.FIRST_RESPONSE and (
            event.reopened or (status_changed and was_stopped and status not in rule.stop_statuses
                               and status not in final)
        ):
            if rule.reopen_restarts:
                tracker.restart(event.at)
            else:
                tracker.stopped_at = None
                tracker.stopped_as = ""

        if tracker.started_at is None and tracker.metric != Metric.NEXT_UPDATE and rule.can_start(state) \
                and status not in rule.stop_statuses and status not in final:
            tracker.started_at = event.at
            tracker.history.append((event.at, rule.id))

        if tracker.live:
            if status in rule.stop_statuses:
                tracker.stop(event.at, State.MET)
            elif status in final:
                tracker.stop(event.at, State.STOPPED)
            elif event.agent_reply and tracker.metric == Metric.FIRST_RESPONSE:
                tracker.stop(event.at, State.MET)
            elif event.agent_reply and tracker.metric == Metric.NEXT_UPDATE:
                # Each public update by an agent starts a new interval with its own target.
                tracker.restart(event.at)
                tracker.history.append((event.at, rule.id))
        elif event.agent_reply and tracker.metric == Metric.NEXT_UPDATE and tracker.started_at is None \
                and rule.can_start(state) and status not in rule.stop_statuses and status not in final:
            # The next-update clock measures the gap after the first response.
            tracker.started_at = event.at
            tracker.history.append((event.at, rule.id))

        tracker.counting = tracker.live and rule.counts(state)


def _swap(tracker: _Tracker, rule: Rule | None, state: Mapping[str, Any], at: dt.datetime) -> None:
    """Apply another agreement (or another priority's target) from ``at`` on."""
    if rule is not None and (tracker.rule is None or rule.id != tracker.rule.id) and tracker.started_at is not None:
        tracker.history.append((at, rule.id))
        if rule.swap_restarts and tracker.live:
            tracker.started_at = at
            tracker.elapsed = 0
            tracker.paused = 0
            tracker.breached_at = None
    tracker.rule = rule
    if rule is None:
        return
    tracker.last_rule = rule
    target = rule.target(tracker.metric, state.get("priority"))
    tracker.target = target
    if target is not None and tracker.live and tracker.breached_at is None and tracker.elapsed > target:
        # The new target is already used up: the breach happens at the moment of the change.
        tracker.breached_at = at


def _result(tracker: _Tracker, now: dt.datetime) -> ClockResult:
    rule = tracker.rule or tracker.last_rule
    assert rule is not None
    target = tracker.target if tracker.target is not None else 0
    state = _state_of(tracker)
    if tracker.rule is None and tracker.live:
        state = State.PAUSED if tracker.breached_at is None else State.BREACHED
    due_at = None
    if tracker.live and tracker.counting and tracker.calendar is not None:
        remaining = target - tracker.elapsed
        due_at = tracker.calendar.add(now, remaining) if remaining > 0 else tracker.breached_at
    elif tracker.live and tracker.breached_at is not None:
        due_at = tracker.breached_at
    started = tracker.started_at
    if started is not None and tracker.calendar is not None:
        started = tracker.calendar.next_open(started)
    return ClockResult(
        slot=tracker.slot, kind=rule.kind, metric=tracker.metric, agreement_id=rule.id, target=target,
        elapsed=tracker.elapsed, paused=tracker.paused, state=state, started_at=started, due_at=due_at,
        breached_at=tracker.breached_at, stopped_at=tracker.stopped_at, cycle=tracker.cycle,
        history=list(tracker.history), calendar=tracker.calendar, alert_points=rule.alert_points,
        now=now, is_counting=tracker.live and tracker.counting and tracker.rule is not None,
    )
