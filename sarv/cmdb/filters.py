"""Filters of the CI list, shared by the CMDB pages and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from sarv.accounts.models import Location, SupportGroup
from sarv.cmdb import selectors
from sarv.cmdb.choices import CIStatus, Criticality, Environment
from sarv.cmdb.models import CI, CIClass
from sarv.core.db import persian_order


class PersianOrderingFilter(django_filters.OrderingFilter):
    """Sorting whose "name" column follows the Persian alphabet (ICU collation on PostgreSQL)."""

    def filter(self, qs: QuerySet, value: Any) -> QuerySet:
        if not value:
            return qs
        fields = []
        for param in value:
            descending = param.startswith("-")
            field = self.param_map.get(param.lstrip("-"))
            if field is None:
                continue
            if field == "name_fa":
                expression = persian_order("name_fa")
                fields.append(expression.desc() if descending else expression.asc())
            else:
                fields.append(("-" if descending else "") + field)
        return qs.order_by(*fields) if fields else qs


class CIFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or identity key"), method="filter_text")
    # No filter joins a many-valued relation, so rows cannot repeat and DISTINCT would only slow the list.
    ci_class = django_filters.ModelChoiceFilter(
        label=_("Class"), queryset=CIClass.objects.filter(is_active=True), method="filter_class",
    )
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=CIStatus.choices, distinct=False)
    environment = django_filters.ChoiceFilter(label=_("Environment"), choices=Environment.choices)
    criticality = django_filters.ChoiceFilter(label=_("Criticality"), choices=Criticality.choices)
    support_group = django_filters.ModelChoiceFilter(
        label=_("Support group"), queryset=SupportGroup.objects.filter(is_active=True),
    )
    location = django_filters.ModelChoiceFilter(label=_("Location"), queryset=Location.objects.all(),
                                                method="filter_location")
    ordering = PersianOrderingFilter(
        label=_("Sort by"),
        fields=(("name_fa", "name"), ("ci_class__path", "class"), ("status", "status"),
                ("criticality", "criticality"), ("updated_at", "updated_at")),
        field_labels={"name_fa": _("Name"), "ci_class__path": _("Class"), "status": _("Status"),
                      "criticality": _("Criticality"), "updated_at": _("Updated")},
    )

    class Meta:
        model = CI
        fields: list[str] = []

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return selectors.search_cis(queryset, value)

    def filter_class(self, queryset: QuerySet, name: str, value: CIClass) -> QuerySet:
        """Keep the class and its subclasses: choosing "hardware" lists servers and network devices too."""
        return queryset.filter(ci_class__path__startswith=value.path)

    def filter_location(self, queryset: QuerySet, name: str, value: Location) -> QuerySet:
        """Keep the location and the places under it (a city lists the CIs of its sites)."""
        return queryset.filter(location__in=_location_subtree(value))


def _location_subtree(location: Location) -> list[int]:
    ids = [location.pk]
    frontier = [location.pk]
    while frontier:
        frontier = list(Location.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids.extend(frontier)
    return ids
