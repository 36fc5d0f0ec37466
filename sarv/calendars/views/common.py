"""Shared parts of the calendar pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from sarv.calendars.actions import moved_from_json, moved_to_json
from sarv.calendars.hooks import MovedDue
from sarv.calendars.models import RecomputeRun
from sarv.core.errors import PermissionDenied as ActionPermissionDenied
from sarv.core.errors import SarvError
from sarv.core.forms import apply_error
from sarv.core.settings_views.common import settings_admin_required, settings_page


def attempt(form: BaseForm, call: Callable[[], Any]) -> tuple[bool, Any]:
    """Run an action for a valid form; an action error lands on the form and nothing is lost."""
    try:
        return True, call()
    except ActionPermissionDenied:
        raise PermissionDenied from None
    except SarvError as error:
        apply_error(form, error)
        return False, None


SESSION_KEY = "calendars_moved"
MAX_SHOWN = 500
# How often the page of a background recompute asks whether it has finished.
POLL_SECONDS = 3


def moved_page(request: HttpRequest, *, title: str, message: str, moved: list[MovedDue],
               back_url: str) -> HttpResponse:
    """Keep the result of a change (which due times moved) in the session and redirect to the page showing it,
    so reloading that page does not post the change again. A change recomputed in the background keeps the
    id of its run instead: the page shows it as pending until the run stores its result."""
    pending_run = getattr(moved, "pending_run", None)
    request.session[SESSION_KEY] = {
        "title": title, "message": message, "back_url": back_url, "total": len(moved), "run": pending_run,
        "moved": [moved_to_json(item) for item in moved[:MAX_SHOWN]],
    }
    return redirect("calendars:moved")


def _result_context(request: HttpRequest) -> dict[str, Any] | None:
    result = request.session.get(SESSION_KEY)
    if not result:
        return None
    context: dict[str, Any] = {**result, "moved": [moved_from_json(item) for item in result["moved"]],
                               "run": None, "poll_seconds": POLL_SECONDS}
    if result.get("run"):
        run = RecomputeRun.objects.filter(pk=result["run"]).first()
        context["run"] = run
        if run is not None:
            context["moved"] = [moved_from_json(item) for item in run.moved]
            context["total"] = run.moved_total
    return context


@settings_admin_required
def moved_result(request: HttpRequest) -> HttpResponse:
    """Show the due times that the last calendar change moved; without a stored result, go to the calendars."""
    context = _result_context(request)
    if context is None:
        return redirect("calendars:list")
    return settings_page(request, "calendars/moved.html", context)


@settings_admin_required
def moved_status(request: HttpRequest) -> HttpResponse:
    """The part of the moved-due-times page that a pending background recompute refreshes (HTMX polling)."""
    context = _result_context(request)
    if context is None:
        return HttpResponse(status=204)
    return render(request, "calendars/_moved_dues.html", context)
