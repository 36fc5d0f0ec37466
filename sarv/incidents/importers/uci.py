"""Import of the UCI "Incident management process enriched event log", a ServiceNow audit log.

Each CSV row is one update of one incident (141,712 rows of 24,918 incidents in
the published file). The rows of an incident, ordered by ``sys_updated_at``
then ``sys_mod_count``, are replayed into one Sarv incident: the first row
creates it and every later row becomes timeline entries with the row's time
and updater (see ``sarv.incidents.importers.common``). Rows that cannot be
replayed, such as the five with the invalid state ``-100``, are rejected and
reported, and the incident keeps the state it had before them.

Dates in the file are ``d/m/yyyy HH:MM`` with no zone, so they are read as UTC
unless the caller names another zone. People, groups, categories and
locations are pseudonyms («Caller 2403», «Group 56»). ``UciNames`` turns each
into a Sarv object named as in the file, and the demo passes its own mapping.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import logging
import sys
import time
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Protocol

from sarv.core.choices import Impact, Priority, ReferenceKind, Urgency
from sarv.core.priority import matrix
from sarv.incidents.choices import Channel, HoldReason, IncidentStatus
from sarv.incidents.importers import directory
from sarv.incidents.importers.common import (
    ImportSummary,
    IncidentReplayer,
    SourceEvent,
    SourceIncident,
    present,
    reading,
)

logger = logging.getLogger(__name__)

SYSTEM = "uci"
COLUMNS = (
    "number", "incident_state", "active", "reassignment_count", "reopen_count", "sys_mod_count", "made_sla",
    "caller_id", "opened_by", "opened_at", "sys_created_by", "sys_created_at", "sys_updated_by", "sys_updated_at",
    "contact_type", "location", "category", "subcategory", "u_symptom", "cmdb_ci", "impact", "urgency", "priority",
    "assignment_group", "assigned_to", "knowledge", "u_priority_confirmation", "notify", "problem_id", "rfc",
    "vendor", "caused_by", "closed_code", "resolved_by", "resolved_at", "closed_at",
)
STATES: dict[str, tuple[str, str]] = {
    "New": (IncidentStatus.NEW, ""),
    "Active": (IncidentStatus.IN_PROGRESS, ""),
    "Awaiting User Info": (IncidentStatus.ON_HOLD, HoldReason.AWAITING_REQUESTER),
    "Awaiting Vendor": (IncidentStatus.ON_HOLD, HoldReason.AWAITING_SUPPLIER),
    "Awaiting Problem": (IncidentStatus.ON_HOLD, HoldReason.AWAITING_PROBLEM),
    "Awaiting Evidence": (IncidentStatus.ON_HOLD, HoldReason.AWAITING_EVIDENCE),
    "Resolved": (IncidentStatus.RESOLVED, ""),
    "Closed": (IncidentStatus.CLOSED, ""),
}
IMPACTS = {"1 - High": Impact.HIGH, "2 - Medium": Impact.MEDIUM, "3 - Low": Impact.LOW}
URGENCIES = {"1 - High": Urgency.HIGH, "2 - Medium": Urgency.MEDIUM, "3 - Low": Urgency.LOW}
PRIORITIES = {"1 - Critical": Priority.CRITICAL, "2 - High": Priority.HIGH, "3 - Moderate": Priority.MODERATE,
              "4 - Low": Priority.LOW}
CHANNELS = {"Phone": Channel.PHONE, "Self service": Channel.PORTAL, "Email": Channel.EMAIL, "IVR": Channel.IVR,
            "Direct opening": Channel.WALK_IN}
# The reason stored with a priority that differs from what the matrix gives for the impact and urgency.
OVERRIDE_REASON = "imported"
FINAL_STATUSES = (IncidentStatus.RESOLVED, IncidentStatus.CLOSED)

# The column of each kind of pseudonym.
CALLER, OPENER, UPDATER, RESOLVER, ASSIGNEE = "caller", "opener", "updater", "resolver", "assignee"
PERSON_COLUMNS = {CALLER: "caller_id", OPENER: "opened_by", UPDATER: "sys_updated_by", RESOLVER: "resolved_by",
                  ASSIGNEE: "assigned_to"}
UNKNOWN_CALLER = "uci-unknown-caller"

_INDEX = {name: position for position, name in enumerate(COLUMNS)}


class UciFormatError(ValueError):
    """The file is not the UCI event log: a required column is missing, or it is not UTF-8 CSV text."""


class UciRow:
    """One event row of the file, its cells cleaned (missing values are "")."""

    __slots__ = ("cells", "line", "mod_count", "updated_at")

    def __init__(self, line: int, cells: tuple[str, ...], updated_at: dt.datetime, mod_count: int) -> None:
        self.line = line
        self.cells = cells
        self.updated_at = updated_at
        self.mod_count = mod_count

    def get(self, column: str) -> str:
        return self.cells[_INDEX[column]]

    @property
    def number(self) -> str:
        return self.cells[0]


class DateParser:
    """Parses the file's ``d/m/yyyy HH:MM`` timestamps in one zone into aware UTC datetimes, with a cache."""

    def __init__(self, zone: str = "UTC") -> None:
        self.zone = zoneinfo.ZoneInfo(zone)
        self._cache: dict[str, dt.datetime] = {}

    def __call__(self, text: str) -> dt.datetime:
        moment = self._cache.get(text)
        if moment is None:
            day, time_of_day = text.split(" ")
            day_part, month, year = (int(part) for part in day.split("/"))
            hour, minute = (int(part) for part in time_of_day.split(":"))
            moment = dt.datetime(year, month, day_part, hour, minute, tzinfo=self.zone).astimezone(dt.UTC)
            self._cache[text] = moment
        return moment

    def optional(self, text: str) -> dt.datetime | None:
        return self(text) if text else None


