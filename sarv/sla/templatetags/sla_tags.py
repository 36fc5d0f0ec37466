"""Template tags that show SLA clocks on record pages and lists."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from sarv.sla.choices import RecordSlaState
from sarv.sla.display import STATE_COLOURS, rows_for
from sarv.sla.recompute import clocks_for
from sarv.sla.selectors import record_state_now

register = template.Library()


@register.inclusion_tag("sla/_clocks_card.html")
def record_clocks(record: Any) -> dict[str, Any]:
    """Render the clocks of a record, computed live from its timeline."""
    now = timezone.now()
    return {"rows": rows_for(clocks_for(record, now=now)), "now": now}


@register.simple_tag
def record_sla_state(record: Any) -> dict[str, str]:
    """Return the record's cached SLA state as it is now (a running clock past its due time is breached)."""
    state = record_state_now(record)
    label = str(RecordSlaState(state).label) if state in RecordSlaState.values else ""
    return {"state": state, "label": label, "colour": STATE_COLOURS.get(state, "secondary")}
