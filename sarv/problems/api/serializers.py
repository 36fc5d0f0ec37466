"""Serializers of the problem API: problems as rows and in full, five-whys steps, and the input of each action.

Output carries raw codes with a ``*_display`` label in the request's language beside each. Input only
parses and types values; the actions in ``sarv.problems.actions`` check permission and every rule.
"""

from __future__ import annotations

from rest_framework import serializers

from sarv.accounts.models import SupportGroup, User
from sarv.cmdb.models import CI
from sarv.core.api.serializers import ModelSerializer, NamedRefSerializer, UserRefSerializer
from sarv.core.choices import Impact, Urgency
from sarv.core.models import Category
from sarv.incidents.api.serializers import AttachmentsInputMixin
from sarv.incidents.models import ResolutionCode
from sarv.problems import permissions
from sarv.problems.choices import OPEN_STATUSES, LinkSource, ProblemStatus, RcaMethod
from sarv.problems.models import FiveWhyStep, Problem
from sarv.services.models import Service
from sarv.sla.selectors import record_state_now

LIST_FIELDS = [
    "number", "title", "status", "status_display", "priority", "priority_display", "impact", "impact_display",
    "urgency", "urgency_display", "category", "problem_manager", "assigned_group", "assignee", "created_at",
    "updated_at", "resolved_at", "closed_at", "version", "sla_due_at", "sla_state",
]


class ProblemListSerializer(ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    priority_display = serializers.CharField(source="get_priority_display", read_only=True)
    impact_display = serializers.CharField(source="get_impact_display", read_only=True)
    urgency_display = serializers.CharField(source="get_urgency_display", read_only=True)
    category = NamedRefSerializer(read_only=True, allow_null=True)
    problem_manager = UserRefSerializer(read_only=True, allow_null=True)
    assigned_group = NamedRefSerializer(read_only=True, allow_null=True)
    assignee = UserRefSerializer(read_only=True, allow_null=True)
    sla_state = serializers.SerializerMethodField(
        help_text="The worst state of the problem's SLA clocks now: breached, running, paused, met, or empty.")

    class Meta:
        model = Problem
        fields = LIST_FIELDS
        read_only_fields = fields

    def get_sla_state(self, problem: Problem) -> str:
        return record_state_now(problem)


class FiveWhyStepSerializer(ModelSerializer):
    class Meta:
        model = FiveWhyStep
        fields = ["id", "position", "question", "answer"]
        read_only_fields = ["id", "position"]


class ProblemAbilitiesSerializer(serializers.Serializer):
    """What the requesting user may do with the problem now; each action checks again when called."""

    work = serializers.BooleanField(read_only=True, help_text="Edit, assign, analyse, write the workaround.")
    link = serializers.BooleanField(read_only=True)
    resolve = serializers.BooleanField(read_only=True)
    close = serializers.BooleanField(read_only=True)


class ProblemDetailSerializer(ProblemListSerializer):
    # Declared so the schema allows "" (no method stated yet), which every new problem has.
    rca_method = serializers.ChoiceField(choices=RcaMethod.choices, allow_blank=True, read_only=True)
    rca_method_display = serializers.CharField(source="get_rca_method_display", read_only=True)
    requester = UserRefSerializer(read_only=True)
    resolved_by = UserRefSerializer(read_only=True, allow_null=True)
    services = NamedRefSerializer(many=True, read_only=True)
    cis = NamedRefSerializer(many=True, read_only=True)
    five_whys = FiveWhyStepSerializer(many=True, read_only=True)
    incident_count = serializers.SerializerMethodField()
    abilities = serializers.SerializerMethodField()

    class Meta(ProblemListSerializer.Meta):
        fields = [*LIST_FIELDS, "description", "requester", "services", "cis", "rca_method", "rca_method_display",
                  "root_cause", "contributing_factors", "root_cause_found_at", "five_whys", "workaround",
                  "workaround_updated_at", "resolution_notes", "fix_change_reference", "resolved_by",
                  "reassignment_count", "incident_count", "abilities"]
        read_only_fields = fields

    def get_incident_count(self, problem: Problem) -> int:
        return problem.incident_links.count()

    def get_abilities(self, problem: Problem) -> dict[str, bool]:
        user = self.context["request"].user
        is_open = problem.status in OPEN_STATUSES
        return {
            "work": permissions.can_work(user),
            "link": permissions.can_report(user) and not problem.is_final,
            "resolve": permissions.can_manage(user) and is_open,
            "close": permissions.can_manage(user) and not problem.is_final,
        }


class ProblemCreateSerializer(AttachmentsInputMixin, serializers.Serializer):
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all(), required=False, allow_null=True)
    impact = serializers.ChoiceField(choices=Impact.choices, default=Impact.MEDIUM)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.MEDIUM)
    problem_manager = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False,
                                                         allow_null=True)
    assigned_group = serializers.PrimaryKeyRelatedField(queryset=SupportGroup.objects.all(), required=False,
                                                        allow_null=True)
    assignee = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False, allow_null=True)
    services = serializers.PrimaryKeyRelatedField(queryset=Service.objects.all(), many=True, required=False)
    cis = serializers.PrimaryKeyRelatedField(queryset=CI.objects.all(), many=True, required=False)
    incidents = serializers.ListField(child=serializers.CharField(), required=False, default=list,
                                      help_text="Numbers of incidents to link (Persian digits allowed).")


