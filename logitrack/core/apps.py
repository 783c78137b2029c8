from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _narrow_sqlite_files(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Keep the SQLite database and its -wal/-shm files at mode 0600 (ADR 0013).

    New files already get 0600 from the process umask; this narrows files created before it.
    """
    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:") or "mode=memory" in name:
        return
    for path in (Path(name), Path(name + "-wal"), Path(name + "-shm")):
        try:
            if path.stat().st_mode & 0o077:
                os.chmod(path, 0o600)
        except FileNotFoundError:
            continue


class CoreConfig(AppConfig):
    name = "logitrack.core"
    label = "core"
    verbose_name = "Logitrack core"

    def ready(self) -> None:
        from django.urls import register_converter

        from logitrack.core.ids import IdConverter

        # Pages name their ids <id:...>, bounded to what the database can hold (core/ids.py).
        register_converter(IdConverter, "id")
        connection_created.connect(_narrow_sqlite_files, dispatch_uid="logitrack.core.sqlite_mode")
