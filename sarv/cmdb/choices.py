"""Choice sets of configuration management."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CIStatus(models.TextChoices):
    """Where a configuration item is in its lifecycle."""

    PLANNED = "planned", pgettext_lazy("ci status", "Planned")
    ORDERED = "ordered", pgettext_lazy("ci status", "Ordered")
    IN_STOCK = "in_stock", pgettext_lazy("ci status", "In stock")
    LIVE = "live", pgettext_lazy("ci status", "Live")
    UNDER_MAINTENANCE = "under_maintenance", pgettext_lazy("ci status", "Under maintenance")
    RETIRED = "retired", pgettext_lazy("ci status", "Retired")
    DISPOSED = "disposed", pgettext_lazy("ci status", "Disposed")


class Environment(models.TextChoices):
    PRODUCTION = "production", pgettext_lazy("environment", "Production")
    DISASTER_RECOVERY = "dr", pgettext_lazy("environment", "Disaster recovery")
    STAGING = "staging", pgettext_lazy("environment", "Staging")
    TEST = "test", pgettext_lazy("environment", "Test")
    DEVELOPMENT = "development", pgettext_lazy("environment", "Development")


class Criticality(models.IntegerChoices):
    """How much the business suffers when the item fails."""

    CRITICAL = 1, pgettext_lazy("criticality", "Critical")
    HIGH = 2, pgettext_lazy("criticality", "High")
    MEDIUM = 3, pgettext_lazy("criticality", "Medium")
    LOW = 4, pgettext_lazy("criticality", "Low")


class AttributeType(models.TextChoices):
    """The kind of value an administrator-defined class attribute holds."""

    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choice")
    IP_ADDRESS = "ip", _("IP address")
    CI = "ci", _("Configuration item")
    PERSON = "person", _("Person")


class Propagation(models.TextChoices):
    """Which way a failure travels along a relationship "source <type> target"."""

    TO_SOURCE = "to_source", _("A failure of the target affects the source")
    TO_TARGET = "to_target", _("A failure of the source affects the target")
    BOTH = "both", _("A failure of either affects the other")
