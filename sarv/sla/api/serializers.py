"""Serializers of the SLA API: agreements (read and write) and a record's clocks."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from sarv.accounts.models import Department, SupportGroup
from sarv.calendars.models import Calendar
from sarv.core.api.fields import UTCDateTimeField
from sarv.core.api.serializers import ModelSerializer, NamedRefSerializer
from sarv.core.choices import Priority
from sarv.core.models import Category
from sarv.services.models import Service, Supplier
from sarv.sla.choices import (
    AgreementKind,
    CalendarSource,
    ClockState,
    ReopenBehaviour,
    SwapBehaviour,
    TargetMetric,
)
from sarv.sla.models import Agreement


class TargetSerializer(serializers.Serializer):
    metric = serializers.ChoiceField(choices=TargetMetric.choices)
    priority = serializers.ChoiceField(choices=Priority.choices, allow_null=True, required=False, default=None,
                                       help_text="Empty: every priority without a target of its own.")
    seconds = serializers.IntegerField(min_value=1, help_text="Business seconds.")


class EscalationSerializer(serializers.Serializer):
    level = serializers.IntegerField(read_only=True)
    delay_seconds = serializers.IntegerField(min_value=0, default=0,
                                             help_text="Business seconds after the breach; 0 is the breach itself.")
    notify_agent = serializers.BooleanField(default=True)
    notify_group_lead = serializers.BooleanField(default=False)
    notify_managers = serializers.BooleanField(default=False)
    reassign_group = serializers.PrimaryKeyRelatedField(queryset=SupportGroup.objects.all(), allow_null=True,
                                                        required=False, default=None)
    raise_priority = serializers.BooleanField(default=False)


class AgreementSerializer(ModelSerializer):
    """An agreement with its conditions, clock rules, targets and escalation levels."""

    kind = serializers.ChoiceField(choices=AgreementKind.choices)
    services = serializers.PrimaryKeyRelatedField(queryset=Service.objects.all(), many=True, required=False)
    departments = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), many=True, required=False)
    categories = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all(), many=True, required=False)
    priorities = serializers.ListField(child=serializers.ChoiceField(choices=Priority.choices), required=False)
    record_types = serializers.ListField(child=serializers.CharField(), required=False,
                                         help_text='"app_label.model" names, e.g. "incidents.incident"; '
                                                   "empty for every record type.")
    ola_group = serializers.PrimaryKeyRelatedField(queryset=SupportGroup.objects.all(), allow_null=True,
                                                   required=False)
    uc_supplier = serializers.PrimaryKeyRelatedField(queryset=Supplier.objects.all(), allow_null=True,
                                                     required=False)
    calendar_source = serializers.ChoiceField(choices=CalendarSource.choices, required=False)
    calendar = serializers.PrimaryKeyRelatedField(queryset=Calendar.objects.all(), allow_null=True, required=False)
    pause_statuses = serializers.ListField(child=serializers.CharField(), required=False)
    pause_hold_reasons = serializers.ListField(child=serializers.CharField(), required=False)
    start_statuses = serializers.ListField(child=serializers.CharField(), required=False)
    stop_statuses = serializers.ListField(child=serializers.CharField(), required=False)
    warning_percents = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=99),
                                             required=False)
    reopen_behaviour = serializers.ChoiceField(choices=ReopenBehaviour.choices, required=False)
    swap_behaviour = serializers.ChoiceField(choices=SwapBehaviour.choices, required=False)
    # Declared, not derived: the derived maximum follows the database backend, and the schema must not.
    precedence = serializers.IntegerField(min_value=0, max_value=2_147_483_647, required=False,
                                          help_text=Agreement._meta.get_field("precedence").help_text)
    targets = TargetSerializer(many=True)
    escalations = EscalationSerializer(many=True, required=False)

    class Meta:
        model = Agreement
        fields = [
            "id", "name", "name_fa", "name_en", "kind", "description", "is_active", "precedence", "record_types",
            "services", "priorities", "departments", "categories", "ola_group", "uc_supplier", "calendar_source",
            "calendar", "pause_statuses", "pause_hold_reasons", "start_statuses", "stop_statuses",
            "reopen_behaviour", "swap_behaviour", "warning_percents", "targets", "escalations",
        ]
        read_only_fields = ["id", "name"]

    def to_representation(self, instance: Agreement) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["targets"] = [{"metric": t.metric, "priority": t.priority, "seconds": t.seconds}
                           for t in instance.targets.all()]
        return data


class ClockSerializer(serializers.Serializer):
    """One clock of a record, computed from its timeline at the time of the request."""

    agreement = serializers.IntegerField()
    agreement_name = serializers.CharField()
    kind = serializers.ChoiceField(choices=AgreementKind.choices)
    slot = serializers.CharField(help_text='"sla", "ola:<group id>" or "uc:<supplier id>".')
    metric = serializers.ChoiceField(choices=TargetMetric.choices)
    metric_label = serializers.CharField()
    state = serializers.ChoiceField(choices=ClockState.choices)
    state_label = serializers.CharField()
    target_seconds = serializers.IntegerField(help_text="Business seconds.")
    elapsed_seconds = serializers.IntegerField()
    remaining_seconds = serializers.IntegerField(help_text="Negative once the target is passed.")
    paused_seconds = serializers.IntegerField()
    started_at = UTCDateTimeField(allow_null=True, help_text="The first open instant after the clock started.")
    due_at = UTCDateTimeField(allow_null=True, help_text="Empty while paused or stopped.")
    breached_at = UTCDateTimeField(allow_null=True)
    stopped_at = UTCDateTimeField(allow_null=True, help_text="When the clock was met or stopped.")
    cycle = serializers.IntegerField(help_text="Counts restarts (reopening, each next-update interval).")


class RecordClocksSerializer(serializers.Serializer):
    number = serializers.CharField()
    sla_due_at = UTCDateTimeField(allow_null=True)
    sla_state = serializers.CharField()
    clocks = ClockSerializer(many=True)


__all__ = ["AgreementSerializer", "ClockSerializer", "NamedRefSerializer", "RecordClocksSerializer"]
