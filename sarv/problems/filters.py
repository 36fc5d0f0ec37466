"""Filters of the problem list, shared by the page and the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sarv.accounts.models import SupportGroup, User
from sarv.cmdb.models import CI
from sarv.core.choices import Priority
from sarv.core.models import Category
from sarv.core.search import search
from sarv.incidents.filters import IncidentFilter, JalaliDateFilter, _agents, record_ordering
from sarv.problems.choices import ProblemStatus
from sarv.problems.models import Problem
from sarv.services.models import Service
from sarv.sla.choices import RecordSlaState

# Age filter values: problems opened at least this many days ago.
AGE_CHOICES = (
    ("7", _("Older than a week")),
    ("30", _("Older than a month")),
    ("90", _("Older than three months")),
    ("365", _("Older than a year")),
)


def _managers(request: Any = None) -> QuerySet[User]:
    return User.objects.filter(is_active=True, groups__permissions__codename="manage_problem").distinct()


class ProblemFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Text or number"), method="filter_text")
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=ProblemStatus.choices, distinct=False)
    priority = django_filters.MultipleChoiceFilter(label=_("Priority"), choices=Priority.choices, distinct=False)
    assigned_group = django_filters.ModelMultipleChoiceFilter(
        label=_("Support group"), queryset=SupportGroup.objects.filter(is_active=True), distinct=False
    )
    assignee = django_filters.ModelChoiceFilter(label=_("Agent"), queryset=_agents)
    problem_manager = django_filters.ModelChoiceFilter(label=_("Problem manager"), queryset=_managers)
    category = django_filters.ModelChoiceFilter(label=_("Category"), queryset=Category.objects.all())
    # The many-valued filters use EXISTS subqueries, so no problem repeats and no DISTINCT is needed.
    service = django_filters.ModelChoiceFilter(label=_("Service"), queryset=Service.objects.all(),
                                               method="filter_service")
    ci = django_filters.ModelChoiceFilter(label=_("Configuration item"), queryset=CI.objects.all(),
                                          method="filter_ci")
    age = django_filters.ChoiceFilter(label=_("Age"), choices=AGE_CHOICES, method="filter_age")
    created_from = JalaliDateFilter(label=_("Created from"), field_name="created_at", method="filter_created_from")
    created_to = JalaliDateFilter(label=_("Created until"), field_name="created_at", method="filter_created_to")
    sla_state = django_filters.MultipleChoiceFilter(label=_("SLA state"), choices=RecordSlaState.choices,
                                                    method="filter_sla_state")
    ordering = record_ordering()

    class Meta:
        model = Problem
        fields: list[str] = []

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return search(queryset, value) if value else queryset

    def filter_service(self, queryset: QuerySet, name: str, value: Service) -> QuerySet:
        through = Problem.services.through.objects.filter(service=value).values("problem_id")
        return queryset.filter(pk__in=through) if value else queryset

    def filter_ci(self, queryset: QuerySet, name: str, value: CI) -> QuerySet:
        through = Problem.cis.through.objects.filter(ci=value).values("problem_id")
        return queryset.filter(pk__in=through) if value else queryset

    def filter_age(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(created_at__lte=timezone.now() - dt.timedelta(days=int(value)))

    # The same day and SLA semantics as the incident list.
    filter_created_from = IncidentFilter.filter_created_from
    filter_created_to = IncidentFilter.filter_created_to
    filter_sla_state = IncidentFilter.filter_sla_state
