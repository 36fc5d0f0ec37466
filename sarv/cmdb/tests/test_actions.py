"""CIs, attributes, relationships, permissions and history through the actions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from sarv.cmdb import actions, selectors
from sarv.cmdb.identity import identity_key, is_placeholder
from sarv.cmdb.models import CI, Relationship
from sarv.core.errors import ConflictError, PermissionDenied, ValidationFailed
from sarv.core.models import AuditLogEntry, TimelineEntry
from sarv.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def server_attributes(config_manager, ci_class):
    hardware, server = ci_class("hardware"), ci_class("server")
    actions.save_attribute(actor=config_manager, definition=None, values={
        "ci_class": hardware, "code": "purchase_date", "name_fa": "تاریخ خرید", "name_en": "Purchase date",
        "type": "date"})
    actions.save_attribute(actor=config_manager, definition=None, values={
        "ci_class": server, "code": "ram_gb", "name_fa": "حافظه", "name_en": "RAM (GB)", "type": "number",
        "required": True})
    actions.save_attribute(actor=config_manager, definition=None, values={
        "ci_class": server, "code": "raid", "name_fa": "رید", "name_en": "RAID", "type": "choice",
        "choices": [{"value": "raid1", "label_fa": "رید ۱", "label_en": "RAID 1"}, {"value": "raid5"}]})
    actions.save_attribute(actor=config_manager, definition=None, values={
        "ci_class": server, "code": "mgmt_ip", "name_fa": "نشانی مدیریت", "type": "ip"})


def test_attributes_are_inherited_and_validated(make_ci, server_attributes):
    ci = make_ci("srv01", attributes={"ram_gb": "۶۴", "purchase_date": "۱۴۰۳/۰۲/۱۵", "raid": "RAID 1",
                                      "mgmt_ip": "۱۰.۰.۰.۵"})
    assert ci.attributes == {"ram_gb": 64, "purchase_date": "2024-05-04", "raid": "raid1", "mgmt_ip": "10.0.0.5"}
    with pytest.raises(ValidationFailed) as error:
        make_ci("srv02", attributes={"ram_gb": "lots"})
    assert error.value.field == "attributes.ram_gb"
    with pytest.raises(ValidationFailed) as error:
        make_ci("srv03", attributes={})
    assert error.value.field == "attributes.ram_gb"  # required
    for bad in ({"raid": "raid9"}, {"mgmt_ip": "10.0.0.300"}, {"purchase_date": "1403/13/40"}, {"colour": "x"}):
        with pytest.raises(ValidationFailed):
            make_ci("srv04", attributes={"ram_gb": 8, **bad})
    # A storage device inherits purchase_date from hardware but has no RAM attribute.
    storage = make_ci("san01", "storage", attributes={"purchase_date": "2024-01-01"})
    assert storage.attributes == {"purchase_date": "2024-01-01"}


@pytest.mark.parametrize(("typed", "stored"), [
    ("۱۹۲٫۱۶۸٫۰٫۱۰", "192.168.0.10"),  # Persian digits, Arabic decimal separator (Persian keyboard)
    ("١٩٢٫١٦٨٫٠٫١", "192.168.0.1"),  # Arabic-Indic digits
    ("۱۹۲.۱۶۸.۰.۱", "192.168.0.1"),
    ("۱۹۲۔۱۶۸۔۰۔۱", "192.168.0.1"),  # Arabic full stop
    ("１９２．１６８．０．１", "192.168.0.1"),  # full-width forms
    ("192。168。0。1", "192.168.0.1"),  # ideographic full stop
    ("\u200e۱۰٫۰٫۰٫۵\u200f ", "10.0.0.5"),  # pasted from a right-to-left page, with direction marks
    ("2001:DB8:0:0:0:0:0:۱", "2001:db8::1"),  # IPv6 in canonical (compressed, lower case) form
    ("ＦＥ８０：：１", "fe80::1"),
    ("fe80∶∶1", "fe80::1"),  # ratio sign for the colon
])
def test_ip_attribute_accepts_persian_input_and_stores_the_canonical_form(make_ci, server_attributes, typed,
                                                                             stored):
    ci = make_ci("srv01", attributes={"ram_gb": 8, "mgmt_ip": typed})
    assert ci.attributes["mgmt_ip"] == stored


@pytest.mark.parametrize("typed", ["۱۹۲٫۱۶۸٫۰٫۳۰۰", "10.0.0", "10,0,0,5", "۱۰٫۰٫۰٫۵٫۶", "fe80::1::2", "server01"])
def test_ip_attribute_rejects_what_is_not_an_address(make_ci, server_attributes, typed):
    with pytest.raises(ValidationFailed) as error:
        make_ci("srv01", attributes={"ram_gb": 8, "mgmt_ip": typed})
    assert error.value.field == "attributes.mgmt_ip"
    assert typed.strip() in str(error.value.message)


def test_attribute_code_is_unique_along_the_hierarchy(config_manager, ci_class, server_attributes):
    with pytest.raises(ValidationFailed):
        actions.save_attribute(actor=config_manager, definition=None, values={
            "ci_class": ci_class("server"), "code": "purchase_date", "name_fa": "x", "type": "text"})
    with pytest.raises(ValidationFailed):
        actions.save_attribute(actor=config_manager, definition=None, values={
            "ci_class": ci_class("hardware"), "code": "ram_gb", "name_fa": "x", "type": "text"})


def test_edit_permission_follows_the_class_owner_group(config_manager, agent, other_agent, service_desk, ci_class):
    actions.save_ci_class(actor=config_manager, ci_class=ci_class("hardware"), values={
        "code": "hardware", "name_fa": "سخت‌افزار", "name_en": "Hardware", "owner_group": service_desk})
    # agent (service desk) may edit servers (owner inherited from hardware); other_agent may not.
    ci = actions.create_ci(actor=agent, values={"name_en": "srv", "ci_class": ci_class("server")})
    with pytest.raises(PermissionDenied):
        actions.create_ci(actor=other_agent, values={"name_en": "srv2", "ci_class": ci_class("server")})
    with pytest.raises(PermissionDenied):
        actions.update_ci(actor=other_agent, ci=ci, values={"status": "retired"})
    # Nobody owns applications: only configuration managers edit them.
    with pytest.raises(PermissionDenied):
        actions.create_ci(actor=agent, values={"name_en": "erp", "ci_class": ci_class("application")})
    with pytest.raises(PermissionDenied):
        actions.save_attribute(actor=agent, definition=None, values={
            "ci_class": ci_class("server"), "code": "x", "name_fa": "x", "type": "text"})


def test_requester_sees_only_assets_they_hold(make_ci, requester, other_requester):
    held = make_ci("laptop-1", "hardware", holder=requester)
    make_ci("laptop-2", "hardware", holder=other_requester)
    assert list(CI.objects.visible_to(requester)) == [held]
    assert held.holder_department == requester.department


def app_runs_on_label():
    from sarv.cmdb.models import RelationshipType

    return RelationshipType.objects.get(code="runs_on").label


def test_relationship_rules_duplicates_and_self(make_ci, relate):
    app, server = make_ci("erp", "application"), make_ci("srv01", "server")
    relate(app, "runs_on", server)
    with pytest.raises(ValidationFailed) as duplicate:
        relate(app, "runs_on", server)
    assert duplicate.value.params == {"source": "erp", "type": app_runs_on_label(), "target": "srv01"}
    with pytest.raises(ValidationFailed):
        relate(server, "runs_on", app)  # hardware does not run on software
    with pytest.raises(ValidationFailed):
        relate(app, "runs_on", app)
    switch = make_ci("sw1", "network_device")
    relate(server, "connected_to", switch)
    with pytest.raises(ValidationFailed) as symmetric:
        relate(switch, "connected_to", server)  # symmetric: the same edge
    assert symmetric.value.params["source"] == "sw1"


def test_containment_cycle_is_rejected_with_the_chain(make_ci, relate):
    building, floor = make_ci("Building A", "location"), make_ci("Floor 2", "location")
    room = make_ci("Room 9", "location")
    relate(building, "contains", floor)
    relate(floor, "contains", room)
    with pytest.raises(ValidationFailed) as error:
        relate(room, "contains", building)
    assert "Building A" in error.value.message and "Room 9" in error.value.message
    assert error.value.field == "target"
    # An ended containment no longer blocks.
    actions.end_relationship(actor=building.created_by, relationship=Relationship.objects.get(source=floor))
    relate(room, "contains", building)


def test_history_as_of_is_exact(make_ci, relate, config_manager, server_attributes):
    ci = make_ci("srv01", attributes={"ram_gb": 16})
    t0 = timezone.now()
    other = make_ci("db01", "database")
    rel = relate(other, "runs_on", ci)
    t1 = timezone.now()
    actions.update_ci(actor=config_manager, ci=ci, values={"name_en": "srv01-new", "status": "under_maintenance",
                                                           "attributes": {"ram_gb": 32, "raid": "raid5"}})
    actions.end_relationship(actor=config_manager, relationship=rel)
    t2 = timezone.now()

    past = selectors.ci_as_of(ci, t0)
    assert past is not None
    assert (past.name_en, past.status, past.attributes) == ("srv01", "live", {"ram_gb": 16})
    assert list(selectors.relationships_as_of(ci, t0)) == []
    middle = selectors.ci_as_of(ci, t1)
    assert middle is not None
    assert middle.name_en == "srv01" and [r.pk for r in selectors.relationships_as_of(ci, t1)] == [rel.pk]
    now = selectors.ci_as_of(ci, t2)
    assert now is not None
    assert (now.name_en, now.status, now.attributes) == ("srv01-new", "under_maintenance",
                                                         {"ram_gb": 32, "raid": "raid5"})
    assert list(selectors.relationships_as_of(ci, t2)) == []
    assert selectors.ci_as_of(ci, ci.created_at - dt.timedelta(seconds=1)) is None
    kinds = list(TimelineEntry.objects.filter(object_id=ci.pk, content_type__model="ci").values_list("kind", flat=True))
    assert kinds == ["created", "linked", "field_changed", "unlinked"]
    change = AuditLogEntry.objects.filter(object_id=str(ci.pk), action="update").get()
    assert change.changes["attributes.raid"] == [None, "raid5"]


def test_version_conflict(make_ci, config_manager):
    ci = make_ci("srv01")
    actions.update_ci(actor=config_manager, ci=ci, values={"status": "retired"}, expected_version=1)
    with pytest.raises(ConflictError):
        actions.update_ci(actor=config_manager, ci=ci, values={"status": "live"}, expected_version=1)


def test_placeholders_are_never_identity():
    for value in ("N/A", "n/a", "NA", "-", "--", "0000", "0", "000-000", "To be filled", "TBD", "unknown", "",
                  None, "ندارد", "نامشخص", "۰۰۰۰", "xxxx", "؟", "None", "null"):
        assert is_placeholder(value), value
        assert identity_key("serial_number", value) == ""
    assert identity_key("property_number", "۱۲-۳۴۵") == identity_key("property_number", "12345") == "12345"
    assert identity_key("hostname", "SRV01.bank.local") == "srv01"
    assert identity_key("serial_number", "ab 12/c") == "ab12c"


def test_property_number_is_unique_but_placeholders_may_repeat(make_ci):
    make_ci("pc1", "hardware", property_number="۱۲۳۴۵", serial_number="N/A")
    make_ci("pc2", "hardware", property_number="0000", serial_number="N/A")
    make_ci("pc3", "hardware", property_number="0000")
    with pytest.raises(ValidationFailed) as error:
        make_ci("pc4", "hardware", property_number="12345")
    assert error.value.field == "property_number"


def test_asset_moves_with_its_holder(make_ci, admin_user, requester, other_department):
    from sarv.accounts import actions as account_actions

    laptop = make_ci("laptop-1", "hardware", holder=requester)
    assert laptop.holder_department == requester.department
    account_actions.update_user(
        actor=admin_user, user=requester,
        values={"username": requester.username, "first_name": requester.first_name,
                "last_name": requester.last_name, "email": requester.email, "department": other_department,
                "language": "fa", "is_active": True},
        roles=["requester"], support_groups=[], view_department_incidents=False)
    laptop.refresh_from_db()
    assert laptop.holder_department == other_department
    entry = TimelineEntry.objects.filter(object_id=laptop.pk, content_type__model="ci").last()
    assert entry is not None
    assert entry.data["changes"][0]["field"] == "holder_department"
    assert entry.actor == admin_user


def test_incident_affected_ci_brings_its_service(make_ci, relate, agent, requester, config_manager):
    from sarv.incidents import actions as incident_actions
    from sarv.services.models import Service

    payroll = Service.objects.create(name_fa="حقوق و دستمزد", name_en="Payroll")
    svc = make_ci("Payroll service", "business_service", service=payroll)
    app = make_ci("payroll-app", "application")
    relate(app, "provides", svc)
    incident = incident_actions.create_incident(actor=agent, requester=requester, title="خطای حقوق",
                                                affected_ci=app, further_affected_cis=[svc])
    assert incident.service == payroll and not incident.service_set_by_hand
    assert list(incident.further_affected_cis.all()) == [svc]
    assert list(selectors.open_incidents(app, agent)) == [incident]
    assert list(selectors.open_incidents(svc, agent)) == [incident]
    other = Service.objects.create(name_fa="ایمیل", name_en="E-mail")
    incident = incident_actions.update_incident(actor=agent, incident=incident, expected_version=incident.version,
                                                service=other)
    assert incident.service_set_by_hand
    incident = incident_actions.update_incident(actor=agent, incident=incident, expected_version=incident.version,
                                                affected_ci=svc)
    assert incident.service == other  # set by hand: the CI does not override it


def test_suggested_cis_for_requester(make_ci, requester, agent):
    mine = make_ci("my laptop", "hardware", holder=requester)
    colleague = factories.make_user("nima", department=requester.department)
    theirs = make_ci("dept printer", "hardware", holder=colleague)
    make_ci("elsewhere", "hardware")
    assert selectors.suggested_cis(requester, agent) == [mine, theirs]
    assert selectors.suggested_cis(requester, requester) == [mine]