def open_text(path: Path) -> io.TextIOBase:
    """Open a CSV file, gzip-compressed or not, as UTF-8 text."""
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline="")
    return open(path, encoding="utf-8", newline="")


def read_rows(path: Path, parse: DateParser, summary: ImportSummary) -> dict[str, list[UciRow]]:
    """Return the rows of the file grouped by incident number, rejecting rows without a number or time."""
    grouped: dict[str, list[UciRow]] = defaultdict(list)
    with reading(path, UciFormatError), open_text(path) as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        missing = [name for name in COLUMNS if name not in header]
        if missing:
            raise UciFormatError(f"{path} is not the UCI incident event log: missing columns {', '.join(missing)}")
        order = [header.index(name) for name in COLUMNS]
        for line, cells in enumerate(reader, start=2):
            summary.rows_read += 1
            if len(cells) != len(header):
                summary.reject(line, "", f"expected {len(header)} cells, found {len(cells)}")
                continue
            values = tuple(sys.intern(present(cells[position])) for position in order)
            number = values[0]
            if not number:
                summary.reject(line, "", "missing number")
                continue
            try:
                updated_at = parse(values[_INDEX["sys_updated_at"]])
            except ValueError:
                summary.reject(line, number, f'invalid sys_updated_at "{values[_INDEX["sys_updated_at"]]}"')
                continue
            try:
                mod_count = int(values[_INDEX["sys_mod_count"]])
            except ValueError:
                summary.reject(line, number, f'invalid sys_mod_count "{values[_INDEX["sys_mod_count"]]}"')
                continue
            grouped[number].append(UciRow(line, values, updated_at, mod_count))
    for rows in grouped.values():
        rows.sort(key=lambda row: (row.updated_at, row.mod_count, row.line))
    return grouped


def slug(token: str) -> str:
    """Return a pseudonym as a code: «Opened by  8» becomes ``opened-by-8``."""
    return "-".join(token.lower().split())


class Names(Protocol):
    """Lookups the import makes for the file's pseudonyms; each method returns a primary key or text."""

    def prepare(self, rows: Iterable[UciRow]) -> None: ...
    def person(self, role: str, token: str, group: int | None = None) -> int | None: ...
    def department_of(self, user: int | None) -> int | None: ...
    def group(self, token: str) -> int | None: ...
    def category(self, token: str) -> int | None: ...
    def subcategory(self, category: int | None, token: str) -> int | None: ...
    def service(self, subcategory: int | None) -> int | None: ...
    def location(self, token: str) -> int | None: ...
    def symptom(self, token: str, subcategory: int | None) -> str: ...
    def resolution_code(self, token: str) -> int | None: ...
    def title(self, row: UciRow) -> str: ...
    def description(self, row: UciRow) -> str: ...


