"""Hand-written Persian incidents, played through the incident actions so their timelines read as conversations.

Each story names who reports what and a list of steps, each taken a number of
minutes after the report by a demo user: replies, work notes with attachments
(Persian file names), assignments, status changes, resolution, confirmation,
cancellation. The steps run under the demo clock, so their times are spread
over the hours or days before the demo was loaded.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from sarv.core.choices import Impact, Urgency
from sarv.demo import clock
from sarv.demo.organisation import Organisation, parent_of
from sarv.incidents import actions
from sarv.incidents.choices import Channel, HoldReason, IncidentStatus
from sarv.incidents.models import Incident, ResolutionCode

logger = logging.getLogger(__name__)

# A 1x1 PNG, so the sample screenshots pass the attachment content check.
_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
_EML = (
    b"From: \"Bank Support\" <support@bank-secure-login.example>\r\n"
    b"Subject: Your account is blocked\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
    b"Your account is blocked. Open the attached form to unblock it.\r\n"
)


def sample_file(name: str) -> SimpleUploadedFile:
    """Return a small file whose content matches the extension of ``name``."""
    extension = name.rsplit(".", 1)[-1]
    content = {"png": _PNG, "pdf": _PDF, "eml": _EML}[extension]
    return SimpleUploadedFile(name, content)


@dataclass(frozen=True)
class Step:
    """One thing a demo user does on a story's incident, ``after`` minutes after it was reported."""

    after: int
    actor: str
    verb: str
    text: str = ""
    group: str = ""
    assignee: str = ""
    status: str = ""
    hold_reason: str = ""
    code: str = "solved_permanently"
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class Story:
    requester: str
    title: str
    description: str
    subcategory: str
    age_hours: float
    steps: tuple[Step, ...]
    reporter: str = ""
    channel: str = Channel.PORTAL
    impact: int = Impact.MEDIUM
    urgency: int = Urgency.MEDIUM
    files: tuple[str, ...] = ()
    letter: str = ""
    watchers: tuple[str, ...] = field(default=())


