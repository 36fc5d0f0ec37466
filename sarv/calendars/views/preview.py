"""The administrators' preview: a due time or an elapsed business time on a calendar."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse

from sarv.calendars import engine, selectors
from sarv.calendars.forms import PreviewForm
from sarv.core.settings_views.common import settings_admin_required, settings_page


def business_duration(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}"


@settings_admin_required
def preview(request: HttpRequest) -> HttpResponse:
    form = PreviewForm(request.GET if "calendar" in request.GET else None)
    result: Any = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        hours = data.get("hours")
        seconds = int(hours * Decimal(3600)) if hours is not None else None
        try:
            result = selectors.preview(data["calendar"], start=data["start"], seconds=seconds, end=data.get("end"),
                                       site=data.get("site"), group=data.get("group"))
        except engine.CalendarError as error:
            form.add_error(None, str(error))
    context = {"form": form, "result": result}
    if result is not None:
        context["elapsed_text"] = business_duration(result.elapsed) if result.elapsed is not None else ""
    return settings_page(request, "calendars/preview.html", context)
