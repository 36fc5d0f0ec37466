"""Settings pages for how the processes behave: the priority matrix, module switches and the incident process."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sarv.accounts.models import User
from sarv.core import actions, modules
from sarv.core.choices import DEFAULT_PRIORITY_MATRIX, Priority, Urgency
from sarv.core.models import ModuleSwitch
from sarv.core.priority import matrix
from sarv.core.settings_views.common import (
    EditPages,
    run_action,
    save_form,
    settings_admin_required,
    settings_page,
)
from sarv.core.settings_views.forms import IncidentPolicyForm, PriorityMatrixForm, ResolutionCodeForm
from sarv.incidents import actions as incident_actions
from sarv.incidents.models import IncidentPolicy, ResolutionCode

RESOLUTION_CODE_FIELDS = ("name_fa", "name_en", "code", "sort_order", "is_active")


@settings_admin_required
def priority_matrix(request: HttpRequest) -> HttpResponse:
    """Show and save the impact x urgency grid, with one audit row per changed cell."""
    current = matrix()
    form = PriorityMatrixForm(request.POST or None, current=current)
    actor = cast(User, request.user)
    if request.method == "POST" and "reset" in request.POST:
        run_action(request, lambda: actions.reset_priority_matrix(actor=actor),
                   success_message=_("The priority matrix is back to its defaults."))
        return redirect("settings:priority_matrix")
    response = save_form(request, form, lambda data: actions.set_priority_matrix(actor=actor, cells=form.cells()),
                         success_message=_("The priority matrix was saved."),
                         success_url=reverse("settings:priority_matrix"))
    if response is not None:
        return response
    defaults = [
        (impact, [Priority(DEFAULT_PRIORITY_MATRIX[(impact, urgency)]) for urgency in Urgency])
        for impact, _cells in form.rows()
    ]
    return settings_page(request, "settings/priority_matrix.html", {
        "form": form, "urgencies": list(Urgency), "defaults": defaults,
        "is_default": all(current[(int(i), int(u))] == p for (i, u), p in DEFAULT_PRIORITY_MATRIX.items()),
    })


@settings_admin_required
def module_list(request: HttpRequest) -> HttpResponse:
    switches = {switch.code: switch for switch in ModuleSwitch.objects.select_related("updated_by")}
    enabled = modules.enabled_codes()
    rows = [{"module": module, "enabled": module.code in enabled, "switch": switches.get(module.code)}
            for module in modules.all_modules()]
    return settings_page(request, "settings/modules.html", {"rows": rows})


@require_POST
@settings_admin_required
def module_toggle(request: HttpRequest, code: str) -> HttpResponse:
    enabled = request.POST.get("enabled") == "1"
    message = _("The module was switched on.") if enabled else _("The module was switched off.")
    run_action(request, lambda: actions.set_module_enabled(actor=cast(User, request.user), code=code, enabled=enabled),
               success_message=message)
    return redirect("settings:modules")


@settings_admin_required
def incident_process(request: HttpRequest) -> HttpResponse:
    """Show and save the incident policy, and list the resolution codes."""
    policy = IncidentPolicy.current()
    form = IncidentPolicyForm(request.POST or None, initial={
        "reopen_window_days": policy.reopen_window_days, "auto_close_days": policy.auto_close_days,
        "default_group": policy.default_group_id,
    })
    actor = cast(User, request.user)

    def save(data: dict[str, Any]) -> IncidentPolicy:
        return incident_actions.update_incident_policy(actor=actor, **data)

    response = save_form(request, form, save, success_message=_("The incident settings were saved."),
                         success_url=reverse("settings:incident_process"))
    if response is not None:
        return response
    codes = ResolutionCode.objects.order_by("-is_active", "sort_order", "code")
    return settings_page(request, "settings/incident_process.html", {"form": form, "codes": codes})


def _code_values(code: ResolutionCode) -> dict[str, Any]:
    return {name: getattr(code, name) for name in RESOLUTION_CODE_FIELDS}


def _new_code(request: HttpRequest) -> dict[str, Any]:
    return {"is_active": True, "sort_order": 0}


resolution_code_create, resolution_code_edit = EditPages(
    model=ResolutionCode, form_class=ResolutionCodeForm, fields=RESOLUTION_CODE_FIELDS,
    save=lambda actor, code, data: incident_actions.save_resolution_code(
        actor=actor, resolution_code=code, values=data),
    list_url_name="settings:incident_process", new_title=gettext_lazy("New resolution code"),
    edit_title=gettext_lazy("Edit resolution code %(name)s"),
    created_message=gettext_lazy("The resolution code was created."),
    saved_message=gettext_lazy("The resolution code was saved."), initial_for_new=_new_code,
).views()


@require_POST
@settings_admin_required
def resolution_code_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    """Deactivate or reactivate a resolution code; codes are never deleted because incidents keep them."""
    code = get_object_or_404(ResolutionCode, pk=pk)
    values = {**_code_values(code), "is_active": request.POST.get("active") == "1"}
    message = _("The resolution code was reactivated.") if values["is_active"] else _(
        "The resolution code was deactivated; incidents that have it keep it.")
    run_action(request, lambda: incident_actions.save_resolution_code(
        actor=cast(User, request.user), resolution_code=code, values=values), success_message=message)
    return redirect("settings:incident_process")
