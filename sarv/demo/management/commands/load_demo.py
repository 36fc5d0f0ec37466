"""``manage.py load_demo``: load the Persian demo organisation once and print how to sign in."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from sarv.demo import loader


class Command(BaseCommand):
    help = (
        "Load the Persian demo organisation, a replayed slice of real incidents and sample conversations into an "
        "empty database, then print how to sign in. When the demo is already loaded it changes nothing."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        result = loader.load()
        self.stdout.write(result.message)
        if result.loaded and result.imported is not None:
            self.stdout.write(
                f"Created the demo organisation, {result.imported.created} incidents replayed from the UCI event log "
                f"and {result.filled} more to show every status, in {time.monotonic() - started:.1f} s."
            )
        if result.loaded or loader.is_loaded():
            for line in loader.login_help():
                self.stdout.write(line)
