"""The form renderer of every page: Django's, except that ``<select>`` elements are written in Python.

Django renders a select through one template include per option, and one more per option's attributes. The
workspace lists carry a filter bar with several selects (groups, agents, categories, services, departments),
and rendering their options through the template engine took more time than the list's own rows. The markup
written here is the same as Django's ``select.html`` and ``select_option.html`` produce, so widgets, forms
and tests see no difference.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe

SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def render_attrs(attrs: Mapping[str, Any]) -> str:
    """Return HTML attributes as ``attrs.html`` writes them: ``True`` bare, ``False`` left out, others quoted."""
    return "".join(
        f" {escape(name)}" if value is True else f' {escape(name)}="{escape(str(value))}"'
        for name, value in attrs.items() if value is not False
    )


def render_select(widget: Mapping[str, Any]) -> SafeString:
    """Return the markup of a select widget from its template context (``context["widget"]``)."""
    parts = [f'<select name="{escape(widget["name"])}"{render_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'<optgroup label="{conditional_escape(group_name)}">')
        parts.extend(
            f'<option value="{escape(str(option["value"]))}"{render_attrs(option["attrs"])}>'
            f'{conditional_escape(option["label"])}</option>'
            for option in options
        )
        if group_name:
            parts.append("</optgroup>")
    parts.append("</select>")
    # Every value above is escaped.
    return mark_safe("\n".join(parts))


class FormRenderer(DjangoTemplates):
    """Django's template-based form renderer with selects written by ``render_select``."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        widget = context.get("widget")
        if template_name == SELECT_TEMPLATE and widget is not None and all(
            option.get("template_name") == OPTION_TEMPLATE for _name, options, _index in widget["optgroups"]
            for option in options
        ):
            return render_select(widget)
        return super().render(template_name, context, request)
