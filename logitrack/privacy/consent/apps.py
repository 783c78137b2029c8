from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentConfig(AppConfig):
    """The consent ledger and marketing messages (issue P7, points 2 and 5; docs/adr/0034).

    Its fields are classified in ``inventory.py``, which ``PrivacyConfig.ready()`` imports with
    every other app's.
    """

    name = "logitrack.privacy.consent"
    label = "consent"
    verbose_name = _("Consent")
    default_auto_field = "django.db.models.BigAutoField"
