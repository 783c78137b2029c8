from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ErasureConfig(AppConfig):
    """The deletion machinery (erasing a person by the data inventory) and the reports that a
    user is under 16 (privacy policy section 9), which are its first caller."""

    name = "logitrack.privacy.erasure"
    label = "erasure"
    verbose_name = _("Erasure and children")
    default_auto_field = "django.db.models.BigAutoField"
