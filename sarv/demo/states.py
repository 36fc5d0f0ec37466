"""Making sure the demo shows open work in every status and every on-hold reason.

The UCI file has no "assigned" or "cancelled" status and no "waiting for a
change" reason, and the slice has few incidents in some states. After the
import and the stories, ``fill_states`` counts the incidents in each state and
creates incidents through the actions until each state has ``MINIMUM``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter

from sarv.demo.organisation import SERVICES, Organisation
from sarv.demo.stories import Step, Story, play
from sarv.incidents.choices import HoldReason, IncidentStatus
from sarv.incidents.models import Incident, IncidentPolicy

logger = logging.getLogger(__name__)

MINIMUM = 3
NEW, ASSIGNED, IN_PROGRESS, RESOLVED, CLOSED, CANCELLED = (
    IncidentStatus.NEW, IncidentStatus.ASSIGNED, IncidentStatus.IN_PROGRESS, IncidentStatus.RESOLVED,
    IncidentStatus.CLOSED, IncidentStatus.CANCELLED,
)
# Each state as (status, hold reason); on hold once per reason.
STATES = (
    (NEW, ""), (ASSIGNED, ""), (IN_PROGRESS, ""),
    *((IncidentStatus.ON_HOLD, reason) for reason in HoldReason.values),
    (RESOLVED, ""), (CLOSED, ""), (CANCELLED, ""),
)

# Titles of the incidents that fill a state: (subcategory, Persian title), at least MINIMUM per state.
TITLES: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {
    (NEW, ""): (("scanner", "اسکنر اتاق بایگانی فایل خالی تحویل می‌دهد"),
                ("monitor", "نمایشگر دوم رایانه تصویر ندارد"),
                ("office-suite", "فایل‌های اکسل با قلم فارسی درست نمایش داده نمی‌شوند")),
    (ASSIGNED, ""): (("new-account", "ساخت حساب کاربری برای همکار جدید امور مالی"),
                     ("desktop", "جابه‌جایی رایانه به اتاق جدید در ساختمان شماره ۲"),
                     ("office-automation", "امضای الکترونیک در اتوماسیون اداری ثبت نمی‌شود")),
    (IN_PROGRESS, ""): (("internet", "سرعت اینترنت در ساختمان شماره ۲ پایین است"),
                        ("operating-system", "به‌روزرسانی ویندوز روی رایانه دبیرخانه متوقف شده است"),
                        ("mail-delivery", "نامه‌های ارسالی به یک سازمان همکار برگشت می‌خورد")),
    (IncidentStatus.ON_HOLD, HoldReason.AWAITING_REQUESTER): (
        ("printer", "چاپگر رنگی روابط عمومی کم‌رنگ چاپ می‌کند"),
        ("shared-folder", "پوشه اشتراکی منابع انسانی باز نمی‌شود"),
        ("laptop", "صفحه‌کلید لپ‌تاپ چند کلید را نمی‌نویسد")),
    (IncidentStatus.ON_HOLD, HoldReason.AWAITING_SUPPLIER): (
        ("printer", "چاپگر مرکزی ساختمان شماره ۲ خطای فیوزر می‌دهد"),
        ("internet", "خط اینترنت پشتیبان دفتر شهر ری قطع است"),
        ("scanner", "اسکنر پرسرعت دبیرخانه نیاز به تعمیر دارد")),
    (IncidentStatus.ON_HOLD, HoldReason.AWAITING_PROBLEM): (
        ("payroll", "خطای محاسبه اضافه‌کار در سامانه حقوق و دستمزد"),
        ("office-automation", "پیوست نامه‌ها در اتوماسیون اداری گاهی باز نمی‌شود"),
        ("vpn", "VPN هر شب ساعت ۲۲ قطع می‌شود")),
    (IncidentStatus.ON_HOLD, HoldReason.AWAITING_EVIDENCE): (
        ("malware", "ضدویروس روی رایانه امور حقوقی هشدار می‌دهد"),
        ("finance-system", "گزارش تراز آزمایشی سامانه مالی عدد اشتباه نشان می‌دهد"),
        ("mail-delivery", "برخی نامه‌های بیرونی به صندوق نمی‌رسند")),
    (IncidentStatus.ON_HOLD, HoldReason.AWAITING_CHANGE): (
        ("lan", "پریزهای شبکه اتاق جلسات طبقه اول کار نمی‌کنند"),
        ("wifi", "پوشش وای‌فای طبقه سوم ضعیف است"),
        ("finance-system", "سامانه مالی با مرورگر جدید سازگار نیست")),
    (RESOLVED, ""): (("password-reset", "حساب کاربری پس از چند بار ورود ناموفق قفل شده است"),
                     ("monitor", "تصویر نمایشگر میز پذیرش لرزش دارد"),
                     ("office-suite", "مهلت فعال‌سازی آفیس رایانه حسابداری تمام شده است")),
    (CLOSED, ""): (("desktop", "رایانه کارگزینی بسیار کند است"),
                   ("mailbox-full", "صندوق پست الکترونیک روابط عمومی پر شده است"),
                   ("printer", "چاپگر امور اداری در شبکه دیده نمی‌شود")),
    (CANCELLED, ""): (("internet", "قطعی اینترنت طبقه دوم (گزارش تکراری)"),
                      ("laptop", "لپ‌تاپ به شبکه وصل نمی‌شود"),
                      ("password-reset", "گذرواژه منقضی شده است")),
}


def state_counts(now: dt.datetime) -> Counter[tuple[str, str]]:
    """Return how many incidents are in each state; resolved ones count only until they would close by themselves."""
    counts: Counter[tuple[str, str]] = Counter(
        (status, hold_reason) for status, hold_reason in Incident.objects.values_list("status", "hold_reason")
        if status != RESOLVED
    )
    window = dt.timedelta(days=max(IncidentPolicy.current().auto_close_days - 1, 1))
    counts[(RESOLVED, "")] = Incident.objects.filter(status=RESOLVED, resolved_at__gte=now - window).count()
    return counts


def _owner(subcategory: str) -> str:
    return next(owner for _code, _fa, _en, owner, children in SERVICES if subcategory in children)


def _steps(org: Organisation, state: tuple[str, str], subcategory: str) -> tuple[Step, ...]:
    """Return the steps that bring a new incident into ``state``."""
    status, hold_reason = state
    group = _owner(subcategory)
    lead = org.groups[group].lead
    assert lead is not None
    members = org.members(group)
    agent = next((user for user in members if user.pk != lead.pk), lead).username
    if status == NEW:
        return ()
    if status == CANCELLED:
        return (Step(30, "neda.salehi", "cancel", "گزارش تکراری است و در حادثه دیگری پیگیری می‌شود."),)
    steps = [Step(15, lead.username, "assign", group=group, assignee=agent)]
    if status in (IN_PROGRESS, IncidentStatus.ON_HOLD):
        steps.append(Step(40, agent, "status", status=status, hold_reason=hold_reason))
    if status in (RESOLVED, CLOSED):
        steps.append(Step(90, agent, "resolve", "مشکل برطرف شد و نتیجه با درخواست‌کننده هماهنگ شد."))
    if status == CLOSED:
        steps.append(Step(100, agent, "close"))
    return tuple(steps)


def fill_states(org: Organisation, now: dt.datetime) -> int:
    """Create incidents through the actions until every state has ``MINIMUM``; return how many were created."""
    counts = state_counts(now)
    requesters = [user.username for user in org.requesters]
    created = 0
    for state in STATES:
        missing = MINIMUM - counts[state]
        for index, (subcategory, title) in enumerate(TITLES[state][:max(missing, 0)]):
            story = Story(requester=requesters[(created + index) % len(requesters)], title=title, description="",
                          subcategory=subcategory, age_hours=3 + 2 * index, steps=_steps(org, state, subcategory))
            play(org, story, now)
        created += max(missing, 0)
    logger.info("Demo states filled with %s incidents", created)
    return created
