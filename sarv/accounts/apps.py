from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "sarv.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from sarv.accounts import roles, signals

        signals.connect()
        post_migrate.connect(roles.sync_roles, dispatch_uid="sarv.accounts.sync_roles")
