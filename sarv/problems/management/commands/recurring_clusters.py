"""``manage.py recurring_clusters``: print the largest clusters of recurring incidents in a period."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from sarv.core import jalali
from sarv.incidents.importers.common import positive_argument
from sarv.incidents.models import Incident
from sarv.problems import recurrence
from sarv.problems.choices import ClusterBasis
from sarv.problems.models import RecurrencePolicy


def _day(text: str, option: str) -> dt.date:
    try:
        return jalali.parse_date(text)
    except ValueError:
        raise CommandError(f"{option} is not a Jalali (1395/01/12) or ISO (2016-03-31) date: {text}") from None


def _bases(text: str) -> list[str]:
    chosen = [item.strip() for item in text.split(",") if item.strip()]
    unknown = [item for item in chosen if item not in ClusterBasis.values]
    if unknown:
        raise CommandError(f"--basis takes {', '.join(ClusterBasis.values)}; unknown: {', '.join(unknown)}")
    return chosen


class Command(BaseCommand):
    help = (
        "Print the largest clusters of recurring incidents (same configuration item, service, category or "
        "symptom) opened in a period. With --save, write them as proposals, as the periodic job does."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", help="first day, Jalali or ISO (default: --window days before --until)")
        parser.add_argument("--until", help="last day, Jalali or ISO (default: today)")
        parser.add_argument("--window", type=positive_argument, default=None,
                            help="days before --until when --since is not given (default: the policy's window)")
        parser.add_argument("--min", type=positive_argument, default=None, dest="min_incidents",
                            help="incidents that make a cluster (default: the policy's)")
        parser.add_argument("--top", type=positive_argument, default=20, help="clusters to print (default 20)")
        parser.add_argument("--basis", default="", help="comma-separated traits: ci, service, category, symptom "
                                                        "(default: the policy's)")
        parser.add_argument("--save", action="store_true", help="write the clusters as proposals")

    def handle(self, *args: Any, **options: Any) -> None:
        policy = RecurrencePolicy.current()
        zone = timezone.get_current_timezone()
        end = timezone.now()
        if options["until"]:
            last_day = _day(options["until"], "--until")
            end = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(0), tzinfo=zone) - \
                dt.timedelta(microseconds=1)
        if options["since"]:
            start = dt.datetime.combine(_day(options["since"], "--since"), dt.time(0), tzinfo=zone)
        else:
            start = end - dt.timedelta(days=options["window"] or policy.window_days)
        if end < start:
            raise CommandError("--until is before --since")
        min_incidents = options["min_incidents"] or policy.min_incidents
        if min_incidents < 2:
            raise CommandError("--min must be at least 2")
        bases = _bases(options["basis"]) if options["basis"] else policy.enabled_bases()

        began = time.monotonic()
        clusters = recurrence.find_clusters(start=start, end=end, min_incidents=min_incidents, bases=bases)
        elapsed = time.monotonic() - began
        self._print(clusters[:options["top"]])
        self.stdout.write(
            f"Clusters found: {len(clusters):,}, each of at least {min_incidents} incidents opened from "
            f"{jalali.format_date(start, 'fa')} ({start.astimezone(zone).date()}) to "
            f"{jalali.format_date(end, 'fa')} ({end.astimezone(zone).date()}), in {elapsed:.1f} s")
        if options["save"]:
            from sarv.problems.actions import run_recurrence_detection

            result = run_recurrence_detection(actor=None, start=start, end=end, min_incidents=min_incidents,
                                              bases=bases)
            counts = result.as_dict()
            self.stdout.write("Proposals: " + ", ".join(f"{name.replace('_', ' ')} {value:,}"
                                                        for name, value in counts.items()))

    def _print(self, clusters: list[recurrence.Cluster]) -> None:
        samples = {pk for cluster in clusters for pk in cluster.incident_ids[:3]}
        numbers = dict(Incident.objects.filter(pk__in=samples).values_list("pk", "number"))
        header = f"{'#':>3}  {'trait':<8} {'incidents':>9}  {'first':<10}  {'last':<10}  {'value':<40}  sample"
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for rank, cluster in enumerate(clusters, start=1):
            first = timezone.localtime(cluster.first_at).date().isoformat() if cluster.first_at else ""
            last = timezone.localtime(cluster.last_at).date().isoformat() if cluster.last_at else ""
            sample = ", ".join(numbers.get(pk, "") for pk in cluster.incident_ids[:3])
            self.stdout.write(f"{rank:>3}  {cluster.basis:<8} {cluster.count:>9,}  {first:<10}  {last:<10}  "
                              f"{cluster.label[:40]:<40}  {sample}")
