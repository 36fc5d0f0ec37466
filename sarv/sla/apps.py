from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "sarv.sla"
    label = "sla"
    verbose_name = _("Service level management")

    def ready(self) -> None:
        from sarv.calendars import hooks as calendar_hooks
        from sarv.core import modules, record_hooks, timeline_display
        from sarv.core.choices import TimelineKind
        from sarv.sla import display, recompute

        modules.register(modules.Module(
            code="sla",
            label=_("Service level management"),
            description=_("SLA, OLA and UC agreements, clocks on records, warnings, breaches and escalations."),
            namespaces=("sla", "sla-api", "sla-reports"),
        ))
        # Clocks are rebuilt inside the action's transaction, so the cache commits with the change that caused it.
        record_hooks.on_timeline_append(recompute.after_timeline_append)
        calendar_hooks.register_recompute(recompute.recompute_changed, count=recompute.count_changed)
        for kind in (TimelineKind.SLA_WARNING, TimelineKind.SLA_BREACHED, TimelineKind.SLA_ESCALATED):
            timeline_display.register_lines(kind, display.timeline_lines)