STORIES = (
    Story(
        requester="sara.rezaei", subcategory="printer", age_hours=30,
        title="چاپگر طبقه سوم ساختمان مرکزی کاغذ را گیر می‌اندازد",
        description="از صبح هر بار که نامه‌ای چاپ می‌کنم کاغذ در چاپگر طبقه سوم گیر می‌کند و چراغ خطا روشن "
                    "می‌شود. چند بار کاغذ را درآوردم ولی باز تکرار شد.",
        steps=(
            Step(20, "hamid.nouri", "assign", group="end-user", assignee="mina.rostami"),
            Step(45, "mina.rostami", "reply", "سلام خانم رضایی، لطفاً از پیام خطای روی صفحه چاپگر عکس بگیرید و "
                                             "بفرستید تا قطعه لازم را همراه بیاورم."),
            Step(50, "mina.rostami", "status", status=IncidentStatus.ON_HOLD,
                 hold_reason=HoldReason.AWAITING_REQUESTER),
            Step(80, "sara.rezaei", "reply", "عکس پیام خطا پیوست شد.", files=("عکس خطای چاپگر.png",)),
            Step(120, "mina.rostami", "note", "غلتک کشش کاغذ فرسوده است. یک غلتک یدک از انبار برداشتم."),
            Step(200, "mina.rostami", "reply", "غلتک چاپگر تعویض شد و چند صفحه آزمایشی بدون مشکل چاپ شد. "
                                              "لطفاً شما هم امتحان کنید و نتیجه را اعلام کنید."),
            Step(205, "mina.rostami", "resolve", "غلتک کشش کاغذ چاپگر تعویض شد."),
        ),
    ),
    Story(
        requester="parisa.hashemi", reporter="ali.karimi", channel=Channel.PHONE, subcategory="internet",
        age_hours=72, impact=Impact.MEDIUM, urgency=Urgency.HIGH,
        title="قطعی اینترنت در امور مالی",
        description="خانم هاشمی تماس گرفتند: از ساعت ۹ صبح هیچ‌یک از رایانه‌های امور مالی به اینترنت و سامانه "
                    "بانک دسترسی ندارند.",
        steps=(
            Step(5, "ali.karimi", "assign", group="network", assignee="reza.jafari"),
            Step(15, "reza.jafari", "note", "سوئیچ طبقه دوم ساختمان مرکزی از دسترس خارج شده است. برای بررسی به "
                                           "محل می‌روم."),
            Step(40, "reza.jafari", "reply", "علت قطعی، خرابی منبع تغذیه سوئیچ طبقه شما بود. سوئیچ موقتاً با "
                                            "یک دستگاه یدک جایگزین شد."),
            Step(45, "reza.jafari", "resolve", "سوئیچ معیوب با دستگاه یدک جایگزین شد و منبع تغذیه جدید سفارش "
                                              "داده شد.", code="solved_workaround"),
            Step(100, "parisa.hashemi", "reply", "ارتباط برقرار شد. سپاس از پیگیری سریع."),
            Step(110, "parisa.hashemi", "confirm"),
        ),
    ),
    Story(
        requester="narges.mousavi", subcategory="password-reset", age_hours=120, impact=Impact.LOW,
        title="گذرواژه سامانه حقوق و دستمزد را فراموش کرده‌ام",
        description="برای دیدن حکم کارگزینی باید وارد سامانه شوم ولی گذرواژه را به خاطر ندارم.",
        steps=(
            Step(10, "zahra.moradi", "assign", group="service-desk", assignee="zahra.moradi"),
            Step(15, "zahra.moradi", "reply", "گذرواژه موقت به شماره همراه ثبت‌شده شما پیامک شد. پس از ورود، "
                                             "گذرواژه را تغییر دهید."),
            Step(16, "zahra.moradi", "resolve", "گذرواژه بازنشانی و گذرواژه موقت پیامک شد."),
            Step(60, "narges.mousavi", "reply", "وارد شدم، ممنون."),
            Step(61, "narges.mousavi", "confirm"),
        ),
    ),
    Story(
        requester="kaveh.ebrahimi", subcategory="vpn", age_hours=20,
        title="اتصال VPN از منزل برقرار نمی‌شود",
        description="امروز دورکار هستم. نرم‌افزار VPN پس از وارد کردن گذرواژه پیام خطا می‌دهد و وصل نمی‌شود.",
        steps=(
            Step(30, "hamid.nouri", "assign", group="network", assignee="reza.jafari"),
            Step(60, "reza.jafari", "reply", "لطفاً نسخه نرم‌افزار VPN روی لپ‌تاپ و متن کامل پیام خطا را برای ما "
                                            "بفرستید."),
            Step(61, "reza.jafari", "status", "منتظر دریافت متن پیام خطا از شما هستیم.",
                 status=IncidentStatus.ON_HOLD, hold_reason=HoldReason.AWAITING_REQUESTER),
        ),
    ),
    Story(
        requester="mohsen.zare", reporter="zahra.moradi", channel=Channel.PHONE, subcategory="office-automation",
        age_hours=6,
        title="نامه‌های وارده در کارتابل اتوماسیون اداری نمایش داده نمی‌شود",
        description="آقای زارع تماس گرفتند: از ساعت ۸ صبح کارتابل دبیرخانه خالی است و نامه‌های وارده امروز "
                    "دیده نمی‌شوند.",
        watchers=("babak.nazari",),
        steps=(
            Step(3, "zahra.moradi", "assign", group="applications", assignee="fatemeh.ahmadi"),
            Step(30, "fatemeh.ahmadi", "status", status=IncidentStatus.IN_PROGRESS),
            Step(35, "fatemeh.ahmadi", "note", "در لاگ سرور اتوماسیون خطای اتصال به پایگاه داده دیده می‌شود. با "
                                              "گروه پایگاه داده هماهنگ کردم."),
            Step(40, "fatemeh.ahmadi", "reply", "علت مشکل شناسایی شده و در حال رفع است. تا یک ساعت دیگر نتیجه را "
                                               "اعلام می‌کنیم."),
        ),
    ),
    Story(
        requester="elham.sadeghi", subcategory="phishing", age_hours=4, urgency=Urgency.HIGH,
        title="ایمیل مشکوک با پیوست به نام بانک دریافت کرده‌ام",
        description="ایمیلی با عنوان «بلوکه شدن حساب» و یک فایل پیوست رسیده است. پیوست را باز نکردم. نامه را "
                    "پیوست کرده‌ام.",
        files=("ایمیل مشکوک.eml",),
        steps=(
            Step(10, "hamid.nouri", "assign", group="security", assignee="navid.shams"),
            Step(25, "navid.shams", "reply", "لطفاً پیوست را باز نکنید و ایمیل را حذف نکنید. نمونه را بررسی "
                                            "می‌کنیم."),
            Step(40, "navid.shams", "note", "پیوست یک ماکروی مخرب دارد. فرستنده در دروازه ایمیل مسدود شد و "
                                           "جست‌وجوی نامه‌های مشابه در صندوق‌های دیگر در جریان است."),
            Step(41, "navid.shams", "status", status=IncidentStatus.IN_PROGRESS),
        ),
    ),
    Story(
        requester="babak.nazari", reporter="hamid.nouri", channel=Channel.PHONE, subcategory="laptop",
        age_hours=28, impact=Impact.HIGH, urgency=Urgency.HIGH,
        title="لپ‌تاپ معاون توسعه مدیریت و منابع روشن نمی‌شود",
        description="دفتر معاونت تماس گرفت: لپ‌تاپ آقای نظری روشن نمی‌شود و ایشان ساعت ۱۰ جلسه هیئت‌مدیره دارند.",
        steps=(
            Step(5, "hamid.nouri", "assign", group="end-user", assignee="saeed.kazemi"),
            Step(30, "saeed.kazemi", "reply", "لپ‌تاپ جایگزین برای جلسه امروز به دفتر شما تحویل شد. دستگاه اصلی "
                                             "برای بررسی به کارگاه منتقل شد."),
            Step(120, "saeed.kazemi", "note", "برد اصلی آسیب دیده است. دستگاه در دوره گارانتی است و برای شرکت "
                                             "پشتیبان ارسال شد."),
            Step(125, "saeed.kazemi", "status", "دستگاه برای تعمیر به شرکت پشتیبان ارسال شد.",
                 status=IncidentStatus.ON_HOLD, hold_reason=HoldReason.AWAITING_SUPPLIER),
        ),
    ),
    Story(
        requester="shirin.karami", subcategory="wifi", age_hours=2,
        title="وای‌فای سالن جلسات اداره کل استان اصفهان وصل نمی‌شود",
        description="مهمانان جلسه امروز نمی‌توانند به شبکه بی‌سیم سالن جلسات وصل شوند.",
        steps=(
            Step(30, "hamid.nouri", "assign", group="network"),
            Step(31, "hamid.nouri", "reply", "حادثه شما به گروه شبکه و زیرساخت ارجاع شد."),
        ),
    ),
    Story(
        requester="javad.rahmani", subcategory="mailbox-full", age_hours=0.75,
        title="صندوق پست الکترونیک پر شده است و نامه دریافت نمی‌کنم",
        description="از دیروز نامه‌های بیرونی به دستم نمی‌رسد.",
        steps=(
            Step(10, "javad.rahmani", "reply", "پیام خطایی که هنگام ارسال می‌بینم را پیوست کردم.",
                 files=("پیام خطای صندوق.png",)),
        ),
    ),
    Story(
        requester="sara.rezaei", subcategory="payroll", age_hours=48,
        title="فیش حقوقی آبان در سامانه حقوق و دستمزد نمایش داده نمی‌شود",
        description="با انتخاب ماه آبان پیام «خطای محاسبه» نمایش داده می‌شود و فیش باز نمی‌شود.",
        steps=(
            Step(15, "ali.karimi", "assign", group="applications", assignee="mehdi.rahimi"),
            Step(60, "mehdi.rahimi", "note", "همه کارکنان امور مالی همین خطا را دارند. علت در محاسبه کسورات ماه "
                                            "جاری است و برای بررسی علت ریشه‌ای یک مسئله ثبت شد."),
            Step(65, "mehdi.rahimi", "reply", "این حادثه به یک مسئله شناخته‌شده در سامانه حقوق مربوط است. پس از "
                                             "رفع علت، فیش شما نمایش داده می‌شود."),
            Step(66, "mehdi.rahimi", "status", status=IncidentStatus.ON_HOLD,
                 hold_reason=HoldReason.AWAITING_PROBLEM),
        ),
    ),
    Story(
        requester="kaveh.ebrahimi", subcategory="shared-folder", age_hours=26, letter="۱۴۰۵/ح/۲۳۴۵",
        title="درخواست دسترسی به پوشه اشتراکی قراردادها",
        description="برای بررسی قراردادهای سال جاری به پوشه اشتراکی قراردادها نیاز دارم.",
        steps=(
            Step(20, "zahra.moradi", "assign", group="service-desk", assignee="zahra.moradi"),
            Step(40, "zahra.moradi", "reply", "طبق دستورالعمل امنیت اطلاعات، دسترسی به پوشه قراردادها با نامه "
                                             "مدیر واحد داده می‌شود. لطفاً تصویر نامه را پیوست کنید."),
            Step(41, "zahra.moradi", "status", status=IncidentStatus.ON_HOLD,
                 hold_reason=HoldReason.AWAITING_EVIDENCE),
            Step(300, "kaveh.ebrahimi", "reply", "نامه مدیر کل حقوقی پیوست شد.",
                 files=("نامه درخواست دسترسی.pdf",)),
            Step(320, "zahra.moradi", "note", "نامه دریافت شد. دسترسی فقط خواندنی پس از تأیید امنیت اطلاعات "
                                             "داده می‌شود."),
            Step(321, "zahra.moradi", "status", status=IncidentStatus.IN_PROGRESS),
        ),
    ),
    Story(
        requester="parisa.hashemi", reporter="neda.salehi", channel=Channel.PHONE, subcategory="finance-system",
        age_hours=5, impact=Impact.HIGH,
        title="سامانه مالی در پایان ماه بسیار کند است و اسناد ثبت نمی‌شوند",
        description="ثبت هر سند بیش از دو دقیقه طول می‌کشد و برخی اسناد با خطای زمان انتظار ثبت نمی‌شوند. بستن "
                    "حساب‌های ماه متوقف شده است.",
        watchers=("babak.nazari",),
        steps=(
            Step(5, "hamid.nouri", "assign", group="database", assignee="leila.ghasemi"),
            Step(20, "neda.salehi", "major"),
            Step(25, "neda.salehi", "note", "به‌دلیل اثر بر بستن حساب‌های ماه، حادثه عمده اعلام شد. جلسه "
                                           "هماهنگی ساعت ۱۴ برگزار می‌شود."),
            Step(60, "leila.ghasemi", "note", "قفل‌های طولانی روی جدول اسناد دیده می‌شود. گزارش سنگین ماهانه در "
                                             "ساعات کاری اجرا شده است."),
            Step(70, "leila.ghasemi", "reply", "علت کندی شناسایی شد و در حال رفع است. لطفاً تا اطلاع بعدی "
                                              "گزارش‌های حجیم را اجرا نکنید."),
            Step(75, "leila.ghasemi", "status", status=IncidentStatus.IN_PROGRESS),
        ),
    ),
    Story(
        requester="mohsen.zare", subcategory="lan", age_hours=50,
        title="تلفن و رایانه دبیرخانه به شبکه وصل نمی‌شوند",
        description="از صبح رایانه و تلفن داخلی میز دبیرخانه شبکه ندارند.",
        steps=(
            Step(15, "mohsen.zare", "cancel", "دوباره وصل شد. کابل از پریز بیرون آمده بود و خودم وصلش کردم."),
        ),
    ),
)


