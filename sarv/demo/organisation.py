"""The Persian demo organisation: departments, locations, support groups, people, categories and services.

Everything is created through the settings actions (``sarv.accounts.actions``,
``sarv.core.actions``, ``sarv.services.actions``) by the demo administrator, so
the audit log shows the set-up like any administrator's work. Only the
administrator itself is created directly, as ``createsuperuser`` would.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import Group

from sarv.accounts import actions as accounts
from sarv.accounts.models import Department, Location, LocationKind, SupportGroup, User
from sarv.core import actions as settings_actions
from sarv.core import audit
from sarv.core.models import Category
from sarv.services import actions as services
from sarv.services.models import Service

logger = logging.getLogger(__name__)

# The one password of every demo user; docs/import.md and the command's output give it.
DEMO_PASSWORD = "sarv-demo-1405"
ADMIN_USERNAME = "admin"

# code, Persian name, English name, parent code
DEPARTMENTS = (
    ("dev-resources", "معاونت توسعه مدیریت و منابع", "Deputy for Management Development and Resources", None),
    ("it", "اداره کل فناوری اطلاعات", "Directorate General of Information Technology", "dev-resources"),
    ("finance", "امور مالی", "Financial Affairs", "dev-resources"),
    ("hr", "منابع انسانی", "Human Resources", "dev-resources"),
    ("admin-support", "امور اداری و پشتیبانی", "Administration and Support", "dev-resources"),
    ("legal", "اداره کل حقوقی", "Directorate General of Legal Affairs", None),
    ("public-relations", "روابط عمومی", "Public Relations", None),
)

# code, kind, Persian name, English name, parent code, address
LOCATIONS = (
    ("tehran-province", LocationKind.PROVINCE, "تهران", "Tehran", None, ""),
    ("tehran", LocationKind.CITY, "تهران", "Tehran", "tehran-province", ""),
    ("hq", LocationKind.SITE, "ساختمان مرکزی", "Head office", "tehran", "تهران، خیابان ولیعصر، پلاک ۱۲۰"),
    ("building-2", LocationKind.SITE, "ساختمان شماره ۲", "Building No. 2", "tehran", "تهران، خیابان مطهری، پلاک ۴۵"),
    ("rey", LocationKind.CITY, "شهر ری", "Rey", "tehran-province", ""),
    ("rey-office", LocationKind.SITE, "دفتر شهر ری", "Rey office", "rey", "شهر ری، بلوار امام"),
    ("isfahan-province", LocationKind.PROVINCE, "اصفهان", "Isfahan", None, ""),
    ("isfahan", LocationKind.CITY, "اصفهان", "Isfahan", "isfahan-province", ""),
    ("isfahan-office", LocationKind.SITE, "اداره کل استان اصفهان", "Isfahan provincial office", "isfahan",
     "اصفهان، خیابان چهارباغ بالا"),
)

# code, Persian name, English name
SUPPORT_GROUPS = (
    ("service-desk", "میز خدمت فاوا", "IT service desk"),
    ("network", "شبکه و زیرساخت", "Network and infrastructure"),
    ("applications", "نرم‌افزارهای کاربردی", "Business applications"),
    ("end-user", "سخت‌افزار و پشتیبانی کاربران", "Hardware and end-user support"),
    ("security", "امنیت اطلاعات", "Information security"),
    ("database", "پایگاه داده", "Databases"),
)


@dataclass(frozen=True)
class Person:
    username: str
    first_name: str
    last_name: str
    role: str
    department: str
    location: str
    job_title: str
    groups: tuple[str, ...] = ()
    leads: str = ""
    view_department_incidents: bool = False


PEOPLE = (
    Person("admin", "بهرام", "شریفی", "administrator", "it", "hq", "مدیر سامانه"),
    Person("neda.salehi", "ندا", "صالحی", "incident_manager", "it", "hq", "مسئول مدیریت حوادث", ("service-desk",)),
    Person("kamran.yazdani", "کامران", "یزدانی", "problem_manager", "it", "hq", "مسئول مدیریت مسئله",
           ("service-desk",)),
    Person("hamid.nouri", "حمید", "نوری", "group_lead", "it", "hq", "سرپرست میز خدمت فاوا", ("service-desk",),
           leads="service-desk"),
    Person("ali.karimi", "علی", "کریمی", "agent", "it", "hq", "کارشناس میز خدمت فاوا", ("service-desk",)),
    Person("zahra.moradi", "زهرا", "مرادی", "agent", "it", "building-2", "کارشناس میز خدمت فاوا",
           ("service-desk",)),
    Person("maryam.hosseini", "مریم", "حسینی", "group_lead", "it", "hq", "سرپرست شبکه و زیرساخت", ("network",),
           leads="network"),
    Person("reza.jafari", "رضا", "جعفری", "agent", "it", "hq", "کارشناس شبکه", ("network",)),
    Person("mehdi.rahimi", "مهدی", "رحیمی", "group_lead", "it", "hq", "سرپرست نرم‌افزارهای کاربردی",
           ("applications",), leads="applications"),
    Person("fatemeh.ahmadi", "فاطمه", "احمدی", "agent", "it", "hq", "کارشناس نرم‌افزار", ("applications",)),
    Person("saeed.kazemi", "سعید", "کاظمی", "group_lead", "it", "building-2", "سرپرست پشتیبانی کاربران",
           ("end-user",), leads="end-user"),
    Person("mina.rostami", "مینا", "رستمی", "agent", "it", "building-2", "کارشناس سخت‌افزار", ("end-user",)),
    Person("amir.tehrani", "امیر", "تهرانی", "group_lead", "it", "hq", "سرپرست امنیت اطلاعات", ("security",),
           leads="security"),
    Person("navid.shams", "نوید", "شمس", "agent", "it", "hq", "کارشناس امنیت اطلاعات", ("security",)),
    Person("leila.ghasemi", "لیلا", "قاسمی", "group_lead", "it", "hq", "سرپرست پایگاه داده", ("database",),
           leads="database"),
    Person("hossein.bagheri", "حسین", "باقری", "agent", "it", "hq", "کارشناس پایگاه داده", ("database",)),
    Person("sara.rezaei", "سارا", "رضایی", "requester", "finance", "hq", "کارشناس حسابداری"),
    Person("parisa.hashemi", "پریسا", "هاشمی", "requester", "finance", "hq", "رئیس اداره حسابداری",
           view_department_incidents=True),
    Person("shirin.karami", "شیرین", "کرمی", "requester", "finance", "isfahan-office", "کارشناس مالی استان"),
    Person("kaveh.ebrahimi", "کاوه", "ابراهیمی", "requester", "legal", "building-2", "کارشناس حقوقی"),
    Person("narges.mousavi", "نرگس", "موسوی", "requester", "hr", "building-2", "کارشناس کارگزینی"),
    Person("javad.rahmani", "جواد", "رحمانی", "requester", "hr", "rey-office", "کارشناس رفاه کارکنان"),
    Person("mohsen.zare", "محسن", "زارع", "requester", "admin-support", "hq", "مسئول دبیرخانه"),
    Person("elham.sadeghi", "الهام", "صادقی", "requester", "public-relations", "hq", "کارشناس روابط عمومی"),
    Person("babak.nazari", "بابک", "نظری", "requester", "dev-resources", "hq", "معاون توسعه مدیریت و منابع"),
)

# code, Persian name, English name, subcategories as (code, Persian name, English name)
CATEGORIES = (
    ("hardware", "سخت‌افزار", "Hardware", (
        ("printer", "چاپگر", "Printer"),
        ("desktop", "رایانه رومیزی", "Desktop computer"),
        ("laptop", "لپ‌تاپ", "Laptop"),
        ("monitor", "نمایشگر", "Monitor"),
        ("scanner", "اسکنر", "Scanner"),
    )),
    ("software", "نرم‌افزار", "Software", (
        ("office-automation", "اتوماسیون اداری", "Office automation"),
        ("payroll", "سامانه حقوق و دستمزد", "Payroll system"),
        ("finance-system", "سامانه مالی", "Financial system"),
        ("office-suite", "مجموعه آفیس", "Office suite"),
        ("operating-system", "سیستم‌عامل", "Operating system"),
    )),
    ("network", "شبکه", "Network", (
        ("internet", "اینترنت", "Internet"),
        ("wifi", "وای‌فای", "Wi-Fi"),
        ("vpn", "VPN", "VPN"),
        ("lan", "شبکه داخلی", "Local network"),
    )),
    ("account", "حساب کاربری", "User account", (
        ("password-reset", "بازنشانی گذرواژه", "Password reset"),
        ("shared-folder", "دسترسی به پوشه اشتراکی", "Shared folder access"),
        ("new-account", "ایجاد حساب کاربری", "Account creation"),
    )),
    ("email", "پست الکترونیک", "E-mail", (
        ("mail-delivery", "ارسال و دریافت نامه", "Sending and receiving"),
        ("mailbox-full", "پر شدن صندوق", "Mailbox full"),
    )),
    ("security", "امنیت", "Security", (
        ("malware", "بدافزار", "Malware"),
        ("phishing", "ایمیل مشکوک", "Suspicious e-mail"),
    )),
)

# code, Persian name, English name, owning group, subcategories whose incidents affect it
SERVICES = (
    ("email", "پست الکترونیک", "E-mail", "network", ("mail-delivery", "mailbox-full", "phishing")),
    ("office-automation", "اتوماسیون اداری", "Office automation", "applications", ("office-automation",)),
    ("internet", "اینترنت", "Internet access", "network", ("internet",)),
    ("payroll", "سامانه حقوق و دستمزد", "Payroll system", "applications", ("payroll",)),
    ("finance-system", "سامانه مالی", "Financial system", "applications", ("finance-system",)),
    ("lan", "شبکه داخلی و وای‌فای", "Local network and Wi-Fi", "network", ("lan", "wifi")),
    ("remote-access", "دسترسی از راه دور (VPN)", "Remote access (VPN)", "network", ("vpn",)),
    ("workplace", "رایانه و چاپ", "Desktop computing and printing", "end-user",
     ("printer", "desktop", "laptop", "monitor", "scanner", "office-suite", "operating-system", "malware")),
    ("identity", "حساب کاربری و دسترسی", "User accounts and access", "service-desk",
     ("password-reset", "shared-folder", "new-account")),
)


@dataclass
class Organisation:
    """The demo's objects by code (or username), for the importer mapping and the stories."""

    departments: dict[str, Department] = field(default_factory=dict)
    locations: dict[str, Location] = field(default_factory=dict)
    groups: dict[str, SupportGroup] = field(default_factory=dict)
    people: dict[str, User] = field(default_factory=dict)
    categories: dict[str, Category] = field(default_factory=dict)
    subcategories: dict[str, Category] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)
    # subcategory code -> service code
    service_of: dict[str, str] = field(default_factory=dict)

    def person(self, username: str) -> User:
        return self.people[username]

    def members(self, group: str) -> list[User]:
        return [self.people[person.username] for person in PEOPLE if group in person.groups]

    @property
    def agents(self) -> list[User]:
        return [self.people[person.username] for person in PEOPLE
                if person.role in ("agent", "group_lead", "incident_manager")]

    @property
    def requesters(self) -> list[User]:
        return [self.people[person.username] for person in PEOPLE if person.role == "requester"]


