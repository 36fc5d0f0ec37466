"""How the demo maps the UCI file's pseudonyms onto the Persian demo organisation.

The UCI importer looks up the Sarv object behind each pseudonym («Caller 2403»,
«Group 56», «Category 55») through a "names" object. ``DemoNames`` returns
demo objects instead of creating new ones. Each pseudonym is mapped by a
stable hash (CRC-32) of its text, so the same pseudonym always lands on the
same demo object:

- callers become demo requesters, and the incident takes the requester's department;
- assignment groups become demo support groups (the service desk twice as
  often as each other group), and each assignee becomes a member of the
  group the incident is in at that moment;
- openers, updaters and resolvers become demo agents;
- categories become demo categories, and each subcategory becomes one of the
  subcategories of the category it is mapped under;
- the symptom becomes a Persian description of a typical fault of that
  subcategory, which also serves as the title (the file has no text);
- locations become demo sites and closure codes the standard resolution codes.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from typing import TypeVar

from sarv.demo.organisation import CATEGORIES, Organisation
from sarv.incidents.importers.uci import ASSIGNEE, CALLER, UciRow
from sarv.incidents.models import ResolutionCode

T = TypeVar("T")

# Typical faults per subcategory; the first is the most common.
SYMPTOMS: dict[str, tuple[str, ...]] = {
    "printer": ("کاغذ در چاپگر گیر می‌کند", "چاپگر چاپ نمی‌کند", "کیفیت چاپ پایین است",
                "چاپگر در شبکه دیده نمی‌شود"),
    "desktop": ("رایانه روشن نمی‌شود", "رایانه بسیار کند است", "رایانه مدام خاموش و روشن می‌شود"),
    "laptop": ("باتری لپ‌تاپ شارژ نمی‌شود", "لپ‌تاپ به شبکه وصل نمی‌شود", "صفحه‌کلید لپ‌تاپ کار نمی‌کند"),
    "monitor": ("نمایشگر تصویر ندارد", "تصویر نمایشگر لرزش دارد"),
    "scanner": ("اسکنر شناسایی نمی‌شود", "فایل اسکن‌شده خالی است"),
    "office-automation": ("نامه‌های وارده در کارتابل نمایش داده نمی‌شود", "امضای الکترونیک نامه خطا می‌دهد",
                          "ارجاع نامه انجام نمی‌شود"),
    "payroll": ("فیش حقوقی نمایش داده نمی‌شود", "خطا در محاسبه اضافه‌کار", "ورود به سامانه حقوق ممکن نیست"),
    "finance-system": ("سند حسابداری ثبت نمی‌شود", "گزارش تراز آزمایشی خطا می‌دهد", "سامانه مالی بسیار کند است"),
    "office-suite": ("فایل ورد باز نمی‌شود", "مهلت فعال‌سازی آفیس تمام شده است", "اکسل هنگام ذخیره بسته می‌شود"),
    "operating-system": ("به‌روزرسانی ویندوز متوقف شده است", "ورود به ویندوز انجام نمی‌شود"),
    "internet": ("اینترنت قطع است", "سرعت اینترنت بسیار پایین است", "برخی سایت‌ها باز نمی‌شوند"),
    "wifi": ("وای‌فای سالن جلسات وصل نمی‌شود", "وای‌فای مدام قطع و وصل می‌شود"),
    "vpn": ("اتصال VPN از منزل برقرار نمی‌شود", "VPN پس از چند دقیقه قطع می‌شود"),
    "lan": ("پریز شبکه اتاق کار نمی‌کند", "دسترسی به سرور فایل قطع است"),
    "password-reset": ("گذرواژه منقضی شده است", "حساب کاربری قفل شده است"),
    "shared-folder": ("دسترسی به پوشه اشتراکی واحد لازم است", "پوشه اشتراکی در دسترس نیست"),
    "new-account": ("حساب کاربری همکار جدید ساخته نشده است", "حساب ایمیل همکار جدید ساخته نشده است"),
    "mail-delivery": ("نامه‌های ارسالی به مقصد نمی‌رسد", "نامه‌های بیرونی دریافت نمی‌شود"),
    "mailbox-full": ("صندوق پست الکترونیک پر شده است", "پیوست‌های بزرگ ارسال نمی‌شود"),
    "malware": ("ضدویروس روی رایانه هشدار می‌دهد", "رایانه آلوده به بدافزار به نظر می‌رسد"),
    "phishing": ("ایمیل مشکوک با پیوست دریافت شده است", "ایمیل جعلی به نام سازمان دریافت شده است"),
}
# The service desk takes a double share of the file's groups, as the first line of support.
GROUP_SHARES = ("service-desk", "service-desk", "network", "applications", "end-user", "security", "database")
# Resolution codes by share: most incidents are fixed for good.
CODE_SHARES = ("solved_permanently", "solved_permanently", "solved_permanently", "solved_workaround",
               "no_fault_found", "user_error", "duplicate", "solved_by_supplier")


def pick(token: str, choices: Sequence[T]) -> T:
    """Return the element of ``choices`` that ``token`` maps to, the same on every run and machine."""
    return choices[zlib.crc32(token.encode("utf-8")) % len(choices)]


class DemoNames:
    """Maps UCI pseudonyms onto the demo organisation (see the module docstring); it creates nothing."""

    def __init__(self, org: Organisation) -> None:
        self.org = org
        self.requesters = [user.pk for user in org.requesters]
        self.agents = [user.pk for user in org.agents]
        self.departments = {user.pk: user.department_id for user in org.people.values()}
        self.group_members = {group.pk: [user.pk for user in org.members(code)] for code, group in org.groups.items()}
        self.group_codes = [org.groups[code].pk for code in GROUP_SHARES]
        self.categories = [code for code, _fa, _en, _children in CATEGORIES]
        self.children = {code: [child[0] for child in children] for code, _fa, _en, children in CATEGORIES}
        self.subcategory_codes = {category.pk: code for code, category in org.subcategories.items()}
        self.sites = [location.pk for location in org.locations.values() if location.kind == "site"]
        self.codes = dict(ResolutionCode.objects.values_list("code", "pk"))

    def prepare(self, rows: Iterable[UciRow]) -> None:
        """Nothing to create: every pseudonym maps onto an existing demo object."""

    def person(self, role: str, token: str, group: int | None = None) -> int | None:
        if role == CALLER:
            return pick(token or "unknown caller", self.requesters)
        if not token:
            return None
        if role == ASSIGNEE and group is not None:
            return pick(token, self.group_members[group])
        return pick(token, self.agents)

    def department_of(self, user: int | None) -> int | None:
        return self.departments.get(user) if user is not None else None

    def group(self, token: str) -> int | None:
        return pick(token, self.group_codes) if token else None

    def category(self, token: str) -> int | None:
        return self.org.categories[pick(token, self.categories)].pk if token else None

    def subcategory(self, category: int | None, token: str) -> int | None:
        if category is None or not token:
            return None
        code = next(code for code, item in self.org.categories.items() if item.pk == category)
        return self.org.subcategories[pick(token, self.children[code])].pk

    def service(self, subcategory: int | None) -> int | None:
        if subcategory is None:
            return None
        service = self.org.service_of.get(self.subcategory_codes[subcategory])
        return self.org.services[service].pk if service else None

    def location(self, token: str) -> int | None:
        return pick(token, self.sites) if token else None

    def symptom(self, token: str, subcategory: int | None) -> str:
        if subcategory is None:
            return ""
        return pick(token or "none", SYMPTOMS[self.subcategory_codes[subcategory]])

    def resolution_code(self, token: str) -> int | None:
        return self.codes[pick(token, CODE_SHARES)] if token else None

    def title(self, row: UciRow) -> str:
        category = self.category(row.get("category"))
        subcategory = self.subcategory(category, row.get("subcategory"))
        if subcategory is None:
            return "مشکل در دسترسی به خدمات فناوری اطلاعات"
        return self.symptom(row.get("u_symptom"), subcategory)

    def description(self, row: UciRow) -> str:
        return ""
