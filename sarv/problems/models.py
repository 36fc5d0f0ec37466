"""Problem management: problems, root cause analysis, the known error database and recurring-incident proposals."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sarv.core.models import WorkItem
from sarv.core.text import search_key
from sarv.problems.choices import (
    OPEN_STATUSES,
    ClusterBasis,
    KnownErrorStatus,
    KnownErrorUseKind,
    LinkSource,
    ProblemStatus,
    ProposalStatus,
    RcaMethod,
)


class Problem(WorkItem):
    """The underlying cause, often unknown, of one or more incidents («مسئله»).

    Number, status, assignment, priority, timeline, attachments, watchers, SLA clocks
    and version come from WorkItem and the core apps. The requester is who raised the
    problem; the problem manager owns it.
    """

    NUMBER_PREFIX: ClassVar[str] = "PRB"
    VIEW_ALL_PERMISSION: ClassVar[str] = "problems.view_all_problems"
    VIEW_DEPARTMENT_PERMISSION: ClassVar[str] = "problems.view_department_problems"
    FINAL_STATUSES: ClassVar[tuple[str, ...]] = (ProblemStatus.CLOSED,)
    SEARCH_FIELDS: ClassVar[tuple[str, ...]] = ("title", "description", "root_cause", "workaround")

    status = models.CharField(
        _("status"), max_length=32, choices=ProblemStatus.choices, default=ProblemStatus.NEW
    )
    problem_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("problem manager"),
    )
    category = models.ForeignKey(
        "core.Category", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("category"),
    )
    services = models.ManyToManyField(
        "services.Service", blank=True, related_name="problems", verbose_name=_("affected services"),
    )
    cis = models.ManyToManyField(
        "cmdb.CI", blank=True, related_name="problems", verbose_name=_("affected configuration items"),
    )
    incidents: models.ManyToManyField[Any, ProblemIncident] = models.ManyToManyField(
        "incidents.Incident", through="ProblemIncident", related_name="problems",
        verbose_name=_("linked incidents"),
    )

    # Root cause analysis.
    rca_method = models.CharField(_("analysis method"), max_length=20, choices=RcaMethod.choices, blank=True)
    root_cause = models.TextField(_("root cause"), blank=True)
    contributing_factors = models.TextField(_("contributing factors"), blank=True)
    root_cause_found_at = models.DateTimeField(_("root cause found"), null=True, blank=True)
    workaround = models.TextField(_("workaround"), blank=True)
    workaround_updated_at = models.DateTimeField(_("workaround updated"), null=True, blank=True)

    # Resolution: the permanent fix and the change that delivers it.
    resolution_notes = models.TextField(_("fix"), blank=True)
    # A change number (CHG-…) or an outside reference until change management links records.
    fix_change_reference = models.CharField(_("change that delivers the fix"), max_length=64, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("resolved by"),
    )
    # Values of imported rows that Sarv has no field for, kept for reference.
    source_data = models.JSONField(_("imported values"), default=dict, blank=True)

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        permissions = [
            ("view_all_problems", _("Can see every problem")),
            ("view_department_problems", _("Can see the problems of their own department")),
            ("report_problem", _("Can raise problems and link incidents to them")),
            ("work_problem", _("Can work problems (analysis, workaround, notes)")),
            ("manage_problem", _("Can own problems: resolve and close them, publish and retire known errors, "
                                 "decide on proposals")),
        ]
        indexes = [
            models.Index(fields=["status", "priority", "-created_at"], name="problem_status_priority"),
            models.Index(fields=["assigned_group", "status", "-created_at"], name="problem_group_status"),
            models.Index(fields=["assignee", "status", "-created_at"], name="problem_assignee_status"),
            models.Index(fields=["problem_manager", "status"], name="problem_manager_status"),
            models.Index(fields=["-created_at", "-id"], name="problem_created"),
            models.Index(fields=["sla_state", "sla_due_at"], name="problem_sla_due"),
            GinIndex(fields=["search_key"], opclasses=["gin_trgm_ops"], name="problem_search_trgm"),
        ]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def get_absolute_url(self) -> str:
        return reverse("problems:detail", args=[self.number])

    def url_for(self, user: Any) -> str:
        return self.get_absolute_url()


class ProblemIncident(models.Model):
    """The link between a problem and one of the incidents it causes."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="incident_links")
    incident = models.ForeignKey("incidents.Incident", on_delete=models.CASCADE, related_name="problem_links")
    source = models.CharField(_("linked through"), max_length=20, choices=LinkSource.choices,
                              default=LinkSource.MANUAL)
    linked_at = models.DateTimeField(_("linked"), default=timezone.now)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("linked by"),
    )

    class Meta:
        verbose_name = _("linked incident")
        verbose_name_plural = _("linked incidents")
        constraints = [
            models.UniqueConstraint(fields=["problem", "incident"], name="problem_incident_once"),
        ]
        indexes = [models.Index(fields=["incident", "problem"], name="problem_link_incident")]

    def __str__(self) -> str:
        return f"{self.problem_id} → {self.incident_id}"


