"""Forms of the agreement and supplier settings pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from sarv.accounts.forms import NameFieldsForm
from sarv.accounts.models import Department, SupportGroup
from sarv.calendars.models import Calendar
from sarv.core import jalali
from sarv.core.choices import Priority
from sarv.core.db import persian_order
from sarv.core.forms import DigitsIntegerField, NormalizedCharField, style_form
from sarv.core.models import Category
from sarv.core.text import to_ascii_digits, to_persian_digits
from sarv.services.models import Service, Supplier
from sarv.sla.choices import AgreementKind, CalendarSource, ReopenBehaviour, SwapBehaviour, TargetMetric
from sarv.sla.models import Agreement, EscalationLevel, record_type_of
from sarv.sla.recompute import record_models

ESCALATION_ROWS = 3
ESCALATION_FLAGS = ("notify_agent", "notify_group_lead", "notify_managers", "raise_priority")
HOUR = 3600


def record_type_choices() -> list[tuple[str, Any]]:
    return [(record_type_of(model), model._meta.verbose_name_plural) for model in record_models()]


def _field_choices(name: str) -> list[tuple[str, Any]]:
    """Return the union of a field's choices over every record type (statuses, on-hold reasons)."""
    seen: dict[str, Any] = {}
    for model in record_models():
        for value, label in getattr(model._meta.get_field(name), "choices", None) or ():
            seen.setdefault(str(value), label)
    return list(seen.items())


def target_field(metric: str, priority: int | None) -> str:
    return f"target_{metric}_{priority or 'any'}"


def escalation_field(row: int, name: str) -> str:
    return f"escalation_{row}_{name}"


def _percent_text(percents: list[int]) -> str:
    """Return warning percentages as the page shows them: "۵۰، ۷۵، ۹۰" on Persian pages."""
    if jalali.uses_jalali():
        return "، ".join(to_persian_digits(str(percent)) for percent in percents)
    return ", ".join(str(percent) for percent in percents)


