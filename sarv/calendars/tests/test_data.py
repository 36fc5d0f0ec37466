"""Shipped data, building engines from the database, closures' coverage and the engine cache."""

import datetime as dt

import pytest

from sarv.accounts.models import Location
from sarv.calendars import actions, selectors
from sarv.calendars.choices import HolidayMode
from sarv.calendars.models import Calendar, Holiday, HolidaySet
from sarv.calendars.tests.helpers import HOUR, jd, tehran
from sarv.core.models import AuditLogEntry

pytestmark = pytest.mark.django_db


def test_shipped_templates_and_holidays():
    templates = {c.template_key: c for c in Calendar.objects.all()}
    assert set(templates) == {"labour_law", "head_office", "provincial", "24x7"}
    assert selectors.default_calendar() == templates["labour_law"]
    assert templates["24x7"].holiday_mode == HolidayMode.NONE
    shipped = selectors.shipped_holiday_set()
    assert shipped is not None and shipped.holidays.count() == 91
    labour = selectors.business_calendar(templates["labour_law"])
    # Saturday-Wednesday 8 h, Thursday 4 h, Friday closed: a plain week (1404/02/06-12) has 44 hours.
    assert labour.between(tehran(1404, 2, 6), tehran(1404, 2, 13)) == 44 * HOUR
    head = selectors.business_calendar(templates["head_office"])
    assert head.between(tehran(1404, 2, 11), tehran(1404, 2, 12)) == 0  # Thursday closed
    provincial = selectors.business_calendar(templates["provincial"])
    assert provincial.between(tehran(1404, 2, 11), tehran(1404, 2, 12)) == 5 * HOUR
    always = selectors.business_calendar(templates["24x7"])
    assert always.between(tehran(1404, 1, 1), tehran(1404, 1, 2)) == 24 * HOUR  # no holidays
    # The shipped holidays close Nowruz and the special closures of 1404/12/10-16.
    assert labour.between(tehran(1404, 1, 1), tehran(1404, 1, 5)) == 0
    assert labour.between(tehran(1404, 12, 10), tehran(1404, 12, 17)) == 0


def test_install_is_idempotent():
    from sarv.calendars import shipped

    shipped.install()
    assert Calendar.objects.count() == 4 and Holiday.objects.count() == 91


def test_calendar_per_group_and_site(admin_user, service_desk, network_group):
    province = Location.objects.create(name_fa="اصفهان", kind="province")
    city = Location.objects.create(name_fa="کاشان", kind="city", parent=province)
    site = Location.objects.create(name_fa="شعبه کاشان", kind="site", parent=city)
    own, _ = actions.save_calendar(actor=admin_user, calendar=None, values={
        "name_fa": "میز خدمت", "owner_group": service_desk}, week=[(0, 480, 960)])
    provincial, _ = actions.save_calendar(actor=admin_user, calendar=None, values={
        "name_fa": "اصفهان", "site": province}, week=[(0, 420, 840)])
    assert selectors.calendar_for_group(service_desk) == own
    assert selectors.calendar_for_group(network_group) is None
    assert selectors.calendar_for_group(None) is None
    assert selectors.calendar_for_site(site) == provincial
    assert selectors.calendar_for_site(Location.objects.create(name_fa="جای دیگر")) is None
    group_site, _ = actions.save_calendar(actor=admin_user, calendar=None, values={
        "name_fa": "میز خدمت کاشان", "owner_group": service_desk, "site": city}, week=[(0, 480, 960)])
    assert selectors.calendar_for_group(service_desk, site=site) == group_site
    assert selectors.calendar_for_group(service_desk) == own


