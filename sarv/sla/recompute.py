"""Computing a record's clocks from its stored timeline, and rebuilding the clock cache.

``clocks_for`` computes live clocks for display. ``recompute_records`` rebuilds the
cache (``Clock`` rows and the record's ``sla_due_at``/``sla_state``) for many records
of one type at once: timelines, existing clock rows and fired alerts are loaded in a
few queries per chunk of records, and rows are replaced with bulk writes.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone

from sarv.calendars import selectors as calendar_selectors
from sarv.calendars.engine import BusinessCalendar
from sarv.calendars.hooks import ChangeScope, MovedDue
from sarv.calendars.models import Calendar
from sarv.core.choices import TimelineKind
from sarv.core.models import TimelineEntry, WorkItem
from sarv.sla.choices import CalendarSource
from sarv.sla.clocks import TRACKED_FIELDS, ClockResult, Event, Rule, RuleIndex, State, compute_clocks
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
    """Return the active agreements as rules, sorted by precedence.

    On PostgreSQL one query reads a digest of the rows the rules are made of, and rules built under the same
    digest are reused, since every creation and change of a record needs them; elsewhere, and after any
    change to those rows, six queries build them again.
    """
    global _rules_cache
    digest = _rules_digest()
    cached = _rules_cache
    if digest is not None and cached is not None and cached[0] == digest:
        return list(cached[1])
    agreements = Agreement.objects.filter(is_active=True).prefetch_related(
        "targets", "escalations", "services", "departments", "categories",
    ).order_by("precedence", "pk")
    rules = [agreement.as_rule() for agreement in agreements]
    if digest is not None:
        _rules_cache = (digest, tuple(rules))
    return rules


# The rules of the last load_rules() call and the digest of the rows they were built from.
_rules_cache: tuple[str, tuple[Rule, ...]] | None = None


def _rules_digest() -> str | None:
    """Return an MD5 of every row of the agreement tables on PostgreSQL, which changes with any row; else None."""
    if connection.vendor != "postgresql":
        return None
    tables = [Agreement._meta.db_table, *(related.related_model._meta.db_table  # type: ignore[union-attr]
                                          for related in (Agreement.targets.rel, Agreement.escalations.rel)),
              *(getattr(Agreement, name).through._meta.db_table for name in ("services", "departments", "categories"))]
    parts = ", ".join(f"(SELECT string_agg(t::text, ',' ORDER BY t.id) FROM {connection.ops.quote_name(table)} t)"
                      for table in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT md5(concat_ws('|', {parts}))")
        row = cursor.fetchone()
    return str(row[0]) if row else None


def rules_for(model: type[models.Model], rules: Sequence[Rule]) -> list[Rule]:
    record_type = record_type_of(model)
    return [rule for rule in rules if not rule.record_types or record_type in rule.record_types]


class CalendarResolver:
    """Find the business calendar each agreement's clock follows, memoised for one batch of records.

    The memo lives only as long as the resolver (one request, task or recompute run),
    so a calendar change is always seen by the next batch. ``used`` and ``sites`` collect the calendars
    and the sites (whose closures the engines include; 0 for none) of the record being computed.
    """

    def __init__(self) -> None:
        self._calendars: dict[tuple[str, int | None, int | None, int | None], Calendar] = {}
        self._engines: dict[tuple[int, int | None, int | None], BusinessCalendar] = {}
        self._resolved: dict[tuple[str, int | None, Any, Any], tuple[BusinessCalendar, int, int]] = {}
        self._groups: dict[int, Any] = {}
        self._locations: dict[int, Any] = {}
        self._default: Calendar | None = None
        self.used: set[int] = set()
        self.sites: set[int] = set()

    def know(self, record: models.Model) -> None:
        """Remember the support group and site already loaded on ``record``, so they are not read again."""
        for name, memo in (("assigned_group", self._groups), ("location", self._locations)):
            try:
                field_ = record._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            related = field_.get_cached_value(record, None) if hasattr(field_, "get_cached_value") else None
            if related is not None:
                memo[related.pk] = related

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
        group_id, location_id = state.get("assigned_group"), state.get("location")
        key = (rule.calendar_source, rule.calendar_id, group_id, location_id)
        resolved = self._resolved.get(key)
        if resolved is None:
            calendar = self.calendar(rule, state)
            location = self._location(location_id)
            engine_key = (calendar.pk, location_id, group_id)
            engine = self._engines.get(engine_key)
            if engine is None:
                engine = calendar_selectors.business_calendar(calendar, site=location, group=self._group(group_id))
                self._engines[engine_key] = engine
            # The engine holds the closures of the record's site, or of the calendar's own site without one.
            site_id = location.pk if location is not None else calendar.site_id
            resolved = self._resolved[key] = (engine, calendar.pk, site_id or 0)
        self.used.add(resolved[1])
        self.sites.add(resolved[2])
        return resolved[0]


@dataclass
class RecordClocks:
    """The clocks of one record and the ids of the calendars they followed."""

    record_id: int
    clocks: list[ClockResult] = field(default_factory=list)
    calendar_ids: set[int] = field(default_factory=set)
    site_ids: set[int] = field(default_factory=set)


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


# A timeline row as the replay reads it: (object id, kind, created at, actor id, data).
TimelineRow = tuple[int, str, dt.datetime, int | None, Any]
_TRACKED = frozenset(TRACKED_FIELDS)


def replay_inputs(
    record: Mapping[str, Any], entries: Sequence[Mapping[str, Any]], agent_ids: set[int],
) -> tuple[dict[str, Any], list[Event]]:
    """Turn stored timeline entries into the initial state and the events of ``compute_clocks``.

    ``record`` holds the record's current tracked fields plus ``created_at`` and
    ``requester``. Each field's initial value is the value its first change started
    from (the creation entry gives new values), or the current value if it never changed.
    """
    rows = [(0, entry["kind"], entry["created_at"], entry["actor_id"], entry["data"]) for entry in entries]
    return _replay(record, rows, agent_ids)


def _replay(
    record: Mapping[str, Any], entries: Sequence[TimelineRow], agent_ids: set[int],
) -> tuple[dict[str, Any], list[Event]]:
    """``replay_inputs`` on timeline rows as tuples (see ``TimelineRow``)."""
    initial = {name: record.get(name) for name in TRACKED_FIELDS}
    seen: set[str] = set()
    events: list[Event] = []
    created, reply = TimelineKind.CREATED, TimelineKind.PUBLIC_REPLY
    if not entries or entries[0][1] != created:
        events.append(Event(at=record["created_at"]))
    requester = record["requester"]
    for _object_id, kind, at, actor_id, data in entries:
        if not isinstance(data, dict):
            data = {}
        changes: dict[str, Any] = {}
        for change in data.get("changes", ()):
            name = change.get("field")
            if name not in _TRACKED:
                continue
            if name not in seen:
                seen.add(name)
                initial[name] = change.get("new") if kind == created else change.get("old")
            changes[name] = change.get("new")
        if kind == created:
            events.append(Event(at=at))
            continue
        agent_reply = kind == reply and actor_id in agent_ids and actor_id != requester
        events.append(Event(at=at, changes=changes, agent_reply=agent_reply, reopened=bool(data.get("reopened"))))
    return initial, events


def _record_values(record: models.Model) -> dict[str, Any]:
    values = {name: _raw(record, name) for name in TRACKED_FIELDS}
    values["created_at"] = record.created_at  # type: ignore[attr-defined]
    values["requester"] = record.requester_id  # type: ignore[attr-defined]
    return values


def _entries_by_record(model: type[models.Model], ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    names = ("object_id", "kind", "created_at", "actor_id", "data")
    return {pk: [dict(zip(names, row, strict=True)) for row in rows]
            for pk, rows in _timeline_rows(model, ids).items()}


def _timeline_rows(model: type[models.Model], ids: Sequence[int]) -> dict[int, list[TimelineRow]]:
    """Load the clock-relevant timeline rows of ``ids`` as tuples, streamed (a server-side cursor on
    PostgreSQL), grouped by record in timeline order; each row's JSON is decoded once."""
    content_type = ContentType.objects.get_for_model(model)
    rows = TimelineEntry.objects.filter(content_type=content_type, object_id__in=ids, kind__in=CLOCK_KINDS) \
        .order_by("object_id", "created_at", "id").values_list("object_id", "kind", "created_at", "actor_id", "data")
    grouped: dict[int, list[TimelineRow]] = defaultdict(list)
    for row in _value_rows(rows, json_column=4):
        grouped[row[0]].append(row)
    return grouped


