"""Import or export a holiday list as CSV (Jalali dates).

    manage.py calendar_holidays export [--list iran-official] [--year 1405] [--output FILE]
    manage.py calendar_holidays import FILE --user admin [--list KEY] [--replace-years]

An import saves nothing when any row is bad, and prints every bad row.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sarv.accounts.models import User
from sarv.calendars import actions, selectors
from sarv.calendars.models import HolidaySet
from sarv.core.errors import SarvError


class Command(BaseCommand):
    help = "Import or export a holiday list as CSV with Jalali dates."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("direction", choices=["import", "export"])
        parser.add_argument("path", nargs="?", type=Path, help="CSV file to import")
        parser.add_argument("--list", dest="key", help="holiday list key (default: the official Iranian list)")
        parser.add_argument("--year", type=int, help="export one Jalali year")
        parser.add_argument("--output", type=Path, help="write the export here instead of standard output")
        parser.add_argument("--user", help="administrator recorded in the audit log (required)")
        parser.add_argument("--replace-years", action="store_true",
                            help="remove the list's holidays of the Jalali years in the file first")

    def handle(self, *args: Any, **options: Any) -> None:
        holiday_set = self._holiday_set(options["key"])
        actor = self._actor(options["user"])
        try:
            if options["direction"] == "export":
                text = actions.export_holidays(actor=actor, holiday_set=holiday_set, year=options["year"])
                if options["output"]:
                    options["output"].write_text(text, encoding="utf-8")
                else:
                    self.stdout.write(text, ending="")
                return
            if options["path"] is None:
                raise CommandError("give the CSV file to import")
            text = options["path"].read_text(encoding="utf-8-sig")
            result, moved = actions.import_holidays(actor=actor, holiday_set=holiday_set, text=text,
                                                    replace_years=options["replace_years"])
        except SarvError as error:
            raise CommandError(error.message) from None
        if not result.ok:
            for line, message in result.errors:
                sys.stderr.write(f"line {line}: {message}\n")
            raise CommandError(f"nothing imported: {len(result.errors)} bad rows")
        self.stdout.write(f"imported {len(result.rows)} rows into {holiday_set.key}; {len(moved)} due times moved")

    def _holiday_set(self, key: str | None) -> HolidaySet:
        found = HolidaySet.objects.filter(key=key).first() if key else selectors.shipped_holiday_set()
        if found is None:
            raise CommandError(f"no holiday list {key!r}")
        return found

    def _actor(self, username: str | None) -> User:
        if not username:
            raise CommandError("give --user: the administrator recorded in the audit log")
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username!r}")
        return user
