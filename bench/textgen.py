"""Seeded service-desk text: Persian, English, and Persian with English product names.

The vocabulary fixes how selective the benchmark search terms are: "VPN" and
«چاپگر» occur in a few per cent of records, "zqxv" in none.
"""

from __future__ import annotations

import random

SEARCH_TERMS = {"common_en": "VPN", "common_fa": "چاپگر", "no_match": "zqxv"}

PERSIAN_SUBJECTS = [
    "چاپگر طبقه {floor}", "رایانه اتاق {room}", "اتوماسیون اداری", "سامانه حقوق و دستمزد", "پست الکترونیک",
    "اینترنت ساختمان {building}", "تلفن داخلی {room}", "اسکنر واحد مالی", "کارتابل نامه‌ها", "سامانه بایگانی",
    "پرینتر رنگی", "مودم شعبه {building}", "حساب کاربری", "گذرواژه دامنه", "نرم‌افزار حسابداری",
]
PERSIAN_PROBLEMS = [
    "کار نمی‌کند", "خیلی کند است", "قطع و وصل می‌شود", "خطا می‌دهد", "باز نمی‌شود", "چاپ نمی‌کند",
    "به شبکه وصل نمی‌شود", "پیغام خطای دسترسی می‌دهد", "از صبح در دسترس نیست", "نیاز به بررسی دارد",
]
ENGLISH_SUBJECTS = [
    "Outlook on floor {floor}", "VPN client", "Laptop {room}", "ERP finance module", "Shared drive",
    "Wi-Fi in building {building}", "Printer HP-{room}", "Domain account", "Citrix session", "SQL report server",
]
ENGLISH_PROBLEMS = [
    "is not working", "is very slow", "keeps disconnecting", "shows an error", "cannot be opened",
    "asks for the password again", "stopped syncing", "crashes on start",
]
MIXED_TEMPLATES = [
    "{product} روی لپ‌تاپ {room} {problem}",
    "اتصال {product} {problem}",
    "خطای {product} هنگام ورود",
    "نصب {product} برای همکار جدید",
]
PRODUCTS = ["VPN", "Outlook", "Office 365", "Chrome", "Windows 11", "SAP", "AnyDesk", "Zoom", "Skype", "Excel"]
ERROR_LINES = ["Error 0x80070005: Access is denied.", "HTTP 502 Bad Gateway", "ORA-12541: TNS:no listener",
               "The trust relationship between this workstation and the primary domain failed."]
PERSIAN_SENTENCES = [
    "لطفا هر چه سریع‌تر بررسی کنید.", "این مشکل از دیروز شروع شده است.", "همکاران واحد هم همین مشکل را دارند.",
    "دستگاه را خاموش و روشن کردم ولی فرقی نکرد.", "کار ارباب رجوع متوقف شده است.", "شماره داخلی من {room} است.",
]
ENGLISH_SENTENCES = [
    "Please look at it as soon as possible.", "It started yesterday afternoon.",
    "Other people in the team see the same.", "I restarted the machine but nothing changed.",
]
PERSIAN_FIRST = ["علی", "رضا", "سارا", "مریم", "حسین", "زهرا", "مهدی", "فاطمه", "امیر", "نیلوفر", "کاوه", "شیرین",
                 "بابک", "لیلا", "آرش", "پریسا", "امید", "نسرین", "فرهاد", "مینا"]
PERSIAN_LAST = ["احمدی", "حسینی", "کریمی", "رضایی", "مرادی", "جعفری", "رحیمی", "محمدی", "صادقی", "کاظمی",
                "تهرانی", "شیرازی", "ابراهیمی", "قاسمی", "نوری", "صالحی"]


class TextGenerator:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def _fill(self, template: str) -> str:
        return template.format(floor=self.rng.randint(1, 9), room=self.rng.randint(100, 499),
                               building=self.rng.randint(1, 6), product=self.rng.choice(PRODUCTS),
                               problem=self.rng.choice(PERSIAN_PROBLEMS))

    def title_and_body(self) -> tuple[str, str]:
        roll = self.rng.random()
        if roll < 0.45:
            title = f"{self._fill(self.rng.choice(PERSIAN_SUBJECTS))} {self.rng.choice(PERSIAN_PROBLEMS)}"
            sentences = [self._fill(s) for s in self.rng.sample(PERSIAN_SENTENCES, 2)]
        elif roll < 0.85:
            title = f"{self._fill(self.rng.choice(ENGLISH_SUBJECTS))} {self.rng.choice(ENGLISH_PROBLEMS)}"
            sentences = self.rng.sample(ENGLISH_SENTENCES, 2)
        else:
            title = self._fill(self.rng.choice(MIXED_TEMPLATES))
            sentences = [self._fill(s) for s in self.rng.sample(PERSIAN_SENTENCES, 2)]
        if self.rng.random() < 0.2:
            sentences.append(self.rng.choice(ERROR_LINES))
        return title, " ".join(sentences)

    def reply(self, persian: bool) -> str:
        pool = PERSIAN_SENTENCES if persian else ENGLISH_SENTENCES
        return self._fill(self.rng.choice(pool))

    def person(self) -> tuple[str, str]:
        return self.rng.choice(PERSIAN_FIRST), self.rng.choice(PERSIAN_LAST)
