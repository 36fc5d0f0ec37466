"""Every change to an incident goes through one of these functions.

Each action checks permission and input before touching anything, changes
data inside one transaction (via the shared helpers in ``sarv.core.records``,
which write the timeline entry and the audit row), and sends notifications
after commit. Pages, the API, importers and tasks all call these.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sarv.accounts.models import SupportGroup, User
from sarv.core import attachments, audit, notifications, numbering, records, timeline
from sarv.core.assignment import assignment_values, check_assignment, group_for, workers
from sarv.core.choices import Impact, Priority, ReferenceKind, TimelineKind, Urgency
from sarv.core.errors import InvalidTransition, PermissionDenied, SarvError, ValidationFailed
from sarv.core.models import Category
from sarv.core.priority import priority_for
from sarv.core.text import normalize_stored
from sarv.incidents import permissions
from sarv.incidents.choices import OPEN_STATUSES, Channel, HoldReason, IncidentStatus
from sarv.incidents.models import Incident, IncidentPolicy, ResolutionCode
from sarv.incidents.workflow import INCIDENT_WORKFLOW
from sarv.services.models import Service, Supplier

logger = logging.getLogger(__name__)

EDITABLE_FIELDS = ("title", "description", "channel", "category", "subcategory", "service", "impact", "urgency",
                   "symptom", "affected_ci")


def _check_affected_ci(actor: Any, ci: Any) -> None:
    """The affected CI must be one the actor may see (a requester: an asset they hold)."""
    from sarv.cmdb.models import CI

    if ci is not None and not CI.objects.visible_to(actor).filter(pk=ci.pk).exists():
        raise ValidationFailed(_("Choose a configuration item you can see."), field="affected_ci")


def _derived_service(ci: Any) -> Service | None:
    from sarv.cmdb.selectors import service_for_ci

    return service_for_ci(ci) if ci is not None else None


def _require(allowed: bool, message: Any = None) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _clean_title(title: str) -> str:
    title = normalize_stored(title or "").strip()
    if not title:
        raise ValidationFailed(_("Enter a title."), field="title")
    if len(title) > 300:
        raise ValidationFailed(_("The title is longer than %(limit)s characters."), field="title", limit=300)
    return title


def _check_classification(category: Category | None, subcategory: Category | None) -> None:
    if category is not None and (category.parent_id is not None or not category.is_active):
        raise ValidationFailed(_("Choose an active top-level category."), field="category")
    if subcategory is not None:
        if category is None or subcategory.parent_id != category.pk:
            raise ValidationFailed(_("The subcategory does not belong to the chosen category."), field="subcategory")
        if not subcategory.is_active:
            raise ValidationFailed(_("The subcategory is no longer active."), field="subcategory")


def _check_choice(value: Any, choices: Any, field: str) -> None:
    if value not in choices.values:
        raise ValidationFailed(_("%(value)s is not a valid choice."), field=field, value=value)


def _notify_assignment(incident: Incident, actor: Any) -> None:
    notifications.notify(recipients=workers(incident), kind="assigned", record=incident, actor=actor)


def _requester_side(incident: Incident) -> list[User]:
    watchers = User.objects.filter(watching__content_type=Incident.content_type(),
                                   watching__object_id=incident.pk)
    return [incident.requester, *watchers]


# The fields whose starting values an incident's creation entry records.
INITIAL_FIELDS = ("status", "priority", "impact", "urgency", "channel", "assigned_group", "assignee")


def _create(incident: Incident, actor: Any, files: Sequence[UploadedFile], letter: tuple[str, dt.date | None],
            watchers: Iterable[User]) -> Incident:
    """Insert the incident and everything that comes with it; the caller holds the transaction."""
    records.insert(incident, actor, initial_fields=INITIAL_FIELDS, files=files)
    letter_number, letter_date = letter
    if letter_number:
        records.add_reference(incident, actor, kind=ReferenceKind.LETTER, system="office-automation",
                              reference=letter_number, reference_date=letter_date)
    for watcher in watchers:
        records.add_watcher(incident, actor, watcher)
    if incident.assignee_id or incident.assigned_group_id:
        _notify_assignment(incident, actor)
    return incident


def create_incident(
    *,
    actor: User,
    title: str,
    description: str = "",
    requester: User | None = None,
    channel: str = Channel.PORTAL,
    category: Category | None = None,
    subcategory: Category | None = None,
    service: Service | None = None,
    impact: int = Impact.MEDIUM,
    urgency: int = Urgency.MEDIUM,
    assigned_group: SupportGroup | None = None,
    assignee: User | None = None,
    files: Sequence[UploadedFile] = (),
    letter_number: str = "",
    letter_date: dt.date | None = None,
    watchers: Iterable[User] = (),
    affected_ci: Any = None,
    further_affected_cis: Iterable[Any] = (),
) -> Incident:
    """Register a new incident; requesters report their own, agents also on behalf of others.

    With an affected CI and no service, the service follows from the CI (``cmdb.selectors.service_for_ci``);
    a service given here counts as set by hand.
    """
    requester = requester or actor
    _require(permissions.can_report(actor))
    if requester.pk != actor.pk:
        _require(permissions.can_work(actor), _("Only agents can register an incident for someone else."))
    if assigned_group is not None or assignee is not None:
        _require(permissions.can_work(actor), _("Only agents can assign an incident."))
    if not requester.is_active:
        raise ValidationFailed(_("The requester's account is not active."), field="requester")
    title = _clean_title(title)
    _check_classification(category, subcategory)
    _check_choice(channel, Channel, "channel")
    _check_choice(impact, Impact, "impact")
    _check_choice(urgency, Urgency, "urgency")
    if service is not None and not service.is_active:
        raise ValidationFailed(_("The service %(service)s is not active."), field="service", service=service)
    further = list(further_affected_cis)
    for ci in [affected_ci, *further]:
        _check_affected_ci(actor, ci)
    service_set_by_hand = service is not None
    if service is None:
        service = _derived_service(affected_ci)
    assigned_group = group_for(assigned_group, assignee)
    if assigned_group is None and assignee is None:
        # Routed to the first-line group, so a new incident reaches people instead of waiting unseen.
        default_group = IncidentPolicy.current().default_group
        if default_group is not None and default_group.is_active:
            assigned_group = default_group
    check_assignment(assigned_group, assignee)
    attachments.validate_files(files)

    now = timezone.now()
    incident = Incident(
        number=numbering.allocate_number(Incident.NUMBER_PREFIX, now),
        title=title,
        description=normalize_stored(description or "").strip(),
        status=IncidentStatus.ASSIGNED if (assigned_group or assignee) else IncidentStatus.NEW,
        requester=requester,
        department=requester.department,
        location=requester.location,
        channel=channel,
        category=category,
        subcategory=subcategory,
        service=service,
        service_set_by_hand=service_set_by_hand,
        affected_ci=affected_ci,
        impact=impact,
        urgency=urgency,
        priority=priority_for(impact, urgency),
        assigned_group=assigned_group,
        assignee=assignee,
        created_at=now,
        updated_at=now,
        created_by=actor,
    )
    with transaction.atomic():
        _create(incident, actor, files, (letter_number, letter_date), watchers)
        further = [ci for ci in further if affected_ci is None or ci.pk != affected_ci.pk]
        if further:
            incident.further_affected_cis.set(further)
            audit.log_update(actor, incident, {"further_affected_cis": [[], sorted(ci.pk for ci in further)]})
    logger.info("Incident %s created by user %s", incident.number, actor.pk)
    return incident


def update_incident(*, actor: User, incident: Incident, expected_version: int, **values: Any) -> Incident:
    """Change descriptive fields; impact or urgency recompute the priority unless it was set by hand.

    A new affected CI brings its service unless the service was set by hand.
    """
    _require(permissions.can_work(actor))
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(_("These fields cannot be changed here: %(fields)s."), fields=", ".join(sorted(unknown)))
    if "title" in values:
        values["title"] = _clean_title(values["title"])
    if "description" in values:
        values["description"] = normalize_stored(values["description"] or "").strip()
    if "channel" in values:
        _check_choice(values["channel"], Channel, "channel")
    if "impact" in values:
        _check_choice(values["impact"], Impact, "impact")
    if "urgency" in values:
        _check_choice(values["urgency"], Urgency, "urgency")
    if "affected_ci" in values:
        _check_affected_ci(actor, values["affected_ci"])

    with transaction.atomic():
        incident = records.lock(incident, expected_version)
        if "service" in values:
            # A service chosen by hand stays; clearing it lets the service follow the affected CI again.
            values["service_set_by_hand"] = values["service"] is not None
        by_hand = values.get("service_set_by_hand", incident.service_set_by_hand)
        if not by_hand and ("affected_ci" in values or values.get("service", incident.service) is None):
            ci = values.get("affected_ci", incident.affected_ci)
            derived = _derived_service(ci)
            if derived is not None or "affected_ci" in values:
                values["service"] = derived
        if incident.is_final:
            raise ValidationFailed(_("A closed or cancelled incident cannot be edited."))
        category = values.get("category", incident.category)
        subcategory = values.get("subcategory", incident.subcategory)
        if "category" in values and "subcategory" not in values and subcategory is not None \
                and subcategory.parent_id != getattr(category, "pk", None):
            values["subcategory"] = subcategory = None
        _check_classification(category, subcategory)
        if not incident.priority_overridden:
            impact = values.get("impact", incident.impact)
            urgency = values.get("urgency", incident.urgency)
            values["priority"] = priority_for(impact, urgency)
        records.change_fields(incident, actor, values)
    return incident


def set_further_affected_cis(*, actor: User, incident: Incident, cis: Iterable[Any]) -> Incident:
    """Replace the further affected CIs of an incident (the main one is ``affected_ci``)."""
    _require(permissions.can_work(actor))
    wanted = {ci.pk: ci for ci in cis if ci is not None and ci.pk != incident.affected_ci_id}
    for ci in wanted.values():
        _check_affected_ci(actor, ci)
    with transaction.atomic():
        locked = records.lock(incident, None)
        before = sorted(locked.further_affected_cis.values_list("pk", flat=True))
        after = sorted(wanted)
        if before == after:
            return locked
        locked.further_affected_cis.set(list(wanted.values()))
        change = {"field": "further_affected_cis", "old": before, "new": after}
        audit.log_update(actor, locked, {"further_affected_cis": [before, after]})
        timeline.append(locked, TimelineKind.FIELD_CHANGED, actor=actor, data={"changes": [change]})
    return locked


def override_priority(
    *, actor: User, incident: Incident, expected_version: int, priority: int | None, reason: str
) -> Incident:
    """Set the priority by hand with a reason, or give it back to the matrix with ``priority=None``."""
    _require(permissions.can_manage(actor), _("Only incident managers can set the priority by hand."))
    reason = normalize_stored(reason or "").strip()
    if priority is not None:
        _check_choice(priority, Priority, "priority")
        if not reason:
            raise ValidationFailed(_("Give a reason for setting the priority by hand."), field="reason")
    with transaction.atomic():
        incident = records.lock(incident, expected_version)
        if priority is None:
            values = {"priority": priority_for(incident.impact, incident.urgency), "priority_overridden": False,
                      "priority_override_reason": ""}
        else:
            values = {"priority": priority, "priority_overridden": True, "priority_override_reason": reason}
        records.change_fields(incident, actor, values, kind=TimelineKind.PRIORITY_OVERRIDDEN, body=reason)
    return incident


def assign_incident(
    *, actor: User, incident: Incident, expected_version: int, group: SupportGroup | None, assignee: User | None
) -> Incident:
    """Assign to a support group and optionally an agent; a new incident becomes "assigned"."""
    _require(permissions.can_work(actor))
    group = group_for(group, assignee)
    check_assignment(group, assignee)
    if group is None and assignee is None:
        raise ValidationFailed(_("Choose a support group or an agent."), field="assigned_group")
    with transaction.atomic():
        incident = records.lock(incident, expected_version)
        if incident.is_final:
            raise ValidationFailed(_("A closed or cancelled incident cannot be assigned."))
        values = assignment_values(incident, group, assignee)
        changes = records.change_fields(incident, actor, values, kind=TimelineKind.ASSIGNED)
        if incident.status == IncidentStatus.NEW:
            records.change_fields(incident, actor, {"status": IncidentStatus.ASSIGNED},
                                  kind=TimelineKind.STATUS_CHANGED)
        if changes:
            _notify_assignment(incident, actor)
    return incident


def take_incident(*, actor: User, incident: Incident, expected_version: int) -> Incident:
    """Assign the incident to the acting agent, in its current group if they belong to it."""
    group = incident.assigned_group
    if group is None or not group.members.filter(pk=actor.pk).exists():
        group = actor.support_groups.filter(is_active=True).first()
    return assign_incident(actor=actor, incident=incident, expected_version=expected_version,
                           group=group, assignee=actor)


def _check_working_status(status: str, hold_reason: str) -> None:
    if status not in (IncidentStatus.ASSIGNED, IncidentStatus.IN_PROGRESS, IncidentStatus.ON_HOLD):
        raise ValidationFailed(_("Use resolve, close, reopen or cancel for that status."), field="status")
    if status == IncidentStatus.ON_HOLD:
        if not hold_reason:
            raise ValidationFailed(_("Choose why the incident is on hold."), field="hold_reason")
        _check_choice(hold_reason, HoldReason, "hold_reason")


def _check_supplier(hold_reason: str, supplier: Supplier | None) -> Supplier | None:
    """Return the supplier a hold waits on: only a hold "waiting for a supplier" names one."""
    if hold_reason != HoldReason.AWAITING_SUPPLIER:
        return None
    if supplier is not None and not supplier.is_active:
        raise ValidationFailed(_("The supplier %(supplier)s is not active."), field="supplier", supplier=supplier)
    return supplier


def change_status(
    *, actor: User, incident: Incident, expected_version: int, status: str, hold_reason: str = "", note: str = "",
    supplier: Supplier | None = None,
) -> Incident:
    """Move between the working statuses (assigned, in progress, on hold with a reason and maybe a supplier)."""
    _require(permissions.can_work(actor))
    _check_working_status(status, hold_reason)
    if status != IncidentStatus.ON_HOLD:
        hold_reason = ""
    supplier = _check_supplier(hold_reason, supplier)
    with transaction.atomic():
        incident = records.lock(incident, expected_version)
        if incident.status == status and incident.hold_reason == hold_reason \
                and incident.hold_supplier_id == getattr(supplier, "pk", None):
            return incident
        if incident.status not in OPEN_STATUSES:
            # Resolved and closed incidents go back to work through reopen_incident, which counts it.
            raise InvalidTransition(current=INCIDENT_WORKFLOW.label(incident.status),
                                    target=INCIDENT_WORKFLOW.label(status), field="status")
        INCIDENT_WORKFLOW.check(incident.status, status)
        records.change_fields(
            incident, actor, {"status": status, "hold_reason": hold_reason, "hold_supplier": supplier},
            kind=TimelineKind.STATUS_CHANGED, body=normalize_stored(note or "").strip(), is_internal=False,
        )
    return incident


def resolve_incident(
    *, actor: User, incident: Incident, expected_version: int, resolution_code: ResolutionCode | None,
    resolution_notes: str,
) -> Incident:
    """Record the resolution; the requester is asked to confirm it or reopen."""
    _require(permissions.can_work(actor))
    notes = normalize_stored(resolution_notes or "").strip()
    if resolution_code is None or not resolution_code.is_active:
        raise ValidationFailed(_("Choose a resolution code."), field="resolution_code")
    if not notes:
        raise ValidationFailed(_("Describe how the incident was resolved."), field="resolution_notes")
    with transaction.atomic():
        incident = records.lock(incident, expected_version)
        INCIDENT_WORKFLOW.check(incident.status, IncidentStatus.RESOLVED)
        now = timezone.now()
        records.change_fields(
            incident, actor,
            {"resolution_code": resolution_code, "resolution_notes": notes, "resolved_by": actor},
            at=now,
        )
        records.change_fields(
            incident, actor,
            {"status": IncidentStatus.RESOLVED, "hold_reason": "", "hold_supplier": None, "resolved_at": now},
            kind=TimelineKind.STATUS_CHANGED, body=notes, is_internal=False, at=now,
        )
        notifications.notify(recipients=_requester_side(incident), kind="resolved", record=incident, actor=actor)
    return incident


def confirm_resolution(*, actor: User, incident: Incident) -> Incident:
    """Close the incident because its requester accepted the resolution."""
    _require(permissions.can_confirm(actor, incident))
    with transaction.atomic():
        incident = records.lock(incident, None)
        INCIDENT_WORKFLOW.check(incident.status, IncidentStatus.CLOSED)
        records.change_fields(
            incident, actor, {"status": IncidentStatus.CLOSED, "closed_at": timezone.now()},
            kind=TimelineKind.STATUS_CHANGED, is_internal=False, extra={"confirmed_by_requester": True},
        )
    return incident


def close_incident(*, actor: User | None, incident: Incident, automatic: bool = False) -> Incident:
    """Close a resolved incident: by an agent, or by the auto-close task (``actor=None``)."""
    if not automatic:
        _require(permissions.can_work(actor))
    with transaction.atomic():
        incident = records.lock(incident, None)
        INCIDENT_WORKFLOW.check(incident.status, IncidentStatus.CLOSED)
        records.change_fields(
            incident, actor, {"status": IncidentStatus.CLOSED, "closed_at": timezone.now()},
            kind=TimelineKind.STATUS_CHANGED, is_internal=False, extra={"automatic": automatic},
        )
    return incident


def reopen_incident(*, actor: User, incident: Incident, reason: str) -> Incident:
    """Reopen a resolved (or, within the window, closed) incident; it goes back to its agent or group."""
    _require(permissions.can_reopen(actor, incident),
             _("This incident can no longer be reopened. Report a new incident instead."))
    reason = normalize_stored(reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Say why the incident is not resolved."), field="reason")
    with transaction.atomic():
        incident = records.lock(incident, None)
        target = IncidentStatus.ASSIGNED if incident.assignee_id or incident.assigned_group_id \
            else IncidentStatus.IN_PROGRESS
        INCIDENT_WORKFLOW.check(incident.status, target)
        records.change_fields(
            incident, actor,
            {"status": target, "hold_reason": "", "hold_supplier": None, "resolved_at": None, "closed_at": None,
             "reopen_count": incident.reopen_count + 1},
            kind=TimelineKind.STATUS_CHANGED, body=reason, is_internal=False, extra={"reopened": True},
        )
        notifications.notify(recipients=workers(incident), kind="reopened", record=incident, actor=actor,
                             data={"reason": reason})
    return incident


def cancel_incident(*, actor: User, incident: Incident, expected_version: int | None, reason: str) -> Incident:
    _require(permissions.can_cancel(actor, incident))
    reason = normalize_stored(reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Give a reason for cancelling."), field="reason")
    with transaction.atomic():
        incident = records.lock(incident, expected_version)
        INCIDENT_WORKFLOW.check(incident.status, IncidentStatus.CANCELLED)
        records.change_fields(
            incident, actor,
            {"status": IncidentStatus.CANCELLED, "hold_reason": "", "hold_supplier": None, "closed_at": timezone.now()},
            kind=TimelineKind.STATUS_CHANGED, body=reason, is_internal=False,
        )
    return incident


def add_reply(*, actor: User, incident: Incident, body: str, files: Sequence[UploadedFile] = ()) -> Any:
    """Post a public reply; a requester's reply to an incident waiting for them puts it back in progress."""
    _require(permissions.can_reply(actor, incident))
    with transaction.atomic():
        entry = records.add_comment(incident, actor, body=body, is_internal=False, files=files)
        from_agent = permissions.can_work(actor) and incident.requester_id != actor.pk
        if from_agent:
            notifications.notify(recipients=_requester_side(incident), kind="public_reply", record=incident,
                                 actor=actor)
        else:
            notifications.notify(recipients=workers(incident), kind="public_reply", record=incident, actor=actor)
            if incident.status == IncidentStatus.ON_HOLD and incident.hold_reason == HoldReason.AWAITING_REQUESTER:
                locked = records.lock(incident, None)
                records.change_fields(locked, actor,
                                      {"status": IncidentStatus.IN_PROGRESS, "hold_reason": "", "hold_supplier": None},
                                      kind=TimelineKind.STATUS_CHANGED, is_internal=False,
                                      extra={"requester_replied": True})
    return entry


