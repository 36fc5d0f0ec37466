#!/usr/bin/env python3
"""SLA clocks: the time to recompute every clock of 100,000 open records after a calendar change.

    .venv/bin/python bench/sla_recompute.py                 # full run: writes bench/results/ and docs/benchmarks.md
    .venv/bin/python bench/sla_recompute.py --profile       # also profiles one change with pyinstrument
    .venv/bin/python bench/sla_recompute.py --records 5000 --database sarv_bench_sla_small --no-docs   # smoke run

Steps, on PostgreSQL:

1. Database `sarv_bench_sla` (`--database`): created, migrated and filled by
   `bench/generate.py --incidents N --open-only --seed 42` (open incidents with timelines over two
   years) unless it already holds exactly N open incidents.
2. Agreements: an SLA with first-response and per-priority resolution targets and an OLA for the
   busiest support group, both on the default calendar ("labour-law week" with the shipped holidays),
   created once. The first recompute fills the clock cache (timed as "initial fill").
3. Calendar change: a holiday is added to the shipped holiday list through
   `sarv.calendars.actions.save_holiday`, which recomputes the clocks of every open record whose
   calendar uses that list and returns the due times that moved; then it is deleted again through
   `delete_holiday` (a second change). Each action is timed end to end, as an administrator's
   save would run it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.machine import describe_machine, describe_versions  # noqa: E402
from bench.report import number, replace_section, save_json, table  # noqa: E402

SECTION = "sla"
PAGE = ROOT / "docs" / "benchmarks.md"
RESULTS = ROOT / "bench" / "results"
PG_URL = "postgres://postgres@127.0.0.1:5432"


def prepare_database(database: str, records: int, seed: int) -> dict:
    """Create and fill the database unless it already holds exactly ``records`` open incidents."""
    env = {**os.environ, "DATABASE_URL": f"{PG_URL}/{database}", "SARV_SECRET_KEY": "bench"}
    exists = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc",
                             f"SELECT 1 FROM pg_database WHERE datname = '{database}'"],
                            capture_output=True, text=True, check=True).stdout.strip() == "1"
    timings: dict = {"reused": exists}
    if not exists:
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", "-T", "template0", "-E", "UTF8",
                        "--lc-collate=C.UTF-8", "--lc-ctype=C.UTF-8", database], check=True)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    count = int(subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-tAc",
                                "SELECT count(*) FROM incidents_incident"],
                               capture_output=True, text=True, check=True).stdout.strip())
    if count == 0:
        began = time.monotonic()
        subprocess.run([sys.executable, "bench/generate.py", "--incidents", str(records), "--open-only",
                        "--seed", str(seed)], cwd=ROOT, env=env, check=True)
        timings["generate_seconds"] = round(time.monotonic() - began, 1)
    elif count != records:
        raise SystemExit(f"database {database} holds {count:,} incidents, not {records:,}; drop it or pass "
                         "another --database")
    os.environ["DATABASE_URL"] = env["DATABASE_URL"]
    os.environ["SARV_SECRET_KEY"] = env["SARV_SECRET_KEY"]
    return timings


def remove_leftover_holidays() -> None:
    """Delete the holidays an interrupted earlier run added, before anything is timed."""
    from sarv.calendars.actions import bump_data_version
    from sarv.calendars.models import Holiday

    deleted, _rows = Holiday.objects.filter(name_en__startswith="Bench closure").delete()
    if deleted:
        bump_data_version()


def cache_facts() -> dict:
    from django.db import connection

    from sarv.incidents.models import Incident
    from sarv.sla.models import Clock

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) sla_clock")
    return {
        "open_records": Incident.objects.open().count(),
        "clocks": Clock.objects.count(),
        "open_clocks": Clock.objects.filter(is_open=True).count(),
        "timeline_entries_of_open_records": _timeline_count(),
    }


def _timeline_count() -> int:
    from django.contrib.contenttypes.models import ContentType

    from sarv.core.models import TimelineEntry
    from sarv.incidents.models import Incident

    content_type = ContentType.objects.get_for_model(Incident)
    return TimelineEntry.objects.filter(content_type=content_type,
                                        object_id__in=Incident.objects.open().values("pk")).count()


def timed(action):  # type: ignore[no-untyped-def]
    began_wall, began_cpu = time.perf_counter(), time.process_time()
    outcome = action()
    return outcome, round(time.perf_counter() - began_wall, 2), round(time.process_time() - began_cpu, 2)


def calendar_change_rounds(rounds: int, profile_path: Path | None) -> list[dict]:
    """Add a holiday to the shipped list and delete it again, ``rounds`` times with a holiday a few days
    ahead and once with a holiday a month ago (which reaches every running clock); time each action.

    With ``profile_path``, one more add-and-delete of the past holiday runs afterwards under pyinstrument,
    untimed, so the profiler's overhead stays out of the figures.
    """
    from bench.generate import ensure_admin
    from sarv.calendars import actions as calendar_actions
    from sarv.calendars.choices import SHIPPED_HOLIDAY_SET_KEY
    from sarv.calendars.hooks import ChangeScope
    from sarv.calendars.models import HolidaySet
    from sarv.sla.recompute import count_changed

    actor = ensure_admin()
    holiday_set = HolidaySet.objects.get(key=SHIPPED_HOLIDAY_SET_KEY)
    today = dt.datetime.now(dt.UTC).date()

    def add(index: int, day: dt.date) -> tuple:
        values = {"date": day, "name_fa": f"تعطیلی آزمون {index + 1}", "name_en": f"Bench closure {index + 1}",
                  "kind": "special"}
        return calendar_actions.save_holiday(actor=actor, holiday_set=holiday_set, holiday=None, values=values)

    def records_for(day: dt.date) -> int:
        return count_changed(ChangeScope.of(calendar_actions.calendars_using(holiday_set), since=day))

    days = [("ahead", today + dt.timedelta(days=3 + index)) for index in range(rounds)]
    days.append(("past", today - dt.timedelta(days=30)))
    measured = []
    for index, (when, day) in enumerate(days):
        records = records_for(day)
        (holiday, moved), wall, cpu = timed(lambda index=index, day=day: add(index, day))
        measured.append({"change": f"add holiday ({when})", "day": holiday.date.isoformat(), "wall_seconds": wall,
                         "cpu_seconds": cpu, "records_recomputed": records, "moved_due_times": len(moved)})
        moved, wall, cpu = timed(lambda h=holiday: calendar_actions.delete_holiday(actor=actor, holiday=h))
        measured.append({"change": f"delete holiday ({when})", "day": holiday.date.isoformat(),
                         "wall_seconds": wall, "cpu_seconds": cpu, "records_recomputed": records,
                         "moved_due_times": len(moved)})
        print(f"{when} {day}: {records} records, add {measured[-2]['wall_seconds']} s, delete {wall} s", flush=True)

    if profile_path is not None:
        from pyinstrument import Profiler

        profiler = Profiler()
        profiler.start()
        holiday, _moved = add(len(days), days[-1][1])
        profiler.stop()
        calendar_actions.delete_holiday(actor=actor, holiday=holiday)
        profile_path.parent.mkdir(parents=True, exist_ok=True)
        profile_path.write_text(profiler.output_text(unicode=True, color=False, show_all=False), encoding="utf-8")
    return measured


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="sarv_bench_sla")
    parser.add_argument("--records", type=int, default=100_000, help="open incidents (default 100000)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--rounds", type=int, default=2, help="add-and-delete rounds (default 2)")
    parser.add_argument("--profile", action="store_true",
                        help="profile one more (untimed) change with pyinstrument into "
                             "var/bench/sla-recompute-profile.txt")
    parser.add_argument("--no-docs", action="store_true", help="do not write bench/results/ or docs/benchmarks.md")
    parser.add_argument("--baseline", type=Path, default=None, metavar="RESULT.json",
                        help="an earlier result to show as 'before' next to this run")
    parser.add_argument("--render", type=Path, default=None, metavar="RESULT.json",
                        help="only rewrite the docs section from a saved result")
    args = parser.parse_args()
    if args.render:
        import json

        saved = args.render.resolve()
        replace_section(PAGE, SECTION, render(json.loads(saved.read_text(encoding="utf-8")), saved))
        return 0

    machine = describe_machine()
    preparation = prepare_database(args.database, args.records, args.seed)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sarv.settings")
    # Time the recompute itself: above this many records the pages would hand it to a background task.
    os.environ["SARV_SYNC_RECOMPUTE_LIMIT"] = str(10**9)
    import django

    django.setup()
    from bench.generate import ensure_agreements
    from sarv.sla.recompute import recompute_open

    agreements = ensure_agreements()
    remove_leftover_holidays()
    _moved, fill_wall, fill_cpu = timed(lambda: recompute_open(None))
    print(f"initial fill: {fill_wall} s", flush=True)
    facts = cache_facts()
    _moved, full_wall, full_cpu = timed(lambda: recompute_open(None))
    print(f"full recompute: {full_wall} s", flush=True)
    profile_path = ROOT / "var" / "bench" / "sla-recompute-profile.txt" if args.profile else None
    changes = calendar_change_rounds(args.rounds, profile_path)
    walls = [change["wall_seconds"] for change in changes]
    result = {
        "benchmark": "sla", "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": args.database, "records": args.records, "seed": args.seed, "machine": machine,
        "versions": describe_versions(), "postgresql": _server_version(), "preparation": preparation,
        "agreements": agreements, "facts": facts,
        "initial_fill": {"wall_seconds": fill_wall, "cpu_seconds": fill_cpu},
        "full_recompute": {"wall_seconds": full_wall, "cpu_seconds": full_cpu},
        "changes": changes,
        "change_wall_seconds": {"median": statistics.median(walls), "min": min(walls), "max": max(walls)},
        "profile": str(profile_path.relative_to(ROOT)) if profile_path else None,
    }
    if args.baseline:
        import json

        result["before"] = _before(json.loads(args.baseline.resolve().read_text(encoding="utf-8")), args.baseline)
    if args.no_docs:
        import json

        print(json.dumps(result, indent=2))
        return 0
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%MZ")
    path = RESULTS / f"{stamp}-sla.json"
    save_json(path, result)
    replace_section(PAGE, SECTION, render(result, path))
    print(f"calendar change: median {result['change_wall_seconds']['median']} s; wrote {path.relative_to(ROOT)}")
    return 0


def _before(baseline: dict, path: Path) -> dict:
    """The figures of an earlier run, kept in this result so that the page can compare them."""
    return {"result": path.name, "measured_at": baseline["measured_at"],
            "load_average_at_start": baseline["machine"]["load_average_at_start"],
            "initial_fill": baseline["initial_fill"], "full_recompute": baseline.get("full_recompute"),
            "changes": baseline["changes"], "change_wall_seconds": baseline["change_wall_seconds"]}


def _ab_text(ab: dict | None) -> str:
    """The back-to-back comparison of the clock computation alone (``bench/sla_ab_compute.py``), if recorded."""
    if not ab:
        return ""
    before = " and ".join(number(v, 2) for v in ab["before_cpu_seconds"])
    after = " and ".join(number(v, 2) for v in ab["after_cpu_seconds"])
    return (f"\n\nComputing the clocks of {number(ab['records'])} records without storing them, old and new code "
            f"back to back at the same load ({ab['command']}): {before} s CPU before, {after} s CPU after.")


def _server_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return str(cursor.fetchone()[0])


def render(result: dict, path: Path) -> str:
    machine, versions, facts = result["machine"], result["versions"], result["facts"]
    rows = [[change["change"], change["day"], number(change.get("records_recomputed", facts["open_records"])),
             number(change["wall_seconds"], 2), number(change["cpu_seconds"], 2), number(change["moved_due_times"])]
            for change in result["changes"]]
    full = result.get("full_recompute") or result["initial_fill"]
    per_second = facts["open_records"] / full["wall_seconds"]
    before = result.get("before")
    comparison = ""
    if before:
        def figure(entry: dict | None) -> str:
            return f"{number(entry['wall_seconds'], 1)} s ({number(entry['cpu_seconds'], 1)} s CPU)" if entry else "—"

        ahead = [c for c in result["changes"] if "ahead" in c["change"]]
        past = [c for c in result["changes"] if "past" in c["change"]]
        old = before["changes"]

        def median(changes: list[dict]) -> str:
            if not changes:
                return "—"
            return (f"{number(statistics.median(c['wall_seconds'] for c in changes), 2)} s "
                    f"({number(statistics.median(c['cpu_seconds'] for c in changes), 2)} s CPU)")

        comparison = "\n### Before and after\n\n" + table(["measure", "before", "after"], [
            ["load average at start", " / ".join(str(v) for v in before["load_average_at_start"]),
             " / ".join(str(v) for v in machine["load_average_at_start"])],
            ["recompute of every open record (cache filled)", figure(before.get("full_recompute")
                                                               or before["initial_fill"]), figure(full)],
            ["holiday a few days ahead: records recomputed", number(facts["open_records"]),
             " / ".join(number(c["records_recomputed"]) for c in ahead) or "—"],
            ["holiday a few days ahead: median time", median(old), median(ahead)],
            ["holiday a month ago (every running clock): median time", "—", median(past)],
        ]) + _ab_text(result.get("ab_compute")) + f"""

