"""Periodic jobs on top of the Django tasks API, which has no scheduling of its own.

A job is a task plus an interval. Periods are aligned to the Unix epoch, so
every scheduler process computes the same period boundaries. For each period
the first scheduler to insert a ScheduledRun row enqueues the task; a second
scheduler running at the same time hits the unique constraint and skips, so
each job runs once per period however many schedulers run.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import IntegrityError, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: dt.timedelta
    task: Any  # a django_tasks Task

    def period_start(self, now: dt.datetime) -> dt.datetime:
        seconds = int(self.every.total_seconds())
        elapsed = int((now - EPOCH).total_seconds())
        return EPOCH + dt.timedelta(seconds=elapsed - elapsed % seconds)


_jobs: dict[str, PeriodicJob] = {}


def periodic(every: dt.timedelta, name: str | None = None) -> Callable[[Any], Any]:
    """Register a task (the result of ``@task()``) to be enqueued once per ``every``."""
    if every.total_seconds() < 1:
        raise ValueError("a periodic job needs an interval of at least one second")

    def register(task: Any) -> Any:
        job_name = name or f"{task.func.__module__}.{task.func.__name__}"
        _jobs[job_name] = PeriodicJob(name=job_name, every=every, task=task)
        return task

    return register


def registered_jobs() -> list[PeriodicJob]:
    return list(_jobs.values())


def autodiscover() -> None:
    """Import each installed Sarv app's ``tasks`` module so its periodic jobs register."""
    for config in apps.get_app_configs():
        if config.name.startswith("sarv."):
            try:
                importlib.import_module(f"{config.name}.tasks")
            except ModuleNotFoundError as error:
                if error.name != f"{config.name}.tasks":
                    raise


def run_due_jobs(now: dt.datetime | None = None, *, jobs: list[PeriodicJob] | None = None,
                 worker: str | None = None) -> list[str]:
    """Claim and enqueue every job whose current period has not been claimed; return the job names enqueued."""
    from sarv.core.models import ScheduledRun

    moment = now or timezone.now()
    claimant = worker or f"{socket.gethostname()}"
    enqueued = []
    for job in jobs if jobs is not None else registered_jobs():
        period = job.period_start(moment)
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(job=job.name, period_start=period, claimed_by=claimant[:120])
                # With the database backend the task row is written in this same transaction,
                # so a claim never exists without its task.
                result = job.task.enqueue()
                run.task_result_id = str(getattr(result, "id", ""))[:64]
                run.save(update_fields=["task_result_id"])
        except IntegrityError:
            continue
        logger.info("Enqueued periodic job %s for the period starting %s", job.name, period.isoformat())
        enqueued.append(job.name)
    return enqueued
