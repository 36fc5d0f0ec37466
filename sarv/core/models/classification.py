from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from sarv.core.choices import Impact, Priority, Urgency
from sarv.core.models.records import BilingualNameMixin
from sarv.core.text import search_key


class Category(BilingualNameMixin):
    """A node in the classification tree of records: a top-level category or one of its subcategories."""

    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )
    code = models.CharField(_("code"), max_length=60, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    search_key = models.CharField(max_length=400, blank=True, editable=False)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["sort_order", "name_fa"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "code"], condition=~models.Q(code=""), name="core_category_parent_code"
            )
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_key = search_key(f"{self.name_fa} {self.name_en}")
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return f"{self.parent.name} › {self.name}" if self.parent_id and self.parent else self.name


class PriorityMatrixCell(models.Model):
    """One cell of the impact x urgency matrix that gives a record its priority."""

    impact = models.PositiveSmallIntegerField(_("impact"), choices=Impact.choices)
    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=Urgency.choices)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices)

    class Meta:
        verbose_name = _("priority matrix cell")
        verbose_name_plural = _("priority matrix")
        constraints = [
            models.UniqueConstraint(fields=["impact", "urgency"], name="core_prioritymatrix_cell")
        ]

    def __str__(self) -> str:
        return _("Impact %(impact)s × urgency %(urgency)s") % {
            "impact": self.get_impact_display(), "urgency": self.get_urgency_display()
        }
