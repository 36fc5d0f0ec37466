"""Forms of the problem pages. They parse input only; the rules live in ``sarv.problems.actions``.

Forms shared with the incident pages (assignment, comments, watchers, reasons) are reused from
``sarv.incidents.forms``, so both record types read the same input the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from sarv.cmdb.models import CI
from sarv.cmdb.pickers import CIMultipleChoiceField, ci_picker_attrs, limit_ci_choices
from sarv.core.choices import Impact, Urgency
from sarv.core.forms import MultipleFileField, NormalizedCharField, StyledForm
from sarv.core.models import Category
from sarv.core.search import normalize_record_number
from sarv.incidents.forms import (
    ATTACHMENTS_HELP,
    AssignForm,
    AssignmentMixin,
    CommentForm,
    EmptyForm,
    ReasonForm,
    RemoveWatcherForm,
    UserChoiceField,
    VersionedForm,
    WatcherForm,
)
from sarv.incidents.models import Incident, ResolutionCode
from sarv.problems.choices import RcaMethod
from sarv.problems.filters import _managers
from sarv.services.models import Service

__all__ = ["AssignForm", "CommentForm", "EmptyForm", "ReasonForm", "RemoveWatcherForm", "WatcherForm"]

# Incident numbers in a typed list may be separated by spaces, commas or the Persian comma.
_NUMBER_SEPARATORS = re.compile(r"[\s,،;]+")
MAX_NUMBERS = 100


def parse_incident_numbers(text: str) -> list[str]:
    """Return the canonical incident numbers in ``text``; raise ValidationError naming any that is not one."""
    numbers, invalid = [], []
    for token in _NUMBER_SEPARATORS.split(text or ""):
        if not token:
            continue
        number = normalize_record_number(token)
        if number is None or not number.startswith(Incident.NUMBER_PREFIX + "-"):
            invalid.append(token)
        elif number not in numbers:
            numbers.append(number)
    if invalid:
        raise forms.ValidationError(_("Not an incident number: %(values)s."), params={"values": ", ".join(invalid)})
    if len(numbers) > MAX_NUMBERS:
        raise forms.ValidationError(_("Link at most %(limit)s incidents at a time."), params={"limit": MAX_NUMBERS})
    return numbers


def _categories() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True)


class DescriptionMixin(forms.Form):
    """The descriptive fields of a problem, shared by the create and edit forms."""

    title = NormalizedCharField(label=_("Title"), max_length=300)
    description = NormalizedCharField(label=_("Description"), required=False,
                                      widget=forms.Textarea(attrs={"rows": 5}))
    category = forms.ModelChoiceField(label=_("Category"), required=False, queryset=_categories())
    impact = forms.TypedChoiceField(label=_("Impact"), choices=Impact.choices, coerce=int, initial=Impact.MEDIUM)
    urgency = forms.TypedChoiceField(label=_("Urgency"), choices=Urgency.choices, coerce=int,
                                     initial=Urgency.MEDIUM)
    problem_manager = UserChoiceField(label=_("Problem manager"), required=False, queryset=_managers())
    services = forms.ModelMultipleChoiceField(label=_("Affected services"), required=False,
                                              queryset=Service.objects.filter(is_active=True))
    cis = CIMultipleChoiceField(label=_("Affected configuration items"), required=False,
                                queryset=CI.objects.none())

    def setup_description(self, user: Any) -> None:
        visible = CI.objects.visible_to(user)
        cis = self.fields["cis"]
        cis.queryset = visible  # type: ignore[attr-defined]
        ci_picker_attrs(cis)
        limit_ci_choices(self, "cis", visible)


class ProblemCreateForm(DescriptionMixin, AssignmentMixin, StyledForm):
    incident_numbers = NormalizedCharField(
        label=_("Linked incidents"), required=False, max_length=4000,
        help_text=_("Incident numbers separated by spaces or commas, for example INC-1405-000123."),
    )
    attachments = MultipleFileField(label=_("Attachments"), help_text=ATTACHMENTS_HELP)

    field_order = ["title", "description", "category", "impact", "urgency", "problem_manager", "assigned_group",
                   "assignee", "services", "cis", "incident_numbers", "attachments"]

    def __init__(self, *args: Any, user: Any, agent_url: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_assignment(agent_url)
        self.setup_description(user)

    def clean_incident_numbers(self) -> list[str]:
        return parse_incident_numbers(self.cleaned_data.get("incident_numbers") or "")


class ProblemEditForm(DescriptionMixin, VersionedForm):
    field_order = ["title", "description", "category", "impact", "urgency", "problem_manager", "services", "cis"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_description(user)

    @staticmethod
    def initial_for(problem: Any) -> dict[str, Any]:
        return {
            "title": problem.title, "description": problem.description, "category": problem.category_id,
            "impact": problem.impact, "urgency": problem.urgency, "problem_manager": problem.problem_manager_id,
            "services": [service.pk for service in problem.services.all()],
            "cis": [ci.pk for ci in problem.cis.all()], "version": problem.version,
        }


class StatusForm(VersionedForm):
    status = forms.ChoiceField(label=_("New status"))
    note = NormalizedCharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, statuses: Iterable[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = list(statuses)  # type: ignore[attr-defined]


class RootCauseForm(VersionedForm):
    rca_method = forms.ChoiceField(label=_("Analysis method"), required=False,
                                   choices=[("", _("Not stated")), *RcaMethod.choices])
    root_cause = NormalizedCharField(label=_("Root cause"), widget=forms.Textarea(attrs={"rows": 4}))
    contributing_factors = NormalizedCharField(label=_("Contributing factors"), required=False,
                                               widget=forms.Textarea(attrs={"rows": 3}))
    attachments = MultipleFileField(label=_("Evidence"), help_text=_(
        "Logs, screenshots or reports that show the cause. Only agents see them."))


class FiveWhyForm(StyledForm):
    """Add a step (without ``step``) or change one (with the step's id)."""

    step = forms.IntegerField(widget=forms.HiddenInput, required=False)
    question = NormalizedCharField(label=_("Why?"), widget=forms.Textarea(attrs={"rows": 2}))
    answer = NormalizedCharField(label=_("Because"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class FiveWhyStepForm(StyledForm):
    """Remove a step or move it one place up (-1) or down (1)."""

    step = forms.IntegerField(widget=forms.HiddenInput)
    offset = forms.TypedChoiceField(choices=[("-1", "-1"), ("1", "1")], coerce=int, required=False,
                                    widget=forms.HiddenInput)


class WorkaroundForm(VersionedForm):
    workaround = NormalizedCharField(
        label=_("Workaround"), widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Agents see it on every linked incident and can send it to the requester in one click."),
    )


class ResolveForm(VersionedForm):
    resolution_notes = NormalizedCharField(label=_("Fix"), widget=forms.Textarea(attrs={"rows": 4}))
    fix_change_reference = NormalizedCharField(
        label=_("Change that delivers the fix"), required=False, max_length=64,
        help_text=_("The change number, for example CHG-1405-000012, or a reference in another system."),
    )


class CloseForm(VersionedForm):
    """Close a problem and resolve the chosen open linked incidents with a message to their requesters."""

    incidents = forms.ModelMultipleChoiceField(label=_("Resolve these open incidents"), required=False,
                                               queryset=Incident.objects.none(),
                                               widget=forms.CheckboxSelectMultiple)
    resolution_code = forms.ModelChoiceField(label=_("Resolution code for the incidents"), required=False,
                                             queryset=ResolutionCode.objects.filter(is_active=True))
    message = NormalizedCharField(
        label=_("Message to the requesters"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Each requester receives it as the resolution of their incident."),
    )
    note = NormalizedCharField(label=_("Closing note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, open_incidents: QuerySet[Incident], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["incidents"]
        field.queryset = open_incidents  # type: ignore[attr-defined]
        field.label_from_instance = lambda incident: f"{incident.number} · {incident.title}"  # type: ignore[attr-defined]


class LinkIncidentsForm(StyledForm):
    numbers = NormalizedCharField(label=_("Incident numbers"), max_length=4000,
                                  widget=forms.TextInput(attrs={"placeholder": "INC-1405-000123"}))

    def clean_numbers(self) -> list[str]:
        return parse_incident_numbers(self.cleaned_data.get("numbers") or "")


class UnlinkIncidentForm(StyledForm):
    incident = forms.IntegerField(widget=forms.HiddenInput)


class AttachmentsForm(StyledForm):
    attachments = MultipleFileField(label=_("Files"), help_text=ATTACHMENTS_HELP)
