"""Request body parsers of the API."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers

from sarv.core.middleware import contains_nul


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser that rejects a body with a NUL character in any key or text value.

    PostgreSQL rejects NUL in text parameters, so such a value would fail later as a server error.
    """

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        if contains_nul(data):
            raise exceptions.ParseError(_("Text cannot contain the NUL character (\\u0000)."))
        return data
