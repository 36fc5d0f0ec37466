"""Show the due time (or the business time between two instants) on a calendar.

    manage.py calendar_preview --start "1404/02/03 09:00" --hours 16
    manage.py calendar_preview --calendar 3 --start 2025-04-23T09:00+03:30 --end "1404/02/06 10:00"
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from sarv.accounts.models import Location, SupportGroup
from sarv.calendars import engine, selectors
from sarv.calendars.models import Calendar
from sarv.core import jalali
from sarv.core.text import to_ascii_digits


def parse_instant(text: str) -> dt.datetime:
    """Jalali or Gregorian date and time in the configured zone, or ISO 8601 with an offset."""
    value = to_ascii_digits(text).strip()
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is not None and parsed.tzinfo is not None:
        return parsed
    try:
        return jalali.parse_datetime(value)
    except jalali.DateParseError:
        raise CommandError(
            f"cannot read the instant {text!r}; write 1404/02/03 09:00 or 2025-04-23T09:00+03:30") from None


class Command(BaseCommand):
    help = "Show the due time of a business duration, or the business time between two instants, on a calendar."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--calendar", help="calendar id or template key (default: the default calendar)")
        parser.add_argument("--start", required=True, help="start instant, e.g. '1404/02/03 09:00'")
        parser.add_argument("--hours", help="business hours to add (decimals allowed)")
        parser.add_argument("--end", help="measure the business time from start to this instant")
        parser.add_argument("--site", type=int, help="location id: closures covering it apply")
        parser.add_argument("--group", type=int, help="support group id: closures exempting it do not apply")

    def handle(self, *args: Any, **options: Any) -> None:
        calendar = self._calendar(options["calendar"])
        start = parse_instant(options["start"])
        seconds = None
        if options["hours"] is not None:
            try:
                seconds = int(Decimal(to_ascii_digits(options["hours"])) * 3600)
            except InvalidOperation:
                raise CommandError(f"--hours must be a number, not {options['hours']!r}") from None
            if seconds < 0:
                raise CommandError("--hours cannot be negative")
        end = parse_instant(options["end"]) if options["end"] else None
        if seconds is None and end is None:
            raise CommandError("give --hours (for a due time) or --end (for an elapsed time)")
        site = Location.objects.filter(pk=options["site"]).first() if options["site"] else None
        group = SupportGroup.objects.filter(pk=options["group"]).first() if options["group"] else None
        try:
            result = selectors.preview(calendar, start=start, seconds=seconds, end=end, site=site, group=group)
        except engine.CalendarError as error:
            raise CommandError(str(error)) from None
        zone = timezone.get_current_timezone()
        self.stdout.write(f"calendar: {calendar.pk} {calendar.name_en or calendar.name_fa}")
        self.stdout.write(f"start:    {self._both(start, zone)}")
        if result.due is not None:
            self.stdout.write(f"due:      {self._both(result.due, zone)}")
        if result.elapsed is not None:
            hours, rest = divmod(result.elapsed, 3600)
            self.stdout.write(f"elapsed:  {hours}:{rest // 60:02d}:{rest % 60:02d} business time ({result.elapsed} s)")

    def _calendar(self, key: str | None) -> Calendar:
        if not key:
            try:
                return selectors.default_calendar()
            except Calendar.DoesNotExist:
                raise CommandError("no calendar is defined") from None
        found = Calendar.objects.filter(pk=int(key)).first() if key.isdigit() else \
            Calendar.objects.filter(template_key=key).first()
        if found is None:
            raise CommandError(f"no calendar {key!r}")
        return found

    @staticmethod
    def _both(instant: dt.datetime, zone: Any) -> str:
        local = instant.astimezone(zone)
        return (f"{local:%Y-%m-%d %H:%M} {local.tzname()} = Jalali {_jalali(local)} = "
                f"{instant.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC")


def _jalali(local: dt.datetime) -> str:
    import jdatetime

    j = jdatetime.datetime.fromgregorian(datetime=local)
    return f"{j.year:04d}/{j.month:02d}/{j.day:02d} {local:%H:%M}"
