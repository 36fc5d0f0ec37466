"""Turning stored timeline entries (field keys and raw values) into text in the reader's language."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from sarv.core import jalali
from sarv.core.choices import ReferenceKind, TimelineKind
from sarv.core.models import TimelineEntry
from sarv.core.text import to_persian_digits

# Fields whose changes are bookkeeping and not worth a line of their own.
HIDDEN_FIELDS = frozenset({"version", "updated_at", "search_key"})


@dataclass
class FieldLine:
    label: str
    old: str
    new: str


@dataclass
class DisplayEntry:
    entry: TimelineEntry
    kind: str
    kind_label: str
    actor_name: str
    lines: list[FieldLine] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)

    @property
    def attachments(self) -> Any:
        return self.entry.attachments.all()


def _label_for_choice(model_field: models.Field, value: Any) -> str:
    for key, label in model_field.flatchoices:
        if key == value:
            return str(label)
    return str(value)


def _format_scalar(model_field: models.Field | None, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if model_field is not None and model_field.choices:
        return _label_for_choice(model_field, value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(model_field, models.DateTimeField) and isinstance(value, str):
        moment = parse_datetime(value)
        return jalali.format_datetime(moment) if moment else value
    if isinstance(model_field, models.DateField) and isinstance(value, str):
        day = parse_date(value)
        return jalali.format_date(day) if day else value
    text = str(value)
    return to_persian_digits(text) if jalali.uses_jalali() and isinstance(value, int) else text


def _related_names(model: type[models.Model], entries: Sequence[TimelineEntry]) -> dict[str, dict[Any, str]]:
    """Fetch the display names of every foreign key value mentioned in ``entries``, one query per model."""
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    fields_by_name: dict[str, type[models.Model]] = {}
    for entry in entries:
        for change in entry.data.get("changes", []):
            try:
                model_field = model._meta.get_field(change["field"])
            except Exception:
                continue
            if isinstance(model_field, models.ForeignKey):
                related = model_field.related_model
                assert isinstance(related, type)
                fields_by_name[change["field"]] = related
                wanted[related].update(v for v in (change.get("old"), change.get("new")) if v is not None)
    names: dict[type[models.Model], dict[Any, str]] = {}
    for related, ids in wanted.items():
        names[related] = {obj.pk: _display_name(obj) for obj in related._default_manager.filter(pk__in=ids)}
    return {name: names.get(related, {}) for name, related in fields_by_name.items()}


def _display_name(obj: models.Model) -> str:
    for attribute in ("display_name", "number", "name"):
        value = getattr(obj, attribute, None)
        if value:
            return str(value)
    return str(obj)


def describe(model: type[models.Model], entries: Iterable[TimelineEntry]) -> list[DisplayEntry]:
    """Return display rows for ``entries`` of records of ``model``, translated into the active language."""
    entries = list(entries)
    related = _related_names(model, entries)
    rows = []
    for entry in entries:
        row = DisplayEntry(
            entry=entry,
            kind=entry.kind,
            kind_label=_label_for_choice(TimelineEntry._meta.get_field("kind"), entry.kind),
            actor_name=entry.actor.display_name if entry.actor else _("System"),
        )
        for change in entry.data.get("changes", []):
            name = change.get("field", "")
            if name in HIDDEN_FIELDS:
                continue
            try:
                model_field: models.Field | None = model._meta.get_field(name)  # type: ignore[assignment]
            except Exception:
                model_field = None
            label = str(model_field.verbose_name) if model_field is not None else name
            if name in related:
                old = related[name].get(change.get("old"), "—") if change.get("old") is not None else "—"
                new = related[name].get(change.get("new"), "—") if change.get("new") is not None else "—"
            else:
                old = _format_scalar(model_field, change.get("old"))
                new = _format_scalar(model_field, change.get("new"))
            row.lines.append(FieldLine(label=label, old=old, new=new))
        row.extra.extend(_extra_lines(entry))
        rows.append(row)
    return rows


def _extra_lines(entry: TimelineEntry) -> list[str]:
    data = entry.data
    lines = []
    if entry.kind == TimelineKind.REFERENCE_ADDED:
        kind = str(ReferenceKind(data["kind"]).label) if data.get("kind") in ReferenceKind.values else ""
        date = ""
        if data.get("reference_date"):
            day = dt.date.fromisoformat(data["reference_date"])
            date = jalali.format_date(day)
        lines.append(" ".join(part for part in (kind, str(data.get("reference", "")), date) if part))
    if entry.kind in (TimelineKind.LINKED, TimelineKind.UNLINKED) and data.get("number"):
        lines.append(str(data["number"]))
    if entry.kind == TimelineKind.ATTACHMENT_ADDED and data.get("names"):
        lines.append("، ".join(data["names"]) if jalali.uses_jalali() else ", ".join(data["names"]))
    if data.get("reopened"):
        lines.append(_("Reopened"))
    if data.get("automatic"):
        lines.append(_("Closed automatically after the confirmation period"))
    if data.get("confirmed_by_requester"):
        lines.append(_("The requester confirmed the resolution"))
    if data.get("requester_replied"):
        lines.append(_("Back in progress after the requester's reply"))
    if data.get("source"):
        lines.append(_("Imported from %(source)s") % {"source": data["source"]})
    return lines
