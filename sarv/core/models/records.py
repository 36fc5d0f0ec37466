"""The abstract work item that every ITIL record type (incident, problem, request, change) extends."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from sarv.core.choices import Impact, Priority, Urgency
from sarv.core.text import normalize_stored, search_key

if TYPE_CHECKING:
    from sarv.accounts.models import User


class BilingualNameMixin(models.Model):
    """Reference data named in Persian and English; ``name`` follows the active language."""

    name_fa = models.CharField(_("name (Persian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name_fa = normalize_stored(self.name_fa)
        super().save(*args, **kwargs)

    @property
    def name(self) -> str:
        if translation.get_language() == "en" and self.name_en:
            return self.name_en
        return self.name_fa or self.name_en


class WorkItemQuerySet(models.QuerySet):
    def visible_to(self, user: User | Any) -> WorkItemQuerySet:
        """Return the records ``user`` may see: every page, list, search, export and API call starts here.

        Users with the model's "view all" permission see every record. Everybody
        else sees the records they requested or watch, and, with the model's
        "view department" permission, the records of their own department.
        """
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        model: type[WorkItem] = self.model
        if user.has_perm(model.VIEW_ALL_PERMISSION):
            return self
        department = bool(user.department_id) and user.has_perm(model.VIEW_DEPARTMENT_PERMISSION)
        return self.filter(pk__in=self._personal_ids(user, department=department))

    def requested_or_watched_by(self, user: User | Any) -> WorkItemQuerySet:
        """Return the records ``user`` requested or watches (the requester portal's "Mine")."""
        return self.filter(pk__in=self._personal_ids(user, department=False))

    def _personal_ids(self, user: User | Any, *, department: bool) -> models.QuerySet:
        """Return the ids of what ``user`` requested or watches (and their department's) as one UNION subquery.

        The same condition written as ``requester = u OR id IN (watched)`` made PostgreSQL scan the
        whole table, because it cannot combine an index with an IN subquery under OR: 47 ms at
        100,000 incidents against 4 ms for the UNION (bench/README.md, portal list).
        """
        from sarv.core.models.watchers import Watcher

        model: type[WorkItem] = self.model
        ids = model._base_manager.filter(requester=user).order_by().values("pk").union(
            Watcher.objects.filter(content_type=ContentType.objects.get_for_model(model), user=user)
            .order_by().values("object_id"))
        if department and user.department_id is not None:
            ids = ids.union(model._base_manager.filter(department_id=user.department_id).order_by().values("pk"))
        return ids

    def open(self) -> WorkItemQuerySet:
        model: type[WorkItem] = self.model
        return self.exclude(status__in=model.FINAL_STATUSES)


class WorkItem(models.Model):
    """Fields and behaviour shared by every record an agent works on.

    A concrete subclass sets ``NUMBER_PREFIX`` (for example ``INC``), its status
    choices and workflow, and the permissions that decide visibility. Numbering,
    timeline, attachments, watchers, external references and audit rows are
    core mechanisms keyed by content type, so a new record type gets them without code.
    """

    NUMBER_PREFIX: ClassVar[str] = ""
    VIEW_ALL_PERMISSION: ClassVar[str] = ""
    VIEW_DEPARTMENT_PERMISSION: ClassVar[str] = ""
    FINAL_STATUSES: ClassVar[tuple[str, ...]] = ()
    # Fields whose text feeds the search key, in addition to the number.
    SEARCH_FIELDS: ClassVar[tuple[str, ...]] = ("title", "description")

    number = models.CharField(_("number"), max_length=32, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=32)
    hold_reason = models.CharField(_("on-hold reason"), max_length=32, blank=True)
    # The supplier the record waits on while on hold for a supplier; its underpinning contract's clock runs then.
    hold_supplier = models.ForeignKey(
        "services.Supplier", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("waiting on supplier"),
    )

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requester")
    )
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("department"),
    )
    location = models.ForeignKey(
        "accounts.Location", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("location"),
    )
    assigned_group = models.ForeignKey(
        "accounts.SupportGroup", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("support group"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("assigned agent"),
    )
    reassignment_count = models.PositiveIntegerField(_("reassignments"), default=0)

    impact = models.PositiveSmallIntegerField(_("impact"), choices=Impact.choices, default=Impact.MEDIUM)
    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=Urgency.choices, default=Urgency.MEDIUM)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.MODERATE)
    priority_overridden = models.BooleanField(_("priority set by hand"), default=False)

    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("created by"),
    )
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # A cache of the record's SLA clocks for sorting and filtering lists, rebuilt from the timeline by
    # ``sarv.sla.recompute`` after every change: the earliest due time of a running clock and the worst state.
    sla_due_at = models.DateTimeField(_("SLA due"), null=True, blank=True, editable=False)
    sla_state = models.CharField(_("SLA state"), max_length=16, blank=True, editable=False)
    # Optimistic concurrency: every saved change increments it, and a save that expects another value is rejected.
    version = models.PositiveIntegerField(default=1, editable=False)
    search_key = models.TextField(blank=True, editable=False)

    timeline = GenericRelation("core.TimelineEntry")
    attachments = GenericRelation("core.Attachment")
    watchers = GenericRelation("core.Watcher")
    external_references = GenericRelation("core.ExternalReference")

    objects = WorkItemQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.title = normalize_stored(self.title)
        self.description = normalize_stored(self.description)
        self.search_key = self.build_search_key()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = set(update_fields) | {"search_key", "title", "description"}
        super().save(*args, **kwargs)

    def build_search_key(self) -> str:
        parts = [self.number or ""]
        parts.extend(str(getattr(self, name) or "") for name in self.SEARCH_FIELDS)
        return search_key(" ".join(parts))

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL_STATUSES

    @classmethod
    def content_type(cls) -> ContentType:
        return ContentType.objects.get_for_model(cls)
