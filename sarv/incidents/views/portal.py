"""The requester portal: "My requests", reporting an incident, and the requester's page of an incident.

Portal pages show the requester's view to everybody, agents included: public
timeline entries and non-internal attachments only.
"""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from sarv.core.errors import SarvError
from sarv.core.search import search
from sarv.core.timeline import entries_for
from sarv.core.timeline_display import describe
from sarv.incidents import actions, forms, permissions, selectors
from sarv.incidents.choices import Channel
from sarv.incidents.models import Incident
from sarv.incidents.views.common import (
    QuickAction,
    acting_user,
    apply_action_error,
    build_forms,
    canonical_redirect,
    run_quick_action,
    visible_incident_or_404,
)
from sarv.incidents.views.detail import post_reply, reopen

PAGE_SIZE = 25
# Field changes a requester reads in the portal timeline. The rest (group, agent, priority...) is internal.
PUBLIC_FIELDS = frozenset({"status", "hold_reason"})
STATES = (("active", _("Open")), ("closed", _("Closed")), ("all", _("All")))
STATE_CODES = {code for code, _label in STATES}


def _can_see_department(user: Any) -> bool:
    return bool(user.department_id) and user.has_perm(Incident.VIEW_DEPARTMENT_PERMISSION)


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """List "My requests": the incidents the user reported or watches, or with permission their department's."""
    user = request.user
    can_department = _can_see_department(user)
    scope = "department" if request.GET.get("scope") == "department" and can_department else "mine"
    state = request.GET.get("state", "")
    if state not in STATE_CODES:
        state = "active"
    query = request.GET.get("q", "").strip()

    queryset = selectors.requester_incidents(user, scope)
    if state == "active":
        queryset = queryset.exclude(status__in=Incident.FINAL_STATUSES)
    elif state == "closed":
        queryset = queryset.filter(status__in=Incident.FINAL_STATUSES)
    if query:
        queryset = search(queryset, query)
    queryset = selectors.list_related(queryset).order_by("-updated_at", "-pk")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))

    return render(request, "portal/home.html", {
        "nav": "portal", "page": page, "scope": scope, "state": state, "states": STATES, "query": query,
        "can_department": can_department, "can_report": permissions.can_report(user),
    })


@login_required
def create(request: HttpRequest) -> HttpResponse:
    """Report an incident (the requester's form)."""
    if not permissions.can_report(request.user):
        raise DjangoPermissionDenied
    form = forms.PortalReportForm(request.POST or None, request.FILES or None, auto_id="report_%s",
                                  subcategory_url=reverse("portal:subcategory_options"))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                incident = actions.create_incident(
                    actor=acting_user(request), title=data["title"], description=data["description"],
                    channel=Channel.PORTAL, category=data["category"], subcategory=data["subcategory"],
                    service=data["service"], urgency=data["urgency"], files=data["attachments"],
                    letter_number=data["letter_number"], letter_date=data["letter_date"],
                )
            except SarvError as error:
                apply_action_error(form, error)
                status = error.status_code
            else:
                messages.success(request, _("Your incident was registered with the number %(number)s.")
                                 % {"number": incident.number})
                return redirect(incident.get_portal_url())
    return render(request, "portal/create.html", {"form": form, "nav": "portal"}, status=status)


def _make_reply(request: HttpRequest, incident: Incident, data: Any, files: Any) -> django_forms.BaseForm:
    return forms.CommentForm(data, files, auto_id="reply_%s")


def _make_reason(key: str) -> Any:
    def make(request: HttpRequest, incident: Incident, data: Any, files: Any) -> django_forms.BaseForm:
        return forms.ReasonForm(data, auto_id=key + "_%s")

    return make


def _make_confirm(request: HttpRequest, incident: Incident, data: Any, files: Any) -> django_forms.BaseForm:
    return forms.EmptyForm(data, auto_id="confirm_%s")


def _confirm(request: HttpRequest, incident: Incident, data: dict[str, Any]) -> Any:
    return actions.confirm_resolution(actor=acting_user(request), incident=incident)


def _cancel(request: HttpRequest, incident: Incident, data: dict[str, Any]) -> Any:
    # No version check: cancelling is allowed until work starts whatever else changed, and the action checks that.
    return actions.cancel_incident(actor=acting_user(request), incident=incident, expected_version=None,
                                   reason=data["reason"])


PORTAL_ACTIONS: dict[str, QuickAction] = {
    "reply": QuickAction(_make_reply, post_reply, _("Your reply was sent."), permissions.can_reply),
    "confirm": QuickAction(_make_confirm, _confirm, _("Thank you. %(number)s is now closed."),
                           permissions.can_confirm),
    "reopen": QuickAction(_make_reason("reopen"), reopen, _("%(number)s was reopened."), permissions.can_reopen),
    "cancel": QuickAction(_make_reason("cancel"), _cancel, _("%(number)s was cancelled."), permissions.can_cancel),
}


def render_portal_incident(
    request: HttpRequest, incident: Incident, bound: tuple[str, django_forms.BaseForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render the requester's page of an incident: public entries and non-internal attachments only."""
    user = request.user
    rows = describe(Incident, entries_for(incident, user).filter(is_internal=False))
    for row in rows:
        row.lines = [line for line in row.lines if line.field in PUBLIC_FIELDS]
    rows.reverse()
    context = {
        "nav": "portal",
        "incident": incident,
        "rows": rows,
        "forms": build_forms(request, incident, PORTAL_ACTIONS, bound),
        "open_panel": bound[0] if bound else "",
        "attachments": incident.attachments.filter(is_internal=False).order_by("uploaded_at", "pk"),
    }
    return render(request, "portal/incident.html", context, status=status)


@require_GET
@login_required
def incident_page(request: HttpRequest, number: str) -> HttpResponse:
    incident = visible_incident_or_404(request, number)
    return canonical_redirect(incident, number, incident.get_portal_url()) or render_portal_incident(
        request, incident
    )


@require_POST
@login_required
def incident_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    return run_quick_action(request, number, action, PORTAL_ACTIONS, render_portal_incident, Incident.get_portal_url)
