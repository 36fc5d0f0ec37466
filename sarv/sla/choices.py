"""Choice sets of service level management."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sarv.sla.clocks import Kind, Metric, State


class AgreementKind(models.TextChoices):
    SLA = Kind.SLA, _("Service level agreement (SLA)")
    OLA = Kind.OLA, _("Operational level agreement (OLA)")
    UC = Kind.UC, _("Underpinning contract (UC)")


class TargetMetric(models.TextChoices):
    FIRST_RESPONSE = Metric.FIRST_RESPONSE, _("First response")
    RESOLUTION = Metric.RESOLUTION, _("Resolution")
    NEXT_UPDATE = Metric.NEXT_UPDATE, _("Next update")


class ClockState(models.TextChoices):
    NOT_STARTED = State.NOT_STARTED, pgettext_lazy("SLA clock", "Not started")
    RUNNING = State.RUNNING, pgettext_lazy("SLA clock", "Running")
    PAUSED = State.PAUSED, pgettext_lazy("SLA clock", "Paused")
    MET = State.MET, pgettext_lazy("SLA clock", "Met")
    BREACHED = State.BREACHED, pgettext_lazy("SLA clock", "Breached")
    STOPPED = State.STOPPED, pgettext_lazy("SLA clock", "Stopped")


class RecordSlaState(models.TextChoices):
    """The summary state cached on a record (``WorkItem.sla_state``) for list filters: its worst clock."""

    BREACHED = State.BREACHED, pgettext_lazy("SLA clock", "Breached")
    RUNNING = State.RUNNING, pgettext_lazy("SLA clock", "Running")
    PAUSED = State.PAUSED, pgettext_lazy("SLA clock", "Paused")
    MET = State.MET, pgettext_lazy("SLA clock", "Met")


class CalendarSource(models.TextChoices):
    GROUP = "group", _("The assigned support group's calendar")
    SITE = "site", _("The requester's site calendar")
    FIXED = "fixed", _("A fixed calendar")


class ReopenBehaviour(models.TextChoices):
    CONTINUE = "continue", _("Continue: time already used still counts")
    RESTART = "restart", _("Restart: a new clock with the full target")


class SwapBehaviour(models.TextChoices):
    CONTINUE = "continue", _("Carry over the time already used")
    RESTART = "restart", _("Start again from the moment of the change")
