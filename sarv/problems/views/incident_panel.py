"""The problems panel of the agent's incident page: linking to problems and known errors, sending workarounds.

The panel itself is rendered by the ``incident_problem_panel`` template tag inside the
incident page. These views take its forms. A refused button reports its error as a
message after the redirect; the problem picker shows the page again with the typed
number and the error.
"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sarv.accounts.models import User
from sarv.core.errors import NotFound, SarvError, ValidationFailed
from sarv.core.forms import apply_error
from sarv.incidents.views.common import agent_required, visible_incident_or_404
from sarv.incidents.views.detail import render_incident
from sarv.problems import actions
from sarv.problems.known_error_forms import KnownErrorNumberForm, ProblemNumberForm
from sarv.problems.known_errors import get_known_error, get_visible_problem

# The incident page's template tag shows this submitted picker form, with its input and errors, in the panel.
BOUND_FORM_ATTRIBUTE = "problem_link_form"


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


@require_POST
@agent_required
def link_problem(request: HttpRequest, number: str) -> HttpResponse:
    incident = visible_incident_or_404(request, number)
    form = ProblemNumberForm(request.POST, auto_id="problem_link_%s")
    status = 400
    if form.is_valid():
        try:
            try:
                problem = get_visible_problem(request.user, form.cleaned_data["problem"])
            except NotFound:
                raise ValidationFailed(_("No problem with the number %(number)s was found."), field="problem",
                                       number=form.cleaned_data["problem"]) from None
            actions.link_incident_to_problem(actor=_actor(request), incident=incident, problem=problem)
        except SarvError as error:
            apply_error(form, error)
            status = error.status_code
        else:
            messages.success(request, _("%(incident)s was linked to %(problem)s.")
                             % {"incident": incident.number, "problem": problem.number})
            return redirect(incident.get_absolute_url())
    setattr(request, BOUND_FORM_ATTRIBUTE, form)
    is_htmx = bool(getattr(request, "htmx", False))
    return render_incident(request, visible_incident_or_404(request, number), None, 200 if is_htmx else status)


@require_POST
@agent_required
def link_known_error(request: HttpRequest, number: str) -> HttpResponse:
    incident = visible_incident_or_404(request, number)
    form = KnownErrorNumberForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
        return redirect(incident.get_absolute_url())
    try:
        known_error = get_known_error(request.user, form.cleaned_data["known_error"])
        actions.link_incident_to_known_error(actor=_actor(request), incident=incident, known_error=known_error)
    except SarvError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(incident)s was linked to known error %(number)s.")
                         % {"incident": incident.number, "number": known_error.number})
    return redirect(incident.get_absolute_url())


@require_POST
@agent_required
def apply_workaround(request: HttpRequest, number: str, problem_number: str) -> HttpResponse:
    incident = visible_incident_or_404(request, number)
    try:
        problem = get_visible_problem(request.user, problem_number)
        actions.apply_workaround(actor=_actor(request), incident=incident, problem=problem)
    except SarvError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The workaround was sent to the requester of %(number)s.")
                         % {"number": incident.number})
    return redirect(incident.get_absolute_url())
