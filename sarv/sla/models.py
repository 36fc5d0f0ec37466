"""Service level management: agreements (SLA, OLA, UC), their targets and escalations, and the clock cache.

The agreements are definitions that administrators edit. Clocks are never counters
updated in place: ``sarv.sla.clocks`` computes them from a record's timeline, and the
``Clock`` rows and the ``sla_due_at``/``sla_state`` columns of the record only cache
the result for lists, reports and the alert job (``sarv.sla.recompute`` rebuilds them).
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sarv.core.choices import Priority
from sarv.core.models import BilingualNameMixin
from sarv.sla.choices import (
    AgreementKind,
    CalendarSource,
    ClockState,
    ReopenBehaviour,
    SwapBehaviour,
    TargetMetric,
)
from sarv.sla.clocks import Rule

DEFAULT_WARNING_PERCENTS = [50, 75, 90]


def default_warning_percents() -> list[int]:
    return list(DEFAULT_WARNING_PERCENTS)


def default_stop_statuses() -> list[str]:
    return ["resolved", "closed"]


def default_pause_reasons() -> list[str]:
    return ["awaiting_requester", "awaiting_supplier"]


class Agreement(BilingualNameMixin):
    """A service level agreement with a customer (SLA), between internal groups (OLA) or with a supplier (UC).

    Conditions select the records the agreement covers; an empty condition matches
    everything. Agreements compete in *slots*: all SLAs in one slot, OLAs per support
    group and UCs per supplier. In each slot the active agreement with the lowest
    ``precedence`` whose conditions match the record's current state applies, so a
    priority change can hand a running clock to another agreement.
    """

    kind = models.CharField(_("kind"), max_length=3, choices=AgreementKind.choices, default=AgreementKind.SLA)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    precedence = models.PositiveIntegerField(
        _("precedence"), default=100,
        help_text=_("Lower numbers are checked first; the first matching agreement of each kind applies."),
    )

    # Conditions. Record types are "app_label.model" names of WorkItem models, e.g. "incidents.incident".
    record_types = models.JSONField(_("record types"), default=list, blank=True)
    services = models.ManyToManyField("services.Service", blank=True, related_name="+", verbose_name=_("services"))
    priorities = models.JSONField(_("priorities"), default=list, blank=True)
    departments = models.ManyToManyField(
        "accounts.Department", blank=True, related_name="+", verbose_name=_("departments"),
    )
    categories = models.ManyToManyField("core.Category", blank=True, related_name="+", verbose_name=_("categories"))

    # Whose time the clocks measure.
    ola_group = models.ForeignKey(
        "accounts.SupportGroup", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("support group (OLA)"),
        help_text=_("An OLA's clocks run only while this group holds the record."),
    )
    uc_supplier = models.ForeignKey(
        "services.Supplier", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("supplier (UC)"),
        help_text=_("A UC's clocks run only while the record waits on this supplier."),
    )
    calendar_source = models.CharField(
        _("calendar"), max_length=10, choices=CalendarSource.choices, default=CalendarSource.GROUP,
        help_text=_("Without such a calendar the clock follows the default calendar."),
    )
    calendar = models.ForeignKey(
        "calendars.Calendar", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("fixed calendar"),
    )

    # Clock rules, as record status codes and on-hold reason codes.
    pause_statuses = models.JSONField(_("pause in these statuses"), default=list, blank=True)
    pause_hold_reasons = models.JSONField(_("pause for these on-hold reasons"), default=default_pause_reasons,
                                          blank=True)
    start_statuses = models.JSONField(
        _("start in these statuses"), default=list, blank=True,
        help_text=_("Empty: the clocks start when the record is created."),
    )
    stop_statuses = models.JSONField(_("stop in these statuses"), default=default_stop_statuses, blank=True)
    reopen_behaviour = models.CharField(
        _("on reopening"), max_length=10, choices=ReopenBehaviour.choices, default=ReopenBehaviour.CONTINUE,
    )
    swap_behaviour = models.CharField(
        _("when this agreement takes over a running clock"), max_length=10, choices=SwapBehaviour.choices,
        default=SwapBehaviour.CONTINUE,
    )
    warning_percents = models.JSONField(_("warning thresholds (%)"), default=default_warning_percents, blank=True)

    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["kind", "precedence", "pk"]

    def as_rule(self) -> Rule:
        """Return the agreement as plain values for ``sarv.sla.clocks``; needs targets and escalations prefetched."""
        targets = {(t.metric, t.priority): t.seconds for t in self.targets.all()}
        points = [(f"w{percent}", int(percent), 0) for percent in sorted(set(self.warning_percents or []))
                  if 0 < int(percent) < 100]
        points.append(("breach", 100, 0))
        points.extend((f"e{level.level}", 100, level.delay_seconds) for level in self.escalations.all()
                      if level.delay_seconds > 0)
        return Rule(
            id=self.pk, kind=self.kind, precedence=self.precedence, name=self.name_fa,
            record_types=frozenset(self.record_types or []),
            service_ids=frozenset(s.pk for s in self.services.all()),
            priorities=frozenset(int(p) for p in self.priorities or []),
            department_ids=frozenset(d.pk for d in self.departments.all()),
            category_ids=frozenset(c.pk for c in self.categories.all()),
            pause_statuses=frozenset(self.pause_statuses or []),
            pause_hold_reasons=frozenset(self.pause_hold_reasons or []),
            start_statuses=frozenset(self.start_statuses or []),
            stop_statuses=frozenset(self.stop_statuses or []),
            reopen_restarts=self.reopen_behaviour == ReopenBehaviour.RESTART,
            swap_restarts=self.swap_behaviour == SwapBehaviour.RESTART,
            group_id=self.ola_group_id, supplier_id=self.uc_supplier_id,
            calendar_source=self.calendar_source, calendar_id=self.calendar_id,
            targets=targets, alert_points=tuple(points),
        )


class AgreementTarget(models.Model):
    """A target of an agreement: business time allowed for one metric, for one priority or for all."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="targets")
    metric = models.CharField(_("metric"), max_length=20, choices=TargetMetric.choices)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, null=True, blank=True,
        help_text=_("Empty: every priority without a target of its own."),
    )
    seconds = models.PositiveIntegerField(_("business seconds"))

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["metric", "priority"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "metric", "priority"], name="sla_target_unique",
                                    nulls_distinct=False),
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id}:{self.metric}:{self.priority}"


