"""Builders shared by the recurring-incident and problem report tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from sarv.incidents.models import Incident
from sarv.testing import factories


def problem_manager(**kwargs: Any) -> Any:
    return factories.make_user("pm_roya", "رویا", "کریمی", roles=("problem_manager",), **kwargs)


def incidents(requester: Any, count: int, *, title: str = "چاپگر طبقه سوم کاغذ گیر می‌کند", days_ago: float = 1,
              spread_hours: float = 1, **values: Any) -> list[Incident]:
    """Create ``count`` incidents opened ``days_ago`` (one ``spread_hours`` apart) with ``values`` stored as given.

    The values (category, service, affected CI, symptom, status) are written straight to the rows,
    because the detector reads only what is stored and the tests choose the opening times.
    """
    made = []
    start = timezone.now() - dt.timedelta(days=days_ago)
    for index in range(count):
        incident = factories.make_incident(requester, title=title)
        opened = start + dt.timedelta(hours=spread_hours * index)
        Incident.objects.filter(pk=incident.pk).update(created_at=opened, **values)
        made.append(Incident.objects.get(pk=incident.pk))
    return made
