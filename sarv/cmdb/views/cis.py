"""The CI list and export."""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from sarv.cmdb import permissions, selectors
from sarv.cmdb.filters import CIFilter
from sarv.cmdb.importers.cis import export_cis
from sarv.cmdb.views.common import can_manage, cmdb_viewer_required
from sarv.core.db import persian_order
from sarv.core.forms import style_form
from sarv.incidents.views.workspace import make_small, sort_links

PAGE_SIZES = (25, 50, 100)
RESULTS_TARGET = "ci-results"
LIST_PARAMETERS = (*CIFilter.base_filters, "per_page")
SORTABLE_COLUMNS = {"name": _("Name"), "class": _("Class"), "status": _("Status"),
                    "criticality": _("Criticality"), "updated_at": _("Updated")}


def list_params(source: QueryDict) -> QueryDict:
    """Return only the list's own, non-empty parameters from ``source``."""
    params = QueryDict(mutable=True)
    for key in LIST_PARAMETERS:
        values = [value for value in source.getlist(key) if value != ""]
        if values:
            params.setlist(key, values)
    return params


def _prepare_filter_form(form: django_forms.BaseForm) -> None:
    form.auto_id = "f_%s"
    status = form.fields["status"]
    status.widget = django_forms.CheckboxSelectMultiple(choices=status.choices)  # type: ignore[attr-defined]
    ordering = form.fields["ordering"]
    ordering.widget.attrs.update({"form": "ci-filters", "data-autosubmit": ""})
    ordering.widget.choices = [("", _("Name"))] + [
        choice for column, label in SORTABLE_COLUMNS.items()
        for choice in ((column, label), ("-" + column, _("%(column)s, descending") % {"column": label}))
    ]
    form.fields["q"].widget.input_type = "search"
    form.fields["q"].widget.attrs["placeholder"] = _("Name, property number, serial, hostname")
    style_form(form)
    make_small(form)


def list_context(request: HttpRequest, source: QueryDict) -> dict[str, Any]:
    """Build the list for the filters in ``source``: the same queries whatever the page size."""
    params = list_params(source)
    filterset = CIFilter(data=params, queryset=selectors.cis_for(request.user), request=request)
    queryset = filterset.qs
    ordering = filterset.form.cleaned_data.get("ordering") or []
    if ordering:
        # A stable tie-breaker, so no row shows on two pages.
        queryset = queryset.order_by(*queryset.query.order_by, "pk")
    else:
        queryset = queryset.order_by(persian_order("name_fa").asc(), "pk")
    _prepare_filter_form(filterset.form)

    per_page_param = str(params.get("per_page", ""))
    per_page = int(per_page_param) if per_page_param.isdigit() and int(per_page_param) in PAGE_SIZES else PAGE_SIZES[0]
    page = Paginator(queryset, per_page).get_page(source.get("page"))
    return {
        "nav": "cmdb",
        "page": page,
        "filter_form": filterset.form,
        "params": params,
        "query_string": params.urlencode(),
        "sort_links": sort_links(ordering, SORTABLE_COLUMNS, default="name"),
        "page_sizes": PAGE_SIZES,
        "per_page": per_page,
        "can_manage": can_manage(request.user),
        "can_create": permissions.can_edit_any(request.user) or request.user.has_perm(permissions.EDIT),
        "has_filters": any(key not in ("per_page", "ordering") for key in params),
    }


@require_GET
@cmdb_viewer_required
def ci_list(request: HttpRequest) -> HttpResponse:
    """Show the CI list. An HTMX request for the results gets only the results fragment."""
    context = list_context(request, request.GET)
    details = getattr(request, "htmx", None)
    if details and details.target == RESULTS_TARGET:
        return render(request, "cmdb/_ci_results.html", context)
    return render(request, "cmdb/ci_list.html", context)


EXPORT_FORMATS = {"csv": "text/csv; charset=utf-8",
                  "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@require_GET
@cmdb_viewer_required
def ci_export(request: HttpRequest) -> HttpResponse:
    """Download the filtered list as CSV or Excel, in the columns the import reads back."""
    file_format = request.GET.get("format", "csv")
    if file_format not in EXPORT_FORMATS:
        file_format = "csv"
    params = list_params(request.GET)
    filterset = CIFilter(data=params, queryset=selectors.cis_for(request.user).select_related("holder_department"),
                         request=request)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    file_name = f"cmdb-{stamp}.{file_format}"
    content = export_cis(filterset.qs.order_by("pk"), file_name)
    response = HttpResponse(content, content_type=EXPORT_FORMATS[file_format])
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response
