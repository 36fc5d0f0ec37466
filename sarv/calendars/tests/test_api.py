"""The calendars API: administrators only; the same actions and messages as the pages."""

import pytest

from sarv.calendars.models import Calendar, Closure, Holiday
from sarv.calendars.tests.helpers import jd
from sarv.core.api.testing import token_client

pytestmark = pytest.mark.django_db

BASE = "/api/v1/calendars/"


def test_only_administrators(agent, admin_user):
    assert token_client(agent).get(BASE).status_code == 403
    response = token_client(admin_user).get(BASE)
    assert response.status_code == 200
    assert response.json()["results"][0]["template_key"] == "labour_law"


def test_create_and_edit_a_calendar(admin_user, service_desk):
    client = token_client(admin_user)
    week = [{"weekday": 0, "start": "08:00", "end": "12:00"}, {"weekday": 0, "start": "13:00", "end": "24:00"}]
    response = client.post(BASE, {"name_fa": "شیفت", "owner_group": service_desk.pk, "week": week}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    calendar_id = body["calendar"]["id"]
    assert body["calendar"]["versions"][0]["intervals"][1] == {"weekday": 0, "start": "13:00", "end": "24:00"}
    assert body["moved"] == []
    response = client.put(f"{BASE}{calendar_id}/", {"name_fa": "شیفت", "week": week[:1]}, format="json")
    assert response.status_code == 400 and response.json()["field"] == "effective_from"
    response = client.put(f"{BASE}{calendar_id}/", {"name_fa": "شیفت", "week": week[:1],
                                                    "effective_from": "۱۴۰۴/۰۷/۰۱"}, format="json")
    assert response.status_code == 200
    assert [v["effective_from"] for v in response.json()["calendar"]["versions"]] == ["2000-01-01", "2025-09-23"]
    bad = client.post(BASE, {"name_fa": "بد", "week": [{"weekday": 0, "start": "12:00", "end": "08:00"}]},
                      format="json")
    assert bad.status_code == 400 and "ends before it starts" in bad.json()["message"]


def test_hour_sets(admin_user):
    client = token_client(admin_user)
    calendar = Calendar.objects.get(template_key="labour_law")
    response = client.post(f"{BASE}hour-sets/", {
        "calendar": calendar.pk, "name_fa": "رمضان", "start_date": "1404/12/01", "end_date": "1404/12/29",
        "week": [{"weekday": d, "start": "09:00", "end": "14:00"} for d in range(5)]}, format="json")
    assert response.status_code == 201, response.json()
    hour_set_id = response.json()["hour_set"]["id"]
    assert client.get(f"{BASE}hour-sets/?calendar={calendar.pk}").json()["count"] == 1
    assert client.delete(f"{BASE}hour-sets/{hour_set_id}/").status_code == 200


def test_holidays_list_add_confirm_import_export(admin_user):
    client = token_client(admin_user)
    listing = client.get(f"{BASE}holidays/?year=1405").json()
    assert listing["count"] > 20 and listing["results"][0]["jalali_date"] == "1405-01-01"
    bad = client.post(f"{BASE}holidays/", {"date": "1404/12/30", "name_fa": "x", "kind": "solar"}, format="json")
    assert bad.status_code == 400 and "not a leap year" in bad.json()["message"]
    added = client.post(f"{BASE}holidays/", {"date": "۱۴۰۳/۱۲/۳۰", "name_fa": "آخرین روز سال", "kind": "solar"},
                        format="json")
    assert added.status_code == 201 and added.json()["holiday"]["date"] == "2025-03-20"
    estimated = Holiday.objects.filter(is_estimated=True)[0]
    confirmed = client.post(f"{BASE}holidays/{estimated.pk}/confirm/").json()
    assert confirmed["holiday"]["is_estimated"] is False and confirmed["holiday"]["confirmed_by"]["username"] == "admin"
    count = Holiday.objects.count()
    response = client.post(f"{BASE}holidays/import/", {
        "csv": "jalali_date,name_fa,kind\n1407/01/01,نوروز,solar\n1407/13/01,بد,solar\n"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["line"] == 3 and Holiday.objects.count() == count
    response = client.post(f"{BASE}holidays/import/", {"csv": "jalali_date,name_fa,kind\n1407/01/01,نوروز,solar\n"},
                           format="json")
    assert response.status_code == 200 and response.json()["imported"] == 1
    export = client.get(f"{BASE}holidays/export/?year=1407")
    assert export["Content-Type"].startswith("text/csv")
    assert export.content.decode().splitlines()[1].startswith("1407-01-01,2028-03-20,نوروز")


def test_closures_and_reverse(admin_user, service_desk):
    client = token_client(admin_user)
    response = client.post(f"{BASE}closures/", {
        "start_date": "1404/09/10", "whole_day": False, "start_time": "10:00", "exempt_groups": [service_desk.pk],
        "reason": "آلودگی هوا", "announced_by": "استانداری"}, format="json")
    assert response.status_code == 201, response.json()
    closure_id = response.json()["closure"]["id"]
    assert Closure.objects.get(pk=closure_id).start_date == jd(1404, 9, 10)
    assert client.post(f"{BASE}closures/{closure_id}/reverse/").json()["closure"]["is_reversed"] is True
    again = client.post(f"{BASE}closures/{closure_id}/reverse/")
    assert again.status_code == 400 and again.json()["code"] == "invalid"


def test_preview(admin_user):
    client = token_client(admin_user)
    calendar = Calendar.objects.get(template_key="labour_law")
    response = client.post(f"{BASE}preview/", {"calendar": calendar.pk, "start": "2025-03-18T20:00:00+03:30",
                                               "seconds": 8 * 3600}, format="json")
    assert response.status_code == 200, response.json()
    # Shipped holidays: 1403/12/29 is not in the list (it is 1403), Nowruz 1404/01/01-04 is.
    body = response.json()
    assert body["due"] is not None and body["open_intervals"]
    response = client.post(f"{BASE}preview/", {"calendar": calendar.pk, "start": "2025-04-23T15:00:00+03:30",
                                               "end": "2025-04-26T10:00:00+03:30"}, format="json")
    assert response.json()["elapsed_seconds"] == 3 * 3600
    assert client.post(f"{BASE}preview/", {"calendar": calendar.pk, "start": "2025-04-23T15:00:00+03:30"},
                       format="json").status_code == 400


def test_large_change_returns_pending_run(admin_user, monkeypatch,
                                                           django_capture_on_commit_callbacks):
    from sarv.calendars import actions, hooks
    from sarv.calendars.models import RecomputeRun

    monkeypatch.setattr(actions, "SYNC_RECOMPUTE_LIMIT", 0)

    def one_record(scope):
        return 1

    hooks.register_recompute(lambda scope: [], count=one_record)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = token_client(admin_user).post(f"{BASE}holidays/", {
                "date": "1404/07/05", "name_fa": "تعطیلی ناگهانی", "kind": "special"}, format="json")
    finally:
        hooks._handlers.pop()
        hooks._counters.remove(one_record)
    assert response.status_code == 201, response.json()
    run = RecomputeRun.objects.get()
    assert response.json()["moved"] == [] and response.json()["recompute_pending"] == run.pk
    assert (run.status, run.moved_total) == ("done", 0)
