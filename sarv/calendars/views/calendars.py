"""Calendar list, editor (weekly grid with an effective date) and dated hour sets."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sarv.accounts.models import User
from sarv.calendars import actions, selectors
from sarv.calendars.forms import CalendarForm, HourSetForm
from sarv.calendars.models import Calendar, CalendarVersion, HourSet
from sarv.calendars.views.common import attempt, moved_page
from sarv.core.db import persian_order
from sarv.core.settings_views.common import run_action, settings_admin_required, settings_page


@settings_admin_required
def calendar_list(request: HttpRequest) -> HttpResponse:
    calendars = (selectors.calendars().annotate(version_count=Count("versions", distinct=True),
                                                hour_set_count=Count("hour_sets", distinct=True))
                 .order_by("-is_default", "-is_active", persian_order("name_fa")))
    return settings_page(request, "calendars/list.html", {"calendars": calendars})


def _calendar_values(data: dict[str, Any]) -> dict[str, Any]:
    return {key: data.get(key) for key in (
        "name_fa", "name_en", "owner_group", "site", "time_zone", "holiday_mode", "holiday_set", "is_default",
        "is_active")}


def _editor(request: HttpRequest, calendar: Calendar | None) -> HttpResponse:
    actor = cast(User, request.user)
    today = timezone.localdate()
    current = selectors.current_version(calendar, today) if calendar else None
    week = actions.version_rows(current)
    initial: dict[str, Any] = {}
    if calendar is not None:
        initial = {key: getattr(calendar, key) for key in (
            "name_fa", "name_en", "owner_group", "site", "time_zone", "holiday_mode", "holiday_set", "is_default",
            "is_active")}
    form = CalendarForm(request.POST or None, initial=initial, week=week, editing=calendar is not None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ok, result = attempt(form, lambda: actions.save_calendar(
            actor=actor, calendar=calendar, values=_calendar_values(data), week=data["week"],
            effective_from=data.get("effective_from")))
        if ok:
            saved, moved = result
            if calendar is None:
                return redirect("calendars:edit", saved.pk)
            return moved_page(request, title=_("Calendar saved"), message=_("The calendar %(name)s was saved.")
                              % {"name": saved.name}, moved=moved, back_url=reverse("calendars:edit", args=[saved.pk]))
    context: dict[str, Any] = {"form": form, "calendar": calendar, "current": current}
    if calendar is not None:
        context["versions"] = CalendarVersion.objects.filter(calendar=calendar).prefetch_related("intervals")
        context["hour_sets"] = HourSet.objects.filter(calendar=calendar)
    return settings_page(request, "calendars/edit.html", context)


@settings_admin_required
def calendar_create(request: HttpRequest) -> HttpResponse:
    return _editor(request, None)


@settings_admin_required
def calendar_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _editor(request, get_object_or_404(Calendar, pk=pk))


@require_POST
@settings_admin_required
def version_delete(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(CalendarVersion, pk=pk)
    calendar_id = version.calendar_id
    run_action(request, lambda: actions.delete_version(actor=request.user, version=version),
               success_message=_("The hours were removed."))
    return redirect("calendars:edit", calendar_id)


def _hour_set_editor(request: HttpRequest, calendar: Calendar, hour_set: HourSet | None) -> HttpResponse:
    actor = cast(User, request.user)
    week = [(i.weekday, i.start_minute, i.end_minute) for i in hour_set.intervals.all()] if hour_set else []
    initial = ({"name_fa": hour_set.name_fa, "name_en": hour_set.name_en, "start_date": hour_set.start_date,
                "end_date": hour_set.end_date} if hour_set else {})
    form = HourSetForm(request.POST or None, initial=initial, week=week)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ok, result = attempt(form, lambda: actions.save_hour_set(
            actor=actor, calendar=calendar, hour_set=hour_set, values=data, week=data["week"]))
        if ok:
            return moved_page(request, title=_("Hour set saved"), message=_("The dated hour set was saved."),
                              moved=result[1], back_url=reverse("calendars:edit", args=[calendar.pk]))
    return settings_page(request, "calendars/hour_set.html",
                         {"form": form, "calendar": calendar, "hour_set": hour_set})


@settings_admin_required
def hour_set_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _hour_set_editor(request, get_object_or_404(Calendar, pk=pk), None)


@settings_admin_required
def hour_set_edit(request: HttpRequest, pk: int) -> HttpResponse:
    hour_set = get_object_or_404(HourSet.objects.select_related("calendar"), pk=pk)
    return _hour_set_editor(request, hour_set.calendar, hour_set)


@require_POST
@settings_admin_required
def hour_set_delete(request: HttpRequest, pk: int) -> HttpResponse:
    hour_set = get_object_or_404(HourSet, pk=pk)
    calendar_id = hour_set.calendar_id
    run_action(request, lambda: actions.delete_hour_set(actor=request.user, hour_set=hour_set),
               success_message=_("The dated hour set was removed."))
    return redirect("calendars:edit", calendar_id)


