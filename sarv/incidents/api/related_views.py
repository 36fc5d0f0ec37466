"""Incident endpoints for what hangs off an incident: replies, work notes, attachments, watchers, letter
references, child incidents and the timeline. Reads show only what the user may see; writes call actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from sarv.core import timeline, timeline_display
from sarv.core.api.schema import error_responses
from sarv.core.api.serializers import (
    AttachmentSerializer,
    ExternalReferenceSerializer,
    TimelineEntrySerializer,
    WatcherSerializer,
)
from sarv.core.choices import ReferenceKind
from sarv.core.errors import NotFound
from sarv.core.models import ExternalReference, Watcher
from sarv.core.permissions import is_agent
from sarv.core.visibility import visible_attachments
from sarv.incidents import actions, selectors
from sarv.incidents.api import inputs
from sarv.incidents.api.base import IncidentViewSetBase
from sarv.incidents.api.serializers import IncidentListSerializer
from sarv.incidents.models import Incident

MULTIPART_NOTE = "Send JSON, or multipart/form-data with files under the key attachments."


def _comment_request() -> dict[str, Any]:
    return {"application/json": inputs.CommentSerializer, "multipart/form-data": inputs.CommentUploadSerializer}


def _describe(entries: list[Any]) -> list[timeline_display.DisplayEntry]:
    return timeline_display.describe(Incident, entries)


class IncidentRelatedMixin(IncidentViewSetBase):
    def _record_filter(self, incident: Incident) -> dict[str, Any]:
        return {"content_type": ContentType.objects.get_for_model(Incident), "object_id": incident.pk}

    def _post_comment(self, add: Callable[..., Any]) -> Response:
        """Call ``add`` (the reply or the work-note action) with the body and files, and return the new entry."""
        data = self.parse(inputs.CommentUploadSerializer)
        entry = add(actor=self.actor, incident=self.get_object(), body=data["body"],
                    files=data.get("attachments", []))
        row = _describe([entry])[0]
        return Response(TimelineEntrySerializer(row, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(summary="Post a public reply", description=MULTIPART_NOTE, request=_comment_request(),
                   responses={201: TimelineEntrySerializer, **error_responses(400, 403, 404)})
    @action(detail=True, methods=["post"])
    def replies(self, request: Request, number: str) -> Response:
        return self._post_comment(actions.add_reply)

    @extend_schema(summary="Write a work note", description="Agents only; requesters never see work notes. "
                   + MULTIPART_NOTE, request=_comment_request(),
                   responses={201: TimelineEntrySerializer, **error_responses(400, 403, 404)})
    @action(detail=True, methods=["post"])
    def notes(self, request: Request, number: str) -> Response:
        return self._post_comment(actions.add_work_note)

    @extend_schema(methods=["GET"], summary="List attachments",
                   description="Internal files are listed for agents only. Download links check permission again.",
                   responses={200: AttachmentSerializer(many=True), **error_responses(404)})
    @extend_schema(methods=["POST"], summary="Upload attachments",
                   request={"multipart/form-data": inputs.AttachmentUploadSerializer},
                   responses={201: inputs.AttachmentUploadResultSerializer, **error_responses(400, 403, 404)})
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def attachments(self, request: Request, number: str) -> Response:
        incident = self.get_object()
        if request.method == "GET":
            files = visible_attachments(request.user, incident).select_related("uploaded_by")
            return self.paginated(files, AttachmentSerializer)
        data = self.parse(inputs.AttachmentUploadSerializer)
        stored = actions.add_attachments(actor=self.actor, incident=incident,
                                         files=data.get("attachments", []), internal=data["internal"])
        result = inputs.AttachmentUploadResultSerializer({"attachments": stored}, context=self.get_serializer_context())
        return Response(result.data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], summary="List watchers",
                   responses={200: WatcherSerializer(many=True), **error_responses(404)})
    @extend_schema(methods=["POST"], summary="Add a watcher", request=inputs.WatcherInputSerializer,
                   responses={201: WatcherSerializer,
                              200: OpenApiResponse(WatcherSerializer, description="The person already watched it."),
                              **error_responses(400, 403, 404)})
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def watchers(self, request: Request, number: str) -> Response:
        incident = self.get_object()
        if request.method == "GET":
            return self.paginated(self._watchers(incident), WatcherSerializer)
        user = self.parse(inputs.WatcherInputSerializer)["user"]
        created = actions.add_watcher(actor=self.actor, incident=incident, user=user)
        watcher = self._watchers(incident).get(user=user)
        return Response(WatcherSerializer(watcher, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED if created is not None else status.HTTP_200_OK)

    def _watchers(self, incident: Incident) -> QuerySet[Watcher]:
        return Watcher.objects.filter(**self._record_filter(incident)).select_related(
            "user", "added_by"
        ).order_by("created_at", "id")

    @extend_schema(summary="Remove a watcher", request=None,
                   responses={204: OpenApiResponse(description="The person no longer watches the incident."),
                              **error_responses(403, 404)})
    @action(detail=True, methods=["delete"], url_path=r"watchers/(?P<user_id>\d+)")
    def remove_watcher(self, request: Request, number: str, user_id: str) -> Response:
        incident = self.get_object()
        watcher = self._watchers(incident).filter(user_id=int(user_id)).first()
        if watcher is None:
            raise NotFound()
        actions.remove_watcher(actor=self.actor, incident=incident, user=watcher.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(methods=["GET"], summary="List references",
                   description="Official letters that ordered the work; agents also see other references, such as "
                               "the source of an imported incident.",
                   responses={200: ExternalReferenceSerializer(many=True), **error_responses(404)})
    @extend_schema(methods=["POST"], summary="Add an official letter reference",
                   request=inputs.LetterReferenceSerializer,
                   responses={201: ExternalReferenceSerializer, **error_responses(400, 403, 404)})
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def references(self, request: Request, number: str) -> Response:
        incident = self.get_object()
        if request.method == "GET":
            references = ExternalReference.objects.filter(**self._record_filter(incident)).select_related(
                "created_by"
            ).order_by("created_at", "id")
            if not is_agent(request.user):
                references = references.filter(kind=ReferenceKind.LETTER)
            return self.paginated(references, ExternalReferenceSerializer)
        data = self.parse(inputs.LetterReferenceSerializer)
        reference = actions.add_letter_reference(actor=self.actor, incident=incident, number=data["number"],
                                                 date=data["date"], note=data["note"])
        return Response(ExternalReferenceSerializer(reference, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], summary="List child incidents",
                   description="Only the children the user may see.",
                   responses={200: IncidentListSerializer(many=True), **error_responses(404)})
    @extend_schema(methods=["POST"], summary="Link a child incident", request=inputs.ChildLinkSerializer,
                   responses={201: IncidentListSerializer, **error_responses(400, 403, 404)})
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def children(self, request: Request, number: str) -> Response:
        incident = self.get_object()
        if request.method == "GET":
            children = selectors.list_related(selectors.visible_incidents(request.user).filter(parent=incident))
            return self.paginated(children.order_by("-created_at", "-id"), IncidentListSerializer)
        child_number = self.parse(inputs.ChildLinkSerializer)["number"]
        child = selectors.get_visible_incident(request.user, child_number)
        child = actions.link_child(actor=self.actor, parent=incident, child=child)
        fresh = selectors.get_visible_incident(request.user, child.number)
        return Response(IncidentListSerializer(fresh, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(summary="Unlink a child incident", request=None,
                   responses={204: OpenApiResponse(description="The child is no longer linked."),
                              **error_responses(403, 404)})
    @action(detail=True, methods=["delete"], url_path=r"children/(?P<child_number>[^/]+)")
    def unlink_child(self, request: Request, number: str, child_number: str) -> Response:
        parent = self.get_object()
        child = selectors.get_visible_incident(request.user, child_number)
        if child.parent_id != parent.pk:
            raise NotFound()
        actions.unlink_child(actor=self.actor, child=child)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Read the timeline",
        description="Entries the user may read, oldest first: requesters never see work notes or other internal "
                    "entries. Field changes carry the field key and raw values with labels in the request's "
                    "language.",
        responses={200: TimelineEntrySerializer(many=True), **error_responses(404)},
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def timeline(self, request: Request, number: str) -> Response:
        incident = self.get_object()
        return self.paginated(timeline.entries_for(incident, request.user), TimelineEntrySerializer,
                              convert=_describe)
