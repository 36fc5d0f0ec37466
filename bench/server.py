"""Serve Sarv under gunicorn on a free loopback port for a benchmark, and stop it by its PID."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import BinaryIO

from bench.latency import child_pids
from bench.webclient import Client

logger = logging.getLogger(__name__)

HOST = "127.0.0.1"
PORT_RANGE = range(8190, 8200)


class ServerFailed(RuntimeError):
    """gunicorn did not start or did not respond in time."""


def free_port(ports: range = PORT_RANGE) -> int:
    """Return the first port in ``ports`` that nothing listens on at 127.0.0.1."""
    for port in ports:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind((HOST, port))
            except OSError:
                continue
            return port
    raise ServerFailed(f"no free port in {ports.start}-{ports.stop - 1} on {HOST}; stop what listens there")


def _status_kb(pid: int, key: str) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def smaps_rollup_mb(pid: int) -> dict:
    """RSS and PSS of one process from /proc/PID/smaps_rollup, in MB (PSS shares pages among the workers)."""
    values: dict[str, float | None] = {"rss_mb": None, "pss_mb": None}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                key, _sep, rest = line.partition(":")
                if key in ("Rss", "Pss"):
                    values[f"{key.lower()}_mb"] = round(int(rest.split()[0]) / 1024, 1)
    except OSError:
        pass
    return values


class GunicornServer:
    """gunicorn serving ``sarv.wsgi`` with sync workers; use as a context manager so it always stops."""

    def __init__(self, root: Path, env: dict[str, str], workers: int, log_path: Path, *,
                 ready_path: str = "/accounts/login/", start_seconds: float = 60.0, app: str = "sarv.wsgi",
                 python: str = sys.executable, ports: range = PORT_RANGE) -> None:
        self.root = root
        self.app = app
        self.python = python
        self.ports = ports
        self.env = env
        self.workers = workers
        self.log_path = log_path
        self.ready_path = ready_path
        self.start_seconds = start_seconds
        self.port = 0
        self.process: subprocess.Popen | None = None
        self._log: BinaryIO | None = None

    @property
    def command(self) -> list[str]:
        return [self.python, "-m", "gunicorn", self.app, "--bind", f"{HOST}:{self.port}",
                "--workers", str(self.workers), "--worker-class", "sync", "--timeout", "120",
                "--error-logfile", "-"]

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def start(self) -> None:
        self.port = free_port(self.ports)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        # A new session keeps a Ctrl+C in the terminal from reaching gunicorn before stop() does.
        self.process = subprocess.Popen(self.command, cwd=self.root, env=self.env, stdout=self._log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        logger.info("Started gunicorn (PID %s, %s sync workers) on http://%s:%s/, log %s", self.process.pid,
                    self.workers, HOST, self.port, self.log_path)
        self._wait_until_ready()

    def _wait_until_ready(self) -> None:
        client = Client(HOST, self.port, timeout=10)
        deadline = time.monotonic() + self.start_seconds
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise ServerFailed(f"gunicorn exited with code {self.process.returncode}; see {self.log_path}")
            with contextlib.suppress(OSError):
                answered = client.get(self.ready_path).status == 200
                # All workers forked, so none is still starting while the first scenarios run.
                if answered and len(child_pids(self.process.pid)) >= self.workers:  # type: ignore[union-attr]
                    return
            time.sleep(0.2)
        raise ServerFailed(f"gunicorn did not respond to GET {self.ready_path} within {self.start_seconds:.0f} s; "
                           f"see {self.log_path}")

    def worker_rss(self) -> dict:
        """Current resident (RSS) and proportional (PSS) memory of each worker, in MB."""
        if self.process is None or self.process.poll() is not None:
            return {}
        workers = [{"pid": pid, **smaps_rollup_mb(pid)} for pid in child_pids(self.process.pid)]
        return {"workers": workers,
                "rss_mb_max": max((w.get("rss_mb") or 0 for w in workers), default=None),
                "pss_mb_sum": round(sum(w.get("pss_mb") or 0 for w in workers), 1)}

    def worker_memory(self) -> dict:
        """Peak resident memory (VmHWM, kernel-tracked) of each worker and of the master, in MB."""
        if self.process is None or self.process.poll() is not None:
            return {}
        workers = [{"pid": pid, "peak_rss_mb": round((_status_kb(pid, "VmHWM") or 0) / 1024, 1)}
                   for pid in child_pids(self.process.pid)]
        return {
            "master_peak_rss_mb": round((_status_kb(self.process.pid, "VmHWM") or 0) / 1024, 1),
            "workers": workers,
            "worker_peak_rss_mb_max": max((w["peak_rss_mb"] for w in workers), default=None),
        }

    def stop(self, grace_seconds: float = 20.0) -> None:
        """Stop gunicorn by its PID: SIGTERM (graceful), then SIGKILL to its process group after the grace time."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(grace_seconds)
            except subprocess.TimeoutExpired:
                logger.warning("gunicorn (PID %s) did not stop within %.0f s; killing its process group",
                               self.process.pid, grace_seconds)
                # The group id is the master's PID (start_new_session), so this reaches only its own workers.
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
            logger.info("Stopped gunicorn (PID %s)", self.process.pid)
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> GunicornServer:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
