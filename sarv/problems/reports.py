"""Problem management reports, counted in Jalali months, quarters or years.

- Problems by status and age: problems opened in the date range, per status and age bucket. A
  problem's age runs from its opening to its resolution (or closing), or to now while it is open.
- Incidents per problem: the problems with the most linked incidents, and how many are still open.
- Workaround resolutions: incidents resolved after a known error was published, where the incident
  is linked to the known error's problem or an agent used the known error on it, per period of the
  incident's resolution.
- Known error use: what agents did with known errors (linked an incident, sent the workaround),
  per known error and per agent, in the date range of the use.

Every count is a grouped query. Periods become a CASE over their UTC bounds, which Python computes
from Tehran midnights, so the same query runs on PostgreSQL and SQLite. Users see the counts of
the problems they may see.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, DateTimeField, F, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sarv.core.jalali import uses_jalali
from sarv.core.permissions import is_active_user
from sarv.core.text import to_persian_digits
from sarv.incidents.choices import OPEN_STATUSES as INCIDENT_OPEN_STATUSES
from sarv.incidents.models import Incident
from sarv.problems import permissions
from sarv.problems.choices import OPEN_STATUSES, KnownErrorUseKind, ProblemStatus
from sarv.problems.models import KnownError, KnownErrorUse, Problem
from sarv.sla.reports import Month, months_between
from sarv.sla.reports import ReportFilters as SlaReportFilters

# Age buckets in days: [low, high); the last has no upper end.
AGE_BUCKETS: tuple[tuple[int, int | None], ...] = ((0, 7), (7, 30), (30, 90), (90, 365), (365, None))
# The maximum number of periods one report shows. A longer range shows its latest periods.
MAX_PERIODS = 60
TOP_PROBLEMS = 50
TOP_ROWS = 100


class Granularity:
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"

    CHOICES = (
        (MONTH, gettext_lazy("Month")),
        (QUARTER, gettext_lazy("Quarter")),
        (YEAR, gettext_lazy("Year")),
    )
    ALL = (MONTH, QUARTER, YEAR)


def can_view_reports(user: Any) -> bool:
    """Problem reports are for those who see every problem (agents, problem managers)."""
    return is_active_user(user) and user.has_perm(permissions.VIEW_ALL)


@dataclass(frozen=True)
class ReportFilters:
    """Local dates (both included) in the report zone, and the period length."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    granularity: str = Granularity.MONTH

    def instant_range(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        """Return the half-open ``[start, end)`` instants of the date range, as the SLA reports count them."""
        return SlaReportFilters(date_from=self.date_from, date_to=self.date_to).instant_range()


@dataclass(frozen=True)
class Period:
    """A Jalali month, quarter or year with its UTC bounds ``[start, end)``."""

    key: int
    year: int
    index: int
    granularity: str
    start: dt.datetime
    end: dt.datetime

    @property
    def label(self) -> str:
        persian = uses_jalali()
        if self.granularity == Granularity.MONTH:
            return Month(self.year, self.index, self.start, self.end).label()
        year = to_persian_digits(str(self.year)) if persian else str(self.year)
        if self.granularity == Granularity.QUARTER:
            quarter = to_persian_digits(str(self.index)) if persian else str(self.index)
            return _("Quarter %(quarter)s of %(year)s") % {"quarter": quarter, "year": year}
        return year


def periods_between(first: dt.datetime, last: dt.datetime, granularity: str) -> list[Period]:
    """Return the Jalali periods from the one holding ``first`` to the one holding ``last`` (the latest MAX_PERIODS)."""
    grouped: dict[tuple[int, int], list[Month]] = defaultdict(list)
    for month in months_between(first, last):
        if granularity == Granularity.YEAR:
            index = 1
        elif granularity == Granularity.QUARTER:
            index = (month.month - 1) // 3 + 1
        else:
            index = month.month
        grouped[(month.year, index)].append(month)
    periods = [Period(key=year * 100 + index, year=year, index=index, granularity=granularity,
                      start=months[0].start, end=months[-1].end)
               for (year, index), months in sorted(grouped.items())]
    return periods[-MAX_PERIODS:]


def period_case(field_name: str, periods: list[Period]) -> Case:
    """Return a CASE giving the period key of ``field_name``'s instant (NULL outside every period)."""
    whens = [When(**{f"{field_name}__gte": period.start, f"{field_name}__lt": period.end}, then=Value(period.key))
             for period in periods]
    return Case(*whens, default=Value(None), output_field=IntegerField())


def _in_range(queryset: Any, field_name: str, filters: ReportFilters) -> Any:
    start, end = filters.instant_range()
    if start is not None:
        queryset = queryset.filter(**{f"{field_name}__gte": start})
    if end is not None:
        queryset = queryset.filter(**{f"{field_name}__lt": end})
    return queryset


def _periods_for(queryset: Any, field_name: str, filters: ReportFilters) -> list[Period]:
    from django.db.models import Max, Min

    start, end = filters.instant_range()
    first, last = start, (end - dt.timedelta(microseconds=1)) if end else None
    if first is None or last is None:
        bounds = queryset.order_by().aggregate(first=Min(field_name), last=Max(field_name))
        first = first or bounds["first"]
        last = last or bounds["last"]
    if first is None or last is None or last < first:
        return []
    return periods_between(first, last, filters.granularity)


def _bucket_label(low: int, high: int | None) -> str:
    def number(value: int) -> str:
        return to_persian_digits(str(value)) if uses_jalali() else str(value)

    if high is None:
        return _("%(low)s days or more") % {"low": number(low)}
    return _("%(low)s to %(high)s days") % {"low": number(low), "high": number(high)}


# --- Problems by status and age -------------------------------------------------------------------------------


@dataclass
class StatusRow:
    status: str
    label: str
    buckets: list[int]

    @property
    def total(self) -> int:
        return sum(self.buckets)


@dataclass
class PeriodRow:
    period: Period
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.period.label


@dataclass
class StatusAgeReport:
    buckets: list[str]
    rows: list[StatusRow]
    totals: list[int]
    periods: list[PeriodRow]

    @property
    def total(self) -> int:
        return sum(self.totals)


def problems_by_status(user: Any, filters: ReportFilters, now: dt.datetime | None = None) -> StatusAgeReport:
    """Count the problems opened in the range per status × age bucket, and opened/resolved per period."""
    now = now or timezone.now()
    problems = _in_range(Problem.objects.visible_to(user).order_by(), "created_at", filters)
    ended = Coalesce(F("resolved_at"), F("closed_at"), Value(now, output_field=DateTimeField()))
    whens = []
    for index, (low, high) in enumerate(AGE_BUCKETS):
        condition = Q(ended_at__gte=F("created_at") + dt.timedelta(days=low))
        if high is not None:
            condition &= Q(ended_at__lt=F("created_at") + dt.timedelta(days=high))
        whens.append(When(condition, then=Value(index)))
    counted = (problems.annotate(ended_at=ended)
               .annotate(bucket=Case(*whens, default=Value(0), output_field=IntegerField()))
               .values("status", "bucket").annotate(size=Count("pk")))
    grid: dict[str, list[int]] = {status: [0] * len(AGE_BUCKETS) for status in ProblemStatus.values}
    for row in counted:
        grid.setdefault(row["status"], [0] * len(AGE_BUCKETS))[row["bucket"]] += row["size"]
    labels = dict(ProblemStatus.choices)
    rows = [StatusRow(status, str(labels.get(status, status)), counts) for status, counts in grid.items()]
    totals = [sum(row.buckets[index] for row in rows) for index in range(len(AGE_BUCKETS))]

    periods = _periods_for(problems, "created_at", filters)
    period_rows = {period.key: PeriodRow(period, {"opened": 0, "resolved": 0, "open": 0}) for period in periods}
    if periods:
        opened = (problems.annotate(period=period_case("created_at", periods)).values("period")
                  .annotate(size=Count("pk"), still_open=Count("pk", filter=Q(status__in=OPEN_STATUSES))))
        for row in opened:
            if row["period"] in period_rows:
                period_rows[row["period"]].counts["opened"] = row["size"]
                period_rows[row["period"]].counts["open"] = row["still_open"]
        resolved = (Problem.objects.visible_to(user).order_by().filter(resolved_at__isnull=False)
                    .annotate(period=period_case("resolved_at", periods)).values("period")
                    .annotate(size=Count("pk")))
        for row in resolved:
            if row["period"] in period_rows:
                period_rows[row["period"]].counts["resolved"] = row["size"]
    return StatusAgeReport(buckets=[_bucket_label(low, high) for low, high in AGE_BUCKETS], rows=rows,
                           totals=totals, periods=list(period_rows.values()))


# --- Incidents per problem -------------------------------------------------------------------------------------


@dataclass
class ProblemLoad:
    problem: Problem
    incidents: int
    open_incidents: int


def incidents_per_problem(user: Any, filters: ReportFilters, limit: int = TOP_PROBLEMS) -> list[ProblemLoad]:
    """Return the problems opened in the range with the most linked incidents, largest first."""
    problems = _in_range(Problem.objects.visible_to(user), "created_at", filters)
    ranked = (problems.annotate(
        linked=Count("incident_links", distinct=True),
        linked_open=Count("incident_links", filter=Q(incident_links__incident__status__in=INCIDENT_OPEN_STATUSES),
                          distinct=True),
    ).filter(linked__gt=0).order_by("-linked", "-created_at", "pk")[:limit])
    return [ProblemLoad(problem, problem.linked, problem.linked_open) for problem in ranked]


# --- Incidents resolved with a known error's workaround --------------------------------------------------------


@dataclass
class WorkaroundRow:
    known_error: KnownError
    counts: dict[int, int]
    total: int


@dataclass
class WorkaroundReport:
    periods: list[Period]
    rows: list[WorkaroundRow]
    totals: dict[int, int]

    @property
    def total(self) -> int:
        return sum(self.totals.values())


def workaround_resolutions(user: Any, filters: ReportFilters) -> WorkaroundReport:
    """Count incidents resolved after a known error was published, per known error and period of resolution.

    An incident counts for a known error when it is linked to the known error's problem or an
    agent used the known error on it, and it was resolved after the known error was published.
    """
    visible = Problem.objects.visible_to(user).values("pk")
    # Each filter() names its relation once, so the link, its problem and its known error are one row.
    pairs = (Incident.objects.order_by()
             .filter(resolved_at__isnull=False, problem_links__problem__in=visible,
                     problem_links__problem__known_error__isnull=False,
                     resolved_at__gt=F("problem_links__problem__known_error__published_at"))
             .annotate(known_error_id=F("problem_links__problem__known_error__pk")))
    # Uses on incidents; an incident counted both ways is one incident (the ids are collected in sets).
    through_use = (Incident.objects.order_by()
                   .filter(resolved_at__isnull=False, known_error_uses__known_error__problem__in=visible,
                           resolved_at__gt=F("known_error_uses__known_error__published_at"))
                   .annotate(known_error_id=F("known_error_uses__known_error_id")))
    pairs = _in_range(pairs, "resolved_at", filters)
    through_use = _in_range(through_use, "resolved_at", filters)
    bounds_source = _in_range(Incident.objects.filter(resolved_at__isnull=False), "resolved_at", filters)
    periods = _periods_for(bounds_source.filter(
        Q(problem_links__problem__known_error__isnull=False) | Q(known_error_uses__isnull=False)),
        "resolved_at", filters)
    counts: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    if periods:
        for queryset in (pairs, through_use):
            rows = (queryset.annotate(period=period_case("resolved_at", periods))
                    .values_list("known_error_id", "period", "pk").distinct())
            for known_error_id, period, incident_id in rows.iterator(chunk_size=2000):
                if period is not None:
                    counts[known_error_id][period].add(incident_id)
    known_errors = KnownError.objects.in_bulk(list(counts))
    rows_out = []
    totals: dict[int, int] = {period.key: 0 for period in periods}
    for known_error_id, by_period in counts.items():
        if known_error_id not in known_errors:
            continue
        row_counts = {period.key: len(by_period.get(period.key, ())) for period in periods}
        for key, value in row_counts.items():
            totals[key] += value
        rows_out.append(WorkaroundRow(known_errors[known_error_id], row_counts, sum(row_counts.values())))
    rows_out.sort(key=lambda row: (-row.total, row.known_error.number))
    return WorkaroundReport(periods=periods, rows=rows_out[:TOP_ROWS], totals=totals)


# --- Known errors used by agents -------------------------------------------------------------------------------


@dataclass
class UsageRow:
    label: str
    linked: int
    applied: int
    obj: Any = None

    @property
    def total(self) -> int:
        return self.linked + self.applied


@dataclass
class UsageReport:
    by_known_error: list[UsageRow]
    by_agent: list[UsageRow]


def known_error_usage(user: Any, filters: ReportFilters) -> UsageReport:
    """Count the uses of known errors in the range, per known error and per agent."""
    uses = _in_range(KnownErrorUse.objects.order_by()
                     .filter(known_error__problem__in=Problem.objects.visible_to(user).values("pk")),
                     "used_at", filters)
    tallies = {"linked": Count("pk", filter=Q(kind=KnownErrorUseKind.LINKED)),
               "applied": Count("pk", filter=Q(kind=KnownErrorUseKind.APPLIED_WORKAROUND))}
    per_error = list(uses.values("known_error_id").annotate(**tallies))
    errors = KnownError.objects.in_bulk([row["known_error_id"] for row in per_error])
    by_error = [UsageRow(str(errors[row["known_error_id"]]), row["linked"], row["applied"],
                         errors[row["known_error_id"]]) for row in per_error]
    per_agent = list(uses.values("used_by_id").annotate(**tallies))
    from sarv.accounts.models import User

    agents = User.objects.in_bulk([row["used_by_id"] for row in per_agent if row["used_by_id"]])
    by_agent = [UsageRow(agents[row["used_by_id"]].get_full_name() or agents[row["used_by_id"]].username
                         if row["used_by_id"] in agents else _("Unknown agent"), row["linked"], row["applied"],
                         agents.get(row["used_by_id"]))
                for row in per_agent]
    by_error.sort(key=lambda row: (-row.total, row.label))
    by_agent.sort(key=lambda row: (-row.total, row.label))
    return UsageReport(by_known_error=by_error[:TOP_ROWS], by_agent=by_agent[:TOP_ROWS])
