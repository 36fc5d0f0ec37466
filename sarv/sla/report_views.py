"""SLA report pages: compliance and the breach list, each with an Excel export (``?format=xlsx``)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from sarv.core import jalali
from sarv.sla import reports
from sarv.sla.breach_reasons import explain
from sarv.sla.display import format_duration
from sarv.sla.report_excel import XLSX_CONTENT_TYPE, breaches_workbook, compliance_workbook
from sarv.sla.report_forms import DIMENSION_CHOICES, ReportFilterForm

View = Callable[..., HttpResponse]
BREACH_PAGE_SIZE = 25
# The Excel export of the breach list stops here; a narrower date range exports the rest.
BREACH_EXPORT_LIMIT = 5000


def reports_required(view: View) -> View:
    """Let only users who may see SLA reports (SLA and incident managers, administrators) open the view."""

    @login_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not reports.can_view_reports(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def filter_labels(form: ReportFilterForm) -> dict[str, str]:
    """Return the applied filters as {label: value} in the active language, for export headers."""
    if not (form.is_bound and form.is_valid()):
        return {}
    data = form.cleaned_data
    labels = {}
    for name in ("date_from", "date_to"):
        if data.get(name):
            labels[str(form.fields[name].label)] = jalali.format_date(data[name])
    for name in ("agreement", "group", "service"):
        if data.get(name):
            labels[str(form.fields[name].label)] = str(data[name])
    return labels


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _form(request: HttpRequest) -> ReportFilterForm:
    return ReportFilterForm(request.GET if request.GET else None)


@reports_required
def compliance(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    now = timezone.now()
    report = reports.compliance(request.user, form.filters(), form.dimension, now=now)
    dimension_label = str(dict(DIMENSION_CHOICES)[report.dimension])
    if request.GET.get("format") == "xlsx" and not form.errors:
        stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
        return _xlsx(compliance_workbook(report, dimension_label, filter_labels(form)),
                     f"sla-compliance-{stamp}.xlsx")
    return render(request, "sla/reports/compliance.html", {
        "nav": "sla_reports", "form": form, "report": report, "dimension_label": dimension_label,
        "tab": "compliance",
    })


@reports_required
def breaches(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    now = timezone.now()
    clocks = reports.breached_clocks(request.user, form.filters(), now=now)
    if request.GET.get("format") == "xlsx" and not form.errors:
        explanations = explain(list(clocks[:BREACH_EXPORT_LIMIT]), now)
        stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
        return _xlsx(breaches_workbook(explanations, filter_labels(form), now), f"sla-breaches-{stamp}.xlsx")
    page = Paginator(clocks, BREACH_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for item in explain(list(page.object_list), now):
        rows.append({
            "item": item, "target_text": format_duration(item.target), "elapsed_text": format_duration(item.elapsed),
            "overrun_text": format_duration(item.overrun), "paused_text": format_duration(item.paused),
            "phases": [{"phase": phase, "text": format_duration(phase.seconds)} for phase in item.phases],
        })
    return render(request, "sla/reports/breaches.html", {
        "nav": "sla_reports", "form": form, "page": page, "rows": rows, "tab": "breaches",
        "export_limit": BREACH_EXPORT_LIMIT, "empty_message": _("No breached clock matches these filters."),
    })
