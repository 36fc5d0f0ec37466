"""Clocks on the incident page, the list and the API; the agreement settings pages and API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from sarv.core.api.testing import token_client
from sarv.core.models import AuditLogEntry, ModuleSwitch
from sarv.core.text import to_persian_digits
from sarv.incidents import actions
from sarv.incidents.models import Incident
from sarv.incidents.tests.page_helpers import fa, page_text
from sarv.services.models import Supplier
from sarv.sla.models import Agreement
from sarv.sla.tests.helpers import at, jalali, make_agreement, make_calendar

NOW = jalali(1404, 2, 6, 12)


@pytest.fixture
def frozen_now(monkeypatch: pytest.MonkeyPatch) -> dt.datetime:
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return NOW


@pytest.fixture
def two_incidents(requester: Any) -> tuple[Incident, Incident]:
    calendar = make_calendar()
    make_agreement("پشتیبانی استاندارد", calendar=calendar, targets={"first_response": 2, "resolution": 8})
    with at(jalali(1404, 2, 6, 8)):
        late = actions.create_incident(actor=requester, title="چاپگر طبقه دوم")
    with at(jalali(1404, 2, 6, 11)):
        fresh = actions.create_incident(actor=requester, title="کند بودن شبکه")
    return late, fresh


def test_incident_page_shows_clocks_in_jalali(client: Client, agent: Any, two_incidents: Any,
                                              frozen_now: dt.datetime) -> None:
    late, _fresh = two_incidents
    client.force_login(agent)
    text = page_text(client.get(late.get_absolute_url()))
    assert fa("SLA clocks") in text
    assert "پشتیبانی استاندارد" in text
    # First response: two hours from 08:00 passed at 10:00, so it is breached; resolution is due at 16:00.
    with translation.override("fa"):
        assert translation.pgettext("SLA clock", "Breached") in text
    assert to_persian_digits("۱۴۰۴/۰۲/۰۶ ۱۶:۰۰") in text
    assert fa("%(hours)s h", hours=to_persian_digits("4")) in text


def test_english_page_shows_gregorian_due(client: Client, agent: Any, two_incidents: Any,
                                          frozen_now: dt.datetime) -> None:
    agent.language = "en"
    agent.save()
    client.force_login(agent)
    text = page_text(client.get(two_incidents[0].get_absolute_url()))
    assert "SLA clocks" in text
    assert "2025-04-26 16:00" in text
    assert "4 h" in text


def test_list_sorts_and_filters_by_sla(client: Client, agent: Any, two_incidents: Any,
                                       frozen_now: dt.datetime) -> None:
    late, fresh = two_incidents
    client.force_login(agent)
    response = client.get("/incidents/?queue=all&ordering=sla_due_at")
    assert [i.number for i in response.context["page"].object_list] == [late.number, fresh.number]
    # At noon the first response of the 08:00 incident is breached; the 11:00 one is due at 13:00.
    breached = client.get("/incidents/?queue=all&sla_state=breached")
    assert [i.number for i in breached.context["page"].object_list] == [late.number]
    running = client.get("/incidents/?queue=all&sla_state=running")
    assert [i.number for i in running.context["page"].object_list] == [fresh.number]


def test_api_exposes_sla_fields_and_clocks(agent: Any, two_incidents: Any, frozen_now: dt.datetime) -> None:
    late, _fresh = two_incidents
    api = token_client(agent)
    detail = api.get(f"/api/v1/incidents/{late.number}/").json()
    assert detail["sla_state"] == "breached"
    assert detail["sla_due_at"] == "2025-04-26T06:30:00Z"

    body = api.get(f"/api/v1/sla/clocks/{late.number}/").json()
    by_metric = {clock["metric"]: clock for clock in body["clocks"]}
    assert by_metric["first_response"]["state"] == "breached"
    assert by_metric["first_response"]["breached_at"] == "2025-04-26T06:30:00Z"
    assert by_metric["resolution"]["elapsed_seconds"] == 4 * 3600
    assert by_metric["resolution"]["remaining_seconds"] == 4 * 3600
    assert by_metric["resolution"]["due_at"] == "2025-04-26T12:30:00Z"


def test_module_switch_hides_clocks(client: Client, agent: Any, two_incidents: Any) -> None:
    ModuleSwitch.objects.create(code="sla", enabled=False)
    client.force_login(agent)
    assert fa("SLA clocks") not in page_text(client.get(two_incidents[0].get_absolute_url()))
    assert token_client(agent).get(f"/api/v1/sla/clocks/{two_incidents[0].number}/").status_code == 404


def test_admin_creates_agreement_on_settings_page(client: Client, admin_user: Any, service_desk: Any,
                                                 django_capture_on_commit_callbacks: Any) -> None:
    client.force_login(admin_user)
    assert client.get("/settings/sla/new/").status_code == 200
    form = {
        "name_fa": "توافق عملیاتی میز خدمت", "name_en": "Service desk OLA", "kind": "ola",
        "ola_group": service_desk.pk, "precedence": "۱۰", "is_active": "on", "calendar_source": "group",
        "stop_statuses": ["resolved", "closed"], "pause_hold_reasons": ["awaiting_requester"],
        "reopen_behaviour": "restart", "swap_behaviour": "continue", "warning_percents": "۵۰، ۹۰",
        "target_resolution_any": "۴", "target_resolution_1": "1.5",
        "escalation_1_enabled": "on", "escalation_1_delay": "", "escalation_1_notify_group_lead": "on",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/settings/sla/new/", form)
    assert response.status_code == 302
    agreement = Agreement.objects.get(name_fa="توافق عملیاتی میز خدمت")
    assert agreement.warning_percents == [50, 90]
    assert {(t.metric, t.priority, t.seconds) for t in agreement.targets.all()} == {
        ("resolution", None, 4 * 3600), ("resolution", 1, 5400)}
    assert agreement.escalations.get().notify_group_lead
    assert AuditLogEntry.objects.filter(object_id=str(agreement.pk), action="create").exists()
    assert "توافق عملیاتی میز خدمت" in page_text(client.get("/settings/sla/"))


def test_ola_without_group_is_rejected(client: Client, admin_user: Any) -> None:
    client.force_login(admin_user)
    form = {"name_fa": "OLA بی‌گروه", "kind": "ola", "precedence": "1", "calendar_source": "group",
            "stop_statuses": ["resolved"], "reopen_behaviour": "continue", "swap_behaviour": "continue",
            "target_resolution_any": "4"}
    response = client.post("/settings/sla/new/", form)
    assert response.status_code == 200
    assert fa("An OLA needs the support group whose time it measures.") in page_text(response)
    assert not Agreement.objects.exists()


def test_agreement_api_round_trip(admin_user: Any, service_desk: Any) -> None:
    api = token_client(admin_user)
    supplier = Supplier.objects.create(name_fa="شرکت ارتباطات")
    created = api.post("/api/v1/sla/agreements/", {
        "name_fa": "قرارداد پشتیبان", "kind": "uc", "uc_supplier": supplier.pk,
        "targets": [{"metric": "resolution", "seconds": 7200}],
    }, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["stop_statuses"] == ["resolved", "closed"]
    assert body["targets"] == [{"metric": "resolution", "priority": None, "seconds": 7200}]
    replaced = api.put(f"/api/v1/sla/agreements/{body['id']}/", {
        "name_fa": "قرارداد پشتیبان", "kind": "uc", "uc_supplier": supplier.pk, "warning_percents": [80],
        "targets": [{"metric": "resolution", "priority": 1, "seconds": 3600}],
    }, format="json")
    assert replaced.status_code == 200, replaced.json()
    assert replaced.json()["warning_percents"] == [80]
    assert replaced.json()["targets"] == [{"metric": "resolution", "priority": 1, "seconds": 3600}]
