"""The shared record core: optimistic concurrency, append-only history, audit rows, watchers, references."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
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
