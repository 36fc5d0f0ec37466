"""An imported incident's page shows its real history, in Jalali dates, to an agent."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from sarv.core.models import ExternalReference
from sarv.incidents.importers.uci import UciImport
from sarv.incidents.models import Incident

SAMPLE = Path(__file__).parent / "data" / "uci_sample.csv"

pytestmark = pytest.mark.django_db


def test_imported_timeline_shows_jalali_history(agent):
    # given the real INC0000045, which was resolved on 29 February 2016 and closed on 5 March 2016 (UTC)
    UciImport(SAMPLE, progress=False).run()
    reference = ExternalReference.objects.get(system="uci", kind="source", reference="INC0000045")
    incident = Incident.objects.get(pk=reference.object_id)
    client = Client()
    client.force_login(agent)

    # when an agent opens it in Persian
    page = client.get(incident.get_absolute_url()).content.decode()

    # then the timeline shows the original events in Tehran time (UTC+03:30 before Nowruz 1395) and Jalali dates
    assert incident.number.startswith("INC-1394-")
    assert "۱۳۹۴/۱۲/۱۰ ۰۴:۵۳" in page  # created: 2016-02-29 01:23 UTC
    assert "۱۳۹۴/۱۲/۱۰ ۱۲:۲۳" in page  # resolved: 2016-02-29 08:53 UTC
    assert "۱۳۹۴/۱۲/۱۵ ۱۵:۳۰" in page  # closed: 2016-03-05 12:00 UTC
    assert "رفع‌شده" in page
    assert "بسته" in page
    # Gregorian dates appear only in the machine-readable datetime attributes, never as visible text.
    assert ">2016" not in page
