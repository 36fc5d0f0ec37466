"""Writing the audit log: every change to every record and setting, with before and after values."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from sarv.core import request_context
from sarv.core.choices import AuditAction
from sarv.core.models import AuditLogEntry


def raw_value(value: Any) -> Any:
    """Return a JSON-friendly raw value: model instances become their primary key."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.fields.files.FieldFile):
        return value.name
    return value


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """Return the raw values of ``fields`` (default: all concrete, editable fields) of ``instance``."""
    names = list(fields) if fields is not None else [
        f.attname for f in instance._meta.concrete_fields
        if f.editable and not f.primary_key and f.name not in ("password",)
    ]
    result = {}
    for name in names:
        field = instance._meta.get_field(name)
        attname = getattr(field, "attname", name)
        result[field.name] = raw_value(getattr(instance, attname))
    return result


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Return ``{field: [before, after]}`` for every key whose value differs."""
    return {key: [before.get(key), value] for key, value in after.items() if before.get(key) != value}


def log(
    *,
    actor: Any,
    action: str,
    instance: models.Model | None = None,
    changes: Mapping[str, tuple[Any, Any] | list[Any]] | None = None,
    object_repr: str = "",
) -> AuditLogEntry:
    """Append one audit row; ``changes`` maps field keys to (before, after) and the address comes from the request."""
    entry = build(actor=actor, action=action, instance=instance, changes=changes, object_repr=object_repr)
    entry.save()
    return entry


def build(
    *,
    actor: Any,
    action: str,
    instance: models.Model | None = None,
    changes: Mapping[str, tuple[Any, Any] | list[Any]] | None = None,
    object_repr: str = "",
) -> AuditLogEntry:
    """Return an unsaved audit row, for ``log`` and for bulk writers such as importers."""
    content_type = ContentType.objects.get_for_model(instance) if instance is not None else None
    return AuditLogEntry(
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        ip_address=request_context.current_ip(),
        action=action,
        content_type=content_type,
        object_id=str(instance.pk) if instance is not None else "",
        object_repr=(object_repr or (str(instance) if instance is not None else ""))[:300],
        changes={key: [raw_value(before), raw_value(after)] for key, (before, after) in (changes or {}).items()},
    )


def log_create(actor: Any, instance: models.Model, fields: Iterable[str] | None = None) -> AuditLogEntry:
    values = snapshot(instance, fields)
    return log(actor=actor, action=AuditAction.CREATE, instance=instance,
               changes={key: [None, value] for key, value in values.items()})


def log_update(actor: Any, instance: models.Model, changes: Mapping[str, list[Any]]) -> AuditLogEntry | None:
    if not changes:
        return None
    return log(actor=actor, action=AuditAction.UPDATE, instance=instance, changes=changes)


def log_delete(actor: Any, instance: models.Model) -> AuditLogEntry:
    values = snapshot(instance)
    return log(actor=actor, action=AuditAction.DELETE, instance=instance,
               changes={key: [value, None] for key, value in values.items()})
