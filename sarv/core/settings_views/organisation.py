"""Settings pages for the organisation trees: departments and locations (province, city, site)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from sarv.accounts import actions
from sarv.accounts.forms import DepartmentForm, LocationForm
from sarv.accounts.models import Department, Location
from sarv.core.settings_views.common import EditPages, settings_admin_required, settings_page
from sarv.core.settings_views.trees import tree_rows


@settings_admin_required
def department_list(request: HttpRequest) -> HttpResponse:
    departments = Department.objects.select_related("manager").annotate(member_count=Count("members"))
    return settings_page(request, "settings/departments/list.html", {"rows": tree_rows(departments)})


def _new_department(request: HttpRequest) -> dict[str, Any]:
    return {"is_active": True, "parent": request.GET.get("parent")}


department_create, department_edit = EditPages(
    model=Department, form_class=DepartmentForm, fields=actions.DEPARTMENT_FIELDS,
    save=lambda actor, department, data: actions.save_department(actor=actor, department=department, values=data),
    list_url_name="settings:departments", new_title=_("New department"),
    edit_title=_("Edit department %(name)s"), created_message=_("The department was created."),
    saved_message=_("The department was saved."), initial_for_new=_new_department,
).views()


@settings_admin_required
def location_list(request: HttpRequest) -> HttpResponse:
    return settings_page(request, "settings/locations/list.html", {"rows": tree_rows(Location.objects.all())})


def _new_location(request: HttpRequest) -> dict[str, Any]:
    return {"is_active": True, "parent": request.GET.get("parent"), "kind": request.GET.get("kind") or "province"}


location_create, location_edit = EditPages(
    model=Location, form_class=LocationForm, fields=actions.LOCATION_FIELDS,
    save=lambda actor, location, data: actions.save_location(actor=actor, location=location, values=data),
    list_url_name="settings:locations", new_title=_("New location"), edit_title=_("Edit location %(name)s"),
    created_message=_("The location was created."), saved_message=_("The location was saved."),
    initial_for_new=_new_location,
).views()
