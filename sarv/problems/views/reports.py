"""Problem report pages: status and age, incidents per problem, workaround resolutions, known error use.

Each page also downloads its table as an Excel file with ``?format=xlsx``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from sarv.core import jalali
from sarv.problems import reports
from sarv.problems.recurring_forms import ReportFilterForm
from sarv.problems.report_excel import table_workbook
from sarv.problems.views.recurring import problem_url, viewers_only
from sarv.sla.report_excel import XLSX_CONTENT_TYPE

Table = tuple[list[str], list[list[Any]]]


def _form(request: HttpRequest) -> ReportFilterForm:
    return ReportFilterForm(request.GET if request.GET else None)


def _filters_line(form: ReportFilterForm) -> str:
    """Return the applied filters as one line of text in the active language."""
    if not (form.is_bound and form.is_valid()):
        return ""
    data = form.cleaned_data
    parts = [f"{form.fields['period'].label}: {dict(reports.Granularity.CHOICES)[form.filters().granularity]}"]
    for name in ("date_from", "date_to"):
        if data.get(name):
            parts.append(f"{form.fields[name].label}: {jalali.format_date(data[name])}")
    return "; ".join(parts)


def _render(request: HttpRequest, tab: str, form: ReportFilterForm, title: str, table: Table,
            **context: Any) -> HttpResponse:
    if request.GET.get("format") == "xlsx" and not form.errors:
        now = timezone.now()
        header, rows = table
        response = HttpResponse(table_workbook(title, _filters_line(form), header, rows, now),
                                content_type=XLSX_CONTENT_TYPE)
        stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="problem-report-{tab}-{stamp}.xlsx"'
        return response
    return render(request, f"problems/reports_{tab}.html", {
        "nav": "problem_reports", "form": form, "tab": tab, **context,
    }, status=400 if form.errors else 200)


def _period_labels(periods: Sequence[reports.Period]) -> list[str]:
    return [period.label for period in periods]


@viewers_only
def status_age(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    report = reports.problems_by_status(request.user, form.filters(), now=timezone.now())
    header = [_("Status"), *report.buckets, _("Total")]
    rows: list[list[Any]] = [[row.label, *row.buckets, row.total] for row in report.rows]
    rows.append([_("Total"), *report.totals, report.total])
    rows.append([])
    rows.append([_("Period"), _("Opened"), _("Still open"), pgettext("problem status", "Resolved")])
    rows += [[row.label, row.counts["opened"], row.counts["open"], row.counts["resolved"]] for row in report.periods]
    return _render(request, "status", form, _("Status and age"), (header, rows), report=report)


@viewers_only
def incidents_per_problem(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    loads = reports.incidents_per_problem(request.user, form.filters())
    for load in loads:
        load.url = problem_url(load.problem)  # type: ignore[attr-defined]
    header = [_("Problem"), _("Title"), _("Status"), _("Opened"), _("Linked incidents"), _("Still open")]
    rows = [[load.problem.number, load.problem.title, load.problem.get_status_display(), load.problem.created_at,
             load.incidents, load.open_incidents] for load in loads]
    return _render(request, "incidents", form, _("Incidents per problem"), (header, rows), rows=loads,
                   limit=reports.TOP_PROBLEMS)


@viewers_only
def workaround_resolutions(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    report = reports.workaround_resolutions(request.user, form.filters())
    keys = [period.key for period in report.periods]
    header = [_("Known error"), *_period_labels(report.periods), _("Total")]
    rows: list[list[Any]] = [[f"{row.known_error.number} {row.known_error.title}",
                              *[row.counts.get(key, 0) for key in keys], row.total] for row in report.rows]
    rows.append([_("Total"), *[report.totals.get(key, 0) for key in keys], report.total])
    return _render(request, "workarounds", form, _("Resolved with a workaround"), (header, rows), report=report)


@viewers_only
def known_error_usage(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    report = reports.known_error_usage(request.user, form.filters())
    tables = [(_("Known error"), report.by_known_error, "usage-by-known-error"),
              (_("Agent"), report.by_agent, "usage-by-agent")]
    header = ["", _("Incidents linked"), _("Workarounds sent"), _("Total")]
    rows: list[list[Any]] = []
    for title, items, _table_id in tables:
        rows.append([title])
        rows += [[row.label, row.linked, row.applied, row.total] for row in items]
        rows.append([])
    return _render(request, "usage", form, _("Known error use"), (header, rows), report=report, tables=tables)
