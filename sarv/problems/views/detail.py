"""The problem page and its quick actions: assignment, status, edit, analysis, five whys, workaround,
resolve, close, reopen, linked incidents, watchers, notes and attachments."""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from sarv.core.errors import NotFound, ValidationFailed
from sarv.core.timeline import entries_for
from sarv.core.timeline_display import describe
from sarv.core.visibility import visible_attachments
from sarv.incidents import selectors as incident_selectors
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
)
from sarv.incidents.views.detail import make_assign
from sarv.problems import actions, forms, permissions, selectors
from sarv.problems.choices import OPEN_STATUSES, ProblemStatus
from sarv.problems.models import FiveWhyStep, Problem
from sarv.problems.workflow import PROBLEM_WORKFLOW

Data = dict[str, Any]
# The results of the last close (one row per incident), shown once on the problem page.
CLOSE_RESULTS_SESSION_KEY = "problems_close_results"


def visible_problem_or_404(request: HttpRequest, number: str) -> Problem:
    try:
        return selectors.get_visible_problem(request.user, number)
    except NotFound:
        raise Http404 from None


def working_statuses(problem: Problem) -> list[tuple[str, Any]]:
    """Return the statuses an agent may set by hand from the problem's current status."""
    allowed = PROBLEM_WORKFLOW.allowed_targets(problem.status)
    return [(status, PROBLEM_WORKFLOW.label(status)) for status in actions.WORKING_STATUSES
            if status in allowed or status == problem.status]


# --- Forms of the quick actions ------------------------------------------------------------------


def _make_status(request: HttpRequest, problem: Problem, data: Any, files: Any) -> django_forms.BaseForm:
    return forms.StatusForm(data, auto_id=auto_id("status"), statuses=working_statuses(problem),
                            initial={"status": problem.status, "version": problem.version})


def _make_edit(request: HttpRequest, problem: Problem, data: Any, files: Any) -> django_forms.BaseForm:
    return forms.ProblemEditForm(data, auto_id=auto_id("edit"), user=request.user,
                                 initial=forms.ProblemEditForm.initial_for(problem))


def _make_close(request: HttpRequest, problem: Problem, data: Any, files: Any) -> django_forms.BaseForm:
    open_incidents = actions.open_linked_incidents(problem)
    return forms.CloseForm(data, auto_id=auto_id("close"), open_incidents=open_incidents,
                           initial={"version": problem.version, "incidents": list(open_incidents),
                                    "message": problem.resolution_notes})


# --- What each quick action does -----------------------------------------------------------------


def _take(request: HttpRequest, problem: Problem, data: Data) -> Any:
    return actions.take_problem(actor=acting_user(request), problem=problem, expected_version=data["version"])


def _assign(request: HttpRequest, problem: Problem, data: Data) -> Any:
    return actions.assign_problem(actor=acting_user(request), problem=problem, expected_version=data["version"],
                                  group=data["assigned_group"], assignee=data["assignee"])


def _status(request: HttpRequest, problem: Problem, data: Data) -> Any:
    return actions.change_status(actor=acting_user(request), problem=problem, expected_version=data["version"],
                                 status=data["status"], note=data["note"])


def _edit(request: HttpRequest, problem: Problem, data: Data) -> Any:
    values = {name: data[name] for name in (*actions.EDITABLE_FIELDS, "services", "cis")}
    return actions.update_problem(actor=acting_user(request), problem=problem, expected_version=data["version"],
                                  **values)


def _rca(request: HttpRequest, problem: Problem, data: Data) -> Any:
    return actions.save_root_cause(actor=acting_user(request), problem=problem, expected_version=data["version"],
                                   rca_method=data["rca_method"], root_cause=data["root_cause"],
                                   contributing_factors=data["contributing_factors"], files=data["attachments"])


def _step(problem: Problem, step_id: Any) -> FiveWhyStep:
    step = FiveWhyStep.objects.filter(problem=problem, pk=step_id).select_related("problem").first()
    if step is None:
        raise ValidationFailed(_("That step is not part of this analysis any more."))
    return step


def _why(request: HttpRequest, problem: Problem, data: Data) -> Any:
    actor = acting_user(request)
    if data.get("step"):
        return actions.update_five_why(actor=actor, step=_step(problem, data["step"]), question=data["question"],
                                       answer=data["answer"])
    return actions.add_five_why(actor=actor, problem=problem, question=data["question"], answer=data["answer"])


def _why_remove(request: HttpRequest, problem: Problem, data: Data) -> Any:
    return actions.remove_five_why(actor=acting_user(request), step=_step(problem, data["step"]))


