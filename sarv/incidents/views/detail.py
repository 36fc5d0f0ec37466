"""The incident page of the agent workspace and its quick actions (assign, status, resolve, edit, reply...)."""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from sarv.core.choices import ReferenceKind
from sarv.core.errors import NotFound, ValidationFailed
from sarv.core.permissions import is_agent
from sarv.core.timeline import entries_for
from sarv.core.timeline_display import describe
from sarv.incidents import actions, forms, permissions, selectors
from sarv.incidents.choices import OPEN_STATUSES, IncidentStatus
from sarv.incidents.models import Incident
from sarv.incidents.views.common import (
    QuickAction,
    acting_user,
    agent_required,
    auto_id,
    build_forms,
    canonical_redirect,
    plain_form,
    run_quick_action,
    version_form,
    visible_incident_or_404,
)
from sarv.incidents.workflow import INCIDENT_WORKFLOW

Data = dict[str, Any]


def working_statuses(incident: Incident) -> list[str]:
    """Return the statuses an agent may set by hand from the incident's current status."""
    allowed = INCIDENT_WORKFLOW.allowed_targets(incident.status)
    return [status for status in forms.WORKING_STATUSES if status in allowed]


# --- Forms of the quick actions ------------------------------------------------------------------


def make_assign(request: HttpRequest, record: Any, data: Any, files: Any) -> django_forms.BaseForm:
    """Build the assign form of any work item (group, agent, version)."""
    return forms.AssignForm(data, auto_id=auto_id("assign"), agent_url=reverse("incidents:agent_options"),
                            initial={"assigned_group": record.assigned_group_id, "assignee": record.assignee_id,
                                     "version": record.version})


def _make_status(request: HttpRequest, incident: Incident, data: Any, files: Any) -> django_forms.BaseForm:
    statuses = working_statuses(incident)
    current = incident.status
    if current not in statuses:
        current = statuses[0] if statuses else ""
    return forms.StatusForm(data, auto_id=auto_id("status"), statuses=statuses,
                            initial={"status": current, "hold_reason": incident.hold_reason,
                                     "supplier": incident.hold_supplier_id,
                                     "version": incident.version})


def _make_edit(request: HttpRequest, incident: Incident, data: Any, files: Any) -> django_forms.BaseForm:
    return forms.EditForm(data, auto_id=auto_id("edit"), initial=forms.EditForm.initial_for(incident),
                          subcategory_url=reverse("incidents:subcategory_options"))


def _make_cis(request: HttpRequest, incident: Incident, data: Any, files: Any) -> django_forms.BaseForm:
    return forms.AffectedCIsForm(data, auto_id=auto_id("cis"), initial=forms.AffectedCIsForm.initial_for(incident),
                                 user=request.user, requester_id=incident.requester_id)


def _make_priority(request: HttpRequest, incident: Incident, data: Any, files: Any) -> django_forms.BaseForm:
    return forms.PriorityForm(data, auto_id=auto_id("priority"),
                              initial={"priority": incident.priority, "reason": incident.priority_override_reason,
                                       "version": incident.version})


def _make_major(request: HttpRequest, incident: Incident, data: Any, files: Any) -> django_forms.BaseForm:
    return forms.MajorForm(data, auto_id=auto_id("major"),
                           initial={"is_major": not incident.is_major, "version": incident.version})


def _make_cancel(request: HttpRequest, incident: Incident, data: Any, files: Any) -> django_forms.BaseForm:
    return forms.ReasonForm(data, auto_id=auto_id("cancel"), initial={"version": incident.version})


# --- What each quick action does -----------------------------------------------------------------


def _take(request: HttpRequest, incident: Incident, data: Data) -> Any:
    return actions.take_incident(actor=acting_user(request), incident=incident, expected_version=data["version"])


def _assign(request: HttpRequest, incident: Incident, data: Data) -> Any:
    return actions.assign_incident(actor=acting_user(request), incident=incident, expected_version=data["version"],
                                   group=data["assigned_group"], assignee=data["assignee"])


def _status(request: HttpRequest, incident: Incident, data: Data) -> Any:
    return actions.change_status(actor=acting_user(request), incident=incident, expected_version=data["version"],
                                 status=data["status"], hold_reason=data["hold_reason"], note=data["note"],
                                 supplier=data.get("supplier"))


def _resolve(request: HttpRequest, incident: Incident, data: Data) -> Any:
    return actions.resolve_incident(actor=acting_user(request), incident=incident, expected_version=data["version"],
                                    resolution_code=data["resolution_code"],
                                    resolution_notes=data["resolution_notes"])


def _close(request: HttpRequest, incident: Incident, data: Data) -> Any:
    return actions.close_incident(actor=acting_user(request), incident=incident)


