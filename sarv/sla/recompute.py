"""Computing a record's clocks from its stored timeline, and rebuilding the clock cache.

``clocks_for`` computes live clocks for display. ``recompute_records`` rebuilds the
cache (``Clock`` rows and the record's ``sla_due_at``/``sla_state``) for many records
of one type at once: timelines, existing clock rows and fired alerts are loaded in a
few queries per chunk of records, and rows are replaced with bulk writes.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from sarv.calendars import selectors as calendar_selectors
from sarv.calendars.engine import BusinessCalendar
from sarv.calendars.hooks import MovedDue
from sarv.calendars.models import Calendar
from sarv.core.choices import TimelineKind
from sarv.core.models import TimelineEntry, WorkItem
from sarv.sla.choices import CalendarSource
from sarv.sla.clocks import TRACKED_FIELDS, ClockResult, Event, Rule, State, compute_clocks
from sarv.sla.models import Agreement, Clock, ClockAlert, record_type_of

logger = logging.getLogger(__name__)

# Timeline kinds that can change a clock; other entries (work notes, watchers, SLA alerts) are not read.
CLOCK_KINDS = frozenset({
    TimelineKind.CREATED, TimelineKind.PUBLIC_REPLY, TimelineKind.FIELD_CHANGED, TimelineKind.ASSIGNED,
    TimelineKind.STATUS_CHANGED, TimelineKind.PRIORITY_OVERRIDDEN, TimelineKind.UPDATED,
})
CHUNK_SIZE = 2000
# The order of summary states on a record: the first one any clock has wins.
_SUMMARY_ORDER = (State.BREACHED, State.RUNNING, State.PAUSED, State.MET)


def load_rules() -> list[Rule]:
    """Return the active agreements as rules, sorted by precedence, in six queries."""
    agreements = Agreement.objects.filter(is_active=True).prefetch_related(
        "targets", "escalations", "services", "departments", "categories",
    ).order_by("precedence", "pk")
    return [agreement.as_rule() for agreement in agreements]


def rules_for(model: type[models.Model], rules: Sequence[Rule]) -> list[Rule]:
    record_type = record_type_of(model)
    return [rule for rule in rules if not rule.record_types or record_type in rule.record_types]


class CalendarResolver:
    """Find the business calendar each agreement's clock follows, memoised for one batch of records.

    The memo lives only as long as the resolver (one request, task or recompute run),
    so a calendar change is always seen by the next batch.
    """

    def __init__(self) -> None:
        self._calendars: dict[tuple[str, int | None, int | None, int | None], Calendar] = {}
        self._engines: dict[tuple[int, int | None, int | None], BusinessCalendar] = {}
        self._groups: dict[int, Any] = {}
        self._locations: dict[int, Any] = {}
        self._default: Calendar | None = None
        self.used: set[int] = set()

    def _group(self, group_id: int | None) -> Any:
        if group_id is None:
            return None
        if group_id not in self._groups:
            from sarv.accounts.models import SupportGroup

            self._groups[group_id] = SupportGroup.objects.filter(pk=group_id).first()
        return self._groups[group_id]

    def _location(self, location_id: int | None) -> Any:
        if location_id is None:
            return None
        if location_id not in self._locations:
            from sarv.accounts.models import Location

            self._locations[location_id] = Location.objects.filter(pk=location_id).first()
        return self._locations[location_id]

    def _default_calendar(self) -> Calendar:
        if self._default is None:
            self._default = calendar_selectors.default_calendar()
        return self._default

    def calendar(self, rule: Rule, state: Mapping[str, Any]) -> Calendar:
        group_id, location_id = state.get("assigned_group"), state.get("location")
        key = (rule.calendar_source, rule.calendar_id, group_id, location_id)
        found = self._calendars.get(key)
        if found is None:
            group, location = self._group(group_id), self._location(location_id)
            if rule.calendar_source == CalendarSource.FIXED and rule.calendar_id is not None:
                found = Calendar.objects.filter(pk=rule.calendar_id).first()
            elif rule.calendar_source == CalendarSource.SITE:
                found = calendar_selectors.calendar_for_site(location)
            else:
                found = calendar_selectors.calendar_for_group(group, site=location)
            found = found or self._default_calendar()
            self._calendars[key] = found
        return found

    def engine(self, rule: Rule, state: Mapping[str, Any]) -> BusinessCalendar:
        """Return the engine of the calendar ``rule`` follows in ``state``, with the site's closures."""
        calendar = self.calendar(rule, state)
        group_id, location_id = state.get("assigned_group"), state.get("location")
        key = (calendar.pk, location_id, group_id)
        engine = self._engines.get(key)
        if engine is None:
            engine = calendar_selectors.business_calendar(
                calendar, site=self._location(location_id), group=self._group(group_id),
            )
            self._engines[key] = engine
        self.used.add(calendar.pk)
        return engine


