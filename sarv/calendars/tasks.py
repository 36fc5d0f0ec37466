"""Background tasks of the calendars app."""

from __future__ import annotations

from django_tasks import task


@task()
def recompute_after_change(run_id: int) -> int:
    """Recompute the SLA clocks of a queued calendar change; return how many due times moved."""
    from sarv.calendars.actions import run_recompute
    from sarv.calendars.models import RecomputeRun

    run = RecomputeRun.objects.filter(pk=run_id).first()
    if run is None:
        return 0
    return run_recompute(run).moved_total