class HoursField(forms.DecimalField):
    """Business hours with up to two decimals (1.5 = an hour and a half), returned as seconds."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=Decimal("0.01"), max_digits=7, decimal_places=2, required=False, **kwargs)
        self.widget.attrs.update({"dir": "ltr", "inputmode": "decimal"})

    def clean(self, value: Any) -> int | None:
        if isinstance(value, str):
            value = to_ascii_digits(value).replace("٫", ".").strip()
        hours = super().clean(value)
        return None if hours is None else int(hours * HOUR)


class AgreementForm(NameFieldsForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=AgreementKind.choices)
    description = NormalizedCharField(label=_("Description"), required=False,
                                      widget=forms.Textarea(attrs={"rows": 2}))
    precedence = DigitsIntegerField(label=_("Precedence"), min_value=0, initial=100,
                                    help_text=Agreement._meta.get_field("precedence").help_text)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    record_types = forms.MultipleChoiceField(label=_("Record types"), required=False,
                                             help_text=_("Empty: every record type."))
    services = forms.ModelMultipleChoiceField(label=_("Services"), required=False, queryset=Service.objects.none(),
                                              help_text=_("Empty: every service."))
    priorities = forms.TypedMultipleChoiceField(label=_("Priorities"), required=False, coerce=int,
                                                choices=Priority.choices, help_text=_("Empty: every priority."))
    departments = forms.ModelMultipleChoiceField(label=_("Departments"), required=False,
                                                 queryset=Department.objects.none(),
                                                 help_text=_("Empty: every department."))
    categories = forms.ModelMultipleChoiceField(label=_("Categories"), required=False,
                                                queryset=Category.objects.none(),
                                                help_text=_("Empty: every category."))

    ola_group = forms.ModelChoiceField(label=_("Support group (OLA)"), required=False,
                                       queryset=SupportGroup.objects.none(),
                                       help_text=Agreement._meta.get_field("ola_group").help_text)
    uc_supplier = forms.ModelChoiceField(label=_("Supplier (UC)"), required=False, queryset=Supplier.objects.none(),
                                         help_text=Agreement._meta.get_field("uc_supplier").help_text)
    calendar_source = forms.ChoiceField(label=_("Calendar"), choices=CalendarSource.choices,
                                        help_text=Agreement._meta.get_field("calendar_source").help_text)
    calendar = forms.ModelChoiceField(label=_("Fixed calendar"), required=False, queryset=Calendar.objects.none())

    pause_statuses = forms.MultipleChoiceField(label=_("Pause in these statuses"), required=False)
    pause_hold_reasons = forms.MultipleChoiceField(label=_("Pause for these on-hold reasons"), required=False)
    start_statuses = forms.MultipleChoiceField(label=_("Start in these statuses"), required=False,
                                               help_text=_("Empty: the clocks start when the record is created."))
    stop_statuses = forms.MultipleChoiceField(label=_("Stop in these statuses"))
    reopen_behaviour = forms.ChoiceField(label=_("On reopening"), choices=ReopenBehaviour.choices)
    swap_behaviour = forms.ChoiceField(label=_("When this agreement takes over a running clock"),
                                       choices=SwapBehaviour.choices)
    warning_percents = forms.CharField(
        label=_("Warning thresholds (%)"), required=False, widget=forms.TextInput(attrs={"dir": "ltr"}),
        help_text=_("Percentages of the target separated by commas, e.g. 50, 75, 90."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["code"]
        fields = self.fields
        fields["record_types"].choices = record_type_choices()  # type: ignore[attr-defined]
        fields["services"].queryset = Service.objects.order_by(persian_order("name_fa"))  # type: ignore[attr-defined]
        fields["departments"].queryset = Department.objects.order_by(  # type: ignore[attr-defined]
            persian_order("name_fa"))
        fields["categories"].queryset = Category.objects.select_related("parent").order_by(  # type: ignore[attr-defined]
            "parent_id", "sort_order", persian_order("name_fa"))
        fields["ola_group"].queryset = SupportGroup.objects.order_by(  # type: ignore[attr-defined]
            persian_order("name_fa"))
        fields["uc_supplier"].queryset = Supplier.objects.order_by(  # type: ignore[attr-defined]
            persian_order("name_fa"))
        fields["calendar"].queryset = Calendar.objects.filter(is_active=True)  # type: ignore[attr-defined]
        statuses = _field_choices("status")
        for name in ("pause_statuses", "start_statuses", "stop_statuses"):
            fields[name].choices = statuses  # type: ignore[attr-defined]
        fields["pause_hold_reasons"].choices = _field_choices("hold_reason")  # type: ignore[attr-defined]
        for metric in TargetMetric.values:
            for priority in (None, *Priority.values):
                fields[target_field(metric, priority)] = HoursField(label=self.target_label(metric, priority))
        for row in range(1, ESCALATION_ROWS + 1):
            fields[escalation_field(row, "enabled")] = forms.BooleanField(label=_("Use this level"), required=False)
            fields[escalation_field(row, "delay")] = HoursField(label=_("Business hours after the breach"))
            fields[escalation_field(row, "reassign_group")] = forms.ModelChoiceField(
                label=_("Reassign to the group"), required=False,
                queryset=SupportGroup.objects.filter(is_active=True).order_by(persian_order("name_fa")),
            )
            for flag in ESCALATION_FLAGS:
                fields[escalation_field(row, flag)] = forms.BooleanField(
                    label=capfirst(getattr(EscalationLevel._meta.get_field(flag), "verbose_name", flag)),
                    required=False,
                )
        style_form(self)

    @staticmethod
    def target_label(metric: str, priority: int | None) -> str:
        metric_label = TargetMetric(metric).label
        if priority is None:
            return str(_("%(metric)s, other priorities") % {"metric": metric_label})
        return f"{metric_label}, {Priority(priority).label}"

    @classmethod
    def initial_for(cls, agreement: Agreement | None) -> dict[str, Any]:
        if agreement is None:
            return {"is_active": True, "precedence": 100, "kind": AgreementKind.SLA,
                    "calendar_source": CalendarSource.GROUP, "stop_statuses": ["resolved", "closed"],
                    "pause_hold_reasons": ["awaiting_requester", "awaiting_supplier"],
                    "reopen_behaviour": ReopenBehaviour.CONTINUE, "swap_behaviour": SwapBehaviour.CONTINUE,
                    "warning_percents": _percent_text([50, 75, 90]), escalation_field(1, "enabled"): True,
                    escalation_field(1, "notify_agent"): True}
        initial: dict[str, Any] = {
            name: getattr(agreement, name) for name in (
                "name_fa", "name_en", "kind", "description", "precedence", "is_active", "record_types",
                "priorities", "ola_group", "uc_supplier", "calendar_source", "calendar", "pause_statuses",
                "pause_hold_reasons", "start_statuses", "stop_statuses", "reopen_behaviour", "swap_behaviour",
            )
        }
        for name in ("services", "departments", "categories"):
            initial[name] = list(getattr(agreement, name).all())
        initial["warning_percents"] = _percent_text(agreement.warning_percents)
        for target in agreement.targets.all():
            initial[target_field(target.metric, target.priority)] = Decimal(target.seconds) / HOUR
        for row, level in enumerate(agreement.escalations.all(), start=1):
            if row > ESCALATION_ROWS:
                break
            initial[escalation_field(row, "enabled")] = True
            initial[escalation_field(row, "delay")] = Decimal(level.delay_seconds) / HOUR
            initial[escalation_field(row, "reassign_group")] = level.reassign_group
            for flag in ESCALATION_FLAGS:
                initial[escalation_field(row, flag)] = getattr(level, flag)
        return initial

    def clean_warning_percents(self) -> list[str]:
        text = to_ascii_digits(self.cleaned_data.get("warning_percents") or "").replace("،", ",")
        return [part.strip().rstrip("%") for part in text.split(",") if part.strip()]

    def targets(self) -> dict[tuple[str, int | None], int | None]:
        return {(metric, priority): self.cleaned_data.get(target_field(metric, priority))
                for metric in TargetMetric.values for priority in (None, *Priority.values)}

    def escalations(self) -> list[dict[str, Any]]:
        levels = []
        for row in range(1, ESCALATION_ROWS + 1):
            if not self.cleaned_data.get(escalation_field(row, "enabled")):
                continue
            level = {flag: self.cleaned_data.get(escalation_field(row, flag)) for flag in ESCALATION_FLAGS}
            level["delay_seconds"] = self.cleaned_data.get(escalation_field(row, "delay")) or 0
            level["reassign_group"] = self.cleaned_data.get(escalation_field(row, "reassign_group"))
            levels.append(level)
        return levels

    def target_rows(self) -> list[tuple[Any, list[Any]]]:
        """Return the target grid for the template: one row per metric, one bound field per priority column."""
        return [(TargetMetric(metric).label,
                 [self[target_field(metric, priority)] for priority in (None, *Priority.values)])
                for metric in TargetMetric.values]

    def escalation_rows(self) -> list[dict[str, Any]]:
        return [{"number": row, **{name: self[escalation_field(row, name)]
                                   for name in ("enabled", "delay", "reassign_group", *ESCALATION_FLAGS)}}
                for row in range(1, ESCALATION_ROWS + 1)]


class SupplierForm(NameFieldsForm):
    contact = NormalizedCharField(label=_("Contact details"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
