"""The agent workspace: the incident list (queues, filters, sorting, saved views, bulk updates) and registering."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from sarv.core import keyset, saved_views
from sarv.core.errors import SarvError
from sarv.core.forms import style_form
from sarv.core.models import Category
from sarv.incidents import actions, forms, permissions, selectors
from sarv.incidents.filters import IncidentFilter
from sarv.incidents.views.common import acting_user, agent_required, apply_action_error, htmx_target

logger = logging.getLogger(__name__)

LIST_NAME = "incidents"
PAGE_SIZES = (25, 50, 100)
# The id of the element that HTMX requests of the list swap: the results table with its toolbar and pages.
RESULTS_TARGET = "incident-results"
BULK_RESULTS_SESSION_KEY = "incidents_bulk_results"
# The parameters that make up a view of the list. A saved view stores these and nothing else (no page number).
LIST_PARAMETERS = (*IncidentFilter.base_filters, "queue", "per_page")
# Work queues show the most urgent first and, within a priority, the oldest first.
# The "all" queue shows the newest first.
WORK_QUEUE_ORDERING = ("priority", "created_at", "pk")
ALL_QUEUE_ORDERING = ("-created_at", "-pk")
# Added after a chosen sort, in its direction, so that every sort is total and can be paged by keyset.
TIEBREAKERS = ("created_at", "pk")
SORTABLE_COLUMNS = {"number": _("Number"), "status": _("Status"), "priority": _("Priority"),
                    "sla_due_at": _("SLA due"), "created_at": _("Created"), "updated_at": _("Updated")}
# Filter fields that allow several values, which the page shows as checkbox menus.
CHECKBOX_FILTERS = ("status", "priority", "assigned_group", "sla_state")


def list_params(source: QueryDict, parameters: Iterable[str] = LIST_PARAMETERS) -> QueryDict:
    """Return only the list's own (``parameters``), non-empty parameters from ``source``."""
    params = QueryDict(mutable=True)
    for key in parameters:
        values = [value for value in source.getlist(key) if value != ""]
        if values:
            params.setlist(key, values)
    return params


def _queue_code(params: QueryDict) -> str:
    code = params.get("queue", "")
    if code in selectors.QUEUE_CODES:
        return code
    # A search typed in the navigation bar looks everywhere, not only in the agent's own work.
    return "all" if params.get("q") else "mine"


def _drop_stray_subcategory(params: QueryDict) -> None:
    """Forget a subcategory left over from another category, which would otherwise empty the list."""
    category, subcategory = params.get("category", ""), params.get("subcategory", "")
    # isdecimal, not isdigit: int() rejects digit characters such as "²" that isdigit accepts.
    if not (category.isdecimal() and subcategory.isdecimal()):
        return
    if not Category.objects.filter(pk=int(subcategory), parent_id=int(category)).exists():
        del params["subcategory"]


def _prepare_filter_form(form: django_forms.BaseForm, category: str) -> None:
    """Shape the filter form for the page: checkbox menus, dependent subcategories, styled widgets."""
    form.auto_id = "f_%s"
    for name in CHECKBOX_FILTERS:
        field = form.fields[name]
        field.widget = django_forms.CheckboxSelectMultiple(choices=getattr(field, "choices", ()))
    form.fields["is_major"].widget.choices = [
        ("unknown", _("Any")), ("true", _("Major only")), ("false", _("Not major")),
    ]
    subcategory = form.fields["subcategory"]
    subcategory.widget.choices = [("", forms.empty_subcategory_label(bool(category))),
                                  *forms.subcategories_of(category)]
    form.fields["category"].widget.attrs.update({
        "hx-get": reverse("incidents:subcategory_options"), "hx-trigger": "change", "hx-include": "this",
        "hx-target": "#f_subcategory", "hx-swap": "innerHTML",
    })
    # The sort select sits in the results toolbar, and its form attribute makes it part of the filter form.
    ordering = form.fields["ordering"]
    ordering.widget.attrs.update({"form": "incident-filters", "data-autosubmit": ""})
    ordering.widget.choices = ordering_choices(SORTABLE_COLUMNS)
    form.fields["q"].widget.input_type = "search"
    form.fields["q"].widget.attrs["placeholder"] = _("Number, title or description")
    style_form(form)
    make_small(form)


def ordering_choices(columns: dict[str, Any]) -> list[tuple[str, Any]]:
    """Return the sort select's options: the queue's default, then each column ascending and descending.

    Labels are built per request: the filter's own are translated once, when the module is imported.
    """
    return [("", _("Default for the queue"))] + [
        choice for column, label in columns.items()
        for choice in ((column, label), ("-" + column, _("%(column)s, descending") % {"column": label}))
    ]


