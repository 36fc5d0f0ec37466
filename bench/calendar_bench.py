"""Business calendar: due-time computations per second on one core.

    .venv/bin/python bench/calendar_bench.py            # full run, writes bench/results/ and docs/benchmarks.md
    .venv/bin/python bench/calendar_bench.py --quick    # smoke run, prints JSON only

The calendar is the shipped default ("labour-law week": Saturday-Wednesday 08:00-16:00, Thursday
08:00-12:00) with the shipped Iranian holidays of 1404-1406 (sarv/calendars/data/iran-holidays.csv),
built with the same engine the app uses. Each call is `BusinessCalendar.add(start, seconds)` with a
distinct random start instant over two years (1404-01-01 .. 1405-12-29, UTC instants as the database
returns them) and a random duration of 1 to 200 business hours, in seconds. Nothing memoises results:
every start is distinct and the engine keeps only its per-year index of open intervals. The process is
pinned to one CPU. Inputs are generated before the clock starts; a sample of results is checked with
`between()`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.machine import describe_machine, describe_versions  # noqa: E402
from bench.report import number, replace_section, save_json, table  # noqa: E402

SECTION = "calendar"
PAGE = ROOT / "docs" / "benchmarks.md"
RESULTS = ROOT / "bench" / "results"
GOAL_PER_SECOND = 100_000


def shipped_default_calendar():  # type: ignore[no-untyped-def]
    """The engine of the shipped default calendar with the shipped holidays, without a database."""
    from sarv.calendars.engine import BusinessCalendar, minute_to_time
    from sarv.calendars.shipped import BASE_DATE, TEMPLATES, read_holidays_csv

    key, _fa, _en, _mode, _default, hours = next(t for t in TEMPLATES if t[4])
    week: dict[int, list] = {}
    for day, start, end in hours:
        week.setdefault(day, []).append((minute_to_time(start), minute_to_time(end)))
    holidays = {dt.date.fromisoformat(row["gregorian_date"]) for row in read_holidays_csv()}
    calendar = BusinessCalendar(time_zone="Asia/Tehran", weeks=[(BASE_DATE, {d: tuple(v) for d, v in week.items()})],
                                holidays=holidays)
    return key, calendar, len(holidays)


def make_inputs(count: int, seed: int) -> list[tuple[dt.datetime, int]]:
    rng = random.Random(seed)
    first = dt.datetime(2025, 3, 20, 20, 30, tzinfo=dt.UTC)  # 1404-01-01 00:00 Tehran
    span = int((dt.datetime(2027, 3, 20, 20, 30, tzinfo=dt.UTC) - first).total_seconds())  # two Jalali years
    offsets = rng.sample(range(span * 1000), count)  # distinct starts, millisecond resolution
    return [(first + dt.timedelta(milliseconds=offset), rng.randint(3600, 200 * 3600)) for offset in offsets]


def run_round(calendar, inputs: list[tuple[dt.datetime, int]]) -> float:  # type: ignore[no-untyped-def]
    add = calendar.add
    gc.disable()
    try:
        began = time.perf_counter()
        for start, seconds in inputs:
            add(start, seconds)
        elapsed = time.perf_counter() - began
    finally:
        gc.enable()
    return len(inputs) / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=200_000, help="add() calls per round")
    parser.add_argument("--seed", type=int, default=1404)
    parser.add_argument("--quick", action="store_true", help="2 rounds of 20,000 calls; no files written")
    parser.add_argument("--cpu", type=int, default=None, help="CPU to pin to (default: the last allowed one)")
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.calls = 2, 20_000
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sarv.settings")
    machine = describe_machine()  # before pinning, so it reports every CPU
    allowed = sorted(os.sched_getaffinity(0))
    cpu = args.cpu if args.cpu is not None else allowed[-1]
    os.sched_setaffinity(0, {cpu})

    shipped_default_calendar()  # imports and reads the CSV once, outside the clock
    began = time.perf_counter()
    key, calendar, holiday_count = shipped_default_calendar()
    calendar.add(dt.datetime(2025, 3, 21, tzinfo=dt.UTC), 3600)  # builds the first year's index
    cold_ms = (time.perf_counter() - began) * 1000
    # A fresh engine per round, so each round also pays for building its index on first use.
    rounds = []
    for number_ in range(args.rounds):
        inputs = make_inputs(args.calls, args.seed + number_)
        _key, fresh, _count = shipped_default_calendar()
        rounds.append(run_round(fresh, inputs))
        checked = random.Random(number_).sample(inputs, 1000)
        for start, seconds in checked:
            assert fresh.between(start, fresh.add(start, seconds)) == seconds
    between_inputs = [(s, s + dt.timedelta(seconds=d * 3)) for s, d in make_inputs(args.calls, args.seed + 99)]
    began = time.perf_counter()
    for a, b in between_inputs:
        calendar.between(a, b)
    between_rate = len(between_inputs) / (time.perf_counter() - began)

    result = {
        "benchmark": "calendar", "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "calendar": key, "holiday_days": holiday_count, "rounds": args.rounds, "calls_per_round": args.calls,
        "seed": args.seed, "cpu": cpu, "machine": machine, "versions": describe_versions(),
        "add_per_second": {"median": statistics.median(rounds), "min": min(rounds), "max": max(rounds),
                           "rounds": rounds},
        "between_per_second": between_rate, "engine_build_and_first_year_ms": cold_ms,
        "goal_per_second": GOAL_PER_SECOND,
        "load_average_at_end": [round(value, 2) for value in os.getloadavg()],
    }
    if args.quick:
        import json

        print(json.dumps(result, indent=2))
        return 0
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%MZ")
    path = RESULTS / f"{stamp}-calendar.json"
    save_json(path, result)
    replace_section(PAGE, SECTION, render(result, path))
    print(f"add(): median {result['add_per_second']['median']:,.0f}/s; wrote {path.relative_to(ROOT)}")
    return 0


def render(result: dict, path: Path) -> str:
    machine, versions, add = result["machine"], result["versions"], result["add_per_second"]
    verdict = "the median meets it" if add["median"] >= GOAL_PER_SECOND else "the median misses it"
    return f"""## Business calendar: due-time computations per second

