"""API error responses: every error becomes ``{"code", "message"}`` with its HTTP status.

Sarv's own errors add ``field`` and ``params`` (see ``SarvError.as_dict``).
Input that fails serializer validation returns ``code`` "invalid", the first
message and its field, and ``errors`` with every message by field, so a client
can show one line or mark each field. Messages are in the request's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from sarv.core.errors import NotFound, SarvError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, SarvError):
        return Response(exc.as_dict(), status=exc.status_code)
    if isinstance(exc, Http404):
        # The same message as for a record the user may not see, so a 404 does not reveal which case it was.
        return Response(NotFound().as_dict(), status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    if isinstance(exc, exceptions.ValidationError):
        response.data = validation_error_body(exc.detail)
    else:
        detail = exc.detail
        response.data = {"code": getattr(detail, "code", None) or exc.default_code, "message": str(detail)}
    return response


def validation_error_body(detail: Any) -> dict[str, Any]:
    """Return the error body for a serializer's ``detail`` (a dict of lists, a list, or one message)."""
    errors = _as_messages(detail)
    field, message = _first_message(errors)
    body: dict[str, Any] = {"code": "invalid", "message": message}
    if field:
        body["field"] = field
    if isinstance(errors, dict):
        body["errors"] = errors
    return body


def _as_messages(detail: Any) -> Any:
    if isinstance(detail, Mapping):
        return {str(key): _as_messages(value) for key, value in detail.items()}
    if isinstance(detail, list | tuple):
        return [_as_messages(item) for item in detail]
    return str(detail)


def _first_message(errors: Any, prefix: str = "") -> tuple[str, str]:
    """Return the dotted field name and the text of the first message in ``errors``."""
    if isinstance(errors, dict):
        for key, value in errors.items():
            if key == "non_field_errors":
                name = ""
            else:
                name = f"{prefix}.{key}" if prefix else key
            field, message = _first_message(value, name)
            if message:
                return field, message
        return prefix, ""
    if isinstance(errors, list):
        for index, item in enumerate(errors):
            # Lists of messages belong to the field itself; lists of objects are numbered.
            name = f"{prefix}.{index}" if isinstance(item, dict | list) and prefix else prefix
            field, message = _first_message(item, name)
            if message:
                return field, message
        return prefix, ""
    return prefix, str(errors)
