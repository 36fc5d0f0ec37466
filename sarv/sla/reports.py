"""SLA reports: compliance per agreement, service, support group or Jalali month, and the list of breaches.

Both reports read the clock cache (``sla.Clock``), never a timeline, so they cost one
aggregate query per record type. A clock belongs to the record it measures, and the
record's creation time decides its Jalali month and whether the date range covers it.
Months and days are taken in the report time zone (Asia/Tehran by default). A clock still
running past its due time counts as breached, as it does on record pages.

Clocks stopped without a verdict (a cancelled record) and next-update clocks are
left out: compliance covers first response and resolution.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import jdatetime
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from sarv.accounts.models import SupportGroup
from sarv.core.jalali import JALALI_MONTHS_EN, JALALI_MONTHS_FA, uses_jalali
from sarv.core.models import WorkItem
from sarv.services.models import Service
from sarv.sla.choices import TargetMetric
from sarv.sla.clocks import State
from sarv.sla.models import Agreement, Clock
from sarv.sla.recompute import record_models

# The Django permission that lets a user see SLA reports; the SLA manager, incident manager and
# administrator roles have it (``sarv.accounts.roles``).
REPORT_PERMISSION = "sla.view_agreement"
REPORT_METRICS = (TargetMetric.FIRST_RESPONSE, TargetMetric.RESOLUTION)


class Dimension:
    AGREEMENT = "agreement"
    SERVICE = "service"
    GROUP = "group"
    MONTH = "month"

    ALL = (AGREEMENT, SERVICE, GROUP, MONTH)


def can_view_reports(user: Any) -> bool:
    return bool(getattr(user, "is_active", False) and user.has_perm(REPORT_PERMISSION))


def report_zone() -> zoneinfo.ZoneInfo:
    """Return the time zone whose days and Jalali months the reports count in (the site's default zone)."""
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


@dataclass(frozen=True)
class ReportFilters:
    """The records a report covers. Dates are local dates in the report time zone, both ends included."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    agreement_id: int | None = None
    group_id: int | None = None
    service_id: int | None = None

    def instant_range(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        """Return the half-open ``[start, end)`` instants of the date range."""
        zone = report_zone()
        start = dt.datetime.combine(self.date_from, dt.time(0), tzinfo=zone) if self.date_from else None
        end = None
        if self.date_to:
            end = dt.datetime.combine(self.date_to + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
        return start, end


# --- Jalali months ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Month:
    """A Jalali month and the UTC instants of its local midnights: ``[start, end)``."""

    year: int
    month: int
    start: dt.datetime
    end: dt.datetime

    @property
    def key(self) -> int:
        return self.year * 100 + self.month

    def label(self, language: str | None = None) -> str:
        if uses_jalali(language):
            from sarv.core.text import to_persian_digits

            return f"{JALALI_MONTHS_FA[self.month - 1]} {to_persian_digits(str(self.year))}"
        return f"{JALALI_MONTHS_EN[self.month - 1]} {self.year}"


def _local_midnight(day: dt.date, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=zone).astimezone(dt.UTC)


def month_of(moment: dt.datetime, zone: zoneinfo.ZoneInfo | None = None) -> tuple[int, int]:
    """Return the Jalali (year, month) of an instant as seen in ``zone`` (default: the report zone)."""
    local = moment.astimezone(zone or report_zone()).date()
    jalali_day = jdatetime.date.fromgregorian(date=local)
    return jalali_day.year, jalali_day.month


def months_between(first: dt.datetime, last: dt.datetime, zone: zoneinfo.ZoneInfo | None = None) -> list[Month]:
    """Return every Jalali month from the one holding ``first`` to the one holding ``last``, with their bounds."""
    zone = zone or report_zone()
    year, month = month_of(first, zone)
    last_key = month_of(last, zone)
    months = []
    while (year, month) <= last_key:
        next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
        start = _local_midnight(jdatetime.date(year, month, 1).togregorian(), zone)
        end = _local_midnight(jdatetime.date(next_year, next_month, 1).togregorian(), zone)
        months.append(Month(year, month, start, end))
        year, month = next_year, next_month
    return months


# --- Querying the clock cache ----------------------------------------------------------------------------------


def _has_field(model: type[WorkItem], name: str) -> bool:
    try:
        model._meta.get_field(name)
    except Exception:
        return False
    return True


def report_records(model: type[WorkItem], user: Any, filters: ReportFilters) -> QuerySet[Any] | None:
    """Return the records of one type that a report covers, or None when the filters exclude the type."""
    queryset = model.objects.visible_to(user) if user is not None else model.objects.all()
    start, end = filters.instant_range()
    if start is not None:
        queryset = queryset.filter(created_at__gte=start)
    if end is not None:
        queryset = queryset.filter(created_at__lt=end)
    if filters.group_id is not None:
        queryset = queryset.filter(assigned_group_id=filters.group_id)
    if filters.service_id is not None:
        if not _has_field(model, "service"):
            return None
        queryset = queryset.filter(service_id=filters.service_id)
    return queryset


def report_clocks(model: type[WorkItem], filters: ReportFilters) -> QuerySet[Clock]:
    """Return the clock rows of one record type that compliance counts (filtered by agreement)."""
    content_type = ContentType.objects.get_for_model(model)
    clocks = Clock.objects.filter(content_type=content_type, metric__in=REPORT_METRICS).exclude(state=State.STOPPED)
    if filters.agreement_id is not None:
        clocks = clocks.filter(agreement_id=filters.agreement_id)
    return clocks


def breached_now(now: dt.datetime) -> Q:
    """Return the condition of a clock that has breached by ``now``: stored as breached, or running past due."""
    return Q(state=State.BREACHED) | Q(state=State.RUNNING, due_at__lte=now)


def _db_datetime(value: dt.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


@dataclass
class Counts:
    met: int = 0
    breached: int = 0
    in_progress: int = 0

    @property
    def total(self) -> int:
        return self.met + self.breached + self.in_progress

    @property
    def decided(self) -> int:
        return self.met + self.breached

    @property
    def percent(self) -> float | None:
        """Return the share of met clocks among the decided ones (met or breached), or None without any."""
        if not self.decided:
            return None
        return round(self.met * 100 / self.decided, 1)

    def add(self, other: Counts) -> None:
        self.met += other.met
        self.breached += other.breached
        self.in_progress += other.in_progress

    def as_dict(self) -> dict[str, Any]:
        return {"met": self.met, "breached": self.breached, "in_progress": self.in_progress,
                "total": self.total, "percent": self.percent}


@dataclass
class ComplianceRow:
    key: Any
    label: str
    metrics: dict[str, Counts] = field(default_factory=lambda: {metric: Counts() for metric in REPORT_METRICS})

    @property
    def first_response(self) -> Counts:
        return self.metrics[TargetMetric.FIRST_RESPONSE]

    @property
    def resolution(self) -> Counts:
        return self.metrics[TargetMetric.RESOLUTION]


@dataclass
class ComplianceReport:
    dimension: str
    filters: ReportFilters
    now: dt.datetime
    rows: list[ComplianceRow]
    total: ComplianceRow


def _dimension_sql(dimension: str, months: Sequence[Month]) -> tuple[str, list[Any]]:
    if dimension == Dimension.AGREEMENT:
        return "c.agreement_id", []
    if dimension == Dimension.GROUP:
        return "r.rgroup", []
    if dimension == Dimension.SERVICE:
        return "r.rservice", []
    # Jalali months: the boundaries are Tehran midnights computed in Python, so the same CASE runs on
    # PostgreSQL and SQLite without either database knowing the Jalali calendar.
    whens, params = [], []
    for month in months:
        whens.append("WHEN r.rcreated >= %s AND r.rcreated < %s THEN %s")
        params.extend([_db_datetime(month.start), _db_datetime(month.end), month.key])
    if not whens:
        return "NULL", []
    return "CASE " + " ".join(whens) + " END", params


def _aggregate(model: type[WorkItem], records: QuerySet[Any], clocks: QuerySet[Clock], dimension: str,
               months: Sequence[Month], now: dt.datetime) -> Iterable[tuple[Any, str, int, int, int]]:
    """Yield ``(dimension value, metric, met, breached, in progress)`` for one record type, in one query."""
    values: dict[str, Any] = {"rid": F("pk"), "rgroup": F("assigned_group_id"), "rcreated": F("created_at")}
    values["rservice"] = F("service_id") if _has_field(model, "service") else F("pk")
    record_sql, record_params = records.order_by().values(**values).query.sql_with_params()
    clock_sql, clock_params = clocks.order_by().values("object_id", "agreement_id", "metric", "state", "due_at") \
        .query.sql_with_params()
    dimension_sql, dimension_params = _dimension_sql(dimension, months)
    if dimension == Dimension.SERVICE and not _has_field(model, "service"):
        dimension_sql = "NULL"
    moment = _db_datetime(now)
    sql = (
        f"SELECT {dimension_sql} AS dim, c.metric, "
        "SUM(CASE WHEN c.state = %s THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN c.state = %s OR (c.state = %s AND c.due_at <= %s) THEN 1 ELSE 0 END), "
        "COUNT(*) "
        f"FROM ({clock_sql}) c INNER JOIN ({record_sql}) r ON r.rid = c.object_id "
        "GROUP BY 1, c.metric"
    )
    params = [*dimension_params, State.MET, State.BREACHED, State.RUNNING, moment, *clock_params, *record_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for dim, metric, met, breached, total in cursor.fetchall():
            met, breached = int(met or 0), int(breached or 0)
            yield dim, metric, met, breached, int(total) - met - breached


def _month_range(covered: list[tuple[type[WorkItem], QuerySet[Any]]], filters: ReportFilters) -> list[Month]:
    from django.db.models import Max, Min

    start, end = filters.instant_range()
    first, last = start, (end - dt.timedelta(microseconds=1)) if end else None
    if first is None or last is None:
        for _model, records in covered:
            bounds = records.order_by().aggregate(first=Min("created_at"), last=Max("created_at"))
            if bounds["first"] is not None and start is None:
                first = bounds["first"] if first is None else min(first, bounds["first"])
            if bounds["last"] is not None and end is None:
                last = bounds["last"] if last is None else max(last, bounds["last"])
    if first is None or last is None or last < first:
        return []
    return months_between(first, last)


def _labels(dimension: str, keys: Iterable[Any], months: Sequence[Month]) -> dict[Any, str]:
    keys = [key for key in keys if key is not None]
    if dimension == Dimension.AGREEMENT:
        return {pk: str(agreement) for pk, agreement in Agreement.objects.in_bulk(keys).items()}
    if dimension == Dimension.GROUP:
        return {pk: str(group) for pk, group in SupportGroup.objects.in_bulk(keys).items()}
    if dimension == Dimension.SERVICE:
        return {pk: str(service) for pk, service in Service.objects.in_bulk(keys).items()}
    return {month.key: month.label() for month in months}


def _none_label(dimension: str) -> str:
    return {
        Dimension.GROUP: _("No support group"),
        Dimension.SERVICE: _("No service"),
    }.get(dimension, "—")


def compliance(user: Any, filters: ReportFilters, dimension: str = Dimension.AGREEMENT,
               now: dt.datetime | None = None) -> ComplianceReport:
    """Count met, breached and in-progress clocks per value of ``dimension``, for first response and resolution.

    ``user`` limits the records to those they may see (None: every record, for commands).
    """
    if dimension not in Dimension.ALL:
        raise ValueError(f"unknown report dimension {dimension!r}")
    now = now or timezone.now()
    covered = []
    for model in record_models():
        records = report_records(model, user, filters)
        if records is not None:
            covered.append((model, records))
    months = _month_range(covered, filters) if dimension == Dimension.MONTH else []

    counts: dict[Any, dict[str, Counts]] = defaultdict(lambda: {metric: Counts() for metric in REPORT_METRICS})
    for model, records in covered:
        clocks = report_clocks(model, filters)
        for dim, metric, met, breached, in_progress in _aggregate(model, records, clocks, dimension, months, now):
            counts[dim][metric].add(Counts(met, breached, in_progress))

    labels = _labels(dimension, counts.keys(), months)
    rows = [ComplianceRow(key=key, label=labels.get(key, _none_label(dimension)) if key is not None
                          else _none_label(dimension), metrics=metrics)
            for key, metrics in counts.items()]
    if dimension == Dimension.MONTH:
        rows.sort(key=lambda row: (row.key is None, row.key or 0))
    else:
        rows.sort(key=lambda row: (row.key is None, row.label))
    total = ComplianceRow(key=None, label=_("Total"))
    for row in rows:
        for metric in REPORT_METRICS:
            total.metrics[metric].add(row.metrics[metric])
    return ComplianceReport(dimension=dimension, filters=filters, now=now, rows=rows, total=total)


def breached_clocks(user: Any, filters: ReportFilters, now: dt.datetime | None = None) -> QuerySet[Clock]:
    """Return the breached clocks the report covers, latest breach first, as one queryset over every record type."""
    now = now or timezone.now()
    condition = Q(pk__in=[])
    for model in record_models():
        records = report_records(model, user, filters)
        if records is not None:
            condition |= Q(content_type=ContentType.objects.get_for_model(model),
                           object_id__in=records.order_by().values("pk"))
    clocks = Clock.objects.filter(condition, metric__in=REPORT_METRICS).filter(breached_now(now))
    if filters.agreement_id is not None:
        clocks = clocks.filter(agreement_id=filters.agreement_id)
    return clocks.select_related("agreement").order_by(F("breached_at").desc(nulls_last=True), "-due_at", "-pk")
