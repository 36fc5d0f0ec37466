"""Incident endpoints that move an incident through its life: assign, take, status, resolve, close, reopen,
confirm, cancel, priority override and major incident. Each calls the action of the same name."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from sarv.core.api.schema import error_responses
from sarv.incidents import actions
from sarv.incidents.api import inputs
from sarv.incidents.api.base import IncidentViewSetBase
from sarv.incidents.api.serializers import IncidentDetailSerializer

VERSIONED_ERRORS = error_responses(400, 403, 404, 409)


def _workflow_schema(summary: str, request: type | None, description: str = "") -> Any:
    return extend_schema(summary=summary, description=description, request=request,
                         responses={200: IncidentDetailSerializer, **VERSIONED_ERRORS})


class IncidentWorkflowMixin(IncidentViewSetBase):
    @_workflow_schema("Assign an incident", inputs.AssignSerializer,
                      "Assign to a support group and optionally an agent; a new incident becomes assigned.")
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, number: str) -> Response:
        data = self.parse(inputs.AssignSerializer)
        incident = actions.assign_incident(
            actor=self.actor, incident=self.get_object(), expected_version=data["version"],
            group=data.get("assigned_group"), assignee=data.get("assignee"),
        )
        return self.incident_response(incident)

    @_workflow_schema("Take an incident", inputs.VersionSerializer, "Assign the incident to the calling agent.")
    @action(detail=True, methods=["post"])
    def take(self, request: Request, number: str) -> Response:
        data = self.parse(inputs.VersionSerializer)
        incident = actions.take_incident(actor=self.actor, incident=self.get_object(),
                                         expected_version=data["version"])
        return self.incident_response(incident)

    @_workflow_schema("Change the working status", inputs.StatusSerializer,
                      "Move between assigned, in progress and on hold (with a reason).")
    @action(detail=True, methods=["post"], url_path="status")
    def change_status(self, request: Request, number: str) -> Response:
        data = self.parse(inputs.StatusSerializer)
        incident = actions.change_status(
            actor=self.actor, incident=self.get_object(), expected_version=data["version"],
            status=data["status"], hold_reason=data["hold_reason"], note=data["note"], supplier=data["supplier"],
        )
        return self.incident_response(incident)

    @_workflow_schema("Resolve an incident", inputs.ResolveSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, number: str) -> Response:
        data = self.parse(inputs.ResolveSerializer)
        incident = actions.resolve_incident(
            actor=self.actor, incident=self.get_object(), expected_version=data["version"],
            resolution_code=data["resolution_code"], resolution_notes=data["resolution_notes"],
        )
        return self.incident_response(incident)

    @_workflow_schema("Close a resolved incident", None)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, number: str) -> Response:
        incident = actions.close_incident(actor=self.actor, incident=self.get_object())
        return self.incident_response(incident)

    @_workflow_schema("Reopen an incident", inputs.ReasonSerializer,
                      "Agents reopen resolved incidents, managers also closed ones; the requester within the "
                      "reopen window.")
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, number: str) -> Response:
        data = self.parse(inputs.ReasonSerializer)
        incident = actions.reopen_incident(actor=self.actor, incident=self.get_object(), reason=data["reason"])
        return self.incident_response(incident)

    @_workflow_schema("Confirm the resolution", None, "The requester accepts the resolution, which closes it.")
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, number: str) -> Response:
        incident = actions.confirm_resolution(actor=self.actor, incident=self.get_object())
        return self.incident_response(incident)

    @_workflow_schema("Cancel an incident", inputs.CancelSerializer,
                      "Managers cancel any open incident; the requester their own until work starts.")
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, number: str) -> Response:
        data = self.parse(inputs.CancelSerializer)
        incident = actions.cancel_incident(actor=self.actor, incident=self.get_object(),
                                           expected_version=data["version"], reason=data["reason"])
        return self.incident_response(incident)

    @_workflow_schema("Set the priority by hand", inputs.PriorityOverrideSerializer, "Incident managers only.")
    @action(detail=True, methods=["post"], url_path="priority-override")
    def priority_override(self, request: Request, number: str) -> Response:
        data = self.parse(inputs.PriorityOverrideSerializer)
        incident = actions.override_priority(
            actor=self.actor, incident=self.get_object(), expected_version=data["version"],
            priority=data["priority"], reason=data["reason"],
        )
        return self.incident_response(incident)

    @_workflow_schema("Declare or withdraw a major incident", inputs.MajorSerializer, "Incident managers only.")
    @action(detail=True, methods=["post"])
    def major(self, request: Request, number: str) -> Response:
        data = self.parse(inputs.MajorSerializer)
        incident = actions.set_major(actor=self.actor, incident=self.get_object(),
                                     expected_version=data["version"], is_major=data["is_major"])
        return self.incident_response(incident)
