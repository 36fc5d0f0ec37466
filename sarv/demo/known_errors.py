"""Demo known errors: two analysed problems published to the known error database.

The printer problem is linked to the printer story's incident, so its page shows the workaround with the
"apply workaround" button. The VPN problem is not linked, so the VPN story's incident shows it as a
suggestion.
"""

from __future__ import annotations

from sarv.demo.organisation import ADMIN_USERNAME, Organisation
from sarv.incidents.models import Incident
from sarv.problems import actions
from sarv.problems.models import Problem

# title, description, subcategory, service, root cause, workaround, title of the story incident to link
KNOWN_ERRORS = (
    (
        "گیر کردن کاغذ در چاپگرهای HP ساختمان مرکزی",
        "چاپگرهای HP LaserJet طبقه‌های دوم و سوم پس از چند برگ کاغذ را گیر می‌اندازند.",
        "printer", "workplace",
        "غلتک‌های تغذیه سینی ۱ فرسوده شده‌اند و کاغذ ۷۰ گرمی را کج می‌کشند.",
        "کاغذ ۸۰ گرمی را در سینی ۲ بگذارید و در پنجره چاپ «سینی ۲» را انتخاب کنید. "
        "تا تعویض غلتک‌ها از سینی ۱ استفاده نکنید.",
        "چاپگر طبقه سوم ساختمان مرکزی کاغذ را گیر می‌اندازد",
    ),
    (
        "قطع اتصال VPN از منزل پس از به‌روزرسانی ویندوز",
        "اتصال VPN با خطای 809 برقرار نمی‌شود؛ از آذر و پس از به‌روزرسانی ماهانه ویندوز.",
        "vpn", "remote-access",
        "به‌روزرسانی ماهانه ویندوز تنظیم IKEv2 کلاینت VPN را بازنویسی کرده است و مودم‌های خانگی "
        "بسته‌های UDP 500 را رد می‌کنند.",
        "در تنظیمات اتصال VPN نوع اتصال را از «خودکار» به SSTP تغییر دهید و دوباره وصل شوید.",
        "",
    ),
)


def build_known_errors(org: Organisation) -> list[Problem]:
    """Raise, analyse and publish the demo problems as the administrator, who is a problem manager too."""
    admin = org.people[ADMIN_USERNAME]
    problems = []
    for title, description, subcategory, service, root_cause, workaround, story_title in KNOWN_ERRORS:
        problem = actions.open_problem(actor=admin, title=title, description=description,
                                       category=org.subcategories[subcategory], services=[org.services[service]],
                                       assigned_group=org.services[service].owner_group)
        # NOTE: the analysis is written straight to the row, because the demo has no root cause analysis
        # steps yet. Publishing copies it through the action, with its timeline entry and audit row.
        Problem.objects.filter(pk=problem.pk).update(root_cause=root_cause, workaround=workaround)
        problem.refresh_from_db()
        actions.publish_known_error(actor=admin, problem=problem)
        incident = Incident.objects.filter(title=story_title).first() if story_title else None
        if incident is not None:
            actions.link_incident_to_problem(actor=admin, incident=incident, problem=problem)
        problems.append(problem)
    return problems
