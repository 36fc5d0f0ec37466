"""Template filters of the SLA report pages."""

from __future__ import annotations

from django import template

from sarv.core import jalali
from sarv.core.text import to_persian_digits

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    """Format a percentage such as 93.5 as "93.5%" (Persian: "۹۳٫۵٪"); None (nothing decided) as a dash."""
    if value is None:
        return "—"
    text = f"{value:.1f}".removesuffix(".0")
    if jalali.uses_jalali():
        return to_persian_digits(text).replace(".", "٫") + "٪"
    return text + "%"


@register.filter
def bar_class(value: float | None) -> str:
    """Return the progress-bar width class of a percentage, in steps of 5 (the CSP forbids inline styles)."""
    return f"sla-progress-{int(value or 0) // 5 * 5}"
