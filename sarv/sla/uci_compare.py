"""Attainment of a sample SLA policy on the imported UCI incidents, next to the data set's own ``made_sla`` flag.

The policy is a resolution target per priority on one business calendar, with the clock
paused while the incident is on hold for chosen reasons. Clocks are computed by the same
code as every Sarv clock (``sarv.sla.recompute.compute_records``), in memory: nothing is
written, so the comparison can run on any database that holds the import.

``made_sla`` is ServiceNow's legacy single-SLA flag. In this log it is evaluated when an
incident closes: every flip in the file goes from true to false on the move from
Resolved to Closed, so the value of the last row is the incident's final verdict.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from sarv.calendars import selectors as calendar_selectors
from sarv.calendars.engine import BusinessCalendar
from sarv.calendars.models import Calendar
from sarv.core.models import ExternalReference
from sarv.incidents.choices import HoldReason, IncidentStatus
from sarv.incidents.models import Incident
from sarv.sla.clocks import Kind, Metric, Rule, State
from sarv.sla.recompute import CalendarResolver, compute_records

HOUR = 3600
CHUNK_SIZE = 2000
# Calendars a policy may follow: the shipped Sarv templates by key, and a Monday-Friday office week, which the
# ServiceNow instance behind the log (a company outside Iran) more likely used than an Iranian week.
CALENDAR_CHOICES = ("24x7", "labour_law", "weekdays")
WEEKDAYS_WEEK = {weekday: ((dt.time(8, 0), dt.time(17, 0)),) for weekday in (2, 3, 4, 5, 6)}  # Mon..Fri, Sat=0


@dataclass(frozen=True)
class Policy:
    """Resolution targets (business seconds per priority) on one calendar, paused for ``pause_reasons``."""

    calendar: str
    targets: Mapping[int, int]
    pause_reasons: frozenset[str] = frozenset()

    def rule(self, rule_id: int = -1) -> Rule:
        return Rule(
            id=rule_id, kind=Kind.SLA, name="UCI sample policy",
            targets={(Metric.RESOLUTION, priority): seconds for priority, seconds in self.targets.items()},
            pause_hold_reasons=self.pause_reasons, stop_statuses=frozenset({"resolved", "closed"}),
        )

    def describe(self) -> str:
        targets = ", ".join(f"P{priority} {seconds / HOUR:g} h" for priority, seconds in sorted(self.targets.items()))
        pauses = ", ".join(sorted(self.pause_reasons)) or "none"
        return f"calendar {self.calendar}; resolution {targets}; paused on hold for: {pauses}"


def parse_targets(text: str) -> dict[int, int]:
    """Parse "1=4,2=8,3=72,4=120" (priority=business hours) into business seconds per priority."""
    targets = {}
    for part in text.split(","):
        priority, _sep, hours = part.partition("=")
        try:
            targets[int(priority)] = round(float(hours) * HOUR)
        except ValueError as error:
            raise ValueError(f"invalid target {part!r}: expected PRIORITY=HOURS, e.g. 3=72") from error
    return targets


def policy_calendar(key: str) -> BusinessCalendar:
    """Return the business calendar of a policy: a shipped template from the database, or the weekday office."""
    if key == "weekdays":
        return BusinessCalendar(time_zone="UTC", weeks=[(dt.date(2000, 1, 1), WEEKDAYS_WEEK)])
    calendar = Calendar.objects.filter(template_key=key).first()
    if calendar is None:
        raise ValueError(f"calendar template {key!r} not found; run migrate to install the shipped calendars")
    return calendar_selectors.business_calendar(calendar)


class _FixedResolver(CalendarResolver):
    """Every clock follows one calendar, whatever group or site holds the record."""

    def __init__(self, engine: BusinessCalendar) -> None:
        super().__init__()
        self._fixed = engine

    def engine(self, rule: Rule, state: Mapping[str, Any]) -> BusinessCalendar:
        return self._fixed


def uci_incidents() -> Any:
    """Return the imported UCI incidents that have a final ``made_sla`` verdict (resolved or closed)."""
    sources = ExternalReference.objects.filter(kind="source", system="uci").values("object_id")
    return Incident.objects.filter(pk__in=sources, made_sla__isnull=False).filter(
        Q(status=IncidentStatus.RESOLVED) | Q(status=IncidentStatus.CLOSED)).order_by("pk")


@dataclass
class Outcome:
    """One incident's resolution clock under a policy."""

    priority: int
    made_sla: bool
    state: str
    elapsed: int
    paused: int
    reopened: bool = False
    reassignments: int = 0


