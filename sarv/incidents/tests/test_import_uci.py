"""The UCI event-log import, on a slice of the real file (nine incidents, 72 event rows).

The slice contains INC0028089 and INC0030413 with their five rows of the
invalid state -100, and incidents waiting for the user, a vendor, a problem
and evidence. It also has reassignments, a reopening, a priority the matrix
disagrees with, problem and change references, a repeated sys_mod_count
(INC0000130) and rows whose file order differs from their time order (INC0000137).
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from sarv.accounts.models import Location, SupportGroup, User
from sarv.core.choices import AuditAction, TimelineKind
from sarv.core.models import AuditLogEntry, Category, ExternalReference, TimelineEntry
from sarv.incidents.importers.uci import UciImport
from sarv.incidents.models import Incident, ResolutionCode

SAMPLE = Path(__file__).parent / "data" / "uci_sample.csv"
UTC = dt.UTC

pytestmark = pytest.mark.django_db


def run_import(path: Path = SAMPLE, **options):
    return UciImport(path, progress=False, **options).run()


def incident(number: str) -> Incident:
    reference = ExternalReference.objects.get(system="uci", kind="source", reference=number)
    return Incident.objects.get(pk=reference.object_id)


def entries(number: str):
    record = incident(number)
    return list(TimelineEntry.objects.filter(content_type=Incident.content_type(), object_id=record.pk)
                .select_related("actor").order_by("created_at", "id"))


def statuses(number: str) -> list[tuple[str, str]]:
    """Return the (status, hold reason) pairs the timeline records, starting with the created entry."""
    result = []
    for entry in entries(number):
        changes = {change["field"]: change["new"] for change in entry.data.get("changes", [])}
        if entry.kind == TimelineKind.CREATED:
            result.append((changes["status"], changes.get("hold_reason", "")))
        elif entry.kind == TimelineKind.STATUS_CHANGED:
            # A change of hold reason alone (on hold to on hold) records no status change.
            result.append((changes.get("status", result[-1][0]), changes.get("hold_reason", result[-1][1])))
    return result


def test_sample_import_counts():
    # given the slice of the file
    # when it is imported
    summary = run_import()

    # then every incident is created and every row is replayed or rejected
    assert (summary.created, summary.updated, summary.unchanged, summary.skipped) == (9, 0, 0, 0)
    assert summary.rows_read == 72
    assert summary.events_replayed == 67
    assert summary.status_changes == 33
    assert summary.entries_written == 88
    assert dict(summary.priorities) == {3: 7, 4: 1, 1: 1}
    assert Incident.objects.count() == 9
    assert AuditLogEntry.objects.filter(action=AuditAction.IMPORT).count() == 9


def test_invalid_state_rows_are_rejected_and_listed():
    summary = run_import()

    assert [(row.line, row.reference, row.reason) for row in summary.rejected] == [
        (49, "INC0028089", 'invalid incident_state "-100"'),
        (50, "INC0028089", 'invalid incident_state "-100"'),
        (58, "INC0030413", 'invalid incident_state "-100"'),
        (59, "INC0030413", 'invalid incident_state "-100"'),
        (60, "INC0030413", 'invalid incident_state "-100"'),
    ]


def test_inc0028089_keeps_its_status_across_rejected_rows():
    run_import()

    # then the two -100 rows (sys_mod_count 1 and 2) leave no entry and no status
    assert statuses("INC0028089") == [("new", ""), ("resolved", ""), ("closed", "")]
    assert [entry.source_key for entry in entries("INC0028089")] == [
        "uci:INC0028089:0/created",
        "uci:INC0028089:3/fields",
        "uci:INC0028089:3/status",
        "uci:INC0028089:4/updated",
        "uci:INC0028089:5/fields",
        "uci:INC0028089:5/status",
    ]
    record = incident("INC0028089")
    assert record.status == "closed"
    assert record.resolved_at == dt.datetime(2016, 6, 16, 13, 2, tzinfo=UTC)
    assert record.closed_at == dt.datetime(2016, 6, 21, 13, 7, tzinfo=UTC)
    assert record.resolution_code == ResolutionCode.objects.get(code="uci-code-7")
    assert record.resolved_by == User.objects.get(username="uci-resolved-by-175")
    assert record.made_sla is False


def test_awaiting_states_become_hold_reasons():
    run_import()

    assert statuses("INC0019197") == [
        ("new", ""), ("on_hold", "awaiting_requester"), ("on_hold", "awaiting_problem"),
        ("on_hold", "awaiting_supplier"), ("resolved", ""), ("closed", ""),
    ]
    assert statuses("INC0002054") == [
        ("in_progress", ""), ("on_hold", "awaiting_problem"), ("on_hold", "awaiting_requester"),
        ("on_hold", "awaiting_evidence"), ("resolved", ""), ("closed", ""),
    ]


def test_reassignments_are_assigned_entries():
    run_import()

    assigned = [entry for entry in entries("INC0002054") if entry.kind == TimelineKind.ASSIGNED]
    group_changes = [
        {change["field"]: (change["old"], change["new"]) for change in entry.data["changes"]} for entry in assigned
    ]
    group_33 = SupportGroup.objects.get(code="uci-group-33").pk
    group_35 = SupportGroup.objects.get(code="uci-group-35").pk
    assert group_changes[0]["assigned_group"] == (group_33, group_35)
    assert group_changes[0]["reassignment_count"] == (0, 1)
    assert group_changes[1]["assigned_group"] == (group_35, group_33)
    assert group_changes[1]["reassignment_count"] == (1, 2)
    assert incident("INC0002054").reassignment_count == 2


def test_priorities_follow_the_file():
    run_import()

    low = incident("INC0002054")
    assert (low.impact, low.urgency, low.priority) == (3, 3, 4)
    # the matrix gives "planning" for low x low, so the file's "4 - Low" is kept as a manual priority
    assert low.priority_overridden is True
    assert low.priority_override_reason == "imported"

    critical = incident("INC0001131")
    assert (critical.impact, critical.urgency, critical.priority, critical.priority_overridden) == (1, 1, 1, False)
    changed = [entry for entry in entries("INC0001131") if entry.kind == TimelineKind.FIELD_CHANGED]
    # the first change of fields is the subcategory (10:46); the second raises the priority
    assert changed[0].data["changes"][0]["field"] == "subcategory"
    raised = changed[1]
    assert raised.created_at == dt.datetime(2016, 3, 2, 15, 58, tzinfo=UTC)
    assert raised.actor.username == "uci-updated-by-862"
    assert raised.data["changes"] == [
        {"field": "impact", "old": 2, "new": 1},
        {"field": "urgency", "old": 2, "new": 1},
        {"field": "priority", "old": 3, "new": 1},
    ]


def test_entries_keep_actor_and_time():
    run_import()

    rows = entries("INC0000045")
    assert [(entry.kind, entry.created_at, entry.actor.username) for entry in rows] == [
        ("created", dt.datetime(2016, 2, 29, 1, 23, tzinfo=UTC), "uci-updated-by-21"),
        ("field_changed", dt.datetime(2016, 2, 29, 8, 53, tzinfo=UTC), "uci-updated-by-642"),
        ("status_changed", dt.datetime(2016, 2, 29, 8, 53, tzinfo=UTC), "uci-updated-by-642"),
        ("updated", dt.datetime(2016, 2, 29, 11, 29, tzinfo=UTC), "uci-updated-by-804"),
        ("status_changed", dt.datetime(2016, 3, 5, 12, 0, tzinfo=UTC), "uci-updated-by-908"),
    ]
    # status changes are public, the other entries internal, as for changes made in Sarv
    assert [entry.is_internal for entry in rows] == [False, True, False, True, False]
    assert rows[2].data == {"changes": [
        {"field": "status", "old": "new", "new": "resolved"},
        {"field": "resolved_at", "old": None, "new": "2016-02-29T11:29:00+00:00"},
    ]}


def test_incident_fields_from_the_file():
    run_import()

    record = incident("INC0000045")
    # opened 2016-02-29 01:16 UTC, which is 1394-12-10 in Tehran
    assert record.number.startswith("INC-1394-")
    assert record.created_at == dt.datetime(2016, 2, 29, 1, 16, tzinfo=UTC)
    assert record.title == "Category 55 › Subcategory 170: Symptom 72"
    assert record.requester.username == "uci-caller-2403"
    assert record.created_by == User.objects.get(username="uci-opened-by-8")
    category = Category.objects.get(code="uci-category-55", parent=None)
    assert record.category == category
    assert record.subcategory == Category.objects.get(code="uci-subcategory-170", parent=category)
    assert record.location == Location.objects.get(code="uci-location-143")
    assert record.channel == "phone"
    assert record.symptom == "Symptom 72"
    assert record.source_data["knowledge"] is True
    assert record.source_data["notify"] == "Do Not Notify"


def test_people_are_created_without_sign_in():
    run_import()

    caller = User.objects.get(username="uci-caller-2403")
    assert caller.first_name == "Caller 2403"
    assert not caller.has_usable_password()
    assert list(caller.groups.values_list("name", flat=True)) == ["requester"]
    assignee = User.objects.get(username="uci-resolver-15")
    assert list(assignee.groups.values_list("name", flat=True)) == ["agent"]
    assert list(assignee.support_groups.values_list("code", flat=True)) == ["uci-group-64"]


def test_problem_and_change_become_references():
    run_import()

    record = incident("INC0001131")
    references = set(record.external_references.values_list("kind", "system", "reference"))
    assert references == {
        ("source", "uci", "INC0001131"), ("problem", "uci", "Problem ID 8"), ("change", "uci", "CHG0000097"),
    }
    added = [entry.source_key for entry in entries("INC0001131") if entry.kind == TimelineKind.REFERENCE_ADDED]
    assert added == ["uci:INC0001131:0/change:CHG0000097", "uci:INC0001131:0/problem:Problem ID 8"]


def test_reopening_clears_the_resolution_time():
    run_import()

    assert statuses("INC0031942") == [
        ("new", ""), ("in_progress", ""), ("resolved", ""), ("in_progress", ""),
        ("on_hold", "awaiting_requester"), ("resolved", ""), ("closed", ""),
    ]
    reopened = [entry for entry in entries("INC0031942") if entry.kind == TimelineKind.STATUS_CHANGED][2]
    assert {"field": "resolved_at", "old": "2016-05-23T09:40:00+00:00", "new": None} in reopened.data["changes"]
    assert incident("INC0031942").reopen_count == 1


def test_repeated_mod_count_gets_its_own_key():
    run_import()

    keys = [entry.source_key for entry in entries("INC0000130")]
    assert keys[0] == "uci:INC0000130:2/created"
    assert "uci:INC0000130:2#2/assigned" in keys
    assert len(keys) == len(set(keys))


def test_second_run_changes_nothing():
    # given the slice imported once
    run_import()
    counts = (Incident.objects.count(), TimelineEntry.objects.count(), AuditLogEntry.objects.count(),
              ExternalReference.objects.count(), User.objects.count())
    versions = dict(Incident.objects.values_list("pk", "version"))

    # when it is imported again
    summary = run_import()

    # then nothing is created or written and the summary reports all as unchanged
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 9)
    assert summary.entries_written == 0
    assert (Incident.objects.count(), TimelineEntry.objects.count(), AuditLogEntry.objects.count(),
            ExternalReference.objects.count(), User.objects.count()) == counts
    assert dict(Incident.objects.values_list("pk", "version")) == versions


def test_second_run_appends_a_new_event(tmp_path):
    # given the slice imported once, then a file with one more event of INC0000045 (moved to Group 70)
    run_import()
    before = incident("INC0000045")
    changed = tmp_path / "uci.csv"
    shutil.copy(SAMPLE, changed)
    last_row = next(line for line in SAMPLE.read_text().splitlines() if line.startswith("INC0000045,Closed"))
    extra = last_row.replace(",4,true,", ",5,true,").replace("Updated by 908,5/3/2016 12:00",
                                                             "Updated by 908,6/3/2016 09:00")
    extra = extra.replace("Group 56", "Group 70")
    with changed.open("a") as handle:
        handle.write(extra + "\n")

    # when it is imported again
    summary = run_import(changed)

    # then only INC0000045 changes: one assigned entry and one audit row with the change
    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 8)
    assert summary.entries_written == 1
    after = incident("INC0000045")
    assert after.assigned_group == SupportGroup.objects.get(code="uci-group-70")
    assert after.version == before.version + 1
    assert entries("INC0000045")[-1].source_key == "uci:INC0000045:5/assigned"
    row = AuditLogEntry.objects.filter(action=AuditAction.IMPORT, object_id=str(after.pk)).order_by("-id")[0]
    group_56 = SupportGroup.objects.get(code="uci-group-56").pk
    group_70 = SupportGroup.objects.get(code="uci-group-70").pk
    assert row.changes == {"assigned_group": [group_56, group_70], "timeline": [None, 1]}


def test_until_replays_only_earlier_events():
    # when the slice is replayed up to 2016-05-20 00:00 UTC
    summary = run_import(until=dt.datetime(2016, 5, 20, tzinfo=UTC))

    # then INC0031942 (opened 2016-05-23) is skipped and INC0028089 stops at its first row
    assert summary.created == 8
    assert summary.skipped == 1
    assert summary.rejected == []
    assert not ExternalReference.objects.filter(reference="INC0031942").exists()
    record = incident("INC0028089")
    assert record.status == "new"
    assert record.resolved_at is None
    assert [entry.source_key for entry in entries("INC0028089")] == ["uci:INC0028089:0/created"]
    # INC0030413 was still new on 2016-05-20: work started on 2016-06-15
    assert incident("INC0030413").status == "new"


def test_full_run_after_until_completes_the_timeline():
    # given the slice replayed up to 2016-05-20
    run_import(until=dt.datetime(2016, 5, 20, tzinfo=UTC))

    # when the whole slice is imported
    summary = run_import()

    # then the cut incidents catch up and INC0031942 is created
    assert summary.created == 1
    assert statuses("INC0028089") == [("new", ""), ("resolved", ""), ("closed", "")]
    assert incident("INC0028089").resolved_at == dt.datetime(2016, 6, 16, 13, 2, tzinfo=UTC)
    assert len(summary.rejected) == 5


def test_command_prints_the_summary():
    out = io.StringIO()

    call_command("import_uci", str(SAMPLE), "--no-progress", stdout=out)

    text = out.getvalue()
    assert "Incidents: 9 created, 0 updated, 0 unchanged, 0 skipped (no event to replay)" in text
    assert "Status changes replayed: 33;" in text
    assert "Final priorities: critical 1, moderate 7, low 1" in text
    assert 'invalid incident_state "-100": 5' in text
    assert "    line 49, INC0028089" in text


def test_command_rejects_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="File not found"):
        call_command("import_uci", str(tmp_path / "missing.csv"), "--no-progress")


def test_command_rejects_a_bad_until():
    with pytest.raises(CommandError, match="--until is not an ISO 8601 date or datetime: yesterday"):
        call_command("import_uci", str(SAMPLE), "--until", "yesterday", "--no-progress")


def test_command_rejects_a_zero_batch_size():
    with pytest.raises(CommandError, match="expected a whole number of at least 1, got 0"):
        call_command("import_uci", str(SAMPLE), "--batch-size", "0", "--no-progress")


def test_batches_of_two_give_the_same_result():
    # given batches smaller than the slice, so incidents are written in five transactions
    summary = run_import(batch_size=2)

    # then the counts are those of one batch (88 entries: 67 events, some with several kinds of change)
    assert (summary.created, summary.status_changes, summary.entries_written) == (9, 33, 88)
    assert TimelineEntry.objects.count() == 88


def test_limit_takes_the_earliest_opened():
    summary = run_import(limit=2)

    assert summary.created == 2
    assert set(ExternalReference.objects.filter(system="uci", kind="source").values_list("reference", flat=True)) \
        == {"INC0000045", "INC0000130"}
