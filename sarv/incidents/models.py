"""Incident management: the incident record, its resolution codes and the process settings."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sarv.core.models import BilingualNameMixin, WorkItem
from sarv.core.permissions import is_agent
from sarv.incidents.choices import OPEN_STATUSES, Channel, HoldReason, IncidentStatus


class ResolutionCode(BilingualNameMixin):
    """A resolution code: the kind of fix (permanent, workaround, no fault found...)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("resolution code")
        verbose_name_plural = _("resolution codes")
        ordering = ["sort_order", "code"]


class Incident(WorkItem):
    """An unplanned interruption or reduction in quality of an IT service («حادثه»).

    Shared behaviour (number, status, assignment, priority, timeline, attachments,
    watchers, references, version) comes from WorkItem. This model adds what is
    particular to incidents: classification, the affected service, resolution,
    major-incident structure and reopening.
    """

    NUMBER_PREFIX: ClassVar[str] = "INC"
    VIEW_ALL_PERMISSION: ClassVar[str] = "incidents.view_all_incidents"
    VIEW_DEPARTMENT_PERMISSION: ClassVar[str] = "incidents.view_department_incidents"
    FINAL_STATUSES: ClassVar[tuple[str, ...]] = (IncidentStatus.CLOSED, IncidentStatus.CANCELLED)
    SEARCH_FIELDS: ClassVar[tuple[str, ...]] = ("title", "description", "symptom", "affected_ci_name")

    status = models.CharField(
        _("status"), max_length=32, choices=IncidentStatus.choices, default=IncidentStatus.NEW
    )
    hold_reason = models.CharField(_("on-hold reason"), max_length=32, choices=HoldReason.choices, blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.PORTAL)
    category = models.ForeignKey(
        "core.Category", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("category"),
    )
    subcategory = models.ForeignKey(
        "core.Category", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("subcategory"),
    )
    service = models.ForeignKey(
        "services.Service", on_delete=models.PROTECT, null=True, blank=True, related_name="incidents",
        verbose_name=_("affected service"),
    )
    symptom = models.CharField(_("symptom"), max_length=200, blank=True)
    # Names from imported data that the CMDB will turn into links to configuration items.
    affected_ci_name = models.CharField(_("affected configuration item (name)"), max_length=200, blank=True)
    affected_service_component = models.CharField(_("affected service component"), max_length=200, blank=True)
    # The configuration item the incident hurts; the affected service follows from it unless set by hand.
    affected_ci = models.ForeignKey(
        "cmdb.CI", on_delete=models.PROTECT, null=True, blank=True, related_name="incidents",
        verbose_name=_("affected configuration item"),
    )
    further_affected_cis = models.ManyToManyField(
        "cmdb.CI", blank=True, related_name="further_incidents",
        verbose_name=_("further affected configuration items"),
    )
    service_set_by_hand = models.BooleanField(_("affected service set by hand"), default=False)

    priority_override_reason = models.TextField(_("reason for the manual priority"), blank=True)
    resolution_code = models.ForeignKey(
        ResolutionCode, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("resolution code"),
    )
    resolution_notes = models.TextField(_("resolution notes"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("resolved by"),
    )
    is_major = models.BooleanField(_("major incident"), default=False)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
        verbose_name=_("parent incident"),
    )
    reopen_count = models.PositiveIntegerField(_("reopened"), default=0)
    made_sla = models.BooleanField(_("met its SLA (imported)"), null=True, blank=True)
    # Values of imported rows that Sarv has no field for, kept for reference.
    source_data = models.JSONField(_("imported values"), default=dict, blank=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        permissions = [
            ("report_incident", _("Can report incidents")),
            ("view_all_incidents", _("Can see every incident")),
            ("view_department_incidents", _("Can see the incidents of their own department")),
            ("work_incident", _("Can work incidents (reply, note, assign, resolve)")),
            ("bulk_update_incident", _("Can assign and update incidents in bulk")),
            ("manage_incident", _("Can declare major incidents, override priority and cancel incidents")),
        ]
        indexes = [
            models.Index(fields=["status", "priority", "-created_at"], name="incident_status_priority"),
            models.Index(fields=["assigned_group", "status", "-created_at"], name="incident_group_status"),
            models.Index(fields=["assignee", "status", "-created_at"], name="incident_assignee_status"),
            models.Index(fields=["requester", "-created_at"], name="incident_requester"),
            models.Index(fields=["department", "-created_at"], name="incident_department"),
            models.Index(fields=["-created_at", "-id"], name="incident_created"),
            models.Index(fields=["status", "resolved_at"], name="incident_resolved"),
            models.Index(fields=["sla_state", "sla_due_at"], name="incident_sla_due"),
            # Keyset pages of a group's list sorted by priority, then age (sarv.core.keyset): the row
            # comparison on (priority, created_at, id) starts an index-only scan at the page's first row.
            models.Index(fields=["assigned_group", "status", "priority", "created_at", "id"],
                         name="incident_group_status_sort"),
            models.Index(fields=["assigned_group", "priority", "created_at", "id"], name="incident_group_open_sort",
                         condition=models.Q(status__in=OPEN_STATUSES)),
            GinIndex(fields=["search_key"], opclasses=["gin_trgm_ops"], name="incident_search_trgm"),
        ]

    def get_absolute_url(self) -> str:
        return reverse("incidents:detail", args=[self.number])

    def get_portal_url(self) -> str:
        return reverse("portal:incident", args=[self.number])

    def url_for(self, user: Any) -> str:
        """Return the page a user opens for this incident: the workspace for agents, the portal for others."""
        return self.get_absolute_url() if is_agent(user) else self.get_portal_url()


class IncidentPolicy(models.Model):
    """Process settings of incident management that administrators change at run time (a single row)."""

    reopen_window_days = models.PositiveSmallIntegerField(
        _("days a requester may reopen a resolved incident"), default=7,
    )
    auto_close_days = models.PositiveSmallIntegerField(
        _("days after resolution when an incident closes by itself"), default=3,
    )
    default_group = models.ForeignKey(
        "accounts.SupportGroup", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("group that receives new incidents"),
        help_text=_("Incidents reported without an assignment go to this group (usually the IT service desk), "
                    "whose members are notified. Empty: they wait unassigned."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("incident settings")
        verbose_name_plural = _("incident settings")

    def __str__(self) -> str:
        return "incident policy"

    @classmethod
    def current(cls) -> IncidentPolicy:
        policy, _created = cls.objects.get_or_create(pk=1)
        return policy
