"""Sarv against django-helpdesk in one run: the same scenarios, data volume, workers and load driver.

Order of a run: both data sets are prepared (reused when they already hold the requested
volume); then each product in turn is served alone by gunicorn with the same number of sync
workers, the read scenarios run first on the exact data sets and the creation scenarios
last; a server is stopped before the other starts, so the two never share the two cores.
Each scenario is one locust process (bench/loadgen.py). A scenario during which other
programs used more than ``max_foreign_cpu`` cores is run again, once per scenario while the
repeat budget lasts, and the discarded figures stay in the result.

Scenarios that only Sarv has (CMDB impact analysis, SLA clock recomputation) are added to
``SARV_ONLY_SCENARIOS`` by the modules that bring them; they are measured and reported
without a ratio.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import re
import shlex
import subprocess
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from bench import dataset, machine, peer, transfer
from bench.environment import ROOT, SCRATCH, python_command, relative, run_json, sarv_environment, shown_command
from bench.foundation import collect_static
from bench.latency import CpuMonitor
from bench.loadgen import Bounds, Plan, locust_command, run
from bench.pgdb import Server
from bench.server import HOST, GunicornServer
from bench.textgen import SEARCH_TERMS
from bench.webclient import Client, sign_in

logger = logging.getLogger(__name__)

NAME = "peer"
OPEN = ("new", "assigned", "in_progress", "on_hold")
PAGE_SIZE = 25
DEEP_PAGE = 500
REQUESTER = "bench-user-1"
# django-helpdesk's status numbers: open, reopened, resolved, closed, duplicate.
HD_OPEN, HD_REOPENED, HD_CLOSED = 1, 2, 4
# DataTables column of django-helpdesk's list that sorts by priority.
HD_PRIORITY_COLUMN = "2"


@dataclass(frozen=True)
class Options:
    pg_url: str = "postgres://postgres@127.0.0.1:5432"
    incidents: int = 100_000
    sarv_database: str = "sarv_bench"
    peer_database: str = "bench_helpdesk"
    fresh: bool = False
    workers: int = 4
    sarv_ports: range = range(8106, 8107)
    peer_ports: range = range(8107, 8108)
    read: Bounds = field(default_factory=lambda: Bounds(users=1, executions=200, seconds=60))
    search: Bounds = field(default_factory=lambda: Bounds(users=1, executions=60, seconds=60))
    create_c1: Bounds = field(default_factory=lambda: Bounds(users=1, executions=200, seconds=30))
    create_c8: Bounds = field(default_factory=lambda: Bounds(users=8, executions=600, seconds=45))
    # Sarv-only scenarios that change settings (one administrator at a time).
    change: Bounds = field(default_factory=lambda: Bounds(users=1, executions=60, seconds=60))
    cis: int = dataset.CIS
    max_foreign_cpu: float = 0.3
    # Times one scenario may be run again because other programs used the CPU meanwhile, and the seconds all
    # such repeats of one product may take together, so a busy machine cannot stretch the run past its hour.
    repeat_budget: int = 2
    repeat_seconds: float = 300.0
    # Seconds to wait, before each scenario, for other programs to leave the CPU idle.
    quiet_wait: float = 20.0
    peer: bool = True
    transfer: bool = True
    only: tuple[str, ...] = ()
    deep_page: int = DEEP_PAGE


# Sarv-only scenarios: functions of (options, facts) returning a Plan, or None when the data set lacks what
# they need; appended by later modules (bench/sarv_only.py).
SARV_ONLY_SCENARIOS: list[Callable[[Options, dict], Plan | None]] = []


def _step(path: str, params: list | None = None, *, label: str = "", expect: str = "", status: tuple = (200,),
          headers: dict | None = None, method: str = "GET", **extra: Any) -> dict[str, Any]:
    return {"method": method, "path": path, "params": params or [], "label": label or path, "expect_text": expect,
            "expect_status": list(status), "headers": headers or {}, **extra}


# ---------------------------------------------------------------------------------------------------------------
# Sarv


def sarv_facts(server: Server, database: str, group_id: int, deep_page: int = DEEP_PAGE) -> dict[str, Any]:
    """Ids the Sarv plans need, read with SQL: incident numbers, requesters, the cursor of page 500."""
    from sarv.core import keyset  # imports only django.db.models; no settings needed

    with server.connect(database) as connection:
        numbers = [row[0] for row in connection.execute(
            "SELECT number FROM incidents_incident ORDER BY md5(id::text) LIMIT 200").fetchall()]
        requesters = [row[0] for row in connection.execute(
            "SELECT id FROM accounts_user WHERE username LIKE 'bench-user-%%' ORDER BY id LIMIT 500").fetchall()]
        groups = [row[0] for row in connection.execute(
            "SELECT id FROM accounts_supportgroup WHERE code LIKE 'bench-%%' ORDER BY id").fetchall()]
        closed = connection.execute("SELECT count(*) FROM incidents_incident WHERE assigned_group_id = %s AND "
                                    "status = 'closed'", [group_id]).fetchone()
        boundary = connection.execute(
            "SELECT priority, created_at, id FROM incidents_incident WHERE assigned_group_id = %s AND "
            "status = 'closed' ORDER BY priority, created_at, id OFFSET %s LIMIT 1",
            [group_id, (deep_page - 1) * PAGE_SIZE - 1]).fetchone()
        counts = {table: (connection.execute(f"SELECT count(*) FROM {table}").fetchone() or [0])[0]
                  for table in ("core_auditlogentry", "core_notification", "core_timelineentry", "sla_clock",
                                "incidents_incident", "django_tasks_database_dbtaskresult")}
        counts["open_incidents_with_sla_state"] = (connection.execute(
            "SELECT count(*) FROM incidents_incident WHERE status NOT IN ('resolved', 'closed', 'cancelled') "
            "AND sla_state <> ''").fetchone() or [0])[0]
        counts["max_incident_id"] = (connection.execute("SELECT max(id) FROM incidents_incident").fetchone()
                                     or [0])[0]
    if boundary is None:
        raise RuntimeError(f"support group {group_id} has fewer than {deep_page} pages of closed incidents")
    return {"numbers": numbers, "requesters": requesters, "groups": groups,
            "group_closed": closed[0] if closed else 0,
            "deep_cursor": keyset.encode_cursor(keyset.NEXT, list(boundary)), "row_counts": counts}


def sarv_only_facts(server: Server, database: str) -> dict[str, Any]:
    from bench import sarv_only

    return sarv_only.facts(server, database)


def created_during_run(server: Server, database: str, last_id: int) -> dict[str, Any]:
    """What the creation scenarios left: incidents, and how many of them have clock rows, audit rows and
    queued notification e-mails, so the result shows that none of it was switched off."""
    with server.connect(database) as connection:
        row = connection.execute(
            "SELECT count(*), count(*) FILTER (WHERE i.sla_state <> ''), "
            "count(*) FILTER (WHERE EXISTS (SELECT 1 FROM sla_clock c WHERE c.object_id = i.id "
            "AND c.content_type_id = t.id AND c.is_open)), "
            "count(*) FILTER (WHERE EXISTS (SELECT 1 FROM core_auditlogentry a WHERE a.object_id = i.id::text "
            "AND a.content_type_id = t.id AND a.action = 'create')), "
            "count(*) FILTER (WHERE EXISTS (SELECT 1 FROM core_notification n WHERE n.object_id = i.id "
            "AND n.content_type_id = t.id)) "
            "FROM incidents_incident i, django_content_type t "
            "WHERE t.app_label = 'incidents' AND t.model = 'incident' AND i.id > %s", [last_id or 0]).fetchone()
    names = ("incidents", "with_sla_state", "with_open_clocks", "with_audit_row", "with_notifications")
    return dict(zip(names, row or (0,) * len(names), strict=True))


def sarv_plans(options: Options, group_id: int, facts: dict[str, Any]) -> list[Plan]:
    agent = {"kind": "form", "login_path": "/accounts/login/", "username": dataset.AGENT,
             "password": dataset.BENCH_PASSWORD}
    token = {"kind": "token", "token_path": "/api/v1/auth/token/", "username": dataset.AGENT,
             "password": dataset.BENCH_PASSWORD}
    requester = {**agent, "username": REQUESTER}
    open_filter = [["queue", "all"], ["assigned_group", str(group_id)], *(["status", s] for s in OPEN),
                   ["ordering", "priority"]]
    closed_filter = [["queue", "all"], ["assigned_group", str(group_id)], ["status", "closed"],
                     ["ordering", "priority"]]
    htmx = {"HX-Request": "true", "HX-Target": "incident-results"}
    plans = [
        Plan("list_p1", "Agent list: one group's open incidents by priority, then age; page 1", agent,
             [[_step("/incidents/", open_filter, expect='id="incident-results"')]], options.read),
        Plan("list_p500", f"Agent list: the group's closed incidents by priority, page {options.deep_page} "
             "(its next link)",
             agent, [[_step("/incidents/", [*closed_filter, ["page", str(options.deep_page)],
                                            ["cursor", facts["deep_cursor"]]], headers=htmx,
                            expect='id="incident-results"')]], options.read),
        Plan("incident_page", "Incident page (200 different incidents)", agent,
             [[_step(f"/incidents/{number}/", label="/incidents/<number>/", expect=number)]
              for number in facts["numbers"]], options.read),
        Plan("search_fa", f"Persian full-text search «{SEARCH_TERMS['common_fa']}», page 1", agent,
             [[_step("/incidents/", [["queue", "all"], ["q", SEARCH_TERMS["common_fa"]]],
                     expect='id="incident-results"')]], options.search),
        Plan("search_en", f"English full-text search \"{SEARCH_TERMS['common_en']}\", page 1", agent,
             [[_step("/incidents/", [["queue", "all"], ["q", SEARCH_TERMS["common_en"]]],
                     expect='id="incident-results"')]], options.search),
        Plan("portal_list", "Requester portal: own incidents, every state", requester,
             [[_step("/portal/", [["state", "all"]], expect="list-group-item-action")]], options.read),
        Plan("api_list", "API list: the group's open incidents by priority (Sarv only)", token,
             [[_step("/api/v1/incidents/", open_filter[1:], expect='"results"')]], options.read),
    ]
    create = _step("/api/v1/incidents/", method="POST", status=(201,), body="sarv_incident",
                   body_fields={"requester": facts["requesters"], "assigned_group": facts["groups"]},
                   label="POST /api/v1/incidents/")
    plans += [
        Plan("create_api_c1", "Create an incident through the API, 1 client", token, [[create]], options.create_c1,
             kind="create"),
        Plan("create_api_c8", "Create an incident through the API, 8 concurrent clients", token, [[create]],
             options.create_c8, kind="create", seed=2),
    ]
    return plans + [plan for make in SARV_ONLY_SCENARIOS if (plan := make(options, facts)) is not None]


# ---------------------------------------------------------------------------------------------------------------
# django-helpdesk


def _datatables_url(client: Client, page: str) -> str:
    """The JSON URL that django-helpdesk's list page makes its table fetch (its query, base64-encoded)."""
    html = client.get(page).text
    match = re.search(r"(/datatables_ticket_list/[A-Za-z0-9+/=]+)", html)
    if not match:
        raise RuntimeError(f"no datatables URL in django-helpdesk's {page}")
    return match.group(1)


