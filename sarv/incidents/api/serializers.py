"""Serializers of incidents: what the API returns, and the input of creating and editing one.

Output carries raw codes (``status: "on_hold"``, ``priority: 2``) with a
``*_display`` label in the request's language beside each. Input only parses
and types values; the actions check permission and every business rule.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sarv.accounts.models import SupportGroup, User
from sarv.cmdb.models import CI
from sarv.core.api.fields import JalaliDateField
from sarv.core.api.serializers import AgentOnlyFieldsMixin, ModelSerializer, NamedRefSerializer, UserRefSerializer
from sarv.core.choices import Impact, Urgency
from sarv.core.models import Category
from sarv.incidents import permissions
from sarv.incidents.choices import Channel, HoldReason
from sarv.incidents.models import Incident, ResolutionCode
from sarv.services.models import Service
from sarv.sla.selectors import record_state_now

LIST_FIELDS = [
    "number", "title", "status", "status_display", "hold_reason", "hold_reason_display", "priority",
    "priority_display", "impact", "impact_display", "urgency", "urgency_display", "channel", "channel_display",
    "requester", "department", "assigned_group", "assignee", "category", "subcategory", "service", "is_major",
    "created_at", "updated_at", "resolved_at", "closed_at", "version", "sla_due_at", "sla_state",
]


class IncidentListSerializer(ModelSerializer):
    """An incident as a row of a list; everything here comes from one joined query."""

    status_display = serializers.CharField(source="get_status_display", read_only=True)
    # Declared so the schema allows "" (no reason), which every incident that is not on hold has.
    hold_reason = serializers.ChoiceField(choices=HoldReason.choices, allow_blank=True, read_only=True)
    hold_reason_display = serializers.CharField(source="get_hold_reason_display", read_only=True)
    priority_display = serializers.CharField(source="get_priority_display", read_only=True)
    impact_display = serializers.CharField(source="get_impact_display", read_only=True)
    urgency_display = serializers.CharField(source="get_urgency_display", read_only=True)
    channel_display = serializers.CharField(source="get_channel_display", read_only=True)
    requester = UserRefSerializer(read_only=True)
    department = NamedRefSerializer(read_only=True, allow_null=True)
    assigned_group = NamedRefSerializer(read_only=True, allow_null=True)
    assignee = UserRefSerializer(read_only=True, allow_null=True)
    category = NamedRefSerializer(read_only=True, allow_null=True)
    subcategory = NamedRefSerializer(read_only=True, allow_null=True)
    service = NamedRefSerializer(read_only=True, allow_null=True)
    sla_state = serializers.SerializerMethodField(
        help_text="The worst state of the incident's SLA clocks now: breached, running, paused, met, or empty "
                  "without clocks. Details at /api/v1/sla/clocks/{number}/.")

    class Meta:
        model = Incident
        fields = LIST_FIELDS
        read_only_fields = fields


    def get_sla_state(self, incident: Incident) -> str:
        return record_state_now(incident)


class ParentRefSerializer(serializers.Serializer):
    number = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)


class IncidentAbilitiesSerializer(serializers.Serializer):
    """The actions the requesting user may take on this incident now. Each action checks again when called."""

    work = serializers.BooleanField(read_only=True, help_text="Edit, assign, change status, resolve, write notes.")
    reply = serializers.BooleanField(read_only=True)
    reopen = serializers.BooleanField(read_only=True)
    confirm = serializers.BooleanField(read_only=True, help_text="Confirm the resolution, which closes it.")
    cancel = serializers.BooleanField(read_only=True)
    manage = serializers.BooleanField(read_only=True, help_text="Override the priority, declare a major incident.")


class IncidentDetailSerializer(AgentOnlyFieldsMixin, IncidentListSerializer):
    """An incident with every field the requesting user may read."""

    location = NamedRefSerializer(read_only=True, allow_null=True)
    resolution_code = NamedRefSerializer(read_only=True, allow_null=True)
    resolved_by = UserRefSerializer(read_only=True, allow_null=True)
    created_by = UserRefSerializer(read_only=True, allow_null=True)
    hold_supplier = NamedRefSerializer(read_only=True, allow_null=True)
    # The model field is a foreign key; the stubs expect a nested serializer where a method field filters it.
    parent = serializers.SerializerMethodField()  # type: ignore[assignment]
    # Declared writable with required=False only so the schema marks them optional: agents alone receive them.
    priority_override_reason = serializers.CharField(required=False, help_text="Agents only.")
    reassignment_count = serializers.IntegerField(required=False, help_text="Agents only.")
    abilities = serializers.SerializerMethodField()
    affected_ci = NamedRefSerializer(read_only=True, allow_null=True)
    further_affected_cis = NamedRefSerializer(read_only=True, many=True)

    class Meta(IncidentListSerializer.Meta):
        fields = [
            *LIST_FIELDS, "description", "location", "symptom", "affected_ci", "further_affected_cis",
            "service_set_by_hand", "affected_ci_name", "affected_service_component",
            "priority_overridden", "priority_override_reason", "reassignment_count", "resolution_code",
            "resolution_notes", "resolved_by", "parent", "reopen_count", "created_by", "abilities", "hold_supplier",
        ]
        read_only_fields = [name for name in fields if name not in ("priority_override_reason", "reassignment_count")]
        agent_only_fields = ["priority_override_reason", "reassignment_count"]

    @extend_schema_field(ParentRefSerializer(allow_null=True))
    def get_parent(self, incident: Incident) -> dict[str, str] | None:
        """Name the parent incident only to users who may see it; a requester's incident can be a child of
        someone else's major incident."""
        parent = incident.parent
        if parent is None:
            return None
        user = self.context["request"].user
        if not Incident.objects.visible_to(user).filter(pk=parent.pk).exists():
            return None
        return {"number": parent.number, "title": parent.title}

    @extend_schema_field(IncidentAbilitiesSerializer)
    def get_abilities(self, incident: Incident) -> dict[str, bool]:
        user = self.context["request"].user
        return {
            "work": permissions.can_work(user) and not incident.is_final,
            "reply": permissions.can_reply(user, incident),
            "reopen": permissions.can_reopen(user, incident),
            "confirm": permissions.can_confirm(user, incident),
            "cancel": permissions.can_cancel(user, incident),
            "manage": permissions.can_manage(user),
        }