def add_work_note(*, actor: User, incident: Incident, body: str, files: Sequence[UploadedFile] = ()) -> Any:
    """Post an internal work note; requesters never see it or its attachments."""
    _require(permissions.can_work(actor))
    with transaction.atomic():
        return records.add_comment(incident, actor, body=body, is_internal=True, files=files)


def add_attachments(*, actor: User, incident: Incident, files: Sequence[UploadedFile], internal: bool) -> Any:
    if internal:
        _require(permissions.can_work(actor))
    else:
        _require(permissions.can_reply(actor, incident))
    with transaction.atomic():
        return records.add_attachments(incident, actor, files, is_internal=internal)


def set_major(*, actor: User, incident: Incident, expected_version: int, is_major: bool) -> Incident:
    _require(permissions.can_manage(actor), _("Only incident managers can declare a major incident."))
    with transaction.atomic():
        incident = records.lock(incident, expected_version)
        records.change_fields(incident, actor, {"is_major": is_major})
    return incident


def link_child(*, actor: User, parent: Incident, child: Incident) -> Incident:
    """Make ``child`` a child of ``parent`` (usually a major incident)."""
    _require(permissions.can_work(actor))
    if parent.pk == child.pk:
        raise ValidationFailed(_("An incident cannot be its own parent."), field="parent")
    if parent.parent_id is not None:
        raise ValidationFailed(_("%(number)s is itself a child incident."), field="parent", number=parent.number)
    if child.children.exists():
        raise ValidationFailed(_("%(number)s has child incidents of its own."), field="child", number=child.number)
    with transaction.atomic():
        child = records.lock(child, None)
        records.change_fields(child, actor, {"parent": parent}, kind=TimelineKind.LINKED)
        timeline.append(parent, TimelineKind.LINKED, actor=actor, data={"child": child.pk, "number": child.number})
    return child


