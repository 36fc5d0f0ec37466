"""Settings pages for users: list, create, edit, set password, deactivate and reactivate."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sarv.accounts import actions
from sarv.accounts.forms import PasswordForm, UserCreateForm, UserFilterForm, UserForm, people
from sarv.accounts.models import Department, User
from sarv.accounts.roles import ROLES, role_label, user_roles
from sarv.core.settings_views.common import (
    form_page,
    paginate,
    run_action,
    settings_admin_required,
    settings_page,
)
from sarv.core.settings_views.trees import descendant_ids
from sarv.core.text import search_terms


def filter_users(form: UserFilterForm) -> QuerySet[User]:
    """Return the users matching the list filters, in Persian alphabetical order of their names."""
    queryset = User.objects.select_related("department").prefetch_related("groups")
    if not form.is_valid():
        return people(queryset)
    data = form.cleaned_data
    for term in search_terms(data.get("q") or ""):
        queryset = queryset.filter(search_key__contains=term)
    if data.get("role"):
        queryset = queryset.filter(groups__name=data["role"])
    if data.get("department") is not None:
        nodes = Department.objects.only("pk", "parent_id")
        queryset = queryset.filter(department_id__in=descendant_ids(nodes, data["department"].pk))
    if data.get("active") in ("0", "1"):
        queryset = queryset.filter(is_active=data["active"] == "1")
    return people(queryset)


@settings_admin_required
def user_list(request: HttpRequest) -> HttpResponse:
    form = UserFilterForm(request.GET or None)
    page = paginate(request, filter_users(form))
    rows = [
        {"user": user, "roles": [role_label(g.name) for g in user.groups.all() if g.name in ROLES]}
        for user in page.object_list
    ]
    return settings_page(request, "settings/users/list.html", {"form": form, "page": page, "rows": rows})


def _membership_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "roles": data.get("roles") or [],
        "support_groups": list(data.get("support_groups") or []),
        "view_department_incidents": bool(data.get("view_department_incidents")),
    }


def _edit_url(user: User) -> str:
    return reverse("settings:user_edit", args=[user.pk])


@settings_admin_required
def user_create(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None, initial={"language": "fa", "is_active": True, "roles": ["requester"]})
    actor = cast(User, request.user)

    def save(data: dict[str, Any]) -> User:
        return actions.create_user(actor=actor, values=form.user_values(), password=data.get("password") or "",
                                   **_membership_kwargs(data))

    return form_page(request, form, save, title=_("New user"), back_url=reverse("settings:users"),
                     success_message=_("The user was created."), success_url=_edit_url,
                     template="settings/users/form.html", context={"roles": ROLES.values()})


@settings_admin_required
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    initial = {name: getattr(user, name) for name in actions.USER_FIELDS}
    initial.update({
        "roles": user_roles(user),
        "support_groups": list(user.support_groups.all()),
        "view_department_incidents": actions.has_department_incidents(user),
    })
    form = UserForm(request.POST or None, initial=initial, user=user)
    actor = cast(User, request.user)

    def save(data: dict[str, Any]) -> User:
        return actions.update_user(actor=actor, user=user, values=form.user_values(), **_membership_kwargs(data))

    return form_page(request, form, save, title=_("Edit user %(name)s") % {"name": user.display_name},
                     back_url=reverse("settings:users"), success_message=_("The user was saved."),
                     success_url=_edit_url(user), template="settings/users/form.html",
                     context={"subject": user, "roles": ROLES.values()})


@settings_admin_required
def user_password(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    form = PasswordForm(request.POST or None)
    actor = cast(User, request.user)

    def save(data: dict[str, Any]) -> None:
        actions.set_user_password(actor=actor, user=user, password=data["password"])

    return form_page(request, form, save, title=_("Set the password of %(name)s") % {"name": user.display_name},
                     back_url=_edit_url(user), success_message=_("The password was changed."),
                     context={"subject": user})


@require_POST
@settings_admin_required
def user_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    active = request.POST.get("active") == "1"
    message = _("The user was reactivated.") if active else _("The user was deactivated and can no longer sign in.")
    run_action(request, lambda: actions.set_user_active(actor=cast(User, request.user), user=user, active=active),
               success_message=message)
    return redirect(_edit_url(user))