def _incident(incident: Incident) -> Incident:
    return Incident.objects.get(pk=incident.pk)


def play_step(org: Organisation, incident: Incident, step: Step) -> Incident:
    """Apply ``step`` through the matching incident action and return the incident as saved."""
    actor = org.person(step.actor)
    files = [sample_file(name) for name in step.files]
    version = incident.version
    if step.verb == "reply":
        actions.add_reply(actor=actor, incident=incident, body=step.text, files=files)
    elif step.verb == "note":
        actions.add_work_note(actor=actor, incident=incident, body=step.text, files=files)
    elif step.verb == "assign":
        assignee = org.person(step.assignee) if step.assignee else None
        actions.assign_incident(actor=actor, incident=incident, expected_version=version,
                                group=org.groups[step.group], assignee=assignee)
    elif step.verb == "status":
        actions.change_status(actor=actor, incident=incident, expected_version=version, status=step.status,
                              hold_reason=step.hold_reason, note=step.text)
    elif step.verb == "resolve":
        actions.resolve_incident(actor=actor, incident=incident, expected_version=version,
                                 resolution_code=ResolutionCode.objects.get(code=step.code),
                                 resolution_notes=step.text)
    elif step.verb == "confirm":
        actions.confirm_resolution(actor=actor, incident=incident)
    elif step.verb == "close":
        actions.close_incident(actor=actor, incident=incident)
    elif step.verb == "cancel":
        actions.cancel_incident(actor=actor, incident=incident, expected_version=version, reason=step.text)
    elif step.verb == "major":
        actions.set_major(actor=actor, incident=incident, expected_version=version, is_major=True)
    else:
        raise ValueError(f"unknown demo step {step.verb!r}")
    return _incident(incident)


