"""Why a clock breached: its target, overrun and where its business time went, phase by phase.

The breach list shows a page of breached clocks. For those records only, the timeline
is replayed as ``sarv.sla.recompute`` does for the clock itself. Each phase of the
clock's current cycle is then measured in business time and named: counted while a
support group held the record, paused while on hold (with the reason), or not counted
because another group held the record (OLA). Reassignments and priority changes inside the
cycle are counted too, since they explain most breaches an SLA manager is asked about.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _

from sarv.accounts.models import SupportGroup
from sarv.core.choices import TimelineKind
from sarv.core.models import WorkItem
from sarv.sla.clocks import ClockResult, Kind, Rule
from sarv.sla.models import Clock, record_type_of
from sarv.sla.recompute import (
    CalendarResolver,
    _agent_ids,
    _entries_by_record,
    _record_values,
    compute_records,
    load_rules,
    replay_inputs,
    rules_for,
)


class PhaseKind:
    COUNTED = "counted"
    PAUSED = "paused"
    NOT_COUNTED = "not_counted"


@dataclass
class Phase:
    """Business seconds of one kind of phase (for example "on hold: waiting for the requester")."""

    kind: str
    label: str
    seconds: int = 0


@dataclass
class BreachExplanation:
    clock: Clock
    record: WorkItem
    target: int
    elapsed: int
    paused: int
    breached_at: dt.datetime | None
    phases: list[Phase] = field(default_factory=list)
    reassignments: int = 0
    priority_changes: int = 0
    reopenings: int = 0

    @property
    def overrun(self) -> int:
        """Return the business seconds used beyond the target."""
        return max(0, self.elapsed - self.target)

    def as_dict(self) -> dict[str, Any]:
        return {
            "record": getattr(self.record, "number", str(self.record.pk)),
            "title": getattr(self.record, "title", ""),
            "agreement": self.clock.agreement_id, "agreement_name": str(self.clock.agreement),
            "kind": self.clock.kind, "slot": self.clock.slot, "metric": self.clock.metric,
            "target_seconds": self.target, "elapsed_seconds": self.elapsed, "overrun_seconds": self.overrun,
            "paused_seconds": self.paused, "breached_at": self.breached_at, "due_at": self.clock.due_at,
            "stopped_at": self.clock.stopped_at,
            "assigned_group": getattr(self.record, "assigned_group_id", None),
            "reassignments": self.reassignments, "priority_changes": self.priority_changes,
            "reopenings": self.reopenings,
            "phases": [{"kind": phase.kind, "name": phase.label, "seconds": phase.seconds} for phase in self.phases],
        }


def _choice_labels(model: type[WorkItem], name: str) -> dict[Any, str]:
    try:
        choices = getattr(model._meta.get_field(name), "choices", None) or []
    except Exception:
        return {}
    return {value: str(label) for value, label in choices}


class _Namer:
    """Names phases in the active language, reading each support group once."""

    def __init__(self, model: type[WorkItem]) -> None:
        self.statuses = _choice_labels(model, "status")
        self.reasons = _choice_labels(model, "hold_reason")
        self.groups: dict[int, str] = {}

    def group(self, group_id: int | None) -> str:
        if group_id is None:
            return _("no support group")
        if group_id not in self.groups:
            group = SupportGroup.objects.filter(pk=group_id).first()
            self.groups[group_id] = str(group) if group else str(group_id)
        return self.groups[group_id]

    def phase(self, rule: Rule | None, state: Mapping[str, Any]) -> tuple[str, str]:
        if rule is None:
            return PhaseKind.NOT_COUNTED, _("No agreement applied")
        if rule.counts(state):
            if state.get("assigned_group") is None:
                return PhaseKind.COUNTED, _("Not assigned to a support group")
            return PhaseKind.COUNTED, _("Held by %(group)s") % {"group": self.group(state.get("assigned_group"))}
        if rule.kind == Kind.OLA and state.get("assigned_group") != rule.group_id:
            return PhaseKind.NOT_COUNTED, _("With another group: %(group)s") % {
                "group": self.group(state.get("assigned_group"))}
        if rule.kind == Kind.UC:
            return PhaseKind.NOT_COUNTED, _("Not waiting on the supplier")
        reason = state.get("hold_reason")
        if reason and reason in rule.pause_hold_reasons:
            return PhaseKind.PAUSED, _("On hold: %(reason)s") % {"reason": self.reasons.get(reason, reason)}
        status = state.get("status")
        return PhaseKind.PAUSED, _("Paused: %(status)s") % {"status": self.statuses.get(status, status)}


def _select(rules: Sequence[Rule], slot: str, record_type: str, state: Mapping[str, Any]) -> Rule | None:
    return next((rule for rule in rules if rule.slot == slot and rule.matches(record_type, state)), None)


def _explain_one(clock: Clock, result: ClockResult | None, record: WorkItem, events: Sequence[Any],
                 initial: Mapping[str, Any], rules: Sequence[Rule], resolver: CalendarResolver, namer: _Namer,
                 now: dt.datetime) -> BreachExplanation:
    target = result.target if result else clock.target_seconds
    elapsed = result.elapsed if result else clock.elapsed_seconds
    explanation = BreachExplanation(
        clock=clock, record=record, target=target, elapsed=elapsed,
        paused=result.paused if result else clock.paused_seconds,
        breached_at=(result.breached_at if result else None) or clock.breached_at or clock.due_at,
    )
    started = result.started_at if result else clock.started_at
    if started is None:
        return explanation
    stopped = (result.stopped_at if result else clock.stopped_at) or now
    record_type = record_type_of(type(record))
    state: dict[str, Any] = dict(initial)
    phases: dict[tuple[str, str], int] = defaultdict(int)
    ordered = sorted(events, key=lambda event: event.at)
    for index, event in enumerate(ordered):
        before = dict(state)
        state.update({name: value for name, value in event.changes.items() if name in state})
        if started <= event.at < stopped:
            explanation.reassignments += before.get("assigned_group") != state.get("assigned_group")
            explanation.priority_changes += before.get("priority") != state.get("priority")
            explanation.reopenings += bool(event.reopened)
        phase_end = ordered[index + 1].at if index + 1 < len(ordered) else now
        begin, end = max(event.at, started), min(phase_end, stopped)
        if end <= begin:
            continue
        rule = _select(rules, clock.slot, record_type, state)
        engine = resolver.engine(rule, state) if rule else None
        seconds = engine.between(begin, end) if engine else 0
        if seconds:
            phases[namer.phase(rule, state)] += seconds
    explanation.phases = sorted((Phase(kind, label, seconds) for (kind, label), seconds in phases.items()),
                                key=lambda phase: -phase.seconds)
    return explanation


def explain(clocks: Sequence[Clock], now: dt.datetime) -> list[BreachExplanation]:
    """Return an explanation of each breached clock in ``clocks`` (one page), in the same order."""
    rules = load_rules()
    resolver = CalendarResolver()
    found: dict[int, BreachExplanation] = {}
    by_type: dict[int, list[Clock]] = defaultdict(list)
    for clock in clocks:
        by_type[clock.content_type_id].append(clock)
    for content_type_id, group in by_type.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None or not issubclass(model, WorkItem):
            continue
        records = model.objects.select_related("assigned_group").in_bulk({clock.object_id for clock in group})
        ordered_records = [records[pk] for pk in sorted(records)]
        applicable = rules_for(model, rules)
        computed = {item.record_id: {(result.slot, result.metric): result for result in item.clocks}
                    for item in compute_records(model, ordered_records, now=now, rules=rules, resolver=resolver)}
        entries = _entries_by_record(model, list(records))
        actors = {row["actor_id"] for rows in entries.values() for row in rows
                  if row["kind"] == TimelineKind.PUBLIC_REPLY and row["actor_id"] is not None}
        agents = _agent_ids(actors)
        namer = _Namer(model)
        for clock in group:
            record = records.get(clock.object_id)
            if record is None:
                continue
            initial, events = replay_inputs(_record_values(record), entries.get(record.pk, []), agents)
            result = computed.get(record.pk, {}).get((clock.slot, clock.metric))
            found[clock.pk] = _explain_one(clock, result, record, events, initial, applicable, resolver, namer, now)
    return [found[clock.pk] for clock in clocks if clock.pk in found]
