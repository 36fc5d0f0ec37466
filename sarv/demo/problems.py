"""The demo's problems: four records in different states, linked to the demo's incidents.

A printer problem that is a known error (five whys, root cause, workaround), a VPN problem under
investigation, a slow finance system resolved by a change, and a new internet problem nobody
has taken yet. They are written through the problem actions with the demo clock, so their
timelines and SLA clocks read like real work.
"""

from __future__ import annotations

import datetime as dt

from sarv.core.choices import Impact, Urgency
from sarv.demo.clock import at
from sarv.demo.organisation import Organisation
from sarv.incidents.models import Incident
from sarv.problems import actions
from sarv.problems.choices import ProblemStatus, RcaMethod
from sarv.problems.models import Problem

MANAGER = "kamran.yazdani"
# How many other incidents with the same word in their title each problem links, besides its story incident.
SIMILAR_LIMIT = 4


def _incidents(story_title: str, word: str) -> list[Incident]:
    """Return the story's incident and a few more whose title contains ``word``, oldest first."""
    story = list(Incident.objects.filter(title=story_title)[:1])
    similar = list(Incident.objects.filter(title__contains=word).exclude(title=story_title)
                   .order_by("created_at")[:SIMILAR_LIMIT])
    return story + similar


def _fresh(problem: Problem) -> Problem:
    return Problem.objects.get(pk=problem.pk)


def _printer(org: Organisation, now: dt.datetime) -> Problem:
    manager, agent = org.person(MANAGER), org.person("mina.rostami")
    with at(now - dt.timedelta(days=6)):
        problem = actions.open_problem(
            actor=org.person("hamid.nouri"), title="گیر کردن مکرر کاغذ در چاپگرهای طبقه سوم",
            description="در یک ماه گذشته چند بار کاغذ در چاپگرهای طبقه سوم ساختمان مرکزی گیر کرده و هر بار "
                        "غلتک یا سینی کاغذ عوض شده است.",
            impact=Impact.MEDIUM, urgency=Urgency.MEDIUM, problem_manager=manager,
            assigned_group=org.groups["end-user"], assignee=agent,
            incidents=_incidents("چاپگر طبقه سوم ساختمان مرکزی کاغذ را گیر می‌اندازد", "چاپگر"),
        )
    with at(now - dt.timedelta(days=5)):
        for question, answer in (
            ("چرا کاغذ در چاپگر گیر می‌کند؟", "غلتک کشش کاغذ زودتر از عمر معمولش فرسوده می‌شود."),
            ("چرا غلتک زود فرسوده می‌شود؟", "کاغذ مصرفی سنگین‌تر از ۸۰ گرم است."),
            ("چرا کاغذ سنگین‌تر خریده شده است؟", "در خرید آخر مشخصات کاغذ در درخواست خرید نیامده بود."),
            ("چرا مشخصات کاغذ در درخواست خرید نبود؟", "فرم درخواست خرید لوازم مصرفی فیلد مشخصات فنی ندارد."),
        ):
            actions.add_five_why(actor=agent, problem=problem, question=question, answer=answer)
        problem = actions.save_root_cause(
            actor=agent, problem=_fresh(problem), expected_version=_fresh(problem).version,
            rca_method=RcaMethod.FIVE_WHYS,
            root_cause="کاغذ ۱۰۰ گرمی که بدون مشخصات فنی خریده شد، غلتک کشش چاپگرهای طبقه سوم را فرسوده می‌کند.",
            contributing_factors="فرم خرید لوازم مصرفی مشخصات فنی ندارد؛ غلتک یدک در انبار کم است.",
        )
    with at(now - dt.timedelta(days=4)):
        problem = actions.save_workaround(
            actor=agent, problem=problem, expected_version=problem.version,
            workaround="تا رسیدن کاغذ ۸۰ گرمی، از سینی دستی چاپگر و کاغذ ۸۰ گرمی انبار طبقه همکف استفاده کنید.",
        )
        problem = actions.change_status(actor=manager, problem=problem, expected_version=problem.version,
                                        status=ProblemStatus.KNOWN_ERROR)
    return problem


def _vpn(org: Organisation, now: dt.datetime) -> Problem:
    agent = org.person("reza.jafari")
    with at(now - dt.timedelta(days=3)):
        problem = actions.open_problem(
            actor=org.person("maryam.hosseini"), title="قطع مکرر اتصال VPN کاربران دورکار",
            description="کاربران دورکار چند بار در هفته گزارش می‌دهند که VPN پس از چند دقیقه قطع می‌شود.",
            impact=Impact.HIGH, urgency=Urgency.MEDIUM, problem_manager=org.person(MANAGER),
            assigned_group=org.groups["network"], assignee=agent,
            incidents=_incidents("اتصال VPN از منزل برقرار نمی‌شود", "VPN"),
        )
    with at(now - dt.timedelta(days=2)):
        problem = actions.change_status(actor=agent, problem=problem, expected_version=problem.version,
                                        status=ProblemStatus.UNDER_INVESTIGATION)
        actions.add_work_note(actor=agent, problem=problem,
                              body="گزارش‌های فایروال نشان می‌دهد نشست‌ها پس از ۱۰ دقیقه بیکاری بسته می‌شوند.")
    return problem


def _finance(org: Organisation, now: dt.datetime) -> Problem:
    manager, agent = org.person(MANAGER), org.person("hossein.bagheri")
    with at(now - dt.timedelta(days=20)):
        problem = actions.open_problem(
            actor=manager, title="کندی سامانه مالی در پایان هر ماه",
            description="در سه روز آخر هر ماه ثبت اسناد در سامانه مالی چند دقیقه طول می‌کشد.",
            impact=Impact.HIGH, urgency=Urgency.HIGH, problem_manager=manager,
            assigned_group=org.groups["database"], assignee=agent,
            incidents=_incidents("سامانه مالی در پایان ماه بسیار کند است و اسناد ثبت نمی‌شوند", "سامانه مالی"),
        )
    with at(now - dt.timedelta(days=15)):
        problem = actions.save_root_cause(
            actor=agent, problem=problem, expected_version=problem.version, rca_method=RcaMethod.FAULT_TREE,
            root_cause="شاخص‌های جدول اسناد هر ماه تکه‌تکه می‌شوند و بازسازی شبانه آن‌ها غیرفعال مانده بود.",
        )
    with at(now - dt.timedelta(days=10)):
        problem = actions.resolve_problem(
            actor=manager, problem=problem, expected_version=problem.version,
            resolution_notes="کار شبانه بازسازی شاخص‌ها دوباره فعال شد و پایش آن به داشبورد پایگاه داده اضافه شد.",
            fix_change_reference="CHG-1405-000042",
        )
    return problem


def _internet(org: Organisation, now: dt.datetime) -> Problem:
    with at(now - dt.timedelta(hours=20)):
        return actions.open_problem(
            actor=org.person("ali.karimi"), title="قطعی‌های پراکنده اینترنت در ساختمان مرکزی",
            description="در هفته گذشته چند بار اینترنت طبقه‌های مختلف ساختمان مرکزی برای چند دقیقه قطع شده است.",
            impact=Impact.MEDIUM, urgency=Urgency.MEDIUM,
            incidents=_incidents("قطعی اینترنت در امور مالی", "اینترنت"),
        )


def give_problems(org: Organisation, now: dt.datetime) -> list[Problem]:
    """Create the demo's problems and link them to the demo's incidents."""
    return [_printer(org, now), _vpn(org, now), _finance(org, now), _internet(org, now)]