def test_closures_cover_descendants_and_spare_exempt_groups(admin_user, service_desk, network_group):
    province = Location.objects.create(name_fa="تهران", kind="province")
    site = Location.objects.create(name_fa="ستاد", kind="site",
                                   parent=Location.objects.create(name_fa="تهران", kind="city", parent=province))
    elsewhere = Location.objects.create(name_fa="تبریز", kind="province")
    calendar = Calendar.objects.get(template_key="labour_law")
    actions.save_closure(actor=admin_user, values={
        "start_date": jd(1404, 9, 10), "whole_day": False, "start_time": dt.time(10), "end_time": None,
        "locations": [province], "exempt_groups": [service_desk], "reason": "آلودگی هوا", "announced_by": "استاندار"})
    day = (tehran(1404, 9, 10), tehran(1404, 9, 11))
    assert tehran(1404, 9, 10).strftime("%A") == "Monday"
    assert selectors.business_calendar(calendar, site=site).between(*day) == 2 * HOUR
    assert selectors.business_calendar(calendar, site=site, group=network_group).between(*day) == 2 * HOUR
    assert selectors.business_calendar(calendar, site=site, group=service_desk).between(*day) == 8 * HOUR
    assert selectors.business_calendar(calendar, site=elsewhere).between(*day) == 8 * HOUR
    assert selectors.business_calendar(calendar).between(*day) == 8 * HOUR  # no site: nationwide closures only
    # A calendar's own site is used when no site is given.
    calendar.site = site
    calendar.save()
    assert selectors.business_calendar(calendar).between(*day) == 2 * HOUR


def test_nationwide_closure_and_reversal_invalidate_the_cache(admin_user):
    calendar = Calendar.objects.get(template_key="labour_law")
    day = (tehran(1404, 9, 10), tehran(1404, 9, 11))
    before = selectors.business_calendar(calendar)
    assert before.between(*day) == 8 * HOUR
    assert selectors.business_calendar(calendar) is before  # cached while nothing changes
    closure, _ = actions.save_closure(actor=admin_user, values={
        "start_date": jd(1404, 9, 10), "reason": "گرما", "announced_by": "هیئت دولت"})
    assert selectors.business_calendar(calendar).between(*day) == 0
    actions.reverse_closure(actor=admin_user, closure=closure)
    assert selectors.business_calendar(calendar).between(*day) == 8 * HOUR
    assert AuditLogEntry.objects.filter(object_id=str(closure.pk)).count() == 2


def test_holiday_edits_and_other_lists(admin_user):
    calendar = Calendar.objects.get(template_key="labour_law")
    day = (tehran(1404, 9, 10), tehran(1404, 9, 11))
    shipped = selectors.shipped_holiday_set()
    assert shipped is not None
    holiday, _ = actions.save_holiday(actor=admin_user, holiday_set=shipped, holiday=None, values={
        "date": jd(1404, 9, 10), "name_fa": "تعطیل محلی", "kind": "special"})
    assert selectors.business_calendar(calendar).between(*day) == 0
    own = actions.save_holiday_set(actor=admin_user, holiday_set=None, values={"name_fa": "فهرست ما", "key": "ours"},
                                   copy_from=shipped)
    assert own.holidays.count() == shipped.holidays.count()
    actions.delete_holiday(actor=admin_user, holiday=holiday)
    assert selectors.business_calendar(calendar).between(*day) == 8 * HOUR
    actions.save_calendar(actor=admin_user, calendar=calendar, values={
        "name_fa": calendar.name_fa, "holiday_mode": HolidayMode.OTHER, "holiday_set": own, "is_default": True})
    assert selectors.business_calendar(Calendar.objects.get(pk=calendar.pk)).between(*day) == 0
    actions.save_calendar(actor=admin_user, calendar=calendar, values={
        "name_fa": calendar.name_fa, "holiday_mode": HolidayMode.NONE, "is_default": True})
    assert selectors.business_calendar(Calendar.objects.get(pk=calendar.pk)).between(
        tehran(1404, 1, 5), tehran(1404, 1, 6)) == 8 * HOUR