class EscalationLevel(models.Model):
    """What happens when a clock breaches (level 1, at the due time) or stays breached longer (later levels)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="escalations")
    level = models.PositiveSmallIntegerField(_("level"), default=1)
    delay_seconds = models.PositiveIntegerField(
        _("business seconds after the breach"), default=0,
        help_text=_("0: at the due time."),
    )
    notify_agent = models.BooleanField(_("notify the assigned agent"), default=True)
    notify_group_lead = models.BooleanField(_("notify the group lead"), default=False)
    notify_managers = models.BooleanField(_("notify the incident managers"), default=False)
    reassign_group = models.ForeignKey(
        "accounts.SupportGroup", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("reassign to the group"),
    )
    raise_priority = models.BooleanField(_("raise the priority one step"), default=False)

    class Meta:
        verbose_name = _("escalation level")
        verbose_name_plural = _("escalation levels")
        ordering = ["level"]
        constraints = [models.UniqueConstraint(fields=["agreement", "level"], name="sla_escalation_level_unique")]

    def __str__(self) -> str:
        return f"{self.agreement_id}:{self.level}"

    @property
    def point_key(self) -> str:
        """The alert point of this level: the breach itself for a zero delay."""
        return "breach" if self.delay_seconds == 0 else f"e{self.level}"


class Clock(models.Model):
    """The cached state of one clock of one record, rebuilt from the timeline (never updated as a counter).

    One row per record, slot ("sla", "ola:<group id>", "uc:<supplier id>") and metric.
    Durations are business seconds at ``computed_at``. ``next_alert_at`` is when the
    next warning, breach or escalation falls due if the clock keeps running; the alert
    job reads it, and ``alerted_through`` is the elapsed time of the last alert fired.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    slot = models.CharField(max_length=40)
    metric = models.CharField(_("metric"), max_length=20, choices=TargetMetric.choices)
    kind = models.CharField(_("kind"), max_length=3, choices=AgreementKind.choices)
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="clocks")
    target_seconds = models.PositiveIntegerField(default=0)
    elapsed_seconds = models.PositiveIntegerField(default=0)
    paused_seconds = models.PositiveIntegerField(default=0)
    state = models.CharField(_("state"), max_length=16, choices=ClockState.choices)
    cycle = models.PositiveIntegerField(default=1)
    started_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    next_alert_at = models.DateTimeField(null=True, blank=True)
    alerted_through = models.IntegerField(default=-1)
    # Ids of every calendar the clock followed, as ",3,7,", so a calendar change finds its clocks.
    calendar_ids = models.CharField(max_length=200, blank=True)
    # Ids of the sites whose closures the clock's calendars included (0: none), as ",5,0,", for closures.
    site_ids = models.CharField(max_length=200, blank=True)
    is_open = models.BooleanField(default=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("clock")
        verbose_name_plural = _("clocks")
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id", "slot", "metric"], name="sla_clock_unique"),
        ]
        indexes = [
            models.Index(fields=["next_alert_at"], name="sla_clock_next_alert",
                         condition=models.Q(next_alert_at__isnull=False)),
            models.Index(fields=["is_open", "content_type"], name="sla_clock_open"),
        ]

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id} {self.slot} {self.metric}"


class ClockAlert(models.Model):
    """A warning, breach or escalation that fired for one clock cycle: the row that makes it fire once.

    The alert job inserts the row before it acts; a second worker inserting the same
    (record, slot, metric, cycle, point) hits the unique constraint and does nothing.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    slot = models.CharField(max_length=40)
    metric = models.CharField(max_length=20, choices=TargetMetric.choices)
    cycle = models.PositiveIntegerField(default=1)
    point = models.CharField(max_length=12)
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="+")
    elapsed_seconds = models.PositiveIntegerField(default=0)
    fired_at = models.DateTimeField(default=timezone.now)
    claimed_by = models.CharField(max_length=120, blank=True)

    class Meta:
        verbose_name = _("clock alert")
        verbose_name_plural = _("clock alerts")
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id", "slot", "metric", "cycle", "point"],
                                    name="sla_clock_alert_once"),
        ]

    def __str__(self) -> str:
        return f"{self.object_id} {self.slot} {self.metric} {self.point}"


def record_type_of(model: type[models.Model] | Any) -> str:
    """Return the "app_label.model" name agreements use for a record type."""
    return f"{model._meta.app_label}.{model._meta.model_name}"
