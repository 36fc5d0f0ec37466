from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sarv.core.choices import TimelineKind


class ImmutableRowError(RuntimeError):
    """Raised on an attempt to change or delete a row of an append-only table."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise ImmutableRowError(f"{self.model.__name__} rows are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ImmutableRowError(f"{self.model.__name__} rows are append-only")


class AppendOnlyModel(models.Model):
    """A model whose rows are written once and never changed or deleted through the ORM."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise ImmutableRowError(f"{type(self).__name__} {self.pk} is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableRowError(f"{type(self).__name__} {self.pk} is append-only")


class TimelineEntry(AppendOnlyModel):
    """One event in a record's history (its «سابقه»): a reply, a note, a change of status or field.

    ``data`` holds field keys and raw values (status codes, ids), never translated
    labels: pages translate them when they show the entry, so a Persian agent and
    an English auditor read the same history.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")

    kind = models.CharField(max_length=32, choices=TimelineKind.choices)
    created_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Internal entries (work notes, assignments, most field changes) are never shown to requesters.
    is_internal = models.BooleanField(default=False)
    body = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    # Identity of the source event for imported entries, so a second import appends nothing twice.
    # NULL, not "", for entries made in Sarv: the unique constraint below only applies where it is set.
    source_key = models.CharField(max_length=120, null=True, blank=True)  # noqa: DJ001

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"], name="core_timeline_record")]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "source_key"],
                condition=models.Q(source_key__isnull=False),
                name="core_timeline_source_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} @ {self.created_at:%Y-%m-%d %H:%M}"