def unlink_child(*, actor: User, child: Incident) -> Incident:
    _require(permissions.can_work(actor))
    with transaction.atomic():
        child = records.lock(child, None)
        parent = child.parent
        if parent is None:
            return child
        records.change_fields(child, actor, {"parent": None}, kind=TimelineKind.UNLINKED)
        timeline.append(parent, TimelineKind.UNLINKED, actor=actor, data={"child": child.pk, "number": child.number})
    return child


def add_letter_reference(
    *, actor: User, incident: Incident, number: str, date: dt.date | None, note: str = ""
) -> Any:
    """Record the official letter (number and date in the office-automation system) that ordered the work."""
    _require(permissions.can_work(actor) or incident.requester_id == actor.pk)
    with transaction.atomic():
        return records.add_reference(incident, actor, kind=ReferenceKind.LETTER, system="office-automation",
                                     reference=number, reference_date=date, note=note)


def add_watcher(*, actor: User, incident: Incident, user: User) -> Any:
    _require(permissions.can_work(actor) or incident.requester_id == actor.pk)
    with transaction.atomic():
        return records.add_watcher(incident, actor, user)


def remove_watcher(*, actor: User, incident: Incident, user: User) -> bool:
    _require(permissions.can_work(actor) or incident.requester_id == actor.pk or user.pk == actor.pk)
    with transaction.atomic():
        return records.remove_watcher(incident, actor, user)


