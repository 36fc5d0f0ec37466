"""Request body parsers of the API."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers

from sarv.core.middleware import contains_nul
from sarv.core.uploads import PersianFileNameParser

NUL_MESSAGE = _("Text cannot contain the NUL character (\\u0000).")


def reject_nul(data: Any) -> None:
    """Raise a parse error (400) when a key or a text value of a parsed body contains NUL."""
    if contains_nul(data):
        raise exceptions.ParseError(NUL_MESSAGE)


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser that rejects a body with a NUL character in any key or text value.

    PostgreSQL rejects NUL in text parameters, so such a value would fail later as a server error.
    """

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        reject_nul(data)
        return data


class FormParser(parsers.FormParser):
    """DRF's URL-encoded form parser with the same NUL rule. Django's middleware checks only POST forms,
    while DRF parses the body of PUT and PATCH itself."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        reject_nul(data)
        return data


class MultiPartParser(PersianFileNameParser):
    """The multipart parser of the API, with the same NUL rule for its form fields."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        parsed = super().parse(stream, media_type, parser_context)
        reject_nul(parsed.data)
        return parsed
