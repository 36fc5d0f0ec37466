from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "sarv.incidents"
    label = "incidents"
    verbose_name = _("Incident management")

    def ready(self) -> None:
        from sarv.core import modules

        modules.register(modules.Module(
            code="incidents",
            label=_("Incident management"),
            description=_("Incidents reported by requesters and worked by agents, with the requester portal."),
            namespaces=("incidents", "portal", "incidents-api"),
        ))
