"""Turning stored timeline entries (field keys and raw values) into text in the reader's language."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from sarv.core import field_display, jalali
from sarv.core.choices import ReferenceKind, TimelineKind
from sarv.core.models import TimelineEntry

# Fields whose changes are bookkeeping and not worth a line of their own.
HIDDEN_FIELDS = frozenset({"version", "updated_at", "search_key"})

# Apps that add timeline kinds register how their entries read (SLA alerts, for example).
LineRenderer = Callable[[TimelineEntry], list[str]]
_renderers: dict[str, list[LineRenderer]] = defaultdict(list)


def register_lines(kind: str, renderer: LineRenderer) -> None:
    """Register ``renderer(entry)``, returning the translated lines shown under entries of ``kind``.

    Several apps may register for one kind; each renderer returns no lines for entries it does not know.
    """
    if renderer not in _renderers[kind]:
        _renderers[kind].append(renderer)


@dataclass
class FieldLine:
    label: str
    old: str
    new: str
    # The stored field key and raw values, for API clients that translate or compare on their own.
    field: str = ""
    old_raw: Any = None
    new_raw: Any = None


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


def _related_names(model: type[models.Model], entries: Sequence[TimelineEntry]) -> dict[str, dict[Any, str]]:
    """Fetch the display names of every foreign key value mentioned in ``entries``, one query per model."""
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    fields_by_name: dict[str, type[models.Model]] = {}
    for entry in entries:
        for change in entry.data.get("changes", []):
            found = field_display.model_field(model, change.get("field", ""))
            if isinstance(found, models.ForeignKey | models.ManyToManyField):
                related = found.related_model
                assert isinstance(related, type)
                fields_by_name[change["field"]] = related
                for value in (change.get("old"), change.get("new")):
                    # A many-to-many change stores the lists of ids before and after.
                    wanted[related].update(value if isinstance(value, list) else [value])
                wanted[related].discard(None)
    names = field_display.fetch_names(wanted)
    return {name: names.get(related, {}) for name, related in fields_by_name.items()}


_WATCHER_KINDS = (TimelineKind.WATCHER_ADDED, TimelineKind.WATCHER_REMOVED)


def _watcher_names(entries: Sequence[TimelineEntry]) -> dict[Any, str]:
    """Fetch the names of the people that watcher entries mention, in one query."""
    ids = {entry.data.get("user") for entry in entries if entry.kind in _WATCHER_KINDS}
    ids.discard(None)
    if not ids:
        return {}
    user_model = get_user_model()
    return field_display.fetch_names({user_model: ids})[user_model]


def describe(model: type[models.Model], entries: Iterable[TimelineEntry]) -> list[DisplayEntry]:
    """Return display rows for ``entries`` of records of ``model``, translated into the active language."""
    entries = list(entries)
    related = _related_names(model, entries)
    watchers = _watcher_names(entries)
    rows = []
    for entry in entries:
        row = DisplayEntry(
            entry=entry,
            kind=entry.kind,
            kind_label=field_display.label_for_choice(TimelineEntry._meta.get_field("kind"), entry.kind),
            actor_name=entry.actor.display_name if entry.actor else _("System"),
        )
        for change in entry.data.get("changes", []):
            name = change.get("field", "")
            if name in HIDDEN_FIELDS:
                continue
            model_field = field_display.model_field(model, name)
            label = capfirst(field_display.field_label(model, name))
            if name in related:
                old = _related_text(related[name], change.get("old"))
                new = _related_text(related[name], change.get("new"))
            else:
                old = field_display.format_value(model_field, change.get("old"))
                new = field_display.format_value(model_field, change.get("new"))
            row.lines.append(FieldLine(label=label, old=old, new=new, field=name,
                                       old_raw=change.get("old"), new_raw=change.get("new")))
        row.extra.extend(_extra_lines(entry))
        if entry.kind in _WATCHER_KINDS and entry.data.get("user") in watchers:
            row.extra.append(watchers[entry.data["user"]])
        rows.append(row)
    return rows


def _related_text(names: dict[Any, str], value: Any) -> str:
    """Return the display name of a related id, or the names of a list of ids, or "—" for none."""
    if isinstance(value, list):
        separator = "، " if jalali.uses_jalali() else ", "
        return separator.join(names.get(item, "—") for item in value) if value else "—"
    return names.get(value, "—") if value is not None else "—"


def _extra_lines(entry: TimelineEntry) -> list[str]:
    data = entry.data
    lines = []
    for renderer in _renderers.get(entry.kind, ()):
        lines.extend(renderer(entry))
    if entry.kind == TimelineKind.REFERENCE_ADDED:
        kind = str(ReferenceKind(data["kind"]).label) if data.get("kind") in ReferenceKind.values else ""
        date = ""
        if data.get("reference_date"):
            day = dt.date.fromisoformat(data["reference_date"])
            date = jalali.format_date(day)
        reference = str(data.get("reference", ""))
        if reference:
            # A first-strong isolate (FSI ... PDI) keeps a reference such as 1234/ص/1404 from running into the date.
            reference = "\u2068" + reference + "\u2069"
        lines.append(" ".join(part for part in (kind, reference, date) if part))
    is_link = entry.kind in (TimelineKind.LINKED, TimelineKind.UNLINKED)
    if is_link and data.get("number"):
        lines.append(str(data["number"]))
    if is_link and data.get("numbers"):
        lines.append(", ".join(str(number) for number in data["numbers"]))
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
    # A link entry's "source" says how the link was made (by hand, from a proposal), not an import.
    if data.get("source") and not is_link:
        lines.append(_("Imported from %(source)s") % {"source": data["source"]})
    return lines
