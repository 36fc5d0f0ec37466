#!/usr/bin/env python3
"""Compare the clock computation of two checkouts on the SLA benchmark database, back to back.

    .venv/bin/python bench/sla_ab_compute.py /path/to/old/checkout
    .venv/bin/python bench/sla_ab_compute.py .

Loads and computes (without storing) the clocks of the first 20,000 open incidents of `sarv_bench_sla` twice and
prints the CPU time of each pass. Run it for both checkouts one after the other, so both see the same load.
"""

from __future__ import annotations

import os
import sys
import time

RECORDS = 20_000
CHUNK = 2000


def main() -> None:
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".")
    sys.path.insert(0, root)
    os.chdir(root)
    os.environ.update(DJANGO_SETTINGS_MODULE="sarv.settings", SARV_SECRET_KEY="bench",
                      DATABASE_URL="postgres://postgres@127.0.0.1:5432/sarv_bench_sla")
    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from sarv.incidents.models import Incident
    from sarv.sla import recompute

    ids = list(Incident.objects.open().order_by("pk").values_list("pk", flat=True)[:RECORDS])
    now = timezone.now()
    rules = recompute.load_rules()
    for _round in range(2):
        began_cpu, began_wall = time.process_time(), time.perf_counter()
        resolver = recompute.CalendarResolver()
        with transaction.atomic():
            for start in range(0, len(ids), CHUNK):
                chunk = ids[start:start + CHUNK]
                if hasattr(recompute, "compute_values"):  # the new code: records as values
                    columns, keys = recompute._row_values(Incident)
                    rows = Incident.objects.filter(pk__in=chunk).order_by("pk").values_list(*columns)
                    index = recompute.RuleIndex(recompute.rules_for(Incident, rules))
                    recompute.compute_values(Incident, [dict(zip(keys, row, strict=True)) for row in rows], now=now,
                                             index=index, resolver=resolver)
                else:
                    records = list(Incident.objects.filter(pk__in=chunk).order_by("pk"))
                    recompute.compute_records(Incident, records, now=now, rules=rules, resolver=resolver)
        print(f"{root}: computed {len(ids)} records in {time.process_time() - began_cpu:.2f} s CPU, "
              f"{time.perf_counter() - began_wall:.2f} s wall", flush=True)


if __name__ == "__main__":
    main()
