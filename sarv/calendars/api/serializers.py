"""Serializers of the calendars API: wall times as "HH:MM" (24:00 for midnight), dates in Jalali or ISO."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sarv.accounts.models import Location, SupportGroup
from sarv.calendars.choices import HolidayKind, HolidayMode
from sarv.calendars.forms import minute_text
from sarv.calendars.models import Calendar, CalendarVersion, Closure, Holiday, HolidaySet, HourSet
from sarv.core.api.fields import JalaliDateField, UTCDateTimeField
from sarv.core.api.serializers import ModelSerializer, NamedRefSerializer, UserRefSerializer
from sarv.core.text import to_ascii_digits


@extend_schema_field({"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$", "example": "08:00"})
class WallTimeField(serializers.Field):
    """A wall time ``"HH:MM"`` as minutes after midnight; ``"24:00"`` ends a day."""

    default_error_messages = {"invalid": "Enter a time such as 08:00 (24:00 for midnight)."}

    def to_representation(self, value: int) -> str:
        return minute_text(value)

    def to_internal_value(self, data: Any) -> int:
        text = to_ascii_digits(str(data)).strip()
        parts = text.split(":")
        if len(parts) == 2 and all(p.isdigit() for p in parts):
            hours, minutes = int(parts[0]), int(parts[1])
            if (0 <= hours < 24 and 0 <= minutes < 60) or (hours == 24 and minutes == 0):
                return hours * 60 + minutes
        self.fail("invalid")
        raise AssertionError


class IntervalSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(min_value=0, max_value=6, help_text="Saturday = 0 … Friday = 6.")
    start = WallTimeField(source="start_minute")
    end = WallTimeField(source="end_minute")


class VersionSerializer(ModelSerializer):
    intervals = IntervalSerializer(many=True, read_only=True)

    class Meta:
        model = CalendarVersion
        fields = ["id", "effective_from", "note", "intervals"]
        read_only_fields = fields


class CalendarSerializer(ModelSerializer):
    owner_group = NamedRefSerializer(read_only=True, allow_null=True)
    site = NamedRefSerializer(read_only=True, allow_null=True)
    holiday_set: serializers.SlugRelatedField[HolidaySet] = serializers.SlugRelatedField(
        slug_field="key", read_only=True, allow_null=True)
    versions = VersionSerializer(many=True, read_only=True)

    class Meta:
        model = Calendar
        fields = ["id", "name", "name_fa", "name_en", "owner_group", "site", "time_zone", "is_default",
                  "template_key", "holiday_mode", "holiday_set", "is_active", "versions"]
        read_only_fields = fields


class CalendarInputSerializer(serializers.Serializer):
    name_fa = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    owner_group = serializers.PrimaryKeyRelatedField(queryset=SupportGroup.objects.all(), required=False,
                                                     allow_null=True, default=None)
    site = serializers.PrimaryKeyRelatedField(queryset=Location.objects.all(), required=False, allow_null=True,
                                              default=None)
    time_zone = serializers.CharField(max_length=64, required=False, default="Asia/Tehran")
    holiday_mode = serializers.ChoiceField(choices=HolidayMode.choices, required=False, default=HolidayMode.SHIPPED)
    holiday_set = serializers.SlugRelatedField(slug_field="key", queryset=HolidaySet.objects.all(), required=False,
                                               allow_null=True, default=None)
    is_default = serializers.BooleanField(required=False, default=False)
    is_active = serializers.BooleanField(required=False, default=True)
    week = IntervalSerializer(many=True, required=False,
                              help_text="The weekly hours; omit to keep them. An edit needs effective_from.")
    effective_from = JalaliDateField(required=False, allow_null=True, default=None,
                                     help_text="The date the new hours apply from (edits only).")


class MovedDueSerializer(serializers.Serializer):
    record_label = serializers.CharField()
    record_url = serializers.CharField()
    clock_label = serializers.CharField()
    old_due = UTCDateTimeField(allow_null=True)
    new_due = UTCDateTimeField(allow_null=True)


class MovedResultSerializer(serializers.Serializer):
    """The due times a change moved; a change that affects many open records is recomputed in the background."""

    moved = MovedDueSerializer(many=True)
    recompute_pending = serializers.SerializerMethodField(
        help_text="The id of the background recompute still running for this change (then ``moved`` is empty), "
                  "or null when the recompute ran within the request.")

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_recompute_pending(self, obj: Any) -> int | None:
        moved = obj["moved"] if isinstance(obj, dict) else getattr(obj, "moved", None)
        return getattr(moved, "pending_run", None)


class CalendarResultSerializer(MovedResultSerializer):
    calendar = CalendarSerializer()


class HourSetSerializer(ModelSerializer):
    intervals = IntervalSerializer(many=True, read_only=True)

    class Meta:
        model = HourSet
        fields = ["id", "calendar", "name", "name_fa", "name_en", "start_date", "end_date", "intervals"]
        read_only_fields = fields


class HourSetInputSerializer(serializers.Serializer):
    calendar = serializers.PrimaryKeyRelatedField(queryset=Calendar.objects.all())
    name_fa = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    start_date = JalaliDateField()
    end_date = JalaliDateField()
    week = IntervalSerializer(many=True)


class HourSetResultSerializer(MovedResultSerializer):
    hour_set = HourSetSerializer()


class HolidaySerializer(ModelSerializer):
    holiday_set: serializers.SlugRelatedField[HolidaySet] = serializers.SlugRelatedField(
        slug_field="key", read_only=True)
    jalali_date = serializers.SerializerMethodField()
    confirmed_by = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Holiday
        fields = ["id", "holiday_set", "date", "jalali_date", "name", "name_fa", "name_en", "kind", "is_estimated",
                  "confirmed_by", "confirmed_at", "note"]
        read_only_fields = fields

    def get_jalali_date(self, holiday: Holiday) -> str:
        from sarv.calendars.holiday_csv import format_jalali

        return format_jalali(holiday.date)


class HolidayInputSerializer(serializers.Serializer):
    holiday_set = serializers.SlugRelatedField(slug_field="key", queryset=HolidaySet.objects.all(), required=False,
                                               help_text="The list's key; default: the official Iranian list.")
    date = serializers.CharField(help_text="Jalali (1404/01/01, Persian digits allowed) or ISO Gregorian.")
    name_fa = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=HolidayKind.choices)
    is_estimated = serializers.BooleanField(required=False, default=False)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    def validate_date(self, value: str) -> Any:
        import datetime as dt

        from sarv.calendars.holiday_csv import JalaliDateError, parse_jalali

        text = to_ascii_digits(value).strip()
        if text[:4].isdigit() and int(text[:4]) >= 1700:
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                raise serializers.ValidationError("Enter a date such as 1404/01/01 or 2025-03-21.") from None
        try:
            return parse_jalali(text)
        except JalaliDateError as error:
            raise serializers.ValidationError(str(error)) from None


class HolidayResultSerializer(MovedResultSerializer):
    holiday = HolidaySerializer()


class HolidayImportSerializer(serializers.Serializer):
    holiday_set = serializers.SlugRelatedField(slug_field="key", queryset=HolidaySet.objects.all(), required=False)
    csv = serializers.CharField(help_text="The CSV text: jalali_date,name_fa,name_en,kind[,estimated,note].",
                                trim_whitespace=False)
    replace_years = serializers.BooleanField(required=False, default=False)


class RowErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    message = serializers.CharField()


class HolidayImportResultSerializer(MovedResultSerializer):
    imported = serializers.IntegerField()
    # DRF removes declared fields from the class, so this name does not hide Serializer.errors.
    errors = RowErrorSerializer(many=True)  # type: ignore[assignment]


class ClosureSerializer(ModelSerializer):
    locations = NamedRefSerializer(many=True, read_only=True)
    exempt_groups = NamedRefSerializer(many=True, read_only=True)
    created_by = UserRefSerializer(read_only=True, allow_null=True)
    reversed_by = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Closure
        fields = ["id", "start_date", "end_date", "whole_day", "start_time", "end_time", "locations",
                  "exempt_groups", "reason", "announced_by", "note", "created_by", "created_at", "is_reversed",
                  "reversed_by", "reversed_at"]
        read_only_fields = fields


class ClosureInputSerializer(serializers.Serializer):
    start_date = JalaliDateField()
    end_date = JalaliDateField(required=False, allow_null=True, default=None)
    whole_day = serializers.BooleanField(required=False, default=True)
    start_time = serializers.TimeField(required=False, allow_null=True, default=None)
    end_time = serializers.TimeField(required=False, allow_null=True, default=None)
    locations = serializers.PrimaryKeyRelatedField(queryset=Location.objects.all(), many=True, required=False,
                                                   default=list)
    exempt_groups = serializers.PrimaryKeyRelatedField(queryset=SupportGroup.objects.all(), many=True,
                                                       required=False, default=list)
    reason = serializers.CharField(max_length=200)
    announced_by = serializers.CharField(max_length=200)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ClosureResultSerializer(MovedResultSerializer):
    closure = ClosureSerializer()


class PreviewInputSerializer(serializers.Serializer):
    calendar = serializers.PrimaryKeyRelatedField(queryset=Calendar.objects.all())
    start = serializers.DateTimeField(help_text="ISO 8601 instant; without an offset it is read in the user's zone.")
    seconds = serializers.IntegerField(min_value=0, max_value=10**9, required=False, allow_null=True, default=None,
                                       help_text="Business seconds to add: the answer is the due time.")
    end = serializers.DateTimeField(required=False, allow_null=True, default=None,
                                    help_text="Measure the business time from start to this instant.")
    site = serializers.PrimaryKeyRelatedField(queryset=Location.objects.all(), required=False, allow_null=True,
                                              default=None)
    group = serializers.PrimaryKeyRelatedField(queryset=SupportGroup.objects.all(), required=False, allow_null=True,
                                               default=None)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("seconds") is None and attrs.get("end") is None:
            raise serializers.ValidationError({"seconds": "Give seconds (a due time) or end (an elapsed time)."})
        return attrs


class OpenIntervalSerializer(serializers.Serializer):
    start = UTCDateTimeField()
    end = UTCDateTimeField()


class PreviewSerializer(serializers.Serializer):
    calendar = serializers.IntegerField(source="calendar.pk")
    start = UTCDateTimeField()
    seconds = serializers.IntegerField(allow_null=True)
    due = UTCDateTimeField(allow_null=True)
    end = UTCDateTimeField(allow_null=True)
    elapsed_seconds = serializers.IntegerField(source="elapsed", allow_null=True)
    open_intervals = serializers.SerializerMethodField()

    @extend_schema_field(OpenIntervalSerializer(many=True))
    def get_open_intervals(self, preview: Any) -> list[dict[str, Any]]:
        return list(OpenIntervalSerializer([{"start": a, "end": b} for a, b in preview.open_intervals],
                                           many=True).data)
