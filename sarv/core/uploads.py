"""Multipart parsing that keeps Persian file names intact.

Django drops every non-printable character from uploaded file names, and the
zero-width non-joiner (U+200C) that Persian writes inside words («گزارش‌ها»)
is one of them, so «گزارش‌ها.pdf» would arrive as «گزارشها.pdf». These parsers
keep the joiners and drop the other invisible characters.
"""

from __future__ import annotations

import html
import types
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParser, MultiPartParserError
from rest_framework import parsers
from rest_framework.exceptions import ParseError

JOINERS = frozenset("\u200c\u200d")


class PersianFileNameMultiPartParser(MultiPartParser):
    def sanitize_file_name(self, file_name: str) -> str | None:
        """Return the last path component of ``file_name`` without control characters, joiners kept."""
        name = html.unescape(file_name).replace("\\", "/").rsplit("/", 1)[-1]
        name = "".join(char for char in name if char.isprintable() or char in JOINERS)
        return None if name in {"", ".", ".."} else name


def _parse_file_upload(request: HttpRequest, meta: Any, post_data: Any) -> Any:
    request.upload_handlers = list(request.upload_handlers)
    return PersianFileNameMultiPartParser(meta, post_data, request.upload_handlers, request.encoding).parse()


def use_persian_file_names(request: HttpRequest) -> None:
    """Make ``request`` parse its multipart body with PersianFileNameMultiPartParser."""
    request.parse_file_upload = types.MethodType(_parse_file_upload, request)  # type: ignore[method-assign]


class PersianFileNameParser(parsers.MultiPartParser):
    """DRF's multipart parser with the same file-name rule as the pages."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        context = parser_context or {}
        request = context["request"]
        meta = request.META.copy()
        meta["CONTENT_TYPE"] = media_type
        encoding = context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            data, files = PersianFileNameMultiPartParser(meta, stream, request.upload_handlers, encoding).parse()
        except MultiPartParserError as error:
            raise ParseError(f"Multipart form parse error - {error}") from error
        return parsers.DataAndFiles(data, files)