def _value_rows(queryset: models.QuerySet[Any, Any], *, json_column: int | None = None) -> Iterator[tuple[Any, ...]]:
    """Yield the tuples of a ``values_list`` queryset, streamed.

    On PostgreSQL the compiled query runs on a server-side cursor and the rows come straight from psycopg
    (aware datetimes, JSON text decoded here once): Django's per-row converters cost more than the query when a
    recompute reads hundreds of thousands of rows. Other databases go through Django's iterator.
    """
    if connection.vendor != "postgresql":
        yield from queryset.iterator(chunk_size=5000)
        return
    sql, params = queryset.query.sql_with_params()
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(5000):
            if json_column is None:
                yield from rows
                continue
            for row in rows:
                value = row[json_column]
                if isinstance(value, str | bytes):
                    row = (*row[:json_column], json.loads(value), *row[json_column + 1:])
                yield row


def _row_values(model: type[WorkItem]) -> tuple[list[str], list[str]]:
    """Return the record columns a recompute reads (as ``values_list`` names) and the keys they are stored
    under in a record's values: the tracked fields it has, plus what the cache and the moved list need."""
    columns, keys = ["pk", "status", "created_at", "requester_id", "sla_due_at", "sla_state"], \
        ["pk", "status", "created_at", "requester", "sla_due_at", "sla_state"]
    if _has_field(model, "number"):
        columns.append("number")
        keys.append("number")
    for name in TRACKED_FIELDS:
        if name in keys:
            continue
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        columns.append(getattr(model_field, "attname", name))
        keys.append(name)
    return columns, keys


