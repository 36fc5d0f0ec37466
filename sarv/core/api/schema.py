"""OpenAPI helpers: the documented error responses that views list in ``extend_schema``."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse

from sarv.core.api.serializers import ErrorSerializer

ERROR_DESCRIPTIONS = {
    400: "The input is invalid (code invalid), or breaks a rule of the action.",
    401: "No credentials, or an invalid token (codes not_authenticated, authentication_failed).",
    403: "The user may not do this (code permission_denied).",
    404: "The record does not exist or the user may not see it (code not_found).",
    409: "The record changed since the given version (code conflict), or the status cannot change that way "
         "(code invalid_transition).",
}


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """Return the error responses for ``statuses``; 401 is always included because every endpoint has it."""
    wanted = sorted({401, *statuses})
    return {code: OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code]) for code in wanted}


PAGE_ERRORS = {
    400: "The input is invalid (code invalid): a filter value, or a page_size that is not a positive number.",
    404: "The page number is past the last page or not a number (code not_found).",
}


def document_page_errors(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Add the 400 and 404 errors of paginated lists to every operation that takes a ``page`` parameter.

    Any other operation with query parameters gets the 400 too, because a malformed value (one with a
    NUL character, for example) is rejected before the view runs. Registered in
    ``SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]``; views need not list these responses.
    """
    error_schema = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            parameters = operation.get("parameters", [])
            if any(parameter.get("in") == "query" for parameter in parameters):
                operation.setdefault("responses", {}).setdefault(
                    "400", {"content": error_schema, "description": ERROR_DESCRIPTIONS[400]})
            if not any(parameter.get("in") == "query" and parameter.get("name") == "page" for parameter in parameters):
                continue
            responses = operation.setdefault("responses", {})
            for status_code, description in PAGE_ERRORS.items():
                responses.setdefault(str(status_code), {"content": error_schema, "description": description})
            operation["responses"] = dict(sorted(responses.items()))
    return result
