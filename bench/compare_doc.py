"""Render a Sarv-against-django-helpdesk result (bench/compare.py) as the peer section of docs/benchmarks.md."""

from __future__ import annotations

from typing import Any

from bench.report import number, table

LIMITS = """\
What limits these figures:

- **One machine for everything.** Server, PostgreSQL and the locust client share the same cores,
  so a figure under load includes the client's own CPU. Both products pay that the same way.
- **Other programs.** The column "foreign CPU" is the mean number of cores that programs other
  than the server, PostgreSQL and locust used during the scenario; a scenario above the run's
  limit was run again and the discarded figures stay in the JSON file. Figures measured with
  foreign CPU above 0.3 cores are slower than on an idle machine.
- **Latency scenarios use one client**, so p95 and p99 describe one request at a time, not
  queueing. p99 of a 200-request scenario is its second slowest request.
- **The agent list differs by design.** Sarv renders the page with its rows (page 500 as the
  HTMX fragment its "next" link fetches, with a keyset cursor); django-helpdesk sends an HTML
  shell and then the rows as JSON (DataTables). Page 1 is timed as both requests one after the
  other, page 500 as the JSON request alone, which is what each browser waits for. django-helpdesk
  sorts by one column only (priority), Sarv by priority, then age.
- **Search differs by design.** Sarv searches a trigram-indexed key of number, title and
  description; django-helpdesk runs ten `LIKE '%term%'` conditions across joined tables.
- **Creation** runs Sarv's whole path: numbering, audit log, timeline, SLA clocks under the generated
  agreements, notifications queued to the task table (the rows are counted before and after, and each
  created incident is checked for its clocks, audit row and notifications); django-helpdesk sends its
  notification e-mails to Django's dummy back end and has no SLA clocks.
- **Scenarios only Sarv has** (CMDB impact analysis, SLA clock recomputation after a calendar change)
  have no counterpart in django-helpdesk, so they have no ratio.
- **Data.** Both data sets come from the same seeded generator and distributions at the same
  volume; each timeline row of a Sarv incident is a follow-up of the django-helpdesk ticket.
- **django-helpdesk is configured for this many accounts.** The data set has about 2,000 requester
  accounts. With its defaults, django-helpdesk lists every active user as a possible owner and CC on
  the list page, the ticket page and the ticket form, so each of those requests (creation through the
  API included) loads all of them. The peer runs with `HELPDESK_STAFF_ONLY_TICKET_OWNERS` and
  `HELPDESK_STAFF_ONLY_TICKET_CC` on, as an administrator with that many accounts would set them; Sarv
  likewise offers only agents. Runs before 2026-12-05 06:26 UTC used the defaults, which made
  django-helpdesk's creation 2.5 times and its ticket page 3.8 times slower (in process, 100,000 tickets).
"""


def _summary_row(name: str, product: str, entry: dict[str, Any] | None) -> list[str]:
    if not entry:
        return [name, product, "–", "–", "–", "–", "–", "–", "–"]
    s = entry["summary"]
    if name and entry.get("rerun"):
        name += " (again)"
    return [name, product, number(s.get("p50_ms"), 1), number(s.get("p95_ms"), 1), number(s.get("p99_ms"), 1),
            number(s.get("throughput_rps"), 1), f"{s['n']} / {s['errors']}", str(s.get("users", "")),
            number(s.get("foreign_cpu_cores"), 2)]


def _memory(product: dict[str, Any]) -> str:
    memory = product.get("memory", {})
    peak = memory.get("peak", {})
    now = memory.get("now", {})
    return (f"peak RSS per worker {number(peak.get('worker_peak_rss_mb_max'), 1)} MB, RSS now (max) "
            f"{number(now.get('rss_mb_max'), 1)} MB, PSS of all workers {number(now.get('pss_mb_sum'), 1)} MB")


def render(result: dict[str, Any], result_path: str) -> str:
    sarv, peer = result.get("sarv", {}), result.get("helpdesk", {})
    machine, versions = result["machine"], result["versions"]
    peer_versions = peer.get("install", {}).get("versions", {})
    facts = sarv.get("dataset", {}).get("facts", {})
    before = sarv.get("dataset", {}).get("row_counts_before", {})
    records = facts.get("incidents")
    lines = [
        "## Sarv and django-helpdesk side by side" if peer else f"## Sarv at {number(records)} incidents",
        "",
        f"Measured {result['started_at']} by `{result['command']}` in {result['duration_s'] / 60:.0f} minutes; "
        f"raw figures: `{result_path}`.",
        "",
        table(["item", "value"], [
            ["machine", f"{machine['nproc']} cores ({machine['cpu_model']}), {machine['memory_gb']} GB, "
                        f"{machine['os']}, kernel {machine['kernel']}"],
            ["load average", f"{machine['load_average_at_start']} at the start, "
                             f"{machine.get('load_average_at_end')} at the end"],
            ["PostgreSQL", f"{result['postgresql'].get('server_version')}, shared_buffers "
                           f"{result['postgresql'].get('shared_buffers')}, work_mem "
                           f"{result['postgresql'].get('work_mem')}"],
            ["Sarv", f"Python {versions['python']}, Django {versions['Django']}, gunicorn {versions['gunicorn']}, "
                     f"{result['options']['workers']} sync workers"],
            ["django-helpdesk", ", ".join(f"{k} {v}" for k, v in peer_versions.items()) or "not run"],
            ["load driver", f"locust {versions.get('locust')}, headless, one process per scenario"],
        ]),
        "",
        "### Commands",
        "",
        "```bash",
        "make bench        # = bench/run.py (foundation), then:" if peer else "make bench-1m     # =",
        result["command"],
        "# Sarv server:",
        sarv.get("server", {}).get("command", ""),
        "# django-helpdesk server (its own venv, bench/helpdesk_peer/hdsite):",
        peer.get("server", {}).get("command", "not run"),
        "# each scenario:",
        next(iter(sarv.get("scenarios", {}).values()), {}).get("command", ""),
        "```",
        "",
        "### Data sets",
        "",
        table(["", "Sarv", "django-helpdesk"], [
            ["records", number(sarv.get("dataset", {}).get("facts", {}).get("incidents")),
             number(peer.get("dataset", {}).get("facts", {}).get("tickets"))],
            ["database size before / after the run (MB)",
             f"{number(sarv.get('dataset', {}).get('size', {}).get('database_mb'), 1)} / "
             f"{number(sarv.get('dataset', {}).get('size_after', {}).get('database_mb'), 1)}",
             f"{number(peer.get('dataset', {}).get('size', {}).get('database_mb'), 1)} / "
             f"{number(peer.get('dataset', {}).get('size_after', {}).get('database_mb'), 1)}"],
            ["audit rows before / after", _counts(sarv, "core_auditlogentry"), "–"],
            ["notifications before / after", _counts(sarv, "core_notification"), "–"],
            ["queued tasks (notification e-mails) before / after",
             _counts(sarv, "django_tasks_database_dbtaskresult"), "–"],
            ["SLA agreements in force", ", ".join(facts.get("bench_agreements") or []) or "none", "none"],
            ["SLA clock rows before / after", _counts(sarv, "sla_clock"), "–"],
            ["open incidents with SLA clocks before the run",
             f"{number(before.get('open_incidents_with_sla_state'))} of {number(facts.get('open_incidents'))}",
             "–"],
            ["CMDB", f"{number(facts.get('cis'))} CIs, {number(facts.get('relationships'))} relationships", "–"],
        ]),
        "",
        *_switched_on(sarv),
        "### Figures",
        "",
        "Milliseconds per request as the client waits for it; throughput = successful requests per "
        "second of the scenario's wall time; n / errors = requests timed / failed.",
        "",
    ]
    rows = []
    names = list(dict.fromkeys([*sarv.get("scenarios", {}), *peer.get("scenarios", {})]))
    for name in names:
        rows.append(_summary_row(name, "Sarv", sarv.get("scenarios", {}).get(name)))
        if name in peer.get("scenarios", {}):
            rows.append(_summary_row("", "django-helpdesk", peer["scenarios"][name]))
    lines += [table(["scenario", "product", "p50", "p95", "p99", "req/s", "n / errors", "clients", "foreign CPU"],
                    rows), ""]
    for rerun in result.get("reruns", []):
        again = sorted({name for replaced in rerun["replaced"].values() for name in replaced})
        lines += [f"Measured again on both products at {rerun['started_at']} (load average "
                  f"{rerun['load_average_at_start']}) by `{rerun['command']}`, because other programs had slowed "
                  f"them: {', '.join(f'`{name}`' for name in again)}. The first figures stay in the JSON file "
                  "under `reruns`.", ""]
    titles = [f"- `{name}`: {(sarv.get('scenarios', {}).get(name) or peer['scenarios'][name])['title']}"
              + (f"; django-helpdesk: {peer['scenarios'][name]['title']}" if name in peer.get("scenarios", {})
                 else "") for name in names]
    lines += ["Scenarios:", "", *titles, ""]
    if result.get("ratios"):
        lines += ["### Ratios (Sarv ÷ django-helpdesk)", "",
                  "Below 1 is better for latency, above 1 is better for throughput.", "",
                  table(["scenario", "p50", "p95", "p99", "throughput"],
                        [[name, *(number(value, 2) for value in row.values())]
                         for name, row in result["ratios"].items()]), ""]
    lines += ["### Goals", "", table(["goal", "measured", "met"],
                                     [[goal, number(value["value"], 2), "yes" if value["met"] else "**no**"]
                                      for goal, value in result.get("goals", {}).items()]), ""]
    transfer = sarv.get("transfer")
    if transfer and "total_kb" in transfer:
        lines += ["### First visit of the agent list", "",
                  f"`{transfer['path']}` in Chromium with an empty cache: {len(transfer['requests'])} requests, "
                  f"**{transfer['total_kb']} KB** on the wire (headers and compressed bodies), requests to other "
                  f"origins: {', '.join(transfer['other_origins']) or 'none'}.", "",
                  table(["request", "type", "encoding", "KB"],
                        [[f"`{r['url'][:70]}`", r["type"], r["encoding"],
                          number((r["body_bytes"] + r["header_bytes"]) / 1024, 1)] for r in transfer["requests"]]),
                  ""]
    replay = sarv.get("in_process", {}).get("requests")
    if replay:
        lines += ["### Sarv's server time without HTTP", "",
                  f"Each request replayed through Django's test client after the run (`{sarv['in_process']['command']}`"
                  "): the time inside Django, the part of it spent in SQL, and the number of queries.", "",
                  table(["request", "server ms (median)", "SQL ms", "queries"],
                        [[name, number(row.get("in_process_ms_median"), 1), number(row.get("sql_ms"), 1),
                          str(row.get("queries"))] for name, row in replay.items()]), ""]
    lines += _create_profile(sarv.get("create_profile"))
    lines += ["### Memory", "", f"- Sarv: {_memory(sarv)}"]
    if peer:
        lines += [f"- django-helpdesk: {_memory(peer)}", "", LIMITS]
    else:
        lines += ["", "What limits these figures: one client at a time on the same two cores as PostgreSQL and "
                  "locust, so a p95 here is the client's time, an upper bound of the server's; the goal is "
                  "under 100 ms of server time. The in-process table above is the server's time alone."]
    return "\n".join(lines)


