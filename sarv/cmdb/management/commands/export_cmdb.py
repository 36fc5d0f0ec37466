"""``manage.py export_cmdb FILE``: write every CI (or relationship) to CSV or .xlsx, readable by import_cmdb."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sarv.cmdb.importers import cis as importer
from sarv.cmdb.models import CI, Relationship


class Command(BaseCommand):
    help = "Export CIs or current relationships to a CSV or .xlsx file (the format import_cmdb reads)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--kind", choices=["cis", "relationships"], default="cis")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if options["kind"] == "cis":
            rows: Any = CI.objects.select_related("ci_class", "holder", "support_group", "location",
                                                  "holder_department").order_by("pk")
            content = importer.export_cis(rows, path.name)
        else:
            rows = Relationship.objects.current().select_related("source", "target").order_by("pk")
            content = importer.export_relationships(rows, path.name)
        path.write_bytes(content)
        self.stdout.write(f"wrote {len(rows)} rows to {path}")
