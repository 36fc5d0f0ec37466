"""Template filters for Persian pages: Jalali dates, Persian digits and left-to-right isolates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from sarv.core import jalali
from sarv.core.text import to_persian_digits

register = template.Library()


def _persian() -> bool:
    return (get_language() or "fa").startswith("fa")


@register.filter
def jdate(value: dt.date | dt.datetime | None) -> str:
    """Format a date: Jalali with Persian digits on Persian pages, ISO on English pages."""
    return jalali.format_date(value)


@register.filter
def jdatetime(value: dt.datetime | None) -> str:
    """Format an instant in the user's time zone, Jalali on Persian pages."""
    return jalali.format_datetime(value)


@register.filter
def jlongdate(value: dt.date | dt.datetime | None) -> str:
    return jalali.format_long_date(value)


@register.filter
def digits(value: Any) -> str:
    """Show a number or code with Persian digits on Persian pages."""
    if value is None:
        return ""
    text = str(value)
    return to_persian_digits(text) if _persian() else text


@register.filter
def isolate(value: Any) -> SafeString:
    """Wrap an identifier (record number, IP address, English name) in a left-to-right isolate.

    Digits become Persian on Persian pages; the isolate keeps "INC-1405-000123"
    in its own order inside right-to-left text.
    """
    if value is None or value == "":
        return SafeString("")
    return format_html('<bdi dir="ltr">{}</bdi>', digits(value))


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.inclusion_tag("includes/status_badge.html")
def status_badge(record: Any) -> dict[str, Any]:
    return {
        "status": record.status,
        "label": record.get_status_display(),
        "hold_reason": record.get_hold_reason_display() if getattr(record, "hold_reason", "") else "",
    }


@register.inclusion_tag("includes/priority_badge.html")
def priority_badge(record: Any) -> dict[str, Any]:
    return {"priority": record.priority, "label": record.get_priority_display(),
            "overridden": getattr(record, "priority_overridden", False)}