class AttachmentsInputMixin(serializers.Serializer):
    """Files sent as multipart/form-data under the key ``attachments`` (repeat the key for several files)."""

    # Empty files pass here so the action rejects them with the same message as the pages.
    attachments = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True, use_url=False), required=False, write_only=True,
    )


def _users() -> Any:
    return User.objects.filter(is_active=True)


class IncidentCreateSerializer(serializers.Serializer):
    """A new incident. Requesters report for themselves; agents may give a requester, an assignment and watchers."""

    title = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    requester = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, help_text="Agents only; defaults to the signed-in user."
    )
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.API)
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all(), required=False, allow_null=True)
    subcategory = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all(), required=False,
                                                     allow_null=True)
    service = serializers.PrimaryKeyRelatedField(queryset=Service.objects.all(), required=False, allow_null=True)
    impact = serializers.ChoiceField(choices=Impact.choices, default=Impact.MEDIUM)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.MEDIUM)
    assigned_group = serializers.PrimaryKeyRelatedField(
        queryset=SupportGroup.objects.all(), required=False, allow_null=True, help_text="Agents only."
    )
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True, help_text="Agents only."
    )
    letter_number = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    letter_date = JalaliDateField(required=False, allow_null=True, default=None)
    watchers = serializers.PrimaryKeyRelatedField(queryset=_users(), many=True, required=False)
    affected_ci = serializers.PrimaryKeyRelatedField(
        queryset=CI.objects.all(), required=False, allow_null=True,
        help_text="The configuration item the incident hurts; the service follows from it unless given.",
    )
    further_affected_cis = serializers.PrimaryKeyRelatedField(queryset=CI.objects.all(), many=True, required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("letter_date") and not attrs.get("letter_number"):
            raise serializers.ValidationError(
                {"letter_number": _("Enter the letter number, or clear the letter date.")}
            )
        return attrs


class IncidentCreateUploadSerializer(AttachmentsInputMixin, IncidentCreateSerializer):
    pass


class IncidentUpdateSerializer(serializers.Serializer):
    """Fields an agent may change; send only those that change, with the version the change is based on."""

    version = serializers.IntegerField(min_value=1, help_text="The incident's version when the user loaded it.")
    title = serializers.CharField(max_length=300, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all(), required=False, allow_null=True)
    subcategory = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all(), required=False,
                                                     allow_null=True)
    service = serializers.PrimaryKeyRelatedField(queryset=Service.objects.all(), required=False, allow_null=True)
    impact = serializers.ChoiceField(choices=Impact.choices, required=False)
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    symptom = serializers.CharField(max_length=200, required=False, allow_blank=True)
    affected_ci = serializers.PrimaryKeyRelatedField(
        queryset=CI.objects.all(), required=False, allow_null=True,
        help_text="The configuration item the incident hurts; the service follows from it unless given.",
    )
    further_affected_cis = serializers.PrimaryKeyRelatedField(queryset=CI.objects.all(), many=True, required=False)


class ResolutionCodeSerializer(ModelSerializer):
    class Meta:
        model = ResolutionCode
        fields = ["id", "code", "name", "name_fa", "name_en"]
        read_only_fields = fields
