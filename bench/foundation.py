"""The foundation benchmark: list latency of pages and API at N generated incidents, and the full UCI import.

The run prepares the generated PostgreSQL database and serves it with gunicorn on a
free loopback port. It signs in as a generated agent (session and API token) and times
each scenario of bench/scenarios.py from one sequential client. It then counts each
scenario's SQL queries in-process, and times ``manage.py import_uci`` into a fresh
PostgreSQL database and a fresh SQLite file.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import subprocess
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench import dataset, machine, uci_import
from bench.environment import ROOT, SCRATCH, python_command, run_json, run_python, sarv_environment, shown_command
from bench.latency import CpuMonitor, LatencyPlan, measure_latency
from bench.pgdb import Server
from bench.scenarios import Scenario, check, foundation_scenarios
from bench.server import HOST, GunicornServer
from bench.webclient import Client, fetch_token, sign_in

logger = logging.getLogger(__name__)

NAME = "foundation"
UCI_LOG = ROOT.parent / "shared" / "data" / "uci-incident-management-event-log" / "incident_event_log.csv.gz"


@dataclass(frozen=True)
class Options:
    """Settings of one foundation run: the database, the server, the latency plan and the import."""

    pg_url: str = "postgres://postgres@127.0.0.1:5432"
    database: str = "sarv_bench"
    incidents: int = 100_000
    fresh: bool = False
    workers: int = 4
    plan: LatencyPlan = field(default_factory=LatencyPlan)
    latency: bool = True
    uci_import: bool = True
    uci_path: Path = UCI_LOG
    import_database: str = "sarv_bench_import"
    import_timeout: float = 3600.0


def measure_scenarios(server: GunicornServer, scenarios: list[Scenario], plan: LatencyPlan,
                      monitor: CpuMonitor) -> dict:
    """Sign in once per kind of authentication, then time every scenario one after another."""
    session = Client(HOST, server.port)
    sign_in(session, dataset.AGENT, dataset.BENCH_PASSWORD)
    token = Client(HOST, server.port)
    fetch_token(token, dataset.AGENT, dataset.BENCH_PASSWORD)
    clients = {"session": session, "token": token}
    results = {}
    for scenario in scenarios:
        client = clients[scenario.auth]
        logger.info("%s: GET %s", scenario.name, scenario.url)

        def send(_index: int, scenario: Scenario = scenario, client: Client = client) -> str | None:
            return check(scenario, client.get(scenario.path, list(scenario.params), scenario.headers))

        results[scenario.name] = {"title": scenario.title, "url": scenario.url, "auth": scenario.auth,
                                  "headers": scenario.headers, **measure_latency(send, plan, monitor)}
    return results


def collect_static(env: dict[str, str]) -> tuple[dict[str, str], dict]:
    """Collect static files with the production storage (hashed names, compressed copies).

    When that storage's post-processing fails, fall back to plain storage and record why. The
    measured responses are HTML and JSON, which differ only in the static URLs they contain.
    """
    command = ["manage.py", "collectstatic", "--no-input", "--clear", "-v", "0"]
    attempt = subprocess.run(python_command(*command), cwd=ROOT, env=env, capture_output=True, text=True,
                             timeout=600)
    if attempt.returncode == 0:
        return env, {"storage": "manifest (CompressedManifestStaticFilesStorage)"}
    errors = [line for line in attempt.stderr.splitlines() if "Error" in line]
    # The storage's error names its own object ("with <... object at 0x...>"), which only adds noise.
    reason = re.sub(r" with <[^>]*>", "", errors[-1]) if errors else f"exit code {attempt.returncode}"
    logger.warning("collectstatic with the manifest storage failed (%s); using plain storage", reason)
    plain = {**env, "SARV_STATIC_MANIFEST": "false"}
    run_python(command, plain, timeout=600)
    return plain, {"storage": "plain (StaticFilesStorage)",
                   "manifest_failure": reason}


def run_latency(options: Options, env: dict[str, str], data: dict, result: dict) -> None:
    group_id = data["facts"]["biggest_group"]["id"]
    scenarios = foundation_scenarios(group_id)
    env, result["static_files"] = collect_static(env)
    server = GunicornServer(ROOT, env, options.workers, SCRATCH / "gunicorn.log")
    with server:
        monitor = CpuMonitor(server.pid).start()
        try:
            result["scenarios"] = measure_scenarios(server, scenarios, options.plan, monitor)
        finally:
            monitor.stop()
        result["server"] = {"command": shown_command(server.command, env), "workers": options.workers,
                            "port": server.port, "memory": server.worker_memory()}
        result["cpu"] = monitor.overall()
    logger.info("Counting SQL queries per request in-process")
    queries = run_json(["bench/inprocess.py", "queries", "--agent", dataset.AGENT, "--group-id", str(group_id)],
                       env, timeout=600)
    result["in_process_command"] = shown_command(
        python_command("bench/inprocess.py", "queries", "--agent", dataset.AGENT, "--group-id", str(group_id)), env)
    for name, figures in queries.items():
        result["scenarios"][name]["in_process"] = figures


def run_imports(options: Options, server: Server, result: dict) -> None:
    env = sarv_environment(server.url(options.import_database))
    problem = uci_import.import_command_problem(ROOT, env)
    if problem:
        logger.warning("Skipping the UCI import: %s", problem)
        result["import"] = {"skipped": problem}
        return
    if not options.uci_path.is_file():
        result["import"] = {"skipped": f"the UCI event log {options.uci_path} does not exist"}
        logger.warning("Skipping the UCI import: %s", result["import"]["skipped"])
        return
    result["import"] = {
        "file": str(options.uci_path),
        "postgresql": uci_import.import_postgresql(server, options.import_database, root=ROOT, env=env,
                                                   data_path=options.uci_path, timeout=options.import_timeout,
                                                   log_dir=SCRATCH),
        "sqlite": uci_import.import_sqlite(SCRATCH / "import.sqlite3", root=ROOT, env=env,
                                           data_path=options.uci_path, timeout=options.import_timeout,
                                           log_dir=SCRATCH),
    }


def run(options: Options, command_line: str) -> dict:
    """Run every step the options ask for and return the result record."""
    started = time.monotonic()
    server = Server.from_url(options.pg_url)
    result: dict = {
        "benchmark": NAME,
        "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": command_line,
        "options": {**asdict(options), "uci_path": str(options.uci_path)},
        "machine": machine.describe_machine(),
        "versions": machine.describe_versions(),
        "postgresql": server.settings(),
        # Without a compiled catalogue the Persian pages render the English source strings.
        "compiled_translations": sorted(str(path.relative_to(ROOT)) for pattern in ("locale/*/LC_MESSAGES/*.mo",
                                        "sarv/*/locale/*/LC_MESSAGES/*.mo") for path in ROOT.glob(pattern)),
    }
    if options.latency:
        env = sarv_environment(server.url(options.database))
        data = dataset.prepare(server, options.database, options.incidents, fresh=options.fresh, env=env, cis=0)
        result["dataset"] = data
        run_latency(options, env, data, result)
    if options.uci_import:
        run_imports(options, server, result)
    result["finished_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    result["duration_s"] = round(time.monotonic() - started, 1)
    return result
