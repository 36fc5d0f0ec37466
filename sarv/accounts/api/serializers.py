"""Serializers of people and organisation: the signed-in user, users, departments, locations, support groups."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sarv.accounts.models import Department, Location, LocationKind, SupportGroup, User
from sarv.accounts.roles import ROLES
from sarv.core.api.fields import UTCDateTimeField
from sarv.core.api.serializers import AgentOnlyFieldsMixin, ModelSerializer, NamedRefSerializer, UserRefSerializer
from sarv.core.permissions import is_agent
from sarv.incidents import permissions as incident_permissions
from sarv.incidents.models import Incident


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(source="key", read_only=True,
                                  help_text='Send it as the header "Authorization: Token <token>".')
    created = UTCDateTimeField(read_only=True)


class RoleSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]


class IncidentPermissionsSerializer(serializers.Serializer):
    """The user's incident permissions, for clients that show or hide commands."""

    is_agent = serializers.BooleanField(read_only=True, help_text="Uses the agent workspace.")
    report = serializers.BooleanField(read_only=True, help_text="Reports incidents.")
    view_all = serializers.BooleanField(read_only=True, help_text="Sees every incident.")
    view_department = serializers.BooleanField(read_only=True, help_text="Sees the incidents of their department.")
    work = serializers.BooleanField(read_only=True, help_text="Replies, writes work notes, assigns and resolves.")
    bulk_update = serializers.BooleanField(read_only=True, help_text="Assigns and updates incidents in bulk.")
    manage = serializers.BooleanField(
        read_only=True, help_text="Declares major incidents, overrides priority and cancels any incident."
    )


class MeSerializer(ModelSerializer):
    """The signed-in user's profile, roles, preferences and incident permissions."""

    display_name = serializers.CharField(read_only=True)
    language = serializers.ChoiceField(choices=settings.LANGUAGES, read_only=True)
    time_zone = serializers.SerializerMethodField(
        help_text="The user's time zone, or the organisation's when the user chose none."
    )
    department = NamedRefSerializer(read_only=True, allow_null=True)
    location = NamedRefSerializer(read_only=True, allow_null=True)
    roles = serializers.SerializerMethodField()
    support_groups = NamedRefSerializer(many=True, read_only=True)
    permissions = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "display_name", "email", "phone", "job_title",
                  "employee_number", "language", "time_zone", "department", "location", "roles", "support_groups",
                  "permissions"]
        read_only_fields = fields

    def get_time_zone(self, user: User) -> str:
        return user.time_zone or settings.TIME_ZONE

    @extend_schema_field(RoleSerializer(many=True))
    def get_roles(self, user: User) -> list[dict[str, str]]:
        codes = {group.name for group in user.groups.all()}
        return [{"code": role.code, "label": str(role.label)} for role in ROLES.values() if role.code in codes]

    @extend_schema_field(IncidentPermissionsSerializer)
    def get_permissions(self, user: User) -> dict[str, bool]:
        return {
            "is_agent": is_agent(user),
            "report": incident_permissions.can_report(user),
            "view_all": user.is_active and user.has_perm(Incident.VIEW_ALL_PERMISSION),
            "view_department": user.is_active and user.has_perm(Incident.VIEW_DEPARTMENT_PERMISSION),
            "work": incident_permissions.can_work(user),
            "bulk_update": incident_permissions.can_bulk_update(user),
            "manage": incident_permissions.can_manage(user),
        }


class UserSerializer(ModelSerializer):
    display_name = serializers.CharField(read_only=True)
    department = NamedRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "display_name", "email", "phone", "job_title",
                  "department"]
        read_only_fields = fields


class DepartmentSerializer(ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "code", "name", "name_fa", "name_en", "parent"]
        read_only_fields = fields


class LocationSerializer(ModelSerializer):
    kind = serializers.ChoiceField(choices=LocationKind.choices, read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Location
        fields = ["id", "kind", "kind_display", "code", "name", "name_fa", "name_en", "parent", "address"]
        read_only_fields = fields


class SupportGroupSerializer(AgentOnlyFieldsMixin, ModelSerializer):
    lead = UserRefSerializer(read_only=True, allow_null=True)
    # Not read-only so the schema marks it optional: only agents receive it. The view prefetches active_members.
    members = UserRefSerializer(source="active_members", many=True, required=False,
                                help_text="Active members; agents only.")

    class Meta:
        model = SupportGroup
        fields = ["id", "code", "name", "name_fa", "name_en", "email", "description", "lead", "members"]
        read_only_fields = ["id", "code", "name_fa", "name_en", "email", "description"]
        agent_only_fields = ["members"]
