#!/usr/bin/env python3
"""Run Sarv against django-helpdesk and record it (``make bench`` runs this after the foundation benchmark).

    .venv/bin/python bench/compare_run.py                # 100,000 incidents on both, results + docs/benchmarks.md
    .venv/bin/python bench/compare_run.py --quick        # smoke run: 3,000 incidents, a few requests, no docs
    .venv/bin/python bench/compare_run.py --render bench/results/20261205T0100Z-peer.json

Sets up django-helpdesk itself (bench/peer.py), prepares both data sets with the same
seeded generator, serves each product alone with gunicorn (4 sync workers, 127.0.0.1:8106
for Sarv, :8107 for django-helpdesk), drives the same scenarios with locust in headless mode
(bench/loadgen.py), then writes bench/results/<UTC time>-peer.json and the peer section of
docs/benchmarks.md. How the figures are made and what limits them: docs/benchmarks.md.
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

from bench import compare, compare_doc, report, sarv_only  # noqa: E402,F401  (sarv_only adds its scenarios)
from bench.environment import SCRATCH  # noqa: E402
from bench.loadgen import Bounds  # noqa: E402

logger = logging.getLogger("bench.compare")


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    defaults = compare.Options()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--incidents", type=int, default=None, help=f"data volume (default {defaults.incidents})")
    parser.add_argument("--sarv-database", default=None, help=f"default {defaults.sarv_database}")
    parser.add_argument("--peer-database", default=None, help=f"default {defaults.peer_database}")
    parser.add_argument("--pg-url", default=defaults.pg_url)
    parser.add_argument("--workers", type=int, default=defaults.workers, help="gunicorn sync workers, both products")
    parser.add_argument("--fresh", action="store_true", help="generate both data sets again")
    parser.add_argument("--no-peer", action="store_true", help="measure Sarv only")
    parser.add_argument("--no-transfer", action="store_true", help="skip the first-visit transfer size")
    parser.add_argument("--only", default="", help="comma-separated scenario names to run (default: all)")
    parser.add_argument("--max-foreign-cpu", type=float, default=defaults.max_foreign_cpu)
    parser.add_argument("--quick", action="store_true", help="smoke run: 3,000 incidents, few requests, no docs")
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument("--no-docs", action="store_true")
    parser.add_argument("--render", type=Path, metavar="RESULT_JSON", help="only rewrite the docs section")
    parser.add_argument("--update", type=Path, metavar="RESULT_JSON",
                        help="run the --only scenarios on both products again and replace them in this earlier "
                             "result (for a scenario that other programs slowed), writing a new result file")
    parser.add_argument("--section", default=compare.NAME,
                        help=f"docs/benchmarks.md section and result file name (default {compare.NAME}; "
                             "make bench-1m uses scale)")
    return parser.parse_args(argv)


def options_from(args: argparse.Namespace) -> compare.Options:
    options = compare.Options(pg_url=args.pg_url, workers=args.workers, fresh=args.fresh, peer=not args.no_peer,
                              transfer=not args.no_transfer, max_foreign_cpu=args.max_foreign_cpu,
                              only=tuple(name for name in args.only.split(",") if name))
    if args.quick:
        small = Bounds(users=1, executions=10, seconds=15)
        options = replace(options, incidents=3000, deep_page=20, sarv_database="sarv_bench_quick",
                          peer_database="bench_helpdesk_quick", read=small, search=small, create_c1=small,
                          create_c8=Bounds(users=8, executions=40, seconds=15), change=small, repeat_budget=0,
                          quiet_wait=2, cis=2000)
    if args.incidents is not None:
        options = replace(options, incidents=args.incidents)
    if args.sarv_database:
        options = replace(options, sarv_database=args.sarv_database)
    if args.peer_database:
        options = replace(options, peer_database=args.peer_database)
    for name in (options.sarv_database, options.peer_database):
        if not name.replace("_", "").isalnum():
            raise SystemExit(f"database name {name!r}: use letters, digits and underscores only")
    return options


def write_docs(result: dict, path: Path, section: str) -> None:
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    report.replace_section(report.DOCS_PAGE, section, compare_doc.render(result, str(shown)))
    logger.info("Rewrote the %s section of %s", section, report.DOCS_PAGE.relative_to(ROOT))



def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr)
    args = parse_arguments(argv)
    if args.render:
        write_docs(json.loads(args.render.read_text(encoding="utf-8")), args.render.resolve(), args.section)
        return 0
    options = options_from(args)
    signal.signal(signal.SIGTERM, report.stop_on_signal)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%MZ")
    output = args.output or (SCRATCH if args.quick else report.RESULTS) / f"{stamp}-{args.section}.json"
    command_line = shlex.join([".venv/bin/python", "bench/compare_run.py", *argv])
    if args.update and not options.only:
        raise SystemExit("--update needs --only with the scenarios to run again")
    result = compare.run_all(options, command_line)
    if args.update:
        earlier = args.update.resolve()
        result = compare.merge_rerun(json.loads(earlier.read_text(encoding="utf-8")), result,
                                     str(earlier.relative_to(ROOT) if earlier.is_relative_to(ROOT) else earlier))
    report.save_json(output.resolve(), result)
    logger.info("Wrote %s", output)
    for goal, value in result.get("goals", {}).items():
        logger.info("goal %s: %s (%s)", goal, value["value"], "met" if value["met"] else "MISSED")
    if not (args.quick or args.no_docs):
        write_docs(result, output.resolve(), args.section)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
