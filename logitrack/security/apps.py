from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "logitrack.security"
    label = "security"
    verbose_name = _("Security")

    def ready(self) -> None:
        from logitrack.security.guard import install_connection_hooks

        # Before any connection exists, so that every SQLite connection gets the purge switch
        # that the append-only trigger consults (see logitrack.security.guard).
        connection_created.connect(install_connection_hooks, dispatch_uid="security.guard")

        from logitrack.core.models import register_global_model
        from logitrack.security.models import GLOBAL_MODEL_REASONS

        for label, reason in GLOBAL_MODEL_REASONS.items():
            register_global_model(label, reason)

        from django.core import checks

        from logitrack.security.throttle import rate_limits_check

        checks.register(rate_limits_check, checks.Tags.security)