def peer_plans(options: Options, port: int, facts: dict[str, Any]) -> list[Plan]:
    queue = facts["biggest_queue"]["id"]
    agent = {"kind": "form", "login_path": "/login/", "username": peer.AGENT, "password": peer.PASSWORD,
             "extra": {"next": "/tickets/"}}
    requester = {**agent, "username": REQUESTER, "extra": {"next": "/"}}
    client = Client(HOST, port)
    sign_in(client, peer.AGENT, peer.PASSWORD, login_path="/login/")
    open_page = f"/tickets/?queue={queue}&status={HD_OPEN}&status={HD_REOPENED}&sort=priority"
    closed_page = f"/tickets/?queue={queue}&status={HD_CLOSED}&sort=priority"
    open_data, closed_data = _datatables_url(client, open_page), _datatables_url(client, closed_page)

    def data_params(start: int) -> list[list[str]]:
        return [["draw", "1"], ["start", str(start)], ["length", str(PAGE_SIZE)],
                ["order[0][column]", HD_PRIORITY_COLUMN], ["order[0][dir]", "asc"]]

    def search(term: str) -> list[dict[str, Any]]:
        query = base64.b64encode(json.dumps({"filtering": {}, "sorting": "created", "sortreverse": True,
                                             "search_string": term}).encode()).decode()
        return [_step("/tickets/", [["q", term]], label="/tickets/?q= (HTML)", expect="datatables_ticket_list"),
                _step(f"/datatables_ticket_list/{query}", data_params(0), label="datatables JSON", expect='"data"')]

    ids = range(facts["min_id"], facts["max_id"] + 1, max(1, (facts["max_id"] - facts["min_id"]) // 200))
    plans = [
        Plan("list_p1", "Agent list: one queue's open tickets by priority; page 1 (HTML, then its JSON)", agent,
             [[_step(open_page.split("?")[0], _query(open_page), label="/tickets/ (HTML)",
                     expect="datatables_ticket_list"),
               _step(open_data, data_params(0), label="datatables JSON", expect='"data"')]], options.read),
        Plan("list_p500", f"Agent list: the queue's closed tickets by priority, page {options.deep_page} (JSON, "
             "as the table's next button fetches it)", agent,
             [[_step(closed_data, data_params((options.deep_page - 1) * PAGE_SIZE), label="datatables JSON",
                     expect='"data"')]], options.read),
        Plan("incident_page", "Ticket page (200 different tickets)", agent,
             [[_step(f"/tickets/{ticket}/", label="/tickets/<id>/", expect="ticket")] for ticket in list(ids)[:200]],
             options.read),
        Plan("search_fa", f"Keyword search «{SEARCH_TERMS['common_fa']}» (HTML, then its JSON)", agent,
             [search(SEARCH_TERMS["common_fa"])], options.search),
        Plan("search_en", f"Keyword search \"{SEARCH_TERMS['common_en']}\" (HTML, then its JSON)", agent,
             [search(SEARCH_TERMS["common_en"])], options.search),
        Plan("portal_list", "Requester's own tickets: my-tickets page, then its JSON", requester,
             [[_step("/tickets/my-tickets/", label="my-tickets (HTML)"),
               _step("/api/user_tickets/", [["page", "1"]], label="user_tickets JSON", expect='"results"')]],
             options.read),
    ]
    create = _step("/api/tickets/", method="POST", status=(201,), body="helpdesk_ticket", csrf_header=True,
                   body_fields={"queue": facts["queue_ids"],
                                "submitter_email": [f"bench-user-{i}@bench.invalid" for i in range(1, 501)]},
                   label="POST /api/tickets/")
    plans += [
        Plan("create_api_c1", "Create a ticket through the REST API, 1 client", agent, [[create]], options.create_c1,
             kind="create"),
        Plan("create_api_c8", "Create a ticket through the REST API, 8 concurrent clients", agent, [[create]],
             options.create_c8, kind="create", seed=2),
    ]
    return plans


def _query(url: str) -> list[list[str]]:
    query = url.split("?", 1)[1] if "?" in url else ""
    return [pair.split("=", 1) for pair in query.split("&") if pair]


# ---------------------------------------------------------------------------------------------------------------
# Running


def measure(product: str, gunicorn: GunicornServer, plans: list[Plan], options: Options) -> dict[str, Any]:
    """Run every plan against the started ``gunicorn``; repeat a scenario that shared the CPU with other programs."""
    monitor = CpuMonitor(gunicorn.pid).start()
    results: dict[str, Any] = {}
    memory_after_first: dict | None = None
    repeat_spent = 0.0
    try:
        for plan in plans:
            if options.only and plan.scenario not in options.only:
                continue
            logger.info("%s %s: %s", product, plan.scenario, plan.title)
            monitor.wait_until_quiet(options.max_foreign_cpu, options.quiet_wait)
            summary = run(plan, HOST, gunicorn.port, monitor, name=f"{product}-{plan.scenario}")
            discarded = []
            budget = options.repeat_budget
            while ((summary.get("foreign_cpu_cores") or 0) > options.max_foreign_cpu and budget > 0
                   and repeat_spent < options.repeat_seconds):
                budget -= 1
                repeat_started = time.monotonic()
                discarded.append(summary)
                logger.info("  other programs used %s cores; running %s again", summary["foreign_cpu_cores"],
                            plan.scenario)
                monitor.wait_until_quiet(options.max_foreign_cpu, options.quiet_wait * 3)
                summary = run(plan, HOST, gunicorn.port, monitor, name=f"{product}-{plan.scenario}")
                repeat_spent += time.monotonic() - repeat_started
            # Report the attempt that other programs disturbed least; the others stay as discarded.
            attempts = [*discarded, summary]
            summary = min(attempts, key=lambda attempt: attempt.get("foreign_cpu_cores") or 0)
            discarded = [attempt for attempt in attempts if attempt is not summary]
            results[plan.scenario] = {"title": plan.title, "kind": plan.kind, "summary": summary,
                                      "discarded": discarded,
                                      "requests": [[{k: step[k] for k in ("method", "path", "params")}
                                                    for step in variant] for variant in plan.variants[:2]],
                                      "variants": len(plan.variants),
                                      "command": " ".join([".venv/bin/python",
                                                           *locust_command(plan, HOST, gunicorn.port)[1:]])}
            if memory_after_first is None:
                memory_after_first = gunicorn.worker_rss()
    finally:
        monitor.stop()
    return {"scenarios": results, "cpu": monitor.overall(),
            "memory": {"peak": gunicorn.worker_memory(), "now": gunicorn.worker_rss(),
                       "after_first_scenario": memory_after_first}}


def run_sarv(options: Options, server: Server, result: dict[str, Any]) -> None:
    env = sarv_environment(server.url(options.sarv_database))
    data = dataset.prepare(server, options.sarv_database, options.incidents, fresh=options.fresh, env=env,
                           cis=options.cis)
    # The run writes (creation scenarios), so it works on a copy and the generated set stays exact.
    work = options.sarv_database + "_run"
    data["copy"] = {"database": work, "seconds": server.clone(options.sarv_database, work)}
    env = sarv_environment(server.url(work))
    group_id = data["facts"]["biggest_group"]["id"]
    facts = sarv_facts(server, work, group_id, options.deep_page)
    facts["sarv_only"] = sarv_only_facts(server, work)
    data["sarv_only"] = facts["sarv_only"]
    data["row_counts_before"] = facts["row_counts"]
    data["group_closed_incidents"] = facts["group_closed"]
    env, static = collect_static(env)
    gunicorn = GunicornServer(ROOT, env, options.workers, SCRATCH / "sarv-gunicorn.log", ports=options.sarv_ports)
    with gunicorn:
        measured = measure("sarv", gunicorn, sarv_plans(options, group_id, facts), options)
        if options.transfer:
            try:
                measured["transfer"] = transfer.measure(HOST, gunicorn.port, dataset.AGENT, dataset.BENCH_PASSWORD,
                                                        f"/incidents/?queue=all&assigned_group={group_id}")
            except Exception as error:  # a browser failure must not lose the run's other figures
                logger.exception("Measuring the first visit failed")
                measured["transfer"] = {"error": repr(error)}
        measured["server"] = {"command": shown_command(gunicorn.command, env), "workers": options.workers,
                              "port": gunicorn.port}
    # Server time without HTTP: each foundation request replayed through Django's test client, with its
    # SQL time and query count (bench/inprocess.py), after the load so the caches are as warm as in use.
    arguments = ["bench/inprocess.py", "queries", "--agent", dataset.AGENT, "--group-id", str(group_id)]
    try:
        measured["in_process"] = {"command": shown_command(python_command(*arguments), env),
                                  "requests": run_json(arguments, env, timeout=900)}
    except (subprocess.SubprocessError, ValueError) as error:
        logger.warning("The in-process replay failed: %s", error)
        measured["in_process"] = {"error": repr(error)}
    # Where one API creation spends its time: statements by kind and a cProfile of 20 creations, after the run.
    arguments = ["bench/inprocess.py", "create", "--agent", dataset.AGENT, "--top", "45"]
    try:
        measured["create_profile"] = {"command": shown_command(python_command(*arguments), env),
                                      **run_json(arguments, env, timeout=900)}
    except (subprocess.SubprocessError, ValueError) as error:
        logger.warning("Profiling the creation failed: %s", error)
        measured["create_profile"] = {"error": repr(error)}
    data["row_counts_after"] = sarv_facts(server, work, group_id, options.deep_page)["row_counts"]
    data["created_during_run"] = created_during_run(server, work, facts["row_counts"]["max_incident_id"])
    if facts["sarv_only"].get("holiday_day"):
        from bench import sarv_only

        # Nothing is created after the SLA scenario, so this is how many records each of its changes reached.
        data["sarv_only"]["holiday_reach_after"] = sarv_only.holiday_reach(
            server, work, dt.date.fromisoformat(facts["sarv_only"]["holiday_day"]))
    data["size_after"] = server.size(work)
    result["sarv"] = {"dataset": data, "static_files": static, **measured}


def run_peer(options: Options, server: Server, result: dict[str, Any]) -> None:
    installed = peer.install()
    data = peer.prepare(server, options.peer_database, options.incidents, dataset.SEED, fresh=options.fresh)
    work = options.peer_database + "_run"
    data["copy"] = {"database": work, "seconds": server.clone(options.peer_database, work)}
    gunicorn = peer.gunicorn(server, work, options.workers, options.peer_ports)
    with gunicorn:
        plans = peer_plans(options, gunicorn.port, data["facts"])
        measured = measure("helpdesk", gunicorn, plans, options)
        measured["server"] = {"command": f"cd bench/helpdesk_peer && HDPEER_DB_NAME={work} HDPEER_SECRET_KEY=... "
                                         + shlex.join(relative(word) for word in gunicorn.command),
                              "workers": options.workers, "port": gunicorn.port}
    data["size_after"] = server.size(work)
    result["helpdesk"] = {"install": installed, "dataset": data, **measured}


def ratios(result: dict[str, Any]) -> dict[str, Any]:
    """Sarv ÷ django-helpdesk per scenario: latency ratios (below 1 is faster) and throughput ratios."""
    ours, theirs = result.get("sarv", {}).get("scenarios", {}), result.get("helpdesk", {}).get("scenarios", {})
    table: dict[str, Any] = {}
    for name, mine in ours.items():
        other = theirs.get(name)
        if not other:
            continue
        a, b = mine["summary"], other["summary"]
        table[name] = {key: _ratio(a.get(key), b.get(key)) for key in ("p50_ms", "p95_ms", "p99_ms",
                                                                         "throughput_rps")}
    return table


def _ratio(ours: float | None, theirs: float | None) -> float | None:
    return round(ours / theirs, 3) if ours and theirs else None


def goals(result: dict[str, Any]) -> dict[str, Any]:
    table = result.get("ratios", {})
    checks: dict[str, Any] = {}
    for name in ("create_api_c1", "create_api_c8"):
        if name in table and table[name]["throughput_rps"] is not None:
            checks[f"{name}: throughput ≥ 3× django-helpdesk"] = {"value": table[name]["throughput_rps"],
                                                                 "met": table[name]["throughput_rps"] >= 3}
    for name in ("list_p1", "list_p500", "search_fa", "search_en"):
        if name in table and table[name]["p95_ms"] is not None:
            checks[f"{name}: p95 ≤ 1/3 of django-helpdesk's"] = {"value": table[name]["p95_ms"],
                                                                "met": table[name]["p95_ms"] <= 1 / 3}
    if "helpdesk" not in result:
        # Sarv alone (make bench-1m): the list and search goal is under 100 ms at a million incidents. The
        # client's time includes the loopback connection, so it is an upper bound of the server's time.
        for name in ("list_p1", "list_p500", "search_fa", "search_en", "api_list", "portal_list"):
            summary = result.get("sarv", {}).get("scenarios", {}).get(name, {}).get("summary", {})
            if summary.get("p95_ms") is not None:
                checks[f"{name}: p95 under 100 ms"] = {"value": summary["p95_ms"], "met": summary["p95_ms"] < 100}
    size = result.get("sarv", {}).get("transfer")
    if size and "total_kb" in size:
        checks["agent list first visit ≤ 350 KB compressed, same origin only"] = {
            "value": size["total_kb"], "met": size["total_kb"] <= 350 and not size["other_origins"]}
    return checks


def merge_rerun(earlier: dict[str, Any], rerun: dict[str, Any], earlier_path: str) -> dict[str, Any]:
    """Replace the scenarios of ``rerun`` (both products, one invocation) in ``earlier``, keeping the old figures.

    Both products' figures of a scenario always come from the same invocation, so each ratio still
    compares like with like; the replaced figures stay under ``reruns``.
    """
    merged = json.loads(json.dumps(earlier))
    record: dict[str, Any] = {"command": rerun["command"], "started_at": rerun["started_at"],
                              "load_average_at_start": rerun["machine"]["load_average_at_start"],
                              "based_on": earlier_path, "replaced": {}}
    for product in ("sarv", "helpdesk"):
        for name, entry in rerun.get(product, {}).get("scenarios", {}).items():
            old = merged.get(product, {}).get("scenarios", {}).get(name)
            record["replaced"].setdefault(product, {})[name] = old["summary"] if old else None
            merged.setdefault(product, {}).setdefault("scenarios", {})[name] = {**entry, "rerun": True}
    merged.setdefault("reruns", []).append(record)
    merged["ratios"] = ratios(merged)
    merged["goals"] = goals(merged)
    return merged


def run_all(options: Options, command_line: str) -> dict[str, Any]:
    started = time.monotonic()
    server = Server.from_url(options.pg_url)
    result: dict[str, Any] = {
        "benchmark": NAME, "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": command_line, "options": _options_json(options), "machine": machine.describe_machine(),
        "versions": {**machine.describe_versions(), "locust": _version("locust")},
        "postgresql": server.settings(),
        "locust_command_example": shown_command(python_command("-m", "locust", "-f", "bench/locustfile.py",
                                                               "--headless", "..."), {}),
    }
    run_sarv(options, server, result)
    if options.peer:
        run_peer(options, server, result)
    result["ratios"] = ratios(result)
    result["goals"] = goals(result)
    result["machine"]["load_average_at_end"] = [round(v, 2) for v in __import__("os").getloadavg()]
    result["finished_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    result["duration_s"] = round(time.monotonic() - started, 1)
    return result


def _options_json(options: Options) -> dict[str, Any]:
    values = asdict(options)
    for key in ("sarv_ports", "peer_ports"):
        values[key] = [options.__getattribute__(key).start, options.__getattribute__(key).stop - 1]
    return values


def _version(package: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


