"""Periodic tasks of service level management."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from sarv.core.scheduler import periodic


@periodic(every=dt.timedelta(minutes=1), name="sla.check_clocks")
@task()
def check_clocks() -> int:
    """Fire SLA warnings, breaches and escalations that have fallen due, each exactly once."""
    from sarv.core import modules
    from sarv.sla.alerts import check_clocks as check

    if not modules.is_enabled("sla"):
        return 0
    return check()


@task()
def recompute_open_clocks() -> int:
    """Rebuild the clock cache of every open record, after an agreement changed; return how many due times moved."""
    from sarv.sla.recompute import recompute_open

    return len(recompute_open(None))
