from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import translation

from sarv.core import modules
from sarv.core.permissions import is_agent, is_settings_admin


def sarv(request: HttpRequest) -> dict[str, Any]:
    """Add the layout's needs: text direction, enabled modules, the user's roles and unread notifications."""
    language = translation.get_language() or "fa"
    user = getattr(request, "user", None)
    context: dict[str, Any] = {
        "direction": "rtl" if translation.get_language_bidi() else "ltr",
        "is_persian": language.startswith("fa"),
        "enabled_modules": modules.request_enabled_codes(request),
        "user_is_agent": is_agent(user),
        "user_is_settings_admin": is_settings_admin(user),
        "unread_notifications": 0,
    }
    if user is not None and user.is_authenticated:
        context["unread_notifications"] = user.notifications.filter(read_at__isnull=True).count()
    return context