def _bootstrap_admin() -> User:
    """Create the demo administrator, the one account no administrator exists yet to create."""
    spec = PEOPLE[0]
    admin = User(username=spec.username, first_name=spec.first_name, last_name=spec.last_name,
                 email=f"{spec.username}@demo.sarv.ir", job_title=spec.job_title)
    admin.set_password(DEMO_PASSWORD)
    admin.save()
    admin.groups.add(Group.objects.get(name=spec.role))
    audit.log_create(None, admin, ["username", "first_name", "last_name", "email", "job_title"])
    # A fresh copy: has_perm caches the permissions it read before the role was added.
    return User.objects.get(pk=admin.pk)


def build_organisation() -> Organisation:
    """Create the whole demo organisation and return it; the caller wraps this in a transaction."""
    org = Organisation()
    admin = _bootstrap_admin()

    for code, name_fa, name_en, parent in DEPARTMENTS:
        org.departments[code] = accounts.save_department(actor=admin, department=None, values={
            "code": code, "name_fa": name_fa, "name_en": name_en,
            "parent": org.departments[parent] if parent else None,
        })
    for code, kind, name_fa, name_en, parent, address in LOCATIONS:
        org.locations[code] = accounts.save_location(actor=admin, location=None, values={
            "code": code, "kind": kind, "name_fa": name_fa, "name_en": name_en, "address": address,
            "parent": org.locations[parent] if parent else None,
        })
    for code, name_fa, name_en in SUPPORT_GROUPS:
        org.groups[code] = accounts.save_support_group(actor=admin, group=None, values={
            "code": code, "name_fa": name_fa, "name_en": name_en, "email": f"{code}@demo.sarv.ir",
        })

    admin_spec = PEOPLE[0]
    accounts.update_user(actor=admin, user=admin, values=_user_values(org, admin_spec), roles=[admin_spec.role],
                         support_groups=[org.groups[g] for g in admin_spec.groups], view_department_incidents=False)
    org.people[admin.username] = User.objects.get(pk=admin.pk)
    for spec in PEOPLE[1:]:
        org.people[spec.username] = accounts.create_user(
            actor=admin, values=_user_values(org, spec), roles=[spec.role],
            support_groups=[org.groups[g] for g in spec.groups],
            view_department_incidents=spec.view_department_incidents, password=DEMO_PASSWORD,
        )
    for spec in PEOPLE:
        if spec.leads:
            group = org.groups[spec.leads]
            org.groups[spec.leads] = accounts.save_support_group(actor=admin, group=group, values={
                "code": group.code, "name_fa": group.name_fa, "name_en": group.name_en, "email": group.email,
                "lead": org.people[spec.username],
            })
    # Fresh copies: has_perm caches permissions, and roles were added after some objects were read.
    org.people = {user.username: user for user in User.objects.filter(username__in=[p.username for p in PEOPLE])}

    for order, (code, name_fa, name_en, children) in enumerate(CATEGORIES):
        top = org.categories[code] = settings_actions.save_category(actor=admin, category=None, values={
            "code": code, "name_fa": name_fa, "name_en": name_en, "sort_order": order,
        })
        for child_order, (child_code, child_fa, child_en) in enumerate(children):
            org.subcategories[child_code] = settings_actions.save_category(actor=admin, category=None, values={
                "code": child_code, "name_fa": child_fa, "name_en": child_en, "parent": top,
                "sort_order": child_order,
            })
    for code, name_fa, name_en, owner, subcategories in SERVICES:
        org.services[code] = services.save_service(actor=admin, service=None, values={
            "code": code, "name_fa": name_fa, "name_en": name_en, "owner_group": org.groups[owner],
        })
        org.service_of.update(dict.fromkeys(subcategories, code))
    logger.info("Demo organisation created: %s people, %s support groups", len(org.people), len(org.groups))
    return org


def _user_values(org: Organisation, spec: Person) -> dict[str, Any]:
    return {
        "username": spec.username, "first_name": spec.first_name, "last_name": spec.last_name,
        "email": f"{spec.username}@demo.sarv.ir", "job_title": spec.job_title, "language": "fa",
        "department": org.departments[spec.department], "location": org.locations[spec.location],
        "is_active": True,
    }


def parent_of(subcategory: str) -> str:
    """Return the code of the parent category of ``subcategory``."""
    for code, _fa, _en, children in CATEGORIES:
        if any(child[0] == subcategory for child in children):
            return code
    raise KeyError(subcategory)
