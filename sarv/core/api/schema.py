"""OpenAPI helpers: the documented error responses that views list in ``extend_schema``."""

from __future__ import annotations

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