def resolution_clocks(policy: Policy, *, limit: int | None = None) -> Iterator[Outcome]:
    """Compute the resolution clock of every UCI incident under ``policy``, chunk by chunk."""
    rule = policy.rule()
    resolver = _FixedResolver(policy_calendar(policy.calendar))
    now = timezone.now()
    queryset = uci_incidents()
    if limit:
        queryset = queryset[:limit]
    ids = list(queryset.values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK_SIZE):
        records = list(Incident.objects.filter(pk__in=ids[start:start + CHUNK_SIZE]).order_by("pk"))
        by_id = {record.pk: record for record in records}
        for item in compute_records(Incident, records, now=now, rules=[rule], resolver=resolver):
            record = by_id[item.record_id]
            clock = next((c for c in item.clocks if c.metric == Metric.RESOLUTION), None)
            if clock is None:
                continue
            yield Outcome(priority=record.priority, made_sla=bool(record.made_sla), state=clock.state,
                          elapsed=clock.elapsed, paused=clock.paused, reopened=record.reopen_count > 0,
                          reassignments=record.reassignment_count)


@dataclass
class Confusion:
    """Sarv's verdict (met or breached) against ``made_sla``; clocks with no verdict are counted apart."""

    both_met: int = 0
    sarv_met_flag_breached: int = 0
    sarv_breached_flag_met: int = 0
    both_breached: int = 0
    undecided: int = 0
    by_priority: dict[int, Counter[str]] = field(default_factory=dict)

    def add(self, outcome: Outcome) -> None:
        counter = self.by_priority.setdefault(outcome.priority, Counter())
        if outcome.state not in (State.MET, State.BREACHED):
            self.undecided += 1
            counter["undecided"] += 1
            return
        met = outcome.state == State.MET
        if met and outcome.made_sla:
            self.both_met += 1
        elif met:
            self.sarv_met_flag_breached += 1
        elif outcome.made_sla:
            self.sarv_breached_flag_met += 1
        else:
            self.both_breached += 1
        counter["agree" if met == outcome.made_sla else "disagree"] += 1

    @property
    def decided(self) -> int:
        return self.both_met + self.sarv_met_flag_breached + self.sarv_breached_flag_met + self.both_breached

    @property
    def agreement(self) -> float:
        return (self.both_met + self.both_breached) / self.decided if self.decided else 0.0

    @property
    def kappa(self) -> float:
        """Return Cohen's kappa: agreement beyond what the two marginal rates give by chance."""
        total = self.decided
        if not total:
            return 0.0
        sarv_met = (self.both_met + self.sarv_met_flag_breached) / total
        flag_met = (self.both_met + self.sarv_breached_flag_met) / total
        chance = sarv_met * flag_met + (1 - sarv_met) * (1 - flag_met)
        return (self.agreement - chance) / (1 - chance) if chance < 1 else 0.0


def compare(policy: Policy, *, limit: int | None = None) -> tuple[Confusion, list[Outcome]]:
    confusion = Confusion()
    outcomes = []
    for outcome in resolution_clocks(policy, limit=limit):
        confusion.add(outcome)
        outcomes.append(outcome)
    return confusion, outcomes


def sweep(outcomes: Sequence[Outcome], priority: int, hours: Sequence[float]) -> list[tuple[float, float, int]]:
    """Return ``(hours, agreement rate, incidents)`` with ``made_sla`` for each target of ``hours`` on one priority.

    The elapsed business time of a stopped clock does not depend on its target, so one pass of
    real clocks (with a target no incident reaches) serves every target of the sweep.
    """
    decided = [outcome for outcome in outcomes
               if outcome.priority == priority and outcome.state in (State.MET, State.BREACHED)]
    rates = []
    for value in hours:
        limit = value * HOUR
        agree = sum((outcome.elapsed <= limit) == outcome.made_sla for outcome in decided)
        rates.append((value, agree / len(decided) if decided else 0.0, len(decided)))
    return rates


DEFAULT_PAUSE_REASONS = frozenset({HoldReason.AWAITING_REQUESTER, HoldReason.AWAITING_SUPPLIER})