Before: `bench/results/{before['result']}` (measured {before['measured_at']}), the code before these changes on
the same database. The wall times depend on the load of the shared machine, so compare the CPU times. Changes:

- A calendar change recomputes only open records with a running or paused clock that followed a changed
  calendar (`Clock.calendar_ids`), on a covered site for a closure (`Clock.site_ids`). When the change starts after
  the current instant, clocks whose start, due time and next alert all fall before it are skipped too. Clocks
  that had stopped keep their stored rows.
- The replay chooses the agreement of each slot once per distinct record type, service, priority, department and
  category in a run, looks up the calendar engine with one dictionary access, and measures a phase once per
  calendar for all clocks on it. Records, timeline rows and clock rows are read as tuples; on PostgreSQL the
  timeline and clock rows come from a server-side cursor without Django's per-row converters.
- Only changed clock rows are written: new rows with one insert, changed rows with one
  `UPDATE ... FROM (VALUES ...)` per thousand rows.
"""
    return f"""## SLA clocks: recomputing every open record after a calendar change

Measured {result['measured_at']} (UTC) by `bench/sla_recompute.py`; raw results: `{path.relative_to(ROOT)}`.

### Machine and software

{table(["item", "value"], [
    ["CPU", f"{machine['nproc']} × {machine['cpu_model'] or 'unknown'} (shared with other work)"],
    ["load average at start", " / ".join(str(v) for v in machine["load_average_at_start"])],
    ["memory", f"{machine['memory_gb']} GB"],
    ["OS, kernel", f"{machine['os']}, {machine['kernel']}"],
    ["Python, Django", f"{versions['python']}, {versions.get('Django') or '?'}"],
    ["PostgreSQL", result["postgresql"]],
])}

