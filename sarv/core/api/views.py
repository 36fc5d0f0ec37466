"""Reference data that lives in core: the category tree."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins

from sarv.core.api.base import SarvGenericViewSet
from sarv.core.api.schema import error_responses
from sarv.core.api.serializers import CategorySerializer
from sarv.core.models import Category


@extend_schema_view(
    list=extend_schema(summary="List the category tree",
                       responses={200: CategorySerializer(many=True), **error_responses()}),
)
class CategoryViewSet(mixins.ListModelMixin, SarvGenericViewSet):
    """Active top-level categories, each with its active subcategories."""

    serializer_class = CategorySerializer
    # The whole tree in one response: it is small, and forms need all of it at once.
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[Category]:
        children = Category.objects.filter(is_active=True).order_by("sort_order", "name_fa")
        return Category.objects.filter(parent__isnull=True, is_active=True).prefetch_related(
            Prefetch("children", queryset=children, to_attr="active_children")
        ).order_by("sort_order", "name_fa")

