from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmdbConfig(AppConfig):
    name = "sarv.cmdb"
    label = "cmdb"
    verbose_name = _("Configuration management")

    def ready(self) -> None:
        from sarv.accounts import actions as account_actions
        from sarv.cmdb import actions
        from sarv.core import modules

        modules.register(modules.Module(
            code="cmdb",
            label=_("Configuration management"),
            description=_("Configuration items, their relationships and impact analysis (CMDB)."),
            namespaces=("cmdb", "cmdb-api"),
        ))
        # An asset moves with its holder when the holder changes department.
        account_actions.register_department_change_hook(actions.move_held_assets)