def _instance_values(record: WorkItem) -> dict[str, Any]:
    values = _record_values(record)
    values.update(pk=record.pk, sla_due_at=record.sla_due_at, sla_state=record.sla_state,
                  number=getattr(record, "number", None))
    return values


def compute_records(
    model: type[WorkItem], records: Sequence[WorkItem], *, now: dt.datetime, rules: Sequence[Rule],
    resolver: CalendarResolver | None = None,
) -> list[RecordClocks]:
    """Compute the clocks of ``records`` (all of type ``model``) at ``now`` from their stored timelines."""
    return compute_values(model, [_instance_values(record) for record in records], now=now,
                          index=RuleIndex(rules_for(model, rules)), resolver=resolver)


def compute_values(
    model: type[WorkItem], records: Sequence[Mapping[str, Any]], *, now: dt.datetime, index: RuleIndex,
    resolver: CalendarResolver | None = None, timelines: Mapping[int, list[TimelineRow]] | None = None,
) -> list[RecordClocks]:
    """Compute the clocks of records given as values (``pk``, ``created_at``, ``requester`` and the tracked
    fields) at ``now``; ``index`` holds the agreements that apply to ``model`` and is shared by a whole run.
    ``timelines`` gives the records' timeline rows when the caller already holds them (a new record)."""
    resolver = resolver or CalendarResolver()
    if not records:
        return []
    if not index.rules:
        return [RecordClocks(record_id=record["pk"]) for record in records]
    entries = timelines if timelines is not None else _timeline_rows(model, [record["pk"] for record in records])
    actors = {row[3] for rows in entries.values() for row in rows
              if row[1] == TimelineKind.PUBLIC_REPLY and row[3] is not None}
    agents = _agent_ids(actors)
    record_type = record_type_of(model)
    final = tuple(model.FINAL_STATUSES)
    results = []
    for record in records:
        initial, events = _replay(record, entries.get(record["pk"], ()), agents)
        resolver.used, resolver.sites = set(), set()
        clocks = compute_clocks(
            record_type=record_type, initial=initial, events=events, rules=index.rules,
            calendar_for=resolver.engine, now=now, final_statuses=final, index=index,
        )
        results.append(RecordClocks(record_id=record["pk"], clocks=clocks, calendar_ids=set(resolver.used),
                                    site_ids=set(resolver.sites)))
    return results


def clocks_for(record: WorkItem, *, now: dt.datetime | None = None) -> list[ClockResult]:
    """Return the live clocks of one record at ``now`` (default: the current time)."""
    computed = compute_records(type(record), [record], now=now or timezone.now(), rules=load_rules())
    return computed[0].clocks if computed else []


