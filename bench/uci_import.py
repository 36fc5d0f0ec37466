"""Time the full UCI event log import (``manage.py import_uci``) into a fresh database."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.environment import shown_command
from bench.latency import CpuMonitor
from bench.pgdb import Server

logger = logging.getLogger(__name__)

COMMAND_FILE = Path("sarv/incidents/management/commands/import_uci.py")


def import_command_problem(root: Path, env: dict[str, str]) -> str | None:
    """Return why ``manage.py import_uci`` cannot run yet, or None when its --help works."""
    if not (root / COMMAND_FILE).is_file():
        return f"{COMMAND_FILE} does not exist yet"
    answer = subprocess.run([sys.executable, "manage.py", "import_uci", "--help"], cwd=root, env=env,
                            capture_output=True, text=True, timeout=120)
    if answer.returncode != 0:
        return f"manage.py import_uci --help failed: {answer.stderr.strip()[-300:]}"
    return None


def run_measured(command: list[str], *, cwd: Path, env: dict[str, str], timeout: float,
                 log_path: Path | None = None) -> dict:
    """Run ``command`` to the end; return its exit code, stdout, wall time, CPU time, peak memory and foreign CPU.

    stderr (progress, warnings) goes to ``log_path`` when given. The child is killed (by its
    PID) when it runs longer than ``timeout`` seconds.
    """
    log = open(log_path, "wb") if log_path else subprocess.DEVNULL  # noqa: SIM115 - closed below
    try:
        with tempfile.TemporaryFile() as output:
            started = time.monotonic()
            process = subprocess.Popen(command, cwd=cwd, env=env, stdout=output, stderr=log)
            monitor = CpuMonitor(process.pid).start()
            timed_out = threading.Event()

            def kill() -> None:
                timed_out.set()
                process.kill()

            timer = threading.Timer(timeout, kill)
            timer.start()
            try:
                # wait4 returns the resource usage of this child alone, not of every child the benchmark started.
                _pid, status, usage = os.wait4(process.pid, 0)
            except BaseException:
                process.kill()
                process.wait()
                raise
            finally:
                timer.cancel()
                monitor.stop()
            wall = time.monotonic() - started
            process.returncode = os.waitstatus_to_exitcode(status)
            output.seek(0)
            text = output.read().decode("utf-8", errors="replace")
    finally:
        if log_path:
            log.close()  # type: ignore[union-attr]
    return {
        "command": shown_command(command, env),
        "returncode": process.returncode,
        "timed_out": timed_out.is_set(),
        "wall_s": round(wall, 2),
        "cpu_user_s": round(usage.ru_utime, 2),
        "cpu_system_s": round(usage.ru_stime, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "cpu": monitor.overall(),
        "output": text,
    }


def parse_summary(output: str) -> dict:
    """Pick the figures out of the importer's own summary lines."""
    figures: dict = {"lines": [line for line in output.splitlines() if line.strip()][:30]}
    patterns = {
        "incidents_created": r"Incidents: ([\d,]+) created",
        "rows_read": r"Rows read: ([\d,]+)",
        "events_replayed": r"events replayed: ([\d,]+)",
        "timeline_entries_written": r"timeline entries written: ([\d,]+)",
        "rejected_rows": r"Rejected rows: ([\d,]+)",
    }
    for key, pattern in patterns.items():
        match = re.search(pattern, output)
        if match:
            figures[key] = int(match.group(1).replace(",", ""))
    taken = re.search(r"Time taken: ([\d.]+) s", output)
    if taken:
        figures["importer_seconds"] = float(taken.group(1))
    return figures


def time_import(label: str, *, root: Path, env: dict[str, str], data_path: Path, timeout: float,
                log_dir: Path) -> dict:
    """Migrate the empty database in ``env`` (not timed as import), then time one full import into it."""
    python = sys.executable
    name = label.lower()
    migrate = run_measured([python, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=root, env=env,
                           timeout=timeout, log_path=log_dir / f"migrate-{name}.log")
    if migrate["returncode"] != 0:
        raise RuntimeError(f"migrate for the {label} import failed; see {log_dir / f'migrate-{name}.log'}")
    logger.info("Importing %s into %s (migrate took %.1f s)", data_path.name, label, migrate["wall_s"])
    log_path = log_dir / f"import-{name}.log"
    result = run_measured([python, "manage.py", "import_uci", str(data_path), "--no-progress"], cwd=root, env=env,
                          timeout=timeout, log_path=log_path)
    output = result.pop("output")
    if result["returncode"] != 0:
        logger.error("import_uci into %s failed with code %s; see %s", label, result["returncode"], log_path)
    else:
        logger.info("import_uci into %s took %.1f s wall time (foreign CPU %s)", label, result["wall_s"],
                    result["cpu"])
    result["migrate_wall_s"] = migrate["wall_s"]
    result["summary"] = parse_summary(output)
    return result


def import_postgresql(server: Server, database: str, *, root: Path, env: dict[str, str], data_path: Path,
                      timeout: float, log_dir: Path) -> dict:
    server.create(database, replace=True)
    result = time_import("PostgreSQL", root=root, env={**env, "DATABASE_URL": server.url(database)},
                         data_path=data_path, timeout=timeout, log_dir=log_dir)
    result["database"] = database
    result["size"] = server.size(database)
    return result


def import_sqlite(path: Path, *, root: Path, env: dict[str, str], data_path: Path, timeout: float,
                  log_dir: Path) -> dict:
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    result = time_import("SQLite", root=root, env={**env, "DATABASE_URL": f"sqlite:///{path}"},
                         data_path=data_path, timeout=timeout, log_dir=log_dir)
    result["database"] = str(path)
    result["size"] = {"database_mb": round(path.stat().st_size / 2**20, 1) if path.exists() else None}
    return result
