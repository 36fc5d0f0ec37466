"""The Python-written selects of sarv.core.form_renderer give the markup of Django's own templates."""

from __future__ import annotations

from django import forms
from django.forms.renderers import DjangoTemplates
from django.test import SimpleTestCase

from sarv.core.form_renderer import FormRenderer

CHOICES = [
    ("", "---------"),
    ("Hardware & <printers>", [("p1", "Printer «A» & co"), ("p2", 'Quote " mark')]),
    ("net", "Network"),
    (3, "Three"),
]


class SelectMarkupTests(SimpleTestCase):
    def assert_same_markup(self, widget: forms.Widget, value: object) -> None:
        ours = widget.render("field", value, attrs={"id": "id_field"}, renderer=FormRenderer())
        django = widget.render("field", value, attrs={"id": "id_field"}, renderer=DjangoTemplates())
        self.assertHTMLEqual(ours, django)

    def test_select_with_groups_escaping_and_a_chosen_value(self) -> None:
        widget = forms.Select(choices=CHOICES, attrs={"class": "form-select", "required": True, "disabled": False,
                                                      "data-x": '<"&>'})
        self.assert_same_markup(widget, "p2")

    def test_multiple_select_with_several_chosen_values(self) -> None:
        self.assert_same_markup(forms.SelectMultiple(choices=CHOICES), ["p1", "net", 3])

    def test_nothing_chosen_and_no_choices(self) -> None:
        self.assert_same_markup(forms.Select(choices=CHOICES), None)
        self.assert_same_markup(forms.Select(choices=[]), None)

    def test_null_boolean_select(self) -> None:
        self.assert_same_markup(forms.NullBooleanSelect(), True)

    def test_select_with_custom_option_template_uses_templates(self) -> None:
        class Custom(forms.Select):
            option_template_name = "django/forms/widgets/input_option.html"

        widget = Custom(choices=[("a", "A")])
        html = widget.render("field", "a", renderer=FormRenderer())
        self.assertHTMLEqual(html, widget.render("field", "a", renderer=DjangoTemplates()))
        self.assertNotIn("<option", html)
