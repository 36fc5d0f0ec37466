"""Run Sarv on one machine: the web server, a task worker and the scheduler, stopped together."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Sarv with gunicorn and run a task worker and the scheduler beside it (Ctrl+C stops all)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000", help="address:port for the web server")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")

    def handle(self, *args: Any, bind: str, workers: int, **options: Any) -> None:
        python = sys.executable
        manage = str(settings.BASE_DIR / "manage.py")
        commands = {
            "web": [python, "-m", "gunicorn", "sarv.wsgi", "--bind", bind, "--workers", str(workers),
                    "--access-logfile", "-", "--timeout", "60", "--graceful-timeout", "10"],
            "worker": [python, manage, "db_worker", "--interval", "1"],
            "scheduler": [python, manage, "run_scheduler"],
        }
        if settings.TASKS["default"]["BACKEND"] != "django_tasks_db.DatabaseBackend":
            commands.pop("worker")
        processes = {name: subprocess.Popen(cmd, cwd=settings.BASE_DIR) for name, cmd in commands.items()}

        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        self.stdout.write(self.style.SUCCESS(f"Sarv is running at http://{bind}/ (Ctrl+C stops it)"))
        exit_code = 0
        try:
            while not stopping:
                for name, process in processes.items():
                    if process.poll() is not None:
                        self.stderr.write(f"The {name} process exited with code {process.returncode}; stopping.")
                        exit_code = process.returncode or 1
                        stopping = True
                time.sleep(0.5)
        finally:
            for process in processes.values():
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 15
            for process in processes.values():
                remaining = max(0.1, deadline - time.monotonic())
                try:
                    process.wait(remaining)
                except subprocess.TimeoutExpired:
                    process.kill()
        if exit_code:
            os._exit(exit_code)
