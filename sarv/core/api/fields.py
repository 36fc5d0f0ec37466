"""Serializer fields that follow Sarv's conventions: instants in UTC, dates typed in Jalali or Gregorian."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sarv.core import jalali


class UTCDateTimeField(serializers.DateTimeField):
    """An instant written as ISO 8601 in UTC (``2026-04-09T08:30:00Z``), whatever the user's time zone."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("default_timezone", dt.UTC)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "string", "format": "date", "example": "2026-12-04"})
class JalaliDateField(serializers.DateField):
    """A date read as Jalali (``1405/09/13``, Persian digits allowed) or ISO Gregorian; written as ISO."""

    default_error_messages = {
        "invalid": _("Enter a valid date, such as %(jalali)s or %(gregorian)s."),
    }

    def to_internal_value(self, value: Any) -> dt.date:
        if isinstance(value, dt.datetime):
            self.fail("datetime")
        if isinstance(value, dt.date):
            return value
        try:
            return jalali.parse_date(str(value))
        except jalali.DateParseError:
            message = str(self.error_messages["invalid"]) % {"jalali": "1405/09/13", "gregorian": "2026-12-04"}
            raise serializers.ValidationError(message, code="invalid") from None


@extend_schema_field({"oneOf": [{"type": "string", "format": "email"}, {"type": "string", "enum": [""]}],
                      "description": "An e-mail address, or an empty string when none is set."})
class OptionalEmailField(serializers.EmailField):
    """An e-mail address that may be empty, as Sarv's model e-mail fields are (``blank=True``)."""
