"""The demo organisation's service level agreements, so open incidents and problems show clocks.

Two SLAs split by priority (critical and high incidents get tighter targets and an
escalation to the group lead, then to the incident managers), OLAs for the service
desk and the network team, and a UC with the internet provider; all of them apply to
incidents only. Problems have their own SLA: a resolution target per priority that
pauses while the problem is a known error, because a workaround then keeps the service
running. They are saved through the SLA actions like an administrator's, and every open
record's clocks are then computed from its timeline.
"""

from __future__ import annotations

import datetime as dt

from sarv.core.choices import Priority
from sarv.demo.organisation import ADMIN_USERNAME, Organisation
from sarv.sla import actions as sla_actions
from sarv.sla.models import Agreement
from sarv.sla.recompute import recompute_open

HOUR = 3600
# Eight hours of business time, about one working day on the service desk calendar.
WORKDAY = 8 * HOUR
INCIDENT = "incidents.incident"
PROBLEM = "problems.problem"


def give_agreements(org: Organisation) -> list[Agreement]:
    """Create the demo's suppliers and agreements."""
    admin = org.people[ADMIN_USERNAME]
    provider = sla_actions.save_supplier(actor=admin, supplier=None, values={
        "name_fa": "شرکت ارتباطات پارس‌نت", "name_en": "ParsNet communications", "code": "parsnet",
        "contact": "۰۲۱-۸۸۰۰۰۰۰۰", "is_active": True,
    })
    common = {"is_active": True, "calendar_source": "group", "stop_statuses": ["resolved", "closed"],
              "pause_hold_reasons": ["awaiting_requester", "awaiting_supplier"], "warning_percents": [50, 75, 90],
              "record_types": [INCIDENT]}
    created = [
        sla_actions.save_agreement(
            actor=admin, agreement=None,
            values={**common, "name_fa": "پشتیبانی فوری", "name_en": "Urgent support", "kind": "sla",
                    "precedence": 10, "priorities": [Priority.CRITICAL, Priority.HIGH],
                    "description": "حوادث بحرانی و پراولویت همه واحدها"},
            targets={("first_response", Priority.CRITICAL): HOUR // 2, ("first_response", None): HOUR,
                     ("resolution", Priority.CRITICAL): 4 * HOUR, ("resolution", None): 8 * HOUR},
            escalations=[{"delay_seconds": 0, "notify_agent": True, "notify_group_lead": True},
                         {"delay_seconds": 2 * HOUR, "notify_managers": True, "raise_priority": True}],
        ),
        sla_actions.save_agreement(
            actor=admin, agreement=None,
            values={**common, "name_fa": "پشتیبانی استاندارد", "name_en": "Standard support", "kind": "sla",
                    "precedence": 20, "reopen_behaviour": "continue"},
            targets={("first_response", None): 4 * HOUR, ("resolution", None): 24 * HOUR,
                     ("resolution", Priority.PLANNING): 80 * HOUR},
            escalations=[{"delay_seconds": 0, "notify_agent": True, "notify_group_lead": True}],
        ),
        sla_actions.save_agreement(
            actor=admin, agreement=None,
            values={**common, "name_fa": "توافق عملیاتی میز خدمت", "name_en": "Service desk OLA", "kind": "ola",
                    "precedence": 10, "ola_group": org.groups["service-desk"]},
            targets={("resolution", None): 4 * HOUR},
            escalations=[{"delay_seconds": 0, "notify_group_lead": True}],
        ),
        sla_actions.save_agreement(
            actor=admin, agreement=None,
            values={**common, "name_fa": "توافق عملیاتی شبکه", "name_en": "Network OLA", "kind": "ola",
                    "precedence": 10, "ola_group": org.groups["network"]},
            targets={("resolution", None): 8 * HOUR},
        ),
        sla_actions.save_agreement(
            actor=admin, agreement=None,
            values={**common, "name_fa": "قرارداد پشتیبانی اینترنت", "name_en": "Internet provider UC",
                    "kind": "uc", "precedence": 10, "uc_supplier": provider, "pause_hold_reasons": []},
            targets={("resolution", None): 6 * HOUR},
        ),
        sla_actions.save_agreement(
            actor=admin, agreement=None,
            values={**common, "name_fa": "توافق حل مسئله", "name_en": "Problem resolution",
                    "kind": "sla", "precedence": 30, "record_types": [PROBLEM], "pause_hold_reasons": [],
                    "pause_statuses": ["known_error"],
                    "description": "هدف حل مسئله‌ها بر اساس اولویت؛ در وضعیت خطای شناخته‌شده متوقف می‌شود"},
            targets={("resolution", Priority.CRITICAL): 2 * WORKDAY, ("resolution", Priority.HIGH): 5 * WORKDAY,
                     ("resolution", None): 10 * WORKDAY, ("resolution", Priority.PLANNING): 20 * WORKDAY},
            escalations=[{"delay_seconds": 0, "notify_agent": True, "notify_group_lead": True}],
        ),
    ]
    return created


def compute_demo_clocks(now: dt.datetime) -> int:
    """Compute the clocks of every open incident, including the imported ones; return how many due times moved."""
    return len(recompute_open(None, now=now))



