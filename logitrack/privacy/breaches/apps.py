from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BreachesConfig(AppConfig):
    """Partners register, disclosure log and breach register (privacy policy sections 4 and 5)."""

    name = "logitrack.privacy.breaches"
    label = "breaches"
    verbose_name = _("Partners, disclosures and breaches")
    default_auto_field = "django.db.models.BigAutoField"
