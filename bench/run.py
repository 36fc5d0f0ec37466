#!/usr/bin/env python3
"""Run Sarv's foundation benchmark and record it (``make bench`` runs this with no options).

    .venv/bin/python bench/run.py                      # 100,000 incidents, results + docs/benchmarks.md
    .venv/bin/python bench/run.py --quick              # smoke run: 2,000 incidents, few requests, no docs
    .venv/bin/python bench/run.py --render bench/results/20261204T2130Z-foundation.json

It generates (or reuses) a PostgreSQL database of incidents, serves it with
gunicorn on a free port in 8190-8199 of 127.0.0.1, times the agent list page and
the API list from one sequential client, counts each request's SQL queries, times
the full UCI import into fresh PostgreSQL and SQLite databases, then writes
bench/results/<UTC time>-foundation.json and the foundation section of
docs/benchmarks.md. Needs a local PostgreSQL server reachable as --pg-url with
the right to create databases, and the PostgreSQL client tools (createdb, dropdb).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import shlex
import signal
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import foundation, foundation_doc, report  # noqa: E402
from bench.environment import SCRATCH  # noqa: E402
from bench.latency import LatencyPlan  # noqa: E402

logger = logging.getLogger("bench.run")



def parse_arguments(argv: list[str]) -> argparse.Namespace:
    defaults = foundation.Options()
    plan = defaults.plan
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--incidents", type=int, default=None,
                        help=f"generated incidents to measure at (default {defaults.incidents}; 2000 with --quick)")
    parser.add_argument("--database", default=None,
                        help=f"PostgreSQL database of the generated data (default {defaults.database}, "
                             f"{defaults.database}_quick with --quick)")
    parser.add_argument("--fresh", action="store_true",
                        help="drop and generate the database even when it already contains the incidents")

    parser.add_argument("--pg-url", default=defaults.pg_url, help=f"PostgreSQL server (default {defaults.pg_url})")
    parser.add_argument("--workers", type=int, default=defaults.workers,
                        help=f"gunicorn sync workers (default {defaults.workers})")

    parser.add_argument("--warmup", type=int, default=plan.warmup, help="warm-up requests per scenario")
    parser.add_argument("--rounds", type=int, default=plan.rounds, help="timed rounds per scenario")
    parser.add_argument("--requests", type=int, default=plan.requests, help="requests per round")
    parser.add_argument("--round-seconds", type=float, default=plan.round_seconds,
                        help="wall-clock limit of one round, in seconds")
    parser.add_argument("--max-foreign-cpu", type=float, default=plan.max_foreign_cpu,
                        help="cores other programs may use during a round before it is repeated "
                             f"(default {plan.max_foreign_cpu})")
    parser.add_argument("--repeat-budget", type=int, default=plan.repeat_budget,
                        help=f"rounds per scenario that may be repeated (default {plan.repeat_budget})")
    parser.add_argument("--quiet-wait", type=float, default=plan.quiet_wait_seconds,
                        help="seconds per scenario, in all, to wait for other programs to leave the CPU idle "
                             f"(default {plan.quiet_wait_seconds:.0f})")

    parser.add_argument("--skip-latency", action="store_true", help="do not measure the list latency")
    parser.add_argument("--skip-import", action="store_true", help="do not time the UCI import")
    parser.add_argument("--uci-path", type=Path, default=defaults.uci_path,
                        help="the UCI incident_event_log.csv.gz to import")
    parser.add_argument("--import-timeout", type=float, default=defaults.import_timeout,
                        help="seconds after which one import is stopped")

    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 2,000 incidents, 2 rounds of 5 requests, no import, no docs")
    parser.add_argument("--output", type=Path, default=None,
                        help="result JSON file (default bench/results/<UTC time>-foundation.json; "
                             "var/bench/ with --quick)")
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite docs/benchmarks.md")
    parser.add_argument("--render", type=Path, metavar="RESULT_JSON",
                        help="only rewrite the docs section from an earlier result file, measuring nothing")
    return parser.parse_args(argv)


def options_from(args: argparse.Namespace) -> foundation.Options:
    options = foundation.Options(
        pg_url=args.pg_url, fresh=args.fresh, workers=args.workers,
        plan=LatencyPlan(warmup=args.warmup, rounds=args.rounds, requests=args.requests,
                         round_seconds=args.round_seconds, max_foreign_cpu=args.max_foreign_cpu,
                         repeat_budget=args.repeat_budget, quiet_wait_seconds=args.quiet_wait),
        latency=not args.skip_latency, uci_import=not args.skip_import, uci_path=args.uci_path,
        import_timeout=args.import_timeout,
    )
    if args.quick:
        options = replace(options, incidents=2000, database=options.database + "_quick", uci_import=False,
                          plan=replace(options.plan, rounds=2, requests=5, repeat_budget=0,
                                       quiet_wait_seconds=5))
    if args.incidents is not None:
        options = replace(options, incidents=args.incidents)
    if args.database is not None:
        options = replace(options, database=args.database)
    if not options.database.replace("_", "").isalnum():
        raise SystemExit(f"--database {options.database!r}: use letters, digits and underscores only")
    return options


def write_docs(result: dict, result_path: Path) -> None:
    shown = result_path.relative_to(ROOT) if result_path.is_relative_to(ROOT) else result_path
    report.replace_section(report.DOCS_PAGE, foundation.NAME, foundation_doc.render(result, str(shown)))
    logger.info("Rewrote the %s section of %s", foundation.NAME, report.DOCS_PAGE.relative_to(ROOT))



def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr)
    args = parse_arguments(argv)
    if args.render:
        write_docs(json.loads(args.render.read_text(encoding="utf-8")), args.render.resolve())
        return 0
    options = options_from(args)
    signal.signal(signal.SIGTERM, report.stop_on_signal)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%MZ")
    output = args.output or (SCRATCH if args.quick else report.RESULTS) / f"{stamp}-{foundation.NAME}.json"
    command_line = shlex.join([".venv/bin/python", "bench/run.py", *argv])
    result = foundation.run(options, command_line)
    report.save_json(output.resolve(), result)
    logger.info("Wrote %s", output)
    if not (args.quick or args.no_docs):
        write_docs(result, output.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