def create_incident(org: Organisation, story: Story, reported_at: dt.datetime) -> Incident:
    """Register the story's incident through ``create_incident`` at ``reported_at``."""
    requester = org.person(story.requester)
    subcategory = org.subcategories[story.subcategory]
    service_code = org.service_of.get(story.subcategory)
    with clock.at(reported_at):
        incident = actions.create_incident(
            actor=org.person(story.reporter or story.requester), requester=requester, title=story.title,
            description=story.description, channel=story.channel, category=org.categories[parent_of(story.subcategory)],
            subcategory=subcategory, service=org.services[service_code] if service_code else None,
            impact=story.impact, urgency=story.urgency, files=[sample_file(name) for name in story.files],
            letter_number=story.letter, letter_date=reported_at.date() if story.letter else None,
            watchers=[org.person(name) for name in story.watchers],
        )
    return incident


def play(org: Organisation, story: Story, now: dt.datetime) -> Incident:
    reported_at = now - dt.timedelta(hours=story.age_hours)
    incident = create_incident(org, story, reported_at)
    for step in story.steps:
        with clock.at(reported_at + dt.timedelta(minutes=step.after)):
            incident = play_step(org, incident, step)
    return incident


def write_stories(org: Organisation, now: dt.datetime, stories: Sequence[Story] = STORIES) -> list[Any]:
    """Play every story, reported ``age_hours`` before ``now``; return the incidents."""
    incidents = [play(org, story, now) for story in stories]
    logger.info("Demo stories written: %s incidents", len(incidents))
    return incidents