class UciNames:
    """Maps the file's pseudonyms onto Sarv objects named as in the file, creating them as needed.

    Callers become requesters; assignees («Resolver 15») become agents and
    members of every group they were assigned in. Openers, updaters and
    resolvers become people without a role: they appear as actors in the
    timeline. None of them can sign in until an administrator sets a password.
    """

    def __init__(self) -> None:
        self.people: dict[str, int] = {}
        self.groups: dict[str, int] = {}
        self.categories: dict[str, int] = {}
        self.subcategories: dict[tuple[int, str], int] = {}
        self.locations: dict[str, int] = {}
        self.codes: dict[str, int] = {}

    def prepare(self, rows: Iterable[UciRow]) -> None:
        """Create the objects that ``rows`` name and that do not exist yet."""
        people: dict[str, dict[str, str]] = {role: {} for role in PERSON_COLUMNS}
        people[CALLER][UNKNOWN_CALLER] = "Unknown caller"
        groups: dict[str, str] = {}
        categories: dict[str, str] = {}
        pairs: dict[tuple[str, str], str] = {}
        locations: dict[str, str] = {}
        codes: dict[str, str] = {}
        assignments: set[tuple[str, str]] = set()
        for row in rows:
            for role, column in PERSON_COLUMNS.items():
                if token := row.get(column):
                    people[role][self.username(token)] = token
            if group := row.get("assignment_group"):
                groups[f"uci-{slug(group)}"] = group
                if assignee := row.get("assigned_to"):
                    assignments.add((self.username(assignee), f"uci-{slug(group)}"))
            if category := row.get("category"):
                categories[f"uci-{slug(category)}"] = category
                if subcategory := row.get("subcategory"):
                    pairs[(f"uci-{slug(category)}", f"uci-{slug(subcategory)}")] = subcategory
            if location := row.get("location"):
                locations[f"uci-{slug(location)}"] = location
            if code := row.get("closed_code"):
                codes[f"uci-{slug(code)}"] = code

        roles = {CALLER: "requester", ASSIGNEE: "agent"}
        for role, names in people.items():
            self.people.update(directory.ensure_users(names, roles.get(role)))
        self.groups.update(directory.ensure_groups(groups))
        self.categories.update(directory.ensure_categories(categories))
        self.subcategories.update(directory.ensure_subcategories(
            {(self.categories[parent], code): name for (parent, code), name in pairs.items()}
        ))
        self.locations.update(directory.ensure_locations(locations))
        self.codes.update(directory.ensure_resolution_codes(codes))
        directory.ensure_memberships((self.people[user], self.groups[group]) for user, group in assignments)

    @staticmethod
    def username(token: str) -> str:
        return f"uci-{slug(token)}"[:150]

    def person(self, role: str, token: str, group: int | None = None) -> int | None:
        if not token:
            return self.people[UNKNOWN_CALLER] if role == CALLER else None
        return self.people[self.username(token)]

    def department_of(self, user: int | None) -> int | None:
        return None

    def group(self, token: str) -> int | None:
        return self.groups[f"uci-{slug(token)}"] if token else None

    def category(self, token: str) -> int | None:
        return self.categories[f"uci-{slug(token)}"] if token else None

    def subcategory(self, category: int | None, token: str) -> int | None:
        if category is None or not token:
            return None
        return self.subcategories[(category, f"uci-{slug(token)}")]

    def service(self, subcategory: int | None) -> int | None:
        return None

    def location(self, token: str) -> int | None:
        return self.locations[f"uci-{slug(token)}"] if token else None

    def symptom(self, token: str, subcategory: int | None) -> str:
        return token

    def resolution_code(self, token: str) -> int | None:
        return self.codes[f"uci-{slug(token)}"] if token else None

    def title(self, row: UciRow) -> str:
        """Build a title from the classification, because the file has no text of its own."""
        parts = " › ".join(part for part in (row.get("category"), row.get("subcategory")) if part)
        symptom = row.get("u_symptom")
        if parts and symptom:
            return f"{parts}: {symptom}"
        return parts or symptom or f"Incident {row.number}"

    def description(self, row: UciRow) -> str:
        return ""


