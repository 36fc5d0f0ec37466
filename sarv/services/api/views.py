"""API of the service portfolio: the active services incidents can affect."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view

from sarv.core.api.base import ActiveReferenceViewSet
from sarv.core.api.schema import error_responses
from sarv.services.api.serializers import ServiceSerializer
from sarv.services.models import Service


@extend_schema_view(
    list=extend_schema(summary="List services", responses={200: ServiceSerializer(many=True), **error_responses()}),
    retrieve=extend_schema(summary="Get a service", responses={200: ServiceSerializer, **error_responses(404)}),
)
class ServiceViewSet(ActiveReferenceViewSet):
    serializer_class = ServiceSerializer
    model = Service
    queryset = Service.objects.none()

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().select_related("owner_group")
