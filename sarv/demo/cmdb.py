"""The demo's CMDB: the head office's services, applications, databases, servers and network, related so that
the firewall's impact reaches every business service and the core switch's every service on the servers, with
open incidents linked to their CIs.

Everything goes through ``sarv.cmdb.actions`` as the demo administrator (a configuration manager), so the
CIs' history and the audit log look like any administrator's work. Two business services depend on each
other (payroll and the financial system exchange data), so the impact pages show a dependency cycle.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from sarv.cmdb import actions
from sarv.cmdb.models import CI, CIClass, RelationshipType
from sarv.core.errors import SarvError
from sarv.demo.organisation import ADMIN_USERNAME, Organisation
from sarv.incidents import actions as incident_actions
from sarv.incidents.models import Incident

logger = logging.getLogger(__name__)

# code, class code, type, Persian name, English name, required, choices (value, Persian, English)
ATTRIBUTES: tuple[tuple[str, str, str, str, str, bool, tuple[tuple[str, str, str], ...]], ...] = (
    ("warranty_end", "hardware", "date", "پایان ضمانت", "Warranty end", False, ()),
    ("ip", "server", "ip", "نشانی IP", "IP address", False, ()),
    ("os", "server", "choice", "سیستم‌عامل", "Operating system", False,
     (("windows", "ویندوز سرور", "Windows Server"), ("linux", "لینوکس", "Linux"))),
    ("ram_gb", "server", "number", "حافظه (گیگابایت)", "Memory (GB)", False, ()),
    ("ports", "network_device", "number", "تعداد درگاه", "Ports", False, ()),
    ("version", "software", "text", "نسخه", "Version", False, ()),
)

# key, class code, Persian name, English name, extra values (location code, group code, hostname, ...)
CIS: tuple[tuple[str, str, str, str, dict[str, Any]], ...] = (
    # Business services, each standing for a service of the portfolio.
    ("svc-payroll", "business_service", "خدمت حقوق و دستمزد", "Payroll service",
     {"service": "payroll", "criticality": 1}),
    ("svc-finance", "business_service", "خدمت سامانه مالی", "Financial system service",
     {"service": "finance-system", "criticality": 1}),
    ("svc-email", "business_service", "خدمت پست الکترونیک", "E-mail service", {"service": "email", "criticality": 2}),
    ("svc-oa", "business_service", "خدمت اتوماسیون اداری", "Office automation service",
     {"service": "office-automation", "criticality": 1}),
    ("svc-internet", "business_service", "خدمت اینترنت", "Internet access service", {"service": "internet"}),
    ("svc-vpn", "business_service", "خدمت دسترسی از راه دور", "Remote access service",
     {"service": "remote-access"}),
    ("svc-identity", "business_service", "خدمت حساب کاربری", "User account service", {"service": "identity"}),
    # Technical services.
    ("ts-ad", "technical_service", "سرویس دایرکتوری (Active Directory)", "Directory service (Active Directory)",
     {"group": "security", "criticality": 1}),
    ("ts-uplink", "technical_service", "ارتباط با اینترنت", "Internet uplink", {"group": "network"}),
    ("ts-vpn", "technical_service", "دروازه VPN", "VPN gateway service", {"group": "network"}),
    # Applications and databases.
    ("app-payroll", "application", "سامانه حقوق و دستمزد", "Payroll application",
     {"group": "applications", "attributes": {"version": "۴.۲"}}),
    ("app-finance", "application", "سامانه مالی", "Financial application",
     {"group": "applications", "attributes": {"version": "۷.۰"}}),
    ("app-oa", "application", "سامانه اتوماسیون اداری", "Office automation application",
     {"group": "applications"}),
    ("app-mail", "application", "سرویس‌دهنده پست الکترونیک", "Mail server software", {"group": "network"}),
    ("app-dc", "application", "کنترل‌کننده دامنه", "Domain controller software", {"group": "security"}),
    ("db-payroll", "database", "پایگاه داده حقوق", "Payroll database", {"group": "database"}),
    ("db-finance", "database", "پایگاه داده مالی", "Financial database", {"group": "database"}),
    # Servers in the head office's data centre.
    ("srv-db01", "server", "سرور پایگاه داده ۱", "Database server 1",
     {"hostname": "srv-db01.hq.local", "property_number": "۱۴۰۲-۰۰۱۱", "serial_number": "CZ2145A7K1",
      "location": "hq", "group": "database",
      "attributes": {"ip": "10.10.1.11", "os": "windows", "ram_gb": 256, "warranty_end": "2027-03-20"}}),
    ("srv-app01", "server", "سرور برنامه ۱", "Application server 1",
     {"hostname": "srv-app01.hq.local", "property_number": "۱۴۰۲-۰۰۱۲", "location": "hq", "group": "applications",
      "attributes": {"ip": "10.10.1.21", "os": "linux", "ram_gb": 64}}),
    ("srv-app02", "server", "سرور برنامه ۲", "Application server 2",
     {"hostname": "srv-app02.hq.local", "property_number": "۱۴۰۲-۰۰۱۳", "location": "hq", "group": "applications",
      "attributes": {"ip": "10.10.1.22", "os": "linux", "ram_gb": 64}}),
    ("srv-mail01", "server", "سرور پست الکترونیک", "Mail server",
     {"hostname": "srv-mail01.hq.local", "property_number": "۱۴۰۱-۰۲۳۴", "location": "hq", "group": "network",
      "attributes": {"ip": "10.10.1.31", "os": "windows", "ram_gb": 128}}),
    ("srv-dc01", "server", "سرور کنترل‌کننده دامنه", "Domain controller server",
     {"hostname": "srv-dc01.hq.local", "property_number": "۱۴۰۱-۰۲۳۵", "location": "hq", "group": "security",
      "attributes": {"ip": "10.10.1.5", "os": "windows", "ram_gb": 32}}),
    # Network.
    ("net-core", "network_device", "سوئیچ هسته ساختمان مرکزی", "Head office core switch",
     {"hostname": "core-sw01", "property_number": "۱۴۰۰-۰۹۸۱", "location": "hq", "group": "network", "criticality": 1,
      "attributes": {"ports": 48, "warranty_end": "2026-06-21"}}),
    ("net-b2", "network_device", "سوئیچ ساختمان شماره ۲", "Building No. 2 switch",
     {"hostname": "b2-sw01", "property_number": "۱۴۰۰-۰۹۸۲", "location": "building-2", "group": "network",
      "attributes": {"ports": 24}}),
    ("net-fw", "network_device", "دیواره آتش", "Firewall",
     {"hostname": "fw01", "property_number": "۱۴۰۱-۰۱۰۱", "location": "hq", "group": "security", "criticality": 1}),
    ("net-router", "network_device", "مسیریاب اینترنت", "Internet router",
     {"hostname": "rtr-isp01", "location": "hq", "group": "network"}),
    ("net-vpn", "network_device", "دستگاه VPN", "VPN appliance",
     {"hostname": "vpn01", "location": "hq", "group": "network"}),
    # The data centre as a location that contains the servers and the core switch.
    ("loc-dc", "location", "مرکز داده ساختمان مرکزی", "Head office data centre", {"location": "hq"}),
)

# (source key, relationship type, target key): "source <type> target".
RELATIONSHIPS: tuple[tuple[str, str, str], ...] = (
    ("app-payroll", "provides", "svc-payroll"),
    ("app-finance", "provides", "svc-finance"),
    ("app-oa", "provides", "svc-oa"),
    ("app-mail", "provides", "svc-email"),
    ("app-dc", "provides", "ts-ad"),
    ("net-router", "provides", "ts-uplink"),
    ("net-vpn", "provides", "ts-vpn"),
    ("svc-internet", "depends_on", "ts-uplink"),
    ("svc-vpn", "depends_on", "ts-vpn"),
    ("svc-vpn", "depends_on", "ts-ad"),
    ("svc-identity", "depends_on", "ts-ad"),
    ("app-oa", "depends_on", "ts-ad"),
    ("app-mail", "depends_on", "ts-ad"),
    ("app-payroll", "depends_on", "db-payroll"),
    ("app-finance", "depends_on", "db-finance"),
    # Payroll posts its totals to the financial system, which sends the budget back: a dependency cycle.
    ("svc-payroll", "depends_on", "svc-finance"),
    ("svc-finance", "depends_on", "svc-payroll"),
    ("app-payroll", "runs_on", "srv-app01"),
    ("app-finance", "runs_on", "srv-app02"),
    ("app-oa", "runs_on", "srv-app02"),
    ("db-payroll", "runs_on", "srv-db01"),
    ("db-finance", "runs_on", "srv-db01"),
    ("app-mail", "runs_on", "srv-mail01"),
    ("app-dc", "runs_on", "srv-dc01"),
    # Servers and switches depend on their uplinks: a switch failure cuts off what hangs below it, not the reverse.
    ("srv-db01", "depends_on", "net-core"),
    ("srv-app01", "depends_on", "net-core"),
    ("srv-app02", "depends_on", "net-core"),
    ("srv-mail01", "depends_on", "net-core"),
    ("srv-dc01", "depends_on", "net-core"),
    ("net-b2", "depends_on", "net-core"),
    ("net-core", "depends_on", "net-fw"),
    ("net-vpn", "depends_on", "net-fw"),
    # The firewall and the Internet router carry each other's traffic: a failure of either affects the other.
    ("net-fw", "connected_to", "net-router"),
    ("loc-dc", "contains", "srv-db01"),
    ("loc-dc", "contains", "srv-app01"),
    ("loc-dc", "contains", "srv-app02"),
    ("loc-dc", "contains", "srv-mail01"),
    ("loc-dc", "contains", "srv-dc01"),
    ("loc-dc", "contains", "net-core"),
)

# Workstations held by people (the incident form suggests them): username, Persian name, property number.
WORKSTATIONS = (
    ("sara.rezaei", "لپ‌تاپ سارا رضایی", "۱۴۰۳-۱۱۰۱"),
    ("parisa.hashemi", "رایانه رومیزی پریسا هاشمی", "۱۴۰۳-۱۱۰۲"),
    ("kaveh.ebrahimi", "رایانه رومیزی کاوه ابراهیمی", "۱۴۰۳-۱۱۰۳"),
    ("narges.mousavi", "لپ‌تاپ نرگس موسوی", "۱۴۰۳-۱۱۰۴"),
)

# Open incidents of these portfolio services are linked to the CI that provides the service.
LINKED_SERVICES = {"payroll": "app-payroll", "finance-system": "app-finance", "email": "app-mail",
                   "office-automation": "app-oa"}
LINKED_PER_SERVICE = 3


def build_cmdb(org: Organisation) -> dict[str, CI]:
    """Create the demo CMDB and link open incidents; return the CIs by key."""
    admin = org.people[ADMIN_USERNAME]
    classes = {ci_class.code: ci_class for ci_class in CIClass.objects.all()}
    _add_attributes(admin, classes)
    workstation = actions.save_ci_class(actor=admin, ci_class=None, values={
        "code": "workstation", "name_fa": "رایانه کاربر", "name_en": "Workstation", "parent": classes["hardware"],
        "owner_group": org.groups["end-user"], "is_active": True,
    })
    classes[workstation.code] = workstation

    cis: dict[str, CI] = {}
    for key, class_code, name_fa, name_en, extra in CIS:
        cis[key] = actions.create_ci(actor=admin, values=_values(org, classes[class_code], name_fa, name_en, extra))
    for username, name_fa, property_number in WORKSTATIONS:
        person = org.people[username]
        location_code = next(code for code, location in org.locations.items() if location.pk == person.location_id)
        cis[username] = actions.create_ci(actor=admin, values=_values(org, workstation, name_fa, "", {
            "property_number": property_number, "location": location_code, "group": "end-user", "holder": person,
        }))
    types = {kind.code: kind for kind in RelationshipType.objects.all()}
    for source, code, target in RELATIONSHIPS:
        actions.relate(actor=admin, source=cis[source], target=cis[target], relationship_type=types[code])
    for username, *_rest in WORKSTATIONS:
        in_building_2 = org.people[username].location_id == org.locations["building-2"].pk
        switch = cis["net-b2"] if in_building_2 else cis["net-core"]
        actions.relate(actor=admin, source=cis[username], target=switch, relationship_type=types["depends_on"])
    linked = link_incidents(org, cis)
    logger.info("Demo CMDB created: %s CIs, %s relationships, %s incidents linked", len(cis),
                len(RELATIONSHIPS) + len(WORKSTATIONS), linked)
    return cis


def _add_attributes(admin: Any, classes: dict[str, CIClass]) -> None:
    for order, (code, class_code, kind, name_fa, name_en, required, choices) in enumerate(ATTRIBUTES):
        actions.save_attribute(actor=admin, definition=None, values={
            "ci_class": classes[class_code], "code": code, "type": kind, "name_fa": name_fa, "name_en": name_en,
            "required": required, "sort_order": order, "is_active": True,
            "choices": [{"value": value, "label_fa": label_fa, "label_en": label_en}
                        for value, label_fa, label_en in choices],
        })


def _values(org: Organisation, ci_class: CIClass, name_fa: str, name_en: str, extra: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {"name_fa": name_fa, "name_en": name_en, "ci_class": ci_class,
                              "environment": "production"}
    for name in ("hostname", "property_number", "serial_number", "criticality", "attributes", "holder"):
        if name in extra:
            values[name] = extra[name]
    if "location" in extra:
        values["location"] = org.locations[extra["location"]]
    if "group" in extra:
        values["support_group"] = org.groups[extra["group"]]
    if "service" in extra:
        values["service"] = org.services[extra["service"]]
    return values


def link_incidents(org: Organisation, cis: dict[str, CI]) -> int:
    """Name the affected CI on a few open incidents of each linked service, as their agents would."""
    linked = 0
    for service_code, key in LINKED_SERVICES.items():
        incidents: Iterable[Incident] = (
            Incident.objects.open().filter(service=org.services[service_code], assignee__isnull=False)
            .select_related("assignee").order_by("-created_at")[:LINKED_PER_SERVICE]
        )
        for incident in incidents:
            assert incident.assignee is not None  # the query selects assigned incidents
            try:
                incident_actions.update_incident(actor=incident.assignee, incident=incident,
                                                 expected_version=incident.version, affected_ci=cis[key])
            except SarvError as error:
                logger.info("Demo incident %s not linked to CI %s: %s", incident.number, key, error.code)
                continue
            linked += 1
    return linked
