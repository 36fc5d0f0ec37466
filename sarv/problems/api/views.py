"""The problem API: list, raise, read and edit problems, their life cycle, analysis, five whys and links.

Every write calls ``sarv.problems.actions``, so the API answers exactly as the pages do.
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from sarv.accounts.models import User
from sarv.core import keyset
from sarv.core.api.base import SarvGenericViewSet
from sarv.core.api.pagination import KeysetPagination, PageNumberPagination
from sarv.core.api.schema import error_responses
from sarv.core.errors import NotFound, PermissionDenied, ValidationFailed
from sarv.core.search import normalize_record_number
from sarv.incidents import selectors as incident_selectors
from sarv.incidents.api.views import queue_from_request
from sarv.problems import actions, permissions, selectors
from sarv.problems.api import serializers as io
from sarv.problems.filters import ProblemFilter
from sarv.problems.models import FiveWhyStep, Problem, ProblemIncident

QUEUE_PARAMETER = OpenApiParameter(
    "queue", OpenApiTypes.STR, enum=[code for code, _label in selectors.QUEUES],
    description="mine (assigned to me), managed (I am the problem manager), my_groups, open or all.",
)
VERSIONED_ERRORS = error_responses(400, 403, 404, 409)
# A problem has a handful of five-whys steps, listed whole in their order.
UNPAGED_ACTIONS = ("five_whys", "move_five_why")
STEP_PARAMETER = OpenApiParameter("step_id", OpenApiTypes.INT, OpenApiParameter.PATH,
                                  description="The id of the five-whys step.")


def _schema(summary: str, request: Any, description: str = "", response: Any = io.ProblemDetailSerializer) -> Any:
    return extend_schema(summary=summary, description=description, request=request,
                         responses={200: response, **VERSIONED_ERRORS})


@extend_schema_view(
    list=extend_schema(
        summary="List problems",
        description="Problems the user may see (agents see all). Filters are those of the problem list page; "
                    "q searches the number, title, description, root cause and workaround with Persian "
                    "normalisation.",
        parameters=[QUEUE_PARAMETER],
        responses={200: io.ProblemListSerializer(many=True), **error_responses(400, 403)},
    ),
    retrieve=extend_schema(summary="Get a problem", description="The number may be written with Persian digits.",
                           responses={200: io.ProblemDetailSerializer, **error_responses(404)}),
    create=extend_schema(
        summary="Raise a problem",
        description="Agents raise problems, optionally with incidents linked. Send JSON, or multipart/form-data "
                    "with files under the key attachments.",
        request={"application/json": io.ProblemCreateSerializer, "multipart/form-data": io.ProblemCreateSerializer},
        responses={201: io.ProblemDetailSerializer, **error_responses(400, 403)},
    ),
    partial_update=extend_schema(
        summary="Edit a problem",
        description="Send the fields that change with the version they are based on; a stale version answers 409.",
        request=io.ProblemUpdateSerializer, responses={200: io.ProblemDetailSerializer, **VERSIONED_ERRORS},
    ),
)
class ProblemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, SarvGenericViewSet):
    lookup_field = "number"
    lookup_value_regex = r"[^/]+"
    serializer_class = io.ProblemListSerializer
    filterset_class = ProblemFilter
    filter_backends = [DjangoFilterBackend]
    queryset = Problem.objects.none()
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    request: Request

    @property
    def actor(self) -> User:
        return cast(User, self.request.user)

    @property
    def pagination_class(self) -> Any:  # type: ignore[override]
        action_name = getattr(self, "action", None)
        if action_name in UNPAGED_ACTIONS:
            return None
        return KeysetPagination if action_name == "list" else PageNumberPagination

    def get_serializer_class(self) -> Any:
        return io.ProblemListSerializer if self.action == "list" else io.ProblemDetailSerializer

    def get_queryset(self) -> QuerySet[Problem]:
        queryset = queue_from_request(self.request, selectors.visible_problems, selectors.queue,
                                      selectors.QUEUE_CODES)
        return selectors.list_related(queryset).order_by("-created_at", "-id")

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        queryset = super().filter_queryset(queryset)
        return queryset.order_by(*keyset.ordering_with_tiebreakers(queryset.query.order_by, ("created_at", "id")))

    def get_object(self) -> Problem:
        return selectors.get_visible_problem(self.request.user, self.kwargs[self.lookup_field],
                                             related=getattr(self, "action", None) == "retrieve")

    def parse(self, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def problem_response(self, problem: Problem, status_code: int = 200) -> Response:
        fresh = selectors.get_visible_problem(self.request.user, problem.number)
        return Response(io.ProblemDetailSerializer(fresh, context=self.get_serializer_context()).data,
                        status=status_code)

    def _incidents(self, numbers: list[str], field: str) -> list[Any]:
        """Return the incidents named by ``numbers`` that the user may see; a missing one fails the request."""
        canonical = list(dict.fromkeys(normalize_record_number(value) or value for value in numbers))
        found = {incident.number: incident
                 for incident in incident_selectors.visible_incidents(self.request.user).filter(number__in=canonical)}
        missing = [number for number in canonical if number not in found]
        if missing:
            raise ValidationFailed(_("Incident not found: %(numbers)s."), field=field, numbers=", ".join(missing))
        return [found[number] for number in canonical]

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(io.ProblemDetailSerializer(self.get_object(), context=self.get_serializer_context()).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self.parse(io.ProblemCreateSerializer)
        if not permissions.can_report(self.actor):
            # Checked before the incident numbers are looked up, so a requester learns nothing about them.
            raise PermissionDenied()
        problem = actions.open_problem(
            actor=self.actor, title=data["title"], description=data["description"], category=data.get("category"),
            impact=data["impact"], urgency=data["urgency"], problem_manager=data.get("problem_manager"),
            assigned_group=data.get("assigned_group"), assignee=data.get("assignee"),
            services=data.get("services", []), cis=data.get("cis", []),
            incidents=self._incidents(data["incidents"], "incidents"), files=data.get("attachments", []),
        )
        response = self.problem_response(problem, status.HTTP_201_CREATED)
        response.headers["Location"] = reverse("problems-api:problem-detail", args=[problem.number])
        return response

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        values = self.parse(io.ProblemUpdateSerializer)
        version = values.pop("version")
        problem = actions.update_problem(actor=self.actor, problem=self.get_object(), expected_version=version,
                                         **values)
        return self.problem_response(problem)

    # --- Life cycle ---------------------------------------------------------------------------------

    @_schema("Assign a problem", io.ProblemAssignSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, number: str) -> Response:
        data = self.parse(io.ProblemAssignSerializer)
        problem = actions.assign_problem(actor=self.actor, problem=self.get_object(), expected_version=data["version"],
                                         group=data.get("assigned_group"), assignee=data.get("assignee"))
        return self.problem_response(problem)

    @_schema("Take a problem", io.ProblemVersionSerializer, "Assign the problem to the calling agent.")
    @action(detail=True, methods=["post"])
    def take(self, request: Request, number: str) -> Response:
        data = self.parse(io.ProblemVersionSerializer)
        problem = actions.take_problem(actor=self.actor, problem=self.get_object(), expected_version=data["version"])
        return self.problem_response(problem)

    @_schema("Change the working status", io.ProblemStatusSerializer,
             "root_cause_known needs a root cause; known_error also needs a workaround.")
    @action(detail=True, methods=["post"], url_path="status")
    def change_status(self, request: Request, number: str) -> Response:
        data = self.parse(io.ProblemStatusSerializer)
        problem = actions.change_status(actor=self.actor, problem=self.get_object(), expected_version=data["version"],
                                        status=data["status"], note=data["note"])
        return self.problem_response(problem)

    @_schema("Write the root cause analysis", {"application/json": io.ProblemRootCauseSerializer,
                                                "multipart/form-data": io.ProblemRootCauseSerializer},
             "Method, root cause, contributing factors and evidence files (internal attachments).")
    @action(detail=True, methods=["post"], url_path="root-cause")
    def root_cause(self, request: Request, number: str) -> Response:
        data = self.parse(io.ProblemRootCauseSerializer)
        problem = actions.save_root_cause(
            actor=self.actor, problem=self.get_object(), expected_version=data["version"],
            rca_method=data["rca_method"], root_cause=data["root_cause"],
            contributing_factors=data["contributing_factors"], files=data.get("attachments", []),
        )
        return self.problem_response(problem)

    @_schema("Write the workaround", io.ProblemWorkaroundSerializer,
             "Agents working the open linked incidents are notified.")
    @action(detail=True, methods=["post"])
    def workaround(self, request: Request, number: str) -> Response:
        data = self.parse(io.ProblemWorkaroundSerializer)
        problem = actions.save_workaround(actor=self.actor, problem=self.get_object(),
                                          expected_version=data["version"], workaround=data["workaround"])
        return self.problem_response(problem)

    @_schema("Resolve a problem", io.ProblemResolveSerializer,
             "Problem managers only: the fix and the change reference.")
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, number: str) -> Response:
        data = self.parse(io.ProblemResolveSerializer)
        problem = actions.resolve_problem(actor=self.actor, problem=self.get_object(),
                                          expected_version=data["version"], resolution_notes=data["resolution_notes"],
                                          fix_change_reference=data["fix_change_reference"])
        return self.problem_response(problem)

    @_schema("Close a problem", io.ProblemCloseSerializer,
             "Problem managers only. The listed open linked incidents are resolved with the message; each "
             "succeeds or fails on its own and the response lists the outcome per incident.",
             response=io.ProblemCloseResultSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, number: str) -> Response:
        data = self.parse(io.ProblemCloseSerializer)
        result = actions.close_problem(
            actor=self.actor, problem=self.get_object(), expected_version=data["version"],
            incidents=self._incidents(data["incidents"], "incidents"), resolution_code=data["resolution_code"],
            message=data["message"], note=data["note"],
        )
        fresh = selectors.get_visible_problem(request.user, result.problem.number)
        return Response(io.ProblemCloseResultSerializer({"problem": fresh, "incidents": result.incidents},
                                                 context=self.get_serializer_context()).data)

    @_schema("Reopen a problem", io.ProblemReasonSerializer,
             "A resolved or closed problem goes back under investigation.")
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, number: str) -> Response:
        data = self.parse(io.ProblemReasonSerializer)
        problem = actions.reopen_problem(actor=self.actor, problem=self.get_object(), reason=data["reason"])
        return self.problem_response(problem)

    # --- Five whys -----------------------------------------------------------------------------------

    def _step(self, problem: Problem, step_id: str) -> FiveWhyStep:
        step = FiveWhyStep.objects.filter(problem=problem, pk=int(step_id)).first() if step_id.isdecimal() else None
        if step is None:
            raise NotFound()
        return step

    @extend_schema(methods=["GET"], summary="List the five-whys steps",
                   responses={200: io.FiveWhyStepSerializer(many=True), **error_responses(404)})
    @extend_schema(methods=["POST"], summary="Add a five-whys step", request=io.ProblemFiveWhyInputSerializer,
                   responses={201: io.FiveWhyStepSerializer, **error_responses(400, 403, 404)})
    @action(detail=True, methods=["get", "post"], url_path="five-whys")
    def five_whys(self, request: Request, number: str) -> Response:
        problem = self.get_object()
        if request.method == "GET":
            steps = problem.five_whys.order_by("position")
            return Response(io.FiveWhyStepSerializer(steps, many=True).data)
        data = self.parse(io.ProblemFiveWhyInputSerializer)
        step = actions.add_five_why(actor=self.actor, problem=problem, question=data["question"],
                                    answer=data["answer"])
        return Response(io.FiveWhyStepSerializer(step).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["PATCH"], summary="Change a five-whys step", request=io.ProblemFiveWhyInputSerializer,
                   parameters=[STEP_PARAMETER],
                   responses={200: io.FiveWhyStepSerializer, **error_responses(400, 403, 404)})
    @extend_schema(methods=["DELETE"], summary="Remove a five-whys step", request=None, parameters=[STEP_PARAMETER],
                   responses={204: None, **error_responses(403, 404)})
    @action(detail=True, methods=["patch", "delete"], url_path=r"five-whys/(?P<step_id>[^/.]+)")
    def five_why(self, request: Request, number: str, step_id: str) -> Response:
        step = self._step(self.get_object(), step_id)
        if request.method == "DELETE":
            actions.remove_five_why(actor=self.actor, step=step)
            return Response(status=status.HTTP_204_NO_CONTENT)
        data = self.parse(io.ProblemFiveWhyInputSerializer)
        step = actions.update_five_why(actor=self.actor, step=step, question=data["question"], answer=data["answer"])
        return Response(io.FiveWhyStepSerializer(step).data)

    @extend_schema(summary="Move a five-whys step", request=io.ProblemMoveSerializer, parameters=[STEP_PARAMETER],
                   responses={200: io.FiveWhyStepSerializer(many=True), **error_responses(400, 403, 404)})
    @action(detail=True, methods=["post"], url_path=r"five-whys/(?P<step_id>[^/.]+)/move")
    def move_five_why(self, request: Request, number: str, step_id: str) -> Response:
        problem = self.get_object()
        data = self.parse(io.ProblemMoveSerializer)
        actions.move_five_why(actor=self.actor, step=self._step(problem, step_id), offset=int(data["offset"]))
        return Response(io.FiveWhyStepSerializer(problem.five_whys.order_by("position"), many=True).data)

    # --- Linked incidents ----------------------------------------------------------------------------

    @extend_schema(methods=["GET"], summary="List the linked incidents",
                   description="Only incidents the user may see are listed.",
                   responses={200: io.ProblemLinkedIncidentSerializer(many=True), **error_responses(404)})
    @extend_schema(methods=["POST"], summary="Link incidents", request=io.ProblemLinkSerializer,
                   responses={200: io.ProblemLinkedIncidentSerializer(many=True), **error_responses(400, 403, 404)})
    @action(detail=True, methods=["get", "post"])
    def incidents(self, request: Request, number: str) -> Response:
        problem = self.get_object()
        if request.method == "POST":
            data = self.parse(io.ProblemLinkSerializer)
            actions.link_incidents(actor=self.actor, problem=problem,
                                   incidents=self._incidents(data["incidents"], "incidents"))
        visible = incident_selectors.visible_incidents(request.user).values("pk")
        links = (ProblemIncident.objects.filter(problem=problem, incident__in=visible)
                 .select_related("incident", "linked_by").order_by("-linked_at", "-pk"))
        page = self.paginate_queryset(links)
        rows = io.ProblemLinkedIncidentSerializer(page if page is not None else links, many=True).data
        return self.get_paginated_response(rows) if page is not None else Response(rows)

    @extend_schema(summary="Unlink an incident", request=None, responses={204: None, **error_responses(403, 404)})
    @action(detail=True, methods=["delete"], url_path=r"incidents/(?P<incident_number>[^/]+)")
    def unlink(self, request: Request, number: str, incident_number: str) -> Response:
        problem = self.get_object()
        incident = incident_selectors.get_visible_incident(request.user, incident_number, related=False)
        if not actions.unlink_incident(actor=self.actor, problem=problem, incident=incident):
            raise NotFound()
        return Response(status=status.HTTP_204_NO_CONTENT)