@dataclass
class RecordClocks:
    """The clocks of one record and the ids of the calendars they followed."""

    record_id: int
    clocks: list[ClockResult] = field(default_factory=list)
    calendar_ids: set[int] = field(default_factory=set)


def _agent_ids(actor_ids: set[int]) -> set[int]:
    if not actor_ids:
        return set()
    # NOTE: agent status is read as it is today, not as it was when the reply was written.
    workspace = Q(groups__permissions__codename="access_workspace", groups__permissions__content_type__app_label="core")
    users = get_user_model().objects.filter(pk__in=actor_ids, is_active=True).filter(
        workspace | Q(is_superuser=True)
    )
    return set(users.values_list("pk", flat=True))


def _raw(record: models.Model, name: str) -> Any:
    try:
        model_field = record._meta.get_field(name)
    except FieldDoesNotExist:
        # A record type without the field (no category, say) leaves that condition unmatched.
        return None
    return getattr(record, getattr(model_field, "attname", name))


def replay_inputs(
    record: Mapping[str, Any], entries: Sequence[Mapping[str, Any]], agent_ids: set[int],
) -> tuple[dict[str, Any], list[Event]]:
    """Turn stored timeline entries into the initial state and the events of ``compute_clocks``.

    ``record`` holds the record's current tracked fields plus ``created_at`` and
    ``requester``. Each field's initial value is the value its first change started
    from (the creation entry gives new values), or the current value if it never changed.
    """
    initial = {name: record.get(name) for name in TRACKED_FIELDS}
    seen: set[str] = set()
    events: list[Event] = []
    if not entries or entries[0]["kind"] != TimelineKind.CREATED:
        events.append(Event(at=record["created_at"]))
    for entry in entries:
        changes: dict[str, Any] = {}
        for change in entry["data"].get("changes", []) if isinstance(entry["data"], dict) else []:
            name = change.get("field")
            if name not in initial:
                continue
            if name not in seen:
                seen.add(name)
                initial[name] = change.get("new") if entry["kind"] == TimelineKind.CREATED else change.get("old")
            changes[name] = change.get("new")
        if entry["kind"] == TimelineKind.CREATED:
            events.append(Event(at=entry["created_at"]))
            continue
        agent_reply = (entry["kind"] == TimelineKind.PUBLIC_REPLY and entry["actor_id"] in agent_ids
                       and entry["actor_id"] != record["requester"])
        reopened = bool(entry["data"].get("reopened")) if isinstance(entry["data"], dict) else False
        events.append(Event(at=entry["created_at"], changes=changes, agent_reply=agent_reply, reopened=reopened))
    return initial, events


def _record_values(record: models.Model) -> dict[str, Any]:
    values = {name: _raw(record, name) for name in TRACKED_FIELDS}
    values["created_at"] = record.created_at  # type: ignore[attr-defined]
    values["requester"] = record.requester_id  # type: ignore[attr-defined]
    return values