def _why_move(request: HttpRequest, problem: Problem, data: Data) -> Any:
    return actions.move_five_why(actor=acting_user(request), step=_step(problem, data["step"]),
                                 offset=data["offset"] or 1)


def _workaround(request: HttpRequest, problem: Problem, data: Data) -> Any:
    return actions.save_workaround(actor=acting_user(request), problem=problem, expected_version=data["version"],
                                   workaround=data["workaround"])


def _resolve(request: HttpRequest, problem: Problem, data: Data) -> Any:
    return actions.resolve_problem(actor=acting_user(request), problem=problem, expected_version=data["version"],
                                   resolution_notes=data["resolution_notes"],
                                   fix_change_reference=data["fix_change_reference"])


def _close(request: HttpRequest, problem: Problem, data: Data) -> Any:
    result = actions.close_problem(
        actor=acting_user(request), problem=problem, expected_version=data["version"],
        incidents=list(data["incidents"]), resolution_code=data["resolution_code"], message=data["message"],
        note=data["note"],
    )
    if result.incidents:
        request.session[CLOSE_RESULTS_SESSION_KEY] = {
            "problem": problem.number,
            "rows": [{"number": row.number, "ok": row.ok, "message": row.message} for row in result.incidents],
        }
    return result


def _reopen(request: HttpRequest, problem: Problem, data: Data) -> Any:
    return actions.reopen_problem(actor=acting_user(request), problem=problem, reason=data["reason"])


def _link(request: HttpRequest, problem: Problem, data: Data) -> Any:
    numbers = data["numbers"]
    found = {incident.number: incident
             for incident in incident_selectors.visible_incidents(request.user).filter(number__in=numbers)}
    missing = [number for number in numbers if number not in found]
    if missing:
        raise ValidationFailed(_("Incident not found: %(numbers)s."), field="numbers", numbers=", ".join(missing))
    linked = actions.link_incidents(actor=acting_user(request), problem=problem,
                                    incidents=[found[number] for number in numbers])
    if not linked:
        raise ValidationFailed(_("These incidents are linked already."), field="numbers")
    return linked


def _unlink(request: HttpRequest, problem: Problem, data: Data) -> Any:
    incident = selectors.linked_incidents(request.user, problem).filter(pk=data["incident"]).first()
    if incident is None or not actions.unlink_incident(actor=acting_user(request), problem=problem,
                                                       incident=incident):
        raise ValidationFailed(_("That incident is not linked to this problem."))


def _watch(request: HttpRequest, problem: Problem, data: Data) -> Any:
    if actions.add_watcher(actor=acting_user(request), problem=problem, user=data["user"]) is None:
        raise ValidationFailed(_("%(user)s already watches this problem."), field="user", user=data["user"])


def _unwatch(request: HttpRequest, problem: Problem, data: Data) -> Any:
    return actions.remove_watcher(actor=acting_user(request), problem=problem, user=data["user"])


def _note(request: HttpRequest, problem: Problem, data: Data) -> Any:
    return actions.add_work_note(actor=acting_user(request), problem=problem, body=data["body"],
                                 files=data["attachments"])


def _update(request: HttpRequest, problem: Problem, data: Data) -> Any:
    return actions.add_update(actor=acting_user(request), problem=problem, body=data["body"],
                              files=data["attachments"])


def _attach(request: HttpRequest, problem: Problem, data: Data) -> Any:
    return actions.add_problem_attachments(actor=acting_user(request), problem=problem, files=data["attachments"])


# --- When the page offers each action (the actions check again) ---------------------------------------


def _works(user: Any, problem: Problem) -> bool:
    return permissions.can_work(user)


def _works_open(user: Any, problem: Problem) -> bool:
    return permissions.can_work(user) and problem.status in OPEN_STATUSES


def _can_take(user: Any, problem: Problem) -> bool:
    return _works_open(user, problem) and problem.assignee_id != user.pk


def _can_resolve(user: Any, problem: Problem) -> bool:
    return permissions.can_manage(user) and PROBLEM_WORKFLOW.can_move(problem.status, ProblemStatus.RESOLVED)


def _can_close(user: Any, problem: Problem) -> bool:
    return permissions.can_manage(user) and PROBLEM_WORKFLOW.can_move(problem.status, ProblemStatus.CLOSED)


def _can_reopen(user: Any, problem: Problem) -> bool:
    return permissions.can_work(user) and problem.status not in OPEN_STATUSES


def _can_edit(user: Any, problem: Problem) -> bool:
    return permissions.can_work(user) and not problem.is_final


def _can_link(user: Any, problem: Problem) -> bool:
    return permissions.can_report(user) and not problem.is_final


