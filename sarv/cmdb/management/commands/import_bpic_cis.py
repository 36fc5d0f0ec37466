"""``manage.py import_bpic_cis [DIR] [--uci]``: CIs from BPIC 2014 and the UCI log, linked to imported incidents."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sarv.cmdb.importers.sources import import_bpic_cis, import_uci_cis
from sarv.cmdb.management.commands._actor import command_actor

# The data sets lie beside the checkout (../shared/data), as for `make import-bpic`.
DEFAULT_FOLDER = Path(__file__).resolve().parents[4].parent / "shared" / "data" / "bpic2014-rabobank-itil"


class Command(BaseCommand):
    help = ("Build CIs (CI name, type, subtype, service component) from the BPIC 2014 files in a folder and link "
            "the incidents import_bpic imported; with --uci also the CIs named by UCI incidents. Safe to run again.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path, nargs="?", default=DEFAULT_FOLDER)
        parser.add_argument("--uci", action="store_true", help="also link UCI incidents that carry a CI")
        parser.add_argument("--user", help="username to record as the actor (default: first configuration manager)")

    def handle(self, *args: Any, **options: Any) -> None:
        folder: Path = options["folder"]
        if not folder.is_dir():
            raise CommandError(f"Folder not found: {folder}")
        actor = command_actor(options.get("user"))
        summaries = [("BPIC 2014", import_bpic_cis(actor=actor, folder=folder))]
        if options["uci"]:
            summaries.append(("UCI", import_uci_cis(actor=actor)))
        for label, summary in summaries:
            self.stdout.write(
                f"{label}: CIs created {summary.cis_created}, updated {summary.cis_updated}, unchanged "
                f"{summary.cis_unchanged}; service components created {summary.services_created}; relationships "
                f"created {summary.relationships_created} (not allowed by the class rules "
                f"{summary.relationships_not_allowed}); incidents linked {summary.incidents_linked}, "
                f"naming a CI that was not found {summary.incidents_without_ci}"
            )
