"""The shared record core, run on every record type: incidents and problems.

Each test gets a ``kind`` (a record type) that creates its records and edits them through that
app's own actions. The assertions are about the core: numbering, optimistic concurrency, the
timeline and audit rows, attachments, watchers, visibility and search. A record type that copied
any of these instead of reusing ``sarv.core`` would fail here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from sarv.core import records
from sarv.core.choices import AuditAction, TimelineKind
from sarv.core.errors import ConflictError
from sarv.core.models import Attachment, AuditLogEntry, TimelineEntry, WorkItem
from sarv.core.models.timeline import ImmutableRowError
from sarv.core.search import search
from sarv.core.timeline import entries_for
from sarv.core.visibility import can_view_attachment, visible_attachments
from sarv.incidents import actions as incident_actions
from sarv.incidents.models import Incident
from sarv.problems import actions as problem_actions
from sarv.problems.models import Problem

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class RecordKind:
    """How one record type is created and edited through its own app's actions."""

    model: type[WorkItem]
    prefix: str
    create: Callable[[Any, str], Any]
    edit_title: Callable[[Any, Any, int, str], Any]
    set_urgency: Callable[[Any, Any, int, int], Any]
    note: Callable[[Any, Any, str, list[Any]], Any]
    watch: Callable[[Any, Any, Any], Any]


def _create_incident(people: Any, title: str) -> WorkItem:
    return incident_actions.create_incident(actor=people.requester, title=title, description="شرح آزمایشی")


def _create_problem(people: Any, title: str) -> WorkItem:
    return problem_actions.open_problem(actor=people.agent, title=title, description="شرح آزمایشی")


KINDS = {
    "incident": RecordKind(
        model=Incident, prefix="INC", create=_create_incident,
        edit_title=lambda actor, record, version, title: incident_actions.update_incident(
            actor=actor, incident=record, expected_version=version, title=title),
        set_urgency=lambda actor, record, version, urgency: incident_actions.update_incident(
            actor=actor, incident=record, expected_version=version, urgency=urgency),
        note=lambda actor, record, body, files: incident_actions.add_work_note(
            actor=actor, incident=record, body=body, files=files),
        watch=lambda actor, record, user: incident_actions.add_watcher(actor=actor, incident=record, user=user),
    ),
    "problem": RecordKind(
        model=Problem, prefix="PRB", create=_create_problem,
        edit_title=lambda actor, record, version, title: problem_actions.update_problem(
            actor=actor, problem=record, expected_version=version, title=title),
        set_urgency=lambda actor, record, version, urgency: problem_actions.update_problem(
            actor=actor, problem=record, expected_version=version, urgency=urgency),
        note=lambda actor, record, body, files: problem_actions.add_work_note(
            actor=actor, problem=record, body=body, files=files),
        watch=lambda actor, record, user: problem_actions.add_watcher(actor=actor, problem=record, user=user),
    ),
}


@dataclass
class People:
    requester: Any
    agent: Any
    other_agent: Any


@pytest.fixture
def people(requester, agent, other_agent) -> People:
    return People(requester, agent, other_agent)


@pytest.fixture(params=sorted(KINDS))
def kind(request) -> RecordKind:
    return KINDS[request.param]


def _entries(record: WorkItem, kind_code: str) -> Any:
    return TimelineEntry.objects.filter(content_type=record.content_type(), object_id=record.pk, kind=kind_code)


def test_numbers_use_the_type_prefix_and_one_sequence_per_prefix(kind, people):
    first = kind.create(people, "اولی")
    second = kind.create(people, "دومی")
    prefix, year, sequence = first.number.split("-")
    assert prefix == kind.prefix
    assert second.number == f"{prefix}-{year}-{int(sequence) + 1:06d}"


def test_creation_writes_created_entry_and_audit_row(kind, people):
    record = kind.create(people, "ثبت تازه")
    assert _entries(record, TimelineKind.CREATED).count() == 1
    assert AuditLogEntry.objects.filter(action=AuditAction.CREATE, object_id=str(record.pk),
                                        content_type=record.content_type()).exists()