def summary(clocks: Iterable[ClockResult]) -> tuple[dt.datetime | None, str]:
    """Return the record's cached summary: the earliest due time of a live clock and its worst state."""
    return _summary((clock.due_at, clock.stopped_at, clock.state) for clock in clocks)


def _summary(clocks: Iterable[tuple[dt.datetime | None, dt.datetime | None, str]]) -> tuple[dt.datetime | None, str]:
    """``summary`` of clocks given as (due at, stopped at, state)."""
    dues, states = [], set()
    for due_at, stopped_at, state in clocks:
        states.add(state)
        if due_at is not None and stopped_at is None and state != State.NOT_STARTED:
            dues.append(due_at)
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
                    "breached_at", "stopped_at", "next_alert_at", "alerted_through", "calendar_ids", "site_ids",
                    "is_open")
_DUE = _MATERIAL_FIELDS.index("due_at")
_STOPPED = _MATERIAL_FIELDS.index("stopped_at")
_STATE = _MATERIAL_FIELDS.index("state")
_UPDATED_FIELDS = [name.removesuffix("_id") if name == "agreement_id" else name for name in _MATERIAL_FIELDS] \
    + ["elapsed_seconds", "paused_seconds", "computed_at"]


def _id_list(ids: Iterable[int]) -> str:
    return "," + ",".join(str(pk) for pk in sorted(ids)) + "," if ids else ""


def _store_chunk(
    model: type[WorkItem], records: Sequence[Mapping[str, Any]], computed: Sequence[RecordClocks],
    now: dt.datetime, *, agreement_names: dict[int, str] | None, rewrite_all: bool = False,
    keep_history: bool = False, new_records: bool = False,
) -> tuple[list[MovedDue], dict[int, tuple[dt.datetime | None, str]]]:
    """Write the clock rows and summary columns of ``records`` that changed; with ``agreement_names``, also
    return the due times that moved. Runs inside the caller's transaction, with the records locked.

    The old rows are read in the same transaction and compared in memory: only changed rows are written,
    in a few bulk statements. ``rewrite_all`` writes every row (an action's single record, so its elapsed
    time is fresh on every change). ``keep_history`` keeps the stored rows of clocks that had stopped (met
    or breached for good): a calendar change recomputes running clocks only. ``new_records`` says the records
    were created in this transaction, so they have no stored rows or fired alerts to read. Returns the moved
    due times and each record's (due time, state) summary.
    """
    from sarv.sla.display import clock_label

    content_type = ContentType.objects.get_for_model(model)
    ids = [record["pk"] for record in records]
    old: dict[tuple[int, str, str], tuple[int, tuple[Any, ...]]] = {}
    fired: dict[tuple[int, str, str, int], set[str]] = defaultdict(set)
    if not new_records:
        old = {(row[1], row[2], row[3]): (row[0], row[4:]) for row in _value_rows(
            Clock.objects.filter(content_type=content_type, object_id__in=ids).values_list(
                "pk", "object_id", "slot", "metric", *_MATERIAL_FIELDS))}
        for alert in ClockAlert.objects.filter(content_type=content_type, object_id__in=ids).values_list(
                "object_id", "slot", "metric", "cycle", "point"):
            fired[alert[:4]].add(alert[4])

    created, updated, moved, changed_records = [], [], [], []
    summaries: dict[int, tuple[dt.datetime | None, str]] = {}
    stale_ids = {pk for pk, _values in old.values()}
    final = set(model.FINAL_STATUSES)
    by_id = {record["pk"]: record for record in records}
    for item in computed:
        record = by_id[item.record_id]
        is_open = record["status"] not in final
        calendar_ids, site_ids = _id_list(item.calendar_ids)[:200], _id_list(item.site_ids)[:200]
        states: list[tuple[dt.datetime | None, dt.datetime | None, str]] = []
        for result in item.clocks:
            key = (record["pk"], result.slot, result.metric)
            previous = old.get(key)
            # NOTE: the record page computes clocks live, so after a change dated in the past it can show another
            # history for a stopped clock than this kept row until the record's next action rewrites it.
            if keep_history and previous is not None and previous[1][_STOPPED] is not None:
                stale_ids.discard(previous[0])
                states.append((previous[1][_DUE], previous[1][_STOPPED], previous[1][_STATE]))
                continue
            states.append((result.due_at, result.stopped_at, result.state))
            through = _alerted_through(result, fired.get((record["pk"], result.slot, result.metric, result.cycle),
                                                         set()))
            material = (
                result.kind, result.agreement_id, result.target, result.state, result.cycle, result.started_at,
                result.due_at, result.breached_at, result.stopped_at,
                next_alert_at(result, through, now) if is_open else None, through, calendar_ids, site_ids, is_open,
            )
            if previous is not None:
                stale_ids.discard(previous[0])
                if not rewrite_all and previous[1] == material:
                    continue
            row = Clock(content_type=content_type, object_id=record["pk"], slot=result.slot, metric=result.metric,
                        elapsed_seconds=result.elapsed, paused_seconds=result.paused, computed_at=now,
                        **dict(zip(_MATERIAL_FIELDS, material, strict=True)))
            if previous is None:
                created.append(row)
                continue
            row.pk = previous[0]
            updated.append(row)
            old_due = previous[1][_DUE]
            if agreement_names is not None and old_due != result.due_at:
                moved.append(_moved_due(model, record, result, old_due, agreement_names, clock_label))
        summaries[record["pk"]] = due, state = _summary(states)
        if rewrite_all or record["sla_due_at"] != due or record["sla_state"] != state:
            changed_records.append(model(pk=record["pk"], sla_due_at=due, sla_state=state))  # type: ignore[misc]

    if stale_ids:
        Clock.objects.filter(pk__in=stale_ids).delete()
    if updated:
        _update_clocks(updated)
    if created:
        Clock.objects.bulk_create(created, batch_size=1000)
    if changed_records:
        model.objects.bulk_update(changed_records, ["sla_due_at", "sla_state"], batch_size=1000)
    return moved, summaries


