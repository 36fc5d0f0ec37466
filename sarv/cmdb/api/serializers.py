"""Serializers of the CMDB API. Output carries raw codes with ``*_display`` labels in the request's language;
input only parses and types values, the actions check permission and every rule."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from sarv.accounts.models import Department, Location, SupportGroup, User
from sarv.cmdb.choices import AttributeType, CIStatus, Criticality, Environment, Propagation
from sarv.cmdb.models import (
    CI,
    AttributeDefinition,
    CIClass,
    ImportRun,
    Relationship,
    RelationshipRule,
    RelationshipType,
)
from sarv.core.api.serializers import ModelSerializer, NamedRefSerializer, UserRefSerializer
from sarv.services.models import Service


class CIClassSerializer(ModelSerializer):
    name = serializers.CharField(read_only=True)
    parent: serializers.SlugRelatedField[CIClass] = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="code", read_only=True, allow_null=True)
    owner_group = NamedRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = CIClass
        fields = ["id", "code", "name", "name_fa", "name_en", "parent", "path", "description", "owner_group",
                  "maps_to_service", "is_active", "sort_order"]
        read_only_fields = fields


class CIClassInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=60)
    name_fa = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    parent = serializers.SlugRelatedField(slug_field="code", queryset=CIClass.objects.all(), required=False,
                                          allow_null=True, default=None)  # type: ignore[assignment]
    description = serializers.CharField(required=False, allow_blank=True, default="")
    owner_group = serializers.PrimaryKeyRelatedField(queryset=SupportGroup.objects.all(), required=False,
                                                     allow_null=True, default=None)
    maps_to_service = serializers.BooleanField(required=False, default=False)
    is_active = serializers.BooleanField(required=False, default=True)
    sort_order = serializers.IntegerField(required=False, default=0)


class AttributeChoiceSerializer(serializers.Serializer):
    value = serializers.CharField()
    label_fa = serializers.CharField(required=False, allow_blank=True)
    label_en = serializers.CharField(required=False, allow_blank=True)


class AttributeDefinitionSerializer(ModelSerializer):
    name = serializers.CharField(read_only=True)
    ci_class: serializers.SlugRelatedField[CIClass] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    type_display = serializers.CharField(source="get_type_display", read_only=True)
    reference_class: serializers.SlugRelatedField[CIClass] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True)
    choices = AttributeChoiceSerializer(many=True, read_only=True)

    class Meta:
        model = AttributeDefinition
        fields = ["id", "ci_class", "code", "name", "name_fa", "name_en", "type", "type_display", "required",
                  "choices", "reference_class", "help_text", "sort_order", "is_active"]
        read_only_fields = fields


class AttributeDefinitionInputSerializer(serializers.Serializer):
    ci_class = serializers.SlugRelatedField(slug_field="code", queryset=CIClass.objects.all())
    code = serializers.CharField(max_length=60)
    name_fa = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    type = serializers.ChoiceField(choices=AttributeType.choices)
    required = serializers.BooleanField(required=False, default=False)  # type: ignore[assignment]
    choices = AttributeChoiceSerializer(many=True, required=False, default=list)
    reference_class = serializers.SlugRelatedField(slug_field="code", queryset=CIClass.objects.all(),
                                                   required=False, allow_null=True, default=None)
    help_text = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")  # type: ignore[assignment]
    sort_order = serializers.IntegerField(required=False, default=0)
    is_active = serializers.BooleanField(required=False, default=True)


class RelationshipRuleSerializer(ModelSerializer):
    """A pair of classes the type may join, from ``source_class`` to ``target_class`` (subclasses included)."""

    type: serializers.SlugRelatedField[RelationshipType] = serializers.SlugRelatedField(
        slug_field="code", read_only=True)
    source_class: serializers.SlugRelatedField[CIClass] = serializers.SlugRelatedField(
        slug_field="code", read_only=True)
    target_class: serializers.SlugRelatedField[CIClass] = serializers.SlugRelatedField(
        slug_field="code", read_only=True)

    class Meta:
        model = RelationshipRule
        fields = ["id", "type", "source_class", "target_class"]
        read_only_fields = fields


class RelationshipRuleInputSerializer(serializers.Serializer):
    source_class = serializers.SlugRelatedField(slug_field="code", queryset=CIClass.objects.all())
    target_class = serializers.SlugRelatedField(slug_field="code", queryset=CIClass.objects.all())


class RelationshipTypeSerializer(ModelSerializer):
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]
    inverse_label = serializers.CharField(read_only=True)
    rules = RelationshipRuleSerializer(many=True, read_only=True)

    class Meta:
        model = RelationshipType
        fields = ["code", "label", "inverse_label", "name_fa", "name_en", "inverse_name_fa", "inverse_name_en",
                  "propagation", "is_containment", "is_symmetric", "sort_order", "is_active", "rules"]
        read_only_fields = fields


class RelationshipTypeInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40, required=False)
    name_fa = serializers.CharField(max_length=100)
    name_en = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    inverse_name_fa = serializers.CharField(max_length=100)
    inverse_name_en = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    propagation = serializers.ChoiceField(choices=Propagation.choices)
    is_containment = serializers.BooleanField(required=False, default=False)
    is_symmetric = serializers.BooleanField(required=False, default=False)
    sort_order = serializers.IntegerField(required=False, default=0)
    is_active = serializers.BooleanField(required=False, default=True)


class CIRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    ci_class = serializers.CharField(source="ci_class.code", read_only=True)
    status = serializers.CharField(read_only=True)


class CISerializer(ModelSerializer):
    """A configuration item; ``attributes`` holds raw values keyed by attribute code."""

    name = serializers.CharField(read_only=True)
    ci_class: serializers.SlugRelatedField[CIClass] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    class_label = serializers.CharField(source="ci_class.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    environment_display = serializers.CharField(source="get_environment_display", read_only=True)
    criticality_display = serializers.CharField(source="get_criticality_display", read_only=True)
    support_group = NamedRefSerializer(read_only=True, allow_null=True)
    location = NamedRefSerializer(read_only=True, allow_null=True)
    holder = UserRefSerializer(read_only=True, allow_null=True)
    holder_department = NamedRefSerializer(read_only=True, allow_null=True)
    service = NamedRefSerializer(read_only=True, allow_null=True)
    attributes = serializers.DictField(read_only=True)

    class Meta:
        model = CI
        fields = ["id", "name", "name_fa", "name_en", "ci_class", "class_label", "status", "status_display",
                  "environment", "environment_display", "criticality", "criticality_display", "support_group",
                  "location", "property_number", "serial_number", "asset_tag", "hostname", "holder",
                  "holder_department", "service", "description", "attributes", "created_at", "updated_at",
                  "version"]
        read_only_fields = fields


class CIInputSerializer(serializers.Serializer):
    """A new CI or the fields to change (send only those); ``attributes`` maps codes to values."""

    version = serializers.IntegerField(min_value=1, required=False, help_text="Required when changing a CI.")
    name_fa = serializers.CharField(max_length=200, required=False, allow_blank=True)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    ci_class = serializers.SlugRelatedField(slug_field="code", queryset=CIClass.objects.all(), required=False)
    status = serializers.ChoiceField(choices=CIStatus.choices, required=False)
    environment = serializers.ChoiceField(choices=[("", "-"), *Environment.choices], required=False)
    criticality = serializers.ChoiceField(choices=Criticality.choices, required=False)
    support_group = serializers.PrimaryKeyRelatedField(queryset=SupportGroup.objects.all(), required=False,
                                                       allow_null=True)
    location = serializers.PrimaryKeyRelatedField(queryset=Location.objects.all(), required=False, allow_null=True)
    property_number = serializers.CharField(max_length=100, required=False, allow_blank=True)
    serial_number = serializers.CharField(max_length=100, required=False, allow_blank=True)
    asset_tag = serializers.CharField(max_length=100, required=False, allow_blank=True)
    hostname = serializers.CharField(max_length=255, required=False, allow_blank=True)
    holder = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False, allow_null=True)
    holder_department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), required=False,
                                                           allow_null=True)
    service = serializers.PrimaryKeyRelatedField(queryset=Service.objects.all(), required=False, allow_null=True)
    description = serializers.CharField(required=False, allow_blank=True)
    attributes = serializers.DictField(required=False, child=serializers.JSONField(allow_null=True))


class RelationshipSerializer(ModelSerializer):
    source = CIRefSerializer(read_only=True)  # type: ignore[assignment]
    target = CIRefSerializer(read_only=True)
    type = serializers.CharField(source="type_id", read_only=True)
    label = serializers.CharField(source="type.label", read_only=True)  # type: ignore[assignment]
    inverse_label = serializers.CharField(source="type.inverse_label", read_only=True)

    class Meta:
        model = Relationship
        fields = ["id", "source", "type", "label", "inverse_label", "target", "description", "valid_from",
                  "valid_to"]
        read_only_fields = fields


class RelationshipInputSerializer(serializers.Serializer):
    source = serializers.PrimaryKeyRelatedField(queryset=CI.objects.all())  # type: ignore[assignment]
    type = serializers.PrimaryKeyRelatedField(queryset=RelationshipType.objects.all())
    target = serializers.PrimaryKeyRelatedField(queryset=CI.objects.all())
    description = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ImpactRootSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    # "class" is a Python keyword, so the field is declared under another name and renamed in to_representation.
    class_ = serializers.CharField()
    class_label = serializers.CharField()
    status = serializers.CharField()
    url = serializers.CharField()

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["class"] = fields.pop("class_")
        return fields

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return dict(instance)


class ImpactNodeSerializer(ImpactRootSerializer):
    depth = serializers.IntegerField()
    path = serializers.ListField(child=serializers.IntegerField())
    via = serializers.ListField(child=serializers.CharField())


class ImpactEdgeSerializer(serializers.Serializer):
    source = serializers.IntegerField()  # type: ignore[assignment]
    target = serializers.IntegerField()
    type = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]


class OpenIncidentSerializer(serializers.Serializer):
    """An open incident that names the CI (at most 200 are listed)."""

    number = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField()
    priority = serializers.IntegerField()


class ImpactSerializer(serializers.Serializer):
    root = ImpactRootSerializer()
    direction = serializers.ChoiceField(choices=["down", "up"])
    total = serializers.IntegerField()
    truncated = serializers.BooleanField(help_text="The depth limit stopped the walk before its end.")
    nodes = ImpactNodeSerializer(many=True)
    edges = ImpactEdgeSerializer(many=True)
    cycles = serializers.ListField(child=serializers.ListField(child=serializers.IntegerField()))
    next_offset = serializers.IntegerField(allow_null=True)


class HistoryEntrySerializer(serializers.Serializer):
    timestamp = serializers.DateTimeField()
    action = serializers.CharField()
    actor = UserRefSerializer(allow_null=True)
    changes = serializers.DictField(help_text="{field: [before, after]} with raw values (codes and ids).")


class CIAsOfSerializer(serializers.Serializer):
    instant = serializers.DateTimeField()
    ci = CISerializer(allow_null=True)
    relationships = RelationshipSerializer(many=True)


class ImportInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ImportRun.KINDS)
    file = serializers.FileField()
    mapping = serializers.JSONField(required=False, help_text='{"field": "column"}, e.g. {"name_en": "Name"}; '
                                                              "guessed from the header when absent.")


class ImportRowSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    outcome = serializers.CharField()
    ci = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    message = serializers.CharField()
    field = serializers.CharField()
    changes = serializers.ListField(child=serializers.CharField())


class ImportReportSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The stored import; apply it with POST imports/{id}/apply/.")
    kind = serializers.CharField()
    dry_run = serializers.BooleanField()
    mapping = serializers.DictField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    rejected = serializers.IntegerField()
    rows = ImportRowSerializer(many=True)
