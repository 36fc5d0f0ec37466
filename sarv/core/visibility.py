"""Visibility checks for objects that hang off a record (attachments, timeline entries)."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from sarv.core.models import Attachment
from sarv.core.permissions import is_agent


def can_view_attachment(user: Any, attachment: Attachment) -> bool:
    """Return whether ``user`` may download ``attachment``.

    The user must see the attachment's record, and internal files need an agent.
    """
    model = attachment.content_type.model_class()
    manager = getattr(model, "objects", None)
    if manager is None or not hasattr(manager, "visible_to"):
        return False
    if not manager.visible_to(user).filter(pk=attachment.object_id).exists():
        return False
    return not attachment.is_internal or is_agent(user)


def visible_attachments(user: Any, record: models.Model) -> models.QuerySet[Attachment]:
    """Return the attachments of ``record`` that ``user`` may download, oldest first.

    The caller must already have checked that ``user`` may see ``record``. This
    applies the rest of ``can_view_attachment``, so internal files need an agent.
    """
    queryset = Attachment.objects.filter(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk
    )
    if not is_agent(user):
        queryset = queryset.filter(is_internal=False)
    return queryset.order_by("uploaded_at", "id")
