from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    """Versions of Logitrack's privacy policy and people's acceptances of them (docs/adr/0033)."""

    name = "logitrack.privacy.policies"
    label = "policies"
    verbose_name = _("Privacy policy versions")
