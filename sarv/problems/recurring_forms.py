"""Forms of the recurring-incident pages, the detector settings and the problem reports (pages and API)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sarv.core.forms import JalaliDateField, StyledForm
from sarv.problems.actions import RECURRENCE_LIMITS
from sarv.problems.choices import ClusterBasis
from sarv.problems.reports import Granularity, ReportFilters


def _local_bounds(first: dt.date | None, last: dt.date | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    """Return the instants from the first day's local midnight to the last moment of the last day."""
    start, end = ReportFilters(date_from=first, date_to=last).instant_range()
    return start, end - dt.timedelta(microseconds=1) if end is not None else None


class DateRangeForm(StyledForm):
    """A Jalali (or Gregorian) date range whose end is not before its start."""

    date_from = JalaliDateField(label=_("From"), required=False)
    date_to = JalaliDateField(label=_("To"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("date_from"), data.get("date_to")
        if first and last and last < first:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


class RunDetectionForm(DateRangeForm):
    """Run the detector now: over the policy's window, or over a chosen period (imported history)."""

    min_incidents = forms.IntegerField(label=_("Incidents that make a cluster"), required=False,
                                       min_value=RECURRENCE_LIMITS["min_incidents"][0],
                                       max_value=RECURRENCE_LIMITS["min_incidents"][1])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("date_to") and not data.get("date_from"):
            self.add_error("date_from", _("Enter the first day of the period too."))
        return data

    def run_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        start, end = _local_bounds(data.get("date_from"), data.get("date_to"))
        if start is not None and end is None:
            end = timezone.now()
        return {"start": start, "end": end, "min_incidents": data.get("min_incidents")}


class DismissForm(StyledForm):
    reason = forms.CharField(label=_("Why is this not a problem?"), widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=2000)


class AcceptForm(StyledForm):
    title = forms.CharField(label=_("Problem title"), required=False, max_length=300,
                            help_text=_("Leave empty to use the title Sarv suggests."))


class RecurrencePolicyForm(StyledForm):
    is_enabled = forms.BooleanField(label=_("Look for recurring incidents every hour"), required=False)
    min_incidents = forms.IntegerField(label=_("Incidents that make a cluster"),
                                       min_value=RECURRENCE_LIMITS["min_incidents"][0],
                                       max_value=RECURRENCE_LIMITS["min_incidents"][1])
    window_days = forms.IntegerField(label=_("Window (days)"), min_value=RECURRENCE_LIMITS["window_days"][0],
                                     max_value=RECURRENCE_LIMITS["window_days"][1])
    bases = forms.MultipleChoiceField(label=_("Traits to compare"), choices=ClusterBasis.choices,
                                      widget=forms.CheckboxSelectMultiple)


class ReportFilterForm(DateRangeForm):
    """The problem reports' period length and date range (shared by the pages and the API)."""

    period = forms.ChoiceField(label=_("Period"), choices=Granularity.CHOICES, required=False)

    def filters(self) -> ReportFilters:
        """Return the filters of a valid form (an unbound or invalid form filters nothing)."""
        if not (self.is_bound and self.is_valid()):
            return ReportFilters()
        data = self.cleaned_data
        return ReportFilters(date_from=data.get("date_from"), date_to=data.get("date_to"),
                             granularity=data.get("period") or Granularity.MONTH)
