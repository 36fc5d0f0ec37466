"""Settings pages for support groups: list, create, edit, and their members."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sarv.accounts import actions
from sarv.accounts.forms import MemberAddForm, SupportGroupForm, people
from sarv.accounts.models import SupportGroup, User
from sarv.core.db import persian_order
from sarv.core.settings_views.common import (
    EditPages,
    paginate,
    run_action,
    save_form,
    settings_admin_required,
    settings_page,
)


@settings_admin_required
def group_list(request: HttpRequest) -> HttpResponse:
    queryset = (SupportGroup.objects.select_related("lead").annotate(member_count=Count("memberships"))
                .order_by("-is_active", persian_order("name_fa")))
    return settings_page(request, "settings/groups/list.html", {"page": paginate(request, queryset)})


def _members_url(group: SupportGroup) -> str:
    return reverse("settings:group_members", args=[group.pk])


group_create, group_edit = EditPages(
    model=SupportGroup, form_class=SupportGroupForm, fields=actions.GROUP_FIELDS,
    save=lambda actor, group, data: actions.save_support_group(actor=actor, group=group, values=data),
    list_url_name="settings:groups", new_title=gettext_lazy("New support group"),
    edit_title=gettext_lazy("Edit support group %(name)s"),
    created_message=gettext_lazy("The support group was created."),
    saved_message=gettext_lazy("The support group was saved."), after_create_url=_members_url,
).views()


@settings_admin_required
def group_members(request: HttpRequest, pk: int) -> HttpResponse:
    """List a group's members; the form on the page adds one."""
    group = get_object_or_404(SupportGroup.objects.select_related("lead"), pk=pk)
    form = MemberAddForm(request.POST or None, group=group)
    actor = cast(User, request.user)
    response = save_form(
        request, form, lambda data: actions.add_group_member(actor=actor, group=group, user=data["user"]),
        success_message=_("The member was added."), success_url=_members_url(group),
    )
    if response is not None:
        return response
    members = people(group.members.select_related("department"))
    return settings_page(request, "settings/groups/members.html", {"group": group, "members": members, "form": form})


@require_POST
@settings_admin_required
def group_member_remove(request: HttpRequest, pk: int, user_pk: int) -> HttpResponse:
    group = get_object_or_404(SupportGroup, pk=pk)
    user = get_object_or_404(User, pk=user_pk)

    def remove() -> Any:
        return actions.remove_group_member(actor=cast(User, request.user), group=group, user=user)

    run_action(request, remove, success_message=_("%(user)s was removed from the group.") % {"user": user})
    return redirect(_members_url(group))
