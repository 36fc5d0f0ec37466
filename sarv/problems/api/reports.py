"""The problem report API: the pages' four reports with the same filters, as JSON."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from sarv.core.api.base import SarvAPIView
from sarv.core.api.schema import error_responses
from sarv.core.errors import PermissionDenied
from sarv.problems import reports
from sarv.problems.recurring_forms import ReportFilterForm

FILTER_PARAMETERS = [
    OpenApiParameter("period", OpenApiTypes.STR, enum=list(reports.Granularity.ALL),
                     description="Jalali month (default), quarter or year."),
    OpenApiParameter("date_from", OpenApiTypes.STR, description="First day, ISO (2025-03-21) or Jalali "
                                                                "(1404/01/01), in Asia/Tehran."),
    OpenApiParameter("date_to", OpenApiTypes.STR, description="Last day, ISO or Jalali."),
]


def _filters(request: Request) -> reports.ReportFilters:
    if not reports.can_view_reports(request.user):
        raise PermissionDenied()
    form = ReportFilterForm(request.query_params or None)
    if form.is_bound and not form.is_valid():
        raise serializers.ValidationError({name: [str(error) for error in errors]
                                           for name, errors in form.errors.items()})
    return form.filters()


def _period(period: reports.Period) -> dict[str, Any]:
    return {"key": period.key, "name": period.label, "start": period.start, "end": period.end}


class PeriodSerializer(serializers.Serializer):
    key = serializers.IntegerField(help_text="Jalali year × 100 + month, quarter (1–4) or 1 for a year.")
    name = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class StatusRowSerializer(serializers.Serializer):
    status = serializers.CharField()
    name = serializers.CharField()
    buckets = serializers.ListField(child=serializers.IntegerField())
    total = serializers.IntegerField()


class PeriodCountsSerializer(serializers.Serializer):
    period = PeriodSerializer()
    opened = serializers.IntegerField()
    still_open = serializers.IntegerField()
    resolved = serializers.IntegerField()


class StatusReportSerializer(serializers.Serializer):
    buckets = serializers.ListField(child=serializers.CharField(), help_text="Age bucket names.")
    rows = StatusRowSerializer(many=True)
    totals = serializers.ListField(child=serializers.IntegerField())
    periods = PeriodCountsSerializer(many=True)


class ProblemLoadSerializer(serializers.Serializer):
    problem = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField()
    incidents = serializers.IntegerField()
    open_incidents = serializers.IntegerField()


class WorkaroundRowSerializer(serializers.Serializer):
    known_error = serializers.CharField()
    title = serializers.CharField()
    counts = serializers.ListField(child=serializers.IntegerField(), help_text="One count per period, in order.")
    total = serializers.IntegerField()


class WorkaroundReportSerializer(serializers.Serializer):
    periods = PeriodSerializer(many=True)
    rows = WorkaroundRowSerializer(many=True)
    totals = serializers.ListField(child=serializers.IntegerField())


class UsageRowSerializer(serializers.Serializer):
    name = serializers.CharField()
    linked = serializers.IntegerField()
    applied = serializers.IntegerField()
    total = serializers.IntegerField()


class UsageReportSerializer(serializers.Serializer):
    by_known_error = UsageRowSerializer(many=True)
    by_agent = UsageRowSerializer(many=True)


@extend_schema(tags=["problems"])
class StatusReportView(SarvAPIView):
    """Problems opened in the range per status and age bucket, and opened or resolved per Jalali period."""

    @extend_schema(summary="Problems by status and age", parameters=FILTER_PARAMETERS,
                   responses={200: StatusReportSerializer, **error_responses(400, 403)})
    def get(self, request: Request) -> Response:
        report = reports.problems_by_status(request.user, _filters(request), now=timezone.now())
        return Response(StatusReportSerializer({
            "buckets": report.buckets, "totals": report.totals,
            "rows": [{"status": row.status, "name": row.label, "buckets": row.buckets, "total": row.total}
                     for row in report.rows],
            "periods": [{"period": _period(row.period), "opened": row.counts["opened"],
                         "still_open": row.counts["open"], "resolved": row.counts["resolved"]}
                        for row in report.periods],
        }).data)


@extend_schema(tags=["problems"])
class IncidentsReportView(SarvAPIView):
    """The problems opened in the range with the most linked incidents."""

    @extend_schema(summary="Incidents per problem", parameters=FILTER_PARAMETERS,
                   responses={200: ProblemLoadSerializer(many=True), **error_responses(400, 403)})
    def get(self, request: Request) -> Response:
        rows = reports.incidents_per_problem(request.user, _filters(request))
        return Response(ProblemLoadSerializer([
            {"problem": row.problem.number, "title": row.problem.title, "status": row.problem.status,
             "incidents": row.incidents, "open_incidents": row.open_incidents} for row in rows], many=True).data)


@extend_schema(tags=["problems"])
class WorkaroundReportView(SarvAPIView):
    """Incidents resolved with a known error's workaround after it was published, per period of resolution."""

    @extend_schema(summary="Incidents resolved with a known error's workaround", parameters=FILTER_PARAMETERS,
                   responses={200: WorkaroundReportSerializer, **error_responses(400, 403)})
    def get(self, request: Request) -> Response:
        report = reports.workaround_resolutions(request.user, _filters(request))
        keys = [period.key for period in report.periods]
        return Response(WorkaroundReportSerializer({
            "periods": [_period(period) for period in report.periods],
            "rows": [{"known_error": row.known_error.number, "title": row.known_error.title,
                      "counts": [row.counts.get(key, 0) for key in keys], "total": row.total}
                     for row in report.rows],
            "totals": [report.totals.get(key, 0) for key in keys],
        }).data)


@extend_schema(tags=["problems"])
class UsageReportView(SarvAPIView):
    """Known error uses in the range, per known error and per agent."""

    @extend_schema(summary="Known errors used by agents", parameters=FILTER_PARAMETERS,
                   responses={200: UsageReportSerializer, **error_responses(400, 403)})
    def get(self, request: Request) -> Response:
        report = reports.known_error_usage(request.user, _filters(request))

        def rows(items: list[reports.UsageRow]) -> list[dict[str, Any]]:
            return [{"name": row.label, "linked": row.linked, "applied": row.applied, "total": row.total}
                    for row in items]

        return Response(UsageReportSerializer({"by_known_error": rows(report.by_known_error),
                                               "by_agent": rows(report.by_agent)}).data)
