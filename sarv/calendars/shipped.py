"""What Sarv ships: the official Iranian holidays (data/iran-holidays.csv) and four calendar templates.

``install`` is idempotent and works on a migration's historical models as well as on the live ones.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

from sarv.calendars.choices import SHIPPED_HOLIDAY_SET_KEY

HOLIDAYS_CSV = Path(__file__).resolve().parent / "data" / "iran-holidays.csv"
BASE_DATE = dt.date(2000, 1, 1)

_SAT_WED = range(5)
_THURSDAY = 5


def _hours(days: Any, start: str, end: str) -> list[tuple[int, int, int]]:
    def minute(text: str) -> int:
        hours, minutes = text.split(":")
        return int(hours) * 60 + int(minutes)

    return [(day, minute(start), minute(end)) for day in days]


# (key, Persian name, English name, holiday mode, default?, [(weekday, start minute, end minute)])
# The government templates' hours are a starting point: administrators set them, since they change by season
# and by province.
TEMPLATES: list[tuple[str, str, str, str, bool, list[tuple[int, int, int]]]] = [
    ("labour_law", "هفتهٔ کاری قانون کار", "Labour-law week", "shipped", True,
     _hours(_SAT_WED, "08:00", "16:00") + _hours([_THURSDAY], "08:00", "12:00")),
    ("head_office", "ستاد، پنجشنبه تعطیل", "Head office, Thursday closed", "shipped", False,
     _hours(_SAT_WED, "07:00", "14:00")),
    ("provincial", "ادارهٔ استانی، پنجشنبه صبح", "Provincial office, Thursday mornings", "shipped", False,
     _hours(_SAT_WED, "07:00", "14:00") + _hours([_THURSDAY], "07:00", "12:00")),
    ("24x7", "شبانه‌روزی (۲۴×۷)", "24×7", "none", False, _hours(range(7), "00:00", "24:00")),
]


def read_holidays_csv(path: Path = HOLIDAYS_CSV) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def install(apps: Any = None) -> None:
    """Create the shipped holiday list, its holidays and the four templates where they are missing."""
    if apps is None:
        from django.apps import apps as live_apps

        apps = live_apps
    holiday_set_model = apps.get_model("calendars", "HolidaySet")
    holiday_model = apps.get_model("calendars", "Holiday")
    calendar_model = apps.get_model("calendars", "Calendar")
    version_model = apps.get_model("calendars", "CalendarVersion")
    interval_model = apps.get_model("calendars", "WeeklyInterval")
    data_version_model = apps.get_model("calendars", "DataVersion")

    data_version_model.objects.get_or_create(pk=1, defaults={"value": 0})
    holiday_set, created = holiday_set_model.objects.get_or_create(
        key=SHIPPED_HOLIDAY_SET_KEY,
        defaults={"name_fa": "تعطیلات رسمی ایران", "name_en": "Official Iranian holidays", "is_shipped": True},
    )
    if created:
        holiday_model.objects.bulk_create([
            holiday_model(
                holiday_set=holiday_set, date=dt.date.fromisoformat(row["gregorian_date"]), name_fa=row["name_fa"],
                name_en=row["name_en"], kind=row["kind"], is_estimated=row["estimated"] == "yes",
                note=row["note"][:500],
            )
            for row in read_holidays_csv()
        ])
    has_default = calendar_model.objects.filter(is_default=True).exists()
    for key, name_fa, name_en, mode, is_default, hours in TEMPLATES:
        if calendar_model.objects.filter(template_key=key).exists():
            continue
        calendar = calendar_model.objects.create(
            name_fa=name_fa, name_en=name_en, template_key=key, holiday_mode=mode,
            is_default=is_default and not has_default, time_zone="Asia/Tehran",
        )
        version = version_model.objects.create(calendar=calendar, effective_from=BASE_DATE)
        interval_model.objects.bulk_create([
            interval_model(version=version, weekday=day, start_minute=start, end_minute=end)
            for day, start, end in hours
        ])
