"""The shared record core: optimistic concurrency, append-only history, audit rows, watchers, references."""

import datetime as dt
import threading

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import translation

from sarv.core import records, request_context
from sarv.core.choices import AuditAction, ReferenceKind, TimelineKind
from sarv.core.errors import ConflictError, ValidationFailed
from sarv.core.models import AuditLogEntry, ExternalReference, TimelineEntry
from sarv.core.models.timeline import ImmutableRowError
from sarv.incidents import actions
from sarv.incidents.models import Incident

pytestmark = pytest.mark.django_db


def test_second_of_two_conflicting_saves_gets_conflict(requester, agent, make_incident):
    # given two agents who opened the same incident at version 1
    incident = make_incident(requester)
    first_view = Incident.objects.get(pk=incident.pk)
    second_view = Incident.objects.get(pk=incident.pk)
    # when both save a change
    actions.update_incident(actor=agent, incident=first_view, expected_version=first_view.version,
                            title="چاپگر طبقه سوم خاموش است")
    with translation.override("en"), pytest.raises(ConflictError) as conflict:
        actions.update_incident(actor=agent, incident=second_view, expected_version=second_view.version,
                                title="عنوان دیگر")
    # then the second save wrote nothing and got the conflict message
    incident.refresh_from_db()
    assert incident.title == "چاپگر طبقه سوم خاموش است"
    assert incident.version == 2
    assert conflict.value.code == "conflict"
    assert conflict.value.status_code == 409
    assert "changed this record after you opened it" in conflict.value.message


def test_field_change_writes_timeline_and_audit_with_raw_values(requester, agent, make_incident):
    incident = make_incident(requester)
    token = request_context.set_current(request_context.RequestInfo(ip_address="10.1.2.3"))
    try:
        actions.update_incident(actor=agent, incident=incident, expected_version=1, impact=1, urgency=1)
    finally:
        request_context.reset(token)
    entry = TimelineEntry.objects.filter(object_id=incident.pk, kind=TimelineKind.FIELD_CHANGED).get()
    changed = {change["field"]: (change["old"], change["new"]) for change in entry.data["changes"]}
    assert changed == {"impact": (2, 1), "urgency": (2, 1), "priority": (3, 1)}
    assert entry.is_internal is True
    row = AuditLogEntry.objects.filter(action=AuditAction.UPDATE, object_id=str(incident.pk)).get()
    assert row.actor == agent
    assert row.ip_address == "10.1.2.3"
    assert row.changes["priority"] == [3, 1]


def test_unchanged_values_write_nothing(requester, agent, make_incident):
    incident = make_incident(requester)
    changes_before = TimelineEntry.objects.count()
    actions.update_incident(actor=agent, incident=incident, expected_version=1, title=incident.title)
    incident.refresh_from_db()
    assert incident.version == 1
    assert TimelineEntry.objects.count() == changes_before


def test_timeline_and_audit_rows_are_append_only(requester, make_incident):
    make_incident(requester)
    entry = TimelineEntry.objects.get(kind=TimelineKind.CREATED)
    entry.body = "rewritten"
    with pytest.raises(ImmutableRowError):
        entry.save()
    with pytest.raises(ImmutableRowError):
        entry.delete()
    with pytest.raises(ImmutableRowError):
        TimelineEntry.objects.all().update(body="x")
    with pytest.raises(ImmutableRowError):
        AuditLogEntry.objects.all().delete()


@pytest.mark.django_db(transaction=True)
def test_lock_outside_transaction_is_refused(requester, make_incident):
    incident = make_incident(requester)
    with pytest.raises(RuntimeError):
        records.lock(incident, 1)


