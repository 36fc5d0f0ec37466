"""CI pickers for forms of any app: a select of configuration items with a search box that reloads its options.

The select renders only the chosen CIs and the first few others. Typing in the search box beside it
fetches matching options from ``cmdb:ci_options`` (see ``templates/cmdb/_ci_picker.html``). So the
page stays small with hundreds of thousands of CIs, while validation still uses the whole queryset.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sarv.cmdb.models import CI, CIClass

# How many CIs a picker lists before the user types a few letters to narrow it down.
CI_PICKER_LIMIT = 30
CHOOSE_CI_LABEL = _("Choose a configuration item")


def ci_label(ci: CI) -> str:
    return f"{ci.name} · {ci.ci_class.name}"


class CIChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return ci_label(obj)


class CIMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return ci_label(obj)


def _selected_ids(form: forms.BaseForm, name: str) -> list[str]:
    value = form[name].value()
    values = value if isinstance(value, list | tuple) else [value]
    return [str(item.pk if hasattr(item, "pk") else item) for item in values if item not in (None, "")]


def limit_ci_choices(form: forms.BaseForm, name: str, queryset: QuerySet[CI], extra: list[CI] | None = None) -> None:
    """Render the chosen CIs, then ``extra`` (suggestions), then the first few others, instead of every CI."""
    field = form.fields[name]
    selected = _selected_ids(form, name)
    related = queryset.select_related("ci_class")
    shown = list(related.filter(pk__in=selected)) if selected else []
    seen = {str(ci.pk) for ci in shown}
    for ci in [*(extra or []), *related[:CI_PICKER_LIMIT]]:
        if str(ci.pk) not in seen:
            shown.append(ci)
            seen.add(str(ci.pk))
    options: list[tuple[Any, Any]] = [(ci.pk, ci_label(ci)) for ci in shown]
    if not isinstance(field, forms.ModelMultipleChoiceField):
        options.insert(0, ("", CHOOSE_CI_LABEL))
    field.widget.choices = options


def ci_picker_attrs(field: forms.Field, ci_class: CIClass | None = None) -> None:
    """Record where the picker's search box fetches options (only CIs of ``ci_class`` and its subclasses)."""
    url = reverse("cmdb:ci_options")
    if ci_class is not None:
        url += f"?ci_class={ci_class.pk}"
    field.widget.attrs["data-options-url"] = url
