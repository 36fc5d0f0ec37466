"""Who may do what with an incident. Actions call these before any side effect; pages use them to show buttons."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from sarv.core.permissions import is_active_user
from sarv.incidents.choices import IncidentStatus
from sarv.incidents.models import Incident, IncidentPolicy

REPORT = "incidents.report_incident"
WORK = "incidents.work_incident"
MANAGE = "incidents.manage_incident"
BULK_UPDATE = "incidents.bulk_update_incident"


def can_report(user: Any) -> bool:
    return is_active_user(user) and user.has_perm(REPORT)


def can_work(user: Any) -> bool:
    return is_active_user(user) and user.has_perm(WORK)


def can_manage(user: Any) -> bool:
    return is_active_user(user) and user.has_perm(MANAGE)


def can_bulk_update(user: Any) -> bool:
    return is_active_user(user) and user.has_perm(BULK_UPDATE)


def can_view(user: Any, incident: Incident) -> bool:
    return Incident.objects.visible_to(user).filter(pk=incident.pk).exists()


def is_requester_side(user: Any, incident: Incident) -> bool:
    """Return whether ``user`` takes part as the requester or a watcher rather than as an agent."""
    if not is_active_user(user):
        return False
    return incident.requester_id == user.pk or incident.watchers.filter(user=user).exists()


def can_reply(user: Any, incident: Incident) -> bool:
    if incident.is_final:
        return False
    return can_work(user) or is_requester_side(user, incident)


def within_reopen_window(incident: Incident, policy: IncidentPolicy | None = None) -> bool:
    if incident.resolved_at is None:
        return False
    window = (policy or IncidentPolicy.current()).reopen_window_days
    return (timezone.now() - incident.resolved_at).days < window


def can_reopen(user: Any, incident: Incident) -> bool:
    """Requesters reopen within the window; agents reopen resolved incidents; managers also closed ones."""
    if incident.status == IncidentStatus.RESOLVED and can_work(user):
        return True
    if incident.status == IncidentStatus.CLOSED and can_manage(user):
        return True
    return (
        incident.status in (IncidentStatus.RESOLVED, IncidentStatus.CLOSED)
        and incident.requester_id == getattr(user, "pk", None)
        and is_active_user(user)
        and within_reopen_window(incident)
    )


def can_confirm(user: Any, incident: Incident) -> bool:
    return (
        incident.status == IncidentStatus.RESOLVED
        and is_active_user(user)
        and incident.requester_id == user.pk
    )


def can_cancel(user: Any, incident: Incident) -> bool:
    """Managers cancel any open incident; a requester cancels their own until an agent starts work."""
    if incident.is_final or incident.status == IncidentStatus.RESOLVED:
        return False
    if can_manage(user):
        return True
    return (
        is_active_user(user)
        and incident.requester_id == user.pk
        and incident.status in (IncidentStatus.NEW, IncidentStatus.ASSIGNED)
    )
