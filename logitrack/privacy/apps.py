from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "logitrack.privacy"
    label = "privacy"
    verbose_name = _("Privacy")

    def ready(self) -> None:
        # Each app classifies its own fields in its ``inventory`` module; third-party models are
        # classified here. The checks module registers privacy.E001 to E006.
        autodiscover_modules("inventory")
        from logitrack.privacy import checks, third_party  # noqa: F401
