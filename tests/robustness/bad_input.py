"""Helpers for the bad-input tests: a snapshot of every row a rejected input must leave alone, and the message
checks in both languages."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from django.core.files.storage import default_storage
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext, ngettext

from sarv.core.models import (
    Attachment,
    AuditLogEntry,
    ExternalReference,
    Notification,
    SavedView,
    TimelineEntry,
    Watcher,
)
from sarv.incidents.models import Incident

# Jalali dates that do not exist or are malformed, with the same in other digit forms.
BAD_JALALI_DATES = [
    "1404/12/30",   # 1404 is not a leap year, so Esfand has 29 days
    "1403/13/01",   # there is no 13th month
    "1404/07/31",   # the months from Mehr on have 30 days
    "1404/00/10",   # there is no month 0
    "۱۴۰۴/۱۲/۳۰",   # Persian digits
    "١٤٠٤/٠٧/٣١",   # Arabic-Indic digits
    "۱۴۰4/1۲/٣٠",   # the three mixed
    "2026-02-30",   # no 30 February in the Gregorian calendar either
    "1404/01",
    "not a date",
    "1404/01/01\x00",
]

HOSTILE_TEXT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def in_language(language: str, message: str | tuple[str, str, str], **params: Any) -> str:
    """Return ``message`` translated to ``language`` and filled in; a (singular, plural, count name) tuple
    picks the plural form for ``params[count name]``."""
    with translation.override(language):
        if isinstance(message, tuple):
            singular, plural, count = message
            text = ngettext(singular, plural, params[count])
        else:
            text = gettext(message)
    if not params:
        return text
    # DRF's messages use str.format placeholders, Django's and Sarv's %-style ones.
    return text.format(**params) if "{" in text else text % params


@dataclass(frozen=True)
class Snapshot:
    """Row counts and incident fields that a rejected input must not change, and the stored files."""

    counts: dict[str, int]
    incidents: list[tuple[Any, ...]]
    files: frozenset[str]

    @classmethod
    def take(cls) -> Snapshot:
        models = [Incident, TimelineEntry, AuditLogEntry, Attachment, Notification, ExternalReference, Watcher,
                  SavedView]
        counts = {model.__name__: model.objects.count() for model in models}
        incidents = list(Incident.objects.order_by("pk").values_list(
            "pk", "version", "title", "description", "status", "priority", "impact", "urgency", "assigned_group",
            "assignee", "category", "symptom",
        ))
        return cls(counts, incidents, frozenset(_stored_files()))


def _stored_files(directory: str = "") -> list[str]:
    try:
        folders, files = default_storage.listdir(directory)
    except (FileNotFoundError, NotADirectoryError):
        return []
    found = [f"{directory}/{name}" for name in files]
    for folder in folders:
        found += _stored_files(f"{directory}/{folder}" if directory else folder)
    return found


def page_text(response: Any) -> str:
    return html.unescape(response.content.decode())


def assert_inert(body: str, hostile: str = HOSTILE_TEXT) -> None:
    """Assert that ``hostile`` appears in the HTML ``body`` escaped, as text, and never as markup."""
    assert escape(hostile) in body, "the text is missing or was not escaped"
    assert hostile not in body, "the markup was rendered as HTML"
    assert "<script>alert" not in body
    assert "<img src=x" not in body
