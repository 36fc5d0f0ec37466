"""Forms of the Settings pages outside accounts: categories, services, the priority matrix,
the incident process and the audit log filter."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from sarv.accounts.forms import NameFieldsForm, active_or_current
from sarv.accounts.models import SupportGroup
from sarv.core.choices import DEFAULT_PRIORITY_MATRIX, AuditAction, Impact, Priority, Urgency
from sarv.core.db import persian_order
from sarv.core.forms import DigitsIntegerField, JalaliDateField, NormalizedCharField, StyledForm
from sarv.core.models import Category

# Apps whose models appear in the audit log filter; Django's own tables are left out.
AUDITED_APPS = ("accounts", "core", "services", "incidents")


class OrderedNamesForm(NameFieldsForm):
    sort_order = DigitsIntegerField(label=_("Order"), min_value=0, initial=0, required=False,
                                    help_text=_("Lists show smaller numbers first, then sort by name."))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class CategoryForm(OrderedNamesForm):
    parent = forms.ModelChoiceField(
        label=_("Parent category"), queryset=Category.objects.none(), required=False,
        empty_label=_("None (top-level category)"),
        help_text=_("Categories have two levels: a top-level category and its subcategories."),
    )
    field_order = ["parent", "name_fa", "name_en", "code", "sort_order", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Category.objects.filter(  # type: ignore[attr-defined]
            parent__isnull=True).order_by("sort_order", persian_order("name_fa"))


class ServiceForm(NameFieldsForm):
    description = NormalizedCharField(label=_("Description"), required=False,
                                      widget=forms.Textarea(attrs={"rows": 3}))
    owner_group = forms.ModelChoiceField(label=_("Owning support group"), queryset=SupportGroup.objects.none(),
                                         required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, current_owner: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_group"].queryset = active_or_current(  # type: ignore[attr-defined]
            SupportGroup.objects.all(), current_owner).order_by(persian_order("name_fa"))


def cell_name(impact: int, urgency: int) -> str:
    return f"cell_{impact}_{urgency}"


class PriorityMatrixForm(StyledForm):
    """One select per impact x urgency cell; field names are cell_<impact>_<urgency>."""

    def __init__(self, *args: Any, current: dict[tuple[int, int], int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for impact in Impact:
            for urgency in Urgency:
                default = DEFAULT_PRIORITY_MATRIX[(impact, urgency)]
                field = forms.TypedChoiceField(
                    label=_("Impact %(impact)s, urgency %(urgency)s") % {"impact": impact.label,
                                                                          "urgency": urgency.label},
                    choices=Priority.choices, coerce=int, initial=current[(impact.value, urgency.value)],
                    help_text=_("Default: %(priority)s") % {"priority": default.label},
                )
                field.widget.attrs["class"] = "form-select"
                self.fields[cell_name(impact.value, urgency.value)] = field

    def cells(self) -> dict[tuple[int, int], int]:
        return {(impact.value, urgency.value): self.cleaned_data[cell_name(impact.value, urgency.value)]
                for impact in Impact for urgency in Urgency}

    def rows(self) -> list[tuple[Any, list[Any]]]:
        """Return (impact, [bound field per urgency]) for the grid template."""
        return [(impact, [self[cell_name(impact.value, urgency.value)] for urgency in Urgency]) for impact in Impact]


class IncidentPolicyForm(StyledForm):
    reopen_window_days = DigitsIntegerField(
        label=_("Days a requester may reopen a resolved incident"), min_value=0, max_value=365,
        help_text=_("Counted from the resolution. 0 means requesters cannot reopen; agents still can."),
    )
    auto_close_days = DigitsIntegerField(
        label=_("Days after resolution when an incident closes by itself"), min_value=1, max_value=365,
        help_text=_("A resolved incident that the requester neither confirms nor reopens closes after this many days."),
    )
    default_group = forms.ModelChoiceField(
        label=_("Group that receives new incidents"), required=False,
        queryset=SupportGroup.objects.filter(is_active=True),
        help_text=_("Incidents reported without an assignment go to this group (usually the IT service desk), "
                    "whose members are notified. Empty: they wait unassigned."),
    )


class ResolutionCodeForm(OrderedNamesForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].required = True
        self.fields["code"].help_text = _(
            "A short Latin code that imports and the API use, for example no_fault_found."
        )


class AuditLogFilterForm(StyledForm):
    actor = NormalizedCharField(label=_("Who"), required=False,
                                help_text=_("Username or part of the name."))
    action = forms.ChoiceField(label=_("Action"), required=False)
    object_type = forms.TypedChoiceField(label=_("Object type"), required=False, coerce=int, empty_value=None)
    date_from = JalaliDateField(label=_("From"), required=False)
    date_to = JalaliDateField(label=_("To"), required=False)
    q = NormalizedCharField(label=_("Text"), required=False, help_text=_("Searches the object's name and the values."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        fields["action"].choices = [("", _("All")), *AuditAction.choices]
        types = ContentType.objects.filter(app_label__in=AUDITED_APPS)
        labelled = [(ct.pk, str(model._meta.verbose_name)) for ct in types if (model := ct.model_class()) is not None]
        fields["object_type"].choices = [("", _("All")), *sorted(labelled, key=lambda item: item[1])]

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        start: dt.date | None = cleaned.get("date_from")
        end: dt.date | None = cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned
