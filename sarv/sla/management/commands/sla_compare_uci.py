"""``manage.py sla_compare_uci``: a sample SLA policy's attainment on the UCI import against ``made_sla``."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sarv.sla.uci_compare import (
    CALENDAR_CHOICES,
    DEFAULT_PAUSE_REASONS,
    HOUR,
    Confusion,
    Outcome,
    Policy,
    compare,
    parse_targets,
    sweep,
)

# The sample policy that matched made_sla best in the sweep (docs/sla-uci.md): round the clock, no pause.
DEFAULT_TARGETS = "1=1,2=1,3=96,4=240"
SWEEP_HOURS = (1, 2, 4, 8, 12, 24, 48, 72, 96, 120, 168, 240)
# A target no UCI incident reaches, so the sweep's clocks never breach and keep their full elapsed time.
NEVER = 10 ** 7


class Command(BaseCommand):
    help = (
        "Compute the resolution clocks of the imported UCI incidents under a sample SLA policy and compare "
        "their verdict with the data set's made_sla flag (confusion matrix, agreement rate, Cohen's kappa). "
        "Writes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--calendar", choices=CALENDAR_CHOICES, default="24x7",
                            help="business calendar of the policy (default 24x7)")
        parser.add_argument("--targets", default=DEFAULT_TARGETS,
                            help=f"resolution targets as PRIORITY=BUSINESS_HOURS pairs (default {DEFAULT_TARGETS})")
        parser.add_argument("--pause", default="",
                            help="on-hold reasons that pause the clock, comma-separated (for example "
                                 f"{','.join(sorted(DEFAULT_PAUSE_REASONS))}); default: none")
        parser.add_argument("--sweep", action="store_true",
                            help="also print, per calendar and priority, the agreement rate of a range of targets")
        parser.add_argument("--limit", type=int, default=None, help="compare only the first N incidents")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            targets = parse_targets(options["targets"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        pauses = frozenset(reason for reason in options["pause"].split(",") if reason)
        policy = Policy(calendar=options["calendar"], targets=targets, pause_reasons=pauses)
        started = time.monotonic()
        try:
            confusion, outcomes = compare(policy, limit=options["limit"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        self._report(policy, confusion, outcomes)
        if options["sweep"]:
            self._sweep(pauses, options["limit"])
        self.stdout.write(f"Time taken: {time.monotonic() - started:.1f} s")

    def _report(self, policy: Policy, confusion: Confusion, outcomes: list[Outcome]) -> None:
        write = self.stdout.write
        write(f"Policy: {policy.describe()}")
        write(f"Incidents compared: {confusion.decided:,} (resolved or closed UCI incidents with made_sla); "
              f"without a verdict: {confusion.undecided:,}")
        write("")
        write("                       made_sla true   made_sla false")
        write(f"  Sarv met             {confusion.both_met:>13,}   {confusion.sarv_met_flag_breached:>14,}")
        write(f"  Sarv breached        {confusion.sarv_breached_flag_met:>13,}   {confusion.both_breached:>14,}")
        write("")
        write(f"Agreement rate: {confusion.agreement:.1%}   Cohen's kappa: {confusion.kappa:.3f}")
        sarv_rate = (confusion.both_met + confusion.sarv_met_flag_breached) / confusion.decided \
            if confusion.decided else 0.0
        flag_rate = (confusion.both_met + confusion.sarv_breached_flag_met) / confusion.decided \
            if confusion.decided else 0.0
        write(f"Attainment: Sarv {sarv_rate:.1%}, made_sla {flag_rate:.1%}")
        write("")
        write("Per priority: incidents, agreement")
        for priority in sorted(confusion.by_priority):
            counter = confusion.by_priority[priority]
            total = counter["agree"] + counter["disagree"]
            rate = counter["agree"] / total if total else 0.0
            write(f"  P{priority}: {total:>6,}  {rate:.1%}")
        write("")
        self._disagreements(policy, outcomes)
        undecided = [o for o in outcomes if o.state not in ("met", "breached")]
        states = ", ".join(f"{state} {count:,}" for state, count in sorted(
            {o.state: sum(1 for u in undecided if u.state == o.state) for o in undecided}.items()))
        flagged = sum(1 for o in undecided if o.made_sla)
        write(f"Without a verdict: {len(undecided):,} ({states or 'none'}); made_sla true for {flagged:,} of them")

    def _disagreements(self, policy: Policy, outcomes: list[Outcome]) -> None:
        write = self.stdout.write
        decided = [o for o in outcomes if o.state in ("met", "breached")]
        groups = [
            ("All compared", decided),
            ("Agree", [o for o in decided if (o.state == "met") == o.made_sla]),
            ("Sarv met, made_sla false", [o for o in decided if o.state == "met" and not o.made_sla]),
            ("Sarv breached, made_sla true", [o for o in decided if o.state == "breached" and o.made_sla]),
        ]
        write("Traits (share of the group): reopened, reassigned at least once, paused time, "
              "elapsed within 25% of the target; median elapsed business hours")
        for label, found in groups:
            if not found:
                write(f"  {label}: none")
                continue
            total = len(found)
            reopened = sum(o.reopened for o in found) / total
            reassigned = sum(o.reassignments > 0 for o in found) / total
            paused = sum(o.paused > 0 for o in found) / total
            near = sum(abs(o.elapsed - policy.targets.get(o.priority, 0)) <= 0.25 * policy.targets.get(o.priority, 0)
                       for o in found) / total
            median = sorted(o.elapsed for o in found)[total // 2] / HOUR
            write(f"  {label}: {total:,}; reopened {reopened:.1%}; reassigned {reassigned:.1%}; paused {paused:.1%}; "
                  f"near the target {near:.1%}; median {median:.1f} h")

    def _sweep(self, pauses: frozenset[str], limit: int | None) -> None:
        write = self.stdout.write
        write("")
        write("Sweep: agreement with made_sla if priority P had a resolution target of H business hours")
        write(f"  paused on hold for: {', '.join(sorted(pauses)) or 'none'}")
        header = "  calendar    P  incidents " + " ".join(f"{hours:>6g}h" for hours in SWEEP_HOURS)
        write(header)
        for calendar in CALENDAR_CHOICES:
            policy = Policy(calendar=calendar, targets=dict.fromkeys((1, 2, 3, 4), NEVER), pause_reasons=pauses)
            _confusion, outcomes = compare(policy, limit=limit)
            for priority in (1, 2, 3, 4):
                rates = sweep(outcomes, priority, SWEEP_HOURS)
                count = rates[0][2] if rates else 0
                cells = " ".join(f"{rate:>7.1%}" for _hours, rate, _n in rates)
                write(f"  {calendar:<10} P{priority} {count:>9,} {cells}")
