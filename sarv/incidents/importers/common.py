"""The replay engine that every incident importer shares.

A source parser turns its files into ``SourceIncident`` objects: the identity
of the incident in the source system, the values set once, and its events,
each with the state of every replayed field after that event.
``IncidentReplayer`` writes them in batches, one transaction per batch:

- a new incident gets a number (``INC-<Jalali year of creation>-NNNNNN``,
  allocated in blocks), a ``source`` external reference that is its import
  identity, one audit row with action ``import``, and its timeline;
- an incident imported before gets the fields that changed in the source and
  only the timeline entries it does not have yet, matched by ``source_key``.
  When nothing changed, nothing is written.

The timeline follows the conventions of ``sarv.core.records.change_fields``:
``data["changes"]`` lists ``{"field", "old", "new"}`` with raw values (codes,
ids, ISO timestamps), never labels. Each event becomes one entry per kind of
change (assigned, fields changed, status changed, reference added), or one
``updated`` entry when it changed none of the replayed fields, so every event
leaves at least one entry. Entry keys are ``<event key>/<kind>``.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import gzip
import logging
import time
import zlib
import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from sarv.accounts.models import User
from sarv.core import audit, numbering, timeline
from sarv.core.choices import AuditAction, ReferenceKind, TimelineKind
from sarv.core.jalali import jalali_year
from sarv.core.models import AuditLogEntry, ExternalReference, TimelineEntry
from sarv.core.text import normalize_identifier, normalize_stored
from sarv.incidents.models import Incident

logger = logging.getLogger(__name__)

# Fields an event may change. Each event's state lists all of them.
REPLAYED_FIELDS = (
    "status", "hold_reason", "requester", "department", "location", "channel", "category", "subcategory",
    "service", "symptom", "affected_ci_name", "affected_service_component", "impact", "urgency", "priority",
    "priority_overridden", "priority_override_reason", "assigned_group", "assignee", "reassignment_count",
    "reopen_count", "made_sla", "resolution_code", "resolved_by", "resolved_at", "closed_at",
)
# Values a source sets once per incident (refreshed on every run, but not replayed event by event).
FIXED_FIELDS = ("title", "description", "created_by", "source_data")
# A status entry carries these along with the status, as the incident actions do (resolve, reopen, close).
STATUS_FIELDS = frozenset({"status", "hold_reason", "resolved_at", "closed_at", "reopen_count"})
ASSIGNMENT_FIELDS = frozenset({"assigned_group", "assignee", "reassignment_count"})
# Values shown on the "created" entry even when they equal the model default, as create_incident does.
CREATED_ALWAYS = ("status", "priority", "impact", "urgency", "channel")
MISSING = ("", "?", "#N/B", "#n/b", "NaN", "nan", "NULL")

_FIELDS = {field.name: field for field in Incident._meta.concrete_fields}
_ATTNAMES = {name: _FIELDS[name].attname for name in (*REPLAYED_FIELDS, *FIXED_FIELDS, "created_at")}


def present(value: str | None) -> str:
    """Return ``value`` stripped, with runs of spaces collapsed, or "" when the source marks it missing."""
    if value is None:
        return ""
    value = " ".join(value.split())
    return "" if value in MISSING else value


@dataclass
class SourceEvent:
    """One event of a source incident and the replayed fields as they stood after it."""

    key: str
    at: dt.datetime
    actor_id: int | None
    state: dict[str, Any]
    # Every external reference known after this event: (kind, reference) pairs, cumulative.
    references: frozenset[tuple[str, str]] = frozenset()
    # Extra data written on each entry of this event, such as the source activity type.
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class SourceIncident:
    """An incident as a source file describes it; ``events[0]`` is its creation."""

    reference: str
    # None when the source has no timestamp: the first event's time (the import time) is used once, never updated.
    created_at: dt.datetime | None
    events: list[SourceEvent]
    values: dict[str, Any]


@dataclass(frozen=True)
class RejectedRow:
    line: int
    reference: str
    reason: str


@dataclass
class ImportSummary:
    """Counts and rejected rows of one import run, for the command's report and for tests."""

    system: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    rows_read: int = 0
    events_replayed: int = 0
    events_after_until: int = 0
    status_changes: int = 0
    entries_written: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    priorities: Counter[int] = field(default_factory=Counter)
    seconds: float = 0.0

    def reject(self, line: int, reference: str, reason: str) -> None:
        self.rejected.append(RejectedRow(line, reference, reason))
        logger.warning("Rejected line %s of %s (%s): %s", line, self.system, reference, reason)

    def rejected_by_reason(self) -> dict[str, list[RejectedRow]]:
        grouped: dict[str, list[RejectedRow]] = defaultdict(list)
        for row in self.rejected:
            grouped[row.reason].append(row)
        return dict(grouped)


