"""Generic operations on work items, reused by every process app's actions.

These helpers run inside the caller's transaction and do the shared part of a
write: lock the row and check its version, apply field values, and append the
timeline entry and the audit row. Permission checks, business rules and
notifications stay in the process app's actions, which call these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sarv.core import attachments, audit, timeline
from sarv.core.choices import ReferenceKind, TimelineKind
from sarv.core.errors import ConflictError, ValidationFailed
from sarv.core.models import Attachment, ExternalReference, TimelineEntry, Watcher, WorkItem
from sarv.core.text import normalize_identifier, normalize_stored

RecordT = TypeVar("RecordT", bound=WorkItem)
# Any model with a ``version`` column (work items, configuration items) can be locked.
VersionedT = TypeVar("VersionedT", bound=models.Model)


# The fields of an attachment that its audit row records.
ATTACHMENT_AUDIT_FIELDS = ("original_name", "size", "sha256", "is_internal", "object_id")


def insert(
    record: WorkItem,
    actor: Any,
    *,
    initial_fields: Sequence[str],
    files: Sequence[UploadedFile] = (),
    files_internal: bool = False,
) -> TimelineEntry:
    """Save a new ``record`` with its creation entry, its files and the audit rows; return the entry.

    The creation entry lists the raw values of ``initial_fields``: the timeline display and the
    SLA clock replay start from them. It runs inside the caller's transaction.
    """
    record.save()
    initial = {name: _raw(record, name) for name in initial_fields}
    entry = timeline.append(
        record, TimelineKind.CREATED, actor=actor, body=record.description,
        data={"changes": timeline.field_changes({}, initial)}, created_at=record.created_at,
    )
    stored = attachments.store_files(record, files, actor=actor, is_internal=files_internal, timeline_entry=entry)
    audit.log_create(actor, record)
    for attachment in stored:
        audit.log_create(actor, attachment, ATTACHMENT_AUDIT_FIELDS)
    return entry


def lock(record: VersionedT, expected_version: int | None) -> VersionedT:
    """Return a fresh, row-locked copy of ``record``; raise ConflictError if its version moved on.

    ``expected_version`` is the version the user's form or API call was based
    on; None skips the check (tasks and imports that act on the latest state).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("records.lock() must run inside transaction.atomic()")
    fresh = type(record)._default_manager.select_for_update().get(pk=record.pk)
    version = getattr(fresh, "version")  # noqa: B009
    if expected_version is not None and version != expected_version:
        raise ConflictError(current_version=version)
    return fresh


def _raw(record: models.Model, name: str) -> Any:
    field = record._meta.get_field(name)
    return audit.raw_value(getattr(record, getattr(field, "attname", name)))


def change_fields(
    record: WorkItem,
    actor: Any,
    values: Mapping[str, Any],
    *,
    kind: str = TimelineKind.FIELD_CHANGED,
    body: str = "",
    is_internal: bool | None = None,
    extra: Mapping[str, Any] | None = None,
    at: dt.datetime | None = None,
    source_key: str | None = None,
) -> list[dict[str, Any]]:
    """Set ``values`` on a locked ``record`` and record what changed; return the changes.

    Each change is ``{"field", "old", "new"}`` with raw values (ids, codes). When
    nothing changes, nothing is written and the version stays.
    """
    before = {name: _raw(record, name) for name in values}
    for name, value in values.items():
        setattr(record, name, value)
    after = {name: _raw(record, name) for name in values}
    changes = timeline.field_changes(before, after)
    if not changes:
        return []

    record.version += 1
    record.updated_at = at or timezone.now()
    changed_names = [change["field"] for change in changes]
    record.save(update_fields=[*changed_names, "version", "updated_at"])

    audit.log_update(actor, record, {c["field"]: [c["old"], c["new"]] for c in changes})
    data: dict[str, Any] = {"changes": changes}
    if extra:
        data.update(extra)
    timeline.append(
        record, kind, actor=actor, body=body, data=data, is_internal=is_internal,
        created_at=at, source_key=source_key,
    )
    return changes


def touch(record: WorkItem, at: dt.datetime | None = None) -> None:
    """Move ``updated_at`` forward without a new version: replies do not conflict with field edits."""
    moment = at or timezone.now()
    type(record).objects.filter(pk=record.pk).update(updated_at=moment)
    record.updated_at = moment


