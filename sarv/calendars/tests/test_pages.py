"""Calendar pages: administrators only; editor, hour sets, holidays (Jalali, CSV), closures, preview."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sarv.calendars import hooks
from sarv.calendars.models import Calendar, CalendarVersion, Closure, Holiday, HolidaySet, RecomputeRun
from sarv.calendars.tests.helpers import jd

pytestmark = pytest.mark.django_db

PAGES = ["calendars:list", "calendars:create", "calendars:holidays", "calendars:closures", "calendars:preview",
         "calendars:holiday_import"]


@pytest.mark.parametrize("name", PAGES)
def test_pages_are_for_administrators(client, agent, admin_user, name):
    client.force_login(agent)
    assert client.get(reverse(name)).status_code == 403
    client.force_login(admin_user)
    assert client.get(reverse(name)).status_code == 200


def _grid(week):
    data = {}
    for day, spans in week.items():
        for slot, (start, end) in enumerate(spans):
            data[f"w{day}_{slot}_start"] = start
            data[f"w{day}_{slot}_end"] = end
    return data


def test_create_calendar_with_two_intervals_a_day(client, admin_user, service_desk):
    client.force_login(admin_user)
    data = {"name_fa": "شیفت صبح", "name_en": "Morning shift", "owner_group": service_desk.pk,
            "time_zone": "Asia/Tehran", "holiday_mode": "shipped", "is_active": "on",
            **_grid({0: [("۰۸:۰۰", "۱۲:۰۰"), ("13:00", "16:00")], 5: [("8", "12")]})}
    response = client.post(reverse("calendars:create"), data)
    assert response.status_code == 302
    calendar = Calendar.objects.get(name_en="Morning shift")
    rows = [(i.weekday, i.start_minute, i.end_minute) for i in calendar.versions.get().intervals.all()]
    assert rows == [(0, 480, 720), (0, 780, 960), (5, 480, 720)]
    page = client.get(reverse("calendars:edit", args=[calendar.pk]))
    assert 'value="08:00"' in page.content.decode() and 'value="13:00"' in page.content.decode()


def test_overlapping_intervals_keep_the_input_and_explain(client, admin_user):
    client.force_login(admin_user)
    data = {"name_fa": "نادرست", "time_zone": "Asia/Tehran", "holiday_mode": "shipped",
            **_grid({0: [("08:00", "12:00"), ("11:00", "16:00")], 1: [("09:00", "")]})}
    response = client.post(reverse("calendars:create"), data)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Enter both times" in text or "هر دو" in text
    assert not Calendar.objects.filter(name_fa="نادرست").exists()
    data = {**data, **_grid({1: [("09:00", "10:00")]})}
    response = client.post(reverse("calendars:create"), data)
    assert response.status_code == 200
    assert 'value="11:00"' in response.content.decode()
    assert not Calendar.objects.filter(name_fa="نادرست").exists()


def test_edit_with_effective_date_adds_a_version_and_shows_moved_dues(client, admin_user):
    moved = hooks.MovedDue("INC-1404-000001", "/incidents/1/", "Resolution",
                           dt.datetime(2025, 4, 27, 8, 30, tzinfo=dt.UTC),
                           dt.datetime(2025, 4, 28, 8, 30, tzinfo=dt.UTC))
    calls = []

    def fake_recompute(scope):
        calls.append(scope)
        return [moved]

    hooks.register_recompute(fake_recompute)
    try:
        client.force_login(admin_user)
        calendar = Calendar.objects.get(template_key="head_office")
        data = {"name_fa": calendar.name_fa, "name_en": calendar.name_en, "time_zone": "Asia/Tehran",
                "holiday_mode": "shipped", "is_active": "on", "effective_from": "1404/07/01",
                **_grid({d: [("07:30", "14:30")] for d in range(5)})}
        response = client.post(reverse("calendars:edit", args=[calendar.pk]), data)
        assert response.status_code == 302 and response.url == reverse("calendars:moved")
        page = client.get(response.url).content.decode()
        assert 'href="/incidents/1/"' in page and "۱۴۰۴/۰۲/۰۸ ۱۲:۰۰" in page
        assert calls == [hooks.ChangeScope.of({calendar.pk}, since=jd(1404, 7, 1))]
    finally:
        hooks._handlers.remove(fake_recompute)
    versions = list(CalendarVersion.objects.filter(calendar=calendar).values_list("effective_from", flat=True))
    assert versions == [dt.date(2000, 1, 1), jd(1404, 7, 1)]


def test_large_change_page_polls_until_done(
        client, admin_user, django_capture_on_commit_callbacks):
    moved = hooks.MovedDue("INC-1404-000007", "/incidents/7/", "Resolution",
                           dt.datetime(2025, 4, 27, 8, 30, tzinfo=dt.UTC),
                           dt.datetime(2025, 4, 28, 8, 30, tzinfo=dt.UTC))

    def fake_recompute(scope):
        return [moved]

    def fake_count(scope):
        return 5000  # above the limit of a recompute within the request

    hooks.register_recompute(fake_recompute, count=fake_count)
    try:
        client.force_login(admin_user)
        holiday_set = HolidaySet.objects.get(key="iran-official")
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = client.post(reverse("calendars:holiday_create") + f"?list={holiday_set.key}",
                                   {"date": "1404/07/05", "name_fa": "تعطیلی ناگهانی", "kind": "special"})
        assert response.status_code == 302 and response.url == reverse("calendars:moved")
        run = RecomputeRun.objects.get()
        assert (run.status, run.records) == ("pending", 5000)
        page = client.get(response.url).content.decode()
        assert 'id="moved-pending"' in page and "۵۰۰۰" in page
        assert f'hx-get="{reverse("calendars:moved_status")}"' in page and 'hx-trigger="every 3s"' in page
        assert "INC-1404-000007" not in page

        for callback in callbacks:
            callback()  # the immediate task backend runs the recompute here
        run.refresh_from_db()
        assert (run.status, run.moved_total) == ("done", 1)
        fragment = client.get(reverse("calendars:moved_status")).content.decode()
        assert 'href="/incidents/7/"' in fragment and "۱۴۰۴/۰۲/۰۸ ۱۲:۰۰" in fragment
        assert "hx-trigger" not in fragment and 'id="moved-pending"' not in fragment
        assert 'href="/incidents/7/"' in client.get(response.url).content.decode()
    finally:
        hooks._handlers.remove(fake_recompute)
        hooks._counters.remove(fake_count)


def test_holiday_list_in_jalali_and_leap_year_date(client, admin_user):
    client.force_login(admin_user)
    page = client.get(reverse("calendars:holidays") + "?year=1404").content.decode()
    assert "۱۴۰۴/۰۱/۰۱" in page and "۱۴۰۴/۱۲/۱۰" in page
    response = client.post(reverse("calendars:holiday_create") + "?list=iran-official",
                           {"date": "۱۴۰۴/۱۲/۳۰", "name_fa": "آزمون", "kind": "special", "list": "iran-official"})
    assert response.status_code == 200
    assert "۱۴۰۴" in response.content.decode() or "1404" in response.content.decode()
    assert not Holiday.objects.filter(name_fa="آزمون").exists()
    response = client.post(reverse("calendars:holiday_create") + "?list=iran-official",
                           {"date": "۱۴۰۳/۱۲/۳۰", "name_fa": "آخرین روز سال", "kind": "solar", "list": "iran-official"})
    assert response.status_code == 302
    assert Holiday.objects.get(name_fa="آخرین روز سال").date == dt.date(2025, 3, 20)


def test_confirm_an_estimated_holiday(client, admin_user):
    client.force_login(admin_user)
    holiday = Holiday.objects.filter(is_estimated=True)[0]
    client.post(reverse("calendars:holiday_confirm", args=[holiday.pk]))
    holiday.refresh_from_db()
    assert not holiday.is_estimated and holiday.confirmed_by == admin_user and holiday.confirmed_at


def test_import_reports_every_bad_row_and_saves_nothing(client, admin_user):
    client.force_login(admin_user)
    before = Holiday.objects.count()
    csv_text = ("jalali_date,name_fa,name_en,kind\n"
                "۱۴۰۷/۰۱/۰۱,نوروز,Nowruz,solar\n"
                "1404/12/30,روز بد,Bad,solar\n"
                "1407/01/02,,Empty,lunar\n"
                "1407/01/03,چیز,Thing,weird\n")
    upload = SimpleUploadedFile("h.csv", csv_text.encode(), content_type="text/csv")
    response = client.post(reverse("calendars:holiday_import") + "?list=iran-official",
                           {"file": upload, "list": "iran-official"})
    text = response.content.decode()
    assert response.status_code == 200 and 'id="import-errors"' in text
    for line in ("۳", "۴", "۵"):
        assert f"{line}" in text
    assert Holiday.objects.count() == before
    good = SimpleUploadedFile("h.csv", "jalali_date,name_fa,name_en,kind\n۱۴۰۷/۰۱/۰۱,نوروز,Nowruz,solar\n".encode(),
                              content_type="text/csv")
    response = client.post(reverse("calendars:holiday_import") + "?list=iran-official",
                           {"file": good, "list": "iran-official"}, follow=True)
    assert "۱ ردیف وارد شد." in response.content.decode() and Holiday.objects.count() == before + 1


def test_export_is_jalali_csv(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("calendars:holiday_export") + "?list=iran-official&year=1405")
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("jalali_date,gregorian_date")
    assert lines[1].startswith("1405-01-01,2026-03-21")
    assert all(line.startswith("1405-") for line in lines[1:])


def test_enter_and_reverse_a_closure(client, admin_user, service_desk):
    from sarv.accounts.models import Location

    client.force_login(admin_user)
    tehran_province = Location.objects.create(name_fa="تهران", name_en="Tehran", kind="province")
    response = client.post(reverse("calendars:closures"), {
        "start_date": "۱۴۰۴/۰۹/۱۰", "whole_day": "", "start_time": "10:00", "end_time": "",
        "locations": [tehran_province.pk], "exempt_groups": [service_desk.pk], "reason": "آلودگی هوا",
        "announced_by": "استانداری تهران",
    }, follow=True)
    assert "تعطیلی «آلودگی هوا» ذخیره شد." in response.content.decode()
    closure = Closure.objects.get()
    assert closure.start_date == jd(1404, 9, 10) == closure.end_date
    assert closure.start_time == dt.time(10) and closure.end_time is None and not closure.whole_day
    assert list(closure.exempt_groups.all()) == [service_desk]
    response = client.post(reverse("calendars:closure_reverse", args=[closure.pk]))
    assert response.status_code == 302
    assert client.get(reverse("calendars:moved")).status_code == 200
    closure.refresh_from_db()
    assert closure.is_reversed and closure.reversed_by == admin_user


def test_preview_page_gives_the_due_time(client, admin_user):
    client.force_login(admin_user)
    calendar = Calendar.objects.get(template_key="labour_law")
    response = client.get(reverse("calendars:preview"), {
        "calendar": calendar.pk, "start": "۱۴۰۴/۰۲/۰۳ ۰۹:۰۰", "hours": "۱۶"})
    text = response.content.decode()
    # 1404/02/04 (Thursday) is a shipped holiday: Wednesday 7 h, Saturday 8 h, Sunday 1 h.
    assert 'id="preview-due"' in text and "۱۴۰۴/۰۲/۰۷ ۰۹:۰۰" in text
    response = client.get(reverse("calendars:preview"), {
        "calendar": calendar.pk, "start": "1404/02/03 15:00", "end": "1404/02/06 10:00"})
    assert "۳:۰۰" in response.content.decode()  # Wednesday 1 h, Thursday a holiday, Saturday 2 h


def test_week_longer_than_the_grid_is_not_saved_from_the_page(client, admin_user):
    from sarv.calendars import actions

    client.force_login(admin_user)
    spans = [(0, 420, 480), (0, 540, 600), (0, 660, 720), (0, 780, 840)]
    calendar, _moved = actions.save_calendar(actor=admin_user, calendar=None, values={"name_fa": "چهار بازه"},
                                             week=spans)
    page = client.get(reverse("calendars:edit", args=[calendar.pk])).content.decode()
    assert "alert-warning" in page
    data = {"name_fa": "چهار بازه", "time_zone": "Asia/Tehran", "holiday_mode": "shipped", "is_active": "on",
            "effective_from": "1405/01/01", **_grid({0: [("07:00", "08:00")]})}
    response = client.post(reverse("calendars:edit", args=[calendar.pk]), data)
    assert response.status_code == 200
    assert calendar.versions.count() == 1 and calendar.versions.get().intervals.count() == 4


def test_copy_holiday_list_and_follow_it(client, admin_user):
    from sarv.calendars.models import HolidaySet

    client.force_login(admin_user)
    response = client.post(reverse("calendars:holiday_set_copy"), {"list": "iran-official", "name_fa": "فهرست اصفهان"})
    copied = HolidaySet.objects.get(name_fa="فهرست اصفهان")
    assert response.status_code == 302 and copied.key in response.url
    assert copied.holidays.count() == Holiday.objects.filter(holiday_set__key="iran-official").count()
    client.post(reverse("calendars:holiday_set_copy"), {"list": "iran-official", "name_fa": ""})
    assert HolidaySet.objects.count() == 2
