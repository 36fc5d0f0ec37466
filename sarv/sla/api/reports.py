"""The SLA report API: compliance counts and the breach list with reasons, with the pages' filters."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from sarv.core.api.base import SarvAPIView
from sarv.core.api.fields import UTCDateTimeField
from sarv.core.api.schema import error_responses
from sarv.core.errors import PermissionDenied
from sarv.sla import reports
from sarv.sla.breach_reasons import explain
from sarv.sla.report_forms import DIMENSION_CHOICES, ReportFilterForm

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200

FILTER_PARAMETERS = [
    OpenApiParameter("date_from", OpenApiTypes.STR, description="Records opened on or after this date: "
                     "ISO (2025-03-21) or Jalali (1404/01/01), a day in Asia/Tehran."),
    OpenApiParameter("date_to", OpenApiTypes.STR, description="Records opened on or before this date."),
    OpenApiParameter("agreement", OpenApiTypes.INT, description="Agreement id."),
    OpenApiParameter("group", OpenApiTypes.INT, description="Support group id (the record's current group)."),
    OpenApiParameter("service", OpenApiTypes.INT, description="Service id."),
]


class CountsSerializer(serializers.Serializer):
    met = serializers.IntegerField()
    breached = serializers.IntegerField(help_text="Stored as breached, or still running past the due time.")
    in_progress = serializers.IntegerField(help_text="Running before the due time, paused or not started.")
    total = serializers.IntegerField()
    percent = serializers.FloatField(allow_null=True, help_text="met / (met + breached) × 100; null if both are 0.")


class ComplianceRowSerializer(serializers.Serializer):
    key = serializers.JSONField(help_text="Agreement, service or group id, or the Jalali month as YYYYMM; "
                                          "null for records without a group or service.")
    name = serializers.CharField(help_text="The row's label in the request's language.")
    first_response = CountsSerializer()
    resolution = CountsSerializer()


class ComplianceSerializer(serializers.Serializer):
    by = serializers.ChoiceField(choices=DIMENSION_CHOICES)
    generated_at = UTCDateTimeField()
    rows = ComplianceRowSerializer(many=True)
    total = ComplianceRowSerializer()


class PhaseSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["counted", "paused", "not_counted"])
    name = serializers.CharField(help_text="What the phase was, in the request's language.")
    seconds = serializers.IntegerField(help_text="Business seconds.")


class BreachSerializer(serializers.Serializer):
    record = serializers.CharField(help_text="The record's number.")
    title = serializers.CharField()
    agreement = serializers.IntegerField()
    agreement_name = serializers.CharField()
    kind = serializers.CharField()
    slot = serializers.CharField()
    metric = serializers.CharField()
    target_seconds = serializers.IntegerField()
    elapsed_seconds = serializers.IntegerField()
    overrun_seconds = serializers.IntegerField()
    paused_seconds = serializers.IntegerField()
    breached_at = UTCDateTimeField(allow_null=True)
    due_at = UTCDateTimeField(allow_null=True)
    stopped_at = UTCDateTimeField(allow_null=True)
    assigned_group = serializers.IntegerField(allow_null=True)
    reassignments = serializers.IntegerField()
    priority_changes = serializers.IntegerField()
    reopenings = serializers.IntegerField()
    phases = PhaseSerializer(many=True, help_text="Business time of the clock's current cycle by phase, "
                                                  "largest first.")


class BreachPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    results = BreachSerializer(many=True)


def _filter_form(request: Request) -> ReportFilterForm:
    if not reports.can_view_reports(request.user):
        raise PermissionDenied()
    form = ReportFilterForm(request.query_params or None)
    if form.is_bound and not form.is_valid():
        raise serializers.ValidationError({name: [str(error) for error in errors]
                                           for name, errors in form.errors.items()})
    return form


def _counts(row: reports.ComplianceRow) -> dict[str, Any]:
    return {"key": row.key, "name": row.label, "first_response": row.first_response.as_dict(),
            "resolution": row.resolution.as_dict()}


class ComplianceView(SarvAPIView):
    """Met, breached and in-progress clocks per agreement, service, support group or Jalali month."""

    @extend_schema(summary="Get SLA compliance", parameters=[
        OpenApiParameter("by", OpenApiTypes.STR, enum=[value for value, _label in DIMENSION_CHOICES],
                         description="Group by agreement (default), service, group or month."),
        *FILTER_PARAMETERS,
    ], responses={200: ComplianceSerializer, **error_responses(400, 403)})
    def get(self, request: Request) -> Response:
        form = _filter_form(request)
        report = reports.compliance(request.user, form.filters(), form.dimension, now=timezone.now())
        data = {"by": report.dimension, "generated_at": report.now, "rows": [_counts(row) for row in report.rows],
                "total": _counts(report.total)}
        return Response(ComplianceSerializer(data).data)


class BreachListView(SarvAPIView):
    """Breached clocks, latest breach first, each with its overrun and where its business time went."""

    @extend_schema(summary="List SLA breaches", parameters=[
        *FILTER_PARAMETERS,
        OpenApiParameter("page", OpenApiTypes.INT, description="Page number, from 1."),
        OpenApiParameter("page_size", OpenApiTypes.INT, description=f"Rows per page (default {PAGE_SIZE}, "
                                                                    f"at most {MAX_PAGE_SIZE})."),
    ], responses={200: BreachPageSerializer, **error_responses(400, 403)})
    def get(self, request: Request) -> Response:
        form = _filter_form(request)
        now = timezone.now()
        try:
            size = min(MAX_PAGE_SIZE, max(1, int(request.query_params.get("page_size", PAGE_SIZE))))
        except ValueError:
            raise serializers.ValidationError({"page_size": ["Enter a whole number."]}) from None
        paginator = Paginator(reports.breached_clocks(request.user, form.filters(), now=now), size)
        page = paginator.get_page(request.query_params.get("page"))
        data = {"count": paginator.count, "page": page.number, "pages": paginator.num_pages,
                "results": [item.as_dict() for item in explain(list(page.object_list), now)]}
        return Response(BreachPageSerializer(data).data)
