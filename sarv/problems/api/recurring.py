"""The recurring-incident API: proposals (list, read, accept, dismiss, run the detector) and the detector settings."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from sarv.core.api.base import SarvAPIView, SarvGenericViewSet
from sarv.core.api.fields import UTCDateTimeField
from sarv.core.api.pagination import PageNumberPagination
from sarv.core.api.schema import error_responses
from sarv.core.errors import PermissionDenied
from sarv.problems import actions, permissions, recurrence
from sarv.problems.choices import ClusterBasis, ProposalStatus
from sarv.problems.models import ProblemProposal, RecurrencePolicy
from sarv.problems.recurring_forms import RecurrencePolicyForm, RunDetectionForm
from sarv.problems.reports import can_view_reports

INCIDENT_NUMBERS_LIMIT = 200


def _require_viewer(request: Request) -> None:
    if not can_view_reports(request.user):
        raise PermissionDenied()


def _form_errors(form: Any) -> serializers.ValidationError:
    return serializers.ValidationError({name: [str(error) for error in errors] for name, errors in form.errors.items()})


class ProposalSerializer(serializers.ModelSerializer):
    basis = serializers.ChoiceField(choices=ClusterBasis.choices, read_only=True)
    trait = serializers.SerializerMethodField(help_text="The shared trait's name in the request's language.")
    problem: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="number", read_only=True,
                                                                        allow_null=True)
    first_incident_at = UTCDateTimeField(read_only=True, allow_null=True)
    last_incident_at = UTCDateTimeField(read_only=True, allow_null=True)
    created_at = UTCDateTimeField(read_only=True)
    decided_at = UTCDateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = ProblemProposal
        fields = ["id", "basis", "key", "trait", "status", "incident_count", "first_incident_at",
                  "last_incident_at", "created_at", "decided_at", "decided_by", "dismiss_reason",
                  "dismissed_size", "problem"]
        read_only_fields = fields

    def get_trait(self, proposal: ProblemProposal) -> str:
        objects = self.context.get("trait_objects")
        return recurrence.trait_label(proposal, objects)


class ProposalDetailSerializer(ProposalSerializer):
    incidents = serializers.SerializerMethodField(
        help_text=f"Numbers of the proposal's incidents, latest first (at most {INCIDENT_NUMBERS_LIMIT}).")

    class Meta(ProposalSerializer.Meta):
        fields = [*ProposalSerializer.Meta.fields, "incidents"]
        read_only_fields = fields

    def get_incidents(self, proposal: ProblemProposal) -> list[str]:
        return list(proposal.incidents.order_by("-created_at", "-pk")
                    .values_list("number", flat=True)[:INCIDENT_NUMBERS_LIMIT])


class AcceptSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True, max_length=300,
                                  help_text="The problem's title; empty for the generated one.")


class AcceptedSerializer(serializers.Serializer):
    problem = serializers.CharField(help_text="The new problem's number.")
    linked_incidents = serializers.IntegerField()


class DismissSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class RunSerializer(serializers.Serializer):
    date_from = serializers.CharField(required=False, help_text="First day, ISO or Jalali; empty for the "
                                                                "policy's window ending now.")
    date_to = serializers.CharField(required=False, help_text="Last day, ISO or Jalali (default today).")
    min_incidents = serializers.IntegerField(required=False)


class RunResultSerializer(serializers.Serializer):
    clusters = serializers.IntegerField()
    created = serializers.IntegerField()
    grown = serializers.IntegerField()
    reopened = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    kept_dismissed = serializers.IntegerField()
    kept_accepted = serializers.IntegerField()


class PolicySerializer(serializers.Serializer):
    is_enabled = serializers.BooleanField()
    min_incidents = serializers.IntegerField()
    window_days = serializers.IntegerField()
    bases = serializers.ListField(child=serializers.ChoiceField(choices=ClusterBasis.choices),
                                  help_text="Traits compared; every trait when all are chosen.")


@extend_schema(tags=["problems"])
class ProposalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SarvGenericViewSet):
    """Clusters of recurring incidents that Sarv proposes as problems."""

    pagination_class = PageNumberPagination
    serializer_class = ProposalSerializer
    queryset = ProblemProposal.objects.none()
    lookup_value_regex = "[0-9]+"

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        _require_viewer(request)

    def get_queryset(self) -> QuerySet[ProblemProposal]:
        proposals = ProblemProposal.objects.select_related("problem").order_by("-incident_count",
                                                                               "-last_incident_at", "pk")
        status = self.request.query_params.get("status")
        if status:
            proposals = proposals.filter(status=status)
        basis = self.request.query_params.get("basis")
        if basis:
            proposals = proposals.filter(basis=basis)
        return proposals

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return ProposalDetailSerializer if self.action == "retrieve" else ProposalSerializer

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)
        self._trait_objects = recurrence.trait_objects(page or [])
        return page

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "trait_objects": getattr(self, "_trait_objects", None)}

    @extend_schema(summary="List proposals", parameters=[
        OpenApiParameter("status", OpenApiTypes.STR, enum=ProposalStatus.values),
        OpenApiParameter("basis", OpenApiTypes.STR, enum=ClusterBasis.values),
    ], responses={200: ProposalSerializer(many=True), **error_responses(403)})
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(summary="Get a proposal", responses={200: ProposalDetailSerializer, **error_responses(403, 404)})
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(summary="Accept a proposal: raise a problem with its incidents linked", request=AcceptSerializer,
                   responses={201: AcceptedSerializer, **error_responses(400, 403, 404)})
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        proposal = get_object_or_404(self.get_queryset(), pk=pk)
        body = AcceptSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        problem = actions.accept_proposal(actor=request.user, proposal=proposal,  # type: ignore[arg-type]
                                          title=body.validated_data.get("title", ""))
        return Response({"problem": problem.number, "linked_incidents": problem.incident_links.count()}, status=201)

    @extend_schema(summary="Dismiss a proposal", request=DismissSerializer,
                   responses={200: ProposalSerializer, **error_responses(400, 403, 404)})
    @action(detail=True, methods=["post"])
    def dismiss(self, request: Request, pk: str | None = None) -> Response:
        proposal = get_object_or_404(self.get_queryset(), pk=pk)
        body = DismissSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        dismissed = actions.dismiss_proposal(actor=request.user, proposal=proposal,  # type: ignore[arg-type]
                                             reason=body.validated_data["reason"])
        return Response(ProposalSerializer(dismissed, context=self.get_serializer_context()).data)

    @extend_schema(summary="Look for recurring incidents now", request=RunSerializer,
                   responses={200: RunResultSerializer, **error_responses(400, 403)})
    @action(detail=False, methods=["post"])
    def run(self, request: Request) -> Response:
        if not permissions.can_manage(request.user):
            raise PermissionDenied()
        form = RunDetectionForm(request.data)
        if not form.is_valid():
            raise _form_errors(form)
        result = actions.run_recurrence_detection(actor=request.user, **form.run_arguments())  # type: ignore[arg-type]
        return Response(RunResultSerializer(result.as_dict()).data)


@extend_schema(tags=["problems"])
class PolicyView(SarvAPIView):
    """The recurring-incident detector's settings."""

    @extend_schema(summary="Get the recurring incident settings", responses={200: PolicySerializer,
                                                                             **error_responses(403)})
    def get(self, request: Request) -> Response:
        _require_viewer(request)
        policy = RecurrencePolicy.current()
        return Response(PolicySerializer({"is_enabled": policy.is_enabled, "min_incidents": policy.min_incidents,
                                          "window_days": policy.window_days, "bases": policy.enabled_bases()}).data)

    @extend_schema(summary="Change the recurring incident settings", request=PolicySerializer,
                   responses={200: PolicySerializer, **error_responses(400, 403)})
    def put(self, request: Request) -> Response:
        if not permissions.can_manage(request.user):
            raise PermissionDenied()
        form = RecurrencePolicyForm(request.data)
        if not form.is_valid():
            raise _form_errors(form)
        actions.update_recurrence_policy(actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        return self.get(request)