def _update_clocks(rows: Sequence[Clock]) -> None:
    """Rewrite changed clock rows in place, in one statement per thousand rows.

    On PostgreSQL an ``UPDATE ... FROM (VALUES ...)``: Django's ``bulk_update`` builds one CASE expression per
    field and row, which costs far more when a change rewrites many clocks.
    """
    if connection.vendor != "postgresql":
        Clock.objects.bulk_update(rows, _UPDATED_FIELDS, batch_size=500)
        return
    fields: list[models.Field[Any, Any]] = [
        cast("models.Field[Any, Any]", Clock._meta.get_field(name)) for name in _UPDATED_FIELDS]
    quote = connection.ops.quote_name
    columns = [quote(model_field.column) for model_field in fields]
    casts = ["%s::bigint", *(f"%s::{model_field.db_type(connection)}" for model_field in fields)]
    row_sql = "(" + ", ".join(casts) + ")"
    assignments = ", ".join(f"{column} = v.{column}" for column in columns)
    table = quote(Clock._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 1000):
            batch = rows[start:start + 1000]
            params: list[Any] = []
            for row in batch:
                params.append(row.pk)
                params.extend(model_field.get_db_prep_save(getattr(row, model_field.attname), connection)
                              for model_field in fields)
            cursor.execute(
                f"UPDATE {table} AS c SET {assignments} FROM (VALUES {', '.join([row_sql] * len(batch))}) "
                f"AS v(id, {', '.join(columns)}) WHERE c.id = v.id",
                params,
            )


def _moved_due(model: type[WorkItem], record: Mapping[str, Any], result: ClockResult, old_due: dt.datetime | None,
               names: dict[int, str], clock_label: Any) -> MovedDue:
    number = record.get("number")
    values = {"pk": record["pk"], **({"number": number} if number is not None else {})}
    url = cast(Any, model(**values)).get_absolute_url()
    return MovedDue(record_label=str(number if number is not None else record["pk"]), record_url=url,
                    clock_label=clock_label(result.kind, result.metric, result.agreement_id, names),
                    old_due=old_due, new_due=result.due_at)


