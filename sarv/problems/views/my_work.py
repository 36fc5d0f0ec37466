"""The agent's "my work" queue: the open incidents and problems assigned to them, in one list."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from sarv.core import keyset, modules
from sarv.incidents import selectors as incident_selectors
from sarv.incidents.views.common import agent_required
from sarv.problems import selectors as problem_selectors

# Rows shown per record type; the page says how many more there are, and the type's own list has them all.
LIMIT_PER_TYPE = 100
# Due first (records without an SLA due time last), then by priority (1 is critical), then the oldest.
ORDERING = (F("sla_due_at").asc(nulls_last=True), "priority", "created_at", "pk")
FAR_FUTURE = dt.datetime.max.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class WorkRow:
    kind: str
    kind_label: Any
    record: Any


def _rows(kind: str, label: Any, queryset: QuerySet[Any]) -> list[WorkRow]:
    return [WorkRow(kind, label, record) for record in queryset.order_by(*ORDERING)[:LIMIT_PER_TYPE]]


def _sort_key(row: WorkRow) -> tuple[Any, ...]:
    record = row.record
    return (record.sla_due_at or FAR_FUTURE, record.priority, record.created_at, row.kind, record.pk)


def work_rows(user: Any, enabled: set[str]) -> tuple[list[WorkRow], list[dict[str, Any]]]:
    """Return the user's open incidents and problems merged by SLA due time and priority, with a count per type.

    Each type costs one query for its rows and one bounded count, whatever the number of records.
    """
    rows: list[WorkRow] = []
    totals = []
    sources: list[tuple[str, Any, Any, str, QuerySet[Any]]] = []
    if "incidents" in enabled:
        sources.append(("incident", _("Incident"), _("Incidents"), "incidents:list",
                        incident_selectors.list_related(incident_selectors.queue(user, "mine"))))
    if "problems" in enabled:
        sources.append(("problem", _("Problem"), _("Problems"), "problems:list",
                        problem_selectors.list_related(problem_selectors.queue(user, "mine"))))
    for kind, label, plural, list_url, queryset in sources:
        rows += _rows(kind, label, queryset)
        count, exact = keyset.bounded_count(queryset)
        totals.append({"kind": kind, "label": plural, "count": count, "exact": exact, "url": list_url,
                       "truncated": count > LIMIT_PER_TYPE})
    rows.sort(key=_sort_key)
    return rows, totals


@require_GET
@agent_required
def my_work(request: HttpRequest) -> HttpResponse:
    rows, totals = work_rows(request.user, modules.request_enabled_codes(request))
    return render(request, "problems/my_work.html", {"nav": "my_work", "rows": rows, "totals": totals,
                                                     "limit": LIMIT_PER_TYPE})