def test_confirm_moves_a_lunar_date(admin_user):
    holiday = Holiday.objects.get(date=jd(1405, 12, 9))
    confirmed, _ = actions.confirm_holiday(actor=admin_user, holiday=holiday, date=jd(1405, 12, 10))
    assert confirmed.date == dt.date(2027, 3, 1) and not confirmed.is_estimated
    assert AuditLogEntry.objects.filter(object_id=str(holiday.pk), action="update").exists()


def test_effective_dated_edit_keeps_history(admin_user):
    calendar = Calendar.objects.get(template_key="head_office")
    old = selectors.business_calendar(calendar)
    assert old.between(tehran(1404, 6, 1), tehran(1404, 6, 2)) == 7 * HOUR
    actions.save_calendar(actor=admin_user, calendar=calendar, values={"name_fa": calendar.name_fa},
                          week=[(d, 360, 780) for d in range(5)], effective_from=jd(1404, 7, 1))
    new = selectors.business_calendar(calendar)
    assert new.between(tehran(1404, 6, 1), tehran(1404, 6, 2)) == 7 * HOUR
    assert new.between(tehran(1404, 7, 1), tehran(1404, 7, 2)) == 7 * HOUR
    assert new.next_open(tehran(1404, 7, 1, 5)) == tehran(1404, 7, 1, 6)
    # Editing without a date is refused; the same hours again add no version.
    from sarv.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        actions.save_calendar(actor=admin_user, calendar=calendar, values={"name_fa": calendar.name_fa},
                              week=[(0, 360, 780)])
    actions.save_calendar(actor=admin_user, calendar=calendar, values={"name_fa": calendar.name_fa},
                          week=[(d, 360, 780) for d in range(5)], effective_from=jd(1404, 8, 1))
    assert calendar.versions.count() == 2


def test_hour_sets_from_the_database(admin_user):
    calendar = Calendar.objects.get(template_key="labour_law")
    actions.save_hour_set(actor=admin_user, calendar=calendar, hour_set=None, values={
        "name_fa": "ساعت تابستانی", "start_date": jd(1404, 4, 1), "end_date": jd(1404, 6, 31)},
        week=[(d, 360, 780) for d in range(6)])
    business = selectors.business_calendar(calendar)
    assert business.between(tehran(1404, 4, 7), tehran(1404, 4, 8)) == 7 * HOUR
    assert business.next_open(tehran(1404, 4, 7, 0)) == tehran(1404, 4, 7, 6)


def test_non_admins_cannot_change_calendars(agent):
    from sarv.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.save_closure(actor=agent, values={"start_date": jd(1404, 9, 10), "reason": "x", "announced_by": "y"})
    with pytest.raises(PermissionDenied):
        actions.save_calendar(actor=agent, calendar=None, values={"name_fa": "x"})


def test_bad_input_is_explained(admin_user):
    from sarv.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed, match=r"overlap|هم‌پوشانی"):
        actions.save_calendar(actor=admin_user, calendar=None, values={"name_fa": "x"},
                              week=[(0, 480, 720), (0, 700, 900)])
    with pytest.raises(ValidationFailed):
        actions.save_closure(actor=admin_user, values={
            "start_date": jd(1404, 9, 10), "whole_day": False, "start_time": dt.time(12), "end_time": dt.time(10),
            "reason": "x", "announced_by": "y"})
    with pytest.raises(ValidationFailed):
        actions.save_calendar(actor=admin_user, calendar=None, values={
            "name_fa": "x", "holiday_mode": HolidayMode.OTHER})
    with pytest.raises(ValidationFailed):
        actions.save_calendar(actor=admin_user, calendar=Calendar.objects.get(is_default=True),
                              values={"name_fa": "x", "is_default": False})
    assert HolidaySet.objects.count() == 1


def test_making_another_calendar_default(admin_user):
    other = Calendar.objects.get(template_key="provincial")
    actions.save_calendar(actor=admin_user, calendar=other, values={"name_fa": other.name_fa, "is_default": True})
    assert selectors.default_calendar() == other
    assert Calendar.objects.filter(is_default=True).count() == 1
