#!/usr/bin/env python3
"""The robustness run under load (``make bench-load``): steady load, concurrent creators, concurrent edits.

    .venv/bin/python bench/load.py                      # ten minutes at 100,000 incidents
    .venv/bin/python bench/load.py --minutes 1 --creators 10 --quick

1. **Steady load.** Sarv under gunicorn (4 sync workers, 127.0.0.1:8106) gets a fixed rate of
   requests from locust (bench/locust_load.py): agents read lists, follow next links, open
   incidents, search and create; two requesters read their portal list, search, use the API
   and report incidents. Every response must have its expected status, and every incident
   number in a requester's response must be one of that requester's own. Worker memory is
   sampled every five seconds; the check is that each worker's RSS at the end is within 10%
   of its RSS after the first minute.
2. **Concurrent creators.** 50 agents, each with an API token, wait at a barrier and then
   each create incidents at once; every answer must be 201 and all numbers distinct, also
   when read back from the database.
3. **Concurrent edits.** Several clients edit one incident with the same version at once:
   each round must give exactly one success and conflicts (409) for the rest. Then clients
   append to the description in a read-edit-retry loop; afterwards the database must hold
   every appended token (no lost update) and the version must have grown by exactly the
   number of successful edits.

Writes bench/results/<UTC time>-load.json and the load section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import shlex
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import dataset, machine, report  # noqa: E402
from bench.environment import SCRATCH, sarv_environment, shown_command  # noqa: E402
from bench.foundation import collect_static  # noqa: E402
from bench.latency import CpuMonitor  # noqa: E402
from bench.pgdb import Server  # noqa: E402
from bench.server import HOST, GunicornServer  # noqa: E402
from bench.webclient import Client, fetch_token  # noqa: E402

logger = logging.getLogger("bench.load")
NAME = "load"
REQUESTERS = ("bench-user-1", "bench-user-2")
OPEN = ("new", "assigned", "in_progress", "on_hold")
MEMORY_TOLERANCE = 0.10


def facts(server: Server, database: str, group_id: int) -> dict[str, Any]:
    with server.connect(database) as connection:
        numbers = [r[0] for r in connection.execute(
            "SELECT number FROM incidents_incident ORDER BY md5(id::text) LIMIT 300").fetchall()]
        own = {}
        for name in REQUESTERS:
            # Everything the requester may see: reported by them or watched by them.
            own[name] = [r[0] for r in connection.execute(
                "SELECT i.number FROM incidents_incident i JOIN accounts_user u ON u.id = i.requester_id "
                "WHERE u.username = %s UNION SELECT i.number FROM incidents_incident i "
                "JOIN core_watcher w ON w.object_id = i.id JOIN accounts_user u ON u.id = w.user_id "
                "JOIN django_content_type t ON t.id = w.content_type_id "
                "WHERE u.username = %s AND t.app_label = 'incidents' AND t.model = 'incident'",
                [name, name]).fetchall()]
        requester_ids = [r[0] for r in connection.execute(
            "SELECT id FROM accounts_user WHERE username LIKE 'bench-user-%%' AND NOT username = ANY(%s) "
            "ORDER BY id LIMIT 300", [list(REQUESTERS)]).fetchall()]
    return {"numbers": numbers, "requester_numbers": own, "requester_ids": requester_ids}


class MemorySampler:
    """Every ``interval`` seconds, the RSS of each gunicorn worker; a worker that restarts shows as a new PID."""

    def __init__(self, server: GunicornServer, interval: float = 5.0) -> None:
        self.server = server
        self.interval = interval
        self.samples: list[dict[str, Any]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.started = 0.0

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            workers = self.server.worker_rss().get("workers", [])
            self.samples.append({"t": round(time.monotonic() - self.started, 1),
                                 "rss_mb": {str(w["pid"]): w.get("rss_mb") for w in workers}})

    def start(self) -> MemorySampler:
        self.started = time.monotonic()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def verdict(self, after: float = 60.0) -> dict[str, Any]:
        first = next((s for s in self.samples if s["t"] >= after), None)
        last = self.samples[-1] if self.samples else None
        if not first or not last:
            return {"met": None, "reason": "not enough samples"}
        per_worker = {}
        for pid, start in first["rss_mb"].items():
            end = last["rss_mb"].get(pid)
            per_worker[pid] = {"after_first_minute_mb": start, "end_mb": end,
                               "growth": round(end / start - 1, 3) if start and end else None}
        growths = [w["growth"] for w in per_worker.values() if w["growth"] is not None]
        same_workers = set(first["rss_mb"]) == set(last["rss_mb"])
        return {"workers": per_worker, "max_growth": max(growths) if growths else None,
                "same_worker_pids": same_workers,
                "met": bool(growths) and same_workers and max(growths) <= MEMORY_TOLERANCE}


def steady_load(port: int, args: argparse.Namespace, group_id: int, data: dict[str, Any],
                monitor: CpuMonitor) -> dict[str, Any]:
    output = SCRATCH / "load-steady.json"
    output.unlink(missing_ok=True)
    plan = {"token_path": "/api/v1/auth/token/", "password": dataset.BENCH_PASSWORD, "agent": dataset.AGENT,
            "agents": args.agents, "agent_rate": args.agent_rate, "requester_rate": args.requester_rate,
            "requesters": list(REQUESTERS), "requester_numbers": data["requester_numbers"],
            "numbers": data["numbers"], "requester_ids": data["requester_ids"], "group_id": group_id,
            "open": list(OPEN), "output": str(output)}
    plan_path = SCRATCH / "load-plan.json"
    plan_path.write_text(json.dumps(plan), encoding="utf-8")
    users = args.agents + len(REQUESTERS)
    command = [sys.executable, "-m", "locust", "-f", "bench/locust_load.py", "--headless", "--users", str(users),
               "--spawn-rate", str(users), "--run-time", f"{int(args.minutes * 60)}s", "--stop-timeout", "15",
               "--host", f"http://{HOST}:{port}", "--only-summary", "--csv", str(SCRATCH / "load"),
               "--loglevel", "WARNING", "--exit-code-on-error", "0"]
    logger.info("Steady load for %.0f minutes: %s agents at %s req/s each, 2 requesters at %s req/s each",
                args.minutes, args.agents, args.agent_rate, args.requester_rate)
    started = time.monotonic()
    with open(SCRATCH / "load-locust.log", "wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env={**_env(), "BENCH_LOAD_PLAN": str(plan_path)},
                                   stdout=log, stderr=subprocess.STDOUT)
        monitor.extra_pids.add(process.pid)
        try:
            process.wait(args.minutes * 60 + 180)
        finally:
            # Stopped early (Ctrl+C, SIGTERM, timeout): stop locust too, by its PID.
            if process.poll() is None:
                process.terminate()
                process.wait(30)
    elapsed = time.monotonic() - started
    record = json.loads(output.read_text(encoding="utf-8"))
    stats = _locust_stats(SCRATCH / "load_stats.csv")
    return {"command": shlex.join(["python", *command[1:]]), "elapsed_s": round(elapsed, 1),
            "requests": record["requests"], "errors": len(record["errors"]), "error_samples": record["errors"][:5],
            "requester_responses_checked": record["checked_responses"],
            "incident_numbers_checked": record["numbers_checked"], "leaks": record["leaks"][:10],
            "created": len(record["created"]), "rate_rps": round(record["requests"] / elapsed, 2),
            "per_request": stats, "foreign_cpu_cores": monitor.foreign_cores(started, time.monotonic())}


def _locust_stats(path: Path) -> list[dict[str, Any]]:
    import csv

    if not path.exists():
        return []
    rows = []
    with open(path, encoding="utf-8") as source:
        for row in csv.DictReader(source):
            rows.append({"name": row["Name"], "method": row["Type"], "requests": int(row["Request Count"]),
                         "failures": int(row["Failure Count"]), "p50_ms": _float(row.get("50%")),
                         "p95_ms": _float(row.get("95%")), "p99_ms": _float(row.get("99%"))})
    return rows


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "", "N/A") else None
    except ValueError:
        return None


def _env() -> dict[str, str]:
    import os

    return {key: value for key, value in os.environ.items() if not key.startswith("BENCH_")}


def concurrent_creators(port: int, server: Server, database: str, creators: int, each: int,
                        requester_ids: list[int]) -> dict[str, Any]:
    """``creators`` agents create ``each`` incidents at once; numbers must be distinct, answers all 201."""
    clients = []
    for index in range(creators):
        client = Client(HOST, port)
        fetch_token(client, f"bench-agent-{index % 50 + 1}", dataset.BENCH_PASSWORD)
        clients.append(client)
    barrier = threading.Barrier(creators)
    answers: list[tuple[int, str | None]] = []
    lock = threading.Lock()

    def create(index: int, client: Client) -> None:
        barrier.wait()
        for attempt in range(each):
            response = client.post_json("/api/v1/incidents/", {
                "title": f"هم‌زمان {index}-{attempt}", "description": "concurrent creator",
                "requester": requester_ids[(index * each + attempt) % len(requester_ids)], "channel": "phone"})
            number = response.json().get("number") if response.status == 201 else None
            with lock:
                answers.append((response.status, number))

    threads = [threading.Thread(target=create, args=(i, c)) for i, c in enumerate(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    elapsed = time.monotonic() - started
    numbers = [number for status, number in answers if status == 201 and number]
    with server.connect(database) as connection:
        stored = connection.execute("SELECT count(*), count(DISTINCT number) FROM incidents_incident "
                                    "WHERE number = ANY(%s)", [numbers]).fetchone() or (0, 0)
    statuses: dict[str, int] = {}
    for status, _number in answers:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    return {"creators": creators, "each": each, "elapsed_s": round(elapsed, 2), "statuses": statuses,
            "numbers": len(numbers), "distinct_numbers": len(set(numbers)), "stored_rows": stored[0],
            "stored_distinct": stored[1],
            "met": statuses.get("201") == creators * each and len(set(numbers)) == len(numbers) == stored[1]
            == creators * each}


def concurrent_edits(port: int, server: Server, database: str, editors: int, rounds: int,
                     appends: int) -> dict[str, Any]:
    """Same-version edits give one success and conflicts; read-edit-retry appends lose nothing."""
    clients = []
    for index in range(editors):
        client = Client(HOST, port)
        fetch_token(client, f"bench-agent-{index % 50 + 1}", dataset.BENCH_PASSWORD)
        clients.append(client)
    created = clients[0].post_json("/api/v1/incidents/", {"title": "ویرایش هم‌زمان", "description": "start"})
    number = created.json()["number"]
    path = f"/api/v1/incidents/{number}/"
    start_version = clients[0].get(path).json()["version"]

    round_results = []
    for round_index in range(rounds):
        version = clients[0].get(path).json()["version"]
        barrier = threading.Barrier(editors)
        statuses: list[tuple[int, str]] = []
        lock = threading.Lock()

        def edit(index: int, client: Client, version: int = version, round_index: int = round_index,
                 barrier: threading.Barrier = barrier, statuses: list = statuses, lock: threading.Lock = lock
                 ) -> None:
            title = f"round {round_index} editor {index}"
            barrier.wait()
            response = client.request("PATCH", path, body=json.dumps({"version": version, "title": title}).encode(),
                                      headers={"Content-Type": "application/json"})
            with lock:
                statuses.append((response.status, title))

        threads = [threading.Thread(target=edit, args=(i, c)) for i, c in enumerate(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        winners = [title for status, title in statuses if status == 200]
        stored_title = clients[0].get(path).json()["title"]
        round_results.append({"successes": len(winners), "conflicts": sum(1 for s, _t in statuses if s == 409),
                              "other": sorted({s for s, _t in statuses if s not in (200, 409)}),
                              "stored_is_winner": winners == [stored_title]})

    # Read-edit-retry: each editor appends its own tokens; a lost update would drop one.
    tokens_sent: list[str] = []
    successes = [0]
    retries = [0]
    lock = threading.Lock()

    def append(index: int, client: Client) -> None:
        for step in range(appends):
            token = f"e{index}s{step}"
            for _attempt in range(200):
                current = client.get(path).json()
                response = client.request("PATCH", path, body=json.dumps({
                    "version": current["version"], "description": current["description"] + " " + token}).encode(),
                    headers={"Content-Type": "application/json"})
                if response.status == 200:
                    with lock:
                        tokens_sent.append(token)
                        successes[0] += 1
                    break
                with lock:
                    retries[0] += 1
                if response.status != 409:
                    break

    threads = [threading.Thread(target=append, args=(i, c)) for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(600)
    with server.connect(database) as connection:
        row = connection.execute("SELECT description, version FROM incidents_incident WHERE number = %s",
                                 [number]).fetchone()
        audit = connection.execute(
            "SELECT count(*) FROM core_auditlogentry a JOIN django_content_type t ON t.id = a.content_type_id "
            "JOIN incidents_incident i ON i.id::text = a.object_id::text WHERE i.number = %s AND "
            "t.model = 'incident' AND a.action = 'update'", [number]).fetchone()
    description, final_version = row if row else ("", 0)
    stored_tokens = set(description.split()) - {"start"}
    round_ok = all(r["successes"] == 1 and r["conflicts"] == editors - 1 and not r["other"]
                   and r["stored_is_winner"] for r in round_results)
    edits = rounds + successes[0]
    return {"incident": number, "editors": editors, "same_version_rounds": round_results,
            "appends_requested": editors * appends, "appends_succeeded": successes[0], "conflict_retries": retries[0],
            "tokens_lost": sorted(set(tokens_sent) - stored_tokens),
            "version_growth": final_version - start_version, "successful_edits": edits,
            "audit_update_rows": audit[0] if audit else None,
            "met": round_ok and not (set(tokens_sent) - stored_tokens) and successes[0] == editors * appends
            and final_version - start_version == edits}


def render(result: dict[str, Any], path: str) -> str:
    steady, memory = result["steady"], result["memory"]
    creators, edits = result["creators"], result["edits"]
    m = result["machine"]
    lines = [
        "## Under load: steady rate, concurrent creators, concurrent edits",
        "",
        f"Measured {result['started_at']} by `{result['command']}` on {m['nproc']} cores, {m['memory_gb']} GB "
        f"(load average {m['load_average_at_start']} at the start); raw figures: `{path}`.",
        "",
        report.table(["check", "result", "met"], [
            ["steady load: errors", f"{steady['errors']} of {steady['requests']:,} requests in "
                                    f"{steady['elapsed_s'] / 60:.1f} min ({steady['rate_rps']} req/s)",
             _yes(steady["errors"] == 0)],
            ["requester isolation", f"{steady['requester_responses_checked']:,} requester responses, "
                                    f"{steady['incident_numbers_checked']:,} numbers checked, "
                                    f"{len(steady['leaks'])} leaks", _yes(not steady["leaks"])],
            ["worker RSS, end vs after the first minute", f"max growth {memory.get('max_growth')}, "
                                                          f"same workers: {memory.get('same_worker_pids')}",
             _yes(memory.get("met"))],
            [f"{creators['creators']} concurrent creators × {creators['each']}",
             f"statuses {creators['statuses']}, {creators['distinct_numbers']} distinct numbers, "
             f"{creators['stored_distinct']} in the database", _yes(creators["met"])],
            [f"{edits['editors']} editors, same version, {len(edits['same_version_rounds'])} rounds",
             ", ".join(f"{r['successes']}×200/{r['conflicts']}×409" for r in edits["same_version_rounds"][:5])
             + (" …" if len(edits["same_version_rounds"]) > 5 else ""),
             _yes(all(r["successes"] == 1 for r in edits["same_version_rounds"]))],
            ["read-edit-retry appends", f"{edits['appends_succeeded']} of {edits['appends_requested']} appended "
                                        f"after {edits['conflict_retries']} conflicts, lost: "
                                        f"{len(edits['tokens_lost'])}, version +{edits['version_growth']} for "
                                        f"{edits['successful_edits']} edits, audit rows "
                                        f"{edits['audit_update_rows']}", _yes(edits["met"])],
        ]),
        "",
        "Per request kind during the steady load (locust's figures, rounded by locust). This run checks errors, "
        "isolation, memory and races under load; its latencies depend on what else used the CPU (foreign CPU "
        "below) and do not compare with the other sections.",
        "",
        report.table(["request", "n", "failures", "p50 ms", "p95 ms", "p99 ms"],
                     [[r["name"], str(r["requests"]), str(r["failures"]), report.number(r["p50_ms"]),
                       report.number(r["p95_ms"]), report.number(r["p99_ms"])] for r in steady["per_request"]]),
        "",
        f"Server: `{result['server']['command']}`. Foreign CPU during the steady load: "
        f"{steady.get('foreign_cpu_cores')} cores on average (other programs on the same machine).",
    ]
    return "\n".join(lines)


def _yes(value: object) -> str:
    return "yes" if value else "**no**"



def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--database", default="sarv_bench")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8106)
    parser.add_argument("--agents", type=int, default=4, help="simulated agents (default 4)")
    parser.add_argument("--agent-rate", type=float, default=1.0, help="requests per second per agent")
    parser.add_argument("--requester-rate", type=float, default=1.0, help="requests per second per requester")
    parser.add_argument("--creators", type=int, default=50)
    parser.add_argument("--creations-each", type=int, default=2)
    parser.add_argument("--editors", type=int, default=10)
    parser.add_argument("--edit-rounds", type=int, default=10)
    parser.add_argument("--appends", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="results to var/bench/ and no docs")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, report.stop_on_signal)
    server = Server.from_url(args.pg_url)
    result: dict[str, Any] = {"benchmark": NAME, "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                              "command": shlex.join([".venv/bin/python", "bench/load.py", *argv]),
                              "machine": machine.describe_machine(), "versions": machine.describe_versions()}
    env = sarv_environment(server.url(args.database))
    data_set = dataset.prepare(server, args.database, args.incidents, fresh=False, env=env, cis=0)
    # The run creates and edits incidents, so it works on a copy and the generated set stays exact.
    database = args.database + "_load"
    server.clone(args.database, database)
    env = sarv_environment(server.url(database))
    group_id = data_set["facts"]["biggest_group"]["id"]
    data = facts(server, database, group_id)
    result["dataset"] = {"database": database, "copied_from": args.database,
                         "incidents": data_set["facts"]["incidents"],
                         "requester_incidents": {k: len(v) for k, v in data["requester_numbers"].items()}}
    env, _static = collect_static(env)
    gunicorn = GunicornServer(ROOT, env, args.workers, SCRATCH / "load-gunicorn.log", ports=range(args.port,
                                                                                               args.port + 1))
    with gunicorn:
        result["server"] = {"command": shown_command(gunicorn.command, env), "workers": args.workers}
        monitor = CpuMonitor(gunicorn.pid).start()
        sampler = MemorySampler(gunicorn).start()
        try:
            result["steady"] = steady_load(gunicorn.port, args, group_id, data, monitor)
        finally:
            sampler.stop()
            monitor.stop()
        result["memory"] = {**sampler.verdict(), "samples": sampler.samples}
        logger.info("Steady load: %s requests, %s errors, %s leaks; memory %s", result["steady"]["requests"],
                    result["steady"]["errors"], len(result["steady"]["leaks"]), result["memory"].get("max_growth"))
        result["creators"] = concurrent_creators(gunicorn.port, server, database, args.creators,
                                                 args.creations_each, data["requester_ids"])
        logger.info("Concurrent creators: %s", {k: v for k, v in result["creators"].items() if k != "numbers"})
        result["edits"] = concurrent_edits(gunicorn.port, server, database, args.editors, args.edit_rounds,
                                           args.appends)
        logger.info("Concurrent edits: met=%s, lost=%s", result["edits"]["met"], result["edits"]["tokens_lost"])
    result["finished_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%MZ")
    output = (SCRATCH if args.quick else report.RESULTS) / f"{stamp}-{NAME}.json"
    report.save_json(output, result)
    logger.info("Wrote %s", output)
    if not args.quick:
        report.replace_section(report.DOCS_PAGE, NAME, render(result, str(output.relative_to(ROOT))))
    met = (result["steady"]["errors"] == 0 and not result["steady"]["leaks"] and result["memory"].get("met")
           and result["creators"]["met"] and result["edits"]["met"])
    logger.info("All checks met: %s", met)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
