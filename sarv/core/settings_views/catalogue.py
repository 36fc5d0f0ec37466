"""Settings pages for classification and the service portfolio: categories and services."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from sarv.accounts.models import User
from sarv.core import actions
from sarv.core.db import persian_order
from sarv.core.models import Category
from sarv.core.settings_views.common import (
    EditPages,
    paginate,
    run_action,
    settings_admin_required,
    settings_page,
)
from sarv.core.settings_views.forms import CategoryForm, ServiceForm
from sarv.core.settings_views.trees import by_name, tree_rows
from sarv.services import actions as service_actions
from sarv.services.models import Service

CATEGORY_FIELDS = ("name_fa", "name_en", "code", "parent", "sort_order", "is_active")
SERVICE_FIELDS = ("name_fa", "name_en", "code", "description", "owner_group", "is_active")


def category_sort_key(node: Category) -> Any:
    return (node.sort_order, by_name(node))


@settings_admin_required
def category_list(request: HttpRequest) -> HttpResponse:
    rows = tree_rows(Category.objects.all(), category_sort_key)
    return settings_page(request, "settings/categories/list.html", {"rows": rows})


def _new_category(request: HttpRequest) -> dict[str, Any]:
    return {"is_active": True, "sort_order": 0, "parent": request.GET.get("parent")}


category_create, category_edit = EditPages(
    model=Category, form_class=CategoryForm, fields=CATEGORY_FIELDS,
    save=lambda actor, category, data: actions.save_category(actor=actor, category=category, values=data),
    list_url_name="settings:categories", new_title=_("New category"), edit_title=_("Edit category %(name)s"),
    created_message=_("The category was created."), saved_message=_("The category was saved."),
    initial_for_new=_new_category, template="settings/categories/form.html",
    edit_context=lambda category: {"category": category, "usage": actions.category_usage(category)},
).views()


@require_POST
@settings_admin_required
def category_delete(request: HttpRequest, pk: int) -> HttpResponse:
    category = get_object_or_404(Category, pk=pk)
    deleted = run_action(request, lambda: actions.delete_category(actor=cast(User, request.user), category=category),
                         success_message=gettext("The category was deleted."))
    return redirect("settings:categories" if deleted else reverse("settings:category_edit", args=[pk]))


@settings_admin_required
def service_list(request: HttpRequest) -> HttpResponse:
    queryset = Service.objects.select_related("owner_group").order_by("-is_active", persian_order("name_fa"))
    return settings_page(request, "settings/services/list.html", {"page": paginate(request, queryset)})


service_create, service_edit = EditPages(
    model=Service, form_class=ServiceForm, fields=SERVICE_FIELDS,
    save=lambda actor, service, data: service_actions.save_service(actor=actor, service=service, values=data),
    list_url_name="settings:services", new_title=_("New service"), edit_title=_("Edit service %(name)s"),
    created_message=_("The service was created."), saved_message=_("The service was saved."),
    form_kwargs=lambda service: {"current_owner": service.owner_group_id if service is not None else None},
).views()