### Command

```
make bench-sla   # runs: .venv/bin/python bench/sla_recompute.py --profile
```

### Data

{table(["item", "value"], [
    ["database", f"`{result['database']}` ({'reused' if result['preparation'].get('reused') else 'created'})"],
    ["open incidents", number(facts["open_records"])],
    ["their timeline entries", number(facts["timeline_entries_of_open_records"])],
    ["clock rows after the first fill", number(facts["clocks"])],
    ["agreements", ", ".join(result["agreements"])],
])}

The incidents come from `bench/generate.py --incidents {result['records']} --open-only --seed {result['seed']}`:
new, assigned, in progress or on hold, created over two years, each with its creation, assignment,
replies and status change in the timeline. Every clock follows the default calendar ("labour-law week"
with the shipped Iranian holidays of 1404–1406).

### Figures

Recompute of every open record (`recompute_open(None)`, as after an agreement change): first run
{number(result['initial_fill']['wall_seconds'], 1)} s wall, {number(result['initial_fill']['cpu_seconds'], 1)} s
CPU in the Python process (it rewrites every cache row whose stored values differ); second run, with the cache
filled, {number(full['wall_seconds'], 1)} s wall, {number(full['cpu_seconds'], 1)} s CPU (about
{number(per_second)} records per second).

