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
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from sarv.core.errors import NotFound, SarvError
from sarv.core.errors import PermissionDenied as SarvPermissionDenied
from sarv.core.middleware import SUPPORTED_LANGUAGES


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


# Django's own error views, for failures that happen before DRF runs: an API URL that matches no route
# (``/api/v1/users/abc/``), a module switched off, a malformed request body, an unhandled exception. Under
# /api/ they answer in the API's JSON error format, so clients never have to parse an HTML page.
API_PATH_PREFIX = "/api/"


def _is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith(API_PATH_PREFIX) and not request.path.startswith("/api/docs/")


def _json_error(request: HttpRequest, code: str, message: Promise, status_code: int, *,
                find_token_user: bool = True) -> JsonResponse:
    language = (_token_user_language(request) if find_token_user else None) or translation.get_language()
    with translation.override(language):
        text = str(message)
    response = JsonResponse({"code": code, "message": text}, status=status_code,
                            json_dumps_params={"ensure_ascii": False})
    response.headers["Content-Language"] = language
    return response


def _token_user_language(request: HttpRequest) -> str | None:
    """Return the language of the user whose API token ``request`` sends, if the token is valid.

    These errors happen before DRF authenticates the token, so the middleware chose the language
    from the session or the cookie alone.
    """
    words = request.META.get("HTTP_AUTHORIZATION", "").split()
    if len(words) != 2 or words[0].lower() != "token":
        return None
    token = Token.objects.select_related("user").filter(key=words[1], user__is_active=True).first()
    return token.user.language if token is not None and token.user.language in SUPPORTED_LANGUAGES else None


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api_request(request):
        return _json_error(request, "invalid", _("The request is malformed and was not processed."), 400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api_request(request):
        return _json_error(request, SarvPermissionDenied.code, SarvPermissionDenied.default_message, 403)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api_request(request):
        return _json_error(request, NotFound.code, NotFound.default_message, 404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api_request(request):
        return _json_error(request, "server_error", _("The server failed to process the request. Try again "
                                                      "later; if it keeps failing, tell your administrator."), 500,
                           # The failure may be the database itself, so no query runs here.
                           find_token_user=False)
    return defaults.server_error(request)