def add_comment(
    record: WorkItem,
    actor: Any,
    *,
    body: str,
    is_internal: bool,
    files: Sequence[UploadedFile] = (),
    at: dt.datetime | None = None,
) -> TimelineEntry:
    """Append a public reply or an internal work note, with its attachments, to ``record``."""
    body = normalize_stored(body or "").strip()
    if not body and not files:
        raise ValidationFailed(_("Write a message or attach a file."), field="body")
    attachments.validate_files(files)
    kind = TimelineKind.WORK_NOTE if is_internal else TimelineKind.PUBLIC_REPLY
    entry = timeline.append(record, kind, actor=actor, body=body, is_internal=is_internal, created_at=at)
    stored = attachments.store_files(record, files, actor=actor, is_internal=is_internal, timeline_entry=entry)
    for attachment in stored:
        audit.log_create(actor, attachment, ATTACHMENT_AUDIT_FIELDS)
    touch(record, at)
    return entry


def add_attachments(
    record: WorkItem, actor: Any, files: Sequence[UploadedFile], *, is_internal: bool
) -> list[Attachment]:
    """Attach files without a message; the timeline gets one "attachment added" entry."""
    if not files:
        raise ValidationFailed(_("Choose at least one file."), field="attachments")
    attachments.validate_files(files)
    entry = timeline.append(
        record, TimelineKind.ATTACHMENT_ADDED, actor=actor, is_internal=is_internal,
        data={"names": [attachments.clean_file_name(f.name or "") for f in files]},
    )
    stored = attachments.store_files(record, files, actor=actor, is_internal=is_internal, timeline_entry=entry)
    for attachment in stored:
        audit.log_create(actor, attachment, ATTACHMENT_AUDIT_FIELDS)
    touch(record)
    return stored


def add_watcher(record: WorkItem, actor: Any, user: Any) -> Watcher | None:
    """Make ``user`` a watcher of ``record``; return None if they already were."""
    content_type = ContentType.objects.get_for_model(record)
    watcher, created = Watcher.objects.get_or_create(
        content_type=content_type, object_id=record.pk, user=user, defaults={"added_by": actor}
    )
    if not created:
        return None
    audit.log_create(actor, watcher, ["user", "object_id"])
    timeline.append(record, TimelineKind.WATCHER_ADDED, actor=actor, data={"user": user.pk})
    return watcher


def remove_watcher(record: WorkItem, actor: Any, user: Any) -> bool:
    content_type = ContentType.objects.get_for_model(record)
    watcher = Watcher.objects.filter(content_type=content_type, object_id=record.pk, user=user).first()
    if watcher is None:
        return False
    audit.log_delete(actor, watcher)
    watcher.delete()
    timeline.append(record, TimelineKind.WATCHER_REMOVED, actor=actor, data={"user": user.pk})
    return True


def add_reference(
    record: WorkItem,
    actor: Any,
    *,
    kind: str,
    reference: str,
    system: str = "",
    reference_date: dt.date | None = None,
    note: str = "",
    at: dt.datetime | None = None,
) -> ExternalReference:
    """Attach an external reference (an official letter's number and date, for example) to ``record``."""
    reference = normalize_identifier(reference)
    if not reference:
        raise ValidationFailed(_("Enter the reference number."), field="reference")
    if kind not in ReferenceKind.values:
        raise ValidationFailed(_("Unknown reference kind %(kind)s."), field="kind", kind=kind)
    content_type = ContentType.objects.get_for_model(record)
    if kind == ReferenceKind.SOURCE and ExternalReference.objects.filter(
        content_type=content_type, kind=kind, system=system, reference=reference
    ).exists():
        raise ValidationFailed(
            _("Another record already comes from %(system)s %(reference)s."),
            field="reference", system=system, reference=reference,
        )
    item = ExternalReference.objects.create(
        content_type=content_type, object_id=record.pk, kind=kind, system=normalize_stored(system).strip(),
        reference=reference, reference_date=reference_date, note=normalize_stored(note).strip(),
        created_by=actor if getattr(actor, "pk", None) else None, created_at=at or timezone.now(),
    )
    audit.log_create(actor, item, ["kind", "system", "reference", "reference_date", "note", "object_id"])
    timeline.append(
        record, TimelineKind.REFERENCE_ADDED, actor=actor, created_at=at,
        data={"kind": kind, "system": item.system, "reference": reference,
              "reference_date": reference_date.isoformat() if reference_date else None},
    )
    return item