@dataclass(frozen=True)
class BulkResult:
    number: str
    ok: bool
    message: str


def bulk_update(
    *,
    actor: User,
    incidents: Iterable[Incident],
    group: SupportGroup | None = None,
    assignee: User | None = None,
    status: str = "",
    hold_reason: str = "",
) -> list[BulkResult]:
    """Assign and/or change the status of several incidents; each item succeeds or fails on its own.

    An item's assignment and status change are one transaction: when either fails, the item is left
    exactly as it was. Input that would fail every item (on hold without a reason) is rejected first.
    """
    _require(permissions.can_bulk_update(actor))
    if status:
        _check_working_status(status, hold_reason)
    results = []
    for incident in incidents:
        try:
            with transaction.atomic():
                if group is not None or assignee is not None:
                    incident = assign_incident(actor=actor, incident=incident, expected_version=incident.version,
                                               group=group, assignee=assignee)
                if status:
                    incident = change_status(actor=actor, incident=incident, expected_version=incident.version,
                                             status=status, hold_reason=hold_reason)
        except SarvError as error:
            results.append(BulkResult(incident.number, False, error.message))
            continue
        results.append(BulkResult(incident.number, True, str(_("Updated"))))
    return results


def close_resolved_incidents(now: dt.datetime | None = None) -> int:
    """Close incidents resolved longer ago than the policy's auto-close days; return how many closed."""
    policy = IncidentPolicy.current()
    cutoff = (now or timezone.now()) - dt.timedelta(days=policy.auto_close_days)
    due = Incident.objects.filter(status=IncidentStatus.RESOLVED, resolved_at__lte=cutoff).order_by("pk")
    closed = 0
    for incident in due.iterator(chunk_size=200):
        try:
            close_incident(actor=None, incident=incident, automatic=True)
        except SarvError as error:
            logger.warning("Auto-close of incident %s failed: %s", incident.number, error.message)
            continue
        closed += 1
    if closed:
        logger.info("Auto-closed %s incidents resolved before %s", closed, cutoff.isoformat())
    return closed


