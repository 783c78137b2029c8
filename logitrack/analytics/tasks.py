"""Background work of usage analytics (docs/adr/0009): the daily retention run."""

from __future__ import annotations

from django_tasks import task

from logitrack.analytics.services import page_views_purge
from logitrack.security.actors import Actor


@task()
def analytics_retention_run() -> int:
    """Delete page views older than twelve months; the number deleted."""
    return page_views_purge(actor=Actor.system("analytics_retention"))
