"""Filters of incident lists, shared by the agent workspace pages and the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sarv.accounts.models import Department, SupportGroup, User
from sarv.core.choices import Priority
from sarv.core.forms import JalaliDateField
from sarv.core.models import Category
from sarv.core.search import search
from sarv.incidents.choices import Channel, IncidentStatus
from sarv.incidents.models import Incident
from sarv.services.models import Service
from sarv.sla.choices import RecordSlaState


class JalaliDateFilter(django_filters.DateFilter):
    """A date filter that reads Jalali dates with Persian digits on Persian pages."""

    field_class = JalaliDateField


def _agents(request: Any = None) -> QuerySet[User]:
    # django-filter calls a callable queryset with the request.
    return User.objects.filter(is_active=True, groups__permissions__codename="access_workspace").distinct()


class SlaOrderingFilter(django_filters.OrderingFilter):
    """Orders as usual, except that records without an SLA due time go last in both directions."""

    def get_ordering_value(self, param: str) -> Any:
        if param.lstrip("-") == "sla_due_at":
            due = F("sla_due_at")
            return due.desc(nulls_last=True) if param.startswith("-") else due.asc(nulls_last=True)
        return super().get_ordering_value(param)


def record_ordering() -> SlaOrderingFilter:
    """Return the "Sort by" filter of a work item list: the columns every record type has."""
    return SlaOrderingFilter(
        label=_("Sort by"),
        fields=(("priority", "priority"), ("created_at", "created_at"), ("updated_at", "updated_at"),
                ("number", "number"), ("status", "status"), ("sla_due_at", "sla_due_at")),
        field_labels={"priority": _("Priority"), "created_at": _("Created"), "updated_at": _("Updated"),
                      "number": _("Number"), "status": _("Status"), "sla_due_at": _("SLA due")},
    )


class IncidentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Text or number"), method="filter_text")
    # distinct=False: none of these filters joins a many-valued relation, so no row can repeat, and
    # DISTINCT over whole incident rows doubles the cost of the list and of its count on PostgreSQL.
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=IncidentStatus.choices, distinct=False)
    priority = django_filters.MultipleChoiceFilter(label=_("Priority"), choices=Priority.choices, distinct=False)
    assigned_group = django_filters.ModelMultipleChoiceFilter(
        label=_("Support group"), queryset=SupportGroup.objects.filter(is_active=True), distinct=False
    )
    assignee = django_filters.ModelChoiceFilter(label=_("Agent"), queryset=_agents)
    category = django_filters.ModelChoiceFilter(
        label=_("Category"), queryset=Category.objects.filter(parent__isnull=True)
    )
    subcategory = django_filters.ModelChoiceFilter(
        label=_("Subcategory"), queryset=Category.objects.filter(parent__isnull=False)
    )
    service = django_filters.ModelChoiceFilter(label=_("Service"), queryset=Service.objects.all())
    department = django_filters.ModelChoiceFilter(label=_("Department"), queryset=Department.objects.all())
    requester = django_filters.ModelChoiceFilter(label=_("Requester"), queryset=User.objects.all())
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=Channel.choices)
    is_major = django_filters.BooleanFilter(label=_("Major incident"))
    created_from = JalaliDateFilter(label=_("Created from"), field_name="created_at", method="filter_created_from")
    created_to = JalaliDateFilter(label=_("Created until"), field_name="created_at", method="filter_created_to")
    sla_state = django_filters.MultipleChoiceFilter(
        label=_("SLA state"), choices=RecordSlaState.choices, method="filter_sla_state",
    )
    ordering = record_ordering()

    class Meta:
        model = Incident
        fields: list[str] = []

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return search(queryset, value) if value else queryset

    def filter_sla_state(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        # The cached state is as of the last change; a running clock whose due time has passed is breached now.
        overdue = Q(sla_state=RecordSlaState.RUNNING, sla_due_at__lte=timezone.now())
        condition = Q()
        for state in value:
            if state == RecordSlaState.BREACHED:
                condition |= Q(sla_state=state) | overdue
            elif state == RecordSlaState.RUNNING:
                condition |= Q(sla_state=state) & ~overdue
            else:
                condition |= Q(sla_state=state)
        return queryset.filter(condition) if value else queryset

    def filter_created_from(self, queryset: QuerySet, name: str, value: dt.date) -> QuerySet:
        # Dates are days in the user's time zone; the stored instants are UTC.
        return queryset.filter(created_at__gte=_start_of_day(value))

    def filter_created_to(self, queryset: QuerySet, name: str, value: dt.date) -> QuerySet:
        return queryset.filter(created_at__lt=_start_of_day(value + dt.timedelta(days=1)))


def _start_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_current_timezone())
