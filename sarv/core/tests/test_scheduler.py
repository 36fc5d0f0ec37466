"""Periodic jobs: each job is enqueued once per period however many schedulers run."""

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django_tasks import task

from sarv.core import scheduler
from sarv.core.models import ScheduledRun

RUNS: list[str] = []


@task()
def record_run() -> None:
    RUNS.append("ran")


JOB = scheduler.PeriodicJob(name="tests.record_run", every=dt.timedelta(minutes=5), task=record_run)


def test_period_start_is_aligned_to_epoch():
    moment = dt.datetime(2026, 12, 4, 10, 7, 30, tzinfo=dt.UTC)
    assert JOB.period_start(moment) == dt.datetime(2026, 12, 4, 10, 5, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_second_scheduler_in_same_period_skips():
    # given two schedulers that wake up in the same five-minute period
    RUNS.clear()
    first_wake = dt.datetime(2026, 12, 4, 10, 6, tzinfo=dt.UTC)
    second_wake = dt.datetime(2026, 12, 4, 10, 9, tzinfo=dt.UTC)
    # when both check for due jobs
    by_first = scheduler.run_due_jobs(first_wake, jobs=[JOB], worker="a")
    by_second = scheduler.run_due_jobs(second_wake, jobs=[JOB], worker="b")
    # then only the first enqueues, and the job ran once
    assert by_first == ["tests.record_run"]
    assert by_second == []
    assert RUNS == ["ran"]
    assert ScheduledRun.objects.filter(job="tests.record_run").count() == 1


@pytest.mark.django_db
def test_next_period_runs_again():
    RUNS.clear()
    scheduler.run_due_jobs(dt.datetime(2026, 12, 4, 10, 6, tzinfo=dt.UTC), jobs=[JOB])
    scheduler.run_due_jobs(dt.datetime(2026, 12, 4, 10, 11, tzinfo=dt.UTC), jobs=[JOB])
    assert RUNS == ["ran", "ran"]


def test_registered_jobs_include_incident_auto_close():
    names = {job.name for job in scheduler.registered_jobs()}
    assert {"incidents.close_resolved", "core.heartbeat"} <= names


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_scheduler_processes_enqueue_each_period_once():
    # given two scheduler processes on one database, with a heartbeat job every second
    from django_tasks_db.models import DBTaskResult

    database = settings.DATABASES["default"]
    host, port = database["HOST"] or "127.0.0.1", database["PORT"] or 5432
    credentials = database["USER"] + (f":{database['PASSWORD']}" if database.get("PASSWORD") else "")
    url = f"postgres://{credentials}@{host}:{port}/{database['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "SARV_SECRET_KEY": "scheduler-test", "SARV_HEARTBEAT_SECONDS": "1",
           "SARV_TASK_BACKEND": "django_tasks_db.DatabaseBackend", "DJANGO_SETTINGS_MODULE": "sarv.settings"}
    manage = str(Path(settings.BASE_DIR) / "manage.py")
    connection.close()
    processes = [
        subprocess.Popen([sys.executable, manage, "run_scheduler", "--tick", "0.1"], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    # when they run side by side for a few periods (starting Django takes seconds on a busy machine, so wait
    # for the periods themselves, up to a minute)
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline and ScheduledRun.objects.filter(job="core.heartbeat").count() < 4:
            time.sleep(0.5)
        time.sleep(1.5)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=15)

    # then every period of the heartbeat was claimed once and enqueued once, by one of the two
    runs = list(ScheduledRun.objects.filter(job="core.heartbeat").values_list("period_start", "claimed_by"))
    periods = [period for period, _claimant in runs]
    assert len(periods) >= 3
    assert len(periods) == len(set(periods))
    enqueued = DBTaskResult.objects.filter(task_path="sarv.core.tasks.heartbeat").count()
    assert enqueued == len(periods)
    assert len({claimant for _period, claimant in runs}) >= 1
