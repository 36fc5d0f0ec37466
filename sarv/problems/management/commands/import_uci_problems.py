"""``manage.py import_uci_problems``: turn the UCI log's problem references into Sarv problems."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sarv.incidents.importers.uci import SYSTEM


class Command(BaseCommand):
    help = (
        "Create one problem per problem reference (problem_id) that import_uci stored on the incidents, with "
        "those incidents linked. Running it again creates nothing new and adds only missing links."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--system", default=SYSTEM, help=f"source system of the references (default {SYSTEM})")

    def handle(self, *args: Any, **options: Any) -> None:
        from sarv.problems.actions import import_problem_references

        began = time.monotonic()
        summary = import_problem_references(system=options["system"])
        elapsed = time.monotonic() - began
        self.stdout.write(f"Problems: {summary.problems_created:,} created, {summary.problems_found:,} already there")
        self.stdout.write(f"Links: {summary.links_created:,} created, {summary.links_present:,} already there")
        self.stdout.write(f"References skipped (blank): {summary.references_skipped:,}")
        self.stdout.write(f"Time taken: {elapsed:.1f} s")
