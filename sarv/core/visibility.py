"""Visibility checks for objects that hang off a record (attachments, timeline entries)."""

from __future__ import annotations

from typing import Any

from sarv.core.models import Attachment
from sarv.core.permissions import is_agent


def can_view_attachment(user: Any, attachment: Attachment) -> bool:
    """Return whether ``user`` may download ``attachment``: they must see its record, and internal files need an agent."""
    model = attachment.content_type.model_class()
    if model is None or not hasattr(model.objects, "visible_to"):
        return False
    if not model.objects.visible_to(user).filter(pk=attachment.object_id).exists():  # type: ignore[attr-defined]
        return False
    return not attachment.is_internal or is_agent(user)
