"""The SLA API: agreements for administrators, and the clocks of any record its viewer may see."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.request import Request
from rest_framework.response import Response

from sarv.accounts.models import User
from sarv.core.api.base import SarvAPIView, SarvGenericViewSet
from sarv.core.api.schema import error_responses
from sarv.core.errors import PermissionDenied
from sarv.core.permissions import is_settings_admin
from sarv.sla import actions
from sarv.sla.api.serializers import AgreementSerializer, RecordClocksSerializer
from sarv.sla.display import rows_for
from sarv.sla.models import Agreement
from sarv.sla.recompute import clocks_for
from sarv.sla.selectors import record_state_now, visible_record

# Fields an update keeps from the stored agreement when the request leaves them out.
KEPT_FIELDS = ("name_fa", "name_en", "kind", "description", "is_active", "precedence", "record_types", "priorities",
               "ola_group", "uc_supplier", "calendar_source", "calendar", "pause_statuses", "pause_hold_reasons",
               "start_statuses", "stop_statuses", "reopen_behaviour", "swap_behaviour", "warning_percents")


def _save(actor: User, agreement: Agreement | None, data: dict[str, Any]) -> Agreement:
    """Call the action with the validated request merged over the stored agreement (for an update)."""
    # A new agreement starts from the model's defaults (stop on resolved and closed, warnings at 50/75/90%).
    values: dict[str, Any] = {name: getattr(agreement or Agreement(), name) for name in KEPT_FIELDS}
    targets: dict[tuple[str, int | None], int | None] = {}
    escalations: list[dict[str, Any]] = []
    if agreement is not None:
        for name in ("services", "departments", "categories"):
            values[name] = list(getattr(agreement, name).all())
        targets = {(t.metric, t.priority): t.seconds for t in agreement.targets.all()}
        escalations = [{name: getattr(level, name) for name in (
            "delay_seconds", "notify_agent", "notify_group_lead", "notify_managers", "reassign_group",
            "raise_priority")} for level in agreement.escalations.all()]
    if "targets" in data:
        targets = {(t["metric"], t.get("priority")): t["seconds"] for t in data.pop("targets")}
    if "escalations" in data:
        escalations = data.pop("escalations")
    values.update(data)
    return actions.save_agreement(actor=actor, agreement=agreement, values=values, targets=targets,
                                  escalations=escalations)


@extend_schema_view(
    list=extend_schema(summary="List agreements", responses={200: AgreementSerializer(many=True),
                                                             **error_responses(403)}),
    retrieve=extend_schema(summary="Get an agreement", responses={200: AgreementSerializer,
                                                                  **error_responses(403, 404)}),
    create=extend_schema(summary="Create an agreement", request=AgreementSerializer,
                         responses={201: AgreementSerializer, **error_responses(400, 403)}),
    update=extend_schema(summary="Replace an agreement's definition", request=AgreementSerializer,
                         responses={200: AgreementSerializer, **error_responses(400, 403, 404)}),
)
class AgreementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                       mixins.UpdateModelMixin, SarvGenericViewSet):
    """SLAs, OLAs and UCs; administrators only, like the settings pages. Saving recomputes open records' clocks."""

    serializer_class = AgreementSerializer
    queryset = Agreement.objects.none()
    http_method_names = ["get", "post", "put", "head", "options"]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if not is_settings_admin(request.user):
            raise PermissionDenied()

    def get_queryset(self) -> QuerySet[Agreement]:
        return Agreement.objects.prefetch_related("targets", "escalations", "services", "departments",
                                                  "categories").order_by("kind", "precedence", "pk")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        saved = _save(cast(User, request.user), None, dict(serializer.validated_data))
        return Response(self.get_serializer(self.get_queryset().get(pk=saved.pk)).data,
                        status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        agreement = self.get_object()
        serializer = self.get_serializer(agreement, data=request.data)
        serializer.is_valid(raise_exception=True)
        saved = _save(cast(User, request.user), agreement, dict(serializer.validated_data))
        return Response(self.get_serializer(self.get_queryset().get(pk=saved.pk)).data)


class RecordClocksView(SarvAPIView):
    """The clocks of one record (any record type), computed from its timeline now."""

    @extend_schema(summary="Get a record's SLA clocks", responses={200: RecordClocksSerializer,
                                                                   **error_responses(404)})
    def get(self, request: Request, number: str) -> Response:
        record = visible_record(request.user, number)
        now = timezone.now()
        rows = rows_for(clocks_for(record, now=now))
        data = {"number": record.number, "sla_due_at": record.sla_due_at, "sla_state": record_state_now(record, now),
                "clocks": [row.as_dict() for row in rows]}
        return Response(RecordClocksSerializer(data).data)
