"""Helpers that tests use to read audit rows and the Persian text of messages."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext

from sarv.core.choices import AuditAction
from sarv.core.models import AuditLogEntry


def audit_rows(instance: Any) -> list[AuditLogEntry]:
    """Return the audit rows of changes to ``instance``, oldest first; sign-in rows are left out."""
    return list(AuditLogEntry.objects.filter(
        object_id=str(instance.pk), content_type__model=type(instance).__name__.lower(),
        action__in=[AuditAction.CREATE, AuditAction.UPDATE, AuditAction.DELETE],
    ).order_by("id"))


def in_persian(message: str, **params: Any) -> str:
    """Return ``message`` as a Persian page shows it, with ``params`` filled in."""
    with translation.override("fa"):
        text = gettext(message)
    return text % params if params else text
