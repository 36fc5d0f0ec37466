"""Background and periodic tasks of incident management."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from sarv.core.scheduler import periodic


@periodic(every=dt.timedelta(hours=1), name="incidents.close_resolved")
@task()
def close_resolved_incidents() -> int:
    """Close incidents whose resolution the requester neither confirmed nor rejected in time."""
    from sarv.incidents.actions import close_resolved_incidents as close

    return close()
