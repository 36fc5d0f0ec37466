"""Business calendars: weekly hours with effective dates, dated hour sets, holidays and ad-hoc closures."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sarv.calendars.choices import HolidayKind, HolidayMode, RecomputeStatus, TemplateKey
from sarv.calendars.engine import minute_to_time
from sarv.calendars.hooks import ChangeScope
from sarv.calendars.weekdays import WEEKDAY_CHOICES
from sarv.core.models import BilingualNameMixin

MINUTES_PER_DAY = 1440


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(_("Unknown time zone: %(zone)s"), params={"zone": value}) from exc


class DataVersion(models.Model):
    """One row whose value changes (to a random number) with every calendar, holiday or closure change;
    cached engines key on it."""

    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("calendar data version")

    def __str__(self) -> str:
        return str(self.value)


class HolidaySet(BilingualNameMixin):
    """A list of holidays; the shipped Iranian list has key ``iran-official``."""

    key = models.SlugField(_("key"), max_length=60, unique=True)
    is_shipped = models.BooleanField(_("shipped with Sarv"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("holiday list")
        verbose_name_plural = _("holiday lists")
        ordering = ["-is_shipped", "name_fa"]


class Holiday(models.Model):
    """One holiday of a holiday list: a whole local day closed."""

    holiday_set = models.ForeignKey(
        HolidaySet, on_delete=models.CASCADE, related_name="holidays", verbose_name=_("holiday list"),
    )
    date = models.DateField(_("date"))
    name_fa = models.CharField(_("name (Persian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=HolidayKind.choices)
    is_estimated = models.BooleanField(
        _("estimated"), default=False,
        help_text=_("A lunar date forecast before the crescent is sighted; an administrator confirms it."),
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date", "kind", "name_fa"]
        constraints = [
            models.UniqueConstraint(fields=["holiday_set", "date", "name_fa"], name="calendars_holiday_unique_name"),
        ]
        indexes = [models.Index(fields=["holiday_set", "date"], name="calendars_holiday_set_date")]

    def __str__(self) -> str:
        return f"{self.date} {self.name_fa}"

    @property
    def name(self) -> str:
        from django.utils import translation

        if translation.get_language() == "en" and self.name_en:
            return self.name_en
        return self.name_fa


class Calendar(BilingualNameMixin):
    """A working calendar of a support group (and optionally of a site); its week is versioned by date."""

    owner_group = models.ForeignKey(
        "accounts.SupportGroup", on_delete=models.PROTECT, null=True, blank=True, related_name="calendars",
        verbose_name=_("support group"),
    )
    site = models.ForeignKey(
        "accounts.Location", on_delete=models.PROTECT, null=True, blank=True, related_name="calendars",
        verbose_name=_("site"),
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Tehran", validators=[validate_time_zone],
    )
    is_default = models.BooleanField(_("default calendar"), default=False)
    template_key = models.CharField(
        _("template"), max_length=20, choices=TemplateKey.choices, blank=True,
        help_text=_("Set on the calendars shipped with Sarv."),
    )
    holiday_mode = models.CharField(
        _("holidays"), max_length=10, choices=HolidayMode.choices, default=HolidayMode.SHIPPED,
    )
    holiday_set = models.ForeignKey(
        HolidaySet, on_delete=models.PROTECT, null=True, blank=True, related_name="calendars",
        verbose_name=_("holiday list"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("calendar")
        verbose_name_plural = _("calendars")
        ordering = ["-is_default", "name_fa"]
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True),
                                    name="calendars_one_default"),
            models.UniqueConstraint(fields=["template_key"], condition=~Q(template_key=""),
                                    name="calendars_unique_template"),
            models.CheckConstraint(
                condition=~Q(holiday_mode="other") | Q(holiday_set__isnull=False),
                name="calendars_other_needs_set",
            ),
        ]


class IntervalBase(models.Model):
    """A half-open working interval [start, end) on one weekday, in minutes after local midnight (1440 = 24:00)."""

    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=WEEKDAY_CHOICES)
    start_minute = models.PositiveSmallIntegerField(_("from"))
    end_minute = models.PositiveSmallIntegerField(_("to"))

    class Meta:
        abstract = True
        ordering = ["weekday", "start_minute"]

    def __str__(self) -> str:
        start, end = self.start_minute, self.end_minute
        return f"{self.weekday} {start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"

    @property
    def start_time(self) -> dt.time:
        return minute_to_time(self.start_minute)

    @property
    def end_time(self) -> dt.time:
        return minute_to_time(self.end_minute)


def _interval_constraints(prefix: str) -> list[models.BaseConstraint]:
    return [
        models.CheckConstraint(condition=Q(weekday__lte=6), name=f"{prefix}_weekday_range"),
        models.CheckConstraint(
            condition=Q(start_minute__lt=models.F("end_minute")) & Q(end_minute__lte=MINUTES_PER_DAY),
            name=f"{prefix}_order",
        ),
    ]


class CalendarVersion(models.Model):
    """The weekly hours of a calendar from ``effective_from`` until the next version."""

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="versions",
                                 verbose_name=_("calendar"))
    effective_from = models.DateField(_("effective from"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar version")
        verbose_name_plural = _("calendar versions")
        ordering = ["calendar", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "effective_from"], name="calendars_version_unique_date"),
        ]

    def __str__(self) -> str:
        return f"{self.calendar_id}@{self.effective_from}"


class WeeklyInterval(IntervalBase):
    version = models.ForeignKey(CalendarVersion, on_delete=models.CASCADE, related_name="intervals")

    class Meta(IntervalBase.Meta):
        verbose_name = _("working interval")
        verbose_name_plural = _("working intervals")
        constraints = _interval_constraints("calendars_weekly")


class HourSet(BilingualNameMixin):
    """Hours that replace a calendar's week between two local dates (inclusive)."""

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="hour_sets",
                                 verbose_name=_("calendar"))
    start_date = models.DateField(_("from date"))
    end_date = models.DateField(_("to date"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("dated hour set")
        verbose_name_plural = _("dated hour sets")
        ordering = ["calendar", "start_date"]
        constraints = [
            models.CheckConstraint(condition=Q(start_date__lte=models.F("end_date")),
                                   name="calendars_hourset_order"),
        ]


class HourSetInterval(IntervalBase):
    hour_set = models.ForeignKey(HourSet, on_delete=models.CASCADE, related_name="intervals")

    class Meta(IntervalBase.Meta):
        verbose_name = _("hour set interval")
        verbose_name_plural = _("hour set intervals")
        constraints = _interval_constraints("calendars_hourset_iv")


class Closure(models.Model):
    """An ad-hoc closure announced at short notice, for whole days or part of each day in a date range.

    A part-day closure without a start time starts at midnight; without an end time it lasts until midnight.
    It covers the chosen locations and everything under them (no location: every location), and not
    the exempt support groups. Wall times are in each calendar's time zone.
    """

    start_date = models.DateField(_("from date"))
    end_date = models.DateField(_("to date"))
    whole_day = models.BooleanField(_("whole day"), default=True)
    start_time = models.TimeField(_("from"), null=True, blank=True)
    end_time = models.TimeField(_("to"), null=True, blank=True)
    locations = models.ManyToManyField(
        "accounts.Location", blank=True, related_name="calendar_closures", verbose_name=_("provinces and sites"),
    )
    exempt_groups = models.ManyToManyField(
        "accounts.SupportGroup", blank=True, related_name="+", verbose_name=_("exempt support groups"),
    )
    reason = models.CharField(_("reason"), max_length=200)
    announced_by = models.CharField(_("announced by"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("entered by"),
    )
    created_at = models.DateTimeField(_("entered"), auto_now_add=True)
    is_reversed = models.BooleanField(_("reversed"), default=False)
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("reversed by"),
    )
    reversed_at = models.DateTimeField(_("reversed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(start_date__lte=models.F("end_date")),
                                   name="calendars_closure_dates"),
            models.CheckConstraint(
                condition=Q(whole_day=True) | (
                    (Q(start_time__isnull=False) | Q(end_time__isnull=False))
                    & (Q(start_time__isnull=True) | Q(end_time__isnull=True)
                       | Q(start_time__lt=models.F("end_time")))
                ),
                name="calendars_closure_times",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.start_date} {self.reason}"


class RecomputeRun(models.Model):
    """A recompute of SLA clocks after a calendar change that affects too many open records to run within the
    request: a background task runs it and stores the due times that moved (the first few) for its page."""

    created_at = models.DateTimeField(_("queued"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
    )
    # The change's scope (see ``sarv.calendars.hooks.ChangeScope``); null lists mean "all".
    calendar_ids = models.JSONField(null=True, blank=True)
    site_ids = models.JSONField(null=True, blank=True)
    since = models.DateField(null=True, blank=True)
    records = models.PositiveIntegerField(_("open records"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=RecomputeStatus.choices,
                              default=RecomputeStatus.PENDING)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    moved_total = models.PositiveIntegerField(default=0)
    moved = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("clock recompute")
        verbose_name_plural = _("clock recomputes")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.pk} {self.status}"

    def scope(self) -> ChangeScope:
        return ChangeScope.of(self.calendar_ids, since=self.since, site_ids=self.site_ids)

    @property
    def is_finished(self) -> bool:
        return self.status in (RecomputeStatus.DONE, RecomputeStatus.FAILED)
