"""Known error API: the known error database under /api/v1/known-errors/, and the incident-side endpoints
under /api/v1/incidents/{number}/ (suggestions, linked problems, linking, applying a workaround).

Reads need ``problems.view_all_problems`` (agents); writes call ``sarv.problems.actions``, which check
the same permissions as the pages.
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from sarv.accounts.models import User
from sarv.cmdb.api.serializers import CIRefSerializer
from sarv.core import timeline_display
from sarv.core.api.base import SarvGenericViewSet
from sarv.core.api.schema import error_responses
from sarv.core.api.serializers import ModelSerializer, NamedRefSerializer, TimelineEntrySerializer, UserRefSerializer
from sarv.core.errors import NotFound, PermissionDenied, ValidationFailed
from sarv.incidents import permissions as incident_permissions
from sarv.incidents.api.base import IncidentViewSetBase
from sarv.incidents.models import Incident
from sarv.problems import actions
from sarv.problems.known_errors import (
    KnownErrorFilter,
    Suggestion,
    can_view_known_errors,
    get_known_error,
    get_visible_problem,
    known_errors_for,
    linked_problems,
    suggest_known_errors,
)
from sarv.problems.models import KnownError, KnownErrorUse

PROBLEM_MISSING = _("No problem with the number %(number)s was found.")
KNOWN_ERROR_MISSING = _("No known error with the number %(number)s was found.")

# --- Serializers -----------------------------------------------------------------------------------


class KnownErrorListSerializer(ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="published or retired.")
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    problem = serializers.CharField(source="problem.number", read_only=True, help_text="The problem's number.")
    category = NamedRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = KnownError
        fields = ["number", "title", "status", "status_display", "problem", "category", "published_at", "updated_at",
                  "version"]


class KnownErrorSerializer(KnownErrorListSerializer):
    services = NamedRefSerializer(many=True, read_only=True)
    cis = CIRefSerializer(many=True, read_only=True)
    published_by = UserRefSerializer(read_only=True, allow_null=True)
    retired_by = UserRefSerializer(read_only=True, allow_null=True)
    use_count = serializers.SerializerMethodField()

    class Meta(KnownErrorListSerializer.Meta):
        fields = [*KnownErrorListSerializer.Meta.fields, "symptoms", "root_cause", "workaround", "services", "cis",
                  "published_by", "retired_at", "retired_by", "retire_reason", "use_count"]

    def get_use_count(self, known_error: KnownError) -> int:
        return known_error.uses.count()


class KnownErrorUseSerializer(ModelSerializer):
    incident = serializers.CharField(source="incident.number", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    used_by = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = KnownErrorUse
        fields = ["incident", "kind", "kind_display", "used_by", "used_at"]


class PublishInputSerializer(serializers.Serializer):
    problem = serializers.CharField(max_length=40, help_text="The number of the problem to publish, PRB-….")
    title = serializers.CharField(max_length=300, required=False, help_text="Default: the problem's title.")
    symptoms = serializers.CharField(required=False, allow_blank=True,
                                     help_text="Default: the problem's description.")
    version = serializers.IntegerField(required=False, help_text="The problem's version; a newer one answers 409.")


class UpdateInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300, required=False, help_text="Default: the current title.")
    symptoms = serializers.CharField(required=False, allow_blank=True, help_text="Default: the current symptoms.")
    version = serializers.IntegerField(required=False,
                                       help_text="The known error's version; a newer one answers 409.")


class RetireInputSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Why the known error is retired.")
    version = serializers.IntegerField(required=False,
                                       help_text="The known error's version; a newer one answers 409.")


class SuggestionSerializer(serializers.Serializer):
    known_error = KnownErrorListSerializer(read_only=True)
    workaround = serializers.CharField(source="known_error.workaround", read_only=True)
    score = serializers.FloatField(read_only=True, help_text="Higher is a better match.")
    same_ci = serializers.BooleanField(read_only=True)
    same_service = serializers.BooleanField(read_only=True)
    same_category = serializers.BooleanField(read_only=True)
    similarity = serializers.FloatField(read_only=True,
                                        help_text="How much of the incident's title and symptom the known error's "
                                                  "text covers, from 0 to 1.")
    reasons = serializers.ListField(child=serializers.CharField(), read_only=True,
                                    help_text="What the known error shares with the incident, in the request's "
                                              "language.")


class LinkedProblemSerializer(serializers.Serializer):
    number = serializers.CharField(source="problem.number", read_only=True)
    title = serializers.CharField(source="problem.title", read_only=True)
    status = serializers.CharField(source="problem.status", read_only=True)
    status_display = serializers.CharField(source="problem.get_status_display", read_only=True)
    linked_through = serializers.CharField(source="link.source", read_only=True,
                                           help_text="How the link was made: manual, proposal, known_error or "
                                                     "import.")
    linked_at = serializers.DateTimeField(source="link.linked_at", read_only=True)
    known_error = serializers.CharField(source="known_error.number", read_only=True, allow_null=True,
                                        help_text="The number of the problem's published known error, if any.")
    workaround = serializers.CharField(read_only=True, help_text="The published known error's workaround, else "
                                                                 "the problem's; empty when there is none.")


class ProblemNumberInputSerializer(serializers.Serializer):
    problem = serializers.CharField(max_length=40, help_text="A problem number, PRB-….")


class KnownErrorNumberInputSerializer(serializers.Serializer):
    known_error = serializers.CharField(max_length=40, help_text="A known error number, KE-….")


def _named_problem(user: User, number: str) -> Any:
    """Return the problem an input field names; one the user cannot see is invalid input (400), not 404."""
    try:
        return get_visible_problem(user, number)
    except NotFound:
        raise ValidationFailed(PROBLEM_MISSING, field="problem", number=number) from None


# --- Known error database --------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List and search known errors",
                       description="q matches a KE number, the problem's PRB number, or every word in the title, "
                                   "symptoms, root cause or workaround (Arabic letters, half-spaces and Persian "
                                   "digits fold).",
                       responses={200: KnownErrorListSerializer(many=True), **error_responses(403)}),
    retrieve=extend_schema(summary="Get a known error",
                           responses={200: KnownErrorSerializer, **error_responses(403, 404)}),
)
class KnownErrorViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SarvGenericViewSet):
    lookup_field = "number"
    lookup_value_regex = r"[^/]+"
    filterset_class = KnownErrorFilter
    filter_backends = [DjangoFilterBackend]
    queryset = KnownError.objects.none()
    request: Request

    @property
    def actor(self) -> User:
        return cast(User, self.request.user)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if not can_view_known_errors(request.user):
            raise PermissionDenied()

    def get_serializer_class(self) -> Any:
        return KnownErrorListSerializer if self.action == "list" else KnownErrorSerializer

    def get_queryset(self) -> QuerySet[KnownError]:
        return known_errors_for(self.request.user).order_by("-published_at", "-pk")

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._known_error_response(self.get_object())

    def get_object(self) -> KnownError:
        return get_known_error(self.request.user, self.kwargs[self.lookup_field])

    def _parse(self, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _known_error_response(self, known_error: KnownError, code: int = status.HTTP_200_OK) -> Response:
        fresh = (known_errors_for(self.request.user).prefetch_related("services", "cis__ci_class")
                 .get(pk=known_error.pk))
        return Response(KnownErrorSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(summary="Publish a known error from a problem",
                   description="Problem managers only. The problem needs a root cause and a workaround; an open "
                               "problem moves to the status known_error.",
                   request=PublishInputSerializer, responses={201: KnownErrorSerializer,
                                                              **error_responses(400, 403, 404, 409)})
    def create(self, request: Request) -> Response:
        data = self._parse(PublishInputSerializer)
        problem = _named_problem(self.actor, data["problem"])
        known_error = actions.publish_known_error(actor=self.actor, problem=problem,
                                                  expected_version=data.get("version"), title=data.get("title"),
                                                  symptoms=data.get("symptoms"))
        return self._known_error_response(known_error, status.HTTP_201_CREATED)

    @extend_schema(summary="Update a known error from its problem",
                   description="Problem managers only. Copies the problem's root cause, workaround, services and "
                               "CIs again and raises the version; a retired known error is published again.",
                   request=UpdateInputSerializer, responses={200: KnownErrorSerializer,
                                                             **error_responses(400, 403, 404, 409)})
    @action(detail=True, methods=["post"], url_path="update-from-problem")
    def update_from_problem(self, request: Request, number: str) -> Response:
        data = self._parse(UpdateInputSerializer)
        known_error = actions.update_known_error(actor=self.actor, known_error=self.get_object(),
                                                 expected_version=data.get("version"), title=data.get("title"),
                                                 symptoms=data.get("symptoms"))
        return self._known_error_response(known_error)

    @extend_schema(summary="Retire a known error", description="Problem managers only.",
                   request=RetireInputSerializer, responses={200: KnownErrorSerializer,
                                                             **error_responses(400, 403, 404, 409)})
    @action(detail=True, methods=["post"])
    def retire(self, request: Request, number: str) -> Response:
        data = self._parse(RetireInputSerializer)
        known_error = actions.retire_known_error(actor=self.actor, known_error=self.get_object(),
                                                 reason=data["reason"], expected_version=data.get("version"))
        return self._known_error_response(known_error)

    @extend_schema(summary="List the uses of a known error on incidents",
                   responses={200: KnownErrorUseSerializer(many=True), **error_responses(403, 404)})
    @action(detail=True, methods=["get"], filter_backends=[])
    def uses(self, request: Request, number: str) -> Response:
        known_error = self.get_object()
        uses = (KnownErrorUse.objects.filter(known_error=known_error).select_related("incident", "used_by")
                .order_by("-used_at", "-pk"))
        page = self.paginate_queryset(uses)
        data = KnownErrorUseSerializer(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)


# --- The incident side ------------------------------------------------------------------------------


class IncidentProblemsViewSet(IncidentViewSetBase):
    """Endpoints of one incident's problems panel, for agents: 404 for incidents the user cannot see, else 403."""

    filter_backends: list[Any] = []
    pagination_class = None
    queryset = Incident.objects.none()

    def _incident(self) -> Incident:
        incident = self.get_object()
        if not incident_permissions.can_work(self.actor) or not can_view_known_errors(self.actor):
            raise PermissionDenied()
        return incident

    def _linked_response(self, incident: Incident, code: int = status.HTTP_200_OK) -> Response:
        data = LinkedProblemSerializer(linked_problems(incident), many=True,
                                       context=self.get_serializer_context()).data
        return Response(data, status=code)

    @extend_schema(summary="Suggest known errors for an incident",
                   description="Published known errors ranked by the same configuration item, service and "
                               "category, and by text similarity; those already linked are left out.",
                   responses={200: SuggestionSerializer(many=True), **error_responses(403, 404)})
    def suggestions(self, request: Request, number: str) -> Response:
        items: list[Suggestion] = suggest_known_errors(self._incident())
        rows = [{"known_error": item.known_error, "score": item.score, "same_ci": item.same_ci,
                 "same_service": item.same_service, "same_category": item.same_category,
                 "similarity": item.similarity, "reasons": item.reasons()} for item in items]
        return Response(SuggestionSerializer(rows, many=True, context=self.get_serializer_context()).data)

    @extend_schema(methods=["GET"], summary="List an incident's problems with their workarounds",
                   responses={200: LinkedProblemSerializer(many=True), **error_responses(403, 404)})
    @extend_schema(methods=["POST"], summary="Link an incident to a problem",
                   request=ProblemNumberInputSerializer,
                   responses={201: LinkedProblemSerializer(many=True), **error_responses(400, 403, 404)})
    def problems(self, request: Request, number: str) -> Response:
        incident = self._incident()
        if request.method == "GET":
            return self._linked_response(incident)
        data = self.parse(ProblemNumberInputSerializer)
        problem = _named_problem(self.actor, data["problem"])
        actions.link_incident_to_problem(actor=self.actor, incident=incident, problem=problem)
        return self._linked_response(incident, status.HTTP_201_CREATED)

    @extend_schema(summary="Link an incident to a known error",
                   description="Links the incident to the known error's problem and counts the use.",
                   request=KnownErrorNumberInputSerializer,
                   responses={201: LinkedProblemSerializer(many=True), **error_responses(400, 403, 404)})
    def known_errors(self, request: Request, number: str) -> Response:
        incident = self._incident()
        data = self.parse(KnownErrorNumberInputSerializer)
        try:
            known_error = get_known_error(self.actor, data["known_error"])
        except NotFound:
            raise ValidationFailed(KNOWN_ERROR_MISSING, field="known_error", number=data["known_error"]) from None
        actions.link_incident_to_known_error(actor=self.actor, incident=incident, known_error=known_error)
        return self._linked_response(incident, status.HTTP_201_CREATED)

    @extend_schema(summary="Send a linked problem's workaround to the requester",
                   description="Posts a public reply in the requester's language with the workaround of the "
                               "problem's published known error, else of the problem itself.",
                   request=None, responses={201: TimelineEntrySerializer, **error_responses(400, 403, 404)})
    def apply_workaround(self, request: Request, number: str, problem_number: str) -> Response:
        incident = self._incident()
        problem = get_visible_problem(self.actor, problem_number)
        entry = actions.apply_workaround(actor=self.actor, incident=incident, problem=problem)
        row = timeline_display.describe(Incident, [entry])[0]
        return Response(TimelineEntrySerializer(row, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)
