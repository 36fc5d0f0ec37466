"""The BPIC 2014 import, on slices of the real files.

``data/bpic`` contains the first 44 rows of the "at open" view (rows 23, 42 and
45 are identical) and the activity subset rows of im0000431, im0004936 and
im0014139. ``data/bpic_raw`` contains the raw-format samples: 20 Detail_Incident
rows and the activities of IM0000004, IM0000014, IM0000020 and IM0000021.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from sarv.accounts.models import SupportGroup
from sarv.core.choices import AuditAction, TimelineKind
from sarv.core.models import AuditLogEntry, Category, ExternalReference, TimelineEntry
from sarv.incidents.importers.bpic import BpicImport
from sarv.incidents.models import Incident, ResolutionCode

DATA = Path(__file__).parent / "data"
UTC = dt.UTC

pytestmark = pytest.mark.django_db


def run_import(folder: Path):
    return BpicImport(folder, progress=False).run()


def incident(reference: str) -> Incident:
    source = ExternalReference.objects.get(system="bpic2014", kind="source", reference=reference)
    return Incident.objects.get(pk=source.object_id)


def entries(reference: str):
    record = incident(reference)
    return list(TimelineEntry.objects.filter(content_type=Incident.content_type(), object_id=record.pk)
                .order_by("created_at", "id"))


def statuses(reference: str) -> list[str]:
    result = []
    for entry in entries(reference):
        changes = {change["field"]: change["new"] for change in entry.data.get("changes", [])}
        if entry.kind in (TimelineKind.CREATED, TimelineKind.STATUS_CHANGED):
            result.append(changes["status"])
    return result


def test_folder_import_counts():
    summary = run_import(DATA / "bpic")

    assert (summary.created, summary.updated, summary.unchanged) == (47, 0, 0)
    assert summary.rows_read == 44 + 16
    assert summary.rejected == []
    assert Incident.objects.count() == 47
    assert AuditLogEntry.objects.filter(action=AuditAction.IMPORT).count() == 47


def test_identical_at_open_rows_stay_distinct():
    # given rows 23, 42 and 45 of the at-open file, which are identical
    before = timezone.now()

    run_import(DATA / "bpic")

    # then each is its own incident, identified by file name and line
    rows = [incident(f"incidents_at_open_sample.csv:{line}") for line in (23, 42, 45)]
    assert len({row.pk for row in rows}) == 3
    assert {(row.affected_ci_name, row.affected_service_component, row.impact, row.urgency) for row in rows} == {
        ("SBA000025", "WBS000006", 2, 2)
    }
    assert [row.source_data["line"] for row in rows] == [23, 42, 45]
    # the file has no timestamps: the incidents are new and dated at the import
    assert all(row.status == "new" and row.created_at >= before for row in rows)


def test_at_open_levels_map_to_three():
    run_import(DATA / "bpic")

    medium = incident("incidents_at_open_sample.csv:23")
    assert medium.source_data["impact"] == "3 Medium"
    assert (medium.impact, medium.urgency, medium.priority) == (2, 2, 3)
    very_low = incident("incidents_at_open_sample.csv:3")
    assert very_low.source_data["impact"] == "5 Very Low"
    assert (very_low.impact, very_low.urgency, very_low.priority, very_low.priority_overridden) == (3, 3, 5, False)
    assert very_low.source_data["ci_type_subtype"] == "computer-Desktop"
    assert very_low.made_sla is False
    assert very_low.title == "computer-Desktop DSK000457"


def test_activity_subset_is_replayed():
    run_import(DATA / "bpic")

    # im0014139: open, reassignment, assignment, resolved, reopen, closed
    assert statuses("IM0014139") == ["assigned", "resolved", "assigned", "closed"]
    record = incident("IM0014139")
    assert record.assigned_group == SupportGroup.objects.get(code="bpic-team0129")
    assert (record.reassignment_count, record.reopen_count) == (1, 1)
    assert record.created_at == dt.datetime(2013, 11, 17, 8, 6, tzinfo=UTC)
    assert record.closed_at == dt.datetime(2013, 11, 20, 10, 32, tzinfo=UTC)
    assert record.resolved_at is None
    keys = [entry.source_key for entry in entries("IM0014139")]
    assert keys[0] == "bpic2014:IM0014139:001A5948048/created"
    assert "bpic2014:IM0014139:001A5963882/status" in keys


def test_communication_rows_are_updated_entries():
    run_import(DATA / "bpic")

    updated = [entry for entry in entries("IM0004936") if entry.kind == TimelineKind.UPDATED]
    assert [(entry.source_key, entry.data) for entry in updated] == [
        ("bpic2014:IM0004936:001A5688261/updated",
         {"changes": [], "activity": "communication with customer", "team": "TEAM0008"}),
    ]
    references = set(incident("IM0004936").external_references.values_list("kind", "reference"))
    assert references == {("source", "IM0004936"), ("ticket", "SD0012412")}


def test_raw_export_combines_incident_and_activities():
    summary = run_import(DATA / "bpic_raw")

    assert summary.created == 20
    record = incident("IM0000004")
    assert record.created_at == dt.datetime(2012, 2, 5, 13, 32, 57, tzinfo=UTC)
    assert (record.affected_ci_name, record.affected_service_component) == ("SUB000508", "WBS000162")
    assert (record.impact, record.urgency) == (3, 3)
    assert record.source_data["priority"] == "4"
    assert record.source_data["handle_time_hours"] == pytest.approx(3871.691111)
    assert record.source_data["ci_type"] == "subapplication"
    assert record.category == Category.objects.get(code="bpic-incident")
    assert record.resolution_code == ResolutionCode.objects.get(code="bpic-other")
    assert record.reassignment_count == 3
    assert record.resolved_at == dt.datetime(2013, 11, 4, 13, 50, 27, tzinfo=UTC)
    assert record.closed_at == dt.datetime(2013, 11, 4, 13, 51, 18, tzinfo=UTC)
    # the export has no "resolved" activity, so the incident row's Resolved Time is replayed
    assert statuses("IM0000004") == ["new", "assigned", "resolved", "closed"]
    assert "bpic2014:IM0000004:resolved/status" in [entry.source_key for entry in entries("IM0000004")]


def test_raw_incident_without_activities_replays_its_lifecycle():
    run_import(DATA / "bpic_raw")

    assert statuses("IM0000005") == ["new", "in_progress", "resolved", "closed"]
    assert incident("IM0000005").reopen_count == 1
    changes = set(incident("IM0000019").external_references.values_list("kind", "reference"))
    assert ("change", "C00000056") in changes


def test_second_run_changes_nothing():
    run_import(DATA / "bpic")
    run_import(DATA / "bpic_raw")
    counts = (Incident.objects.count(), TimelineEntry.objects.count(), AuditLogEntry.objects.count())

    first = run_import(DATA / "bpic")
    second = run_import(DATA / "bpic_raw")

    assert (first.created, first.updated, first.unchanged) == (0, 0, 47)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 20)
    assert (Incident.objects.count(), TimelineEntry.objects.count(), AuditLogEntry.objects.count()) == counts


def test_command_prints_the_summary():
    out = io.StringIO()

    call_command("import_bpic", str(DATA / "bpic"), "--no-progress", stdout=out)

    assert "Incidents: 47 created, 0 updated, 0 unchanged, 0 skipped (no event to replay)" in out.getvalue()


def test_command_rejects_a_folder_without_bpic_files(tmp_path):
    (tmp_path / "other.csv").write_text("a,b\n1,2\n")

    with pytest.raises(CommandError, match="No BPIC 2014 CSV file found in"):
        call_command("import_bpic", str(tmp_path), "--no-progress")


def test_command_rejects_an_unknown_time_zone():
    with pytest.raises(CommandError, match="unknown time zone: Mars/Olympus"):
        call_command("import_bpic", str(DATA / "bpic"), "--time-zone", "Mars/Olympus", "--no-progress")
