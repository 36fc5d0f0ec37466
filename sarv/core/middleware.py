"""Request middleware: security headers, the user's language and time zone, audit context, module switches."""

from __future__ import annotations

import logging
import zoneinfo
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone, translation

from sarv.core import modules, request_context, uploads

Handler = Callable[[HttpRequest], HttpResponse]
SUPPORTED_LANGUAGES = {code for code, _name in settings.LANGUAGES}

logger = logging.getLogger(__name__)


class ContentSecurityPolicyMiddleware:
    """Send a Content-Security-Policy that allows this origin only, so no page loads anything from elsewhere."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.SARV_CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


def preferred_language(request: Any) -> str:
    """Return the signed-in user's language, else the language cookie, else Persian.

    The browser's Accept-Language is ignored on purpose: Sarv is Persian first, and
    many Persian users run browsers set to English.
    """
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and getattr(user, "language", "") in SUPPORTED_LANGUAGES:
        return str(user.language)
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return cookie if cookie in SUPPORTED_LANGUAGES else settings.LANGUAGE_CODE


def activate_preferences(request: Any) -> str:
    """Activate the language and time zone of ``request.user`` (or the defaults) and return the language.

    The middleware calls this for session users; the API calls it again once
    token authentication has found the user, which happens after middleware.
    """
    language = preferred_language(request)
    translation.activate(language)
    request.LANGUAGE_CODE = language

    user = getattr(request, "user", None)
    zone_name = getattr(user, "time_zone", "") if user is not None and user.is_authenticated else ""
    try:
        timezone.activate(zoneinfo.ZoneInfo(zone_name or settings.TIME_ZONE))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        timezone.activate(zoneinfo.ZoneInfo(settings.TIME_ZONE))
    return language


class UserPreferencesMiddleware:
    """Activate the user's language and time zone for the request."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = activate_preferences(request)
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


def client_ip(request: HttpRequest) -> str | None:
    """Return the client's address; behind a proxy, the address that proxy appended to X-Forwarded-For."""
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    """Make the client address available to the audit log for the duration of the request.

    It also makes multipart bodies keep the joiners in Persian file names (sarv.core.uploads). That
    must happen before anything reads request.POST, so it sits before the CSRF middleware.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        uploads.use_persian_file_names(request)
        token = request_context.set_current(
            request_context.RequestInfo(ip_address=client_ip(request),
                                        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300])
        )
        try:
            return self.get_response(request)
        finally:
            request_context.reset(token)


class ModuleSwitchMiddleware:
    """Return 404 for pages and API endpoints of a switched-off module."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> None:
        match = request.resolver_match
        if match is None:
            return None
        for namespace in match.namespaces:
            module = modules.module_for_namespace(namespace)
            if module is not None and module.code not in modules.request_enabled_codes(request):
                raise Http404(f"module {module.code} is switched off")
        return None


def contains_nul(data: Any) -> bool:
    """Return whether a parsed request value (text, list, mapping or QueryDict) contains a NUL character."""
    if isinstance(data, str):
        return "\x00" in data
    if hasattr(data, "lists"):
        return any(contains_nul(key) or contains_nul(values) for key, values in data.lists())
    if isinstance(data, dict):
        return any(contains_nul(key) or contains_nul(value) for key, value in data.items())
    if isinstance(data, list | tuple):
        return any(contains_nul(item) for item in data)
    return False


class RejectNulMiddleware:
    """Reject with 400 a query string or URL-encoded form that contains a NUL character.

    No stored text contains NUL, and PostgreSQL rejects it in any text parameter, so such a
    value would otherwise fail deep inside a query as a server error. Multipart bodies are
    left to Sarv's own parser (reading them here would consume the upload stream), and JSON
    bodies are checked by ``sarv.core.api.parsers.JSONParser``.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if contains_nul(request.GET):
            return self.reject(request, "query string")
        if request.method == "POST" and request.content_type == "application/x-www-form-urlencoded" \
                and contains_nul(request.POST):
            return self.reject(request, "form data")
        return self.get_response(request)

    @staticmethod
    def reject(request: HttpRequest, part: str) -> HttpResponse:
        """Return the 400 response of a malformed request and log one warning line, not an error with a trace."""
        # Imported here: the API's error module imports this one.
        from sarv.core.api.errors import bad_request

        logger.warning("Rejected %s %s: NUL character in the %s", request.method, request.path, part)
        return bad_request(request, SuspiciousOperation(f"NUL character in the {part}"))
