"""Background and periodic tasks of problem management."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from sarv.core.scheduler import periodic


@periodic(every=dt.timedelta(hours=1), name="problems.detect_recurring")
@task()
def detect_recurring_incidents() -> dict[str, int]:
    """Look for recurring incidents in the policy's window ending now and update the proposals."""
    from sarv.core import modules
    from sarv.problems.actions import run_recurrence_detection

    if not modules.is_enabled("problems"):
        return {}
    return run_recurrence_detection(actor=None).as_dict()
