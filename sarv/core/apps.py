from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "sarv.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from sarv.core import db, scheduler

        db.register_connection_hooks()
        scheduler.autodiscover()
