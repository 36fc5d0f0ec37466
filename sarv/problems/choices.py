from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ProblemStatus(models.TextChoices):
    NEW = "new", pgettext_lazy("problem status", "New")
    UNDER_INVESTIGATION = "under_investigation", pgettext_lazy("problem status", "Under investigation")
    ROOT_CAUSE_KNOWN = "root_cause_known", pgettext_lazy("problem status", "Root cause known")
    KNOWN_ERROR = "known_error", pgettext_lazy("problem status", "Known error")
    RESOLVED = "resolved", pgettext_lazy("problem status", "Resolved")
    CLOSED = "closed", pgettext_lazy("problem status", "Closed")


OPEN_STATUSES = (
    ProblemStatus.NEW,
    ProblemStatus.UNDER_INVESTIGATION,
    ProblemStatus.ROOT_CAUSE_KNOWN,
    ProblemStatus.KNOWN_ERROR,
)


class RcaMethod(models.TextChoices):
    """The root cause analysis technique the problem team used."""

    FIVE_WHYS = "five_whys", _("Five whys")
    ISHIKAWA = "ishikawa", _("Ishikawa (cause and effect) diagram")
    FAULT_TREE = "fault_tree", _("Fault tree analysis")
    OTHER = "other", _("Other")


class LinkSource(models.TextChoices):
    """Source of the link between an incident and a problem."""

    MANUAL = "manual", _("Linked by hand")
    PROPOSAL = "proposal", _("Recurring incidents proposal")
    KNOWN_ERROR = "known_error", _("Matched to a known error")
    IMPORT = "import", _("Imported")


class KnownErrorStatus(models.TextChoices):
    PUBLISHED = "published", pgettext_lazy("known error status", "Published")
    RETIRED = "retired", pgettext_lazy("known error status", "Retired")


class KnownErrorUseKind(models.TextChoices):
    """Kind of use an agent made of a known error while working an incident."""

    LINKED = "linked", _("Linked the incident")
    APPLIED_WORKAROUND = "applied_workaround", _("Sent the workaround to the requester")


class ClusterBasis(models.TextChoices):
    """Trait that the incidents of a recurring cluster share."""

    CI = "ci", _("Same configuration item")
    SERVICE = "service", _("Same service")
    CATEGORY = "category", _("Same category")
    SYMPTOM = "symptom", _("Same symptom")


class ProposalStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("proposal status", "Waiting for a decision")
    ACCEPTED = "accepted", pgettext_lazy("proposal status", "Accepted")
    DISMISSED = "dismissed", pgettext_lazy("proposal status", "Dismissed")
