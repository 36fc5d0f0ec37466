"""The demo organisation's business calendars: each support group gets a copy of a shipped template.

The service desk and end-user support follow the labour-law week, the network team works around the clock,
the head-office teams follow the head-office week, and the Isfahan provincial office has its own calendar.
One closure for air pollution in Tehran, a week before the demo's "now", exempts the network team.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings

from sarv.calendars import actions as calendar_actions
from sarv.calendars.models import Calendar
from sarv.demo.organisation import ADMIN_USERNAME, Organisation

# support group code -> shipped template key
GROUP_TEMPLATES = {
    "service-desk": "labour_law",
    "end-user": "labour_law",
    "network": "24x7",
    "applications": "head_office",
    "security": "head_office",
    "database": "head_office",
}


def give_calendars(org: Organisation, now: dt.datetime) -> list[Calendar]:
    """Create the demo groups' calendars, the Isfahan office's calendar and one past closure."""
    admin = org.people[ADMIN_USERNAME]
    templates = {c.template_key: c for c in Calendar.objects.exclude(template_key="")}
    created = []
    for code, key in GROUP_TEMPLATES.items():
        group = org.groups[code]
        template = templates[key]
        created.append(calendar_actions.copy_calendar(actor=admin, source=template, values={
            "name_fa": f"{group.name_fa} — {template.name_fa}",
            "name_en": f"{group.name_en} — {template.name_en}",
            "owner_group": group,
        }))
    provincial = templates["provincial"]
    created.append(calendar_actions.copy_calendar(actor=admin, source=provincial, values={
        "name_fa": "اداره کل استان اصفهان", "name_en": "Isfahan provincial office",
        "site": org.locations["isfahan-province"],
    }))
    tehran = zoneinfo.ZoneInfo(settings.SARV_NUMBERING_TIME_ZONE)
    calendar_actions.save_closure(actor=admin, values={
        "start_date": (now.astimezone(tehran) - dt.timedelta(days=7)).date(),
        "whole_day": True,
        "locations": [org.locations["tehran-province"]],
        "exempt_groups": [org.groups["network"]],
        "reason": "آلودگی هوا",
        "announced_by": "استانداری تهران",
        "note": "ادارات و دستگاه‌های اجرایی استان تهران تعطیل؛ واحدهای عملیاتی و کشیک دایر هستند.",
    })
    return created
