"""The audit log viewer: who changed what, when and from where, with each field's value before and after.

Rows store field keys and raw values (ids, codes). This page resolves labels
and names in the reader's language through ``sarv.core.field_display``. It
fetches names with one query per related model on the page, so a page costs
the same number of queries whatever its length.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from sarv.accounts import actions as account_actions
from sarv.accounts.roles import role_label
from sarv.core import field_display
from sarv.core.models import AuditLogEntry
from sarv.core.settings_views.common import audit_log_required, paginate, settings_page
from sarv.core.settings_views.forms import AuditLogFilterForm
from sarv.core.text import search_terms

PAGE_SIZE = 50


def _list_separator() -> str:
    return "، " if (get_language() or "fa").startswith("fa") else ", "


def _roles(value: Any) -> str:
    return _list_separator().join(role_label(code) for code in value) if value else field_display.EMPTY


def _password(value: Any) -> str:
    return _("changed (the password itself is never logged)") if value == account_actions.PASSWORD_SET \
        else field_display.EMPTY


def _api_token(value: Any) -> str:
    return _("issued (the key itself is never logged)") if value == account_actions.API_TOKEN_ISSUED \
        else field_display.EMPTY


def _yes_no(value: Any) -> str:
    return field_display.format_value(None, value)


@dataclass(frozen=True)
class VirtualField:
    """An audit key that is not a model field (roles, a permission), with its label and value format."""

    label: Callable[[], str]
    format: Callable[[Any], str]


VIRTUAL_FIELDS: dict[tuple[str, str], VirtualField] = {
    ("accounts.user", account_actions.ROLES_KEY): VirtualField(lambda: _("Roles"), _roles),
    ("accounts.user", account_actions.DEPARTMENT_INCIDENTS_KEY): VirtualField(
        lambda: _("May see their department's incidents"), _yes_no),
    ("accounts.user", account_actions.PASSWORD_KEY): VirtualField(lambda: _("Password"), _password),
    ("accounts.user", account_actions.API_TOKEN_KEY): VirtualField(lambda: _("API token"), _api_token),
}


@dataclass
class ChangeLine:
    label: str
    before: str
    after: str


@dataclass
class AuditRow:
    entry: AuditLogEntry
    object_type: str
    lines: list[ChangeLine] = field(default_factory=list)
    # The object's name in the reader's language while it exists; the name stored at the time otherwise.
    object_name: str = ""


def _current_names(entries: Sequence[AuditLogEntry]) -> dict[tuple[int, str], str]:
    """Return the present display name of every object the entries mention, one query per model."""
    wanted: dict[int, set[str]] = defaultdict(set)
    for entry in entries:
        if entry.content_type_id and entry.object_id:
            wanted[entry.content_type_id].add(entry.object_id)
    found: dict[tuple[int, str], str] = {}
    models_by_type = {entry.content_type_id: entry.content_type.model_class() for entry in entries
                      if entry.content_type is not None}
    for content_type_id, ids in wanted.items():
        model = models_by_type.get(content_type_id)
        if model is None:
            continue
        for obj in model._default_manager.filter(pk__in=[i for i in ids if i.isdecimal()]):
            found[(content_type_id, str(obj.pk))] = str(getattr(obj, "display_name", "") or obj)
    return found


def _ids(value: Any) -> Iterable[Any]:
    if isinstance(value, list | tuple):
        return value
    return [] if value is None else [value]


def _names_needed(entries: Sequence[AuditLogEntry]) -> dict[type[models.Model], set[Any]]:
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    for entry in entries:
        model = entry.content_type.model_class() if entry.content_type else None
        for key, pair in (entry.changes or {}).items():
            related = field_display.related_model(model, key)
            if related is not None:
                for value in pair:
                    wanted[related].update(_ids(value))
    return wanted


def _format(model: type[models.Model] | None, key: str, value: Any,
            names: dict[type[models.Model], dict[Any, str]]) -> str:
    related = field_display.related_model(model, key)
    if related is not None:
        shown = [names.get(related, {}).get(pk, str(pk)) for pk in _ids(value)]
        return _list_separator().join(shown) if shown else field_display.EMPTY
    found = field_display.model_field(model, key)
    return field_display.format_value(found if isinstance(found, models.Field) else None, value)


def describe(entries: Sequence[AuditLogEntry]) -> list[AuditRow]:
    """Return display rows for ``entries``, labels and values in the active language."""
    names = field_display.fetch_names(_names_needed(entries))
    current = _current_names(entries)
    rows = []
    for entry in entries:
        model = entry.content_type.model_class() if entry.content_type else None
        row = AuditRow(entry, str(model._meta.verbose_name) if model is not None else "",
                       object_name=current.get((entry.content_type_id or 0, entry.object_id), entry.object_repr))
        for key, pair in (entry.changes or {}).items():
            before, after = [*pair, None, None][:2]
            virtual = VIRTUAL_FIELDS.get((model._meta.label_lower, key)) if model is not None else None
            if virtual is not None:
                row.lines.append(ChangeLine(virtual.label(), virtual.format(before), virtual.format(after)))
                continue
            line = ChangeLine(
                field_display.field_label(model, key),
                _format(model, key, before, names),
                _format(model, key, after, names),
            )
            # The empty fields of a new object carry no information, so creation rows leave them out.
            if line.before != field_display.EMPTY or line.after != field_display.EMPTY:
                row.lines.append(line)
        rows.append(row)
    return rows


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_current_timezone())


def filter_entries(form: AuditLogFilterForm) -> QuerySet[AuditLogEntry]:
    queryset = AuditLogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-id")
    if not form.is_valid():
        return queryset
    data = form.cleaned_data
    for term in search_terms(data.get("actor") or ""):
        queryset = queryset.filter(actor__search_key__contains=term)
    if data.get("action"):
        queryset = queryset.filter(action=data["action"])
    if data.get("object_type"):
        queryset = queryset.filter(content_type_id=data["object_type"])
    if data.get("date_from"):
        queryset = queryset.filter(timestamp__gte=_day_start(data["date_from"]))
    if data.get("date_to"):
        queryset = queryset.filter(timestamp__lt=_day_start(data["date_to"] + dt.timedelta(days=1)))
    text = (data.get("q") or "").strip()
    if text:
        # NOTE: on SQLite the JSON text escapes non-ASCII characters, so Persian words match
        # the object's name there but not the stored values; PostgreSQL matches both.
        queryset = queryset.filter(Q(object_repr__icontains=text) | Q(object_id=text) | Q(changes__icontains=text))
    return queryset


@audit_log_required
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditLogFilterForm(request.GET or None)
    page = paginate(request, filter_entries(form), PAGE_SIZE)
    return settings_page(request, "settings/audit_log.html",
                         {"form": form, "page": page, "rows": describe(list(page.object_list))})
