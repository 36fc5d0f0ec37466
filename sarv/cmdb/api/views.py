"""CMDB API under /api/v1/cmdb/: classes, attributes, relationship types, CIs, relationships, impact, history, imports.

Reads need ``cmdb.view_ci`` (CIs: ``visible_to``); writes call ``sarv.cmdb.actions``, which check the
same permissions as the pages.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.db.models import Prefetch, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from sarv.accounts.models import User
from sarv.cmdb import actions, permissions, selectors
from sarv.cmdb.api import serializers as s
from sarv.cmdb.impact import impact
from sarv.cmdb.importers import cis as importer
from sarv.cmdb.models import (
    CI,
    AttributeDefinition,
    CIClass,
    ImportRun,
    Relationship,
    RelationshipRule,
    RelationshipType,
)
from sarv.core import jalali
from sarv.core.api.base import SarvGenericViewSet
from sarv.core.api.parsers import FormParser, JSONParser, MultiPartParser
from sarv.core.api.schema import error_responses
from sarv.core.errors import NotFound, PermissionDenied, ValidationFailed


class CmdbViewSet(SarvGenericViewSet):
    request: Request

    @property
    def actor(self) -> User:
        return cast(User, self.request.user)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if not permissions.can_view_cmdb(request.user) and not self.open_to_holders:
            raise PermissionDenied()

    open_to_holders = False

    def body(self) -> dict[str, Any]:
        """Return the request body as a mapping of field names; a JSON list or value gets a 400."""
        if not hasattr(self.request.data, "keys"):
            raise ValidationFailed(_("The request body must be an object of field names and values."))
        return {key: self.request.data[key] for key in self.request.data}

    def parse(self, serializer_class: type[serializers.Serializer], partial: bool = False) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data, partial=partial,
                                      context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


@extend_schema_view(
    list=extend_schema(summary="List CI classes",
                       responses={200: s.CIClassSerializer(many=True), **error_responses(403)}),
    retrieve=extend_schema(summary="Get a CI class", responses={200: s.CIClassSerializer, **error_responses(403, 404)}),
    create=extend_schema(summary="Add a CI class", request=s.CIClassInputSerializer,
                         responses={201: s.CIClassSerializer, **error_responses(400, 403)}),
    partial_update=extend_schema(summary="Change a CI class", request=s.CIClassInputSerializer,
                                 responses={200: s.CIClassSerializer, **error_responses(400, 403, 404)}),
)
class CIClassViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, CmdbViewSet):
    serializer_class = s.CIClassSerializer
    queryset = CIClass.objects.none()
    lookup_field = "code"
    filter_backends: list[Any] = []
    pagination_class = None

    def get_queryset(self) -> QuerySet[CIClass]:
        return CIClass.objects.select_related("parent", "owner_group").order_by("path")

    def create(self, request: Request) -> Response:
        saved = actions.save_ci_class(actor=self.actor, ci_class=None, values=self.parse(s.CIClassInputSerializer))
        return Response(s.CIClassSerializer(saved).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, code: str) -> Response:
        ci_class = self.get_object()
        current = s.CIClassInputSerializer(instance={
            **{f: getattr(ci_class, f) for f in ("code", "name_fa", "name_en", "description", "maps_to_service",
                                                 "is_active", "sort_order")},
            "parent": ci_class.parent, "owner_group": ci_class.owner_group,
        }).data
        values = {**current, **self.body()}
        serializer = s.CIClassInputSerializer(data=values)
        serializer.is_valid(raise_exception=True)
        saved = actions.save_ci_class(actor=self.actor, ci_class=ci_class, values=serializer.validated_data)
        return Response(s.CIClassSerializer(saved).data)

    @extend_schema(summary="Attributes of a class, inherited ones first",
                   responses={200: s.AttributeDefinitionSerializer(many=True), **error_responses(403, 404)})
    @action(detail=True, methods=["get"])
    def attributes(self, request: Request, code: str) -> Response:
        from sarv.cmdb.attributes import effective_definitions

        definitions = effective_definitions(self.get_object())
        return Response(s.AttributeDefinitionSerializer(definitions, many=True).data)


@extend_schema_view(
    list=extend_schema(summary="List attribute definitions",
                       responses={200: s.AttributeDefinitionSerializer(many=True), **error_responses(403)}),
    retrieve=extend_schema(summary="Get an attribute definition",
                           responses={200: s.AttributeDefinitionSerializer, **error_responses(403, 404)}),
    create=extend_schema(summary="Add an attribute to a class", request=s.AttributeDefinitionInputSerializer,
                         responses={201: s.AttributeDefinitionSerializer, **error_responses(400, 403)}),
    update=extend_schema(summary="Change an attribute definition", request=s.AttributeDefinitionInputSerializer,
                         responses={200: s.AttributeDefinitionSerializer, **error_responses(400, 403, 404)}),
)
class AttributeDefinitionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, CmdbViewSet):
    serializer_class = s.AttributeDefinitionSerializer
    queryset = AttributeDefinition.objects.none()
    filter_backends: list[Any] = []
    pagination_class = None

    def get_queryset(self) -> QuerySet[AttributeDefinition]:
        queryset = AttributeDefinition.objects.select_related("ci_class", "reference_class").order_by(
            "ci_class__path", "sort_order", "id")
        ci_class = self.request.query_params.get("class")
        return queryset.filter(ci_class__code=ci_class) if ci_class else queryset

    def create(self, request: Request) -> Response:
        saved = actions.save_attribute(actor=self.actor, definition=None,
                                       values=self.parse(s.AttributeDefinitionInputSerializer))
        return Response(s.AttributeDefinitionSerializer(saved).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, pk: str) -> Response:
        saved = actions.save_attribute(actor=self.actor, definition=self.get_object(),
                                       values=self.parse(s.AttributeDefinitionInputSerializer))
        return Response(s.AttributeDefinitionSerializer(saved).data)


@extend_schema_view(
    list=extend_schema(summary="List relationship types",
                       responses={200: s.RelationshipTypeSerializer(many=True), **error_responses(403)}),
    retrieve=extend_schema(summary="Get a relationship type",
                           responses={200: s.RelationshipTypeSerializer, **error_responses(403, 404)}),
    create=extend_schema(summary="Add a relationship type", request=s.RelationshipTypeInputSerializer,
                         responses={201: s.RelationshipTypeSerializer, **error_responses(400, 403)}),
    partial_update=extend_schema(summary="Change a relationship type (its code stays)",
                                 request=s.RelationshipTypeInputSerializer,
                                 responses={200: s.RelationshipTypeSerializer, **error_responses(400, 403, 404)}),
)
class RelationshipTypeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, CmdbViewSet):
    serializer_class = s.RelationshipTypeSerializer
    queryset = RelationshipType.objects.none()
    filter_backends: list[Any] = []
    pagination_class = None

    def get_queryset(self) -> QuerySet[RelationshipType]:
        rules = RelationshipRule.objects.select_related("source_class", "target_class").order_by("id")
        return RelationshipType.objects.prefetch_related(Prefetch("rules", queryset=rules))

    def create(self, request: Request) -> Response:
        saved = actions.save_relationship_type(actor=self.actor, relationship_type=None,
                                               values=self.parse(s.RelationshipTypeInputSerializer))
        return Response(self._output(saved.code), status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str) -> Response:
        relationship_type = self.get_object()
        current = {name: getattr(relationship_type, name) for name in (
            "name_fa", "name_en", "inverse_name_fa", "inverse_name_en", "propagation", "is_containment",
            "is_symmetric", "sort_order", "is_active")}
        serializer = s.RelationshipTypeInputSerializer(data={**current, **self.body()})
        serializer.is_valid(raise_exception=True)
        values = {**serializer.validated_data, "code": relationship_type.code}
        actions.save_relationship_type(actor=self.actor, relationship_type=relationship_type, values=values)
        return Response(self._output(relationship_type.code))

    def _output(self, code: str) -> Any:
        return s.RelationshipTypeSerializer(self.get_queryset().get(pk=code)).data

    @extend_schema(summary="Allow the type between a pair of classes", request=s.RelationshipRuleInputSerializer,
                   responses={201: s.RelationshipRuleSerializer, **error_responses(400, 403, 404)})
    @action(detail=True, methods=["post"])
    def rules(self, request: Request, pk: str) -> Response:
        relationship_type = self.get_object()
        data = self.parse(s.RelationshipRuleInputSerializer)
        rule = actions.add_relationship_rule(actor=self.actor, relationship_type=relationship_type,
                                             source_class=data["source_class"], target_class=data["target_class"])
        return Response(s.RelationshipRuleSerializer(rule).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Stop allowing the type between a pair of classes (relationships made stay)",
                   request=None, responses={204: None, **error_responses(403, 404)})
    @action(detail=True, methods=["delete"], url_path=r"rules/(?P<rule_id>[0-9]+)", url_name="rule")
    def remove_rule(self, request: Request, pk: str, rule_id: str) -> Response:
        relationship_type = self.get_object()
        rule = relationship_type.rules.filter(pk=int(rule_id)).first()
        if rule is None:
            raise NotFound()
        actions.remove_relationship_rule(actor=self.actor, rule=rule)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _ci_url(pk: int) -> str:
    try:
        return reverse("cmdb:ci", args=[pk])
    except NoReverseMatch:  # the pages are not installed
        return f"/cmdb/cis/{pk}/"


def _instant(request: Request) -> Any:
    text = request.query_params.get("at", "")
    try:
        # parse_datetime raises ValueError for a well-formed but impossible value such as month 13.
        instant = (parse_datetime(text) or jalali.parse_datetime(text)) if text else None
    except ValueError:
        instant = None
    if instant is None:
        raise ValidationFailed(_at_message(), field="at")
    if timezone.is_aware(instant):
        # PostgreSQL accepts UTC offsets up to 15:59 only; Python accepts any offset under 24 hours.
        instant = instant.astimezone(dt.UTC)
    return instant


def _at_message() -> str:
    from django.utils.translation import gettext as _

    return _("Give the instant as ?at=2024-05-04T10:00:00+03:30 or a Jalali date such as 1403/02/15 10:00.")


CI_FILTERS = [
    OpenApiParameter("q", str, description="Text in the name, identity keys or hostname"),
    OpenApiParameter("class", str, description="Class code; subclasses included"),
    OpenApiParameter("status", str), OpenApiParameter("environment", str),
    OpenApiParameter("support_group", int), OpenApiParameter("holder", int),
    OpenApiParameter("holder_department", int), OpenApiParameter("location", int),
]


@extend_schema_view(
    list=extend_schema(summary="List configuration items", parameters=CI_FILTERS,
                       responses={200: s.CISerializer(many=True), **error_responses(403)}),
    retrieve=extend_schema(summary="Get a configuration item",
                           responses={200: s.CISerializer, **error_responses(403, 404)}),
    create=extend_schema(summary="Add a configuration item", request=s.CIInputSerializer,
                         responses={201: s.CISerializer, **error_responses(400, 403)}),
    partial_update=extend_schema(summary="Change a configuration item (send version)", request=s.CIInputSerializer,
                                 responses={200: s.CISerializer, **error_responses(400, 403, 404, 409)}),
)
class CIViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, CmdbViewSet):
    serializer_class = s.CISerializer
    queryset = CI.objects.none()
    filter_backends: list[Any] = []
    open_to_holders = True

    def get_queryset(self) -> QuerySet[CI]:
        queryset = selectors.cis_for(self.request.user).select_related("holder_department", "service")
        params = self.request.query_params
        if params.get("q"):
            queryset = selectors.search_cis(queryset, params["q"])
        if params.get("class"):
            ci_class = CIClass.objects.filter(code=params["class"]).first()
            queryset = queryset.filter(ci_class__path__startswith=ci_class.path) if ci_class else queryset.none()
        for name in ("status", "environment"):
            if params.get(name):
                queryset = queryset.filter(**{name: params[name]})
        for name in ("support_group", "holder", "holder_department", "location"):
            if params.get(name, "").isdigit():
                queryset = queryset.filter(**{f"{name}_id": int(params[name])})
        return queryset.order_by("name_fa", "name_en", "id")

    def get_object(self) -> CI:
        key = str(self.kwargs.get("pk", ""))
        ci = self.get_queryset().filter(pk=int(key)).first() if key.isdigit() else None
        if ci is None:
            raise NotFound()
        return ci

    def create(self, request: Request) -> Response:
        values = self.parse(s.CIInputSerializer)
        values.pop("version", None)
        ci = actions.create_ci(actor=self.actor, values=values)
        return Response(s.CISerializer(self.get_queryset().get(pk=ci.pk)).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str) -> Response:
        ci = self.get_object()
        values = self.parse(s.CIInputSerializer, partial=True)
        version = values.pop("version", None)
        if version is None:
            raise ValidationFailed(_version_message(), field="version")
        actions.update_ci(actor=self.actor, ci=ci, values=values, expected_version=version)
        return Response(s.CISerializer(self.get_queryset().get(pk=ci.pk)).data)

    @extend_schema(summary="Current relationships of a CI (both directions)",
                   responses={200: s.RelationshipSerializer(many=True), **error_responses(403, 404)})
    @action(detail=True, methods=["get"], pagination_class=None)
    def relationships(self, request: Request, pk: str) -> Response:
        rows = selectors.relationships_of(self.get_object())
        return Response(s.RelationshipSerializer(rows, many=True).data)

    @extend_schema(
        summary="Impact analysis",
        description="down: what is affected if this CI fails; up: what it depends on. Each CI once, on its "
                    "shortest path; cycles end the walk and are listed.",
        parameters=[
            OpenApiParameter("direction", str, enum=["down", "up"]),
            OpenApiParameter("types", str, description="Comma-separated relationship type codes"),
            OpenApiParameter("depth", int, description="1–20, default 3"),
            OpenApiParameter("offset", int), OpenApiParameter("limit", int, description="1–1000, default 200"),
        ],
        responses={200: s.ImpactSerializer, **error_responses(400, 404)},
    )
    @action(detail=True, methods=["get"])
    def impact(self, request: Request, pk: str) -> Response:
        if not permissions.can_view_cmdb(request.user):
            raise NotFound()
        ci = self.get_object()
        params = request.query_params
        direction = params.get("direction", "down")
        if direction not in ("down", "up"):
            raise ValidationFailed(field="direction")
        types = [t for t in params.get("types", "").split(",") if t]
        try:
            depth = int(params.get("depth", 3))
            offset = int(params.get("offset", 0))
            limit = int(params.get("limit", 200))
        except ValueError:
            raise ValidationFailed(field="depth") from None
        result = impact(ci, direction=direction, types=types or None,  # type: ignore[arg-type]
                        max_depth=depth, offset=offset, limit=limit)
        return Response(impact_payload(ci, result, max(0, offset)))

    @extend_schema(summary="Audit history of a CI, newest first",
                   responses={200: s.HistoryEntrySerializer(many=True), **error_responses(403, 404)})
    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk: str) -> Response:
        rows = selectors.history(self.get_object())
        page = self.paginate_queryset(rows)
        data = s.HistoryEntrySerializer(page if page is not None else rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    @extend_schema(summary="The CI and its relationships as they were at an instant",
                   parameters=[OpenApiParameter("at", OpenApiTypes.DATETIME, required=True)],
                   responses={200: s.CIAsOfSerializer, **error_responses(400, 404)})
    @action(detail=True, methods=["get"], url_path="as-of")
    def as_of(self, request: Request, pk: str) -> Response:
        ci = self.get_object()
        instant = _instant(request)
        past = selectors.ci_as_of(ci, instant)
        relationships = selectors.relationships_as_of(ci, instant) if past is not None else []
        return Response({
            "instant": instant,
            "ci": s.CISerializer(past).data if past is not None else None,
            "relationships": s.RelationshipSerializer(relationships, many=True).data,
        })

    @extend_schema(summary="Open incidents naming this CI",
                   responses={200: s.OpenIncidentSerializer(many=True), **error_responses(403, 404)})
    @action(detail=True, methods=["get"], url_path="open-incidents", pagination_class=None)
    def open_incidents(self, request: Request, pk: str) -> Response:
        rows = selectors.open_incidents(self.get_object(), request.user)[:200]
        return Response([{"number": i.number, "title": i.title, "status": i.status,
                          "status_display": i.get_status_display(), "priority": i.priority} for i in rows])

    @extend_schema(summary="CIs to suggest on the incident form for a requester",
                   description="A user who may not view the CMDB gets suggestions for themselves only; another "
                               "requester is answered with 404.",
                   parameters=[OpenApiParameter("requester", int, required=True)],
                   responses={200: s.CISerializer(many=True), **error_responses(400, 404)})
    @action(detail=False, methods=["get"], pagination_class=None)
    def suggestions(self, request: Request) -> Response:
        requester_id = request.query_params.get("requester", "")
        requester = User.objects.filter(pk=int(requester_id)).first() if requester_id.isdigit() else None
        if requester is None:
            raise ValidationFailed(field="requester")
        if requester.pk != request.user.pk and not permissions.can_view_cmdb(request.user):
            raise NotFound()
        return Response(s.CISerializer(selectors.suggested_cis(requester, request.user), many=True).data)


def _version_message() -> str:
    from django.utils.translation import gettext as _

    return _("Send the version of the CI your change is based on.")


def impact_payload(root: CI, result: Any, offset: int = 0) -> dict[str, Any]:
    """The impact response of the contract: root, one page of nodes with their CI details, edges among them."""
    ids = [node.ci_id for node in result.nodes]
    cis = {ci.pk: ci for ci in CI.objects.filter(pk__in=[root.pk, *ids]).select_related("ci_class")}

    def describe(ci: CI) -> dict[str, Any]:
        return {"id": ci.pk, "name": ci.name, "class": ci.ci_class.code, "class_label": ci.ci_class.name,
                "status": ci.status, "url": _ci_url(ci.pk)}

    nodes = [{**describe(cis[node.ci_id]), "depth": node.depth, "path": node.path, "via": node.via}
             for node in result.nodes if node.ci_id in cis]
    members = set(cis)
    edges = [
        {"source": r.source_id, "target": r.target_id, "type": r.type_id, "label": r.type.label}
        for r in Relationship.objects.current().filter(source_id__in=members, target_id__in=members)
        .select_related("type").order_by("id")
    ]
    following = offset + len(result.nodes)
    return {
        "root": describe(cis[root.pk]), "direction": result.direction, "total": result.total,
        "truncated": result.truncated, "nodes": nodes, "edges": edges, "cycles": result.cycles,
        "next_offset": following if following < result.total else None,
    }


@extend_schema_view(
    list=extend_schema(summary="List relationships", parameters=[
        OpenApiParameter("ci", int, description="Relationships of this CI (both directions)"),
        OpenApiParameter("type", str), OpenApiParameter("current", bool, description="Default true")],
        responses={200: s.RelationshipSerializer(many=True), **error_responses(403)}),
    retrieve=extend_schema(summary="Get a relationship",
                           responses={200: s.RelationshipSerializer, **error_responses(403, 404)}),
    create=extend_schema(summary="Relate two CIs", request=s.RelationshipInputSerializer,
                         responses={201: s.RelationshipSerializer, **error_responses(400, 403)}),
    destroy=extend_schema(summary="End a relationship (kept in history)",
                          responses={204: None, **error_responses(403, 404)}),
)
class RelationshipViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, CmdbViewSet):
    serializer_class = s.RelationshipSerializer
    queryset = Relationship.objects.none()
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Relationship]:
        queryset = Relationship.objects.select_related("type", "source__ci_class", "target__ci_class")
        params = self.request.query_params
        if params.get("current", "true").lower() != "false":
            queryset = queryset.current()
        if params.get("ci", "").isdigit():
            ci_id = int(params["ci"])
            queryset = queryset.filter(Q(source_id=ci_id) | Q(target_id=ci_id))
        if params.get("type"):
            queryset = queryset.filter(type_id=params["type"])
        return queryset.order_by("id")

    def create(self, request: Request) -> Response:
        data = self.parse(s.RelationshipInputSerializer)
        relationship = actions.relate(actor=self.actor, source=data["source"], target=data["target"],
                                      relationship_type=data["type"], description=data["description"])
        return Response(s.RelationshipSerializer(self.get_queryset().get(pk=relationship.pk)).data,
                        status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, pk: str) -> Response:
        actions.end_relationship(actor=self.actor, relationship=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    create=extend_schema(summary="Upload a CSV or Excel file and get its dry-run report",
                         request={"multipart/form-data": s.ImportInputSerializer},
                         responses={201: s.ImportReportSerializer, **error_responses(400, 403)}),
    retrieve=extend_schema(summary="Get a stored import's report",
                           responses={200: s.ImportReportSerializer, **error_responses(403, 404)}),
)
class ImportViewSet(mixins.RetrieveModelMixin, CmdbViewSet):
    queryset = ImportRun.objects.none()
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    serializer_class = s.ImportReportSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[ImportRun]:
        if not permissions.can_manage(self.request.user):
            raise PermissionDenied()
        return ImportRun.objects.all()

    def retrieve(self, request: Request, pk: str) -> Response:
        run = self.get_object()
        return Response({"id": run.pk, **run.report})

    def create(self, request: Request) -> Response:
        actions.require_manage(self.actor)
        data = self.parse(s.ImportInputSerializer)
        upload = data["file"]
        mapping = data.get("mapping") or None
        if mapping is not None and not isinstance(mapping, dict):
            raise ValidationFailed(field="mapping")
        run, report = importer.start_import(actor=self.actor, kind=data["kind"], file_name=upload.name,
                                            content=upload.read(), mapping=mapping)
        return Response({"id": run.pk, **report.as_dict()}, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Apply a stored import", request=None,
                   responses={200: s.ImportReportSerializer, **error_responses(400, 403, 404)})
    @action(detail=True, methods=["post"])
    def apply(self, request: Request, pk: str) -> Response:
        run = self.get_object()
        report = importer.apply_import(actor=self.actor, run=run)
        return Response({"id": run.pk, **report.as_dict()})
