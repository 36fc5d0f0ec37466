from django.db import models
from django.utils.translation import gettext_lazy as _


class GlobalPermission(models.Model):
    """Holder of permissions that belong to no single model (no table is created for it)."""

    class Meta:
        managed = False
        verbose_name = _("global permission")
        default_permissions = ()
        permissions = [
            ("access_workspace", _("Can use the agent workspace")),
            ("manage_settings", _("Can change Sarv's settings")),
            ("view_audit_log", _("Can read the audit log")),
        ]

    def __str__(self) -> str:
        return "global permission"
