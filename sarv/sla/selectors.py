"""Read queries of service level management."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from sarv.core.errors import NotFound
from sarv.core.models import WorkItem
from sarv.core.search import normalize_record_number
from sarv.sla.choices import RecordSlaState
from sarv.sla.recompute import record_models


def record_state_now(record: Any, now: dt.datetime | None = None) -> str:
    """Return a record's cached SLA state as it is at ``now``: a running clock past its due time is breached."""
    state = record.sla_state
    if state == RecordSlaState.RUNNING and record.sla_due_at is not None \
            and record.sla_due_at <= (now or timezone.now()):
        return RecordSlaState.BREACHED
    return state


def visible_record(user: Any, number: str) -> WorkItem:
    """Return the record of any type with this number if ``user`` may see it; raise NotFound otherwise."""
    normalized = normalize_record_number(number) or number
    for model in record_models():
        if model.NUMBER_PREFIX and normalized.upper().startswith(model.NUMBER_PREFIX + "-"):
            found = model.objects.visible_to(user).filter(number=normalized).first()
            if found is not None:
                return found
    raise NotFound()
