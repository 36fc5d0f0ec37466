"""Render a foundation result as the "Foundation: import and list latency" section of docs/benchmarks.md."""

from __future__ import annotations

from bench.report import number, spread, table

TITLE = "Foundation: import and list latency"


def _machine(result: dict) -> str:
    machine, versions, pg = result["machine"], result["versions"], result["postgresql"]
    rows = [
        ["CPU", f"{machine['nproc']} × {machine['cpu_model'] or 'unknown model'} (`nproc` = {machine['nproc']})"],
        ["memory", f"{machine['memory_gb']} GB"],
        ["OS, kernel", f"{machine['os']}, {machine['kernel']}"],
        ["load average at start", " / ".join(str(v) for v in machine["load_average_at_start"])],
        ["PostgreSQL", f"{pg.get('server_version', '?')}, shared_buffers {pg.get('shared_buffers', '?')}, "
                       f"work_mem {pg.get('work_mem', '?')}, random_page_cost {pg.get('random_page_cost', '?')}, "
                       f"jit {pg.get('jit', '?')}"],
        ["Python, SQLite", f"{versions['python']}, SQLite {versions['sqlite']}"],
        ["packages", ", ".join(f"{name} {versions.get(name)}" for name in
                               ("Django", "djangorestframework", "django-filter", "gunicorn", "psycopg",
                                "whitenoise"))],
    ]
    return table(["item", "value"], rows)


def _commands(result: dict) -> str:
    lines = ["make bench            # runs: .venv/bin/python bench/run.py",
             f"{result['command']}   # this run"]
    data = result.get("dataset")
    if data:
        lines += ["", "# what it ran:", data["create_command"], data["generate_command"],
                  result["server"]["command"], result["in_process_command"]]
    imported = result.get("import", {})
    for label in ("postgresql", "sqlite"):
        if label in imported:
            lines.append(imported[label]["command"])
    return "```\n" + "\n".join(lines) + "\n```"


def _dataset(result: dict) -> str:
    data = result["dataset"]
    facts, size = data["facts"], data["size"]
    group = facts["biggest_group"]
    how = ("reused from an earlier run (same count)" if data["reused"]
           else f"generated in {number(data.get('generate_s'), 1)} s")
    tables = ", ".join(f"{name} {mb} MB" for name, mb in list(size["largest_tables_mb"].items())[:3])
    return (
        f"{number(facts['incidents'])} incidents ({number(facts['open_incidents'])} open), "
        f"{number(facts['timeline_entries'])} timeline entries, {number(facts['users'])} users, "
        f"{number(facts['support_groups'])} support groups; {how} by `bench/generate.py` (seed 42), "
        "then `VACUUM (ANALYZE)` as autovacuum would do after a bulk load. "
        f"Database {size['database_mb']} MB ({tables}). The filtered scenarios use support group "
        f"`{group['code']}`, the one with the most incidents ({number(group['incidents'])}, "
        f"{number(group['open_incidents'])} open)."
    )


def _rows_matched(name: str, facts: dict) -> str:
    if name.endswith("_filtered"):
        return number(facts["biggest_group"]["open_incidents"])
    return number(facts["incidents"])


def _latency(result: dict) -> str:
    facts = result["dataset"]["facts"]
    rows = []
    for name, scenario in result["scenarios"].items():
        summary, inner = scenario["summary"], scenario.get("in_process", {})
        rows.append([
            f"{scenario['title']}<br>`GET {scenario['url']}`" + (" (HTMX)" if scenario["headers"] else ""),
            _rows_matched(name, facts),
            spread(summary.get("p50_ms")),
            spread(summary.get("p95_ms")),
            number(inner.get("queries")),
            f"{number(inner.get('in_process_ms_median'), 1)} ({number(inner.get('sql_ms'), 1)})",
            f"{summary['requests']} / {summary['errors']}",
            f"{number(summary.get('foreign_cpu_cores_max'), 2)} ({summary.get('discarded_rounds', 0)})",
        ])
    plan = result["options"]["plan"]
    memory = result["server"]["memory"]
    return "\n\n".join([
        f"Single client, sequential: {plan['warmup']} warm-up requests, then {plan['rounds']} rounds of "
        f"{plan['requests']} requests (each round at most {plan['round_seconds']:.0f} s). Figures in ms: median "
        "over rounds of each round's p50 and p95, with min..max over rounds. 25 rows per page; the page "
        "scenarios sign in with a session, the API ones with a token. Before each scenario the run waits "
        f"(at most {plan.get('quiet_wait_seconds', 0):.0f} s) until other programs use at most "
        f"{plan.get('max_foreign_cpu', 0)} cores, and a round during which they used more is repeated, at most "
        f"{plan.get('repeat_budget', 0)} times per scenario; the repeated rounds are kept in the result file.",
        table(["request", "rows matched", "p50 ms", "p95 ms", "SQL queries", "in-process ms (SQL ms)",
               "requests / errors", "foreign CPU, worst kept round (rounds repeated)"], rows),
        "*SQL queries* and *in-process ms* come from replaying the same request once more through Django's test "
        "client after a warm-up (`bench/inprocess.py queries`): the query count of one request, the median time "
        "of 5 requests inside Django (no gunicorn, no HTTP), and in brackets the median summed time of their SQL "
        "queries (Django records each query's time in whole milliseconds). "
        f"gunicorn: {result['server']['workers']} sync workers, peak resident memory per worker "
        f"{number(memory.get('worker_peak_rss_mb_max'), 1)} MB (VmHWM).",
    ])


