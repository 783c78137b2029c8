"""The ``logitrack`` console script: Django's management commands under Logitrack's name.

``logitrack serve`` runs the HTTPS server, ``logitrack check`` the system checks, and so on; with
no DJANGO_SETTINGS_MODULE set, the embedded defaults (``config.settings.local``) apply.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    from django.core.management import execute_from_command_line

    args = sys.argv[1:] if argv is None else argv
    execute_from_command_line(["logitrack", *args])


if __name__ == "__main__":
    main()
