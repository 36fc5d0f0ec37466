from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Watcher(models.Model):
    """A person who follows a record: they see it and get its notifications."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("record type"))
    object_id = models.PositiveBigIntegerField(_("record id"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="watching",
                             verbose_name=_("watcher"))
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("added by"),
    )
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        verbose_name = _("watcher")
        verbose_name_plural = _("watchers")
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id", "user"], name="core_watcher_unique")
        ]
        indexes = [models.Index(fields=["user", "content_type"], name="core_watcher_user")]

    def __str__(self) -> str:
        return f"{self.user_id} watches {self.content_type_id}:{self.object_id}"
