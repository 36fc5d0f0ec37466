"""The problem list (queues, filters, search, sorting, pages) and the form that raises a problem."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from sarv.core import keyset
from sarv.core.errors import NotFound, SarvError, ValidationFailed
from sarv.core.forms import style_form
from sarv.incidents import selectors as incident_selectors
from sarv.incidents.views.common import acting_user, agent_required, apply_action_error, htmx_target
from sarv.incidents.views.workspace import (
    PAGE_SIZES,
    SORTABLE_COLUMNS,
    list_params,
    make_small,
    ordering_choices,
    paginate_list,
    queue_count,
    sort_links,
)
from sarv.problems import actions, forms, permissions, selectors
from sarv.problems.filters import ProblemFilter

RESULTS_TARGET = "problem-results"
LIST_PARAMETERS = (*ProblemFilter.base_filters, "queue", "per_page")
WORK_QUEUE_ORDERING = ("priority", "created_at", "pk")
ALL_QUEUE_ORDERING = ("-created_at", "-pk")
TIEBREAKERS = ("created_at", "pk")
CHECKBOX_FILTERS = ("status", "priority", "assigned_group", "sla_state")


def _queue_code(params: QueryDict) -> str:
    code = params.get("queue", "")
    if code in selectors.QUEUE_CODES:
        return code
    return "all" if params.get("q") else "open"


def _prepare_filter_form(form: Any) -> None:
    import django.forms as django_forms

    form.auto_id = "f_%s"
    for name in CHECKBOX_FILTERS:
        field = form.fields[name]
        field.widget = django_forms.CheckboxSelectMultiple(choices=getattr(field, "choices", ()))
    ordering = form.fields["ordering"]
    ordering.widget.attrs.update({"form": "problem-filters", "data-autosubmit": ""})
    ordering.widget.choices = ordering_choices(SORTABLE_COLUMNS)
    form.fields["q"].widget.input_type = "search"
    form.fields["q"].widget.attrs["placeholder"] = _("Number, title, root cause or workaround")
    style_form(form)
    make_small(form)


def list_context(request: HttpRequest, source: QueryDict, *, full_page: bool) -> dict[str, Any]:
    user = request.user
    params = list_params(source, LIST_PARAMETERS)
    queue_code = _queue_code(params)
    filterset = ProblemFilter(data=params, queryset=selectors.queue(user, queue_code), request=request)
    queryset = selectors.list_related(filterset.qs)
    ordering = filterset.form.cleaned_data.get("ordering") or []
    if ordering:
        queryset = queryset.order_by(*keyset.ordering_with_tiebreakers(queryset.query.order_by, TIEBREAKERS))
    else:
        queryset = queryset.order_by(*(ALL_QUEUE_ORDERING if queue_code == "all" else WORK_QUEUE_ORDERING))
    _prepare_filter_form(filterset.form)

    page, per_page = paginate_list(queryset, params, source)
    rows = list(page.object_list)
    counts = selectors.incident_counts(rows)
    for problem in rows:
        problem.incident_count = counts.get(problem.pk, 0)

    query_params = params.copy()
    query_params["queue"] = queue_code
    context: dict[str, Any] = {
        "nav": "problems",
        "page": page,
        "rows": rows,
        "filter_form": filterset.form,
        "queue_code": queue_code,
        "params": query_params,
        "query_string": query_params.urlencode(),
        "sort_links": sort_links(ordering),
        "page_sizes": PAGE_SIZES,
        "per_page": per_page,
        "can_report": permissions.can_report(user),
    }
    if full_page:
        context["queues"] = [{"code": code, "label": label, **queue_count(selectors.queue, user, code)}
                             for code, label in selectors.QUEUES]
    return context


@require_GET
@agent_required
def problem_list(request: HttpRequest) -> HttpResponse:
    """Show the problem list. An HTMX request for the results gets only the results fragment."""
    if htmx_target(request) == RESULTS_TARGET:
        return render(request, "problems/_results.html", list_context(request, request.GET, full_page=False))
    return render(request, "problems/list.html", list_context(request, request.GET, full_page=True))


def _initial_from_incident(request: HttpRequest) -> dict[str, Any]:
    """Prefill the form from the incident the agent raises the problem from (``?incident=INC-…``)."""
    number = request.GET.get("incident", "")
    if not number:
        return {}
    try:
        incident = incident_selectors.get_visible_incident(request.user, number, related=False)
    except NotFound:
        return {}
    return {"title": incident.title, "description": incident.description, "category": incident.category_id,
            "services": [incident.service_id] if incident.service_id else [],
            "cis": [incident.affected_ci_id] if incident.affected_ci_id else [],
            "incident_numbers": incident.number, "impact": incident.impact, "urgency": incident.urgency}


def _found_incidents(request: HttpRequest, numbers: list[str]) -> list[Any]:
    found = {incident.number: incident
             for incident in incident_selectors.visible_incidents(request.user).filter(number__in=numbers)}
    missing = [number for number in numbers if number not in found]
    if missing:
        raise ValidationFailed(_("Incident not found: %(numbers)s."), field="incident_numbers",
                               numbers=", ".join(missing))
    return [found[number] for number in numbers]


@agent_required
def problem_create(request: HttpRequest) -> HttpResponse:
    """Raise a problem, optionally from an incident and with incidents already linked."""
    form = forms.ProblemCreateForm(
        request.POST or None, request.FILES or None, auto_id="create_%s", user=request.user,
        agent_url=reverse("incidents:agent_options"), initial=_initial_from_incident(request),
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                problem = actions.open_problem(
                    actor=acting_user(request), title=data["title"], description=data["description"],
                    category=data["category"], impact=data["impact"], urgency=data["urgency"],
                    problem_manager=data["problem_manager"], assigned_group=data["assigned_group"],
                    assignee=data["assignee"], services=data["services"], cis=data["cis"],
                    incidents=_found_incidents(request, data["incident_numbers"]), files=data["attachments"],
                )
            except SarvError as error:
                apply_action_error(form, error)
                status = error.status_code
            else:
                messages.success(request, _("Problem %(number)s was raised.") % {"number": problem.number})
                return redirect(problem.get_absolute_url())
    return render(request, "problems/create.html", {"form": form, "nav": "problems"}, status=status)
