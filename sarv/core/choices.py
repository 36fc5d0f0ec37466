"""Choice sets shared by every record type."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Impact(models.IntegerChoices):
    """How much of the business an incident or problem affects (ITIL impact)."""

    HIGH = 1, pgettext_lazy("impact", "High")
    MEDIUM = 2, pgettext_lazy("impact", "Medium")
    LOW = 3, pgettext_lazy("impact", "Low")


class Urgency(models.IntegerChoices):
    """The time the business can wait for the record to be handled (ITIL urgency)."""

    HIGH = 1, pgettext_lazy("urgency", "High")
    MEDIUM = 2, pgettext_lazy("urgency", "Medium")
    LOW = 3, pgettext_lazy("urgency", "Low")


class Priority(models.IntegerChoices):
    """Priority, derived from impact and urgency through the priority matrix unless overridden."""

    CRITICAL = 1, pgettext_lazy("priority", "Critical")
    HIGH = 2, pgettext_lazy("priority", "High")
    MODERATE = 3, pgettext_lazy("priority", "Moderate")
    LOW = 4, pgettext_lazy("priority", "Low")
    PLANNING = 5, pgettext_lazy("priority", "Planning")


# Default impact x urgency matrix; administrators edit it under Settings.
DEFAULT_PRIORITY_MATRIX = {
    (Impact.HIGH, Urgency.HIGH): Priority.CRITICAL,
    (Impact.HIGH, Urgency.MEDIUM): Priority.HIGH,
    (Impact.HIGH, Urgency.LOW): Priority.MODERATE,
    (Impact.MEDIUM, Urgency.HIGH): Priority.HIGH,
    (Impact.MEDIUM, Urgency.MEDIUM): Priority.MODERATE,
    (Impact.MEDIUM, Urgency.LOW): Priority.LOW,
    (Impact.LOW, Urgency.HIGH): Priority.MODERATE,
    (Impact.LOW, Urgency.MEDIUM): Priority.LOW,
    (Impact.LOW, Urgency.LOW): Priority.PLANNING,
}


class TimelineKind(models.TextChoices):
    CREATED = "created", _("Created")
    PUBLIC_REPLY = "public_reply", _("Reply")
    WORK_NOTE = "work_note", _("Work note")
    FIELD_CHANGED = "field_changed", _("Fields changed")
    ASSIGNED = "assigned", _("Assigned")
    STATUS_CHANGED = "status_changed", _("Status changed")
    PRIORITY_OVERRIDDEN = "priority_overridden", _("Priority overridden")
    ATTACHMENT_ADDED = "attachment_added", _("Attachment added")
    LINKED = "linked", _("Linked")
    UNLINKED = "unlinked", _("Unlinked")
    REFERENCE_ADDED = "reference_added", _("Reference added")
    WATCHER_ADDED = "watcher_added", _("Watcher added")
    WATCHER_REMOVED = "watcher_removed", _("Watcher removed")
    UPDATED = "updated", _("Updated")
    SLA_WARNING = "sla_warning", _("SLA warning")
    SLA_BREACHED = "sla_breached", _("SLA breached")
    SLA_ESCALATED = "sla_escalated", _("SLA escalation")


class ReferenceKind(models.TextChoices):
    """The kind of thing an external reference points to."""

    LETTER = "letter", _("Official letter")
    SOURCE = "source", _("Imported from")
    PROBLEM = "problem", _("Problem in another system")
    CHANGE = "change", _("Change in another system")
    TICKET = "ticket", _("Ticket in another system")
    OTHER = "other", _("Other")


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")
    LOGIN = "login", _("Signed in")
    LOGOUT = "logout", _("Signed out")
    LOGIN_FAILED = "login_failed", _("Sign-in failed")
    EXPORT = "export", _("Exported")
    IMPORT = "import", _("Imported")
