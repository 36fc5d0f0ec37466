"""Forms of the known error pages and of the problems panel on the incident page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sarv.core.forms import NormalizedCharField, StyledForm
from sarv.core.search import normalize_record_number
from sarv.problems.models import KnownError, Problem

TITLE_MAX_LENGTH = KnownError._meta.get_field("title").max_length


def _record_number(value: str, prefix: str, message: Any) -> str:
    number = normalize_record_number(value)
    if number is None or not number.startswith(prefix + "-"):
        raise forms.ValidationError(message)
    return number


class PublishForm(StyledForm):
    """Publishing or updating a known error: its title and symptoms; the rest is copied from the problem."""

    title = NormalizedCharField(label=_("Title"), max_length=TITLE_MAX_LENGTH,
                                help_text=_("How agents will recognise the fault when they search."))
    symptoms = NormalizedCharField(label=_("Symptoms"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                                   help_text=_("What users see: error messages, codes and behaviour."))
    version = forms.IntegerField(widget=forms.HiddenInput)

    @classmethod
    def initial_for(cls, problem: Problem, known_error: KnownError | None) -> dict[str, Any]:
        if known_error is not None:
            return {"title": known_error.title, "symptoms": known_error.symptoms, "version": known_error.version}
        return {"title": problem.title, "symptoms": problem.description, "version": problem.version}


class RetireForm(StyledForm):
    reason = NormalizedCharField(label=_("Reason for retiring"), widget=forms.Textarea(attrs={"rows": 3}),
                                 help_text=_("For example: the fix is installed everywhere, or the analysis was "
                                             "wrong."))
    version = forms.IntegerField(widget=forms.HiddenInput)


class ProblemNumberForm(StyledForm):
    """The problem picker of the incident page: a PRB number, typed or chosen from the matching problems."""

    problem = NormalizedCharField(
        label=_("Problem number"), max_length=40,
        widget=forms.TextInput(attrs={"dir": "ltr", "placeholder": "PRB-1405-000123", "autocomplete": "off"}),
    )

    def clean_problem(self) -> str:
        return _record_number(self.cleaned_data["problem"], Problem.NUMBER_PREFIX,
                              _("Enter a problem number such as PRB-1405-000123."))


class KnownErrorNumberForm(StyledForm):
    known_error = forms.CharField(max_length=40, widget=forms.HiddenInput)

    def clean_known_error(self) -> str:
        return _record_number(self.cleaned_data["known_error"], KnownError.NUMBER_PREFIX,
                              _("Enter a known error number such as KE-1405-000012."))
