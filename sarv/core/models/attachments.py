from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def attachment_path(instance: Attachment, filename: str) -> str:
    # The stored name is random: the user's file name (often Persian) is kept in original_name only.
    suffix = PurePosixPath(filename).suffix.lower()[:16]
    now = timezone.now()
    return f"attachments/{now:%Y/%m}/{instance.public_id.hex}{suffix}"


class Attachment(models.Model):
    """A file attached to a record, stored outside the web root and served only after a permission check."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("record type"))
    object_id = models.PositiveBigIntegerField(_("record id"))
    record = GenericForeignKey("content_type", "object_id")
    timeline_entry = models.ForeignKey(
        "core.TimelineEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="attachments",
        verbose_name=_("timeline entry"),
    )

    file = models.FileField(_("stored file"), upload_to=attachment_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    media_type = models.CharField(_("media type"), max_length=127)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256 checksum"), max_length=64)
    is_internal = models.BooleanField(_("internal"), default=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        indexes = [models.Index(fields=["content_type", "object_id"], name="core_attachment_record")]

    def __str__(self) -> str:
        return self.original_name
