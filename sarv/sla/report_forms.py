"""The filter form of the SLA reports, shared by the pages, the Excel export and the API."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sarv.accounts.models import SupportGroup
from sarv.core.db import persian_order
from sarv.core.forms import JalaliDateField, StyledForm
from sarv.services.models import Service
from sarv.sla.models import Agreement
from sarv.sla.reports import Dimension, ReportFilters

DIMENSION_CHOICES = (
    (Dimension.AGREEMENT, _("Agreement")),
    (Dimension.SERVICE, _("Service")),
    (Dimension.GROUP, _("Support group")),
    (Dimension.MONTH, _("Month")),
)


class ReportFilterForm(StyledForm):
    """Jalali (or Gregorian) date range of record creation, an agreement, a support group and a service."""

    by = forms.ChoiceField(label=_("Group by"), choices=DIMENSION_CHOICES, required=False)
    date_from = JalaliDateField(label=_("Opened from"), required=False)
    date_to = JalaliDateField(label=_("Opened to"), required=False)
    agreement = forms.ModelChoiceField(label=_("Agreement"), queryset=Agreement.objects.none(), required=False)
    group = forms.ModelChoiceField(label=_("Support group"), queryset=SupportGroup.objects.none(), required=False)
    service = forms.ModelChoiceField(label=_("Service"), queryset=Service.objects.none(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        fields["agreement"].queryset = Agreement.objects.order_by("kind", "precedence", "pk")
        fields["group"].queryset = SupportGroup.objects.order_by(persian_order("name_fa"))
        fields["service"].queryset = Service.objects.order_by(persian_order("name_fa"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    @property
    def dimension(self) -> str:
        return (self.cleaned_data.get("by") if self.is_bound and self.is_valid() else "") or Dimension.AGREEMENT

    def filters(self) -> ReportFilters:
        """Return the filters of a valid form (an invalid or unbound form filters nothing)."""
        if not (self.is_bound and self.is_valid()):
            return ReportFilters()
        data = self.cleaned_data
        return ReportFilters(
            date_from=data.get("date_from"), date_to=data.get("date_to"),
            agreement_id=data["agreement"].pk if data.get("agreement") else None,
            group_id=data["group"].pk if data.get("group") else None,
            service_id=data["service"].pk if data.get("service") else None,
        )