def _entries_by_record(model: type[models.Model], ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    content_type = ContentType.objects.get_for_model(model)
    rows = TimelineEntry.objects.filter(content_type=content_type, object_id__in=ids, kind__in=CLOCK_KINDS) \
        .order_by("object_id", "created_at", "id").values("object_id", "kind", "created_at", "actor_id", "data")
    grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[row["object_id"]].append(row)
    return grouped


def compute_records(
    model: type[WorkItem], records: Sequence[WorkItem], *, now: dt.datetime, rules: Sequence[Rule],
    resolver: CalendarResolver | None = None,
) -> list[RecordClocks]:
    """Compute the clocks of ``records`` (all of type ``model``) at ``now`` from their stored timelines."""
    resolver = resolver or CalendarResolver()
    applicable = rules_for(model, rules)
    if not records:
        return []
    if not applicable:
        return [RecordClocks(record_id=record.pk) for record in records]
    entries = _entries_by_record(model, [record.pk for record in records])
    actors = {row["actor_id"] for rows in entries.values() for row in rows
              if row["kind"] == TimelineKind.PUBLIC_REPLY and row["actor_id"] is not None}
    agents = _agent_ids(actors)
    record_type = record_type_of(model)
    results = []
    for record in records:
        initial, events = replay_inputs(_record_values(record), entries.get(record.pk, []), agents)
        resolver.used = set()
        clocks = compute_clocks(
            record_type=record_type, initial=initial, events=events, rules=applicable,
            calendar_for=resolver.engine, now=now, final_statuses=model.FINAL_STATUSES,
        )
        results.append(RecordClocks(record_id=record.pk, clocks=clocks, calendar_ids=set(resolver.used)))
    return results


def clocks_for(record: WorkItem, *, now: dt.datetime | None = None) -> list[ClockResult]:
    """Return the live clocks of one record at ``now`` (default: the current time)."""
    computed = compute_records(type(record), [record], now=now or timezone.now(), rules=load_rules())
    return computed[0].clocks if computed else []


def summary(clocks: Iterable[ClockResult]) -> tuple[dt.datetime | None, str]:
    """Return the record's cached summary: the earliest due time of a live clock and its worst state."""
    clocks = list(clocks)
    dues = [clock.due_at for clock in clocks
            if clock.due_at is not None and clock.stopped_at is None and clock.state != State.NOT_STARTED]
    states = {clock.state for clock in clocks}
    state = next((candidate for candidate in _SUMMARY_ORDER if candidate in states), "")
    return (min(dues) if dues else None), state


def _alerted_through(result: ClockResult, fired: set[str]) -> int:
    """Return the elapsed seconds of the last alert point already fired in the clock's current cycle."""
    passed = [threshold for key, threshold in result.alert_thresholds() if key in fired]
    return max(passed) if passed else -1


def next_alert_at(result: ClockResult, alerted_through: int, computed_at: dt.datetime) -> dt.datetime | None:
    """Return when the next unfired alert point of a live clock falls due.

    A point that is due already gets the clock's start, a stable instant in the past, so that an unchanged
    clock keeps an unchanged row until the alert job fires the point.
    """
    if result.stopped_at is not None or result.state == State.NOT_STARTED:
        return None
    for _key, threshold in result.alert_thresholds():
        if threshold <= alerted_through:
            continue
        if threshold <= result.elapsed:
            return result.started_at or computed_at
        return result.instant_of(threshold)
    return None


# Clock fields whose change makes a bulk recompute rewrite the row. Elapsed and paused time grow with the
# clock itself: they are exact as of ``computed_at`` and fresh whenever the row is rewritten.
_MATERIAL_FIELDS = ("kind", "agreement_id", "target_seconds", "state", "cycle", "started_at", "due_at",
                    "breached_at", "stopped_at", "next_alert_at", "alerted_through", "calendar_ids", "is_open")


def _store_chunk(
    model: type[WorkItem], records: Sequence[WorkItem], computed: Sequence[RecordClocks], now: dt.datetime,
    *, agreement_names: dict[int, str] | None,
) -> list[MovedDue]:
    """Write the clock rows and summary columns of ``records`` that changed; with ``agreement_names``, also
    return the due times that moved. Runs inside the caller's transaction, with the records locked."""
    from sarv.sla.display import clock_label

    content_type = ContentType.objects.get_for_model(model)
    ids = [record.pk for record in records]
    # An action's single record is always rewritten, so its elapsed time is fresh on every change.
    rewrite_all = len(records) == 1
    old: dict[tuple[int, str, str], tuple[int, tuple[Any, ...]]] = {
        (row[1], row[2], row[3]): (row[0], row[4:])
        for row in Clock.objects.filter(content_type=content_type, object_id__in=ids).values_list(
            "pk", "object_id", "slot", "metric", *_MATERIAL_FIELDS)
    }
    fired: dict[tuple[int, str, str, int], set[str]] = defaultdict(set)
    for alert in ClockAlert.objects.filter(content_type=content_type, object_id__in=ids).values_list(
            "object_id", "slot", "metric", "cycle", "point"):
        fired[alert[:4]].add(alert[4])

    rows, moved, changed_records = [], [], []
    stale_ids = {pk for pk, _values in old.values()}
    final = set(model.FINAL_STATUSES)
    by_id = {record.pk: record for record in records}
    for item in computed:
        record = by_id[item.record_id]
        is_open = record.status not in final
        calendar_ids = "," + ",".join(str(pk) for pk in sorted(item.calendar_ids)) + "," if item.calendar_ids else ""
        for result in item.clocks:
            through = _alerted_through(result, fired.get((record.pk, result.slot, result.metric, result.cycle), set()))
            material = {
                "kind": result.kind, "agreement_id": result.agreement_id, "target_seconds": result.target,
                "state": result.state, "cycle": result.cycle, "started_at": result.started_at,
                "due_at": result.due_at, "breached_at": result.breached_at, "stopped_at": result.stopped_at,
                "next_alert_at": next_alert_at(result, through, now) if is_open else None,
                "alerted_through": through, "calendar_ids": calendar_ids[:200], "is_open": is_open,
            }
            key = (record.pk, result.slot, result.metric)
            previous = old.get(key)
            if previous is not None and not rewrite_all \
                    and previous[1] == tuple(material[name] for name in _MATERIAL_FIELDS):
                stale_ids.discard(previous[0])
                continue
            rows.append(Clock(
                content_type=content_type, object_id=record.pk, slot=result.slot, metric=result.metric,
                elapsed_seconds=result.elapsed, paused_seconds=result.paused, computed_at=now, **material,
            ))
            old_due = previous[1][_MATERIAL_FIELDS.index("due_at")] if previous is not None else None
            if agreement_names is not None and previous is not None and old_due != result.due_at:
                moved.append(MovedDue(record_label=str(getattr(record, "number", record.pk)),
                                      record_url=record.get_absolute_url(),  # type: ignore[attr-defined]
                                      clock_label=clock_label(result.kind, result.metric, result.agreement_id,
                                                              agreement_names),
                                      old_due=old_due, new_due=result.due_at))
        due, state = summary(item.clocks)
        # An action's in-memory record may hold stale cache values: always write it.
        if rewrite_all or record.sla_due_at != due or record.sla_state != state:
            record.sla_due_at, record.sla_state = due, state
            changed_records.append(record)

    if stale_ids:
        Clock.objects.filter(pk__in=stale_ids).delete()
    Clock.objects.bulk_create(rows, batch_size=1000)
    if changed_records:
        model.objects.bulk_update(changed_records, ["sla_due_at", "sla_state"], batch_size=1000)
    return moved


def recompute_records(
    model: type[WorkItem], records: Sequence[WorkItem], *, now: dt.datetime | None = None,
    rules: Sequence[Rule] | None = None, resolver: CalendarResolver | None = None, collect_moves: bool = False,
) -> list[MovedDue]:
    """Rebuild the clock cache of ``records``; return the due times that moved when ``collect_moves``.

    Each chunk is one transaction that first locks its records in key order, then reads their timelines,
    computes and writes. So an action on one of them waits, and the cache never mixes an older computation
    with a newer change. Two chunks lock in the same order and cannot deadlock.
    """
    moment = now or timezone.now()
    rules = load_rules() if rules is None else rules
    resolver = resolver or CalendarResolver()
    moved: list[MovedDue] = []
    names = {agreement.pk: agreement.name for agreement in Agreement.objects.all()} if collect_moves else None
    for start in range(0, len(records), CHUNK_SIZE):
        chunk = records[start:start + CHUNK_SIZE]
        with transaction.atomic():
            list(model.objects.select_for_update().filter(pk__in=[r.pk for r in chunk]).order_by("pk")
                 .values_list("pk", flat=True))
            computed = compute_records(model, chunk, now=moment, rules=rules, resolver=resolver)
            moved.extend(_store_chunk(model, chunk, computed, moment, agreement_names=names))
    return moved


def record_models() -> list[type[WorkItem]]:
    """Return every concrete record type (subclass of WorkItem)."""
    return [model for model in apps.get_models() if issubclass(model, WorkItem) and not model._meta.abstract]


def _open_records(model: type[WorkItem], calendar_ids: set[int] | None) -> list[WorkItem]:
    queryset = model.objects.open()
    if calendar_ids is not None:
        content_type = ContentType.objects.get_for_model(model)
        condition = Q()
        for pk in calendar_ids:
            condition |= Q(calendar_ids__contains=f",{pk},")
        following = Clock.objects.filter(condition, content_type=content_type, is_open=True).values("object_id")
        queryset = queryset.filter(pk__in=following)
    fields = ("pk", "number", "status", "created_at", "requester", "sla_due_at", "sla_state",
              *(name for name in TRACKED_FIELDS if _has_field(model, name)))
    return list(queryset.only(*fields).order_by("pk"))


def _has_field(model: type[models.Model], name: str) -> bool:
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def recompute_open(calendar_ids: set[int] | None = None, *, now: dt.datetime | None = None) -> list[MovedDue]:
    """Recompute the clocks of every open record (or of those following ``calendar_ids``); the calendars hook."""
    rules = load_rules()
    resolver = CalendarResolver()
    moved: list[MovedDue] = []
    for model in record_models():
        records = _open_records(model, calendar_ids)
        moved.extend(recompute_records(model, records, now=now, rules=rules, resolver=resolver, collect_moves=True))
        logger.info("Recomputed the clocks of %s open %s records", len(records), record_type_of(model))
    return moved


def after_timeline_append(record: models.Model, entry: Any) -> None:
    """The record hook: rebuild the record's clock cache inside the action's transaction."""
    if not isinstance(record, WorkItem) or entry.kind not in CLOCK_KINDS:
        return
    recompute_records(type(record), [record])
