"""The holiday list, shown and edited in Jalali, with CSV import and export."""

from __future__ import annotations

from typing import Any, cast

import jdatetime
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sarv.accounts.models import User
from sarv.calendars import actions, selectors
from sarv.calendars.forms import HolidayForm, HolidayImportForm
from sarv.calendars.models import Holiday, HolidaySet
from sarv.calendars.views.common import attempt, moved_page
from sarv.core.settings_views.common import run_action, settings_admin_required, settings_page
from sarv.core.templatetags.sarv_tags import digits
from sarv.core.text import to_ascii_digits


def _holiday_set(request: HttpRequest) -> HolidaySet:
    key = request.GET.get("list") or request.POST.get("list")
    if key:
        return get_object_or_404(HolidaySet, key=key)
    shipped = selectors.shipped_holiday_set()
    if shipped is None:
        shipped = HolidaySet.objects.order_by("pk").first()
    if shipped is None:
        from django.http import Http404

        raise Http404
    return shipped


def _year(request: HttpRequest) -> int | None:
    text = to_ascii_digits(request.GET.get("year", "")).strip()
    return int(text) if text.isdigit() and 1300 <= int(text) <= 1500 else None


def _list_url(holiday_set: HolidaySet, year: int | None = None) -> str:
    url = reverse("calendars:holidays") + f"?list={holiday_set.key}"
    return url + (f"&year={year}" if year else "")


@settings_admin_required
def holiday_list(request: HttpRequest) -> HttpResponse:
    holiday_set = _holiday_set(request)
    year = _year(request)
    if year is None and "year" not in request.GET:
        year = jdatetime.date.today().year
    holidays = Holiday.objects.filter(holiday_set=holiday_set).select_related("confirmed_by")
    if year is not None:
        first = jdatetime.date(year, 1, 1).togregorian()
        last = jdatetime.date(year + 1, 1, 1).togregorian()
        holidays = holidays.filter(date__gte=first, date__lt=last)
    years = sorted({jdatetime.date.fromgregorian(date=d).year
                    for d in Holiday.objects.filter(holiday_set=holiday_set).values_list("date", flat=True)})
    return settings_page(request, "calendars/holidays.html", {
        "holiday_set": holiday_set, "holiday_sets": HolidaySet.objects.all(), "holidays": holidays,
        "year": year, "years": years, "estimated_count": holidays.filter(is_estimated=True).count(),
    })


def _holiday_editor(request: HttpRequest, holiday_set: HolidaySet, holiday: Holiday | None) -> HttpResponse:
    actor = cast(User, request.user)
    initial: dict[str, Any] = {}
    if holiday is not None:
        initial = {key: getattr(holiday, key) for key in ("date", "name_fa", "name_en", "kind", "is_estimated", "note")}
    form = HolidayForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        ok, result = attempt(form, lambda: actions.save_holiday(
            actor=actor, holiday_set=holiday_set, holiday=holiday, values=form.cleaned_data))
        if ok:
            return moved_page(request, title=_("Holiday saved"), message=_("The holiday was saved."),
                              moved=result[1], back_url=_list_url(holiday_set))
    return settings_page(request, "calendars/holiday_form.html",
                         {"form": form, "holiday_set": holiday_set, "holiday": holiday,
                          "back_url": _list_url(holiday_set)})


@settings_admin_required
def holiday_create(request: HttpRequest) -> HttpResponse:
    return _holiday_editor(request, _holiday_set(request), None)


@settings_admin_required
def holiday_edit(request: HttpRequest, pk: int) -> HttpResponse:
    holiday = get_object_or_404(Holiday.objects.select_related("holiday_set"), pk=pk)
    return _holiday_editor(request, holiday.holiday_set, holiday)


@require_POST
@settings_admin_required
def holiday_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    holiday = get_object_or_404(Holiday.objects.select_related("holiday_set"), pk=pk)
    run_action(request, lambda: actions.confirm_holiday(actor=request.user, holiday=holiday),
               success_message=_("The holiday date was confirmed."))
    return redirect(request.POST.get("next") or _list_url(holiday.holiday_set))


@require_POST
@settings_admin_required
def holiday_delete(request: HttpRequest, pk: int) -> HttpResponse:
    holiday = get_object_or_404(Holiday.objects.select_related("holiday_set"), pk=pk)
    holiday_set = holiday.holiday_set
    run_action(request, lambda: actions.delete_holiday(actor=request.user, holiday=holiday),
               success_message=_("The holiday was removed."))
    return redirect(_list_url(holiday_set))


@settings_admin_required
def holiday_import(request: HttpRequest) -> HttpResponse:
    holiday_set = _holiday_set(request)
    form = HolidayImportForm(request.POST or None, request.FILES or None)
    errors: list[tuple[int, str]] = []
    if request.method == "POST" and form.is_valid():
        ok, result = attempt(form, lambda: actions.import_holidays(
            actor=request.user, holiday_set=holiday_set, text=form.cleaned_data["file"],
            replace_years=form.cleaned_data["replace_years"]))
        if ok:
            parsed, moved = result
            if parsed.ok:
                return moved_page(request, title=_("Holidays imported"),
                                  message=_("%(count)s rows were imported.") % {"count": digits(len(parsed.rows))},
                                  moved=moved, back_url=_list_url(holiday_set))
            errors = parsed.errors
    return settings_page(request, "calendars/holiday_import.html", {
        "form": form, "holiday_set": holiday_set, "errors": errors, "back_url": _list_url(holiday_set),
    })


@settings_admin_required
def holiday_export(request: HttpRequest) -> HttpResponse:
    holiday_set = _holiday_set(request)
    year = _year(request)
    text = actions.export_holidays(actor=request.user, holiday_set=holiday_set, year=year)
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    name = f"holidays-{holiday_set.key}{'-' + str(year) if year else ''}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
@settings_admin_required
def holiday_set_copy(request: HttpRequest) -> HttpResponse:
    """Create a holiday list as a copy of the shown one, for calendars that follow their own list."""
    from django.contrib import messages

    from sarv.core.errors import SarvError

    source = _holiday_set(request)
    try:
        copied = actions.save_holiday_set(actor=request.user, holiday_set=None, copy_from=source,
                                          values={"name_fa": request.POST.get("name_fa", ""),
                                                  "name_en": request.POST.get("name_en", ""), "key": "list"})
    except SarvError as error:
        messages.error(request, error.message)
        return redirect(_list_url(source))
    messages.success(request, _("The holiday list %(name)s was created.") % {"name": copied.name})
    return redirect(_list_url(copied))
