"""A calendar change recomputes only the clocks it can move, and large changes run in the background."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sarv.accounts.models import Location
from sarv.calendars import actions as calendar_actions
from sarv.calendars.hooks import ChangeScope
from sarv.calendars.models import Calendar, RecomputeRun
from sarv.incidents import actions
from sarv.incidents.models import Incident
from sarv.sla.models import Clock
from sarv.sla.recompute import count_changed, recompute_changed, recompute_open
from sarv.sla.tests.helpers import at, bump_calendar_data, jalali, make_agreement, make_calendar
from sarv.sla.tests.test_kinds import report


def _day(moment: dt.datetime) -> dt.date:
    return moment.date()


def _holidays(calendar: Calendar) -> Any:
    assert calendar.holiday_set is not None
    return calendar.holiday_set.holidays


def _rows(incident: Incident) -> dict[tuple[str, str], tuple[Any, ...]]:
    return {(c.slot, c.metric): (c.pk, c.due_at, c.computed_at, c.state, c.breached_at)
            for c in Clock.objects.filter(object_id=incident.pk)}


def test_recompute_skips_other_calendars(requester: Any, service_desk: Any,
                                                                   network_group: Any, agent: Any) -> None:
    desk_calendar = make_calendar("desk", owner_group=service_desk)
    network_calendar = make_calendar("network", owner_group=network_group)
    make_agreement(calendar_source="group", targets={"resolution": 16})
    with at(jalali(1404, 2, 6, 8)):
        on_desk = actions.create_incident(actor=agent, requester=requester, title="چاپگر کار نمی‌کند",
                                          assigned_group=service_desk)
        on_network = actions.create_incident(actor=agent, requester=requester, title="شبکه قطع است",
                                             assigned_group=network_group)
    assert Clock.objects.get(object_id=on_desk.pk, metric="resolution").calendar_ids == f",{desk_calendar.pk},"
    before = _rows(on_network)

    # A holiday on Sunday for the desk's calendar only.
    _holidays(desk_calendar).create(date=_day(jalali(1404, 2, 7)), name_fa="تعطیل", kind="special")
    scope = ChangeScope.of({desk_calendar.pk}, since=_day(jalali(1404, 2, 7)))
    with at(jalali(1404, 2, 6, 9)):
        bump_calendar_data()
        assert count_changed(scope) == 1
        moved = recompute_changed(scope)

    assert [(m.record_label, m.new_due) for m in moved] == [(on_desk.number, jalali(1404, 2, 8, 16))]
    assert _rows(on_network) == before
    assert count_changed(ChangeScope.of({network_calendar.pk, desk_calendar.pk})) == 2
    assert count_changed(ChangeScope.of(set())) == 0


def test_recompute_skips_clocks_due_earlier(requester: Any) -> None:
    calendar = make_calendar()
    make_agreement(calendar=calendar, targets={"resolution": 4})
    early = report(requester, jalali(1404, 2, 6, 8))   # due Saturday 12:00
    late = report(requester, jalali(1404, 2, 6, 14))   # due Sunday 10:00
    with at(jalali(1404, 2, 6, 15)):
        # A holiday from Sunday reaches only the clock due on Sunday; a change of Saturday reaches both.
        assert count_changed(ChangeScope.of({calendar.pk}, since=_day(jalali(1404, 2, 7)))) == 1
        assert count_changed(ChangeScope.of({calendar.pk}, since=_day(jalali(1404, 2, 6)))) == 2
        assert count_changed(ChangeScope.of({calendar.pk})) == 2
    assert {early.pk, late.pk} == set(Incident.objects.values_list("pk", flat=True))


def test_stopped_clocks_keep_their_history(requester: Any, agent: Any, resolution_code: Any) -> None:
    calendar = make_calendar()
    make_agreement(calendar=calendar, targets={"resolution": 4, "first_response": 2})
    incident = report(requester, jalali(1404, 2, 6, 8))
    with at(jalali(1404, 2, 6, 9)):
        actions.add_reply(actor=agent, incident=incident, body="در حال بررسی هستیم.")
    kept = _rows(incident)[("sla", "first_response")]
    assert kept[3] == "met"

    # Saturday becomes a holiday after the fact: the running resolution clock moves, the met reply does not.
    _holidays(calendar).create(date=_day(jalali(1404, 2, 6)), name_fa="تعطیل", kind="special")
    with at(jalali(1404, 2, 6, 10)):
        bump_calendar_data()
        moved = recompute_changed(ChangeScope.of({calendar.pk}, since=_day(jalali(1404, 2, 6))))
    rows = _rows(incident)
    assert rows[("sla", "first_response")] == kept
    assert rows[("sla", "resolution")][1] == jalali(1404, 2, 7, 12)
    assert [m.clock_label for m in moved] and all("first" not in m.clock_label.lower() for m in moved)
    incident.refresh_from_db()
    assert (incident.sla_due_at, incident.sla_state) == (jalali(1404, 2, 7, 12), "running")

    # A full rebuild (an agreement changed) recomputes the history too.
    with at(jalali(1404, 2, 6, 10)):
        recompute_open(None)
    assert _rows(incident)[("sla", "first_response")][2] != kept[2]


def test_closure_recomputes_covered_sites_only(requester: Any, admin_user: Any) -> None:
    tehran = Location.objects.create(name_fa="تهران", kind="province")
    tehran_site = Location.objects.create(name_fa="ساختمان مرکزی", kind="site", parent=tehran)
    isfahan = Location.objects.create(name_fa="اصفهان", kind="province")
    isfahan_site = Location.objects.create(name_fa="دفتر اصفهان", kind="site", parent=isfahan)
    make_agreement(calendar=make_calendar(), targets={"resolution": 12})
    requester.location = tehran_site
    requester.save(update_fields=["location"])
    in_tehran = report(requester, jalali(1404, 2, 6, 8))
    requester.location = isfahan_site
    requester.save(update_fields=["location"])
    in_isfahan = report(requester, jalali(1404, 2, 6, 8))
    assert Clock.objects.get(object_id=in_tehran.pk).site_ids == f",{tehran_site.pk},"
    untouched = _rows(in_isfahan)

    # Sunday closed in the province of Tehran (air pollution), entered on Saturday afternoon.
    with at(jalali(1404, 2, 6, 15)):
        closure, moved = calendar_actions.save_closure(actor=admin_user, values={
            "start_date": _day(jalali(1404, 2, 7)), "whole_day": True, "reason": "آلودگی هوا",
            "announced_by": "استانداری تهران", "locations": [tehran]})
        assert count_changed(calendar_actions.closure_scope(closure)) == 1
    assert [(m.record_label, m.new_due) for m in moved] == [(in_tehran.number, jalali(1404, 2, 8, 12))]
    assert _rows(in_isfahan) == untouched

    with at(jalali(1404, 2, 6, 16)):
        _closure, moved = calendar_actions.reverse_closure(actor=admin_user, closure=closure)
    assert [(m.record_label, m.new_due) for m in moved] == [(in_tehran.number, jalali(1404, 2, 7, 12))]
    assert _rows(in_isfahan) == untouched


def test_large_change_runs_in_the_background(requester: Any, admin_user: Any, monkeypatch: Any,
                                             django_capture_on_commit_callbacks: Any) -> None:
    calendar = make_calendar()
    make_agreement(calendar=calendar, targets={"resolution": 8})
    incidents = [report(requester, jalali(1404, 2, 6, 8)) for _ in range(3)]
    monkeypatch.setattr(calendar_actions, "SYNC_RECOMPUTE_LIMIT", 2)
    with at(jalali(1404, 2, 6, 9)), django_capture_on_commit_callbacks(execute=False) as callbacks:
        _holiday, moved = calendar_actions.save_holiday(
            actor=admin_user, holiday_set=_holidays(calendar).instance, holiday=None,
            values={"date": _day(jalali(1404, 2, 6)), "name_fa": "تعطیل", "kind": "special"})
    assert list(moved) == [] and moved.pending_run is not None
    run = RecomputeRun.objects.get(pk=moved.pending_run)
    assert (run.status, run.records, run.calendar_ids) == ("pending", 3, [calendar.pk])
    assert Clock.objects.get(object_id=incidents[0].pk).due_at == jalali(1404, 2, 6, 16)

    with at(jalali(1404, 2, 6, 9)):
        for callback in callbacks:
            callback()  # the immediate task backend runs the task here
    run.refresh_from_db()
    assert (run.status, run.moved_total) == ("done", 3)
    assert {item["record_label"] for item in run.moved} == {incident.number for incident in incidents}
    assert Clock.objects.get(object_id=incidents[0].pk).due_at == jalali(1404, 2, 7, 16)


def test_small_change_stays_synchronous(requester: Any, admin_user: Any) -> None:
    calendar = make_calendar()
    make_agreement(calendar=calendar, targets={"resolution": 8})
    incident = report(requester, jalali(1404, 2, 6, 8))
    with at(jalali(1404, 2, 6, 9)):
        _holiday, moved = calendar_actions.save_holiday(
            actor=admin_user, holiday_set=_holidays(calendar).instance, holiday=None,
            values={"date": _day(jalali(1404, 2, 6)), "name_fa": "تعطیل", "kind": "special"})
    assert moved.pending_run is None
    assert [(m.record_label, m.old_due, m.new_due) for m in moved] == [
        (incident.number, jalali(1404, 2, 6, 16), jalali(1404, 2, 7, 16))]
    assert not RecomputeRun.objects.exists()