def reopen(request: HttpRequest, incident: Incident, data: Data) -> Any:
    return actions.reopen_incident(actor=acting_user(request), incident=incident, reason=data["reason"])


def _cancel(request: HttpRequest, incident: Incident, data: Data) -> Any:
    return actions.cancel_incident(actor=acting_user(request), incident=incident, expected_version=data["version"],
                                   reason=data["reason"])


def _edit(request: HttpRequest, incident: Incident, data: Data) -> Any:
    # Only what the user changed: see EditForm. The form is rebuilt here from the posted data.
    form = forms.EditForm(request.POST, subcategory_url="")
    values = {name: data[name] for name in form.touched_fields() if name in actions.EDITABLE_FIELDS}
    return actions.update_incident(actor=acting_user(request), incident=incident, expected_version=data["version"],
                                   **values)


def _cis(request: HttpRequest, incident: Incident, data: Data) -> Any:
    """Set the affected CI (its service follows unless set by hand), then the further affected CIs."""
    actor = acting_user(request)
    if data["affected_ci"] != incident.affected_ci:
        incident = actions.update_incident(actor=actor, incident=incident, expected_version=data["version"],
                                           affected_ci=data["affected_ci"])
    return actions.set_further_affected_cis(actor=actor, incident=incident, cis=data["further_affected_cis"])


def _priority(request: HttpRequest, incident: Incident, data: Data) -> Any:
    priority = None if data["clear"] else data["priority"]
    return actions.override_priority(actor=acting_user(request), incident=incident, expected_version=data["version"],
                                     priority=priority, reason=data["reason"])


def _major(request: HttpRequest, incident: Incident, data: Data) -> Any:
    return actions.set_major(actor=acting_user(request), incident=incident, expected_version=data["version"],
                             is_major=data["is_major"])


def _link(request: HttpRequest, incident: Incident, data: Data) -> Any:
    try:
        child = selectors.get_visible_incident(request.user, data["number"])
    except NotFound:
        raise ValidationFailed(_("No incident with the number %(number)s was found."), field="number",
                               number=data["number"]) from None
    return actions.link_child(actor=acting_user(request), parent=incident, child=child)


def _unlink(request: HttpRequest, incident: Incident, data: Data) -> Any:
    child = selectors.visible_incidents(request.user).filter(parent=incident, pk=data["child"]).first()
    if child is None:
        raise ValidationFailed(_("That incident is not a child of this one."))
    return actions.unlink_child(actor=acting_user(request), child=child)


def _watch(request: HttpRequest, incident: Incident, data: Data) -> Any:
    if actions.add_watcher(actor=acting_user(request), incident=incident, user=data["user"]) is None:
        raise ValidationFailed(_("%(user)s already watches this incident."), field="user", user=data["user"])


def _unwatch(request: HttpRequest, incident: Incident, data: Data) -> Any:
    return actions.remove_watcher(actor=acting_user(request), incident=incident, user=data["user"])


def _letter(request: HttpRequest, incident: Incident, data: Data) -> Any:
    return actions.add_letter_reference(actor=acting_user(request), incident=incident, number=data["letter_number"],
                                        date=data["letter_date"], note=data["note"])


def post_reply(request: HttpRequest, incident: Incident, data: Data) -> Any:
    return actions.add_reply(actor=acting_user(request), incident=incident, body=data["body"],
                             files=data["attachments"])


def _note(request: HttpRequest, incident: Incident, data: Data) -> Any:
    return actions.add_work_note(actor=acting_user(request), incident=incident, body=data["body"],
                                 files=data["attachments"])


# --- When the page offers each action (the actions check again) ---------------------------------------


def _works_open(user: Any, incident: Incident) -> bool:
    return permissions.can_work(user) and incident.status in OPEN_STATUSES


def _can_take(user: Any, incident: Incident) -> bool:
    return _works_open(user, incident) and incident.assignee_id != user.pk


def _can_change_status(user: Any, incident: Incident) -> bool:
    return _works_open(user, incident) and bool(working_statuses(incident))


def _can_resolve(user: Any, incident: Incident) -> bool:
    return permissions.can_work(user) and INCIDENT_WORKFLOW.can_move(incident.status, IncidentStatus.RESOLVED)


def _can_close(user: Any, incident: Incident) -> bool:
    return permissions.can_work(user) and incident.status == IncidentStatus.RESOLVED


def _can_edit(user: Any, incident: Incident) -> bool:
    return permissions.can_work(user) and not incident.is_final


def _can_manage(user: Any, incident: Incident) -> bool:
    return permissions.can_manage(user) and not incident.is_final


def _can_link(user: Any, incident: Incident) -> bool:
    # Only a top-level incident can have children.
    return permissions.can_work(user) and incident.parent_id is None


