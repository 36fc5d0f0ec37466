"""Management commands: calendar_preview and calendar_holidays."""

import io

import pytest
from django.core.management import CommandError, call_command

from sarv.calendars.models import Holiday

pytestmark = pytest.mark.django_db


def test_calendar_preview_due_and_elapsed():
    out = io.StringIO()
    call_command("calendar_preview", "--start", "۱۴۰۴/۰۲/۰۳ ۰۹:۰۰", "--hours", "16", stdout=out)
    assert "due:      2025-04-27 09:00 +0330 = Jalali 1404/02/07 09:00" in out.getvalue()
    out = io.StringIO()
    call_command("calendar_preview", "--calendar", "24x7", "--start", "2022-09-21T00:00+04:30",
                 "--end", "1401/06/31 00:00", stdout=out)
    assert "elapsed:  25:00:00" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("calendar_preview", "--start", "1404/02/03 09:00")
    with pytest.raises(CommandError):
        call_command("calendar_preview", "--start", "soon", "--hours", "1")


def test_calendar_holidays_import_and_export(tmp_path, admin_user):
    out = io.StringIO()
    call_command("calendar_holidays", "export", "--year", "1404", "--user", "admin", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[1].startswith("1404-01-01,2025-03-21")
    bad = tmp_path / "bad.csv"
    bad.write_text("jalali_date,name_fa,kind\n1404/12/30,x,solar\n", encoding="utf-8")
    count = Holiday.objects.count()
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("calendar_holidays", "import", str(bad), "--user", "admin")
    good = tmp_path / "good.csv"
    good.write_text("jalali_date,name_fa,kind\n۱۴۰۸/۱۲/۳۰,آخرین روز سال,solar\n", encoding="utf-8")
    call_command("calendar_holidays", "import", str(good), "--user", "admin", stdout=io.StringIO())
    assert Holiday.objects.count() == count + 1
    with pytest.raises(CommandError):
        call_command("calendar_holidays", "export")
