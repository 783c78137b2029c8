from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "logitrack.core"
    label = "core"
    verbose_name = "Logitrack core"
