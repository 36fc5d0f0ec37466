#!/usr/bin/env python3
"""Replay benchmark scenarios inside Django: data set facts, SQL queries per request, profiles, query plans.

bench/run.py calls it as a subprocess with the benchmark's environment, so the
measuring process itself never loads Django. It can also be run by hand on a
generated database to see where a slow request spends its time:

    DATABASE_URL=postgres://postgres@127.0.0.1/sarv_bench SARV_SECRET_KEY=bench SARV_HTTPS=false \\
        .venv/bin/python bench/inprocess.py profile list_page_filtered
    ... bench/inprocess.py explain list_page_filtered --min-ms 5

Requests go through Django's test client (no HTTP server, no gunicorn), signed in
with force_login or the user's API token. "facts", "queries" and "create" (API creations:
statements, time and a cProfile) print JSON on stdout.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sarv.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count, Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.dataset import ADMIN, AGREEMENT_PREFIX  # noqa: E402
from bench.scenarios import OPEN_STATUSES, Scenario, check_response, foundation_scenarios  # noqa: E402
from bench.textgen import TextGenerator  # noqa: E402
from sarv.accounts import actions as account_actions  # noqa: E402
from sarv.accounts.models import SupportGroup, User  # noqa: E402
from sarv.cmdb.models import CI, Relationship  # noqa: E402
from sarv.core.models import TimelineEntry  # noqa: E402
from sarv.incidents.models import Incident  # noqa: E402
from sarv.sla.models import Agreement, Clock  # noqa: E402

HOST = "127.0.0.1"


def dataset_facts(agent_username: str) -> dict:
    """Counts that describe the data set, and the support group with the most incidents."""
    counts = Incident.objects.aggregate(total=Count("pk"), open=Count("pk", filter=Q(status__in=OPEN_STATUSES)))
    biggest = (Incident.objects.exclude(assigned_group=None).values("assigned_group")
               .annotate(total=Count("pk"), open=Count("pk", filter=Q(status__in=OPEN_STATUSES)))
               .order_by("-total").first())
    facts: dict = {
        "incidents": counts["total"], "open_incidents": counts["open"],
        "timeline_entries": TimelineEntry.objects.count(),
        "support_groups": SupportGroup.objects.count(),
        "users": User.objects.count(),
        "agent_exists": User.objects.filter(username=agent_username, is_active=True).exists(),
        "admin_exists": User.objects.filter(username=ADMIN, is_superuser=True).exists(),
        "bench_agreements": list(Agreement.objects.filter(name_en__startswith=AGREEMENT_PREFIX, is_active=True)
                                 .order_by("pk").values_list("name_en", flat=True)),
        "agreements_active": Agreement.objects.filter(is_active=True).count(),
        "clocks": Clock.objects.count(),
        "running_clocks": Clock.objects.filter(is_open=True, stopped_at__isnull=True).count(),
        "open_incidents_with_clocks": Incident.objects.open().exclude(sla_state="").count(),
        "cis": CI.objects.count(),
        "relationships": Relationship.objects.count(),
        "biggest_group": None,
    }
    if biggest:
        group = SupportGroup.objects.get(pk=biggest["assigned_group"])
        facts["biggest_group"] = {"id": group.pk, "code": group.code, "incidents": biggest["total"],
                                  "open_incidents": biggest["open"]}
    return facts


def _client_for(scenario: Scenario, user: User, clients: dict[str, Client]) -> Client:
    if scenario.auth not in clients:
        client = Client(HTTP_HOST=HOST)
        if scenario.auth == "token":
            token = account_actions.issue_api_token(user=user)
            client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
        else:
            client.force_login(user)
        clients[scenario.auth] = client
    return clients[scenario.auth]


def _send(client: Client, scenario: Scenario) -> bytes:
    headers = {"HTTP_" + name.upper().replace("-", "_"): value for name, value in scenario.headers.items()}
    data: dict[str, list[str]] = {}
    for key, value in scenario.params:
        data.setdefault(key, []).append(value)
    response = client.get(scenario.path, data, **headers)
    problem = check_response(scenario, response.status_code, response.content)
    if problem:
        raise RuntimeError(f"{scenario.name}: {problem}")
    return response.content


def count_queries(scenario: Scenario, user: User, clients: dict[str, Client], repeat: int) -> dict:
    """SQL queries of one warm request, their summed time, and the in-process time of ``repeat`` requests."""
    client = _client_for(scenario, user, clients)
    _send(client, scenario)  # warm per-process caches (content types, permissions), as a busy worker has them
    with CaptureQueriesContext(connection) as captured:
        body = _send(client, scenario)
    # The log is read lazily and every request clears it, so copy it before the next request.
    queries = list(captured.captured_queries)
    durations, sql_totals = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as repeated:
            _send(client, scenario)
        durations.append((time.perf_counter() - started) * 1000)
        sql_totals.append(sum(float(query["time"]) * 1000 for query in list(repeated.captured_queries)))
    timed = sorted(((float(query["time"]) * 1000, query["sql"]) for query in queries), reverse=True)
    return {
        "queries": len(queries),
        # Django records each query's time in whole milliseconds, so the sums are approximate.
        "sql_ms": round(statistics.median(sql_totals), 2),
        "in_process_ms_median": round(statistics.median(durations), 2),
        "in_process_ms_min": round(min(durations), 2),
        "response_bytes": len(body),
        "slowest_queries": [{"ms": round(ms, 2), "sql": sql[:400]} for ms, sql in timed[:3]],
    }


def profile_request(scenario: Scenario, user: User, top: int) -> str:
    """cProfile of one warm request, sorted by cumulative time, as text."""
    clients: dict[str, Client] = {}
    client = _client_for(scenario, user, clients)
    _send(client, scenario)
    profiler = cProfile.Profile()
    profiler.enable()
    _send(client, scenario)
    profiler.disable()
    output = io.StringIO()
    stats = pstats.Stats(profiler, stream=output)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return output.getvalue()


def explain_request(scenario: Scenario, user: User, min_ms: float) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of every SELECT of one warm request that took at least ``min_ms``."""
    clients: dict[str, Client] = {}
    client = _client_for(scenario, user, clients)
    _send(client, scenario)
    with CaptureQueriesContext(connection) as captured:
        _send(client, scenario)
    parts = []
    for query in list(captured.captured_queries):
        ms = float(query["time"]) * 1000
        if ms < min_ms or not query["sql"].lstrip().upper().startswith("SELECT"):
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            plan = "\n".join(row[0] for row in cursor.fetchall())
        parts.append(f"-- {ms:.1f} ms\n{query['sql']}\n{plan}\n")
    return "\n".join(parts) or f"no SELECT took {min_ms} ms or more"