def _create_profile(profile: dict[str, Any] | None) -> list[str]:
    if not profile or "statements" not in profile:
        return []
    kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(profile["by_kind"].items(), key=lambda i: -i[1]))
    wanted = ("sarv/", "rest_framework/serializers.py", "rest_framework/fields.py", "db/models/query.py",
              "sql/compiler.py", "backends/utils.py", "contrib/auth")
    rows = [line for line in profile["profile"][1:] if any(part in line for part in wanted)][:28]
    return ["### Where an API creation spends its time", "",
            f"One creation through Django's test client after the run (`{profile['command']}`), with the SLA "
            f"agreements in force: **{profile['statements']} SQL statements** ({kinds}); median "
            f"{number(profile['in_process_ms_median'], 1)} ms inside Django over {profile['repeat']} creations "
            f"(fastest {number(profile['in_process_ms_min'], 1)} ms). cProfile of {profile['repeat']} more "
            "creations, sorted by cumulative time (Sarv's functions and the Django and DRF layers they spend in; "
            "the JSON file holds the whole listing):", "",
            "```", profile["profile"][0], *rows, "```", ""]


def _switched_on(sarv: dict[str, Any]) -> list[str]:
    """A sentence saying what each incident created during the run got: the proof that nothing was switched off."""
    data = sarv.get("dataset", {})
    created = data.get("created_during_run")
    lines = []
    if created:
        lines += [f"Sarv ran with its audit log, SLA clocks and notifications on: of the "
                  f"{number(created['incidents'])} incidents the run created, "
                  f"{number(created['with_open_clocks'])} have running SLA clocks, "
                  f"{number(created['with_audit_row'])} an audit row and {number(created['with_notifications'])} "
                  "notifications to their group (queued e-mails go to the task table; no worker sends them "
                  "during the run).", ""]
    reach = data.get("sarv_only", {})
    if reach.get("holiday_day"):
        lines += [f"The SLA scenario adds and removes a holiday on {reach['holiday_day']}. Each change recomputes "
                  "the open records with a clock it can move: "
                  f"{number(reach.get('holiday_reach_after', reach.get('holiday_reach')))} when it ran, of which "
                  f"{number(reach.get('holiday_reach'))} generated ones (their clocks were created over two years "
                  "and mostly breached long ago) and the rest created by the creation scenarios.", ""]
    return lines


def _counts(product: dict[str, Any], table_name: str) -> str:
    data = product.get("dataset", {})
    before = data.get("row_counts_before", {}).get(table_name)
    after = data.get("row_counts_after", {}).get(table_name)
    return f"{number(before)} / {number(after)}"