def _can_follow(user: Any, incident: Incident) -> bool:
    return permissions.can_work(user) or incident.requester_id == user.pk


QUICK_ACTIONS: dict[str, QuickAction] = {
    "take": QuickAction(version_form(forms.VersionedForm, "take"), _take, _("You took %(number)s."), _can_take),
    "assign": QuickAction(make_assign, _assign, _("%(number)s was assigned."), _works_open),
    "status": QuickAction(_make_status, _status, _("The status of %(number)s was changed."),
                          _can_change_status),
    "resolve": QuickAction(version_form(forms.ResolveForm, "resolve"), _resolve, _("%(number)s was resolved."),
                           _can_resolve),
    "close": QuickAction(plain_form(forms.EmptyForm, "close"), _close, _("%(number)s was closed."), _can_close),
    "reopen": QuickAction(plain_form(forms.ReasonForm, "reopen"), reopen, _("%(number)s was reopened."),
                          permissions.can_reopen),
    "cancel": QuickAction(_make_cancel, _cancel, _("%(number)s was cancelled."), permissions.can_cancel),
    "edit": QuickAction(_make_edit, _edit, _("The changes to %(number)s were saved."), _can_edit),
    "cis": QuickAction(_make_cis, _cis, _("The configuration items of %(number)s were saved."), _can_edit),
    "priority": QuickAction(_make_priority, _priority, _("The priority of %(number)s was changed."), _can_manage),
    "major": QuickAction(_make_major, _major, _("The major incident flag of %(number)s was changed."), _can_manage),
    "link": QuickAction(plain_form(forms.LinkChildForm, "link"), _link, _("The child incident was linked."),
                        _can_link),
    "unlink": QuickAction(plain_form(forms.UnlinkChildForm, "unlink"), _unlink,
                          _("The child incident was unlinked."), lambda user, incident: permissions.can_work(user)),
    "watch": QuickAction(plain_form(forms.WatcherForm, "watch"), _watch, _("The watcher was added."), _can_follow),
    "unwatch": QuickAction(plain_form(forms.RemoveWatcherForm, "unwatch"), _unwatch, _("The watcher was removed."),
                           _can_follow),
    "letter": QuickAction(plain_form(forms.LetterForm, "letter"), _letter, _("The letter reference was added."),
                          _can_follow),
    "reply": QuickAction(plain_form(forms.CommentForm, "reply"), post_reply, _("Your reply was sent."),
                         permissions.can_reply),
    "note": QuickAction(plain_form(forms.CommentForm, "note"), _note, _("Your work note was added."),
                        lambda user, incident: permissions.can_work(user)),
}


# --- Pages -----------------------------------------------------------------------------------------


def _reply_tab(forms_by_key: dict[str, django_forms.BaseForm], bound: tuple[str, Any] | None) -> str:
    """Return the compose tab to open: the one just submitted, else the public reply when it is offered."""
    if bound and bound[0] in ("reply", "note"):
        return bound[0]
    return "reply" if "reply" in forms_by_key else "note"


def render_incident(
    request: HttpRequest, incident: Incident, bound: tuple[str, django_forms.BaseForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render the agent's incident page. ``bound`` is a submitted form to show again with its input and errors."""
    user = request.user
    rows = describe(Incident, entries_for(incident, user))
    rows.reverse()
    forms_by_key = build_forms(request, incident, QUICK_ACTIONS, bound)
    context = {
        "nav": "workspace",
        "incident": incident,
        "rows": rows,
        "forms": forms_by_key,
        "open_panel": bound[0] if bound else "",
        "reply_tab": _reply_tab(forms_by_key, bound),
        "letters": incident.external_references.filter(kind=ReferenceKind.LETTER).order_by("created_at", "pk"),
        "watchers": incident.watchers.select_related("user").order_by("created_at", "pk"),
        "children": selectors.list_related(selectors.visible_incidents(user).filter(parent=incident))
        .order_by("number"),
        "attachments": incident.attachments.select_related("uploaded_by").order_by("uploaded_at", "pk"),
        "can_work": permissions.can_work(user),
    }
    return render(request, "incidents/detail.html", context, status=status)


@require_GET
@login_required
def incident_detail(request: HttpRequest, number: str) -> HttpResponse:
    """Show the incident page. A requester who opens it is sent to the same incident in the portal."""
    incident = visible_incident_or_404(request, number)
    if not is_agent(request.user):
        return redirect(incident.get_portal_url())
    return canonical_redirect(incident, number, incident.get_absolute_url()) or render_incident(
        request, incident
    )


@require_POST
@agent_required
def incident_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    return run_quick_action(request, number, action, QUICK_ACTIONS, render_incident, Incident.get_absolute_url)
