from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "logitrack.core"
    label = "core"
    verbose_name = "Logitrack core"

    def ready(self) -> None:
        from django.urls import register_converter

        from logitrack.core.ids import IdConverter

        # Pages name their ids <id:...>, bounded to what the database can hold (core/ids.py).
        register_converter(IdConverter, "id")