def recompute_records(
    model: type[WorkItem], records: Sequence[WorkItem], *, now: dt.datetime | None = None,
    rules: Sequence[Rule] | None = None, resolver: CalendarResolver | None = None, collect_moves: bool = False,
) -> list[MovedDue]:
    """Rebuild the clock cache of ``records`` from their in-memory values; return the due times that moved
    when ``collect_moves``. The records get their new ``sla_due_at`` and ``sla_state``.

    Each chunk is one transaction that first locks its records in key order, then reads their timelines,
    computes and writes. So an action on one of them waits, and the cache never mixes an older computation
    with a newer change. Concurrent recomputes lock rows in the same key order, so they do not deadlock
    on each other.
    """
    moment = now or timezone.now()
    index = RuleIndex(rules_for(model, load_rules() if rules is None else rules))
    resolver = resolver or CalendarResolver()
    moved: list[MovedDue] = []
    names = _agreement_names() if collect_moves else None
    # An action's single record is always rewritten, so its elapsed time is fresh on every change.
    rewrite_all = len(records) == 1
    for start in range(0, len(records), CHUNK_SIZE):
        chunk = records[start:start + CHUNK_SIZE]
        with transaction.atomic():
            list(model.objects.select_for_update().filter(pk__in=[r.pk for r in chunk]).order_by("pk")
                 .values_list("pk", flat=True))
            values = [_instance_values(record) for record in chunk]
            computed = compute_values(model, values, now=moment, index=index, resolver=resolver)
            chunk_moved, summaries = _store_chunk(model, values, computed, moment, agreement_names=names,
                                                  rewrite_all=rewrite_all)
            moved.extend(chunk_moved)
        _keep_summaries(chunk, summaries)
    return moved


def _keep_summaries(records: Iterable[WorkItem], summaries: Mapping[int, tuple[dt.datetime | None, str]]) -> None:
    for record in records:
        if record.pk in summaries:
            record.sla_due_at, record.sla_state = summaries[record.pk]


def start_clocks(record: WorkItem, created: Any) -> None:
    """Fill the clock cache of a record created in the running transaction, from its creation entry.

    The same computation as ``recompute_records`` without its reads: no other transaction can see the new row yet, so
    it needs no lock, and it has no other timeline rows, clock rows or fired alerts.
    """
    model = type(record)
    index = RuleIndex(rules_for(model, load_rules()))
    values = [_instance_values(record)]
    row: TimelineRow = (record.pk, created.kind, created.created_at, created.actor_id, created.data)
    moment = timezone.now()
    resolver = CalendarResolver()
    resolver.know(record)
    computed = compute_values(model, values, now=moment, index=index, resolver=resolver,
                              timelines={record.pk: [row]})
    # Inside the creating action's transaction this adds no statement; alone, it keeps both writes together.
    with transaction.atomic(savepoint=False):
        summaries = _store_chunk(model, values, computed, moment, agreement_names=None, rewrite_all=True,
                                 new_records=True)[1]
    _keep_summaries([record], summaries)


def _agreement_names() -> dict[int, str]:
    return {agreement.pk: agreement.name for agreement in Agreement.objects.all()}


def _recompute_ids(
    model: type[WorkItem], ids: Sequence[int], *, now: dt.datetime, index: RuleIndex, resolver: CalendarResolver,
    names: dict[int, str] | None, keep_history: bool,
) -> list[MovedDue]:
    """Rebuild the clock cache of the records ``ids``, chunk by chunk: each chunk locks its records and reads
    their values in one query, then computes and writes in the same transaction."""
    columns, keys = _row_values(model)
    moved: list[MovedDue] = []
    for start in range(0, len(ids), CHUNK_SIZE):
        chunk = ids[start:start + CHUNK_SIZE]
        with transaction.atomic():
            rows = model.objects.select_for_update().filter(pk__in=chunk).order_by("pk").values_list(*columns)
            values = [dict(zip(keys, row, strict=True)) for row in rows]
            computed = compute_values(model, values, now=now, index=index, resolver=resolver)
            moved.extend(_store_chunk(model, values, computed, now, agreement_names=names,
                                      keep_history=keep_history)[0])
    return moved


def record_models() -> list[type[WorkItem]]:
    """Return every concrete record type (subclass of WorkItem)."""
    return [model for model in apps.get_models() if issubclass(model, WorkItem) and not model._meta.abstract]


def _contains_any(field_name: str, ids: Iterable[int]) -> Q:
    condition = Q()
    for pk in ids:
        condition |= Q(**{f"{field_name}__contains": f",{pk},"})
    return condition