Each calendar change below is one call of the calendars action, timed end to end: saving the holiday,
finding the open records whose running or paused clocks the change can move (clocks following a calendar that
uses the shipped list, with a start, due time or next alert on or after the holiday; for a date already past,
every running or paused clock), recomputing them, rewriting the cache rows that changed and collecting the
due times that moved (the list the administrator sees). The benchmark raises the limit above which the pages
hand the recompute to a background task, so the recompute itself is timed.

{table(["change", "holiday", "records recomputed", "wall s", "CPU s (Python)", "due times moved"], rows)}
{comparison}

### Limits

- One run on a shared 2-core machine: other programs ran at the same time (the load average above), so the
  wall times are an upper bound and the gap between wall and CPU time is mostly waiting for a core.
- Few due times moved: the generated open incidents were created over the last two years, so most running
  clocks breached long before the added holiday, and a holiday ahead reaches only the few clocks due after it.
  A holiday in the past reaches every running clock: that row is the worst case of a calendar change.
- Above 2,000 affected open records (`SARV_SYNC_RECOMPUTE_LIMIT`) the pages run the recompute as a background
  task and show the moved due times when it ends; the figures are the time of that task.
- The figures include the PostgreSQL time of reading the timelines and clock rows and writing the changed ones.

### Where the time goes

One more add-and-delete ran under pyinstrument after the timed rounds ({result.get('profile') or 'not run'}).
{result.get('profile_summary') or ''}
"""


if __name__ == "__main__":
    sys.exit(main())