class FiveWhyStep(models.Model):
    """One step of a five-whys analysis: the question asked and the answer found, in order."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="five_whys")
    position = models.PositiveSmallIntegerField(_("step"))
    question = models.TextField(_("why?"))
    answer = models.TextField(_("because"), blank=True)

    class Meta:
        verbose_name = _("five-whys step")
        verbose_name_plural = _("five-whys steps")
        ordering = ["problem", "position"]
        constraints = [
            models.UniqueConstraint(fields=["problem", "position"], name="five_why_step_once"),
        ]

    def __str__(self) -> str:
        return f"{self.problem_id} #{self.position}"


class KnownError(models.Model):
    """A record in the known error database («پایگاه خطاهای شناخته‌شده»).

    Published from a problem that has a root cause and a workaround. It keeps its own
    copy of the text, so it outlives the problem's resolution until someone retires it.
    """

    NUMBER_PREFIX: ClassVar[str] = "KE"

    number = models.CharField(_("number"), max_length=32, unique=True, editable=False)
    problem = models.OneToOneField(Problem, on_delete=models.PROTECT, related_name="known_error",
                                   verbose_name=_("problem"))
    title = models.CharField(_("title"), max_length=300)
    symptoms = models.TextField(_("symptoms"), blank=True)
    root_cause = models.TextField(_("root cause"))
    workaround = models.TextField(_("workaround"))
    category = models.ForeignKey(
        "core.Category", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("category"),
    )
    services = models.ManyToManyField("services.Service", blank=True, related_name="known_errors",
                                      verbose_name=_("services"))
    cis = models.ManyToManyField("cmdb.CI", blank=True, related_name="known_errors",
                                 verbose_name=_("configuration items"))
    status = models.CharField(_("status"), max_length=16, choices=KnownErrorStatus.choices,
                              default=KnownErrorStatus.PUBLISHED)
    published_at = models.DateTimeField(_("published"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("published by"),
    )
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)
    retired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("retired by"),
    )
    retire_reason = models.TextField(_("reason for retiring"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    search_key = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name = _("known error")
        verbose_name_plural = _("known errors")
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="known_error_status"),
            GinIndex(fields=["search_key"], opclasses=["gin_trgm_ops"], name="known_error_search_trgm"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_key = search_key(" ".join([self.number, self.title, self.symptoms, self.root_cause,
                                               self.workaround]))
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = set(update_fields) | {"search_key"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("known-errors:detail", args=[self.number])

    @property
    def is_published(self) -> bool:
        return self.status == KnownErrorStatus.PUBLISHED


class KnownErrorUse(models.Model):
    """An agent's use of a known error on an incident: the source of the known error reports."""

    known_error = models.ForeignKey(KnownError, on_delete=models.CASCADE, related_name="uses")
    incident = models.ForeignKey("incidents.Incident", on_delete=models.CASCADE, related_name="known_error_uses")
    kind = models.CharField(_("use"), max_length=24, choices=KnownErrorUseKind.choices)
    used_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name=_("agent"))
    used_at = models.DateTimeField(_("used"), default=timezone.now)

    class Meta:
        verbose_name = _("known error use")
        verbose_name_plural = _("known error uses")
        indexes = [
            models.Index(fields=["known_error", "-used_at"], name="known_error_use_when"),
            models.Index(fields=["incident"], name="known_error_use_incident"),
        ]

    def __str__(self) -> str:
        return f"{self.known_error_id} {self.kind} {self.incident_id}"


class RecurrencePolicy(models.Model):
    """Settings of the recurring-incident detector (a single row that administrators edit)."""

    is_enabled = models.BooleanField(_("look for recurring incidents"), default=True)
    min_incidents = models.PositiveSmallIntegerField(
        _("incidents that make a cluster"), default=5,
        help_text=_("A cluster is proposed when at least this many incidents share a trait within the window."),
    )
    window_days = models.PositiveSmallIntegerField(_("window (days)"), default=30)
    bases = models.JSONField(_("traits to compare"), default=list, blank=True,
                             help_text=_("Empty: every trait (configuration item, service, category, symptom)."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("recurring incident settings")
        verbose_name_plural = _("recurring incident settings")

    def __str__(self) -> str:
        return "recurrence policy"

    @classmethod
    def current(cls) -> RecurrencePolicy:
        policy, _created = cls.objects.get_or_create(pk=1)
        return policy

    def enabled_bases(self) -> list[str]:
        return [basis for basis in ClusterBasis.values if not self.bases or basis in self.bases]


class ProblemProposal(models.Model):
    """A cluster of recurring incidents that the detector proposes as a problem.

    One row per cluster key (the shared trait and its value). Accepting it raises a
    problem with the incidents linked. A dismissed cluster comes back only when it has
    grown past ``dismissed_size``.
    """

    basis = models.CharField(_("shared trait"), max_length=16, choices=ClusterBasis.choices)
    # The trait's value: a CI, service or category id, or the normalised symptom text.
    key = models.CharField(_("value"), max_length=300)
    label = models.CharField(_("cluster"), max_length=300)
    status = models.CharField(_("status"), max_length=16, choices=ProposalStatus.choices,
                              default=ProposalStatus.OPEN)
    incidents = models.ManyToManyField("incidents.Incident", related_name="problem_proposals",
                                       verbose_name=_("incidents"))
    incident_count = models.PositiveIntegerField(_("incidents"), default=0)
    first_incident_at = models.DateTimeField(_("first incident"), null=True, blank=True)
    last_incident_at = models.DateTimeField(_("last incident"), null=True, blank=True)
    created_at = models.DateTimeField(_("proposed"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("decided by"),
    )
    dismiss_reason = models.TextField(_("reason for dismissing"), blank=True)
    # The cluster's size when it was dismissed; it is proposed again only above this size.
    dismissed_size = models.PositiveIntegerField(_("size when dismissed"), default=0)
    problem = models.ForeignKey(Problem, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="proposals", verbose_name=_("problem"))

    class Meta:
        verbose_name = _("problem proposal")
        verbose_name_plural = _("problem proposals")
        ordering = ["-incident_count", "-last_incident_at"]
        constraints = [
            models.UniqueConstraint(fields=["basis", "key"], name="problem_proposal_cluster_once"),
        ]
        indexes = [models.Index(fields=["status", "-incident_count"], name="problem_proposal_status")]

    def __str__(self) -> str:
        return f"{self.get_basis_display()}: {self.label}"