# Settings of the incident process

# Imported here rather than at the top because this section is appended to the incident actions as a block.
from sarv.core import actions as settings_actions  # noqa: E402

POLICY_LIMITS = {"reopen_window_days": (0, 365), "auto_close_days": (1, 365)}


def update_incident_policy(
    *, actor: User, reopen_window_days: int, auto_close_days: int, default_group: SupportGroup | None = None,
) -> IncidentPolicy:
    """Change the reopen window, the automatic closing and the group that receives new incidents."""
    settings_actions.require_settings_admin(actor)
    if default_group is not None and not default_group.is_active:
        raise ValidationFailed(_("The support group %(group)s is not active."), field="default_group",
                               group=default_group)
    values: dict[str, Any] = {"reopen_window_days": reopen_window_days, "auto_close_days": auto_close_days,
                              "default_group": default_group}
    for field, (low, high) in POLICY_LIMITS.items():
        if values[field] is None or not low <= values[field] <= high:
            raise ValidationFailed(_("Enter a number of days from %(low)s to %(high)s."), field=field,
                                   low=low, high=high)
    policy = settings_actions.save_audited(actor, IncidentPolicy.current(), values)
    logger.info("Incident policy updated by user %s", actor.pk)
    return policy


def _validate_resolution_code(code: ResolutionCode) -> None:
    if not code.code:
        raise ValidationFailed(_("Enter a code."), field="code")
    settings_actions.check_unique_code(ResolutionCode.objects.all(), code.code, exclude_pk=code.pk)
    settings_actions.check_unique_name(ResolutionCode.objects.all(), code.name_fa, exclude_pk=code.pk)


def save_resolution_code(
    *, actor: User, resolution_code: ResolutionCode | None, values: dict[str, Any]
) -> ResolutionCode:
    """Create (``resolution_code=None``) or change a resolution code; a deactivated code stays on old incidents."""
    settings_actions.require_settings_admin(actor)
    cleaned = {
        "name_fa": settings_actions.require_name(values),
        "name_en": settings_actions.clean_text(values.get("name_en")),
        "code": settings_actions.clean_code(values.get("code")),
        "sort_order": settings_actions.clean_order(values),
        "is_active": bool(values.get("is_active", True)),
    }
    saved = settings_actions.save_audited(actor, resolution_code or ResolutionCode(), cleaned,
                                          validate=_validate_resolution_code)
    logger.info("Resolution code %s saved by user %s", saved.code, actor.pk)
    return saved
