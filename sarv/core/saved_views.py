"""Saved list views: an agent's named filters and sorting for a record list, optionally shared with all agents.

Any list page can use these with its own ``list_name`` ("incidents" for the
incident workspace). The stored query is the list's query string without the
page number, so applying a view is a link to the list with that query.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from sarv.core import audit
from sarv.core.errors import NotFound, PermissionDenied, ValidationFailed
from sarv.core.models import SavedView
from sarv.core.permissions import is_active_user, is_agent
from sarv.core.text import normalize_stored

logger = logging.getLogger(__name__)

MAX_QUERY_LENGTH = SavedView._meta.get_field("query").max_length or 2000
_AUDITED_FIELDS = ["list_name", "name", "query", "is_shared"]


def views_for(user: Any, list_name: str) -> QuerySet[SavedView]:
    """Return the views of ``list_name`` that ``user`` may apply: their own and those shared with agents."""
    if not is_active_user(user):
        return SavedView.objects.none()
    condition = Q(owner=user)
    if is_agent(user):
        condition |= Q(is_shared=True)
    return SavedView.objects.filter(condition, list_name=list_name).select_related("owner").order_by("name", "pk")


def save_view(*, actor: Any, list_name: str, name: str, query: str, is_shared: bool) -> SavedView:
    """Save the current filters under ``name``. Saving again under the same name replaces that view's filters."""
    if not is_active_user(actor):
        raise PermissionDenied()
    if is_shared and not is_agent(actor):
        raise PermissionDenied(_("Only agents can share a view."))
    name = normalize_stored(name or "").strip()
    if not name:
        raise ValidationFailed(_("Enter a name for the view."), field="name")
    if len(query) > MAX_QUERY_LENGTH:
        raise ValidationFailed(_("These filters are too long to save (at most %(limit)s characters)."),
                               field="name", limit=MAX_QUERY_LENGTH)
    with transaction.atomic():
        view = SavedView.objects.select_for_update().filter(owner=actor, list_name=list_name, name=name).first()
        if view is None:
            view = SavedView.objects.create(owner=actor, list_name=list_name, name=name, query=query,
                                            is_shared=is_shared)
            audit.log_create(actor, view, _AUDITED_FIELDS)
        else:
            before = audit.snapshot(view, _AUDITED_FIELDS)
            view.query = query
            view.is_shared = is_shared
            view.save(update_fields=["query", "is_shared"])
            audit.log_update(actor, view, audit.diff(before, audit.snapshot(view, _AUDITED_FIELDS)))
    logger.info("Saved view %s of list %s saved by user %s", view.pk, list_name, actor.pk)
    return view


def delete_view(*, actor: Any, list_name: str, view_id: int) -> None:
    """Delete one of the actor's own views. Another person's view is reported as not found."""
    if not is_active_user(actor):
        raise PermissionDenied()
    with transaction.atomic():
        view = SavedView.objects.filter(owner=actor, list_name=list_name, pk=view_id).first()
        if view is None:
            raise NotFound(_("The saved view was not found."))
        audit.log_delete(actor, view)
        view.delete()
    logger.info("Saved view %s of list %s deleted by user %s", view_id, list_name, actor.pk)
