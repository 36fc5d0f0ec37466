"""API error responses: Sarv's errors become ``{"code", "message", "field", "params"}`` with their HTTP status."""

from __future__ import annotations

from typing import Any

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from sarv.core.errors import SarvError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, SarvError):
        return Response(exc.as_dict(), status=exc.status_code)
    response = drf_exception_handler(exc, context)
    if response is not None and response.status_code in (status.HTTP_401_UNAUTHORIZED, status.HTTP_403_FORBIDDEN):
        detail = response.data.get("detail") if isinstance(response.data, dict) else None
        response.data = {
            "code": getattr(detail, "code", "permission_denied"),
            "message": str(detail or ""),
        }
    return response
