"""Recurring-incident pages: the proposals, one proposal with its incidents, running the detector, its settings."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sarv.accounts.models import User
from sarv.core.errors import PermissionDenied as ActionPermissionDenied
from sarv.core.errors import SarvError
from sarv.core.forms import apply_error
from sarv.core.text import to_persian_digits
from sarv.incidents.models import Incident
from sarv.problems import actions, permissions, recurrence
from sarv.problems.choices import ClusterBasis, ProposalStatus
from sarv.problems.models import Problem, ProblemProposal, RecurrencePolicy
from sarv.problems.recurring_forms import AcceptForm, DismissForm, RecurrencePolicyForm, RunDetectionForm
from sarv.problems.reports import can_view_reports

View = Callable[..., HttpResponse]
PAGE_SIZE = 25
INCIDENT_PAGE_SIZE = 50
SAMPLE_SIZE = 3


def viewers_only(view: View) -> View:
    """Let in those who see every problem (agents); others get 403, anonymous visitors the sign-in page."""

    @login_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_view_reports(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def problem_url(problem: Problem | None) -> str:
    """Return the problem's page, or "" while the problem pages are not installed."""
    if problem is None:
        return ""
    try:
        return problem.get_absolute_url()
    except NoReverseMatch:
        # NOTE: the problem pages live in the same app; this only covers a checkout without them.
        return ""


def _number(value: int) -> str:
    from sarv.core.jalali import uses_jalali

    return to_persian_digits(str(value)) if uses_jalali() else str(value)


def _decorate(proposals: list[ProblemProposal]) -> list[ProblemProposal]:
    """Attach each proposal's trait name in the request's language and its problem's address."""
    objects = recurrence.trait_objects(proposals)
    for proposal in proposals:
        proposal.trait = recurrence.trait_label(proposal, objects)  # type: ignore[attr-defined]
        proposal.problem_url = problem_url(proposal.problem)  # type: ignore[attr-defined]
    return proposals


@viewers_only
def proposal_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or ProposalStatus.OPEN
    if status not in ProposalStatus.values:
        status = ProposalStatus.OPEN
    samples = Prefetch("incidents", to_attr="samples",
                       queryset=Incident.objects.order_by("-created_at", "-pk").only("pk", "number", "title",
                                                                                     "created_at")[:SAMPLE_SIZE])
    proposals = (ProblemProposal.objects.filter(status=status).select_related("problem", "decided_by")
                 .prefetch_related(samples).order_by("-incident_count", "-last_incident_at", "pk"))
    basis = request.GET.get("basis", "")
    if basis in ClusterBasis.values:
        proposals = proposals.filter(basis=basis)
    page = Paginator(proposals, PAGE_SIZE).get_page(request.GET.get("page"))
    _decorate(list(page.object_list))
    counts = _status_counts()
    return render(request, "problems/proposals.html", {
        "nav": "problem_proposals", "page": page, "status": status, "basis": basis, "counts": counts,
        "statuses": ProposalStatus.choices, "bases": ClusterBasis.choices,
        "can_manage": permissions.can_manage(request.user), "policy": RecurrencePolicy.current(),
        "run_form": RunDetectionForm(), "sample_size": SAMPLE_SIZE,
    })


def _status_counts() -> dict[str, int]:
    return {row["status"]: row["size"] for row in ProblemProposal.objects.order_by().values("status")
            .annotate(size=Count("pk"))}


def _proposal_page(request: HttpRequest, proposal: ProblemProposal, *, accept_form: AcceptForm | None = None,
                   dismiss_form: DismissForm | None = None, status: int = 200) -> HttpResponse:
    incidents = (proposal.incidents.select_related("assigned_group", "category", "subcategory", "service")
                 .order_by("-created_at", "-pk"))
    page = Paginator(incidents, INCIDENT_PAGE_SIZE).get_page(request.GET.get("page"))
    _decorate([proposal])
    return render(request, "problems/proposal_detail.html", {
        "nav": "problem_proposals", "proposal": proposal, "page": page,
        "can_manage": permissions.can_manage(request.user) and proposal.status == ProposalStatus.OPEN,
        "accept_form": accept_form or AcceptForm(), "dismiss_form": dismiss_form or DismissForm(),
    }, status=status)


def _proposal_or_404(pk: int) -> ProblemProposal:
    return get_object_or_404(ProblemProposal.objects.select_related("problem", "decided_by"), pk=pk)


@viewers_only
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _proposal_page(request, _proposal_or_404(pk))


@require_POST
@viewers_only
def proposal_accept(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal_or_404(pk)
    form = AcceptForm(request.POST)
    if form.is_valid():
        try:
            problem = actions.accept_proposal(actor=cast(User, request.user), proposal=proposal,
                                              title=form.cleaned_data["title"])
        except ActionPermissionDenied:
            raise PermissionDenied from None
        except SarvError as error:
            apply_error(form, error)
        else:
            linked = problem.incident_links.count()
            messages.success(request, _("%(number)s was raised with %(count)s incidents linked.") % {
                "number": problem.number, "count": _number(linked)})
            return redirect(problem_url(problem) or reverse("problem-proposals:detail", args=[proposal.pk]))
    return _proposal_page(request, proposal, accept_form=form, status=400)


@require_POST
@viewers_only
def proposal_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal_or_404(pk)
    form = DismissForm(request.POST)
    if form.is_valid():
        try:
            actions.dismiss_proposal(actor=cast(User, request.user), proposal=proposal,
                                     reason=form.cleaned_data["reason"])
        except ActionPermissionDenied:
            raise PermissionDenied from None
        except SarvError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("The proposal was dismissed. It comes back only if the cluster grows."))
            return redirect(reverse("problem-proposals:list"))
    return _proposal_page(request, proposal, dismiss_form=form, status=400)


@require_POST
@viewers_only
def run_detection(request: HttpRequest) -> HttpResponse:
    if not permissions.can_manage(request.user):
        raise PermissionDenied
    form = RunDetectionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(reverse("problem-proposals:list"))
    try:
        result = actions.run_recurrence_detection(actor=cast(User, request.user), **form.run_arguments())
    except SarvError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(clusters)s clusters found: %(created)s new proposals, %(grown)s grown, "
                                    "%(reopened)s proposed again.") % {
            name: _number(value) for name, value in result.as_dict().items()})
    return redirect(reverse("problem-proposals:list"))


@login_required
def policy_settings(request: HttpRequest) -> HttpResponse:
    if not permissions.can_manage(request.user):
        raise PermissionDenied
    policy = RecurrencePolicy.current()
    form = RecurrencePolicyForm(request.POST or None, initial={
        "is_enabled": policy.is_enabled, "min_incidents": policy.min_incidents, "window_days": policy.window_days,
        "bases": policy.enabled_bases(),
    })
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_recurrence_policy(actor=cast(User, request.user), **form.cleaned_data)
        except SarvError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("The recurring incident settings were saved."))
            return redirect(reverse("problem-proposals:settings"))
    return render(request, "problems/proposal_settings.html", {
        "nav": "problem_proposals", "form": form, "policy": policy,
    }, status=400 if form.errors else 200)
