"""Form fields that speak Persian: Jalali dates, Persian digits, normalised text."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from sarv.core import jalali
from sarv.core.errors import SarvError
from sarv.core.text import normalize_stored, to_ascii_digits


class JalaliDateInput(forms.TextInput):
    """A text input that shows dates in the page's calendar; Persian pages attach the Jalali picker."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"autocomplete": "off", "inputmode": "numeric", **(attrs or {})})

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        if jalali.uses_jalali():
            widget_attrs["data-jdp"] = ""
            widget_attrs.setdefault("placeholder", "۱۴۰۵/۰۱/۲۰")
            widget_attrs["dir"] = "ltr"
        else:
            widget_attrs.setdefault("placeholder", "2026-04-09")
        return context

    def format_value(self, value: Any) -> str | None:
        # ASCII digits in the value, because the date picker reads only those; on Persian pages
        # the font's digit set still draws them as Persian digits.
        if isinstance(value, dt.date):
            return to_ascii_digits(jalali.format_date(value))
        return super().format_value(value)


class JalaliDateField(forms.DateField):
    """A date typed in Jalali (۱۴۰۵/۰۹/۱۳) on Persian pages or Gregorian (2026-12-04) on English ones."""

    widget = JalaliDateInput

    def to_python(self, value: Any) -> dt.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return jalali.parse_date(str(value))
        except jalali.DateParseError:
            raise ValidationError(
                _("Enter a valid date, for example %(example)s."), code="invalid",
                params={"example": "۱۴۰۵/۰۹/۱۳" if jalali.uses_jalali() else "2026-12-04"},
            ) from None


class NormalizedCharField(forms.CharField):
    """Text in which Arabic yeh and kaf become Persian; everything else is kept as typed."""

    def to_python(self, value: Any) -> str | None:
        text = super().to_python(value)
        return normalize_stored(text) if text else text


class DigitsIntegerField(forms.IntegerField):
    """An integer that may be typed with Persian or Arabic-Indic digits."""

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str):
            value = to_ascii_digits(value)
        return super().to_python(value)


class MultipleFileInput(forms.ClearableFileInput):
    """A file input whose button and "no file chosen" text are Sarv's, so they follow the page's language.

    The browser's own file button is labelled in the browser's language, which is English on
    many Persian users' machines. The native input stays in the page, visually hidden but focusable.
    """

    allow_multiple_selected = True
    template_name = "core/widgets/file_picker.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"class": "sarv-file-input visually-hidden", **(attrs or {})})


class MultipleFileField(forms.FileField):
    """Several files in one input; validation of size and type happens in the action."""

    widget = MultipleFileInput

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


def apply_error(form: forms.BaseForm, error: SarvError) -> None:
    """Show an action's error on the form: on its field when the form has it, else above the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


# --- Bootstrap styling shared by every page form -------------------------------------------------------


DJANGO_EMPTY_LABEL = "---------"
EMPTY_CHOICE_LABEL = _("Choose…")


def style_form(form: forms.BaseForm) -> None:
    """Give every widget its Bootstrap class, so templates render fields without per-field markup.

    Django's placeholder choice "---------" becomes a translated "Choose…".
    """
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField):
            if field.empty_label == DJANGO_EMPTY_LABEL:
                field.empty_label = EMPTY_CHOICE_LABEL
        elif isinstance(field, forms.ChoiceField):
            choices = list(field.choices)  # type: ignore[arg-type]
            if choices and choices[0] == ("", DJANGO_EMPTY_LABEL):
                field.choices = [("", EMPTY_CHOICE_LABEL), *choices[1:]]
        widget = field.widget
        if isinstance(widget, forms.HiddenInput | forms.CheckboxSelectMultiple | forms.RadioSelect | MultipleFileInput):
            continue
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        classes = widget.attrs.get("class", "").split()
        if css not in classes:
            widget.attrs["class"] = " ".join([*classes, css])


class StyledForm(forms.Form):
    """A form whose widgets carry Bootstrap classes and whose invalid fields are marked ``is-invalid``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_form(self)

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                classes = widget.attrs.get("class", "").split()
                if "is-invalid" not in classes:
                    widget.attrs["class"] = " ".join([*classes, "is-invalid"])
