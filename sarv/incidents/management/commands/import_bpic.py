"""``manage.py import_bpic DIR``: import the BPI Challenge 2014 (Rabobank) incident files (see docs/import.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sarv.incidents.importers.bpic import BpicFormatError, BpicImport
from sarv.incidents.importers.common import positive_argument, summary_lines, zone_argument


class Command(BaseCommand):
    help = (
        "Import the BPIC 2014 incident files found in a folder: the at-open view, the activity subset and the raw "
        "Detail_Incident / Detail_Incident_Activity exports. Running it again updates and appends only what changed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path, help="folder holding the BPIC 2014 CSV files (.csv or .csv.gz)")
        parser.add_argument("--batch-size", type=positive_argument, default=500,
                            help="incidents written per transaction (default 500)")
        parser.add_argument("--time-zone", type=zone_argument, default="UTC",
                            help="time zone of the files' timestamps (default UTC, as the files name none)")
        parser.add_argument("--no-progress", action="store_true", help="do not draw the progress bar on stderr")

    def handle(self, *args: Any, **options: Any) -> None:
        folder: Path = options["folder"]
        if not folder.is_dir():
            raise CommandError(f"Folder not found: {folder}")
        importer = BpicImport(folder, zone=options["time_zone"], batch_size=options["batch_size"],
                              progress=not options["no_progress"])
        try:
            summary = importer.run()
        except BpicFormatError as error:
            raise CommandError(str(error)) from None
        for line in summary_lines(summary):
            self.stdout.write(line)
