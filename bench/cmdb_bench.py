"""CMDB benchmark: impact analysis on a generated CMDB and import of CIs; writes bench/results/ and docs/benchmarks.md.

    make bench-cmdb
    # = DATABASE_URL=postgres://postgres@127.0.0.1:5432/sarv_bench_cmdb .venv/bin/python bench/cmdb_bench.py

Impact analysis (database ``DATABASE_URL``, filled by ``bench/cmdb_generate.py`` when it holds no CI):
in process and on a warm cache, for the core switch ``L0-network_device-00000`` (down) and the first
business service (up), at depths 4 to 6, each over ``--rounds`` runs (p50 and p95):
- *query*: ``sarv.cmdb.impact.impact()`` for the first page of 200 (the walk, paths, cycles),
- *first page*: that plus the API's JSON (``impact_payload``: CI details and the edges among the nodes).
Besides the wall-clock time it records the CPU time of the PostgreSQL backend (read from /proc, so only
for a server on this machine) and of this process: the machine is shared, and under load the wall-clock
time mostly measures waiting for a core.

Import (unless ``--no-import``): ``bench/cmdb_import_bench.py`` in a fresh database ``<name>_import``,
dropped afterwards: 100,000 CIs from a seeded CSV, first import and a re-import that changes nothing.
A timing is a benchmark figure, never a test assertion.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Literal

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BEGIN, END = "<!-- bench:cmdb:begin -->", "<!-- bench:cmdb:end -->"
DEPTHS = (4, 5, 6)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def backend_cpu_reader(connection: Any) -> Any:
    """A function returning the CPU seconds used so far by this connection's PostgreSQL backend, or None."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    path = Path(f"/proc/{pid}/stat")
    if not path.exists():
        return lambda: None
    tick = os.sysconf("SC_CLK_TCK")

    def read() -> float:
        fields = path.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    return read


def summary(values: list[float]) -> dict[str, float]:
    return {"p50": round(statistics.median(values), 1), "p95": round(percentile(values, .95), 1)}


def measure_impact(rounds: int) -> dict[str, Any]:
    from django.db import connection
    from django.utils import translation

    from sarv.cmdb.api.views import impact_payload
    from sarv.cmdb.impact import impact
    from sarv.cmdb.models import CI

    core = CI.objects.filter(name_en="L0-network_device-00000").get()
    service = CI.objects.filter(ci_class__code="business_service").order_by("pk").first()
    assert service is not None
    translation.activate("en")
    server_cpu = backend_cpu_reader(connection)
    rows = []
    roots: list[tuple[Literal["down", "up"], CI]] = [("down", core), ("up", service)]
    for direction, root in roots:
        for depth in DEPTHS:
            impact(root, direction=direction, max_depth=depth)  # warm-up
            query_ms, page_ms, query_cpu_ms, server_ms = [], [], [], []
            result = None
            for _ in range(rounds):
                s0, c0, t0 = server_cpu(), time.process_time(), time.perf_counter()
                result = impact(root, direction=direction, max_depth=depth, limit=200)
                t1, c1, s1 = time.perf_counter(), time.process_time(), server_cpu()
                impact_payload(root, result)
                t2 = time.perf_counter()
                query_ms.append((t1 - t0) * 1000)
                page_ms.append((t2 - t0) * 1000)
                query_cpu_ms.append((c1 - c0) * 1000)
                if s0 is not None:
                    server_ms.append((s1 - s0) * 1000)
            assert result is not None
            rows.append({
                "direction": direction, "depth": depth, "root": root.pk, "reached": result.total,
                "cycles": len(result.cycles), "truncated": result.truncated,
                "query_ms": summary(query_ms), "page_ms": summary(page_ms),
                "query_client_cpu_ms": summary(query_cpu_ms),
                # /proc counts CPU time in clock ticks (10 ms): the mean over the rounds, not a percentile.
                "query_server_cpu_ms_mean": round(statistics.mean(server_ms), 1) if server_ms else None,
                "load_average": [round(x, 1) for x in os.getloadavg()],
            })
            print(json.dumps(rows[-1]), flush=True)
    return {"rows": rows}


