"""The scenarios only Sarv has, measured in the same run as the others and reported without a ratio.

- ``cmdb_impact_down``: impact analysis of each of the ten core switches of the generated CMDB
  (100,000 CIs, 500,000 relationships; bench/cmdb_generate.py), downwards to depth 6, first page
  of 200 nodes through ``GET /api/v1/cmdb/cis/<id>/impact/``. The switches carry between about
  8,000 and 25,000 dependants, so this is the heaviest question a CMDB user asks.
- ``cmdb_impact_up``: what each of 200 business services depends on, upwards to depth 6.
- ``sla_holiday``: an administrator adds a holiday a few working days ahead to the shipped list
  through ``POST /api/v1/calendars/holidays/`` and removes it again with ``DELETE``. Each of the
  two changes recomputes, inside the request, the SLA clocks of every open record that the
  holiday can move (those with a running clock due after it; ``sarv.calendars.actions``); one
  execution is both changes. It runs after the creation scenarios, so the incidents created
  there, whose clocks run, are among the records recomputed.

Importing this module adds the three to ``compare.SARV_ONLY_SCENARIOS``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bench import compare, dataset
from bench.loadgen import Plan
from bench.pgdb import Server

IMPACT_PATH = "/api/v1/cmdb/cis/{}/impact/"
HOLIDAY_PATH = "/api/v1/calendars/holidays/"
# Iranian weekend days (Python weekday numbers): Thursday afternoon and Friday are off in most offices.
WEEKEND = (3, 4)


def _token(username: str) -> dict[str, Any]:
    return {"kind": "token", "token_path": "/api/v1/auth/token/", "username": username,
            "password": dataset.BENCH_PASSWORD}


def holiday_day(today: dt.date, ahead: int = 3) -> dt.date:
    """Return the first working day at least ``ahead`` days after ``today``."""
    day = today + dt.timedelta(days=ahead)
    while day.weekday() in WEEKEND:
        day += dt.timedelta(days=1)
    return day


def facts(server: Server, database: str) -> dict[str, Any]:
    """Read the CMDB roots the plans use, pick the holiday day and count the records a holiday that day reaches."""
    day = holiday_day(dt.datetime.now(dt.UTC).date())
    with server.connect(database) as connection:
        switches = [row[0] for row in connection.execute(
            "SELECT id FROM cmdb_ci WHERE name_en LIKE 'L0-%%' ORDER BY id").fetchall()]
        services = [row[0] for row in connection.execute(
            "SELECT id FROM cmdb_ci WHERE name_en LIKE 'L6-%%' ORDER BY id LIMIT 200").fetchall()]
    return {"core_switches": switches, "business_services": services, "holiday_day": day.isoformat(),
            "holiday_reach": holiday_reach(server, database, day)}


def holiday_reach(server: Server, database: str, day: dt.date) -> int:
    """Count the open records with a running or paused clock that a holiday on ``day`` can move, selected as the
    recompute selects them: a start, due time or next alert on or after the day, or running without a due time."""
    with server.connect(database) as connection:
        row = connection.execute(
            "SELECT count(DISTINCT c.object_id) FROM sla_clock c JOIN incidents_incident i ON i.id = c.object_id "
            "WHERE c.is_open AND c.stopped_at IS NULL AND i.status NOT IN ('resolved', 'closed', 'cancelled') "
            "AND (c.due_at >= %s OR c.next_alert_at >= %s OR c.started_at >= %s "
            "OR (c.state = 'running' AND c.due_at IS NULL))", [day, day, day]).fetchone()
    return int(row[0]) if row else 0


def _impact_plan(scenario: str, title: str, roots: list[int] | None, direction: str,
                 options: compare.Options) -> Plan | None:
    """Build the plan of an impact analysis from each of ``roots`` in ``direction``, to depth 6, 200 nodes."""
    if not roots:
        return None
    return Plan(scenario, title, _token(dataset.AGENT),
                [[compare._step(IMPACT_PATH.format(pk), [["direction", direction], ["depth", "6"]],
                                label=f"/api/v1/cmdb/cis/<id>/impact/ {direction}", expect='"nodes"')]
                 for pk in roots], options.read, kind="sarv-only")


def impact_down(options: compare.Options, found: dict[str, Any]) -> Plan | None:
    return _impact_plan("cmdb_impact_down", "CMDB impact analysis: what fails with each of the 10 core switches "
                        "(down, depth 6, first 200 nodes)", found.get("sarv_only", {}).get("core_switches"), "down",
                        options)


def impact_up(options: compare.Options, found: dict[str, Any]) -> Plan | None:
    return _impact_plan("cmdb_impact_up", "CMDB impact analysis: what each of 200 business services depends on "
                        "(up, depth 6, first 200 nodes)", found.get("sarv_only", {}).get("business_services"), "up",
                        options)


def sla_holiday(options: compare.Options, found: dict[str, Any]) -> Plan | None:
    day = found.get("sarv_only", {}).get("holiday_day")
    if not day:
        return None
    body = {"date": day, "name_fa": "تعطیلی آزمون کارایی", "name_en": "Bench closure", "kind": "special"}
    add = compare._step(HOLIDAY_PATH, method="POST", status=(201,), label="POST holiday", json=body,
                        capture={"name": "holiday", "from": ["holiday", "id"]})
    remove = compare._step(HOLIDAY_PATH + "{holiday}/", method="DELETE", label="DELETE holiday")
    return Plan("sla_holiday", f"SLA clock recomputation: add a holiday on {day} through the API, then remove "
                "it (two calendar changes, each recomputing the open records it can move)", _token(dataset.ADMIN),
                [[add, remove]], options.change, kind="sarv-only")


compare.SARV_ONLY_SCENARIOS.extend([impact_down, impact_up, sla_holiday])
