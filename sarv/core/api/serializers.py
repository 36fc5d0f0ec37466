"""Serializers shared by every app's API: errors, references to people and named objects, and the parts
of a work item that live in core (timeline, attachments, watchers, external references, categories)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sarv.core.api.fields import OptionalEmailField, UTCDateTimeField
from sarv.core.choices import ReferenceKind, TimelineKind
from sarv.core.models import Attachment, Category, ExternalReference, Watcher
from sarv.core.permissions import is_agent
from sarv.core.timeline_display import DisplayEntry


class ErrorSerializer(serializers.Serializer):
    """The body of every error response."""

    code = serializers.CharField(help_text="Stable error code, e.g. invalid, conflict, permission_denied.")
    message = serializers.CharField(help_text="What went wrong, in the request's language.")
    field = serializers.CharField(required=False, help_text="The request field the error is about, if any.")
    params = serializers.DictField(
        child=serializers.CharField(), required=False, help_text="Values filled into the message."
    )
    # DRF removes declared fields from the class, so these names do not hide Serializer.errors and .data.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.JSONField(), required=False,
        help_text="Every validation message by field, when the request body failed validation.",
    )


class ModelSerializer(serializers.ModelSerializer):
    """A model serializer whose instants are written in UTC and whose e-mail fields may be empty."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: UTCDateTimeField,
        models.EmailField: OptionalEmailField,
    }


class AgentOnlyFieldsMixin:
    """Drop ``Meta.agent_only_fields`` from the output for users who are not agents.

    Declare those fields with ``required=False`` so the schema does not promise them to everyone.
    """

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)  # type: ignore[misc]
        if not self.viewer_is_agent():
            for name in getattr(self.Meta, "agent_only_fields", ()):  # type: ignore[attr-defined]
                data.pop(name, None)
        return data

    def viewer_is_agent(self) -> bool:
        request = self.context.get("request")  # type: ignore[attr-defined]
        return request is not None and is_agent(request.user)


class NamedRefSerializer(serializers.Serializer):
    """A reference to a named object (group, category, service, department...); ``name`` is in the request's
    language."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    display_name = serializers.CharField(read_only=True)


@extend_schema_field(OpenApiTypes.URI)
class AttachmentDownloadUrlField(serializers.Field):
    """The attachment's download page, which checks permission again when it is opened."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: Attachment) -> str:
        path = reverse("core:attachment", args=[value.public_id])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class AttachmentBriefSerializer(AgentOnlyFieldsMixin, ModelSerializer):
    """An attachment as listed under a timeline entry."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    name = serializers.CharField(source="original_name", read_only=True)
    download_url = AttachmentDownloadUrlField()
    is_internal = serializers.BooleanField(required=False, help_text="Agents only.")

    class Meta:
        model = Attachment
        fields = ["id", "name", "media_type", "size", "is_internal", "download_url"]
        read_only_fields = ["media_type", "size"]
        agent_only_fields = ["is_internal"]


class AttachmentSerializer(AttachmentBriefSerializer):
    uploaded_by = UserRefSerializer(read_only=True)

    class Meta(AttachmentBriefSerializer.Meta):
        fields = [*AttachmentBriefSerializer.Meta.fields, "uploaded_by", "uploaded_at"]
        read_only_fields = [*AttachmentBriefSerializer.Meta.read_only_fields, "uploaded_at"]


class TimelineChangeSerializer(serializers.Serializer):
    """One changed field: its key and raw values as stored, and their labels in the request's language."""

    field = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]
    old = serializers.JSONField(source="old_raw", read_only=True)
    new = serializers.JSONField(source="new_raw", read_only=True)
    old_display = serializers.CharField(source="old", read_only=True)
    new_display = serializers.CharField(source="new", read_only=True)


class TimelineEntrySerializer(AgentOnlyFieldsMixin, serializers.Serializer):
    """A timeline entry as ``sarv.core.timeline_display.describe`` returns it."""

    id = serializers.IntegerField(source="entry.pk", read_only=True)
    kind = serializers.ChoiceField(choices=TimelineKind.choices, read_only=True)
    kind_display = serializers.CharField(source="kind_label", read_only=True)
    created_at = UTCDateTimeField(source="entry.created_at", read_only=True)
    actor = UserRefSerializer(source="entry.actor", read_only=True, allow_null=True)
    actor_name = serializers.CharField(read_only=True)
    body = serializers.CharField(source="entry.body", read_only=True)
    is_internal = serializers.BooleanField(source="entry.is_internal", required=False, help_text="Agents only.")
    changes = TimelineChangeSerializer(source="lines", many=True, read_only=True)
    details = serializers.ListField(
        source="extra", child=serializers.CharField(), read_only=True,
        help_text="Further lines of the entry (reference, linked record, reopened...) in the request's language.",
    )
    data = serializers.SerializerMethodField(  # type: ignore[assignment]
        help_text="Raw values of the entry other than the field changes."
    )
    attachments = serializers.SerializerMethodField()

    class Meta:
        agent_only_fields = ["is_internal"]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_data(self, instance: DisplayEntry) -> dict[str, Any]:
        return {key: value for key, value in instance.entry.data.items() if key != "changes"}

    @extend_schema_field(AttachmentBriefSerializer(many=True))
    def get_attachments(self, instance: DisplayEntry) -> list[dict[str, Any]]:
        files = list(instance.attachments)
        if not self.viewer_is_agent():
            files = [item for item in files if not item.is_internal]
        return list(AttachmentBriefSerializer(files, many=True, context=self.context).data)


class WatcherSerializer(ModelSerializer):
    user = UserRefSerializer(read_only=True)
    added_by = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Watcher
        fields = ["user", "added_by", "created_at"]
        read_only_fields = fields


class ExternalReferenceSerializer(ModelSerializer):
    kind = serializers.ChoiceField(choices=ReferenceKind.choices, read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    created_by = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = ExternalReference
        fields = ["id", "kind", "kind_display", "system", "reference", "reference_date", "note", "created_at",
                  "created_by"]
        read_only_fields = fields


class SubcategorySerializer(ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "code", "name", "name_fa", "name_en"]
        read_only_fields = fields


class CategorySerializer(SubcategorySerializer):
    """A top-level category with its active subcategories."""

    children = SubcategorySerializer(source="active_children", many=True, read_only=True)

    class Meta(SubcategorySerializer.Meta):
        fields = [*SubcategorySerializer.Meta.fields, "children"]
        read_only_fields = fields