def since_instant(scope: ChangeScope) -> dt.datetime | None:
    """Return the first instant of the local date ``scope.since`` in the time zones of the scope's calendars."""
    if scope.since is None:
        return None
    calendars = Calendar.objects.all()
    if scope.calendar_ids is not None:
        calendars = calendars.filter(pk__in=scope.calendar_ids)
    zones = set(calendars.values_list("time_zone", flat=True)) or {"UTC"}
    return min(dt.datetime.combine(scope.since, dt.time(0), tzinfo=zoneinfo.ZoneInfo(zone)) for zone in zones)


def _affected_ids(model: type[WorkItem], scope: ChangeScope | None, now: dt.datetime) -> list[int]:
    """Return the ids of the open records whose cached clocks a change of ``scope`` can move (None: all).

    A record counts when it has a running or paused clock (stopped ones keep their history) that followed a
    changed calendar, on a covered site for a closure; and, for a change that starts after ``now``, when that
    clock's stored start, due time or next alert falls on or after the change (the business time before it
    is the same, so clocks due or breached earlier cannot move).
    """
    queryset = model.objects.open()
    if scope is None:
        return list(queryset.order_by("pk").values_list("pk", flat=True))
    if (scope.calendar_ids is not None and not scope.calendar_ids) or (
            scope.site_ids is not None and not scope.site_ids):
        return []
    content_type = ContentType.objects.get_for_model(model)
    clocks = Clock.objects.filter(content_type=content_type, is_open=True, stopped_at__isnull=True)
    if scope.calendar_ids is not None:
        clocks = clocks.filter(_contains_any("calendar_ids", scope.calendar_ids))
    if scope.site_ids is not None:
        # Rows cached before sites were recorded have none: they count until they are rewritten.
        clocks = clocks.filter(_contains_any("site_ids", scope.site_ids) | Q(site_ids=""))
    since = since_instant(scope)
    if since is not None and since > now:
        clocks = clocks.filter(Q(due_at__gte=since) | Q(next_alert_at__gte=since) | Q(started_at__gte=since)
                               | Q(state=State.RUNNING, due_at__isnull=True))
    return list(queryset.filter(pk__in=clocks.values("object_id")).order_by("pk").values_list("pk", flat=True))


def _has_field(model: type[models.Model], name: str) -> bool:
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def recompute_open(
    calendar_ids: set[int] | None = None, *, now: dt.datetime | None = None, scope: ChangeScope | None = None,
) -> list[MovedDue]:
    """Recompute the clocks of every open record, or only of those a calendar change can move.

    ``calendar_ids`` (or a full ``scope``) limits the run to a calendar change: only records with a running
    or paused clock following a changed calendar are recomputed, and clocks that had stopped keep their
    stored history. Without either, every clock of every open record is rebuilt (an agreement changed).
    """
    moment = now or timezone.now()
    if scope is None and calendar_ids is not None:
        scope = ChangeScope.of(calendar_ids)
    rules = load_rules()
    resolver = CalendarResolver()
    names = _agreement_names()
    moved: list[MovedDue] = []
    for model in record_models():
        ids = _affected_ids(model, scope, moment)
        moved.extend(_recompute_ids(model, ids, now=moment, index=RuleIndex(rules_for(model, rules)),
                                    resolver=resolver, names=names, keep_history=scope is not None))
        logger.info("Recomputed the clocks of %s open %s records", len(ids), record_type_of(model))
    return moved


def recompute_changed(scope: ChangeScope) -> list[MovedDue]:
    """The calendars hook: recompute the clocks a calendar change of ``scope`` can move."""
    return recompute_open(scope=scope)


def count_changed(scope: ChangeScope, *, now: dt.datetime | None = None) -> int:
    """The calendars hook's counter: how many open records a change of ``scope`` makes ``recompute_changed`` run."""
    moment = now or timezone.now()
    return sum(len(_affected_ids(model, scope, moment)) for model in record_models())


def after_timeline_append(record: models.Model, entry: Any) -> None:
    """The record hook: rebuild the record's clock cache inside the action's transaction."""
    if not isinstance(record, WorkItem) or entry.kind not in CLOCK_KINDS:
        return
    if entry.kind == TimelineKind.CREATED:
        # A creation entry is a record's first, written in the transaction that inserted the record.
        start_clocks(record, entry)
        return
    recompute_records(type(record), [record])
