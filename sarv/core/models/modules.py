from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ModuleSwitch(models.Model):
    """Whether one ITIL process module is switched on; organisations adopt ITIL in phases."""

    code = models.CharField(_("module"), max_length=40, unique=True)
    enabled = models.BooleanField(_("switched on"), default=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("module switch")
        verbose_name_plural = _("module switches")

    def __str__(self) -> str:
        from sarv.core import modules

        try:
            return str(modules.get(self.code).label)
        except KeyError:
            return self.code
