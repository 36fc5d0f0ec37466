"""Import of the BPI Challenge 2014 data of Rabobank Group ICT (HP Service Manager incidents).

The command reads every CSV file directly inside one folder and recognises its
format by the header:

- the "at open" view (``incidents_at_open*.csv``): one incident per row, with
  no id and no timestamp. Identical rows are still distinct incidents, so the
  identity is the file name and line number (``incidents_at_open_x.csv:2`` is
  the first data row). They are created as new incidents at the import time;
- the activity subset (``incident_activity_subset*.csv``): lower-cased,
  minute-precision activity rows of some incidents (``im0000431``);
- the raw ``Detail_Incident`` and ``Detail_Incident_Activity`` exports:
  semicolon-separated, ``dd/mm/yyyy`` or ``d-m-yyyy`` dates, decimal comma.

An incident with an id (``IM0000431``) combines the rows of all files about it.
The raw incident row gives the classification, CI and lifecycle times, and the
activity rows give the timeline. Open, assignment, reassignment, resolved,
closed and reopen activities change the incident; every other activity
(communication with the customer, operator updates...) becomes an "updated"
entry that keeps the activity type. BPIC names no people, so every incident has
one placeholder requester and entries have no actor.
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import re
import time
import zoneinfo
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils import timezone

from sarv.core.choices import Impact, ReferenceKind, Urgency
from sarv.core.priority import matrix
from sarv.incidents.choices import Channel, IncidentStatus
from sarv.incidents.importers import directory
from sarv.incidents.importers.common import (
    ImportSummary,
    IncidentReplayer,
    SourceEvent,
    SourceIncident,
    present,
    reading,
)
from sarv.incidents.importers.uci import open_text, slug

logger = logging.getLogger(__name__)

SYSTEM = "bpic2014"
REQUESTER = "bpic2014-requester"
# BPIC grades impact and urgency 1 (very high) to 5 (very low); Sarv has three levels.
LEVELS = {1: Impact.HIGH, 2: Impact.HIGH, 3: Impact.MEDIUM, 4: Impact.LOW, 5: Impact.LOW}
URGENCY_LEVELS = {1: Urgency.HIGH, 2: Urgency.HIGH, 3: Urgency.MEDIUM, 4: Urgency.LOW, 5: Urgency.LOW}
# Activities that change the incident; all others are replayed as "updated" entries.
OPEN, ASSIGNMENT, REASSIGNMENT, RESOLVED, CLOSED, REOPEN = (
    "open", "assignment", "reassignment", "resolved", "closed", "reopen"
)
_DAY_FIRST = re.compile(r"^(\d{1,2})[/-](\d{1,2})[/-](\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?$")

AT_OPEN, SUBSET, RAW_INCIDENTS, RAW_ACTIVITIES = "at_open", "activity_subset", "raw_incidents", "raw_activities"


class BpicFormatError(ValueError):
    """The folder contains no BPIC 2014 file this importer reads, or a file is not UTF-8 CSV text."""


def detect_format(path: Path) -> tuple[str, str] | None:
    """Return (format, delimiter) of a CSV file from its header, or None when it is not a BPIC file read here."""
    with reading(path, BpicFormatError), open_text(path) as handle:
        header = handle.readline().lstrip("\ufeff")
    delimiter = ";" if header.count(";") > header.count(",") else ","
    columns = {name.strip() for name in header.strip().split(delimiter)}
    if {"CI_Name_aff", "Open_Time_HourOfDay"} <= columns:
        return AT_OPEN, delimiter
    if {"number", "incidentactivity_number", "incident_state"} <= columns:
        return SUBSET, delimiter
    if {"Incident ID", "IncidentActivity_Type"} <= columns:
        return RAW_ACTIVITIES, delimiter
    if {"Incident ID", "Open Time"} <= columns:
        return RAW_INCIDENTS, delimiter
    return None


def source_name(path: Path) -> str:
    """Return the file name without ``.gz``, so a compressed and a plain copy give the same identities."""
    return path.name[:-3] if path.name.endswith(".gz") else path.name


def level(value: str, levels: dict[int, Any]) -> Any:
    """Return the Sarv level of a BPIC grade such as ``4`` or ``4 Low``; raise ValueError otherwise."""
    head = value.split(" ", 1)[0]
    if not head.isdecimal() or int(head) not in levels:
        raise ValueError(value)
    return levels[int(head)]


def decimal(value: str) -> float | str | None:
    """Return a number written with a decimal comma (``3871,691111``) or point; other text is kept as it is."""
    if not value:
        return None
    try:
        return float(value.replace(",", "."))
    except ValueError:
        return value


@dataclass
class Activity:
    number: str
    at: dt.datetime
    kind: str
    team: str
    line: int


@dataclass
class BpicCase:
    """The rows of all files about one incident id."""

    incident_id: str
    row: dict[str, str] | None = None
    activities: dict[str, Activity] = field(default_factory=dict)
    km_number: str = ""
    interaction: str = ""


class BpicImport:
    """One run of the BPIC 2014 import over the files found in ``folder``."""

    def __init__(self, folder: Path | str, *, zone: str = "UTC", batch_size: int = 500,
                 progress: bool = True) -> None:
        self.folder = Path(folder)
        self.zone = zoneinfo.ZoneInfo(zone)
        self.batch_size = batch_size
        self.progress = progress
        self.summary = ImportSummary(system=SYSTEM)
        self.matrix = matrix()
        self.now = timezone.now()
        self.files: dict[str, list[tuple[Path, str]]] = defaultdict(list)
        self.cases: dict[str, BpicCase] = {}
        self.at_open: list[tuple[str, int, dict[str, str]]] = []
        self.teams: dict[str, int] = {}
        self.categories: dict[str, int] = {}
        self.codes: dict[str, int] = {}
        self.requester: int | None = None

    def run(self) -> ImportSummary:
        started = time.monotonic()
        for path in sorted(self.folder.iterdir()):
            if path.is_file() and path.name.lower().endswith((".csv", ".csv.gz")):
                found = detect_format(path)
                if found is None:
                    logger.info("Skipping %s: not a BPIC 2014 file this importer reads", path)
                    continue
                self.files[found[0]].append((path, found[1]))
        if not self.files:
            raise BpicFormatError(f"No BPIC 2014 CSV file found in {self.folder}")
        for kind, reader in ((AT_OPEN, self._read_at_open), (RAW_INCIDENTS, self._read_raw_incidents),
                             (SUBSET, self._read_subset), (RAW_ACTIVITIES, self._read_raw_activities)):
            for path, delimiter in self.files.get(kind, []):
                reader(path, delimiter)
        self._prepare()
        replayer = IncidentReplayer(system=SYSTEM, summary=self.summary, batch_size=self.batch_size,
                                    progress=self.progress, total=len(self.at_open) + len(self.cases))
        replayer.run(self._incidents())
        self.summary.seconds = time.monotonic() - started
        logger.info("BPIC 2014 import of %s: %s created, %s updated, %s unchanged", self.folder,
                    self.summary.created, self.summary.updated, self.summary.unchanged)
        return self.summary

    # --- reading -------------------------------------------------------------------------------------

    def _rows(self, path: Path, delimiter: str) -> Iterator[tuple[int, dict[str, str]]]:
        with reading(path, BpicFormatError), open_text(path) as handle:
            reader = csv.reader(handle, delimiter=delimiter)
            header = [name.strip().lstrip("\ufeff") for name in next(reader, [])]
            for line, cells in enumerate(reader, start=2):
                self.summary.rows_read += 1
                # The raw exports end every line with dozens of empty fields; only the named ones count.
                yield line, {name: present(cells[i]) if i < len(cells) else "" for i, name in enumerate(header)}

    def _time(self, text: str) -> dt.datetime:
        """Parse ``dd/mm/yyyy HH:MM[:SS]``, ``d-m-yyyy H:MM`` or ISO ``yyyy-mm-dd HH:MM:SS`` in the source zone."""
        match = _DAY_FIRST.match(text)
        if match:
            day, month, year, hour, minute, second = (int(part or 0) for part in match.groups())
            moment = dt.datetime(year, month, day, hour, minute, second, tzinfo=self.zone)
        else:
            moment = dt.datetime.fromisoformat(text)
            if timezone.is_naive(moment):
                moment = moment.replace(tzinfo=self.zone)
        return moment.astimezone(dt.UTC)

    def _read_at_open(self, path: Path, delimiter: str) -> None:
        name = source_name(path)
        for line, row in self._rows(path, delimiter):
            self.at_open.append((name, line, row))

    def _case(self, raw_id: str) -> BpicCase:
        incident_id = raw_id.upper()
        case = self.cases.get(incident_id)
        if case is None:
            case = self.cases[incident_id] = BpicCase(incident_id)
        return case

    def _read_raw_incidents(self, path: Path, delimiter: str) -> None:
        for line, row in self._rows(path, delimiter):
            if not row.get("Incident ID"):
                self.summary.reject(line, "", f"missing Incident ID in {path.name}")
                continue
            case = self._case(row["Incident ID"])
            case.row = {**row, "_line": str(line)}
            case.km_number = case.km_number or row.get("KM number", "").upper()
            if row.get("Related Interaction", "").upper().startswith("SD"):
                case.interaction = row["Related Interaction"].upper()

    def _add_activity(self, case: BpicCase, activity: Activity) -> None:
        # The subset and the raw export may hold the same activity; its number identifies it.
        case.activities.setdefault(activity.number, activity)

    def _read_subset(self, path: Path, delimiter: str) -> None:
        for line, row in self._rows(path, delimiter):
            self._read_activity(path, line, row["number"], row.get("updated_at", ""), row["incidentactivity_number"],
                                row["incident_state"], row.get("assignment_group", ""), row.get("km_number", ""),
                                row.get("interaction_id", ""))

    def _read_raw_activities(self, path: Path, delimiter: str) -> None:
        for line, row in self._rows(path, delimiter):
            self._read_activity(path, line, row["Incident ID"], row.get("DateStamp", ""),
                                row.get("IncidentActivity_Number", ""), row["IncidentActivity_Type"],
                                row.get("Assignment Group", ""), row.get("KM number", ""),
                                row.get("Interaction ID", ""))

    def _read_activity(self, path: Path, line: int, raw_id: str, stamp: str, number: str, kind: str, team: str,
                       km_number: str, interaction: str) -> None:
        if not raw_id or not number:
            self.summary.reject(line, raw_id.upper(), f"missing incident or activity number in {path.name}")
            return
        try:
            at = self._time(stamp)
        except ValueError:
            self.summary.reject(line, raw_id.upper(), f'invalid activity time "{stamp}" in {path.name}')
            return
        case = self._case(raw_id)
        self._add_activity(case, Activity(number.upper(), at, kind.lower(), team.upper(), line))
        case.km_number = case.km_number or km_number.upper()
        if interaction.upper().startswith("SD"):
            case.interaction = case.interaction or interaction.upper()

    # --- reference data ------------------------------------------------------------------------------

    def _prepare(self) -> None:
        self.requester = directory.ensure_users({REQUESTER: "BPIC 2014 requester"}, "requester")[REQUESTER]
        teams = {activity.team: activity.team for case in self.cases.values()
                 for activity in case.activities.values() if activity.team}
        self.teams = directory.ensure_groups({f"bpic-{slug(team)}": team for team in teams})
        categories = {case.row["Category"] for case in self.cases.values() if case.row and case.row.get("Category")}
        self.categories = directory.ensure_categories({f"bpic-{slug(name)}": name for name in categories})
        codes = {case.row["Closure Code"] for case in self.cases.values() if case.row and case.row.get("Closure Code")}
        self.codes = directory.ensure_resolution_codes({f"bpic-{slug(name)}": name for name in codes})

    def _team(self, team: str) -> int | None:
        return self.teams[f"bpic-{slug(team)}"] if team else None

    # --- building incidents --------------------------------------------------------------------------

    def _incidents(self) -> Iterator[SourceIncident]:
        for name, line, row in self.at_open:
            incident = self._at_open_incident(name, line, row)
            if incident is not None:
                yield incident
        for case in self.cases.values():
            incident = self._case_incident(case)
            if incident is not None:
                yield incident

    def _base_state(self, impact: Any, urgency: Any) -> dict[str, Any]:
        # NOTE: the files do not say how each incident was reported; the phone channel is an assumption.
        return {
            "status": IncidentStatus.NEW, "hold_reason": "", "requester": self.requester, "department": None,
            "location": None, "channel": Channel.PHONE, "category": None, "subcategory": None, "service": None,
            "symptom": "", "affected_ci_name": "", "affected_service_component": "",
            "impact": int(impact), "urgency": int(urgency), "priority": self.matrix[(int(impact), int(urgency))],
            "priority_overridden": False, "priority_override_reason": "", "assigned_group": None, "assignee": None,
            "reassignment_count": 0, "reopen_count": 0, "made_sla": None, "resolution_code": None,
            "resolved_by": None, "resolved_at": None, "closed_at": None,
        }

    def _at_open_incident(self, name: str, line: int, row: dict[str, str]) -> SourceIncident | None:
        reference = f"{name}:{line}"
        try:
            impact = level(row.get("Impact", ""), LEVELS)
            urgency = level(row.get("Urgency", ""), URGENCY_LEVELS)
        except ValueError as error:
            self.summary.reject(line, reference, f'invalid impact or urgency "{error}"')
            return None
        state = self._base_state(impact, urgency)
        state["affected_ci_name"] = row["CI_Name_aff"][:200]
        state["affected_service_component"] = row.get("Service_Component_WBS_aff", "")[:200]
        state["made_sla"] = {"0": True, "1": False}.get(row.get("SLAFail", ""))
        title = " ".join(part for part in (row.get("CI_TypeSubType_aff", ""), row["CI_Name_aff"]) if part)
        return SourceIncident(
            reference=reference,
            created_at=None,
            events=[SourceEvent(key=f"{SYSTEM}:{reference}", at=self.now, actor_id=None, state=state)],
            values={
                "title": title or f"BPIC 2014 incident {reference}",
                "description": "",
                "created_by": None,
                "source_data": {
                    "file": name, "line": line, "impact": row.get("Impact", ""), "urgency": row.get("Urgency", ""),
                    "km_number": row.get("KM_number", ""), "ci_type_subtype": row.get("CI_TypeSubType_aff", ""),
                    "related_interactions": decimal(row.get("Count_Related_Interactions", "")),
                    "related_incidents": decimal(row.get("Count_Related_Incidents", "")),
                    "related_changes": decimal(row.get("Count_Related_Changes", "")),
                    "sla_fail": row.get("SLAFail", "") == "1",
                    "open_hour": row["Open_Time_HourOfDay"], "open_weekday": row.get("Open_Time_DayOfWeek", ""),
                },
            },
        )

    def _lifecycle(self, case: BpicCase) -> list[Activity]:
        """Return the lifecycle steps the raw incident row records that no activity row covers."""
        row = case.row
        if row is None:
            return []
        kinds = {activity.kind for activity in case.activities.values()}
        steps = []
        for kind, column in ((OPEN, "Open Time"), (REOPEN, "Reopen Time"), (RESOLVED, "Resolved Time"),
                             (CLOSED, "Close Time")):
            if row.get(column) and kind not in kinds:
                steps.append(Activity(kind, self._time(row[column]), kind, "", int(row["_line"])))
        return steps

    def _case_incident(self, case: BpicCase) -> SourceIncident | None:
        row = case.row or {}
        try:
            impact = level(row.get("Impact", ""), LEVELS) if row.get("Impact") else Impact.MEDIUM
            urgency = level(row.get("Urgency", ""), URGENCY_LEVELS) if row.get("Urgency") else Urgency.MEDIUM
            lifecycle = self._lifecycle(case)
        except ValueError as error:
            self.summary.reject(int(row.get("_line", 0)), case.incident_id, f'invalid value "{error}"')
            return None
        # A lifecycle step sorts before an activity at the same instant, and "open" before everything.
        order = {OPEN: 0, REOPEN: 1, RESOLVED: 2, CLOSED: 3}
        steps = sorted(lifecycle, key=lambda step: (step.at, order[step.kind]))
        activities = sorted(case.activities.values(), key=lambda item: (item.at, item.kind != OPEN, item.number))
        timeline = sorted([*steps, *activities], key=lambda item: (item.at, item.kind != OPEN))
        if not timeline:
            return None
        state = self._base_state(impact, urgency)
        state["affected_ci_name"] = row.get("CI Name (aff)", "")[:200]
        state["affected_service_component"] = row.get("Service Component WBS (aff)", "")[:200]
        if row.get("Category"):
            state["category"] = self.categories[f"bpic-{slug(row['Category'])}"]
        references: frozenset[tuple[str, str]] = frozenset()
        if case.interaction:
            references |= {(ReferenceKind.TICKET, case.interaction)}
        if row.get("Related Change", "").upper().startswith("C"):
            references |= {(ReferenceKind.CHANGE, row["Related Change"].upper())}
        code = self.codes.get(f"bpic-{slug(row['Closure Code'])}") if row.get("Closure Code") else None

        events = []
        for item in timeline:
            state = self._apply(state, item, code)
            events.append(SourceEvent(
                key=f"{SYSTEM}:{case.incident_id}:{item.number}", at=item.at, actor_id=None, state=state,
                references=references, data={"activity": item.kind, **({"team": item.team} if item.team else {})},
            ))
        return SourceIncident(
            reference=case.incident_id,
            created_at=events[0].at,
            events=events,
            values={
                "title": self._title(case),
                "description": "",
                "created_by": None,
                "source_data": self._case_data(case),
            },
        )

    def _apply(self, previous: dict[str, Any], item: Activity, code: int | None) -> dict[str, Any]:
        """Return the state after ``item``; activities that change nothing return an equal copy."""
        state = dict(previous)
        team = self._team(item.team)
        if item.kind == OPEN:
            state["assigned_group"] = team or state["assigned_group"]
            state["status"] = IncidentStatus.ASSIGNED if state["assigned_group"] else IncidentStatus.NEW
        elif item.kind in (ASSIGNMENT, REASSIGNMENT) and team is not None:
            if item.kind == REASSIGNMENT:
                state["reassignment_count"] += 1
            state["assigned_group"] = team
            if state["status"] == IncidentStatus.NEW:
                state["status"] = IncidentStatus.ASSIGNED
        elif item.kind == RESOLVED:
            state.update(status=IncidentStatus.RESOLVED, hold_reason="", resolved_at=item.at,
                         resolution_code=state["resolution_code"] or code)
        elif item.kind == CLOSED:
            state.update(status=IncidentStatus.CLOSED, hold_reason="", closed_at=item.at,
                         resolution_code=state["resolution_code"] or code)
        elif item.kind == REOPEN:
            state.update(
                status=IncidentStatus.ASSIGNED if state["assigned_group"] else IncidentStatus.IN_PROGRESS,
                hold_reason="", resolved_at=None, closed_at=None, reopen_count=state["reopen_count"] + 1,
            )
        return state

    @staticmethod
    def _title(case: BpicCase) -> str:
        row = case.row or {}
        ci = " ".join(part for part in (row.get("CI Subtype (aff)"), row.get("CI Name (aff)")) if part)
        if ci:
            return f"{case.incident_id}: {ci}"
        return f"{case.incident_id}: {case.km_number}" if case.km_number else case.incident_id

    @staticmethod
    def _case_data(case: BpicCase) -> dict[str, Any]:
        data: dict[str, Any] = {"km_number": case.km_number or None, "interaction_id": case.interaction or None}
        row = case.row
        if row is None:
            return data
        data.update({
            "impact": row.get("Impact") or None, "urgency": row.get("Urgency") or None,
            "priority": row.get("Priority") or None, "status": row.get("Status") or None,
            "ci_type": row.get("CI Type (aff)") or None, "ci_subtype": row.get("CI Subtype (aff)") or None,
            "alert_status": row.get("Alert Status") or None, "reassignments": row.get("# Reassignments") or None,
            "handle_time_hours": decimal(row.get("Handle Time (Hours)", "")),
            "related_interactions": row.get("# Related Interactions") or None,
            "related_interaction": row.get("Related Interaction") or None,
            "related_incidents": row.get("# Related Incidents") or None,
            "related_changes": row.get("# Related Changes") or None,
            "caused_by_ci_name": row.get("CI Name (CBy)") or None,
            "caused_by_ci_type": row.get("CI Type (CBy)") or None,
            "caused_by_ci_subtype": row.get("CI Subtype (CBy)") or None,
            "caused_by_service_component": row.get("ServiceComp WBS (CBy)") or None,
        })
        return data
