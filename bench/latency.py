"""Bounded latency loops, percentiles and a monitor of CPU used by other programs during a round.

Method: one client sends requests one after another. A few warm-up requests are
discarded, then R rounds of N requests are timed. Each round gives its own p50 and
p95, and a scenario's figure is the median of the per-round values, with the min..max
over rounds as its spread. Every round stops at N requests or after a wall-clock
limit, whichever comes first. Another product measured by the same loop can be
compared as a ratio.
"""

from __future__ import annotations

import logging
import math
import os
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)

# A request function returns None on success or a short description of what was wrong with the response.
RequestFunction = Callable[[int], "str | None"]


@dataclass(frozen=True)
class LatencyPlan:
    """How many requests a latency scenario sends and how long each round may take."""

    warmup: int = 3
    rounds: int = 5
    requests: int = 30
    round_seconds: float = 60.0
    # A round during which other programs used more than this many cores is repeated, at most
    # ``repeat_budget`` times per scenario. The discarded rounds stay in the result.
    max_foreign_cpu: float = 0.3
    repeat_budget: int = 5
    # Before a scenario, wait up to this many seconds for other programs to leave the CPU idle.
    quiet_wait_seconds: float = 120.0


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1))
    return ordered[rank]


def spread(values: list[float]) -> dict[str, float]:
    """Median and min..max of per-round figures."""
    return {"median": round(statistics.median(values), 2), "min": round(min(values), 2),
            "max": round(max(values), 2)}


@dataclass
class RoundResult:
    """One timed round: latencies in milliseconds of the successful requests, and the failures."""

    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0
    foreign_cpu_cores: float | None = None

    def as_dict(self) -> dict:
        result: dict = {"n": len(self.latencies_ms), "errors": len(self.errors), "elapsed_s": round(self.elapsed_s, 2),
                        "foreign_cpu_cores": self.foreign_cpu_cores}
        if self.latencies_ms:
            result.update({
                "p50_ms": round(percentile(self.latencies_ms, 50), 2),
                "p95_ms": round(percentile(self.latencies_ms, 95), 2),
                "mean_ms": round(statistics.fmean(self.latencies_ms), 2),
                "max_ms": round(max(self.latencies_ms), 2),
            })
        if self.errors:
            result["error_samples"] = self.errors[:3]
        return result


def run_round(send: RequestFunction, count: int, max_seconds: float, first_index: int = 0) -> RoundResult:
    """Send up to ``count`` requests one after another, stopping early after ``max_seconds``."""
    result = RoundResult()
    started = time.perf_counter()
    deadline = started + max_seconds
    for index in range(first_index, first_index + count):
        if time.perf_counter() >= deadline:
            break
        request_started = time.perf_counter()
        try:
            problem = send(index)
        except OSError as error:  # a refused or reset connection counts as a failed request
            problem = repr(error)
        latency_ms = (time.perf_counter() - request_started) * 1000
        if problem is None:
            result.latencies_ms.append(latency_ms)
        else:
            result.errors.append(problem[:200])
    result.elapsed_s = time.perf_counter() - started
    return result


def measure_latency(send: RequestFunction, plan: LatencyPlan, monitor: CpuMonitor | None = None) -> dict:
    """Run the warm-up and the timed rounds of one scenario and summarise them.

    With a monitor, the scenario first waits for an idle machine, and a round that shared the
    CPU with other programs is discarded and run again, after another wait, while the repeat
    budget lasts. All waits of one scenario together last at most ``plan.quiet_wait_seconds``.
    """
    deadline = time.monotonic() + plan.quiet_wait_seconds
    waits: list[dict] = []

    def wait_for_quiet() -> None:
        if monitor is not None:
            waits.append(monitor.wait_until_quiet(plan.max_foreign_cpu, max(0.0, deadline - time.monotonic())))

    wait_for_quiet()
    warmup = run_round(send, plan.warmup, plan.round_seconds)
    rounds: list[dict] = []
    discarded: list[dict] = []
    index = plan.warmup
    while len(rounds) < plan.rounds:
        round_started = time.monotonic()
        result = run_round(send, plan.requests, plan.round_seconds, first_index=index)
        index += plan.requests
        if monitor is not None:
            # NOTE: a round shorter than the monitor's interval may get no figure (None) and is then never repeated.
            result.foreign_cpu_cores = monitor.foreign_cores(round_started, time.monotonic())
        figures = result.as_dict()
        repeat = (result.foreign_cpu_cores or 0) > plan.max_foreign_cpu and len(discarded) < plan.repeat_budget
        logger.info("  round: n=%s p50=%s ms p95=%s ms errors=%s foreign CPU=%s cores%s", figures["n"],
                    figures.get("p50_ms"), figures.get("p95_ms"), figures["errors"], result.foreign_cpu_cores,
                    " (discarded: other programs were busy)" if repeat else "")
        if repeat:
            discarded.append(figures)
            wait_for_quiet()
            continue
        rounds.append(figures)
    return {"quiet_waits": waits, "warmup_errors": len(warmup.errors), "per_round": rounds,
            "discarded_rounds": discarded, "summary": summarise(rounds) | {"discarded_rounds": len(discarded)}}


