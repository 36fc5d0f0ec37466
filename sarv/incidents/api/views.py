"""The incident API: list, create, read and edit incidents, bulk updates, and the resolution codes.

The view set gathers its endpoints from two mixins, one per concern: the
life-cycle actions (``workflow_views``) and what hangs off an incident
(``related_views``). Every write calls ``sarv.incidents.actions``.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from sarv.core import keyset
from sarv.core.api.base import ActiveReferenceViewSet
from sarv.core.api.pagination import KeysetPagination, PageNumberPagination
from sarv.core.api.schema import error_responses
from sarv.core.errors import NotFound, PermissionDenied, ValidationFailed
from sarv.core.permissions import is_agent
from sarv.core.search import normalize_record_number
from sarv.incidents import actions, selectors
from sarv.incidents.api import inputs
from sarv.incidents.api.related_views import IncidentRelatedMixin
from sarv.incidents.api.serializers import (
    IncidentCreateSerializer,
    IncidentCreateUploadSerializer,
    IncidentDetailSerializer,
    IncidentListSerializer,
    IncidentUpdateSerializer,
    ResolutionCodeSerializer,
)
from sarv.incidents.api.workflow_views import VERSIONED_ERRORS, IncidentWorkflowMixin
from sarv.incidents.filters import IncidentFilter
from sarv.incidents.models import Incident, ResolutionCode

QUEUE_PARAMETER = OpenApiParameter(
    "queue", OpenApiTypes.STR, enum=[code for code, _label in selectors.QUEUES],
    description="Agents only: mine (assigned to me), my_groups, unassigned (open incidents without an agent) or all.",
)

def queue_from_request(request: Request, visible: Any, queue: Any, codes: set[str]) -> QuerySet[Any]:
    """Return the records of the ``queue`` parameter (agents only), or all the user may see without it."""
    user = request.user
    code = request.query_params.get("queue")
    if code is None:
        return visible(user)
    if not is_agent(user):
        raise PermissionDenied(_("Only agents have work queues."), field="queue")
    if code not in codes:
        raise ValidationFailed(_("%(value)s is not a valid choice."), field="queue", value=code)
    return queue(user, code)


# Actions that list incidents, and so share the keyset-paged response schema.
KEYSET_ACTIONS = ("list", "children")


@extend_schema_view(
    list=extend_schema(
        summary="List incidents",
        description="Incidents the user may see: agents see all (or one queue), requesters their own, watched "
                    "and, with the permission, their department's. Filters are those of the workspace list; "
                    "dates are Jalali (1405/01/20) or ISO days in the user's time zone.",
        parameters=[QUEUE_PARAMETER],
        responses={200: IncidentListSerializer(many=True), **error_responses(400, 403)},
    ),
    retrieve=extend_schema(
        summary="Get an incident",
        description="The number may be written with Persian digits.",
        responses={200: IncidentDetailSerializer, **error_responses(404)},
    ),
    create=extend_schema(
        summary="Report an incident",
        description="Requesters report for themselves; agents may report for someone else, assign and add "
                    "watchers. Send JSON, or multipart/form-data with files under the key attachments.",
        request={"application/json": IncidentCreateSerializer,
                 "multipart/form-data": IncidentCreateUploadSerializer},
        responses={201: IncidentDetailSerializer, **error_responses(400, 403)},
    ),
    partial_update=extend_schema(
        summary="Edit an incident",
        description="Agents only. Send the fields that change with the version they are based on; a stale "
                    "version answers 409 and nothing is saved.",
        request=IncidentUpdateSerializer,
        responses={200: IncidentDetailSerializer, **VERSIONED_ERRORS},
    ),
)
class IncidentViewSet(
    IncidentWorkflowMixin,
    IncidentRelatedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
):
    serializer_class = IncidentListSerializer
    filterset_class = IncidentFilter
    # IncidentFilter has its own "ordering" parameter, shared with the workspace list page.
    filter_backends = [DjangoFilterBackend]
    queryset = Incident.objects.none()

    def get_serializer_class(self) -> Any:
        if self.action == "list":
            return IncidentListSerializer
        return IncidentDetailSerializer

    def get_queryset(self) -> QuerySet[Incident]:
        queryset = queue_from_request(self.request, selectors.visible_incidents, selectors.queue,
                                      selectors.QUEUE_CODES)
        return selectors.list_related(queryset).order_by("-created_at", "-id")

    @property
    def pagination_class(self) -> Any:  # type: ignore[override]
        # Lists of incidents can hold a million rows, so they page by keyset; the other lists hanging
        # off one incident are short and keep numbered pages.
        return KeysetPagination if getattr(self, "action", None) in KEYSET_ACTIONS else PageNumberPagination

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        queryset = super().filter_queryset(queryset)
        # A sort on priority or status leaves ties; the tie-breakers keep pages stable when the client
        # walks them, and run in the sort's direction so the cursor links can use an index.
        return queryset.order_by(*keyset.ordering_with_tiebreakers(queryset.query.order_by, ("created_at", "id")))

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(IncidentDetailSerializer(self.get_object(), context=self.get_serializer_context()).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self.parse(IncidentCreateUploadSerializer)
        incident = actions.create_incident(
            actor=self.actor,
            title=data["title"],
            description=data["description"],
            requester=data.get("requester"),
            channel=data["channel"],
            category=data.get("category"),
            subcategory=data.get("subcategory"),
            service=data.get("service"),
            impact=data["impact"],
            urgency=data["urgency"],
            assigned_group=data.get("assigned_group"),
            assignee=data.get("assignee"),
            files=data.get("attachments", []),
            letter_number=data["letter_number"],
            letter_date=data["letter_date"],
            watchers=data.get("watchers", []),
            affected_ci=data.get("affected_ci"),
            further_affected_cis=data.get("further_affected_cis", []),
        )
        response = self.created_response(incident)
        response.headers["Location"] = reverse("incidents-api:incident-detail", args=[incident.number])
        return response

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        values = self.parse(IncidentUpdateSerializer)
        version = values.pop("version")
        further = values.pop("further_affected_cis", None)
        with transaction.atomic():
            incident = actions.update_incident(actor=self.actor, incident=self.get_object(),
                                               expected_version=version, **values)
            if further is not None:
                incident = actions.set_further_affected_cis(actor=self.actor, incident=incident, cis=further)
        return self.incident_response(incident)

    @extend_schema(
        summary="Update incidents in bulk",
        description="Group leads and incident managers assign and/or change the status of several incidents. "
                    "Each incident succeeds or fails on its own; numbers the user cannot see fail as not found.",
        request=inputs.BulkSerializer,
        responses={200: inputs.BulkResultsSerializer, **error_responses(400, 403)},
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request: Request) -> Response:
        data = self.parse(inputs.BulkSerializer)
        numbers = [normalize_record_number(value) or value for value in data["numbers"]]
        found = {incident.number: incident
                 for incident in selectors.visible_incidents(request.user).filter(number__in=numbers)}
        results = {result.number: result for result in actions.bulk_update(
            actor=self.actor, incidents=[found[n] for n in dict.fromkeys(numbers) if n in found],
            group=data["assigned_group"], assignee=data["assignee"], status=data["status"],
            hold_reason=data["hold_reason"],
        )}
        missing = NotFound().message
        rows = [results.get(number) or actions.BulkResult(number, False, missing) for number in dict.fromkeys(numbers)]
        return Response(inputs.BulkResultsSerializer({"results": rows}).data)


@extend_schema_view(
    list=extend_schema(summary="List resolution codes",
                       responses={200: ResolutionCodeSerializer(many=True), **error_responses()}),
    retrieve=extend_schema(summary="Get a resolution code",
                           responses={200: ResolutionCodeSerializer, **error_responses(404)}),
)
class ResolutionCodeViewSet(ActiveReferenceViewSet):
    serializer_class = ResolutionCodeSerializer
    model = ResolutionCode
    queryset = ResolutionCode.objects.none()
    ordering = ("sort_order", "code")
