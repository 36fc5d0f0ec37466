"""Tests of the CMDB pages: list, CI page, forms, relationships, impact table, classes, import, export."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from sarv.cmdb import actions
from sarv.cmdb.models import CI, AttributeDefinition, CIClass, ImportRun, Relationship, RelationshipType
from sarv.incidents.tests.page_helpers import fa, flashed, page_text
from sarv.services.models import Service
from sarv.testing import factories


@pytest.fixture
def ip_attribute(config_manager: Any) -> AttributeDefinition:
    return actions.save_attribute(actor=config_manager, definition=None, values={
        "ci_class": CIClass.objects.get(code="server"), "code": "ip", "name_fa": "نشانی IP", "name_en": "IP address",
        "type": "ip", "required": True,
    })


@pytest.fixture
def date_attribute(config_manager: Any) -> AttributeDefinition:
    return actions.save_attribute(actor=config_manager, definition=None, values={
        "ci_class": CIClass.objects.get(code="hardware"), "code": "warranty_end", "name_fa": "پایان ضمانت",
        "name_en": "Warranty end", "type": "date",
    })


@pytest.fixture
def chain(make_ci: Any, relate: Any, ip_attribute: Any) -> dict[str, CI]:
    """A switch that a server is connected to, an app running on the server, a service the app provides."""
    switch = make_ci("Core switch", "network_device", name_fa="سوئیچ هسته")
    server = make_ci("DB server", "server", name_fa="سرور پایگاه داده", property_number="۱۲-۳۴۵",
                     attributes={"ip": "10.0.0.5"})
    app = make_ci("Payroll app", "application", name_fa="سامانه حقوق")
    service = make_ci("Payroll", "business_service", name_fa="خدمت حقوق و دستمزد")
    relate(server, "connected_to", switch)
    relate(app, "runs_on", server)
    relate(app, "provides", service)
    return {"switch": switch, "server": server, "app": app, "service": service}


def relationships_panel(text: str) -> str:
    return text.split('id="panel-relationships"')[1].split('<div class="card mb-3">')[0]


class TestList:
    def test_agent_sees_list(self, client: Any, agent: Any, chain: dict[str, CI]) -> None:
        client.force_login(agent)
        response = client.get(reverse("cmdb:list"))
        text = page_text(response)
        assert response.status_code == 200
        assert "سرور پایگاه داده" in text
        assert "سامانه حقوق" in text

    def test_requester_forbidden(self, client: Any, requester: Any) -> None:
        client.force_login(requester)
        assert client.get(reverse("cmdb:list")).status_code == 403

    def test_class_filter_includes_subclasses(self, client: Any, agent: Any, chain: dict[str, CI]) -> None:
        client.force_login(agent)
        hardware = CIClass.objects.get(code="hardware")
        text = page_text(client.get(reverse("cmdb:list"), {"ci_class": hardware.pk}))
        assert "سوئیچ هسته" in text
        assert "سرور پایگاه داده" in text
        assert "سامانه حقوق" not in text

    @pytest.mark.parametrize("query", ["سرور پايگاه", "۱۲۳۴۵", "12-345"])
    def test_search_normalises_persian(self, client: Any, agent: Any, chain: dict[str, CI], query: str) -> None:
        client.force_login(agent)
        text = page_text(client.get(reverse("cmdb:list"), {"q": query}))
        assert "سرور پایگاه داده" in text
        assert "سامانه حقوق" not in text

    def test_status_filter_and_sort(self, client: Any, agent: Any, make_ci: Any) -> None:
        make_ci("Alpha", name_fa="الف", status="retired")
        make_ci("Beta", name_fa="ب")
        make_ci("Gamma", name_fa="پ")
        client.force_login(agent)
        text = page_text(client.get(reverse("cmdb:list"), {"status": "live", "ordering": "-name"}))
        assert "الف" not in text.split("<tbody>")[1]
        assert text.index(">پ<") < text.index(">ب<")

    def test_htmx_gets_results_fragment(self, client: Any, agent: Any, chain: dict[str, CI]) -> None:
        client.force_login(agent)
        response = client.get(reverse("cmdb:list"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="ci-results")
        text = page_text(response)
        assert text.lstrip().startswith("<div id=\"ci-results\">")
        assert "<nav" not in text

    @pytest.mark.parametrize("count", [3, 30])
    def test_query_count_is_fixed(self, client: Any, agent: Any, make_ci: Any, django_assert_num_queries: Any,
                                  count: int) -> None:
        holder = factories.make_user("holder", "حامد", "نوری")
        for number in range(count):
            make_ci(f"Server {number}", name_fa=f"سرور {number}", holder=holder, hostname=f"srv{number}")
        client.force_login(agent)
        client.get(reverse("cmdb:list"))  # warms the session and permission caches
        with django_assert_num_queries(11):
            response = client.get(reverse("cmdb:list"), {"per_page": 50})
        assert response.status_code == 200


class TestCIPage:
    def test_shows_fields_attributes_and_both_directions(self, client: Any, agent: Any,
                                                         chain: dict[str, CI]) -> None:
        client.force_login(agent)
        text = page_text(client.get(chain["server"].get_absolute_url()))
        assert "10.0.0.5" in text
        assert "نشانی IP" in text
        # Outgoing "connected to" and incoming "runs on" seen from the server: "hosts".
        assert "متصل به" in text
        assert "میزبان" in text
        assert "سامانه حقوق" in text

    def test_english_page_uses_english_names(self, client: Any, agent: Any, chain: dict[str, CI]) -> None:
        agent.language = "en"
        agent.save()
        client.force_login(agent)
        text = page_text(client.get(chain["server"].get_absolute_url()))
        assert "hosts" in text
        assert "Payroll app" in text
        assert "Impact analysis" in text

    def test_lists_open_incidents(self, client: Any, agent: Any, requester: Any, chain: dict[str, CI]) -> None:
        from sarv.incidents import actions as incident_actions

        incident = factories.make_incident(requester, title="کندی سامانه حقوق")
        incident_actions.update_incident(actor=agent, incident=incident, expected_version=incident.version,
                                         affected_ci=chain["app"])
        client.force_login(agent)
        text = page_text(client.get(chain["app"].get_absolute_url()))
        assert incident.number in text

    def test_as_of_date_shows_past_relationships_and_values(self, client: Any, agent: Any, config_manager: Any,
                                                            make_ci: Any, relate: Any) -> None:
        past = timezone.now() - dt.timedelta(days=10)
        server = actions.create_ci(actor=config_manager, at=past, values={
            "name_fa": "سرور قدیمی", "ci_class": CIClass.objects.get(code="server"), "hostname": "old01"})
        app = actions.create_ci(actor=config_manager, at=past, values={
            "name_fa": "برنامه قدیمی", "ci_class": CIClass.objects.get(code="application")})
        relationship = actions.relate(actor=config_manager, source=app, target=server, at=past,
                                      relationship_type=RelationshipType.objects.get(code="runs_on"))
        actions.end_relationship(actor=config_manager, relationship=relationship)
        actions.update_ci(actor=config_manager, ci=server, values={"hostname": "new01"})
        client.force_login(agent)
        today = page_text(client.get(server.get_absolute_url()))
        assert "برنامه قدیمی" not in relationships_panel(today)
        assert "new01" in today
        # The history names the ended relationship from the server's side.
        assert "میزبان «برنامه قدیمی»" in today
        day = (timezone.localdate() - dt.timedelta(days=5)).isoformat()
        then = page_text(client.get(server.get_absolute_url(), {"as_of": day}))
        assert "برنامه قدیمی" in relationships_panel(then)
        assert "old01" in then

    def test_history_names_attributes_and_shows_their_values(self, client: Any, agent: Any, config_manager: Any,
                                                             make_ci: Any, ip_attribute: Any,
                                                             date_attribute: Any) -> None:
        server = make_ci("srv01", "server", hostname="srv01.hq.local",
                         attributes={"ip": "۱۰٫۰٫۰٫۵", "warranty_end": "۱۴۰۵/۰۳/۳۱"})
        actions.update_ci(actor=config_manager, ci=server, values={"attributes": {"ip": "10.0.0.6",
                                                                                  "warranty_end": "2026-06-22"}})
        client.force_login(agent)
        text = page_text(client.get(server.get_absolute_url()))
        history = text.split('<ol class="timeline">')[1]
        assert "attributes." not in history.lower()
        assert "پایان ضمانت" in history and "نشانی IP" in history
        # Dates in Jalali; the IP address and the host name left to right with Latin digits.
        assert "۱۴۰۵/۰۳/۳۱" in history and "۱۴۰۵/۰۴/۰۱" in history and "2026-06-2" not in history
        assert '<bdi class="fw-semibold" dir="ltr" lang="en">10.0.0.6</bdi>' in history
        assert '<bdi class="fw-semibold" dir="ltr" lang="en">srv01.hq.local</bdi>' in history

    def test_as_of_before_the_item_existed_shows_no_current_values(self, client: Any, agent: Any,
                                                                 chain: dict[str, CI]) -> None:
        client.force_login(agent)
        day = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
        text = page_text(client.get(chain["server"].get_absolute_url(), {"as_of": day}))
        assert fa("The item did not exist yet on that date.") in text
        assert "cmdb-identity" not in text and "cmdb-attributes" not in text  # no card of today's values
        assert fa("As the relationships are now, not on the chosen date.") in text

    def test_invalid_as_of_date_shows_error(self, client: Any, agent: Any, chain: dict[str, CI]) -> None:
        client.force_login(agent)
        text = page_text(client.get(chain["server"].get_absolute_url(), {"as_of": "۱۴۰۵/۱۳/۴۰"}))
        assert fa("Enter a valid date, for example %(example)s.", example="۱۴۰۵/۰۹/۱۳") in text

    def test_unknown_ci_is_404(self, client: Any, agent: Any, db: Any) -> None:
        client.force_login(agent)
        assert client.get(reverse("cmdb:ci", args=[987654])).status_code == 404


class TestImpactTable:
    def test_downstream_table_shows_path(self, client: Any, agent: Any, chain: dict[str, CI]) -> None:
        client.force_login(agent)
        response = client.get(reverse("cmdb:impact_table", args=[chain["switch"].pk]),
                              {"direction": "down", "depth": 5})
        text = page_text(response)
        assert "خدمت حقوق و دستمزد" in text
        # The service is reached through the server and the application.
        row = text.split("خدمت حقوق و دستمزد")[1].split("</tr>")[0]
        assert "سرور پایگاه داده" in row
        assert "سامانه حقوق" in row

    def test_own_page_without_htmx_and_fragment_with_it(self, client: Any, agent: Any,
                                                         chain: dict[str, CI]) -> None:
        client.force_login(agent)
        url = reverse("cmdb:impact_table", args=[chain["switch"].pk])
        page = page_text(client.get(url, {"direction": "down", "depth": 5}))
        # Opened in a tab of its own: the site's layout, right to left, with the way back to the CI.
        assert '<html lang="fa" dir="rtl">' in page and chain["switch"].get_absolute_url() in page
        assert 'id="impact-table"' in page and "خدمت حقوق و دستمزد" in page
        fragment = page_text(client.get(url, {"direction": "down", "depth": 5}, HTTP_HX_REQUEST="true"))
        assert "<html" not in fragment and fragment.lstrip().startswith('<div id="impact-table">')

    def test_type_filter_and_depth(self, client: Any, agent: Any, chain: dict[str, CI]) -> None:
        client.force_login(agent)
        text = page_text(client.get(reverse("cmdb:impact_table", args=[chain["switch"].pk]),
                                    {"direction": "down", "depth": 1}))
        assert "سرور پایگاه داده" in text
        assert "سامانه حقوق" not in text
        text = page_text(client.get(reverse("cmdb:impact_table", args=[chain["server"].pk]),
                                    {"direction": "down", "depth": 5, "types": "connected_to"}))
        assert "سامانه حقوق" not in text

    def test_upstream(self, client: Any, agent: Any, chain: dict[str, CI]) -> None:
        client.force_login(agent)
        text = page_text(client.get(reverse("cmdb:impact_table", args=[chain["service"].pk]),
                                    {"direction": "up", "depth": 5}))
        assert "سوئیچ هسته" in text

    def test_cycle_is_reported(self, client: Any, agent: Any, make_ci: Any, relate: Any) -> None:
        first = make_ci("Billing", "business_service", name_fa="خدمت صورت‌حساب")
        second = make_ci("Payments", "business_service", name_fa="خدمت پرداخت")
        relate(first, "depends_on", second)
        relate(second, "depends_on", first)
        client.force_login(agent)
        text = page_text(client.get(reverse("cmdb:impact_table", args=[first.pk]), {"direction": "down"}))
        assert fa("Dependency cycles end the walk here:") in text

    def test_paged(self, client: Any, agent: Any, make_ci: Any, relate: Any) -> None:
        switch = make_ci("Edge switch", "network_device")
        for number in range(55):
            relate(make_ci(f"Host {number:02d}", "server"), "connected_to", switch)
        client.force_login(agent)
        first = page_text(client.get(reverse("cmdb:impact_table", args=[switch.pk]), {"depth": 1}))
        second = page_text(client.get(reverse("cmdb:impact_table", args=[switch.pk]), {"depth": 1, "page": 2}))
        assert first.count("<tr>") == 51  # the header and 50 rows
        assert second.count("<tr>") == 6
        assert "page=2" in first


class TestCIForm:
    def test_create_with_attributes(self, client: Any, config_manager: Any, ip_attribute: Any,
                                    date_attribute: Any) -> None:
        client.force_login(config_manager)
        server = CIClass.objects.get(code="server")
        response = client.post(reverse("cmdb:ci_create"), {
            "ci_class": server.pk, "name_fa": "سرور ایمیل", "status": "live", "criticality": 2,
            "attr_ip": "۱۹۲.۱۶۸.۰.۱۰", "attr_warranty_end": "۱۴۰۵/۰۱/۱۵", "hostname": "mail01",
        })
        ci = CI.objects.get(name_fa="سرور ایمیل")
        assert response.status_code == 302
        assert ci.attributes == {"ip": "192.168.0.10", "warranty_end": "2026-04-04"}

    def test_invalid_attribute_shown_on_its_field(self, client: Any, config_manager: Any, ip_attribute: Any) -> None:
        client.force_login(config_manager)
        server = CIClass.objects.get(code="server")
        response = client.post(reverse("cmdb:ci_create"), {
            "ci_class": server.pk, "name_fa": "سرور خراب", "status": "live", "criticality": 3, "attr_ip": "999.1.1",
        })
        text = page_text(response)
        assert response.status_code == 400
        assert "999.1.1" in text  # the typed value is kept
        assert 'id="ci_attr_ip"' in text
        assert "is-invalid" in text.split('id="ci_attr_ip"')[0].rsplit("<input", 1)[1]
        assert not CI.objects.filter(name_fa="سرور خراب").exists()

    def test_class_change_loads_its_attributes(self, client: Any, config_manager: Any, ip_attribute: Any) -> None:
        client.force_login(config_manager)
        server = CIClass.objects.get(code="server")
        text = page_text(client.get(reverse("cmdb:attribute_fields"), {"ci_class": server.pk}))
        assert 'name="attr_ip"' in text

    def test_edit_keeps_attributes_and_records_history(self, client: Any, config_manager: Any,
                                                       chain: dict[str, CI]) -> None:
        server = chain["server"]
        client.force_login(config_manager)
        form_page = page_text(client.get(reverse("cmdb:ci_edit", args=[server.pk])))
        assert 'value="10.0.0.5"' in form_page
        response = client.post(reverse("cmdb:ci_edit", args=[server.pk]), {
            "ci_class": server.ci_class_id, "name_fa": "سرور پایگاه داده اصلی", "name_en": "DB server",
            "status": "under_maintenance", "criticality": 1, "attr_ip": "10.0.0.6", "version": server.version,
            "property_number": server.property_number,
        })
        assert response.status_code == 302
        server.refresh_from_db()
        assert server.attributes["ip"] == "10.0.0.6"
        assert server.status == "under_maintenance"
        text = page_text(client.get(server.get_absolute_url()))
        assert "10.0.0.6" in text

    def test_agent_outside_owning_group_cannot_edit(self, client: Any, agent: Any, chain: dict[str, CI]) -> None:
        client.force_login(agent)
        response = client.get(reverse("cmdb:ci_edit", args=[chain["server"].pk]))
        assert response.status_code == 302
        assert flashed(response)


class TestRelationships:
    def test_add_and_remove(self, client: Any, config_manager: Any, chain: dict[str, CI], make_ci: Any) -> None:
        other = make_ci("Backup server", "server", name_fa="سرور پشتیبان", attributes={"ip": "10.0.0.9"})
        client.force_login(config_manager)
        url = reverse("cmdb:relationship_add", args=[chain["switch"].pk])
        response = client.post(url, {"kind": "outgoing:connected_to", "other": other.pk})
        assert response.status_code == 302
        relationship = Relationship.objects.current().get(source=chain["switch"], target=other)
        response = client.post(reverse("cmdb:relationship_end", args=[chain["switch"].pk, relationship.pk]),
                               HTTP_HX_REQUEST="true")
        relationship.refresh_from_db()
        assert relationship.valid_to is not None
        assert 'id="panel-relationships"' in page_text(response)

    def test_inverse_direction(self, client: Any, config_manager: Any, chain: dict[str, CI], make_ci: Any) -> None:
        app = make_ci("Mail app", "application", name_fa="سامانه نامه")
        client.force_login(config_manager)
        client.post(reverse("cmdb:relationship_add", args=[chain["server"].pk]),
                    {"kind": "incoming:runs_on", "other": app.pk})
        assert Relationship.objects.current().filter(source=app, target=chain["server"], type="runs_on").exists()

    def test_containment_cycle_rejected_with_message(self, client: Any, config_manager: Any, make_ci: Any,
                                                     relate: Any) -> None:
        rack = make_ci("Rack", "server", name_fa="رک")
        blade = make_ci("Blade", "server", name_fa="تیغه")
        relate(rack, "contains", blade)
        client.force_login(config_manager)
        response = client.post(reverse("cmdb:relationship_add", args=[blade.pk]),
                               {"kind": "outgoing:contains", "other": rack.pk}, HTTP_HX_REQUEST="true")
        text = page_text(response)
        assert "invalid-feedback" in text or "alert-danger" in text
        assert not Relationship.objects.current().filter(source=blade, target=rack).exists()


class TestClasses:
    def test_admin_pages(self, client: Any, config_manager: Any) -> None:
        client.force_login(config_manager)
        assert client.get(reverse("cmdb:classes")).status_code == 200
        server = CIClass.objects.get(code="server")
        assert client.get(reverse("cmdb:class_detail", args=[server.pk])).status_code == 200

    def test_agent_forbidden(self, client: Any, agent: Any) -> None:
        client.force_login(agent)
        assert client.get(reverse("cmdb:classes")).status_code == 403

    def test_create_class_and_choice_attribute(self, client: Any, config_manager: Any) -> None:
        client.force_login(config_manager)
        hardware = CIClass.objects.get(code="hardware")
        response = client.post(reverse("cmdb:class_create"), {
            "code": "printer", "name_fa": "چاپگر", "name_en": "Printer", "parent": hardware.pk, "is_active": "on",
        })
        printer = CIClass.objects.get(code="printer")
        assert response.status_code == 302
        response = client.post(reverse("cmdb:attribute_create", args=[printer.pk]), {
            "code": "kind", "name_fa": "نوع چاپ", "type": "choice", "is_active": "on",
            "choices": "laser | لیزری | Laser\ninkjet | جوهرافشان | Inkjet",
        })
        assert response.status_code == 302
        definition = AttributeDefinition.objects.get(ci_class=printer, code="kind")
        assert definition.choices[1] == {"value": "inkjet", "label_fa": "جوهرافشان", "label_en": "Inkjet"}
        form = page_text(client.get(reverse("cmdb:ci_create"), {"ci_class": printer.pk}))
        assert "جوهرافشان" in form

    def test_choice_attribute_without_choices_rejected(self, client: Any, config_manager: Any) -> None:
        client.force_login(config_manager)
        server = CIClass.objects.get(code="server")
        response = client.post(reverse("cmdb:attribute_create", args=[server.pk]), {
            "code": "raid", "name_fa": "رید", "type": "choice", "is_active": "on"})
        assert response.status_code == 400
        assert fa("A choice attribute needs at least one choice.") in page_text(response)


CSV_ROWS = (
    "name_fa,class,property number,hostname,attr:ip\n"
    "سرور یک,server,۱۰۰-۱,srv-a,10.1.1.1\n"
    "سرور دو,server,N/A,srv-b,not-an-ip\n"
)


class TestImport:
    def test_upload_map_dry_run_apply(self, client: Any, config_manager: Any, ip_attribute: Any) -> None:
        client.force_login(config_manager)
        upload = SimpleUploadedFile("servers.csv", CSV_ROWS.encode(), content_type="text/csv")
        response = client.post(reverse("cmdb:import"), {"kind": "cis", "file": upload})
        run = ImportRun.objects.get()
        assert response.status_code == 302
        review = page_text(client.get(reverse("cmdb:import_review", args=[run.pk])))
        assert "srv-a" in review  # the file's first rows
        mapping = {"map-name_fa": "name_fa", "map-ci_class": "class", "map-property_number": "property number",
                   "map-hostname": "hostname", "map-attributes--ip": "attr:ip", "dry_run": "1"}
        response = client.post(reverse("cmdb:import_review", args=[run.pk]), mapping)
        assert response.status_code == 302
        report = page_text(client.get(reverse("cmdb:import_review", args=[run.pk])))
        assert not CI.objects.filter(name_fa="سرور یک").exists()
        assert "not-an-ip" in report
        rejected_row = report.split("outcome-rejected")[1].split("</tr>")[0]
        assert "۳" in rejected_row  # row 3 of the file (the header is row 1)
        response = client.post(reverse("cmdb:import_review", args=[run.pk]), {"apply": "1"})
        assert response.status_code == 302
        assert CI.objects.get(name_fa="سرور یک").attributes == {"ip": "10.1.1.1"}
        assert not CI.objects.filter(name_fa="سرور دو").exists()

    def test_unreadable_file_rejected(self, client: Any, config_manager: Any) -> None:
        client.force_login(config_manager)
        upload = SimpleUploadedFile("empty.csv", b"", content_type="text/csv")
        response = client.post(reverse("cmdb:import"), {"kind": "cis", "file": upload})
        assert response.status_code == 400
        assert not ImportRun.objects.exists()

    def test_agent_forbidden(self, client: Any, agent: Any) -> None:
        client.force_login(agent)
        assert client.get(reverse("cmdb:import")).status_code == 403


class TestExport:
    def test_csv_of_filtered_list(self, client: Any, agent: Any, chain: dict[str, CI]) -> None:
        client.force_login(agent)
        hardware = CIClass.objects.get(code="hardware")
        response = client.get(reverse("cmdb:export"), {"ci_class": hardware.pk, "format": "csv"})
        content = response.content.decode("utf-8-sig")
        assert response.status_code == 200
        assert "سرور پایگاه داده" in content
        assert "سامانه حقوق" not in content
        assert "attr:ip" in content.splitlines()[0]


class TestIncidentLink:
    def test_create_with_affected_ci_takes_its_service(self, client: Any, agent: Any, requester: Any,
                                                       chain: dict[str, CI], config_manager: Any) -> None:
        service = Service.objects.create(name_fa="حقوق و دستمزد", name_en="Payroll")
        actions.update_ci(actor=config_manager, ci=chain["service"], values={"service": service})
        client.force_login(agent)
        response = client.post(reverse("incidents:create"), {
            "requester": requester.pk, "title": "سامانه حقوق باز نمی‌شود", "impact": 3, "urgency": 3,
            "channel": "phone", "affected_ci": chain["app"].pk, "further_affected_cis": [chain["server"].pk],
        })
        assert response.status_code == 302
        from sarv.incidents.models import Incident

        incident = Incident.objects.get(title="سامانه حقوق باز نمی‌شود")
        assert incident.affected_ci == chain["app"]
        assert incident.service == service
        assert list(incident.further_affected_cis.all()) == [chain["server"]]
        page = page_text(client.get(incident.get_absolute_url()))
        assert "سامانه حقوق" in page

    def test_suggestions_list_requester_items(self, client: Any, agent: Any, requester: Any, make_ci: Any) -> None:
        laptop = make_ci("Sara's laptop", "server", name_fa="لپ‌تاپ سارا", holder=requester)
        client.force_login(agent)
        text = page_text(client.get(reverse("cmdb:incident_suggestions"),
                                    {"requester": requester.pk, "target": "create_affected_ci"}))
        assert f'data-pick-ci="{laptop.pk}"' in text

    def test_suggestion_panel_names_derived_service(self, client: Any, agent: Any, chain: dict[str, CI],
                                                    config_manager: Any) -> None:
        service = Service.objects.create(name_fa="حقوق و دستمزد", name_en="Payroll")
        actions.update_ci(actor=config_manager, ci=chain["service"], values={"service": service})
        client.force_login(agent)
        text = page_text(client.get(reverse("cmdb:incident_suggestions"), {"affected_ci": chain["server"].pk}))
        assert "حقوق و دستمزد" in text

    def test_incident_page_sets_cis(self, client: Any, agent: Any, requester: Any, chain: dict[str, CI]) -> None:
        incident = factories.make_incident(requester)
        client.force_login(agent)
        response = client.post(reverse("incidents:cis", args=[incident.number]), {
            "version": incident.version, "affected_ci": chain["server"].pk,
            "further_affected_cis": [chain["switch"].pk]})
        incident.refresh_from_db()
        assert response.status_code == 302
        assert incident.affected_ci == chain["server"]
        assert list(incident.further_affected_cis.all()) == [chain["switch"]]