def test_letter_reference_keeps_ascii_digits_and_date(requester, agent, make_incident):
    incident = make_incident(requester)
    reference = actions.add_letter_reference(actor=agent, incident=incident, number="۱۲۳/۴۵۶/ص",
                                             date=dt.date(2026, 11, 30))
    assert reference.reference == "123/456/ص"
    assert reference.kind == ReferenceKind.LETTER
    entry = TimelineEntry.objects.filter(object_id=incident.pk, kind=TimelineKind.REFERENCE_ADDED).get()
    assert entry.data["reference"] == "123/456/ص"
    assert entry.data["reference_date"] == "2026-11-30"


def test_import_source_reference_is_unique_per_system(requester, agent, make_incident):
    first, second = make_incident(requester), make_incident(requester)
    ct = ContentType.objects.get_for_model(Incident)
    ExternalReference.objects.create(content_type=ct, object_id=first.pk, kind=ReferenceKind.SOURCE,
                                     system="uci", reference="INC0000045")
    with pytest.raises(ValidationFailed):
        records.add_reference(second, agent, kind=ReferenceKind.SOURCE, system="uci", reference="INC0000045")


def test_watcher_sees_record_and_is_added_once(requester, other_requester, agent, make_incident):
    incident = make_incident(requester)
    assert not Incident.objects.visible_to(other_requester).filter(pk=incident.pk).exists()
    assert actions.add_watcher(actor=agent, incident=incident, user=other_requester) is not None
    assert actions.add_watcher(actor=agent, incident=incident, user=other_requester) is None
    assert Incident.objects.visible_to(other_requester).filter(pk=incident.pk).exists()


def _run_at_once(count: int, work) -> tuple[list, list[BaseException]]:
    """Run ``work(index)`` in ``count`` threads released together, each on its own database connection."""
    start = threading.Barrier(count)
    results: list = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(index: int) -> None:
        try:
            start.wait()
            result = work(index)
            with lock:
                results.append(result)
        except BaseException as error:  # collected and asserted by the caller
            with lock:
                errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_edits_give_one_winner_and_conflicts(requester, agent, make_incident):
    # given ten agents' sessions that all loaded the incident at version 1
    incident = make_incident(requester)
    updates_before = AuditLogEntry.objects.filter(action=AuditAction.UPDATE).count()

    def edit(index: int) -> str:
        loaded = Incident.objects.get(pk=incident.pk)
        actions.update_incident(actor=agent, incident=loaded, expected_version=1, title=f"ویرایش {index}")
        return f"ویرایش {index}"

    # when they all save at the same moment
    winners, errors = _run_at_once(10, edit)

    # then exactly one save landed, every other one got a conflict, and no update was lost silently
    incident.refresh_from_db()
    assert len(winners) == 1
    assert len(errors) == 9
    assert all(isinstance(error, ConflictError) for error in errors)
    assert incident.title == winners[0]
    assert incident.version == 2
    assert AuditLogEntry.objects.filter(action=AuditAction.UPDATE).count() == updates_before + 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_different_actions_on_one_version_conflict(requester, agent, other_agent, service_desk,
                                                               make_incident):
    # given an incident at version 1, edited by one agent while another assigns it, both from version 1
    incident = make_incident(requester)

    def act(index: int) -> str:
        loaded = Incident.objects.get(pk=incident.pk)
        if index % 2:
            actions.assign_incident(actor=agent, incident=loaded, expected_version=1, group=service_desk,
                                    assignee=agent)
            return "assign"
        actions.update_incident(actor=other_agent, incident=loaded, expected_version=1, title="عنوان تازه")
        return "edit"

    winners, errors = _run_at_once(6, act)

    # then one action won and the state shows that action and nothing of the others
    incident.refresh_from_db()
    assert len(winners) == 1
    assert all(isinstance(error, ConflictError) for error in errors)
    if winners == ["assign"]:
        # assigning a new incident is two writes: the assignment, then the status new -> assigned
        assert incident.version == 3
        assert (incident.assignee, incident.title) == (agent, "چاپگر طبقه سوم کار نمی‌کند")
    else:
        assert incident.version == 2
        assert (incident.assignee, incident.title) == (None, "عنوان تازه")
