"""Helpers for the tests of the incident pages: page text, flash messages and expected Persian messages."""

from __future__ import annotations

import html
from typing import Any

from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation


def page_text(response: Any) -> str:
    """Return the response body with HTML entities decoded, so Persian and quoted text compare as typed."""
    return html.unescape(response.content.decode())


def flashed(response: Any) -> list[str]:
    """Return the flash messages this request added, without older ones that still wait to be shown."""
    storage: Any = get_messages(response.wsgi_request)
    return [str(message) for message in storage._queued_messages]


def fa(message: str, **params: Any) -> str:
    """Return ``message`` as a Persian page shows it: translated when a translation exists, then filled in."""
    with translation.override("fa"):
        text = translation.gettext(message)
    return text % params if params else text


def text_file(name: str = "گزارش.txt", content: str = "متن گزارش") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content.encode(), content_type="text/plain")
