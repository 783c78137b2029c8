from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LogisticsConfig(AppConfig):
    name = "logitrack.logistics"
    label = "logistics"
    verbose_name = _("Orders and shipments")

    def ready(self) -> None:
        from logitrack.logistics import checks  # noqa: F401  (registers the system checks)
