from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class IncidentStatus(models.TextChoices):
    NEW = "new", pgettext_lazy("incident status", "New")
    ASSIGNED = "assigned", pgettext_lazy("incident status", "Assigned")
    IN_PROGRESS = "in_progress", pgettext_lazy("incident status", "In progress")
    ON_HOLD = "on_hold", pgettext_lazy("incident status", "On hold")
    RESOLVED = "resolved", pgettext_lazy("incident status", "Resolved")
    CLOSED = "closed", pgettext_lazy("incident status", "Closed")
    CANCELLED = "cancelled", pgettext_lazy("incident status", "Cancelled")


OPEN_STATUSES = (
    IncidentStatus.NEW,
    IncidentStatus.ASSIGNED,
    IncidentStatus.IN_PROGRESS,
    IncidentStatus.ON_HOLD,
)


class HoldReason(models.TextChoices):
    """The reason an incident is on hold. SLA clocks pause on some of these."""

    AWAITING_REQUESTER = "awaiting_requester", _("Waiting for the requester")
    AWAITING_SUPPLIER = "awaiting_supplier", _("Waiting for a supplier")
    AWAITING_PROBLEM = "awaiting_problem", _("Waiting for a problem fix")
    AWAITING_EVIDENCE = "awaiting_evidence", _("Waiting for evidence")
    AWAITING_CHANGE = "awaiting_change", _("Waiting for a change")


class Channel(models.TextChoices):
    """The channel through which the incident reached the service desk."""

    PORTAL = "portal", _("Self-service portal")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    WALK_IN = "walk_in", _("In person")
    LETTER = "letter", _("Official letter")
    MONITORING = "monitoring", _("Monitoring")
    CHAT = "chat", _("Chat")
    IVR = "ivr", _("Phone menu (IVR)")
    API = "api", _("API")
