"""The generated data set of a run: a PostgreSQL database holding N incidents from bench/generate.py.

A database that already contains exactly the requested number of incidents and the
benchmark agent is reused, because the measurements only read. Any other content is
dropped and generated again. The same generator adds what a reused database lacks: the
benchmark's SLA and OLA with the open incidents' clocks, and the CMDB.
"""

from __future__ import annotations

import logging
import time

from bench.environment import python_command, run_json, run_python, shown_command
from bench.pgdb import Server

logger = logging.getLogger(__name__)

AGENT = "bench-agent-1"
# A generated administrator, for the scenarios that change calendars.
ADMIN = "bench-admin"
# The generated SLA and OLA are named "Bench SLA" and "Bench OLA".
AGREEMENT_PREFIX = "Bench "
# CIs of the generated CMDB (five relationships each).
CIS = 100_000
# Password of every generated agent (bench-agent-1 ... bench-agent-50); they exist only in benchmark databases.
BENCH_PASSWORD = "sarv-bench-password"
SEED = 42
# The generator writes about 1,500 incidents a second on a 2-core machine; this bound only stops a hung run.
GENERATE_SECONDS_PER_INCIDENT = 0.05
SUBPROCESS_TIMEOUT = 1800


def facts(env: dict[str, str]) -> dict:
    return run_json(["bench/inprocess.py", "facts", "--agent", AGENT], env, SUBPROCESS_TIMEOUT)


def migrate(env: dict[str, str]) -> float:
    started = time.monotonic()
    run_python(["manage.py", "migrate", "--no-input", "-v", "0"], env, SUBPROCESS_TIMEOUT)
    return round(time.monotonic() - started, 1)


def prepare(server: Server, database: str, incidents: int, *, fresh: bool, env: dict[str, str],
            cis: int = CIS) -> dict:
    """Make ``database`` hold exactly ``incidents`` generated incidents, the benchmark agreements with the open
    incidents' clocks and ``cis`` CIs; return how, with the data set's facts."""
    record: dict = {"database": database, "create_command": " ".join(server.create_command(database))}
    extras = ["--agreements", *(["--cis", str(cis)] if cis else [])]
    generate = ["bench/generate.py", "--incidents", str(incidents), "--seed", str(SEED), *extras]
    record["generate_command"] = shown_command(python_command(*generate), env)

    existing = server.exists(database)
    if fresh or not existing:
        server.create(database, replace=existing)
    record["migrate_s"] = migrate(env)
    current = facts(env)
    if current["incidents"] == incidents and current["agent_exists"] and not fresh:
        logger.info("Reusing %s: it contains %s generated incidents", database, f"{incidents:,}")
        record["reused"] = True
        missing = [*([] if current["bench_agreements"] and current["admin_exists"] else ["--agreements"]),
                   *(["--cis", str(cis)] if cis and not current["cis"] else [])]
        if missing:
            extend = ["bench/generate.py", "--incidents", "0", "--seed", str(SEED), *missing]
            logger.info("Adding %s to %s", " ".join(missing), database)
            started = time.monotonic()
            run_python(extend, env, timeout=SUBPROCESS_TIMEOUT)
            record["extend_command"] = shown_command(python_command(*extend), env)
            record["extend_s"] = round(time.monotonic() - started, 1)
    else:
        if current["incidents"]:
            logger.info("%s contains %s incidents, not %s; generating it again", database,
                        f"{current['incidents']:,}", f"{incidents:,}")
            server.create(database, replace=True)
            record["migrate_s"] = migrate(env)
        logger.info("Generating %s incidents into %s", f"{incidents:,}", database)
        started = time.monotonic()
        run_python(generate, env, timeout=max(SUBPROCESS_TIMEOUT, incidents * GENERATE_SECONDS_PER_INCIDENT))
        record["generate_s"] = round(time.monotonic() - started, 1)
        record["reused"] = False

    started = time.monotonic()
    server.vacuum_analyze(database)
    record["vacuum_analyze_s"] = round(time.monotonic() - started, 1)
    record["facts"] = facts(env)
    record["size"] = server.size(database)
    if record["facts"]["biggest_group"] is None or not record["facts"]["agent_exists"]:
        raise RuntimeError(f"{database} has no assigned incidents or no {AGENT}; rerun with --fresh")
    return record
