"""Enqueue periodic jobs on time; run one or more of these beside the task workers."""

from __future__ import annotations

import logging
import os
import signal
import socket
import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from sarv.core import scheduler

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Enqueue each periodic job once per period. Several schedulers may run at once safely."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--tick", type=float, default=10.0,
                            help="seconds between checks for due jobs (default 10)")
        parser.add_argument("--once", action="store_true", help="check once, enqueue what is due, and exit")

    def handle(self, *args: Any, tick: float, once: bool, **options: Any) -> None:
        name = f"{socket.gethostname()}:{os.getpid()}"
        jobs = scheduler.registered_jobs()
        if once:
            enqueued = scheduler.run_due_jobs(worker=name)
            self.stdout.write(f"Enqueued {len(enqueued)} of {len(jobs)} periodic jobs")
            return

        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        logger.info("Scheduler %s started with %s periodic jobs, checking every %ss", name, len(jobs), tick)
        while not stopping:
            close_old_connections()
            try:
                scheduler.run_due_jobs(worker=name)
            except Exception:
                # A database outage must not end the scheduler; it retries on the next tick.
                logger.exception("Scheduler %s failed to check due jobs", name)
            deadline = time.monotonic() + tick
            while not stopping and time.monotonic() < deadline:
                time.sleep(min(0.5, tick))
        logger.info("Scheduler %s stopped", name)
