"""Run one scenario plan with locust in headless mode and summarise what it measured.

Each scenario is its own locust process (bench/locustfile.py), bounded by an execution
count and a wall-clock limit, against a server on 127.0.0.1 only. The driver records every
execution's time, so percentiles here are exact (nearest rank), not locust's rounded ones.
"""

from __future__ import annotations

import json
import logging
import math
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.environment import ROOT, SCRATCH
from bench.latency import CpuMonitor, percentile
from bench.webclient import check_loopback

logger = logging.getLogger(__name__)

LOCUSTFILE = ROOT / "bench" / "locustfile.py"


@dataclass
class Bounds:
    """How many simulated users run a scenario, and when it stops: ``executions`` or ``seconds``, first reached."""

    users: int = 1
    executions: int = 200
    seconds: int = 60


@dataclass
class Plan:
    """One scenario on one product: how to sign in and the request steps of each variant (bench/locustfile.py)."""

    scenario: str
    title: str
    auth: dict[str, Any]
    variants: list[list[dict[str, Any]]]
    bounds: Bounds = field(default_factory=Bounds)
    kind: str = "read"  # read or create
    seed: int = 1

    def as_json(self, output: Path) -> dict[str, Any]:
        return {"scenario": self.scenario, "auth": self.auth, "variants": self.variants, "seed": self.seed,
                "max_executions": self.bounds.executions, "output": str(output)}


def locust_command(plan: Plan, host: str, port: int) -> list[str]:
    return [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE.relative_to(ROOT)), "--headless",
            "--users", str(plan.bounds.users), "--spawn-rate", str(plan.bounds.users),
            "--run-time", f"{plan.bounds.seconds}s", "--stop-timeout", "10", "--host", f"http://{host}:{port}",
            "--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0"]


def summarise(record: dict[str, Any]) -> dict[str, Any]:
    timings = record["timings_ms"]
    wall = (record["last_end"] or 0) - (record["first_start"] or 0)
    summary: dict[str, Any] = {"n": len(timings), "errors": len(record["errors"]),
                               "wall_s": round(wall, 2) if wall > 0 else None}
    if timings:
        summary.update({
            "p50_ms": round(percentile(timings, 50), 1), "p95_ms": round(percentile(timings, 95), 1),
            "p99_ms": round(percentile(timings, 99), 1), "mean_ms": round(statistics.fmean(timings), 1),
            "max_ms": round(max(timings), 1),
            "throughput_rps": round(len(timings) / wall, 1) if wall > 0 else None,
        })
    if record["errors"]:
        summary["error_samples"] = record["errors"][:3]
    return summary


def run(plan: Plan, host: str, port: int, monitor: CpuMonitor | None = None, *, name: str = "") -> dict[str, Any]:
    """Run ``plan`` once with locust against ``host:port`` and return its summary with the foreign CPU."""
    check_loopback(host)
    SCRATCH.mkdir(parents=True, exist_ok=True)
    label = name or plan.scenario
    plan_path = SCRATCH / f"plan-{label}.json"
    output = SCRATCH / f"locust-{label}.json"
    output.unlink(missing_ok=True)
    plan_path.write_text(json.dumps(plan.as_json(output), ensure_ascii=False), encoding="utf-8")
    command = locust_command(plan, host, port)
    started = time.monotonic()
    log_path = SCRATCH / f"locust-{label}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env={**_env(), "BENCH_PLAN": str(plan_path)}, stdout=log,
                                   stderr=subprocess.STDOUT)
        if monitor is not None:
            monitor.extra_pids.add(process.pid)
        try:
            process.wait(plan.bounds.seconds + 120)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        finally:
            if monitor is not None:
                monitor.extra_pids.discard(process.pid)
    ended = time.monotonic()
    if not output.exists():
        raise RuntimeError(f"locust wrote no result for {label} (exit {process.returncode}); see {log_path}")
    summary = summarise(json.loads(output.read_text(encoding="utf-8")))
    summary["users"] = plan.bounds.users
    summary["bounds"] = {"executions": plan.bounds.executions, "seconds": plan.bounds.seconds}
    if monitor is not None:
        summary["foreign_cpu_cores"] = monitor.foreign_cores(started, ended)
    logger.info("  %s: n=%s p50=%s p95=%s p99=%s ms, %s/s, errors=%s, foreign CPU=%s", label, summary["n"],
                summary.get("p50_ms"), summary.get("p95_ms"), summary.get("p99_ms"), summary.get("throughput_rps"),
                summary["errors"], summary.get("foreign_cpu_cores"))
    return summary


def _env() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if not key.startswith("BENCH_")}


def ratio(ours: float | None, theirs: float | None) -> float | None:
    if not ours or not theirs or math.isnan(ours) or math.isnan(theirs):
        return None
    return round(ours / theirs, 2)
