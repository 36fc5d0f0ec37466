"""The problems panel of the incident page and the known error panel of the problem page.

Each panel reads its own data here, so the incident and problem pages include it with one line
and their views need not know about known errors.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch

from sarv.incidents import permissions as incident_permissions
from sarv.incidents.models import Incident
from sarv.problems import permissions
from sarv.problems.choices import KnownErrorStatus
from sarv.problems.known_error_forms import ProblemNumberForm
from sarv.problems.known_errors import can_view_known_errors, linked_problems, suggest_known_errors
from sarv.problems.models import KnownError, Problem
from sarv.problems.views.incident_panel import BOUND_FORM_ATTRIBUTE

register = template.Library()


@register.filter
def problem_url(problem: Problem) -> str:
    """Return the problem page's address, or "" where the problem pages are not installed."""
    try:
        return problem.get_absolute_url()
    except NoReverseMatch:
        return ""


def _module_on(context: template.Context) -> bool:
    return "problems" in (context.get("enabled_modules") or ())


@register.inclusion_tag("known_errors/_incident_panel.html", takes_context=True)
def incident_problem_panel(context: template.Context, incident: Incident) -> dict[str, Any]:
    """Linked problems with their workarounds, suggested known errors and the problem picker, for agents."""
    request = context.get("request")
    user = getattr(request, "user", None)
    shown = (_module_on(context) and incident_permissions.can_work(user) and can_view_known_errors(user))
    if not shown:
        return {"shown": False}
    is_open = not incident.is_final
    return {
        "shown": True,
        "incident": incident,
        "linked": linked_problems(incident),
        "suggestions": suggest_known_errors(incident) if is_open else [],
        "can_apply": is_open and incident_permissions.can_reply(user, incident),
        "can_link": is_open and permissions.can_report(user),
        "link_form": getattr(request, BOUND_FORM_ATTRIBUTE, None) or ProblemNumberForm(auto_id="problem_link_%s"),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("known_errors/_problem_panel.html", takes_context=True)
def problem_known_error_panel(context: template.Context, problem: Problem) -> dict[str, Any]:
    """The problem's known error (number, version, status) and the publish or update button for problem managers."""
    request = context.get("request")
    user = getattr(request, "user", None)
    known_error = KnownError.objects.filter(problem=problem).first()
    return {
        "problem": problem,
        "known_error": known_error,
        "use_count": known_error.uses.count() if known_error else 0,
        "can_manage": permissions.can_manage(user),
        "ready": bool(problem.root_cause.strip() and problem.workaround.strip()),
        "retired": known_error is not None and known_error.status == KnownErrorStatus.RETIRED,
        "csrf_token": context.get("csrf_token"),
    }
