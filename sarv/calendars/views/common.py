"""Shared parts of the calendar pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from sarv.calendars.hooks import MovedDue
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


def moved_page(request: HttpRequest, *, title: str, message: str, moved: list[MovedDue],
               back_url: str) -> HttpResponse:
    """Keep the result of a change (which due times moved) in the session and redirect to the page showing it,
    so reloading that page does not post the change again."""
    request.session[SESSION_KEY] = {
        "title": title, "message": message, "back_url": back_url, "total": len(moved),
        "moved": [{"record_label": item.record_label, "record_url": item.record_url, "clock_label": item.clock_label,
                   "old_due": item.old_due.isoformat() if item.old_due else None,
                   "new_due": item.new_due.isoformat() if item.new_due else None} for item in moved[:MAX_SHOWN]],
    }
    return redirect("calendars:moved")


@settings_admin_required
def moved_result(request: HttpRequest) -> HttpResponse:
    """Show the due times that the last calendar change moved; without a stored result, go to the calendars."""
    result = request.session.get(SESSION_KEY)
    if not result:
        return redirect("calendars:list")
    moved = [MovedDue(item["record_label"], item["record_url"], item["clock_label"],
                      dt.datetime.fromisoformat(item["old_due"]) if item["old_due"] else None,
                      dt.datetime.fromisoformat(item["new_due"]) if item["new_due"] else None)
             for item in result["moved"]]
    return settings_page(request, "calendars/moved.html", {**result, "moved": moved})
