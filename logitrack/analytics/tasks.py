"""Background work of usage analytics (docs/adr/0009): the daily retention run."""

from __future__ import annotations

from datetime import time

from django_tasks import task

from logitrack.analytics.services import page_views_purge
from logitrack.core.schedule import periodic
from logitrack.security.actors import Actor


@periodic("analytics.retention", daily_at=time(3, 0))
@task()
def analytics_retention_run() -> int:
    """Delete page views older than twelve months; the number deleted."""
    return page_views_purge(actor=Actor.system("analytics_retention"))