def _clean_reference(reference: str) -> str:
    return normalize_identifier(reference)[:120]


def _created_at(item: SourceIncident) -> dt.datetime:
    return item.created_at or item.events[0].at


def chunked(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _raw(value: Any) -> Any:
    return audit.raw_value(value)


def _changes(before: dict[str, Any], after: dict[str, Any], names: Iterable[str]) -> list[dict[str, Any]]:
    """Return ``{"field", "old", "new"}`` with raw values for each of ``names`` that differs."""
    return [
        {"field": name, "old": _raw(before.get(name)), "new": _raw(after.get(name))}
        for name in names
        if before.get(name) != after.get(name)
    ]


@dataclass
class _PlannedEntry:
    key: str
    kind: str
    at: dt.datetime
    actor_id: int | None
    data: dict[str, Any]
    body: str = ""


class IncidentReplayer:
    """Writes source incidents into Sarv, creating or updating each and appending missing timeline entries."""

    def __init__(self, *, system: str, summary: ImportSummary, batch_size: int = 500, progress: bool = True,
                 total: int | None = None) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.system = system
        self.summary = summary
        self.batch_size = batch_size
        self.progress = progress
        self.total = total
        self.content_type = Incident.content_type()
        self.known = dict(
            ExternalReference.objects.filter(
                content_type=self.content_type, kind=ReferenceKind.SOURCE, system=system
            ).values_list("reference", "object_id")
        )
        self._actors: dict[int, User] = {}
        self._defaults = {name: _FIELDS[name].get_default() for name in REPLAYED_FIELDS}

    def run(self, incidents: Iterable[SourceIncident]) -> ImportSummary:
        started = time.monotonic()
        bar = tqdm(total=self.total, unit="incident", disable=not self.progress, desc=f"Importing {self.system}")
        try:
            for batch in chunked(incidents, self.batch_size):
                with transaction.atomic():
                    self._write_batch(batch)
                bar.update(len(batch))
        finally:
            bar.close()
        self.summary.seconds = time.monotonic() - started
        return self.summary

    # --- one batch -----------------------------------------------------------------------------------

    def _write_batch(self, batch: Sequence[SourceIncident]) -> None:
        for item in batch:
            # References are stored normalised (ASCII digits, no padding), so they are looked up that way too.
            item.reference = _clean_reference(item.reference)
        existing_ids = [self.known[item.reference] for item in batch if item.reference in self.known]
        stored = Incident.objects.in_bulk(existing_ids)
        stored_keys: dict[int, set[str]] = defaultdict(set)
        for object_id, key in TimelineEntry.objects.filter(
            content_type=self.content_type, object_id__in=existing_ids, source_key__isnull=False
        ).values_list("object_id", "source_key"):
            stored_keys[object_id].add(key)
        stored_refs: dict[int, set[tuple[str, str]]] = defaultdict(set)
        for object_id, kind, reference in ExternalReference.objects.filter(
            content_type=self.content_type, object_id__in=existing_ids, system=self.system
        ).values_list("object_id", "kind", "reference"):
            stored_refs[object_id].add((kind, reference))

        created = self._create([item for item in batch if item.reference not in self.known])
        entries: list[TimelineEntry] = []
        references: list[ExternalReference] = []
        audits = []
        for item in batch:
            self._count(item)
            incident = created.get(item.reference) or stored.get(self.known.get(item.reference, -1))
            if incident is None:
                continue
            is_new = item.reference in created
            planned = [entry for entry in self._plan_entries(item) if entry.key not in stored_keys[incident.pk]]
            wanted_refs = {(kind, _clean_reference(value)) for kind, value in item.events[-1].references}
            new_refs = sorted(wanted_refs - stored_refs[incident.pk])
            entries.extend(self._entry(incident, entry) for entry in planned)
            references.extend(self._reference(incident, kind, value, item) for kind, value in new_refs)
            if is_new:
                audits.append(audit.build(
                    actor=None, action=AuditAction.IMPORT, instance=incident,
                    changes={name: [None, value] for name, value in self._snapshot(incident).items()
                             if value is not None and value != "" and value != {}},
                ))
                self.summary.created += 1
                continue
            changes = self._update(incident, item, bool(planned or new_refs))
            if changes or planned or new_refs:
                if planned:
                    changes["timeline"] = [None, len(planned)]
                audits.append(audit.build(actor=None, action=AuditAction.IMPORT, instance=incident, changes=changes))
                self.summary.updated += 1
            else:
                self.summary.unchanged += 1

        TimelineEntry.objects.bulk_create(entries, batch_size=1000)
        ExternalReference.objects.bulk_create(references, batch_size=1000)
        AuditLogEntry.objects.bulk_create(audits, batch_size=1000)
        self.summary.entries_written += len(entries)

    def _count(self, item: SourceIncident) -> None:
        self.summary.events_replayed += len(item.events)
        self.summary.priorities[int(item.events[-1].state["priority"])] += 1
        previous = item.events[0].state
        for event in item.events[1:]:
            if (event.state["status"], event.state["hold_reason"]) != (previous["status"], previous["hold_reason"]):
                self.summary.status_changes += 1
            previous = event.state

    # --- incidents -----------------------------------------------------------------------------------

    def _final_values(self, item: SourceIncident) -> dict[str, Any]:
        values = dict(item.values)
        values.update(item.events[-1].state)
        values["title"] = normalize_stored(values.get("title") or "")[:300]
        if item.created_at is not None:
            values["created_at"] = item.created_at
        return values

    def _create(self, items: Sequence[SourceIncident]) -> dict[str, Incident]:
        """Create the incidents of ``items``, numbered in order of creation within each Jalali year."""
        if not items:
            return {}
        by_year: dict[int, list[SourceIncident]] = defaultdict(list)
        for item in items:
            by_year[jalali_year(_created_at(item))].append(item)
        numbers: dict[str, str] = {}
        for year, group in by_year.items():
            group.sort(key=lambda item: (_created_at(item), item.reference))
            allocated = numbering.allocate_numbers(Incident.NUMBER_PREFIX, year, len(group))
            numbers.update(zip((item.reference for item in group), allocated, strict=True))

        incidents = []
        for item in items:
            incident = Incident(number=numbers[item.reference], created_at=_created_at(item),
                                updated_at=item.events[-1].at)
            for name, value in self._final_values(item).items():
                setattr(incident, _ATTNAMES[name], value)
            incident.search_key = incident.build_search_key()
            incidents.append(incident)
        Incident.objects.bulk_create(incidents)
        sources = [self._reference(incident, ReferenceKind.SOURCE, item.reference, item)
                   for incident, item in zip(incidents, items, strict=True)]
        ExternalReference.objects.bulk_create(sources)
        for incident, item in zip(incidents, items, strict=True):
            self.known[item.reference] = incident.pk
        return {item.reference: incident for incident, item in zip(incidents, items, strict=True)}

    def _snapshot(self, incident: Incident) -> dict[str, Any]:
        return {name: _raw(getattr(incident, attname)) for name, attname in _ATTNAMES.items()}

    def _update(self, incident: Incident, item: SourceIncident, has_new_entries: bool) -> dict[str, list[Any]]:
        """Bring the stored fields in line with the source; return ``{field: [old, new]}`` of what changed."""
        before = self._snapshot(incident)
        for name, value in self._final_values(item).items():
            setattr(incident, _ATTNAMES[name], value)
        after = self._snapshot(incident)
        changes = audit.diff(before, after)
        if not changes and not has_new_entries:
            return {}
        incident.updated_at = max(incident.updated_at, item.events[-1].at)
        update_fields = [_ATTNAMES[name] for name in changes] + ["updated_at"]
        if changes:
            incident.version += 1
            update_fields.append("version")
        incident.save(update_fields=update_fields)
        return changes

    # --- timeline ------------------------------------------------------------------------------------

    def _plan_entries(self, item: SourceIncident) -> list[_PlannedEntry]:
        """Return every timeline entry the source events stand for, in order."""
        first = item.events[0]
        initial = {
            name: value for name, value in first.state.items()
            if name in CREATED_ALWAYS or value not in (None, "", self._defaults[name])
        }
        planned = [_PlannedEntry(
            key=f"{first.key}/created", kind=TimelineKind.CREATED, at=first.at, actor_id=first.actor_id,
            data={"changes": _changes({}, initial, initial), "source": self.system, **first.data},
            body=item.values.get("description", ""),
        )]
        planned.extend(self._reference_entries(first, frozenset()))
        previous = first
        for event in item.events[1:]:
            planned.extend(self._event_entries(previous, event))
            previous = event
        return planned

    def _event_entries(self, previous: SourceEvent, event: SourceEvent) -> list[_PlannedEntry]:
        before, after = previous.state, event.state
        # A field keeps one Python type across events (int, str, bool, datetime), so plain comparison is exact.
        changed = [name for name in REPLAYED_FIELDS if before.get(name) != after.get(name)]
        status_moved = "status" in changed or "hold_reason" in changed
        assigned = "assigned_group" in changed or "assignee" in changed
        groups: dict[str, list[str]] = {"assigned": [], "fields": [], "status": []}
        for name in changed:
            if status_moved and name in STATUS_FIELDS:
                groups["status"].append(name)
            elif assigned and name in ASSIGNMENT_FIELDS:
                groups["assigned"].append(name)
            else:
                groups["fields"].append(name)
        kinds = {"assigned": TimelineKind.ASSIGNED, "fields": TimelineKind.FIELD_CHANGED,
                 "status": TimelineKind.STATUS_CHANGED}
        entries = [
            _PlannedEntry(key=f"{event.key}/{part}", kind=kinds[part], at=event.at, actor_id=event.actor_id,
                          data={"changes": _changes(before, after, names), **event.data})
            for part, names in groups.items() if names
        ]
        entries.extend(self._reference_entries(event, previous.references))
        if not entries:
            entries.append(_PlannedEntry(key=f"{event.key}/updated", kind=TimelineKind.UPDATED, at=event.at,
                                         actor_id=event.actor_id, data={"changes": [], **event.data}))
        return entries

    def _reference_entries(self, event: SourceEvent, known: frozenset[tuple[str, str]]) -> list[_PlannedEntry]:
        return [
            _PlannedEntry(
                key=f"{event.key}/{kind}:{reference}"[:120], kind=TimelineKind.REFERENCE_ADDED, at=event.at,
                actor_id=event.actor_id,
                data={"kind": kind, "system": self.system, "reference": reference, "reference_date": None},
            )
            for kind, reference in sorted(event.references - known)
        ]

    def _actor(self, pk: int | None) -> User | None:
        if pk is None:
            return None
        if pk not in self._actors:
            # A bare instance is enough to set the foreign key; it saves a query per person.
            self._actors[pk] = User(pk=pk)
        return self._actors[pk]

    def _entry(self, incident: Incident, planned: _PlannedEntry) -> TimelineEntry:
        return TimelineEntry(**timeline.entry_values(
            incident, planned.kind, actor=self._actor(planned.actor_id), body=planned.body, data=planned.data,
            created_at=planned.at, source_key=planned.key,
        ))

    def _reference(self, incident: Incident, kind: str, reference: str, item: SourceIncident) -> ExternalReference:
        return ExternalReference(
            content_type=self.content_type, object_id=incident.pk, kind=kind, system=self.system,
            reference=_clean_reference(reference), created_at=item.events[0].at,
        )


PRIORITY_NAMES = {1: "critical", 2: "high", 3: "moderate", 4: "low", 5: "planning"}


def summary_lines(summary: ImportSummary, *, listed_reasons: int = 20) -> list[str]:
    """Return the closing report of an import run as lines of English text for the console."""
    lines = [
        f"Incidents: {summary.created:,} created, {summary.updated:,} updated, {summary.unchanged:,} unchanged, "
        f"{summary.skipped:,} skipped (no event to replay)",
        f"Rows read: {summary.rows_read:,}; events replayed: {summary.events_replayed:,}; "
        f"after the --until instant: {summary.events_after_until:,}",
        f"Status changes replayed: {summary.status_changes:,}; timeline entries written: {summary.entries_written:,}",
        "Final priorities: " + ", ".join(
            f"{PRIORITY_NAMES.get(code, code)} {count:,}" for code, count in sorted(summary.priorities.items())
        ),
        f"Rejected rows: {len(summary.rejected):,}",
    ]
    for reason, rows in sorted(summary.rejected_by_reason().items()):
        lines.append(f"  {reason}: {len(rows):,}")
        for row in rows[:listed_reasons]:
            lines.append(f"    line {row.line}, {row.reference or '(no number)'}")
        if len(rows) > listed_reasons:
            lines.append(f"    ... and {len(rows) - listed_reasons:,} more")
    lines.append(f"Time taken: {summary.seconds:.1f} s")
    return lines


def parse_instant(text: str, zone: str = "UTC") -> dt.datetime:
    """Parse an ISO 8601 date or datetime; without an offset it is read in ``zone``. Raise ValueError if invalid."""
    moment = dt.datetime.fromisoformat(text)
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=zoneinfo.ZoneInfo(zone))
    return moment.astimezone(dt.UTC)


def zone_argument(value: str) -> str:
    """Check a ``--time-zone`` value for argparse; an unknown zone stops the command with a clear message."""
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise argparse.ArgumentTypeError(f"unknown time zone: {value}") from None
    return value


def positive_argument(value: str) -> int:
    """Check a count option (``--batch-size``, ``--limit``) for argparse: a whole number of at least 1."""
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {value}")
    return int(value)


@contextlib.contextmanager
def reading(path: Path, error: type[Exception]) -> Iterator[None]:
    """Turn the errors of reading a damaged source file into ``error`` with a message that names the cause.

    Importers read every row before they write anything, so a file that fails here leaves the database as it was.
    """
    try:
        yield
    except UnicodeDecodeError as decode_error:
        raise error(f"{path} is not UTF-8 text (invalid byte at position {decode_error.start}); "
                    "save it as UTF-8 CSV and run the import again") from None
    except (EOFError, gzip.BadGzipFile, zlib.error) as gzip_error:
        raise error(f"{path} is a damaged or truncated gzip file: {gzip_error}") from None
    except csv.Error as csv_error:
        raise error(f"{path} is not a CSV file this importer can read: {csv_error}") from None