Measured {result['measured_at']} (UTC) by `bench/calendar_bench.py`; raw results: `{path.relative_to(ROOT)}`.

### Machine and software

{table(["item", "value"], [
    ["CPU", f"{machine['nproc']} × {machine['cpu_model'] or 'unknown'}; the run was pinned to CPU {result['cpu']}"],
    ["load average at start, at end", " / ".join(str(v) for v in machine["load_average_at_start"]) + ", "
     + " / ".join(str(v) for v in result["load_average_at_end"])],
    ["OS, kernel", f"{machine['os']}, {machine['kernel']}"],
    ["Python", versions["python"]],
])}

### Command

```
make bench-calendar   # runs: .venv/bin/python bench/calendar_bench.py
```

### What is measured

`BusinessCalendar.add(start, seconds)` on the shipped default calendar (`{result['calendar']}`: Saturday–Wednesday
08:00–16:00, Thursday 08:00–12:00, Friday closed, Asia/Tehran) with the shipped holidays
({result['holiday_days']} distinct days in 1404–1406). Each round makes {number(result['calls_per_round'])} calls with
distinct random start instants spread over two Jalali years (1404-01-01 to 1405-12-29) and random durations of
1 to 200 business hours; each round uses a new engine, so it also builds its per-year index on first use.
No result is memoised. 1,000 results a round are checked with `between()`.

### Results

{table(["figure", "median (min..max) over rounds", "goal"], [
    ["`add()` calls per second, one core", f"{add['median']:,.0f} ({add['min']:,.0f}..{add['max']:,.0f})",
     f"≥ {GOAL_PER_SECOND:,}: {verdict}"],
    ["`between()` calls per second, one core (one round)", f"{result['between_per_second']:,.0f}", "–"],
    ["building the engine and its first year's index", f"{result['engine_build_and_first_year_ms']:.1f} ms", "–"],
])}

### Limits

- One process on a shared virtual machine: other programs may have used the same core, which shows as a wide
  min..max range and a load average above the number of CPUs.
- The engine is measured without the database: building it from the database (`selectors.business_calendar`)
  costs a few queries once per data version and is cached; it is not part of these figures.
- The second benchmark of the SLA issue (recomputing every clock of 100,000 open records after a calendar
  change) belongs to the SLA app and has its own section.
"""


if __name__ == "__main__":
    sys.exit(main())
