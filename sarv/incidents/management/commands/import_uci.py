"""``manage.py import_uci PATH``: import the UCI ServiceNow incident event log (see docs/import.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sarv.incidents.importers.common import parse_instant, positive_argument, summary_lines, zone_argument
from sarv.incidents.importers.uci import UciFormatError, UciImport


class Command(BaseCommand):
    help = (
        "Import the UCI incident management event log (CSV or .csv.gz). Every event row is replayed into the "
        "incident's timeline or reported as rejected; running it again updates and appends only what changed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="incident_event_log.csv or incident_event_log.csv.gz")
        parser.add_argument("--limit", type=positive_argument, default=None,
                            help="import only the first N incidents by opening time")
        parser.add_argument("--until", default=None,
                            help="replay only events up to this ISO 8601 instant, in the file's time zone; "
                                 "incidents opened later are skipped")
        parser.add_argument("--batch-size", type=positive_argument, default=500,
                            help="incidents written per transaction (default 500)")
        parser.add_argument("--time-zone", type=zone_argument, default="UTC",
                            help="time zone of the file's timestamps (default UTC, as the file names none)")
        parser.add_argument("--no-progress", action="store_true", help="do not draw the progress bar on stderr")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"File not found: {path}")
        until = None
        if options["until"]:
            try:
                until = parse_instant(options["until"], options["time_zone"])
            except ValueError:
                raise CommandError(f"--until is not an ISO 8601 date or datetime: {options['until']}") from None
        importer = UciImport(path, until=until, limit=options["limit"], zone=options["time_zone"],
                             batch_size=options["batch_size"], progress=not options["no_progress"])
        try:
            summary = importer.run()
        except UciFormatError as error:
            raise CommandError(str(error)) from None
        for line in summary_lines(summary):
            self.stdout.write(line)