def profile_create(user: User, repeat: int, top: int) -> dict:
    """API creations through the test client, as the creation scenarios send them: the statements of one warm
    creation by kind, the in-process time of ``repeat`` more, and a cProfile of another ``repeat``."""
    token = account_actions.issue_api_token(user=user)
    client = Client(HTTP_HOST=HOST, HTTP_AUTHORIZATION=f"Token {token.key}")
    requesters = list(User.objects.filter(username__startswith="bench-user-").order_by("pk")
                      .values_list("pk", flat=True)[:500])
    groups = list(SupportGroup.objects.filter(code__startswith="bench-").order_by("pk").values_list("pk", flat=True))
    rng = random.Random(7)
    text = TextGenerator(rng)

    def create() -> None:
        title, body = text.title_and_body()
        response = client.post("/api/v1/incidents/", {
            "title": title, "description": body, "impact": 2, "urgency": 2, "channel": "phone",
            "requester": rng.choice(requesters), "assigned_group": rng.choice(groups)}, content_type="application/json")
        if response.status_code != 201:
            raise RuntimeError(f"creation failed with status {response.status_code}: {response.content[:200]!r}")

    for _warm in range(len(groups) + 3):  # every group's calendar engine cached, as in a busy worker
        create()
    with CaptureQueriesContext(connection) as captured:
        create()
    statements = [query["sql"].split(None, 1)[0].upper() for query in list(captured.captured_queries)]
    durations = []
    for _ in range(repeat):
        started = time.perf_counter()
        create()
        durations.append((time.perf_counter() - started) * 1000)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeat):
        create()
    profiler.disable()
    output = io.StringIO()
    pstats.Stats(profiler, stream=output).sort_stats("cumulative").print_stats(top)
    lines = [line for line in output.getvalue().splitlines() if line.strip()]
    start = next((i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls")), 0)
    return {"statements": len(statements), "by_kind": dict(Counter(statements)),
            "in_process_ms_median": round(statistics.median(durations), 2),
            "in_process_ms_min": round(min(durations), 2), "repeat": repeat,
            "profile": [_short(line) for line in lines[start:]]}


def _short(line: str) -> str:
    """A cProfile line with the installed packages' path prefix removed."""
    return line.replace(str(Path(django.__file__).parent.parent) + "/", "").replace(str(ROOT) + "/", "")


def _scenario(name: str, group_id: int) -> Scenario:
    by_name = {scenario.name: scenario for scenario in foundation_scenarios(group_id)}
    if name not in by_name:
        raise SystemExit(f"unknown scenario {name!r}; choose one of: {', '.join(by_name)}")
    return by_name[name]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["facts", "queries", "profile", "explain", "create"])
    parser.add_argument("scenario", nargs="?", help="scenario name, for profile and explain")
    parser.add_argument("--agent", default="bench-agent-1", help="username the requests are made as")
    parser.add_argument("--group-id", type=int, default=None,
                        help="support group of the filtered scenarios (default: the one with the most incidents)")
    parser.add_argument("--repeat", type=int, default=5, help="timed in-process requests per scenario (default 5)")
    parser.add_argument("--top", type=int, default=40, help="profile lines to print (default 40)")
    parser.add_argument("--min-ms", type=float, default=1.0, help="explain queries at least this slow (default 1)")
    args = parser.parse_args()

    if args.command == "facts":
        sys.stdout.write(json.dumps(dataset_facts(args.agent)) + "\n")
        return 0
    user = User.objects.get(username=args.agent)
    if args.command == "create":
        sys.stdout.write(json.dumps(profile_create(user, max(args.repeat, 20), args.top)) + "\n")
        return 0
    group_id = args.group_id
    if group_id is None:
        group_id = dataset_facts(args.agent)["biggest_group"]["id"]
    if args.command == "queries":
        clients: dict[str, Client] = {}
        result = {scenario.name: count_queries(scenario, user, clients, args.repeat)
                  for scenario in foundation_scenarios(group_id)}
        sys.stdout.write(json.dumps(result) + "\n")
    elif args.command == "profile":
        sys.stdout.write(profile_request(_scenario(args.scenario, group_id), user, args.top))
    else:
        sys.stdout.write(explain_request(_scenario(args.scenario, group_id), user, args.min_ms))
    return 0


if __name__ == "__main__":
    sys.exit(main())
