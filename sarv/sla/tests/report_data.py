"""A small constructed data set for the SLA report tests and screenshots: five incidents, worked out by hand."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sarv.core.choices import Impact, Urgency
from sarv.incidents import actions
from sarv.incidents.choices import HoldReason, IncidentStatus
from sarv.services.models import Service
from sarv.sla.tests.helpers import at, jalali, make_agreement, make_calendar

ROUND_THE_CLOCK = {day: [(0, 24 * 60)] for day in range(7)}
# Every count below is taken at this instant: 1404/02/05 10:00 Tehran time.
NOW = jalali(1404, 2, 5, 10)


def _reply(agent: Any, incident: Any, moment: dt.datetime) -> Any:
    with at(moment):
        actions.add_reply(actor=agent, incident=incident, body="در حال بررسی هستیم.")
    incident.refresh_from_db()
    return incident


def _status(agent: Any, incident: Any, moment: dt.datetime, status: str, reason: str = "") -> Any:
    with at(moment):
        return actions.change_status(actor=agent, incident=incident, expected_version=incident.version,
                                     status=status, hold_reason=reason)


def _resolve(agent: Any, incident: Any, moment: dt.datetime, code: Any) -> Any:
    with at(moment):
        return actions.resolve_incident(actor=agent, incident=incident, expected_version=incident.version,
                                        resolution_code=code, resolution_notes="مشکل برطرف شد.")


def build_world(requester: Any, agent: Any, service_desk: Any, network_group: Any,
                resolution_code: Any) -> dict[str, Any]:
    """Create five incidents on a round-the-clock calendar; the expected counts are worked out in each test."""
    calendar = make_calendar(week=ROUND_THE_CLOCK)
    critical = make_agreement("پشتیبانی فوری", calendar=calendar, priorities=[1], precedence=1,
                              targets={"first_response": 1, "resolution": 4})
    standard = make_agreement("پشتیبانی استاندارد", calendar=calendar, precedence=10,
                              targets={"first_response": 2, "resolution": 8})
    for agreement, english in ((critical, "Urgent support"), (standard, "Standard support")):
        agreement.name_en = english
        agreement.save(update_fields=["name_en"])
    mail = Service.objects.create(name_fa="پست الکترونیک", name_en="E-mail")
    payroll = Service.objects.create(name_fa="حقوق و دستمزد", name_en="Payroll")

    def report(moment: dt.datetime, title: str, **values: Any) -> Any:
        with at(moment):
            return actions.create_incident(actor=agent, requester=requester, title=title, **values)

    # A: answered after 1 h and resolved after 6 h: both met (Farvardin 1404, service desk, e-mail).
    met = report(jalali(1404, 1, 10, 9), "ایمیل باز نمی‌شود", assigned_group=service_desk, service=mail)
    met = _reply(agent, met, jalali(1404, 1, 10, 10))
    _resolve(agent, met, jalali(1404, 1, 10, 15), resolution_code)

    # B: answered after 3 h; 4 h on hold for the requester; handed to the network group at 18:00; resolved
    # the next morning: 24 h wall time, 20 h counted, so 12 h over the 8 h target.
    late = report(jalali(1404, 1, 20, 9), "=HYPERLINK(\"http://example.ir\")", assigned_group=service_desk,
                  service=mail)
    late = _reply(agent, late, jalali(1404, 1, 20, 12))
    late = _status(agent, late, jalali(1404, 1, 20, 13), IncidentStatus.ON_HOLD, HoldReason.AWAITING_REQUESTER)
    late = _status(agent, late, jalali(1404, 1, 20, 17), IncidentStatus.IN_PROGRESS)
    with at(jalali(1404, 1, 20, 18)):
        late = actions.assign_incident(actor=agent, incident=late, expected_version=late.version,
                                       group=network_group, assignee=None)
    _resolve(agent, late, jalali(1404, 1, 21, 9), resolution_code)

    # C: opened an hour before NOW and still running: in progress (Ordibehesht 1404, network, payroll).
    running = report(jalali(1404, 2, 5, 9), "فیش حقوقی نمایش داده نمی‌شود", assigned_group=network_group,
                     service=payroll)
    # D: 00:30 on 1404/01/01 in Tehran is still 1403/12/30 in UTC; it belongs to Farvardin 1404. Never answered,
    # so both clocks run past their due times and count as breached at NOW.
    new_year = report(jalali(1404, 1, 1, 0, 30), "+98 21 1234: تماس برقرار نمی‌شود")
    # E: 23:30 on the leap day 1403/12/30, critical: Esfand 1403 under the critical agreement.
    leap_day = report(jalali(1403, 12, 30, 23, 30), "@SUM(A1) سامانه از دسترس خارج شد",
                      impact=Impact.HIGH, urgency=Urgency.HIGH)
    return {"standard": standard, "critical": critical, "mail": mail, "payroll": payroll, "met": met,
            "late": late, "running": running, "new_year": new_year, "leap_day": leap_day}
