"""Input serializers of the incident action endpoints, and the small outputs only those endpoints return.

These parse and type the request body. Permission and every business rule are
checked by the action the endpoint calls, so the API responds exactly as the pages do.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from sarv.accounts.models import SupportGroup, User
from sarv.core.api.fields import JalaliDateField
from sarv.core.api.serializers import AttachmentSerializer
from sarv.core.choices import Priority
from sarv.incidents.api.serializers import AttachmentsInputMixin
from sarv.incidents.choices import HoldReason, IncidentStatus
from sarv.incidents.models import ResolutionCode
from sarv.services.models import Supplier


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, help_text="The incident's version when the user loaded it; a stale version answers 409."
    )


class AssignSerializer(VersionSerializer):
    assigned_group = serializers.PrimaryKeyRelatedField(
        queryset=SupportGroup.objects.all(), required=False, allow_null=True,
        help_text="Defaults to the agent's first active group when only an agent is given.",
    )
    assignee = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False, allow_null=True)


class StatusSerializer(VersionSerializer):
    status = serializers.ChoiceField(
        choices=IncidentStatus.choices,
        help_text="assigned, in_progress or on_hold; resolving, closing, reopening and cancelling have their own "
                  "endpoints.",
    )
    hold_reason = serializers.ChoiceField(choices=HoldReason.choices, required=False, allow_blank=True, default="",
                                          help_text="Required with on_hold.")
    supplier = serializers.PrimaryKeyRelatedField(
        queryset=Supplier.objects.all(), required=False, allow_null=True, default=None,
        help_text="With hold_reason awaiting_supplier: the supplier waited on (its UC clock runs meanwhile).",
    )
    note = serializers.CharField(required=False, allow_blank=True, default="",
                                 help_text="Shown to the requester with the status change.")


class ResolveSerializer(VersionSerializer):
    resolution_code = serializers.PrimaryKeyRelatedField(queryset=ResolutionCode.objects.all())
    resolution_notes = serializers.CharField()


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


class CancelSerializer(ReasonSerializer):
    version = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None,
                                       help_text="When given, a stale version answers 409.")


class PriorityOverrideSerializer(VersionSerializer):
    priority = serializers.ChoiceField(choices=Priority.choices, allow_null=True,
                                       help_text="null gives the priority back to the impact x urgency matrix.")
    reason = serializers.CharField(required=False, allow_blank=True, default="",
                                   help_text="Required when a priority is set.")


class MajorSerializer(VersionSerializer):
    is_major = serializers.BooleanField()


class CommentSerializer(serializers.Serializer):
    body = serializers.CharField(required=False, allow_blank=True, default="",
                                 help_text="The message; may be empty when files are attached.")


class CommentUploadSerializer(AttachmentsInputMixin, CommentSerializer):
    pass


class AttachmentUploadSerializer(AttachmentsInputMixin, serializers.Serializer):
    internal = serializers.BooleanField(default=False, help_text="Agents only: files requesters never see.")


class AttachmentUploadResultSerializer(serializers.Serializer):
    attachments = AttachmentSerializer(many=True, read_only=True)


class WatcherInputSerializer(serializers.Serializer):
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))


class LetterReferenceSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=120, help_text="The letter's number in the office-automation system.")
    date = JalaliDateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ChildLinkSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=40, help_text="Number of the incident that becomes a child.")


class BulkSerializer(serializers.Serializer):
    numbers = serializers.ListField(child=serializers.CharField(max_length=40), min_length=1, max_length=200)
    assigned_group = serializers.PrimaryKeyRelatedField(queryset=SupportGroup.objects.all(), required=False,
                                                        allow_null=True, default=None)
    assignee = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False, allow_null=True,
                                                  default=None)
    status = serializers.ChoiceField(choices=IncidentStatus.choices, required=False, allow_blank=True, default="")
    hold_reason = serializers.ChoiceField(choices=HoldReason.choices, required=False, allow_blank=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not (attrs["assigned_group"] or attrs["assignee"] or attrs["status"]):
            raise serializers.ValidationError(_("Choose a support group, an agent or a new status."))
        return attrs


class BulkResultSerializer(serializers.Serializer):
    number = serializers.CharField(read_only=True)
    ok = serializers.BooleanField(read_only=True)
    message = serializers.CharField(read_only=True)


class BulkResultsSerializer(serializers.Serializer):
    results = BulkResultSerializer(many=True, read_only=True)