def test_second_of_two_conflicting_saves_gets_conflict(kind, people):
    record = kind.create(people, "عنوان اول")
    first_view = kind.model.objects.get(pk=record.pk)
    second_view = kind.model.objects.get(pk=record.pk)
    kind.edit_title(people.agent, first_view, first_view.version, "عنوان برنده")
    with pytest.raises(ConflictError):
        kind.edit_title(people.agent, second_view, second_view.version, "عنوان بازنده")
    record.refresh_from_db()
    assert record.title == "عنوان برنده"
    assert record.version == 2


def test_field_change_writes_raw_values_to_timeline_and_audit(kind, people):
    record = kind.create(people, "اولویت")
    kind.set_urgency(people.agent, record, record.version, 1)
    entry = _entries(record, TimelineKind.FIELD_CHANGED).get()
    changed = {change["field"]: (change["old"], change["new"]) for change in entry.data["changes"]}
    assert changed["urgency"] == (2, 1)
    assert changed["priority"] == (3, 2)
    row = AuditLogEntry.objects.filter(action=AuditAction.UPDATE, object_id=str(record.pk),
                                       content_type=record.content_type()).get()
    assert row.actor == people.agent
    assert row.changes["urgency"] == [2, 1]


def test_unchanged_values_write_nothing(kind, people):
    record = kind.create(people, "بدون تغییر")
    before = TimelineEntry.objects.count()
    kind.edit_title(people.agent, record, record.version, record.title)
    record.refresh_from_db()
    assert record.version == 1
    assert TimelineEntry.objects.count() == before


def test_timeline_entries_are_append_only(kind, people):
    record = kind.create(people, "سابقه")
    entry = _entries(record, TimelineKind.CREATED).get()
    entry.body = "rewritten"
    with pytest.raises(ImmutableRowError):
        entry.save()
    with pytest.raises(ImmutableRowError):
        entry.delete()


def test_work_note_and_its_file_are_hidden_from_requesters(kind, people, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    record = kind.create(people, "یادداشت")
    log = SimpleUploadedFile("server.log", b"disk full", content_type="text/plain")
    kind.note(people.agent, record, "یادداشت داخلی", [log])
    attachment = Attachment.objects.get(original_name="server.log")
    assert attachment.is_internal is True
    assert attachment.content_type == record.content_type()
    assert can_view_attachment(people.agent, attachment)
    assert not can_view_attachment(people.requester, attachment)
    assert list(visible_attachments(people.requester, record)) == []
    assert not entries_for(record, people.requester).filter(kind=TimelineKind.WORK_NOTE).exists()
    assert entries_for(record, people.agent).filter(kind=TimelineKind.WORK_NOTE).exists()


def test_watcher_is_added_once_with_timeline_entry(kind, people):
    record = kind.create(people, "ناظر")
    assert kind.watch(people.agent, record, people.other_agent) is not None
    assert kind.watch(people.agent, record, people.other_agent) is None
    assert _entries(record, TimelineKind.WATCHER_ADDED).count() == 1


def test_search_normalises_persian_text_and_numbers(kind, people):
    record = kind.create(people, "خرابي مكرر سرور")  # Arabic yeh and kaf as typed on some keyboards
    kind.create(people, "موضوع دیگر")
    queryset = kind.model.objects.all()
    assert list(search(queryset, "خرابی مکرر")) == [record]
    persian_number = record.number.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert list(search(queryset, persian_number)) == [record]


@pytest.mark.django_db(transaction=True)
def test_lock_outside_transaction_is_refused(kind, people):
    record = kind.create(people, "قفل")
    with pytest.raises(RuntimeError):
        records.lock(record, 1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_edits_give_one_winner(kind, people):
    record = kind.create(people, "هم‌زمان")
    start = threading.Barrier(6)
    outcomes: list[Any] = []
    lock = threading.Lock()

    def edit(index: int) -> None:
        result: Any = None
        try:
            start.wait()
            loaded = kind.model.objects.get(pk=record.pk)
            kind.edit_title(people.agent, loaded, 1, f"ویرایش {index}")
            result = "ok"
        except ConflictError as error:
            result = error
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=edit, args=(index,)) for index in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    record.refresh_from_db()
    assert outcomes.count("ok") == 1
    assert record.version == 2
