"""The demo gives every demo support group a calendar from the shipped templates."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from sarv.accounts.models import Location, SupportGroup
from sarv.calendars import selectors
from sarv.calendars.models import Closure

pytestmark = pytest.mark.django_db


def test_demo_groups_have_calendars():
    call_command("load_demo", stdout=io.StringIO())
    for group in SupportGroup.objects.all():
        calendar = selectors.calendar_for_group(group)
        assert calendar is not None, group
    network = SupportGroup.objects.get(name_en="Network and infrastructure")
    network_calendar = selectors.calendar_for_group(network)
    assert network_calendar is not None
    always = selectors.business_calendar(network_calendar)
    start = dt.datetime(2026, 3, 20, tzinfo=dt.UTC)
    assert always.between(start, start + dt.timedelta(days=1)) == 86400
    isfahan_site = Location.objects.get(name_en="Isfahan provincial office")
    site_calendar = selectors.calendar_for_site(isfahan_site)
    assert site_calendar is not None and site_calendar.name_en == "Isfahan provincial office"
    closure = Closure.objects.get()
    assert list(closure.exempt_groups.all()) == [network]
