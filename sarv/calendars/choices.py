from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class HolidayKind(models.TextChoices):
    SOLAR = "solar", pgettext_lazy("holiday kind", "Solar")
    LUNAR = "lunar", pgettext_lazy("holiday kind", "Lunar")
    SPECIAL = "special", pgettext_lazy("holiday kind", "Special")


class HolidayMode(models.TextChoices):
    """Which holidays a calendar closes on."""

    SHIPPED = "shipped", _("Official Iranian holidays")
    OTHER = "other", _("Another holiday list")
    NONE = "none", _("No holidays")


class TemplateKey(models.TextChoices):
    LABOUR_LAW = "labour_law", _("Labour-law week")
    HEAD_OFFICE = "head_office", _("Head office, Thursday closed")
    PROVINCIAL = "provincial", _("Provincial office, Thursday mornings")
    ALWAYS = "24x7", _("24×7")


SHIPPED_HOLIDAY_SET_KEY = "iran-official"


class RecomputeStatus(models.TextChoices):
    """The state of a recompute that runs in the background after a large calendar change."""

    PENDING = "pending", pgettext_lazy("recompute status", "Waiting")
    RUNNING = "running", pgettext_lazy("recompute status", "Recomputing")
    DONE = "done", pgettext_lazy("recompute status", "Done")
    FAILED = "failed", pgettext_lazy("recompute status", "Failed")
