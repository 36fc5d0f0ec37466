"""Read queries for problems. Every user-dependent query starts from ``Problem.objects.visible_to(user)``."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from sarv.core.errors import NotFound
from sarv.core.search import normalize_record_number
from sarv.problems.choices import OPEN_STATUSES
from sarv.problems.models import Problem

# Queues of the problem list: (code, label). "all" is every problem the agent may see.
QUEUES = (
    ("mine", _("My problems")),
    ("managed", _("I manage")),
    ("my_groups", _("My groups' problems")),
    ("open", _("All open")),
    ("all", _("All problems")),
)
QUEUE_CODES = {code for code, _label in QUEUES}


def visible_problems(user: Any) -> QuerySet[Problem]:
    return Problem.objects.visible_to(user)


def list_related(queryset: QuerySet[Problem]) -> QuerySet[Problem]:
    """Load what list rows show, so a page of any size costs the same number of queries."""
    return queryset.select_related("problem_manager", "assigned_group", "assignee").prefetch_related("category")


def incident_counts(problems: list[Problem]) -> dict[int, int]:
    """Return the number of linked incidents per problem of one list page, in one query."""
    from sarv.problems.models import ProblemIncident

    rows = (ProblemIncident.objects.filter(problem__in=[problem.pk for problem in problems])
            .values("problem").annotate(count=Count("pk")).values_list("problem", "count"))
    return dict(rows)


def queue(user: Any, code: str) -> QuerySet[Problem]:
    """Return one queue of the problem list; unknown codes fall back to "mine"."""
    queryset = visible_problems(user)
    if code == "all":
        return queryset
    if code == "open":
        return queryset.filter(status__in=OPEN_STATUSES)
    if code == "managed":
        return queryset.filter(problem_manager=user, status__in=OPEN_STATUSES)
    if code == "my_groups":
        return queryset.filter(assigned_group__memberships__user=user, status__in=OPEN_STATUSES)
    return queryset.filter(assignee=user, status__in=OPEN_STATUSES)


def get_visible_problem(user: Any, number: str, *, related: bool = True) -> Problem:
    """Return the problem with ``number`` if ``user`` may see it; raise NotFound otherwise (never 403)."""
    canonical = normalize_record_number(number) or number
    queryset = visible_problems(user).filter(number=canonical)
    if related:
        queryset = queryset.select_related(
            "requester", "problem_manager", "assigned_group", "assignee", "resolved_by", "created_by",
        ).prefetch_related("category", "services", "cis", "department")
    problem = queryset.first()
    if problem is None:
        raise NotFound()
    return problem


def linked_incidents(user: Any, problem: Problem) -> QuerySet[Any]:
    """Return the incidents linked to ``problem`` that ``user`` may see, with what the panel shows."""
    from sarv.incidents.models import Incident

    return (Incident.objects.visible_to(user).filter(problem_links__problem=problem)
            .select_related("requester", "assignee", "assigned_group").order_by("-created_at", "-pk"))