def paginate_list(queryset: Any, params: QueryDict, source: QueryDict) -> tuple[keyset.KeysetPage, int]:
    """Return the page of ``queryset`` that ``source`` requests (cursor or page number) and the page size.

    A text search counts its matches up to keyset.SEARCH_COUNT_LIMIT, any other list up to keyset.COUNT_LIMIT.
    """
    per_page_param = str(params.get("per_page", ""))
    per_page = int(per_page_param) if per_page_param.isdecimal() else PAGE_SIZES[0]
    if per_page not in PAGE_SIZES:
        per_page = PAGE_SIZES[0]
    count_limit = keyset.SEARCH_COUNT_LIMIT if str(params.get("q", "")).strip() else None
    try:
        page = keyset.paginate(queryset, per_page, cursor=source.get("cursor"), page=source.get("page"),
                               count_limit=count_limit)
    except keyset.InvalidCursor:
        # A cursor from an edited or outdated link: show the first page rather than an error.
        page = keyset.paginate(queryset, per_page, count_limit=count_limit)
    return page, per_page


def make_small(form: django_forms.BaseForm) -> None:
    """Use Bootstrap's small controls, which keep a filter bar on one or two lines."""
    for field in form.fields.values():
        classes = field.widget.attrs.get("class", "")
        if "form-select" in classes.split():
            field.widget.attrs["class"] = classes + " form-select-sm"
        elif "form-control" in classes.split():
            field.widget.attrs["class"] = classes + " form-control-sm"


def sort_links(ordering: list[str], columns: Iterable[str] = SORTABLE_COLUMNS,
               default: str = "") -> dict[str, dict[str, str]]:
    """Return, per sortable column, the ordering its header link sets and whether it is the current sort.

    ``default`` is the column the list is sorted by when no ordering is chosen.
    """
    current = ordering[0] if ordering else default
    links = {}
    for column in columns:
        if current == column:
            links[column] = {"next": "-" + column, "state": "asc"}
        elif current == "-" + column:
            links[column] = {"next": column, "state": "desc"}
        else:
            links[column] = {"next": column, "state": ""}
    return links


def list_context(request: HttpRequest, source: QueryDict, *, full_page: bool) -> dict[str, Any]:
    """Build the list for the filters in ``source``: the same queries whatever the page size."""
    user = request.user
    params = list_params(source)
    queue_code = _queue_code(params)
    _drop_stray_subcategory(params)

    filterset = IncidentFilter(data=params, queryset=selectors.queue(user, queue_code), request=request)
    queryset = selectors.list_related(filterset.qs)
    ordering = filterset.form.cleaned_data.get("ordering") or []
    if ordering:
        # Tie-breakers make the order total, so no row shows on two pages and keyset links work.
        queryset = queryset.order_by(*keyset.ordering_with_tiebreakers(queryset.query.order_by, TIEBREAKERS))
    else:
        queryset = queryset.order_by(*(ALL_QUEUE_ORDERING if queue_code == "all" else WORK_QUEUE_ORDERING))
    _prepare_filter_form(filterset.form, params.get("category", ""))

    page, per_page = paginate_list(queryset, params, source)

    query_params = params.copy()
    query_params["queue"] = queue_code
    context: dict[str, Any] = {
        "nav": "workspace",
        "page": page,
        "filter_form": filterset.form,
        "queue_code": queue_code,
        "params": query_params,
        "query_string": query_params.urlencode(),
        "sort_links": sort_links(ordering),
        "page_sizes": PAGE_SIZES,
        "per_page": per_page,
        "has_filters": any(key not in ("queue", "per_page", "ordering") for key in params),
        "can_bulk_update": permissions.can_bulk_update(user),
        "bulk_selected": [],
        "saved_view_form": forms.SavedViewForm(auto_id="view_%s", initial={"query": query_params.urlencode()}),
    }
    if context["can_bulk_update"]:
        context["bulk_form"] = forms.BulkForm(
            incidents=selectors.visible_incidents(user), agent_url=reverse("incidents:agent_options"),
            initial={"query": query_params.urlencode()},
        )
        make_small(context["bulk_form"])
    if full_page:
        context["queues"] = [
            {"code": code, "label": label,
             # Counting every incident would cost a full scan on large installations, and adds little;
             # the work queues are counted up to keyset.BADGE_LIMIT ("999+").
             **queue_count(selectors.queue, user, code)}
            for code, label in selectors.QUEUES
        ]
        context["saved_views"] = list(saved_views.views_for(user, LIST_NAME))
    return context


def queue_count(queue: Any, user: Any, code: str) -> dict[str, Any]:
    """Count one queue (``queue(user, code)``) up to keyset.BADGE_LIMIT; the "all" queue is not counted."""
    if code == "all":
        return {"count": None, "count_exact": True}
    count, exact = keyset.bounded_count(queue(user, code), keyset.BADGE_LIMIT)
    return {"count": count, "count_exact": exact}