class UciImport:
    """One run of the UCI import: read the file, prepare the people and groups, replay every incident.

    ``until`` (in the file's time) replays only events up to that instant and
    skips incidents opened after it. ``shift`` moves every stored time, which the
    demo uses to bring 2016 close to today. ``limit`` keeps the first incidents
    by opening time.
    """

    def __init__(
        self,
        path: Path | str,
        *,
        names: Names | None = None,
        until: dt.datetime | None = None,
        limit: int | None = None,
        shift: dt.timedelta = dt.timedelta(0),
        zone: str = "UTC",
        batch_size: int = 500,
        progress: bool = True,
    ) -> None:
        self.path = Path(path)
        self.names: Names = names or UciNames()
        self.until = until
        self.limit = limit
        self.shift = shift
        self.parse = DateParser(zone)
        self.batch_size = batch_size
        self.progress = progress
        self.summary = ImportSummary(system=SYSTEM)
        self.matrix = matrix()

    def run(self) -> ImportSummary:
        started = time.monotonic()
        grouped = read_rows(self.path, self.parse, self.summary)
        selected = self._select(grouped)
        self.names.prepare(row for rows in selected.values() for row in rows if self._replayable(row))
        replayer = IncidentReplayer(system=SYSTEM, summary=self.summary, batch_size=self.batch_size,
                                    progress=self.progress, total=len(selected))
        replayer.run(self._incidents(selected))
        self.summary.seconds = time.monotonic() - started
        logger.info("UCI import of %s: %s created, %s updated, %s unchanged", self.path,
                    self.summary.created, self.summary.updated, self.summary.unchanged)
        return self.summary

    def _opened_at(self, rows: list[UciRow]) -> dt.datetime:
        try:
            return self.parse(rows[0].get("opened_at"))
        except ValueError:
            return rows[0].updated_at

    def _select(self, grouped: dict[str, list[UciRow]]) -> dict[str, list[UciRow]]:
        """Return the incidents to replay, in order of opening, applying ``until`` and ``limit``."""
        order = sorted(grouped, key=lambda number: (self._opened_at(grouped[number]), number))
        if self.until is not None:
            opened_later = [number for number in order if self._opened_at(grouped[number]) > self.until]
            self.summary.skipped += len(opened_later)
            self.summary.events_after_until += sum(len(grouped[number]) for number in opened_later)
            order = [number for number in order if self._opened_at(grouped[number]) <= self.until]
        if self.limit is not None:
            order = order[: self.limit]
        return {number: grouped[number] for number in order}

    def _replayable(self, row: UciRow) -> bool:
        return row.get("incident_state") in STATES and (self.until is None or row.updated_at <= self.until)

    def _incidents(self, selected: dict[str, list[UciRow]]) -> Iterator[SourceIncident]:
        for number, rows in selected.items():
            incident = self._incident(number, rows)
            if incident is None:
                self.summary.skipped += 1
            else:
                yield incident

    def _incident(self, number: str, rows: list[UciRow]) -> SourceIncident | None:
        valid = [row for row in rows if row.get("incident_state") in STATES]
        last_entry = self._last_entries(valid)
        seen: dict[int, int] = defaultdict(int)
        events: list[SourceEvent] = []
        first_row: UciRow | None = None
        last_row: UciRow | None = None
        for row in rows:
            # sys_mod_count repeats inside a few incidents; the later rows get "#2", "#3".
            seen[row.mod_count] += 1
            key = f"{SYSTEM}:{number}:{row.mod_count}" + (f"#{seen[row.mod_count]}" if seen[row.mod_count] > 1 else "")
            if self.until is not None and row.updated_at > self.until:
                self.summary.events_after_until += 1
                continue
            state_name = row.get("incident_state")
            if state_name not in STATES:
                self.summary.reject(row.line, number, f'invalid incident_state "{state_name}"')
                continue
            previous = events[-1] if events else None
            try:
                state = self._state(row, previous.state if previous else None, last_entry)
            except ValueError as error:
                self.summary.reject(row.line, number, str(error))
                continue
            references = previous.references if previous else frozenset()
            for kind, column in ((ReferenceKind.PROBLEM, "problem_id"), (ReferenceKind.CHANGE, "rfc")):
                if value := row.get(column):
                    references = references | {(kind, value)}
            actor = self.names.person(UPDATER, row.get("sys_updated_by"))
            events.append(SourceEvent(key=key, at=row.updated_at + self.shift, actor_id=actor, state=state,
                                      references=references))
            first_row = first_row or row
            last_row = row
        if not events or first_row is None or last_row is None:
            return None
        return SourceIncident(
            reference=number,
            created_at=self._opened_at(rows) + self.shift,
            events=events,
            values={
                "title": self.names.title(first_row),
                "description": self.names.description(first_row),
                "created_by": self.names.person(OPENER, first_row.get("opened_by")),
                "source_data": self._source_data(last_row),
            },
        )

    @staticmethod
    def _last_entries(valid: list[UciRow]) -> dict[str, UciRow]:
        """Return the row of the last move into Resolved and into Closed: the file's final times belong to them."""
        entries: dict[str, UciRow] = {}
        previous = ""
        for row in valid:
            name = row.get("incident_state")
            if name in ("Resolved", "Closed") and name != previous:
                entries[name] = row
            previous = name
        return entries

    def _final_time(self, row: UciRow, column: str, entry: UciRow | None) -> dt.datetime:
        """Return the file's final resolved/closed time when ``row`` is the last move into that state."""
        if entry is row:
            value = self.parse.optional(row.get(column))
            if value is not None and (self.until is None or value <= self.until):
                return value + self.shift
        return row.updated_at + self.shift

    def _state(self, row: UciRow, previous: dict[str, Any] | None, last_entry: dict[str, UciRow]) -> dict[str, Any]:
        status, hold_reason = STATES[row.get("incident_state")]
        impact = _choice(IMPACTS, row, "impact")
        urgency = _choice(URGENCIES, row, "urgency")
        priority = _choice(PRIORITIES, row, "priority")
        names = self.names
        group = names.group(row.get("assignment_group"))
        requester = names.person(CALLER, row.get("caller_id"))
        category = names.category(row.get("category"))
        subcategory = names.subcategory(category, row.get("subcategory"))
        overridden = self.matrix.get((int(impact), int(urgency))) != int(priority)
        state: dict[str, Any] = {
            "status": status,
            "hold_reason": hold_reason,
            "requester": requester,
            "department": names.department_of(requester),
            "location": names.location(row.get("location")),
            "channel": CHANNELS.get(row.get("contact_type"), previous["channel"] if previous else Channel.PHONE),
            "category": category,
            "subcategory": subcategory,
            "service": names.service(subcategory),
            "symptom": names.symptom(row.get("u_symptom"), subcategory)[:200],
            "affected_ci_name": row.get("cmdb_ci")[:200],
            "affected_service_component": "",
            "impact": int(impact),
            "urgency": int(urgency),
            "priority": int(priority),
            "priority_overridden": overridden,
            "priority_override_reason": OVERRIDE_REASON if overridden else "",
            "assigned_group": group,
            "assignee": names.person(ASSIGNEE, row.get("assigned_to"), group),
            "reassignment_count": _count(row, "reassignment_count"),
            "reopen_count": _count(row, "reopen_count"),
            "made_sla": row.get("made_sla") == "true",
            "resolution_code": previous["resolution_code"] if previous else None,
            "resolved_by": previous["resolved_by"] if previous else None,
            "resolved_at": previous["resolved_at"] if previous else None,
            "closed_at": previous["closed_at"] if previous else None,
        }
        before = previous["status"] if previous else None
        if status in FINAL_STATUSES and before != status:
            state["resolution_code"] = state["resolution_code"] or names.resolution_code(row.get("closed_code"))
            state["resolved_by"] = state["resolved_by"] or names.person(RESOLVER, row.get("resolved_by"))
        if status == IncidentStatus.RESOLVED and before != status:
            state["resolved_at"] = self._final_time(row, "resolved_at", last_entry.get("Resolved"))
            state["closed_at"] = None
        elif status == IncidentStatus.CLOSED and before != status:
            state["closed_at"] = self._final_time(row, "closed_at", last_entry.get("Closed"))
        elif status not in FINAL_STATUSES:
            # Back to work after a resolution: the incident was reopened, as reopen_incident records it.
            state["resolved_at"] = None
            state["closed_at"] = None
        return state

    def _source_data(self, row: UciRow) -> dict[str, Any]:
        """Return the columns Sarv has no field for, as the incident's last replayed row has them."""
        data: dict[str, Any] = {
            "active": row.get("active") == "true",
            "knowledge": row.get("knowledge") == "true",
            "u_priority_confirmation": row.get("u_priority_confirmation") == "true",
            "notify": row.get("notify") or None,
            "vendor": row.get("vendor") or None,
            "caused_by": row.get("caused_by") or None,
            "sys_created_by": row.get("sys_created_by") or None,
            "sys_created_at": row.get("sys_created_at") or None,
            "opened_at": row.get("opened_at") or None,
        }
        return data


def _choice(mapping: dict[str, Any], row: UciRow, column: str) -> Any:
    value = row.get(column)
    if value not in mapping:
        raise ValueError(f'invalid {column} "{value}"')
    return mapping[value]


def _count(row: UciRow, column: str) -> int:
    value = row.get(column)
    try:
        return int(value) if value else 0
    except ValueError:
        raise ValueError(f'invalid {column} "{value}"') from None
