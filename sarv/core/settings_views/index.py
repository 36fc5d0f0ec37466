"""The Settings start page: the list of sections."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from sarv.core.settings_views.common import settings_admin_required, settings_page
from sarv.core.settings_views.sections import SECTIONS


@settings_admin_required
def index(request: HttpRequest) -> HttpResponse:
    return settings_page(request, "settings/index.html", {"sections": SECTIONS})