def measure_import(database_url: str, rows: int, seed: int) -> dict[str, Any]:
    from bench.pgdb import Server

    server = Server.from_url(database_url)
    name = database_url.rsplit("/", 1)[1].split("?")[0] + "_import"
    server.create(name, replace=True)
    try:
        command = [sys.executable, str(ROOT / "bench" / "cmdb_import_bench.py"), "--rows", str(rows),
                   "--seed", str(seed)]
        done = subprocess.run(command, env={**os.environ, "DATABASE_URL": server.url(name)}, check=True,
                              capture_output=True, text=True)
        return {**json.loads(done.stdout.strip().splitlines()[-1]),
                "command": " ".join(["bench/cmdb_import_bench.py", *command[2:]])}
    finally:
        subprocess.run(["dropdb", *server.client_options(), name], check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 100,000 CIs, 500,000 relationships")
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--no-import", action="store_true")
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sarv.settings")
    os.environ.setdefault("SARV_SECRET_KEY", "bench")
    os.environ.setdefault("SARV_HTTPS", "false")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench.cmdb_generate import generate
    from bench.machine import describe_machine, describe_versions
    from sarv.cmdb.models import CI, Relationship

    if connection.vendor != "postgresql":
        raise SystemExit("bench/cmdb_bench.py measures PostgreSQL: set DATABASE_URL=postgres://…")
    machine = describe_machine()
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    generated = None
    if not CI.objects.exists():
        generated = generate(seed=args.seed, scale=args.scale)
    generation_s = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        db_version = cursor.fetchone()[0].split(",")[0]
    doc: dict[str, Any] = {
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "database": db_version,
        "machine": machine, "versions": describe_versions(),
        "command": f"DATABASE_URL={os.environ.get('DATABASE_URL', '')} .venv/bin/python bench/cmdb_bench.py "
                   + " ".join(sys.argv[1:]),
        "cis": CI.objects.count(), "relationships": Relationship.objects.current().count(), "seed": args.seed,
        "rounds": args.rounds, "generation_s": round(generation_s, 1) if generated else None,
        **measure_impact(args.rounds),
    }
    connection.close()
    if not args.no_import:
        doc["import"] = measure_import(os.environ["DATABASE_URL"], args.import_rows, args.seed)
        print(json.dumps(doc["import"]), flush=True)
    doc["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    out = ROOT / "bench" / "results" / f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%MZ}-cmdb.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {out.relative_to(ROOT)}")
    if not args.no_docs:
        render(doc, out.relative_to(ROOT))


def render(doc: dict, result_path: Path) -> None:
    machine, versions = doc["machine"], doc["versions"]
    lines = [
        BEGIN, "## CMDB: impact analysis and import", "",
        f"Measured {doc['measured_at']} (UTC) by `make bench-cmdb` (`bench/cmdb_bench.py`); raw results: "
        f"`{result_path}`. Command: `{doc['command'].strip()}`.", "",
        f"Machine: {machine['nproc']} cores ({machine['cpu_model']}), {machine['memory_gb']} GB memory, "
        f"{machine['os']}; {doc['database']}; Python {versions['python']}, Django {versions.get('Django')}, "
        f"psycopg {versions.get('psycopg')}. "
        f"Load average {', '.join(map(str, machine['load_average_at_start']))} at the start and "
        f"{', '.join(map(str, doc['load_average_at_end']))} at the end"
        + (" (under one runnable process per core: wall-clock figures are close to the work itself)"
           if max(machine["load_average_at_start"][0], doc["load_average_at_end"][0]) < machine["nproc"]
           else " (the machine was shared: wall-clock figures include waiting for a core)")
        + ". The CPU columns show the work itself (the PostgreSQL backend's CPU time from /proc, in 10 ms ticks, "
        "averaged over the rounds).", "",
        f"Data: `generate(seed={doc['seed']})` in `bench/cmdb_generate.py`: {doc['cis']:,} CIs, "
        f"{doc['relationships']:,} relationships in seven layers (core switch › access switch › server › "
        "database/middleware › application › technical service › business service), shared parents, and "
        "dependency cycles between pairs of applications and of business services."
        + (f" Generating it took {doc['generation_s']} s." if doc.get("generation_s") else ""), "",
        "Root: core switch `L0-network_device-00000` (down) and the first business service (up). "
        f"Each figure is over {doc['rounds']} runs in process on a warm cache. *Query* is "
        "`sarv.cmdb.impact.impact()` for the first 200 nodes (the recursive SQL statement, paths and cycles); "
        "*first page* adds what the API returns for them (CI details and the edges among them).", "",
        "| direction | depth | CIs reached | cycles | query p50 / p95 (ms) | first page p50 / p95 (ms) | "
        "query CPU: database / Python (ms) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in doc["rows"]:
        lines.append(
            f"| {row['direction']} | {row['depth']} | {row['reached']:,} | {row['cycles']} | "
            f"{row['query_ms']['p50']} / {row['query_ms']['p95']} | "
            f"{row['page_ms']['p50']} / {row['page_ms']['p95']} | "
            f"{row['query_server_cpu_ms_mean']} / {row['query_client_cpu_ms']['p50']} |")
    lines += ["", "Goal for the downstream walk of a core switch with about 20,000 dependants: query under 100 ms, "
              "first page under 300 ms.", ""]
    if "import" in doc:
        imp = doc["import"]
        lines += [
            f"Import: `{imp['command']}` ({imp['rows']:,} CIs, seed {imp['seed']}, "
            f"{imp['csv_bytes'] / 2**20:.1f} MB CSV) in a fresh database, through `import_cis` (what "
            "`manage.py import_cmdb --apply` runs).", "",
            "| run | seconds | rows/s | Python CPU (s) | queries | created | updated | unchanged | audit rows | "
            "timeline rows |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for label, title in (("first", "first import"), ("again", "same file again")):
            run = imp[label]
            lines.append(f"| {title} | {run['seconds']} | {run['rows_per_s']:,} | {run['client_cpu_s']} | "
                         f"{run['queries']:,} | {run['created']:,} | {run['updated']:,} | {run['unchanged']:,} | "
                         f"{run['audit_rows']:,} | {run['timeline_rows']:,} |")
        lines.append("")
    lines.append(END)  # the verdict on the goals is written by hand after a run, below the table
    docs = ROOT / "docs" / "benchmarks.md"
    text = docs.read_text()
    section = "\n".join(lines)
    if BEGIN in text:
        head, rest = text.split(BEGIN, 1)
        text = head + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    docs.write_text(text)


if __name__ == "__main__":
    main()
