from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProblemsConfig(AppConfig):
    name = "sarv.problems"
    label = "problems"
    verbose_name = _("Problem management")

    def ready(self) -> None:
        from sarv.core import modules

        modules.register(modules.Module(
            code="problems",
            label=_("Problem management"),
            description=_("Problems behind recurring incidents: root cause analysis, workarounds, the known "
                          "error database and proposals from recurring incidents."),
            namespaces=("problems", "problems-api", "known-errors", "known-errors-api", "problem-proposals",
                        "problem-reports", "problem-recurring-api"),
        ))

        from sarv.problems.known_errors import register_timeline_lines

        register_timeline_lines()