class ProblemUpdateSerializer(serializers.Serializer):
    """Send only the fields that change, with the version the change is based on."""

    version = serializers.IntegerField(min_value=1, help_text="The problem's version when the user loaded it.")
    title = serializers.CharField(max_length=300, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all(), required=False, allow_null=True)
    impact = serializers.ChoiceField(choices=Impact.choices, required=False)
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    problem_manager = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False,
                                                         allow_null=True)
    services = serializers.PrimaryKeyRelatedField(queryset=Service.objects.all(), many=True, required=False)
    cis = serializers.PrimaryKeyRelatedField(queryset=CI.objects.all(), many=True, required=False)


class ProblemVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, help_text="The problem's version when the user loaded it; a stale version answers 409.")


class ProblemAssignSerializer(ProblemVersionSerializer):
    assigned_group = serializers.PrimaryKeyRelatedField(queryset=SupportGroup.objects.all(), required=False,
                                                        allow_null=True)
    assignee = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False, allow_null=True)


class ProblemStatusSerializer(ProblemVersionSerializer):
    status = serializers.ChoiceField(
        choices=ProblemStatus.choices,
        help_text="new, under_investigation, root_cause_known or known_error; resolve, close and reopen have "
                  "their own endpoints.")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ProblemRootCauseSerializer(AttachmentsInputMixin, ProblemVersionSerializer):
    rca_method = serializers.ChoiceField(choices=RcaMethod.choices, required=False, allow_blank=True, default="")
    root_cause = serializers.CharField()
    contributing_factors = serializers.CharField(required=False, allow_blank=True, default="")


class ProblemWorkaroundSerializer(ProblemVersionSerializer):
    workaround = serializers.CharField()


class ProblemResolveSerializer(ProblemVersionSerializer):
    resolution_notes = serializers.CharField()
    fix_change_reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=64)


class ProblemCloseSerializer(ProblemVersionSerializer):
    incidents = serializers.ListField(child=serializers.CharField(), required=False, default=list,
                                      help_text="Numbers of open linked incidents to resolve with the message.")
    resolution_code = serializers.PrimaryKeyRelatedField(queryset=ResolutionCode.objects.all(), required=False,
                                                         allow_null=True, default=None)
    message = serializers.CharField(required=False, allow_blank=True, default="",
                                    help_text="Each requester receives it as the resolution of their incident.")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ProblemIncidentOutcomeSerializer(serializers.Serializer):
    number = serializers.CharField()
    ok = serializers.BooleanField()
    message = serializers.CharField()


class ProblemCloseResultSerializer(serializers.Serializer):
    problem = ProblemDetailSerializer()
    incidents = ProblemIncidentOutcomeSerializer(many=True)


class ProblemReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


class ProblemFiveWhyInputSerializer(serializers.Serializer):
    question = serializers.CharField()
    answer = serializers.CharField(required=False, allow_blank=True, default="")


class ProblemMoveSerializer(serializers.Serializer):
    offset = serializers.ChoiceField(choices=[-1, 1], help_text="-1 moves the step up, 1 down.")


class ProblemLinkSerializer(serializers.Serializer):
    incidents = serializers.ListField(child=serializers.CharField(), min_length=1,
                                      help_text="Incident numbers (Persian digits allowed).")


class ProblemLinkedIncidentSerializer(serializers.Serializer):
    number = serializers.CharField(source="incident.number")
    title = serializers.CharField(source="incident.title")
    status = serializers.CharField(source="incident.status")
    status_display = serializers.CharField(source="incident.get_status_display")
    source = serializers.ChoiceField(choices=LinkSource.choices)  # type: ignore[assignment]
    linked_at = serializers.DateTimeField()
    linked_by = UserRefSerializer(allow_null=True)
