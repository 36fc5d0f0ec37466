"""Forms of the calendar pages: the weekly grid, hour sets, holidays, closures and the preview."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sarv.accounts.models import Location, LocationKind, SupportGroup
from sarv.calendars import holiday_csv
from sarv.calendars.choices import HolidayKind, HolidayMode
from sarv.calendars.models import Calendar, HolidaySet
from sarv.calendars.weekdays import WEEKDAY_CHOICES
from sarv.core import jalali
from sarv.core.db import persian_order
from sarv.core.forms import JalaliDateField, NormalizedCharField, StyledForm
from sarv.core.text import to_ascii_digits

SLOTS = 3  # working intervals offered per weekday on the grid
_TIME = re.compile(r"^\s*(\d{1,2})(?::(\d{2}))?\s*$")


def minute_text(minute: int | None) -> str:
    if minute is None:
        return ""
    return f"{minute // 60:02d}:{minute % 60:02d}"


class WallTimeField(forms.CharField):
    """A wall time such as 08:00 or ۰۸:۳۰ as minutes after midnight; 24:00 (1440) closes the day."""

    def __init__(self, *args: Any, placeholder: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        attrs = {"dir": "ltr", "inputmode": "numeric", "class": "form-control-sm time-input", "autocomplete": "off",
                 "size": "5"}
        if placeholder:
            attrs["placeholder"] = placeholder
        kwargs.setdefault("widget", forms.TextInput(attrs=attrs))
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = to_ascii_digits(str(value or "")).strip()
        if not text:
            return None
        match = _TIME.match(text)
        if match:
            hours, minutes = int(match[1]), int(match[2] or 0)
            if (0 <= hours < 24 and 0 <= minutes < 60) or (hours == 24 and minutes == 0):
                return hours * 60 + minutes
        raise ValidationError(_("Enter a time such as 08:00 (24:00 for midnight)."), code="invalid")

    def prepare_value(self, value: Any) -> Any:
        return minute_text(value) if isinstance(value, int) else value


class StrictJalaliDateField(JalaliDateField):
    """A date field that explains why a Jalali date does not exist (for example 1404/12/30)."""

    def to_python(self, value: Any) -> dt.date | None:
        try:
            return super().to_python(value)
        except ValidationError:
            text = to_ascii_digits(str(value)).strip()
            if text[:4].isdigit() and int(text[:4]) < 1700:
                try:
                    holiday_csv.parse_jalali(text)
                except holiday_csv.JalaliDateError as error:
                    raise ValidationError(str(error), code="invalid") from None
            raise


class WeekGridForm(StyledForm):
    """Up to ``SLOTS`` from/to pairs per weekday; an empty day is closed."""

    def __init__(self, *args: Any, week: list[tuple[int, int, int]] | None = None, **kwargs: Any) -> None:
        initial = kwargs.setdefault("initial", {})
        by_day: dict[int, list[tuple[int, int]]] = {}
        for day, start, end in week or []:
            by_day.setdefault(day, []).append((start, end))
        for day, spans in by_day.items():
            for slot, (start, end) in enumerate(sorted(spans)[:SLOTS]):
                initial[f"w{day}_{slot}_start"] = minute_text(start)
                initial[f"w{day}_{slot}_end"] = minute_text(end)
        super().__init__(*args, **kwargs)
        for day, label in WEEKDAY_CHOICES:
            for slot in range(SLOTS):
                self.fields[f"w{day}_{slot}_start"] = WallTimeField(
                    label=_("%(day)s, interval %(slot)s, from") % {"day": label, "slot": slot + 1})
                self.fields[f"w{day}_{slot}_end"] = WallTimeField(
                    label=_("%(day)s, interval %(slot)s, to") % {"day": label, "slot": slot + 1})
        # A week with more intervals on a day than the grid shows (made through the API) cannot be saved here,
        # because saving would drop the intervals the grid does not show.
        self.too_long = any(len(spans) > SLOTS for spans in by_day.values())

    def grid(self) -> list[dict[str, Any]]:
        rows = []
        for day, label in WEEKDAY_CHOICES:
            rows.append({"day": day, "label": label, "slots": [
                (self[f"w{day}_{slot}_start"], self[f"w{day}_{slot}_end"]) for slot in range(SLOTS)
            ]})
        return rows

    def non_grid_fields(self) -> list[forms.BoundField]:
        return [field for field in self.visible_fields() if not field.name.startswith("w")]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.too_long:
            raise ValidationError(
                _("This week has more intervals on a day than the page shows; edit it through the API."))
        week = []
        for day, _label in WEEKDAY_CHOICES:
            for slot in range(SLOTS):
                start, end = data.get(f"w{day}_{slot}_start"), data.get(f"w{day}_{slot}_end")
                if start is None and end is None:
                    continue
                if start is None or end is None:
                    self.add_error(f"w{day}_{slot}_start" if start is None else f"w{day}_{slot}_end",
                                   _("Enter both times of the interval, or neither."))
                    continue
                week.append((day, start, 1440 if end == 0 else end))
        data["week"] = week
        return data


def _groups() -> Any:
    return SupportGroup.objects.filter(is_active=True).order_by(persian_order("name_fa"))


def _places() -> Any:
    return Location.objects.filter(is_active=True).order_by("kind", persian_order("name_fa"))


class CalendarForm(WeekGridForm):
    name_fa = NormalizedCharField(label=_("Name (Persian)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False,
                              widget=forms.TextInput(attrs={"dir": "ltr"}))
    owner_group = forms.ModelChoiceField(label=_("Support group"), queryset=SupportGroup.objects.none(),
                                         required=False,
                                         help_text=_("The group whose clocks follow this calendar."))
    site = forms.ModelChoiceField(label=_("Site"), queryset=Location.objects.none(), required=False,
                                  help_text=_("Optional: a province, city or site whose calendar this is."))
    time_zone = forms.CharField(label=_("Time zone"), max_length=64, initial="Asia/Tehran",
                                widget=forms.TextInput(attrs={"dir": "ltr"}))
    holiday_mode = forms.ChoiceField(label=_("Holidays"), choices=HolidayMode.choices, initial=HolidayMode.SHIPPED)
    holiday_set = forms.ModelChoiceField(label=_("Holiday list"), queryset=HolidaySet.objects.all(), required=False,
                                         help_text=_("Used when the calendar follows another holiday list."))
    is_default = forms.BooleanField(label=_("Default calendar"), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    effective_from = JalaliDateField(
        label=_("New hours apply from"), required=False,
        help_text=_("Hours before this date stay as they were; open clocks are recomputed."),
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_group"].queryset = _groups()  # type: ignore[attr-defined]
        self.fields["site"].queryset = _places()  # type: ignore[attr-defined]
        if editing:
            self.fields["effective_from"].initial = timezone.localdate()
        else:
            del self.fields["effective_from"]


class HourSetForm(WeekGridForm):
    name_fa = NormalizedCharField(label=_("Name (Persian)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False,
                              widget=forms.TextInput(attrs={"dir": "ltr"}))
    start_date = JalaliDateField(label=_("From date"))
    end_date = JalaliDateField(label=_("To date"), help_text=_("Inclusive."))


class HolidayForm(StyledForm):
    date = StrictJalaliDateField(label=_("Date"))
    name_fa = NormalizedCharField(label=_("Name (Persian)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False,
                              widget=forms.TextInput(attrs={"dir": "ltr"}))
    kind = forms.ChoiceField(label=_("Kind"), choices=HolidayKind.choices)
    is_estimated = forms.BooleanField(
        label=_("Estimated"), required=False,
        help_text=_("Lunar dates stay estimated until the official calendar confirms them."))
    note = NormalizedCharField(label=_("Note"), max_length=500, required=False)


class HolidayImportForm(StyledForm):
    file = forms.FileField(label=_("CSV file"), help_text=_(
        "Columns: jalali_date, name_fa, name_en, kind (solar, lunar or special), estimated (yes or no), note. "
        "Dates in Jalali with Persian or Latin digits."))
    replace_years = forms.BooleanField(
        label=_("Replace the years in the file"), required=False,
        help_text=_("Remove the list's holidays of every Jalali year that the file covers before adding its rows."),
    )

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > 1024 * 1024:
            raise ValidationError(_("The file is larger than 1 MB."))
        raw = upload.read()
        for encoding in ("utf-8-sig", "utf-16"):
            try:
                return str(raw.decode(encoding))
            except UnicodeDecodeError:
                continue
        raise ValidationError(_("Save the file as CSV in UTF-8."))


class ClosureForm(StyledForm):
    start_date = JalaliDateField(label=_("Date"))
    end_date = JalaliDateField(label=_("Last day"), required=False, help_text=_("Empty: one day."))
    whole_day = forms.BooleanField(label=_("Whole day"), required=False, initial=True)
    start_time = WallTimeField(label=_("Closed from"), placeholder="10:00",
                               help_text=_("For part of a day; empty: from midnight."))
    end_time = WallTimeField(label=_("Closed until"), placeholder="14:00", help_text=_("Empty: until midnight."))
    locations = forms.ModelMultipleChoiceField(
        label=_("Provinces and sites"), queryset=Location.objects.none(), required=False,
        help_text=_("A province covers its cities and sites. None chosen: every location."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    exempt_groups = forms.ModelMultipleChoiceField(
        label=_("Exempt support groups"), queryset=SupportGroup.objects.none(), required=False,
        help_text=_("On-call and operational teams that keep working."),
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    reason = NormalizedCharField(label=_("Reason"), max_length=200,
                                 widget=forms.TextInput(attrs={"placeholder": _("Air pollution")}))
    announced_by = NormalizedCharField(label=_("Announced by"), max_length=200,
                                       widget=forms.TextInput(attrs={"placeholder": _("Provincial governor")}))
    note = NormalizedCharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["locations"].queryset = _places().exclude(  # type: ignore[attr-defined]
            kind=LocationKind.CITY)
        self.fields["exempt_groups"].queryset = _groups()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("end_time") == 1440:
            data["end_time"] = None
        for name in ("start_time", "end_time"):
            minute = data.get(name)
            data[name] = None if minute is None else dt.time(minute // 60, minute % 60)
        return data


class JalaliDateTimeField(forms.CharField):
    """An instant typed as a date and a time (۱۴۰۴/۰۲/۰۳ ۰۹:۰۰ or 2025-04-23 09:00) in the active time zone."""

    def to_python(self, value: Any) -> dt.datetime | None:  # type: ignore[override]
        text = str(value or "").strip()
        if not text:
            return None
        try:
            return jalali.parse_datetime(text)
        except jalali.DateParseError:
            raise ValidationError(_("Enter a date and time, for example %(example)s."), params={
                "example": "۱۴۰۴/۰۲/۰۳ ۰۹:۰۰" if jalali.uses_jalali() else "2025-04-23 09:00"}) from None


class PreviewForm(StyledForm):
    calendar = forms.ModelChoiceField(label=_("Calendar"), queryset=Calendar.objects.none())
    start = JalaliDateTimeField(label=_("Start"), widget=forms.TextInput(attrs={"dir": "ltr"}))
    hours = forms.DecimalField(label=_("Business hours to add"), required=False, min_value=Decimal(0),
                               max_value=Decimal(100000), decimal_places=2,
                               widget=forms.TextInput(attrs={"dir": "ltr", "inputmode": "decimal"}))
    end = JalaliDateTimeField(label=_("Or: end, to measure business time"), required=False,
                              widget=forms.TextInput(attrs={"dir": "ltr"}))
    site = forms.ModelChoiceField(label=_("Site"), queryset=Location.objects.none(), required=False,
                                  help_text=_("Closures that cover this place apply."))
    group = forms.ModelChoiceField(label=_("Support group"), queryset=SupportGroup.objects.none(), required=False,
                                   help_text=_("Closures that exempt this group do not apply."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args and args[0] is not None and hasattr(args[0], "copy"):
            data = args[0].copy()
            if data.get("hours"):
                data["hours"] = to_ascii_digits(data["hours"])
            args = (data, *args[1:])
        super().__init__(*args, **kwargs)
        self.fields["calendar"].queryset = Calendar.objects.filter(  # type: ignore[attr-defined]
            is_active=True).order_by("-is_default", persian_order("name_fa"))
        self.fields["site"].queryset = _places()  # type: ignore[attr-defined]
        self.fields["group"].queryset = _groups()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("hours") is None and data.get("end") is None and not self.errors:
            raise ValidationError(_("Enter the business hours to add, or an end instant."))
        return data
