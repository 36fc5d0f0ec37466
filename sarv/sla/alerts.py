"""Warnings, breaches and escalations: the periodic check that fires each alert of a clock exactly once.

Each alert point of a clock cycle (a warning percentage, the breach, a later
escalation level) is claimed by inserting a ``ClockAlert`` row under a unique
constraint, in the same transaction as its timeline entry, notifications and
escalation actions. A second worker checking at the same moment fails the insert
and skips; a failure anywhere rolls the claim back, so the next run tries again.
"""

from __future__ import annotations

import datetime as dt
import logging
import socket
from collections import defaultdict
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone

from sarv.accounts.models import User
from sarv.core import notifications, records, timeline
from sarv.core.choices import Priority, TimelineKind
from sarv.core.models import WorkItem
from sarv.sla import recompute
from sarv.sla.clocks import ClockResult, State
from sarv.sla.models import Agreement, Clock, ClockAlert, EscalationLevel

logger = logging.getLogger(__name__)

# The role whose members an escalation notifies as "managers".
MANAGER_ROLE = "incident_manager"


def _workers(record: WorkItem) -> list[User]:
    if record.assignee_id:
        return [record.assignee]  # type: ignore[list-item]
    if record.assigned_group_id:
        return list(record.assigned_group.members.filter(is_active=True))  # type: ignore[union-attr]
    return []


def _entry_data(clock: ClockResult, agreement: Agreement, point: str, threshold: int) -> dict[str, Any]:
    data: dict[str, Any] = {
        "agreement": agreement.pk, "agreement_name": agreement.name_fa, "agreement_name_en": agreement.name_en,
        "slot": clock.slot, "metric": clock.metric, "point": point, "cycle": clock.cycle,
        "target_seconds": clock.target, "elapsed_seconds": threshold,
        "due_at": clock.due_at.isoformat() if clock.due_at else None,
    }
    if point.startswith("w"):
        data["percent"] = int(point[1:])
    return data


def _level_recipients(record: WorkItem, level: EscalationLevel) -> list[User]:
    recipients: list[User] = []
    if level.notify_agent:
        recipients.extend(_workers(record))
    group = record.assigned_group
    if level.notify_group_lead and group is not None and group.lead is not None:
        recipients.append(group.lead)
    if level.notify_managers:
        recipients.extend(User.objects.filter(groups__name=MANAGER_ROLE, is_active=True))
    return recipients


def _escalate(record: WorkItem, level: EscalationLevel, point: str) -> list[str]:
    """Run a level's reassignment and priority raise on the locked record; return what was done."""
    done = []
    extra = {"sla_escalation": point}
    if level.reassign_group_id and level.reassign_group_id != record.assigned_group_id:
        values: dict[str, Any] = {"assigned_group": level.reassign_group, "assignee": None}
        if record.assigned_group_id is not None:
            values["reassignment_count"] = record.reassignment_count + 1
        records.change_fields(record, None, values, kind=TimelineKind.ASSIGNED, extra=extra)
        done.append("reassigned")
    if level.raise_priority and record.priority > Priority.CRITICAL:
        records.change_fields(record, None, {"priority": record.priority - 1, "priority_overridden": True},
                              kind=TimelineKind.PRIORITY_OVERRIDDEN, extra=extra)
        done.append("priority_raised")
    return done


def _act(record: WorkItem, clock: ClockResult, agreement: Agreement, point: str, threshold: int) -> bool:
    """Write the alert's timeline entry, notify and escalate; return whether the record itself changed."""
    data = _entry_data(clock, agreement, point, threshold)
    levels = {level.point_key: level for level in agreement.escalations.all()}
    level = levels.get(point)
    if point.startswith("w"):
        timeline.append(record, TimelineKind.SLA_WARNING, data=data, is_internal=True)
        notifications.notify(recipients=_workers(record), kind="sla_warning", record=record,
                             data={"percent": data["percent"]})
        return False
    kind = TimelineKind.SLA_BREACHED if point == "breach" else TimelineKind.SLA_ESCALATED
    notification = "sla_breached" if point == "breach" else "sla_escalated"
    if level is None:
        timeline.append(record, kind, data=data, is_internal=True)
        notifications.notify(recipients=_workers(record), kind=notification, record=record)
        return False
    data["level"] = level.level
    recipients = _level_recipients(record, level)
    locked = records.lock(record, None)
    done = _escalate(locked, level, point)
    data["actions"] = done
    timeline.append(locked, kind, data=data, is_internal=True)
    notifications.notify(recipients=recipients, kind=notification, record=locked, data={"level": level.level})
    return bool(done)