def summarise(rounds: list[dict]) -> dict:
    """Median and spread over rounds of each per-round percentile, with totals of requests and errors."""
    summary: dict = {"rounds": len(rounds), "requests": sum(r["n"] for r in rounds),
                     "errors": sum(r["errors"] for r in rounds)}
    for key in ("p50_ms", "p95_ms", "mean_ms"):
        values = [r[key] for r in rounds if key in r]
        if values:
            summary[key] = spread(values)
    foreign = [r["foreign_cpu_cores"] for r in rounds if r.get("foreign_cpu_cores") is not None]
    if foreign:
        summary["foreign_cpu_cores_max"] = max(foreign)
    return summary


def _busy_jiffies() -> int:
    """CPU time spent by the whole machine outside idle and I/O wait, in clock ticks."""
    with open("/proc/stat") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields[:8]) - idle


def _process_jiffies(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[11]) + int(fields[12])  # utime + stime


def child_pids(pid: int) -> list[int]:
    children: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as listing:
                children.extend(int(child) for child in listing.read().split())
    except OSError:
        pass
    return children


def _postgres_pids() -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/comm") as comm:
                if comm.read().strip() in ("postgres", "postmaster"):
                    pids.append(int(entry))
        except OSError:
            continue
    return pids


class CpuMonitor:
    """Estimate, twice a second, how many cores programs other than the benchmark used.

    "Own" CPU is the server's process tree, every PostgreSQL process and this
    benchmark process; the rest of the machine's busy time is "foreign". A round
    with foreign CPU well above 0 shared the cores with other work, so its
    latencies are too high. PostgreSQL work done for other databases on the same
    server counts as own, so it is not detected.
    """

    def __init__(self, server_pid: int | None = None, interval: float = 0.5) -> None:
        self.server_pid = server_pid
        # Load generators (locust) started by the benchmark count as its own CPU, not as other programs'.
        self.extra_pids: set[int] = set()
        self.interval = interval
        self.samples: list[tuple[float, float]] = []  # (monotonic time, foreign cores since the previous sample)
        self._ticks_per_second = os.sysconf("SC_CLK_TCK")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="cpu-monitor", daemon=True)

    def _own_pids(self) -> set[int]:
        pids = {os.getpid(), *_postgres_pids()}
        for pid in list(self.extra_pids):
            pids.add(pid)
            pids.update(child_pids(pid))
        if self.server_pid is not None:
            pids.add(self.server_pid)
            pids.update(child_pids(self.server_pid))
        return pids

    def _snapshot(self) -> tuple[float, int, dict[int, int]]:
        own = {pid: jiffies for pid in self._own_pids() if (jiffies := _process_jiffies(pid)) is not None}
        return time.monotonic(), _busy_jiffies(), own

    def _sample(self) -> None:
        previous = self._snapshot()
        while not self._stop.wait(self.interval):
            current = self._snapshot()
            seconds = current[0] - previous[0]
            own = sum(ticks - previous[2][pid] for pid, ticks in current[2].items() if pid in previous[2])
            foreign = max(0.0, (current[1] - previous[1] - own) / self._ticks_per_second / seconds)
            self.samples.append((current[0], foreign))
            previous = current

    def start(self) -> CpuMonitor:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def foreign_cores(self, start: float, end: float) -> float | None:
        """Mean foreign cores over samples taken between ``start`` and one interval after ``end``."""
        values = [cores for moment, cores in self.samples if start <= moment <= end + self.interval]
        return round(statistics.fmean(values), 2) if values else None

    def wait_until_quiet(self, max_cores: float, max_seconds: float, window: float = 3.0) -> dict:
        """Wait until other programs used at most ``max_cores`` over ``window`` seconds, or ``max_seconds`` passed."""
        started = time.monotonic()
        while True:
            now = time.monotonic()
            recent = [cores for moment, cores in self.samples if moment >= now - window]
            quiet = len(recent) >= window / self.interval - 1 and statistics.fmean(recent) <= max_cores
            if quiet or now - started >= max_seconds:
                waited = {"seconds": round(now - started, 1), "quiet": quiet}
                if not quiet and max_seconds > 0:
                    logger.warning("Other programs still use CPU after %.0f s of waiting; measuring anyway",
                                   max_seconds)
                return waited
            time.sleep(self.interval)

    def overall(self) -> dict:
        values = [cores for _moment, cores in self.samples]
        if not values:
            return {}
        return {"foreign_cpu_cores_mean": round(statistics.fmean(values), 2),
                "foreign_cpu_cores_max": round(max(values), 2), "samples": len(values)}
