"""Showing stored raw field values (ids, codes, ISO dates) as text in the reader's language.

The timeline and the audit log both store field keys and raw values; these
helpers turn them into labels and display text on the page, so a Persian agent
and an English auditor read the same history.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from sarv.core import jalali
from sarv.core.text import to_persian_digits

EMPTY = "—"


def label_for_choice(model_field: models.Field | None, value: Any) -> str:
    """Return the translated label of ``value`` among the field's choices, or the value itself."""
    if model_field is not None:
        for key, label in model_field.flatchoices:
            if key == value:
                return str(label)
    return str(value)


def format_value(model_field: models.Field | None, value: Any) -> str:
    """Return a scalar raw value as display text: choice labels, yes/no, Jalali dates, Persian digits."""
    if value is None or value == "":
        return EMPTY
    # Reverse relations have no choices; their changes store display text, which is shown as it is.
    if model_field is not None and getattr(model_field, "choices", None):
        return label_for_choice(model_field, value)
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


def display_name(obj: models.Model) -> str:
    """Return how a related object is named on pages: a person's name, a record number or a name."""
    for attribute in ("display_name", "number", "name"):
        value = getattr(obj, attribute, None)
        if value:
            return str(value)
    return str(obj)


def model_field(model: type[models.Model] | None, name: str) -> Any:
    """Return the field or reverse relation ``name`` of ``model``, or None when the model has none."""
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def field_label(model: type[models.Model] | None, name: str) -> str:
    """Return the translated label of a field key; a reverse relation is named after the related model."""
    found = model_field(model, name)
    if isinstance(found, models.ForeignObjectRel):
        related = found.related_model
        if isinstance(related, type):
            return str(related._meta.verbose_name_plural)
    if found is not None and getattr(found, "verbose_name", None):
        return str(found.verbose_name)
    return name


def related_model(model: type[models.Model] | None, name: str) -> type[models.Model] | None:
    """Return the model that a foreign key, many-to-many field or reverse many-to-many relation points to."""
    found = model_field(model, name)
    if found is None or not (found.many_to_one or found.many_to_many or found.one_to_one):
        return None
    related = found.related_model
    return related if isinstance(related, type) else None


def fetch_names(wanted: Mapping[type[models.Model], Iterable[Any]]) -> dict[type[models.Model], dict[Any, str]]:
    """Return the display names of the given primary keys, one query per model."""
    names: dict[type[models.Model], dict[Any, str]] = {}
    for model, ids in wanted.items():
        keys = {key for key in ids if key is not None}
        if not keys:
            names[model] = {}
            continue
        names[model] = {obj.pk: display_name(obj) for obj in model._default_manager.filter(pk__in=keys)}
    return names
