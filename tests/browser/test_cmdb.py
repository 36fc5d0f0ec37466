"""CMDB pages in a real browser, in Persian and in English.

A configuration manager adds a server with class attributes (an IP address typed with Persian digits
and a Jalali date), relates it to a switch, and reads the switch's impact in the graph (expanding a
node) and in the table. The import page's dry run is read in both languages. Screenshots of the
list, the CI page with its impact graph, the CI form and the import report go to docs/screenshots/.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from sarv.accounts.models import User
from sarv.cmdb import actions
from sarv.cmdb.models import CI, CIClass, RelationshipType
from sarv.testing import factories
from tests.browser.conftest import body_text, latin_text, save_screenshot, sign_in

# Latin values the Persian pages show as data: host names, IP addresses, class codes and file names.
# The placeholder examples («N/A») are quoted literally. The longest go first, because the check removes
# each value in turn.
LATIN_DATA = tuple(sorted((
    "core-sw01", "pay-db01", "pay-app01", "mail01", "ip", "warranty_end", "servers.csv", "srv-a", "srv-b",
    "not-an-ip", "name_fa", "class", "hostname", "attr:ip", "property number", "parisa", "N/A",
), key=len, reverse=True))

IMPORT_CSV = (
    "name_fa,class,property number,hostname,attr:ip\n"
    "سرور یک,server,۱۰۰-۱,srv-a,10.1.1.1\n"
    "سرور دو,server,N/A,srv-b,not-an-ip\n"
)


def build_cmdb(manager: User) -> dict[str, CI]:
    """A small landscape through the actions: switch ← server ← application → business service."""
    actions.save_attribute(actor=manager, definition=None, values={
        "ci_class": CIClass.objects.get(code="server"), "code": "ip", "name_fa": "نشانی IP", "name_en": "IP address",
        "type": "ip", "required": True,
    })
    actions.save_attribute(actor=manager, definition=None, values={
        "ci_class": CIClass.objects.get(code="hardware"), "code": "warranty_end", "name_fa": "پایان ضمانت",
        "name_en": "Warranty end", "type": "date",
    })

    def make(name_fa: str, name_en: str, class_code: str, **values: Any) -> CI:
        return actions.create_ci(actor=manager, values={
            "name_fa": name_fa, "name_en": name_en, "ci_class": CIClass.objects.get(code=class_code), **values,
        })

    def relate(source: CI, code: str, target: CI) -> None:
        actions.relate(actor=manager, source=source, target=target,
                       relationship_type=RelationshipType.objects.get(code=code))

    switch = make("سوئیچ هسته", "Core switch", "network_device", hostname="core-sw01", criticality=1)
    server = make("سرور پایگاه داده حقوق", "Payroll database server", "server", hostname="pay-db01",
                  property_number="۱۴۰۲-۵۵۱", attributes={"ip": "10.20.0.5"})
    app = make("سامانه حقوق", "Payroll application", "application", hostname="pay-app01")
    service = make("خدمت حقوق و دستمزد", "Payroll service", "business_service", criticality=1)
    relate(server, "connected_to", switch)
    relate(app, "runs_on", server)
    relate(app, "provides", service)
    return {"switch": switch, "server": server, "app": app, "service": service}


TEXTS = {
    "fa": {"name": "سرور ایمیل", "new": "قلم پیکربندی جدید", "save": "ذخیره", "relation": "متصل به",
           "add_relation": "افزودن ارتباط", "graph": "گراف", "table": "جدول", "ip": "۱۹۲.۱۶۸.۰.۱۰",
           "date": "۱۴۰۵/۰۱/۱۵", "dry_run": "اجرای آزمایشی", "upload": "بارگذاری"},
    "en": {"name": "Mail server", "new": "New configuration item", "save": "Save", "relation": "connected to",
           "add_relation": "Add relationship", "graph": "Graph", "table": "Table", "ip": "192.168.0.11",
           "date": "2026-04-04", "dry_run": "Dry run", "upload": "Upload"},
}


def graph_node_ids(page: Any) -> list[str]:
    return list(page.evaluate(
        "() => document.querySelector('[data-cmdb-graph]').cmdbGraph.cy.nodes().map((n) => n.id())"
    ))


def click_graph_node(page: Any, ci_id: int) -> None:
    """Click a node where Cytoscape drew it (the canvas has no DOM element per node)."""
    page.locator("[data-graph-canvas]").scroll_into_view_if_needed()
    page.wait_for_timeout(400)  # the layout animation
    point = page.evaluate("""(id) => {
        const graph = document.querySelector('[data-cmdb-graph]').cmdbGraph;
        const node = graph.cy.getElementById('n' + id);
        const box = graph.canvas.getBoundingClientRect();
        const at = node.renderedPosition();
        return {x: box.left + at.x, y: box.top + at.y};
    }""", ci_id)
    page.mouse.click(point["x"], point["y"])



@pytest.mark.parametrize("language", ["fa", "en"])
def test_create_relate_and_read_impact(browser_context: Any, live_server: Any, language: str) -> None:
    base = live_server.url
    texts = TEXTS[language]
    manager = factories.make_user("parisa", "پریسا", "کاظمی", roles=["configuration_manager"], language=language)
    cmdb = build_cmdb(manager)
    page = browser_context.new_page()
    sign_in(page, base, "parisa", next_path="/cmdb/")

    # The list, in the page's language and direction.
    html = page.locator("html")
    assert html.get_attribute("dir") == ("rtl" if language == "fa" else "ltr")
    expect(page.locator("#ci-results")).to_contain_text("سامانه حقوق" if language == "fa" else "Payroll application")
    if language == "fa":
        assert latin_text(page, LATIN_DATA) == []
    save_screenshot(page, f"cmdb-list-{language}")

    # A new server: choosing the class brings its attribute fields.
    page.get_by_role("link", name=texts["new"]).first.click()
    page.select_option("#ci_ci_class", label=("\u2003" + CIClass.objects.get(code="server").name_fa
                                              if language == "fa" else "\u2003Server"))
    expect(page.locator("#ci_attr_ip")).to_be_visible()
    page.fill("#ci_name_fa", "سرور ایمیل")
    page.fill("#ci_name_en", "Mail server")
    page.fill("#ci_hostname", "mail01")
    # The page tests cover a rejected value, because a 400 response here would count as a console error.
    page.fill("#ci_attr_ip", texts["ip"])
    page.fill("#ci_attr_warranty_end", texts["date"])
    page.locator("h1").click()  # closes the date picker
    if language == "fa":
        assert latin_text(page, LATIN_DATA) == []
    save_screenshot(page, f"cmdb-form-{language}")
    with page.expect_navigation():
        page.get_by_role("button", name=texts["save"], exact=True).click()
    mail = CI.objects.get(hostname="mail01")
    assert mail.attributes["ip"] == ("192.168.0.10" if language == "fa" else "192.168.0.11")
    assert mail.attributes["warranty_end"] == "2026-04-04"
    assert "/cmdb/cis/" in page.url

    # Relate it to the switch: "this item connected to the core switch".
    panel = page.locator("#panel-relationships")
    panel.locator("select[name=kind]").select_option(label=texts["relation"])
    panel.locator("input[type=search]").fill("core-sw01")
    switch_name = "سوئیچ هسته" if language == "fa" else "Core switch"
    expect(panel.locator("select[name=other] option:checked")).to_contain_text(switch_name)
    panel.get_by_role("button", name=texts["add_relation"]).click()
    expect(page.locator("#panel-relationships tbody")).to_contain_text(switch_name)

    # The switch's impact: the graph shows the new server beside the payroll server.
    page.goto(f"{base}{cmdb['switch'].get_absolute_url()}")
    status = page.locator("[data-graph-status]")
    # Depth 3 reaches the two servers, the application and the service.
    expect(status).to_contain_text("۴" if language == "fa" else "4")
    ids = graph_node_ids(page)
    assert f"n{mail.pk}" in ids
    assert f"n{cmdb['server'].pk}" in ids
    # Depth 1 stops at the servers; clicking the payroll server expands it to its application.
    page.locator("#impact_depth").select_option("1")
    expect(status).to_contain_text("۲" if language == "fa" else "2")
    assert f"n{cmdb['app'].pk}" not in graph_node_ids(page)
    click_graph_node(page, cmdb["server"].pk)
    expect(page.locator("[data-graph-info]")).to_be_visible()
    expect(status).to_contain_text("سرور پایگاه داده حقوق" if language == "fa" else "Payroll database server")
    page.wait_for_timeout(300)
    assert f"n{cmdb['app'].pk}" in graph_node_ids(page)
    page.locator("#impact_depth").select_option("5")
    expect(status).to_contain_text("۴" if language == "fa" else "4")
    page.wait_for_timeout(400)  # the layout animation
    if language == "fa":
        assert latin_text(page, LATIN_DATA) == []
    save_screenshot(page, f"cmdb-ci-{language}")

    # The table view lists the same items with the path to each.
    page.get_by_role("tab", name=texts["table"]).click()
    table = page.locator("#impact-table")
    expect(table).to_contain_text("خدمت حقوق و دستمزد" if language == "fa" else "Payroll service")
    service_row = table.locator("tr", has_text="خدمت حقوق و دستمزد" if language == "fa" else "Payroll service")
    expect(service_row).to_contain_text("سامانه حقوق" if language == "fa" else "Payroll application")
    assert "Uncaught" not in body_text(page)


@pytest.mark.parametrize("language", ["fa", "en"])
def test_import_dry_run_report(browser_context: Any, live_server: Any, language: str, tmp_path: Any) -> None:
    base = live_server.url
    texts = TEXTS[language]
    manager = factories.make_user("parisa", "پریسا", "کاظمی", roles=["configuration_manager"], language=language)
    build_cmdb(manager)
    csv_file = tmp_path / "servers.csv"
    csv_file.write_text(IMPORT_CSV, encoding="utf-8")
    page = browser_context.new_page()
    sign_in(page, base, "parisa", next_path="/cmdb/import/")
    page.set_input_files("#import_file", str(csv_file))
    with page.expect_navigation():
        page.get_by_role("button", name=texts["upload"]).click()
    # The columns were recognised by their names; the attribute column maps to the IP attribute.
    assert page.locator("#map_map-ci_class").input_value() == "class"
    assert page.locator("#map_map-attributes--ip").input_value() == "attr:ip"
    with page.expect_navigation():
        page.get_by_role("button", name=texts["dry_run"]).click()
    counts = page.locator("[data-report-counts]")
    expect(counts).to_contain_text("۱" if language == "fa" else "1")
    rejected = page.locator("tr.outcome-rejected")
    expect(rejected).to_contain_text("not-an-ip")
    expect(rejected.locator("td").first).to_have_text("۳" if language == "fa" else "3")
    assert not CI.objects.filter(hostname="srv-a").exists()
    if language == "fa":
        assert latin_text(page, LATIN_DATA) == []
    save_screenshot(page, f"cmdb-import-{language}")


@pytest.mark.parametrize("language", ["fa", "en"])
def test_relationship_type_and_allowed_pair(browser_context: Any, live_server: Any, language: str) -> None:
    base = live_server.url
    factories.make_user("parisa", "پریسا", "کاظمی", roles=["configuration_manager"], language=language)
    page = browser_context.new_page()
    sign_in(page, base, "parisa", next_path="/cmdb/relationship-types/")
    expect(page.locator("table")).to_contain_text("اجرا روی" if language == "fa" else "runs on")
    with page.expect_navigation():
        page.get_by_role("link", name="نوع ارتباط تازه" if language == "fa" else "New relationship type").click()
    page.fill("#type_name_fa", "پشتیبان‌گیری از")
    page.fill("#type_name_en", "backs up")
    page.fill("#type_inverse_name_fa", "پشتیبان‌گیری‌شده توسط")
    page.fill("#type_inverse_name_en", "backed up by")
    page.fill("#type_code", "backs_up")
    page.select_option("#type_propagation", "to_source")
    # The page tests cover a refused flag change, because a 400 response here would count as a console error.
    page.check("#type_is_containment")
    with page.expect_navigation():
        page.get_by_role("button", name="ذخیره" if language == "fa" else "Save").click()
    assert RelationshipType.objects.filter(code="backs_up", is_containment=True).exists()
    # Allow the type from software to hardware.
    page.select_option("#rule_source_class", str(CIClass.objects.get(code="software").pk))
    page.select_option("#rule_target_class", str(CIClass.objects.get(code="hardware").pk))
    with page.expect_navigation():
        page.get_by_role("button", name="مجاز کن" if language == "fa" else "Allow").click()
    pairs = page.locator("#allowed-pairs table")
    expect(pairs).to_contain_text("نرم‌افزار" if language == "fa" else "Software")
    expect(pairs).to_contain_text("سخت‌افزار" if language == "fa" else "Hardware")
    if language == "fa":
        assert latin_text(page, ("backs up", "backed up by", "backs_up")) == []
    save_screenshot(page, f"cmdb-relationship-type-{language}")