def _imports(result: dict) -> str:
    imported = result.get("import")
    if not imported:
        return "Not measured in this run (`--skip-import`)."
    if "skipped" in imported:
        return f"Skipped: {imported['skipped']}."
    rows = []
    for label, name in (("postgresql", "PostgreSQL (fresh database)"), ("sqlite", "SQLite (fresh file, WAL)")):
        run = imported[label]
        summary = run["summary"]
        state = "" if run["returncode"] == 0 else f" **failed, exit code {run['returncode']}**"
        rows.append([
            name + state, number(run["wall_s"], 1), number(summary.get("importer_seconds"), 1),
            f"{number(run['cpu_user_s'], 1)} + {number(run['cpu_system_s'], 1)}",
            number(summary.get("incidents_created")), number(summary.get("events_replayed")),
            number(summary.get("timeline_entries_written")), number(summary.get("rejected_rows")),
            number(run["peak_rss_mb"], 1), number(run["size"].get("database_mb"), 1),
            _foreign(run.get("cpu", {})),
        ])
    return "\n\n".join([
        f"`manage.py import_uci {imported['file'].rsplit('/', 1)[-1]} --no-progress`, once per database, "
        "after `migrate` (not timed). Wall time includes Django's start-up; the importer's own time does not.",
        table(["database", "wall s", "importer s", "CPU user + system s", "incidents", "events replayed",
               "timeline entries", "rejected rows", "peak RSS MB", "size after MB",
               "foreign CPU (cores, mean / max)"], rows),
    ])


def _foreign(cpu: dict) -> str:
    if not cpu:
        return "–"
    return f"{cpu['foreign_cpu_cores_mean']:.2f} / {cpu['foreign_cpu_cores_max']:.2f}"


def _limits(result: dict) -> str:
    cpu = result.get("cpu", {})
    nproc = result["machine"]["nproc"]
    items = [
        f"Client, gunicorn and PostgreSQL share the same {nproc} cores. With one sequential client only one "
        "request is in flight, so the figures are latency without contention, not capacity; load with many "
        "clients is a later benchmark.",
        "Loopback only: no network, no TLS, no reverse proxy; the client fetches the HTML or JSON alone, not the "
        "static files a browser would load (they are cached by the browser after the first page).",
        "Client-observed latency only: Sarv sends no Server-Timing header. The in-process column is the closest "
        "server-side figure; the gap to p50 is gunicorn, HTTP on loopback and the client.",
        "Warm caches: the database fits in memory and every scenario starts after warm-up requests, so these "
        "are warm-cache figures. The first request after a restart (cold PostgreSQL and OS caches, cold "
        "worker) is slower and is not measured.",
        "Other work on the machine: *foreign CPU* is the machine's busy CPU minus that of gunicorn, PostgreSQL "
        f"and the benchmark (mean {cpu.get('foreign_cpu_cores_mean', '–')}, max "
        f"{cpu.get('foreign_cpu_cores_max', '–')} cores over the run). Rounds well above 0 were slowed by other "
        "programs; PostgreSQL work for other databases on the same server is not told apart.",
        "Generated data: the shape follows the UCI log (one group takes about 38% of the work, about 15% open), "
        "with Persian and English text; a real installation's spread over groups and statuses changes how many "
        "rows each filter matches.",
        "The UCI import ran once per database: a single figure, without spread, on the local disk.",
    ]
    return "\n".join(f"- {item}" for item in items)


def render(result: dict, result_file: str) -> str:
    """Markdown of the section, without its markers."""
    parts = [
        f"## {TITLE}",
        f"Measured {result['started_at']} (UTC) by `bench/run.py` in {number(result['duration_s'], 0)} s; "
        f"raw results: `{result_file}`.",
        "### Machine and software",
        _machine(result),
        "### Commands",
        _commands(result),
    ]
    if result.get("scenarios"):
        parts += ["### Data set", _dataset(result),
                  f"### List latency at {number(result['dataset']['facts']['incidents'])} incidents",
                  _latency(result)]
    parts += ["### Full UCI import", _imports(result), "### What limits these figures", _limits(result),
              "A side-by-side comparison with django-helpdesk, measured in the same run by the same client, is a "
              "later step; until then these figures are not compared with another product."]
    return "\n\n".join(parts)
