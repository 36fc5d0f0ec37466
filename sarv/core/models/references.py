from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sarv.core.choices import ReferenceKind


class ExternalReference(models.Model):
    """A pointer from a record to something outside Sarv.

    Above all the official letter that ordered the work («شماره و تاریخ نامه»,
    kept in the organisation's office-automation system), but also the source
    record of an import, which is unique per source system and record type.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("record type"))
    object_id = models.PositiveBigIntegerField(_("record id"))
    record = GenericForeignKey("content_type", "object_id")

    kind = models.CharField(_("kind"), max_length=20, choices=ReferenceKind.choices)
    system = models.CharField(_("system"), max_length=60, blank=True)
    reference = models.CharField(_("reference"), max_length=120)
    reference_date = models.DateField(_("date"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("added"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("added by"),
    )

    class Meta:
        verbose_name = _("external reference")
        verbose_name_plural = _("external references")
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="core_reference_record"),
            models.Index(fields=["kind", "system", "reference"], name="core_reference_lookup"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "system", "reference"],
                condition=models.Q(kind=ReferenceKind.SOURCE),
                name="core_reference_source_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference}"