def fire(record: WorkItem, clock: ClockResult, point: str, threshold: int, *, now: dt.datetime,
         worker: str = "") -> bool:
    """Claim one alert point of ``clock`` and act on it; return False when another run already claimed it."""
    agreement = Agreement.objects.prefetch_related("escalations").get(pk=clock.agreement_id)
    content_type = ContentType.objects.get_for_model(record)
    try:
        with transaction.atomic():
            ClockAlert.objects.create(
                content_type=content_type, object_id=record.pk, slot=clock.slot, metric=clock.metric,
                cycle=clock.cycle, point=point, agreement=agreement, elapsed_seconds=threshold, fired_at=now,
                claimed_by=worker[:120],
            )
            _act(record, clock, agreement, point, threshold)
    except IntegrityError:
        return False
    logger.info("SLA alert %s fired for record %s clock %s/%s by %s", point, record.pk, clock.slot, clock.metric,
                worker)
    return True


def due_alerts(clocks: list[ClockResult], fired: set[tuple[str, str, int, str]]) -> list[tuple[ClockResult, str, int]]:
    """Return the alert points that ``clocks`` have reached and that are not in ``fired``, in order."""
    found = []
    for clock in clocks:
        if clock.stopped_at is not None or clock.state in (State.NOT_STARTED, State.STOPPED):
            continue
        for point, threshold in clock.alert_thresholds():
            # The breach is the clock's own verdict; warnings and later levels fire on elapsed time.
            reached = clock.breached_at is not None if point == "breach" else clock.elapsed >= threshold
            if reached and (clock.slot, clock.metric, clock.cycle, point) not in fired:
                found.append((clock, point, threshold))
    return found


def check_clocks(now: dt.datetime | None = None, *, worker: str | None = None) -> int:
    """Fire every warning, breach and escalation that has fallen due; return how many fired."""
    moment = now or timezone.now()
    worker = worker or socket.gethostname()
    pending: dict[int, set[int]] = defaultdict(set)
    for content_type_id, object_id in Clock.objects.filter(next_alert_at__lte=moment, is_open=True) \
            .values_list("content_type_id", "object_id"):
        pending[content_type_id].add(object_id)
    fired_count = 0
    rules = recompute.load_rules()
    resolver = recompute.CalendarResolver()
    for content_type_id, ids in pending.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None or not issubclass(model, WorkItem):
            continue
        items = list(model.objects.filter(pk__in=ids).order_by("pk"))
        computed = recompute.compute_records(model, items, now=moment, rules=rules, resolver=resolver)
        fired_rows: dict[int, set[tuple[str, str, int, str]]] = defaultdict(set)
        for row in ClockAlert.objects.filter(content_type_id=content_type_id, object_id__in=ids) \
                .values_list("object_id", "slot", "metric", "cycle", "point"):
            fired_rows[row[0]].add(row[1:])
        for record, result in zip(items, computed, strict=True):
            for clock, point, threshold in due_alerts(result.clocks, fired_rows[record.pk]):
                try:
                    claimed = fire(record, clock, point, threshold, now=moment, worker=worker)
                except Exception:
                    logger.exception("SLA alert %s of record %s failed; the next run retries it", point, record.pk)
                    break
                fired_count += int(claimed)
                # A reassignment or priority raise changes the clocks: the next run continues from there.
                if claimed and _record_moved(record):
                    break
        fresh = list(model.objects.filter(pk__in=ids).order_by("pk"))
        recompute.recompute_records(model, fresh, now=moment, rules=rules, resolver=resolver)
    if fired_count:
        logger.info("SLA check fired %s alerts", fired_count)
    return fired_count


def _record_moved(record: WorkItem) -> bool:
    return type(record).objects.filter(pk=record.pk).exclude(version=record.version).exists()
