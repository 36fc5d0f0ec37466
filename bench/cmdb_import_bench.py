"""Benchmark of importing CIs from a seeded, generated CSV (``import_cis``, the importer behind ``import_cmdb``).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sarv_h_cmdb_import .venv/bin/python bench/cmdb_import_bench.py

Needs an empty CMDB (the database is migrated first). Generates ``--rows`` CIs (seeded) as CSV: Persian
and English names, five classes, status, criticality, property number in Persian digits, serial number,
hostname for servers and network devices, some placeholder identity values ("N/A", "-", "0000").
Then times: the first import (every row created, with its audit and timeline rows) and a re-import of the
same file (every row unchanged, nothing written). Prints one JSON object; ``bench/cmdb_bench.py --import``
puts it in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CLASSES = ["server", "network_device", "application", "database", "business_service"]
PLACEHOLDERS = ["N/A", "-", "0000", "To be filled"]
PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def make_csv(rows: int, seed: int) -> bytes:
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name_fa", "name_en", "class", "status", "criticality", "property_number", "serial_number",
                     "hostname"])
    for index in range(rows):
        ci_class = CLASSES[index % len(CLASSES)]
        hardware = ci_class in ("server", "network_device")
        prop = f"{1400 + index % 5}-{index:06d}".translate(PERSIAN_DIGITS)
        serial = f"SN{rng.randrange(16**10):010X}{index}" if hardware else ""
        if rng.random() < 0.05:
            serial = rng.choice(PLACEHOLDERS)
        writer.writerow([f"دارایی {index:06d}".translate(PERSIAN_DIGITS), f"Asset {index:06d}", ci_class,
                         rng.choice(["live", "live", "live", "in_stock", "under_maintenance"]),
                         rng.choice(["1", "2", "3", "4"]), prop, serial,
                         f"host-{index:06d}.bank.local" if hardware else ""])
    return out.getvalue().encode("utf-8")


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--profile", action="store_true", help="run under cProfile and print the top functions")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sarv.settings")
    os.environ.setdefault("SARV_SECRET_KEY", "bench")
    os.environ.setdefault("SARV_HTTPS", "false")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from sarv.cmdb.importers.cis import import_cis
    from sarv.cmdb.models import CI
    from sarv.core.models import AuditLogEntry, TimelineEntry
    from sarv.testing import factories

    call_command("migrate", verbosity=0)
    if CI.objects.exists():
        raise SystemExit("cmdb_import_bench needs an empty CMDB")
    actor = factories.make_user("bench-cmdb", "بنچ", "سی‌ام‌دی‌بی", roles=["configuration_manager"])
    content = make_csv(args.rows, args.seed)
    result: dict[str, Any] = {"rows": args.rows, "seed": args.seed, "csv_bytes": len(content)}
    for label in ("first", "again"):
        counter = QueryCounter()
        audit_before, timeline_before = AuditLogEntry.objects.count(), TimelineEntry.objects.count()
        cpu0, started = time.process_time(), time.perf_counter()
        with connection.execute_wrapper(counter):
            if args.profile:
                import cProfile
                import pstats

                profiler = cProfile.Profile()
                report = profiler.runcall(import_cis, actor=actor, file_name="cis.csv", content=content,
                                          dry_run=False)
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
            else:
                report = import_cis(actor=actor, file_name="cis.csv", content=content, dry_run=False)
        seconds = time.perf_counter() - started
        data = report.as_dict()
        result[label] = {
            "seconds": round(seconds, 1), "client_cpu_s": round(time.process_time() - cpu0, 1),
            "rows_per_s": round(args.rows / seconds), "queries": counter.count,
            "created": data["created"], "updated": data["updated"], "unchanged": data["unchanged"],
            "rejected": data["rejected"], "audit_rows": AuditLogEntry.objects.count() - audit_before,
            "timeline_rows": TimelineEntry.objects.count() - timeline_before,
            "load_average": [round(x, 1) for x in os.getloadavg()],
        }
        print(json.dumps({label: result[label]}), file=sys.stderr, flush=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