QUICK_ACTIONS: dict[str, QuickAction] = {
    "take": QuickAction(version_form(forms.VersionedForm, "take"), _take, _("You took %(number)s."), _can_take),
    "assign": QuickAction(make_assign, _assign, _("%(number)s was assigned."), _works_open),
    "status": QuickAction(_make_status, _status, _("The status of %(number)s was changed."), _works_open),
    "edit": QuickAction(_make_edit, _edit, _("The changes to %(number)s were saved."), _can_edit),
    "rca": QuickAction(
        version_form(forms.RootCauseForm, "rca", rca_method="rca_method", root_cause="root_cause",
                   contributing_factors="contributing_factors"),
        _rca, _("The root cause analysis of %(number)s was saved."), _works_open),
    "why": QuickAction(plain_form(forms.FiveWhyForm, "why"), _why, _("The five-whys step was saved."), _works_open),
    "why_remove": QuickAction(plain_form(forms.FiveWhyStepForm, "why_remove"), _why_remove,
                              _("The five-whys step was removed."), _works_open),
    "why_move": QuickAction(plain_form(forms.FiveWhyStepForm, "why_move"), _why_move,
                            _("The five-whys steps were reordered."), _works_open),
    "workaround": QuickAction(version_form(forms.WorkaroundForm, "workaround", workaround="workaround"),
                              _workaround, _("The workaround of %(number)s was saved."), _works_open),
    "resolve": QuickAction(
        version_form(forms.ResolveForm, "resolve", resolution_notes="resolution_notes",
                   fix_change_reference="fix_change_reference"),
        _resolve, _("%(number)s was resolved."), _can_resolve),
    "close": QuickAction(_make_close, _close, _("%(number)s was closed."), _can_close),
    "reopen": QuickAction(plain_form(forms.ReasonForm, "reopen"), _reopen, _("%(number)s was reopened."), _can_reopen),
    "link": QuickAction(plain_form(forms.LinkIncidentsForm, "link"), _link, _("The incidents were linked."), _can_link),
    "unlink": QuickAction(plain_form(forms.UnlinkIncidentForm, "unlink"), _unlink, _("The incident was unlinked."),
                          lambda user, problem: permissions.can_report(user)),
    "watch": QuickAction(plain_form(forms.WatcherForm, "watch"), _watch, _("The watcher was added."), _works),
    "unwatch": QuickAction(plain_form(forms.RemoveWatcherForm, "unwatch"), _unwatch, _("The watcher was removed."),
                           _works),
    "note": QuickAction(plain_form(forms.CommentForm, "note"), _note, _("Your work note was added."), _works),
    "update": QuickAction(plain_form(forms.CommentForm, "update"), _update, _("Your update was posted."), _works_open),
    "attach": QuickAction(plain_form(forms.AttachmentsForm, "attach"), _attach, _("The files were attached."),
                          _works),
}


# --- Pages -----------------------------------------------------------------------------------------


def render_problem(
    request: HttpRequest, problem: Problem, bound: tuple[str, django_forms.BaseForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render the problem page. ``bound`` is a submitted form to show again with its input and errors."""
    user = request.user
    rows = describe(Problem, entries_for(problem, user))
    rows.reverse()
    forms_by_key = build_forms(request, problem, QUICK_ACTIONS, bound)
    close_results = request.session.pop(CLOSE_RESULTS_SESSION_KEY, None)
    if close_results and close_results.get("problem") != problem.number:
        close_results = None
    context = {
        "nav": "problems",
        "problem": problem,
        "rows": rows,
        "forms": forms_by_key,
        "open_panel": bound[0] if bound else "",
        "five_whys": list(problem.five_whys.order_by("position")),
        "incidents": list(selectors.linked_incidents(user, problem)[:200]),
        "open_incident_count": actions.open_linked_incidents(problem).count(),
        "watchers": problem.watchers.select_related("user").order_by("created_at", "pk"),
        "attachments": visible_attachments(user, problem).select_related("uploaded_by").order_by("uploaded_at", "pk"),
        "close_results": close_results["rows"] if close_results else None,
        "can_work": permissions.can_work(user),
    }
    return render(request, "problems/detail.html", context, status=status)


@require_GET
@agent_required
def problem_detail(request: HttpRequest, number: str) -> HttpResponse:
    problem = visible_problem_or_404(request, number)
    return canonical_redirect(problem, number, problem.get_absolute_url()) or render_problem(request, problem)


@require_POST
@agent_required
def problem_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    return run_quick_action(request, number, action, QUICK_ACTIONS, render_problem, Problem.get_absolute_url,
                            load=visible_problem_or_404)
