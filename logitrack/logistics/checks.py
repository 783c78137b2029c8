"""System checks of the logistics app.

- logistics.E001 (database): a usable demo API key (``demo.DEMO_KEY_NAME``) exists while the
  demo is not allowed, i.e. under the production settings. Demo keys are handed out in
  ``demo.json``; a database copied from a laptop must not carry one into production. Run with
  ``logitrack check --database default`` (Django runs database checks only when asked).
"""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, Tags, register
from django.db import DatabaseError
from django.utils import timezone


@register(Tags.database)
def check_no_demo_key_in_production(
    app_configs: Any = None, databases: Any = None, **kwargs: Any
) -> list[CheckMessage]:
    from logitrack.core.demo import demo_allowed
    from logitrack.logistics.demo import DEMO_KEY_NAME
    from logitrack.tenancy.models import ApiKey

    if not databases or demo_allowed():
        return []
    try:
        found = ApiKey.dangerously_unscoped.filter(
            name=DEMO_KEY_NAME, revoked_at__isnull=True, expires_at__gt=timezone.now()
        ).count()
    except DatabaseError:
        return []  # not migrated yet: nothing to find
    if not found:
        return []
    return [
        Error(
            f"{found} demo API key(s) are usable under the production settings.",
            hint="Revoke them (Settings, API keys), or load this database only in development.",
            id="logistics.E001",
        )
    ]
