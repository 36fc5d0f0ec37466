"""Appending to a record's timeline and reading it back for one viewer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from sarv.core import record_hooks
from sarv.core.choices import TimelineKind
from sarv.core.models import TimelineEntry
from sarv.core.permissions import is_agent

# Kinds a requester may see on their own records; every other kind is internal.
PUBLIC_KINDS = frozenset(
    {TimelineKind.CREATED, TimelineKind.PUBLIC_REPLY, TimelineKind.STATUS_CHANGED, TimelineKind.ATTACHMENT_ADDED}
)


def append(
    record: models.Model,
    kind: str,
    *,
    actor: Any = None,
    body: str = "",
    data: Mapping[str, Any] | None = None,
    is_internal: bool | None = None,
    created_at: dt.datetime | None = None,
    source_key: str | None = None,
) -> TimelineEntry:
    """Append one entry to ``record``'s timeline; internal unless its kind is public, when not given.

    The hooks of ``sarv.core.record_hooks`` run afterwards, in the same transaction.
    """
    entry = TimelineEntry.objects.create(**entry_values(
        record, kind, actor=actor, body=body, data=data, is_internal=is_internal,
        created_at=created_at, source_key=source_key,
    ))
    record_hooks.timeline_appended(record, entry)
    return entry


def entry_values(
    record: models.Model,
    kind: str,
    *,
    actor: Any = None,
    body: str = "",
    data: Mapping[str, Any] | None = None,
    is_internal: bool | None = None,
    created_at: dt.datetime | None = None,
    source_key: str | None = None,
) -> dict[str, Any]:
    """Return the field values of a new entry, for ``append`` and for bulk writers such as importers."""
    return {
        "content_type": ContentType.objects.get_for_model(record),
        "object_id": record.pk,
        "kind": kind,
        "actor": actor if getattr(actor, "pk", None) else None,
        "body": body,
        "data": dict(data or {}),
        "is_internal": kind not in PUBLIC_KINDS if is_internal is None else is_internal,
        "created_at": created_at or timezone.now(),
        "source_key": source_key,
    }


def entries_for(record: models.Model, viewer: Any) -> models.QuerySet[TimelineEntry]:
    """Return the entries of ``record`` that ``viewer`` may read, oldest first.

    The caller must already have checked that ``viewer`` may see the record
    itself; this only removes internal entries for non-agents.
    """
    queryset = TimelineEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk
    ).select_related("actor").prefetch_related("attachments")
    if not is_agent(viewer):
        queryset = queryset.filter(is_internal=False)
    return queryset.order_by("created_at", "id")


def field_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Return ``[{"field", "old", "new"}]`` for each key of ``after`` whose value differs from ``before``."""
    return [
        {"field": key, "old": before.get(key), "new": value}
        for key, value in after.items()
        if before.get(key) != value
    ]
