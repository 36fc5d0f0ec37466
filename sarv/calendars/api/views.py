"""REST API of business calendars (administrators): calendars, dated hour sets, holidays, closures, preview.

Every write calls the action of the same name and returns, next to the saved object, the due times of open
records that moved (``moved``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from sarv.accounts.models import User
from sarv.calendars import actions, selectors
from sarv.calendars.api import serializers as s
from sarv.calendars.models import Calendar, Closure, Holiday, HolidaySet, HourSet
from sarv.core.api.base import SarvAPIView, SarvGenericViewSet
from sarv.core.api.schema import error_responses
from sarv.core.api.serializers import ErrorSerializer
from sarv.core.permissions import is_settings_admin
from sarv.core.text import to_ascii_digits

WRITE_ERRORS = error_responses(400, 403, 404)


class IsSettingsAdmin(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(is_settings_admin(request.user))


class CalendarAPIBase(SarvGenericViewSet):
    permission_classes = [IsSettingsAdmin]
    filter_backends: list[Any] = []
    lookup_value_regex = r"\d+"

    @property
    def actor(self) -> User:
        return cast(User, self.request.user)

    def parse(self, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


def _week(rows: list[dict[str, Any]] | None) -> list[tuple[int, int, int]] | None:
    if rows is None:
        return None
    return [(row["weekday"], row["start_minute"], row["end_minute"]) for row in rows]


class CalendarViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, CalendarAPIBase):
    serializer_class = s.CalendarSerializer
    queryset = Calendar.objects.none()

    def get_queryset(self) -> QuerySet[Calendar]:
        return selectors.calendars().prefetch_related("versions__intervals").order_by("-is_default", "pk")

    @extend_schema(summary="List calendars", responses={200: s.CalendarSerializer(many=True), **error_responses(403)})
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(summary="Get a calendar", responses={200: s.CalendarSerializer, **error_responses(403, 404)})
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().retrieve(request, *args, **kwargs)

    def _result(self, calendar: Calendar, moved: Sequence[Any], status: int) -> Response:
        fresh = self.get_queryset().get(pk=calendar.pk)
        data = s.CalendarResultSerializer({"calendar": fresh, "moved": moved},
                                          context=self.get_serializer_context()).data
        return Response(data, status=status)

    @extend_schema(summary="Create a calendar", request=s.CalendarInputSerializer,
                   responses={201: s.CalendarResultSerializer, **WRITE_ERRORS})
    def create(self, request: Request) -> Response:
        data = self.parse(s.CalendarInputSerializer)
        calendar, moved = actions.save_calendar(actor=self.actor, calendar=None, values=data,
                                                week=_week(data.pop("week", None)))
        return self._result(calendar, moved, 201)

    @extend_schema(summary="Edit a calendar",
                   description="Send the whole calendar; with week, the new hours apply from effective_from and "
                               "open clocks are recomputed.",
                   request=s.CalendarInputSerializer, responses={200: s.CalendarResultSerializer, **WRITE_ERRORS})
    def update(self, request: Request, pk: str) -> Response:
        calendar = self.get_object()
        data = self.parse(s.CalendarInputSerializer)
        calendar, moved = actions.save_calendar(actor=self.actor, calendar=calendar, values=data,
                                                week=_week(data.pop("week", None)),
                                                effective_from=data.get("effective_from"))
        return self._result(calendar, moved, 200)


class HourSetViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, CalendarAPIBase):
    serializer_class = s.HourSetSerializer
    queryset = HourSet.objects.none()

    def get_queryset(self) -> QuerySet[HourSet]:
        queryset = HourSet.objects.prefetch_related("intervals").order_by("calendar_id", "start_date")
        calendar = to_ascii_digits(self.request.query_params.get("calendar", ""))
        return queryset.filter(calendar_id=int(calendar)) if calendar.isdigit() else queryset

    @extend_schema(summary="List dated hour sets", parameters=[
        OpenApiParameter("calendar", OpenApiTypes.INT, description="Only this calendar's hour sets.")],
        responses={200: s.HourSetSerializer(many=True), **error_responses(403)})
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(summary="Get a dated hour set", responses={200: s.HourSetSerializer, **error_responses(403, 404)})
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().retrieve(request, *args, **kwargs)

    def _save(self, hour_set: HourSet | None, status: int) -> Response:
        data = self.parse(s.HourSetInputSerializer)
        saved, moved = actions.save_hour_set(actor=self.actor, calendar=data["calendar"], hour_set=hour_set,
                                             values=data, week=_week(data["week"]) or [])
        fresh = self.get_queryset().get(pk=saved.pk)
        return Response(s.HourSetResultSerializer({"hour_set": fresh, "moved": moved}).data, status=status)

    @extend_schema(summary="Create a dated hour set", request=s.HourSetInputSerializer,
                   responses={201: s.HourSetResultSerializer, **WRITE_ERRORS})
    def create(self, request: Request) -> Response:
        return self._save(None, 201)

    @extend_schema(summary="Edit a dated hour set", request=s.HourSetInputSerializer,
                   responses={200: s.HourSetResultSerializer, **WRITE_ERRORS})
    def update(self, request: Request, pk: str) -> Response:
        return self._save(self.get_object(), 200)

    @extend_schema(summary="Remove a dated hour set", responses={200: s.MovedDueSerializer(many=True),
                                                               **error_responses(403, 404)})
    def destroy(self, request: Request, pk: str) -> Response:
        # NOTE: a removal answers with the bare list, so a recompute left to the background shows as an empty one.
        moved = actions.delete_hour_set(actor=self.actor, hour_set=self.get_object())
        return Response(s.MovedDueSerializer(moved, many=True).data)


def _holiday_set(key: str | None) -> HolidaySet:
    if key:
        found = HolidaySet.objects.filter(key=key).first()
        if found is not None:
            return found
    shipped = selectors.shipped_holiday_set()
    if shipped is None:
        from sarv.core.errors import NotFound

        raise NotFound()
    return shipped


class HolidayViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, CalendarAPIBase):
    serializer_class = s.HolidaySerializer
    queryset = Holiday.objects.none()

    def get_queryset(self) -> QuerySet[Holiday]:
        queryset = Holiday.objects.select_related("holiday_set", "confirmed_by").order_by("date", "kind", "name_fa")
        if self.action != "list":
            return queryset
        queryset = queryset.filter(holiday_set=_holiday_set(self.request.query_params.get("list")))
        year = to_ascii_digits(self.request.query_params.get("year", ""))
        if year.isdigit():
            import jdatetime

            queryset = queryset.filter(date__gte=jdatetime.date(int(year), 1, 1).togregorian(),
                                       date__lt=jdatetime.date(int(year) + 1, 1, 1).togregorian())
        return queryset

    @extend_schema(summary="List holidays", parameters=[
        OpenApiParameter("list", OpenApiTypes.STR, description="Holiday list key (default: iran-official)."),
        OpenApiParameter("year", OpenApiTypes.INT, description="Only this Jalali year.")],
        responses={200: s.HolidaySerializer(many=True), **error_responses(403)})
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(summary="Get a holiday", responses={200: s.HolidaySerializer, **error_responses(403, 404)})
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().retrieve(request, *args, **kwargs)

    def _save(self, holiday: Holiday | None, status: int) -> Response:
        data = self.parse(s.HolidayInputSerializer)
        holiday_set = data.get("holiday_set") or (holiday.holiday_set if holiday else _holiday_set(None))
        saved, moved = actions.save_holiday(actor=self.actor, holiday_set=holiday_set, holiday=holiday, values=data)
        return Response(s.HolidayResultSerializer({"holiday": saved, "moved": moved}).data, status=status)

    @extend_schema(summary="Add a holiday", request=s.HolidayInputSerializer,
                   responses={201: s.HolidayResultSerializer, **WRITE_ERRORS})
    def create(self, request: Request) -> Response:
        return self._save(None, 201)

    @extend_schema(summary="Edit a holiday", request=s.HolidayInputSerializer,
                   responses={200: s.HolidayResultSerializer, **WRITE_ERRORS})
    def update(self, request: Request, pk: str) -> Response:
        return self._save(self.get_object(), 200)

    @extend_schema(summary="Remove a holiday", responses={200: s.MovedDueSerializer(many=True),
                                                        **error_responses(403, 404)})
    def destroy(self, request: Request, pk: str) -> Response:
        moved = actions.delete_holiday(actor=self.actor, holiday=self.get_object())
        return Response(s.MovedDueSerializer(moved, many=True).data)

    @extend_schema(summary="Confirm an estimated holiday", request=None,
                   responses={200: s.HolidayResultSerializer, **error_responses(403, 404)})
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str) -> Response:
        saved, moved = actions.confirm_holiday(actor=self.actor, holiday=self.get_object())
        return Response(s.HolidayResultSerializer({"holiday": saved, "moved": moved}).data)

    @extend_schema(summary="Import holidays from CSV",
                   description="Nothing is saved when any row is bad; the answer is then 400 with every bad row.",
                   request=s.HolidayImportSerializer,
                   responses={200: s.HolidayImportResultSerializer, **error_responses(403),
                              400: PolymorphicProxySerializer(
                                  component_name="HolidayImportFailure", resource_type_field_name=None,
                                  serializers=[s.HolidayImportResultSerializer, ErrorSerializer])})
    @action(detail=False, methods=["post"], url_path="import")
    def import_csv(self, request: Request) -> Response:
        data = self.parse(s.HolidayImportSerializer)
        holiday_set = data.get("holiday_set") or _holiday_set(None)
        result, moved = actions.import_holidays(actor=self.actor, holiday_set=holiday_set, text=data["csv"],
                                                replace_years=data["replace_years"])
        body = s.HolidayImportResultSerializer({
            "imported": len(result.rows) if result.ok else 0,
            "errors": [{"line": line, "message": message} for line, message in result.errors],
            "moved": moved,
        }).data
        return Response(body, status=200 if result.ok else 400)

    @extend_schema(summary="Export holidays as CSV", parameters=[
        OpenApiParameter("list", OpenApiTypes.STR, description="Holiday list key (default: iran-official)."),
        OpenApiParameter("year", OpenApiTypes.INT, description="Only this Jalali year.")],
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR), **error_responses(403)})
    @action(detail=False, methods=["get"], url_path="export")
    def export_csv(self, request: Request) -> HttpResponse:
        holiday_set = _holiday_set(request.query_params.get("list"))
        year = to_ascii_digits(request.query_params.get("year", ""))
        text = actions.export_holidays(actor=self.actor, holiday_set=holiday_set,
                                       year=int(year) if year.isdigit() else None)
        return HttpResponse(text, content_type="text/csv; charset=utf-8")


class ClosureViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, CalendarAPIBase):
    serializer_class = s.ClosureSerializer
    queryset = Closure.objects.none()

    def get_queryset(self) -> QuerySet[Closure]:
        return Closure.objects.prefetch_related("locations", "exempt_groups").select_related(
            "created_by", "reversed_by")

    @extend_schema(summary="List closures", responses={200: s.ClosureSerializer(many=True), **error_responses(403)})
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(summary="Get a closure", responses={200: s.ClosureSerializer, **error_responses(403, 404)})
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(summary="Enter a closure", request=s.ClosureInputSerializer,
                   responses={201: s.ClosureResultSerializer, **WRITE_ERRORS})
    def create(self, request: Request) -> Response:
        data = self.parse(s.ClosureInputSerializer)
        closure, moved = actions.save_closure(actor=self.actor, values=data)
        fresh = self.get_queryset().get(pk=closure.pk)
        return Response(s.ClosureResultSerializer({"closure": fresh, "moved": moved}).data, status=201)

    @extend_schema(summary="Reverse a closure", request=None,
                   responses={200: s.ClosureResultSerializer, **error_responses(400, 403, 404)})
    @action(detail=True, methods=["post"])
    def reverse(self, request: Request, pk: str) -> Response:
        closure, moved = actions.reverse_closure(actor=self.actor, closure=self.get_object())
        fresh = self.get_queryset().get(pk=closure.pk)
        return Response(s.ClosureResultSerializer({"closure": fresh, "moved": moved}).data)


class PreviewView(SarvAPIView):
    permission_classes = [IsSettingsAdmin]

    @extend_schema(summary="Preview business time",
                   description="The due time of `seconds` of business time from `start`, or the business time "
                               "between `start` and `end`, on a calendar with its holidays and the closures that "
                               "cover `site` (unless `group` is exempt).",
                   request=s.PreviewInputSerializer, responses={200: s.PreviewSerializer, **error_responses(400, 403)})
    def post(self, request: Request) -> Response:
        from sarv.calendars.engine import CalendarError
        from sarv.core.errors import ValidationFailed

        serializer = s.PreviewInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            result = selectors.preview(data["calendar"], start=data["start"], seconds=data.get("seconds"),
                                       end=data.get("end"), site=data.get("site"), group=data.get("group"))
        except CalendarError as error:
            raise ValidationFailed(str(error)) from None
        return Response(s.PreviewSerializer(result).data)
