"""Rebuild the SLA clock cache of every open record, for example after a bulk import that wrote no clocks."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from sarv.sla.recompute import recompute_open


class Command(BaseCommand):
    help = "Recompute the SLA clocks of every open record from its timeline and print how many due times moved."

    def handle(self, *args: Any, **options: Any) -> None:
        moved = recompute_open(None)
        self.stdout.write(f"Recomputed the clocks of every open record; {len(moved)} due times moved.")