@require_GET
@agent_required
def incident_list(request: HttpRequest) -> HttpResponse:
    """Show the workspace list. An HTMX request for the results gets only the results fragment."""
    if htmx_target(request) == RESULTS_TARGET:
        return render(request, "incidents/_results.html", list_context(request, request.GET, full_page=False))
    context = list_context(request, request.GET, full_page=True)
    context["bulk_results"] = request.session.pop(BULK_RESULTS_SESSION_KEY, None)
    return render(request, "incidents/list.html", context)


def _list_url(query: str) -> str:
    params = list_params(QueryDict(query))
    url = reverse("incidents:list")
    return f"{url}?{params.urlencode()}" if params else url


@require_POST
@agent_required
def bulk_update(request: HttpRequest) -> HttpResponse:
    """Assign and/or change the status of the selected incidents and report a result per incident."""
    form = forms.BulkForm(request.POST, incidents=selectors.visible_incidents(request.user),
                          agent_url=reverse("incidents:agent_options"))
    make_small(form)
    results = None
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            results = actions.bulk_update(
                actor=acting_user(request), incidents=data["selected"].order_by("number"),
                group=data["assigned_group"], assignee=data["assignee"], status=data["status"],
                hold_reason=data["hold_reason"],
            )
        except SarvError as error:
            apply_action_error(form, error)
            status = error.status_code
    query = request.POST.get("query", "")

    if results is not None:
        failed = sum(1 for result in results if not result.ok)
        logger.info("Bulk update of %s incidents by user %s: %s failed", len(results), request.user.pk, failed)

    if htmx_target(request) == RESULTS_TARGET:
        context = list_context(request, QueryDict(query), full_page=False)
        context["bulk_results"] = [dataclasses.asdict(result) for result in results or []]
        if results is None:
            context["bulk_form"] = form
            context["bulk_selected"] = request.POST.getlist("selected")
        return render(request, "incidents/_results.html", context)
    if results is not None:
        request.session[BULK_RESULTS_SESSION_KEY] = [dataclasses.asdict(result) for result in results]
        return redirect(_list_url(query))
    context = list_context(request, QueryDict(query), full_page=True)
    context["bulk_form"] = form
    context["bulk_selected"] = request.POST.getlist("selected")
    return render(request, "incidents/list.html", context, status=status)


@require_POST
@agent_required
def save_view(request: HttpRequest) -> HttpResponse:
    """Save the list's current filters under a name. A name already in use replaces that view's filters."""
    form = forms.SavedViewForm(request.POST, auto_id="view_%s")
    query = list_params(QueryDict(request.POST.get("query", ""))).urlencode()
    if form.is_valid():
        try:
            view = saved_views.save_view(actor=acting_user(request), list_name=LIST_NAME,
                                         name=form.cleaned_data["name"], query=query,
                                         is_shared=form.cleaned_data["is_shared"])
        except SarvError as error:
            apply_action_error(form, error)
        else:
            messages.success(request, _("The view «%(name)s» was saved.") % {"name": view.name})
            return redirect(_list_url(query))
    context = list_context(request, QueryDict(query), full_page=True)
    context["saved_view_form"] = form
    return render(request, "incidents/list.html", context, status=400)


@require_POST
@agent_required
def delete_view(request: HttpRequest, view_id: int) -> HttpResponse:
    try:
        saved_views.delete_view(actor=acting_user(request), list_name=LIST_NAME, view_id=view_id)
    except SarvError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The saved view was deleted."))
    return redirect(_list_url(request.POST.get("query", "")))


@agent_required
def incident_create(request: HttpRequest) -> HttpResponse:
    """Register an incident on behalf of a requester (the agent's form)."""
    form = forms.IncidentCreateForm(
        request.POST or None, request.FILES or None, auto_id="create_%s",
        initial={"requester": request.GET.get("requester") or None},
        subcategory_url=reverse("incidents:subcategory_options"), agent_url=reverse("incidents:agent_options"),
        user=request.user,
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                incident = actions.create_incident(
                    actor=acting_user(request), requester=data["requester"], title=data["title"],
                    description=data["description"], channel=data["channel"], category=data["category"],
                    subcategory=data["subcategory"], service=data["service"], impact=data["impact"],
                    urgency=data["urgency"], assigned_group=data["assigned_group"], assignee=data["assignee"],
                    files=data["attachments"], letter_number=data["letter_number"], letter_date=data["letter_date"],
                    affected_ci=data["affected_ci"], further_affected_cis=data["further_affected_cis"],
                )
            except SarvError as error:
                apply_action_error(form, error)
                status = error.status_code
            else:
                messages.success(request, _("Incident %(number)s was registered.") % {"number": incident.number})
                return redirect(incident.get_absolute_url())
    return render(request, "incidents/create.html", {"form": form, "nav": "new_incident"}, status=status)
