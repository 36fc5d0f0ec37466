"""``manage.py import_cmdb FILE``: import CIs or relationships from CSV or Excel; a dry run unless --apply."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sarv.cmdb.importers import cis as importer
from sarv.cmdb.management.commands._actor import command_actor
from sarv.core.errors import SarvError


class Command(BaseCommand):
    help = "Import CIs or relationships from a CSV or .xlsx file. Without --apply it only reports what would change."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--kind", choices=["cis", "relationships"], default="cis")
        parser.add_argument("--mapping", help='JSON {"field": "column"}; guessed from the header when absent')
        parser.add_argument("--apply", action="store_true", help="keep the changes (default: dry run)")
        parser.add_argument("--user", help="username to record as the actor")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"File not found: {path}")
        mapping = json.loads(options["mapping"]) if options.get("mapping") else None
        func = importer.import_cis if options["kind"] == "cis" else importer.import_relationships
        try:
            report = func(actor=command_actor(options.get("user")), file_name=path.name, content=path.read_bytes(),
                          mapping=mapping, dry_run=not options["apply"])
        except SarvError as error:
            raise CommandError(error.message) from None
        data = report.as_dict()
        for row in data["rows"]:
            if row["outcome"] == "rejected":
                self.stdout.write(f"row {row['row']}: rejected: {row['message']}")
        self.stdout.write(f"{'dry run' if report.dry_run else 'applied'}: created {data['created']}, updated "
                          f"{data['updated']}, unchanged {data['unchanged']}, rejected {data['rejected']}")
