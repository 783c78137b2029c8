from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "logitrack.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from logitrack.accounts import receivers

        receivers.connect()
