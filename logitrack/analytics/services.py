"""Writes of usage analytics: record a page view, delete what is past retention.

A page view is not audited (it is itself the record, and auditing it would copy it into a chain
that is kept longer); the retention run is, with the number of rows it deleted.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from logitrack.analytics.models import RETENTION_DAYS, PageView, ScreenClass
from logitrack.analytics.visitor import pseudonym
from logitrack.security.actors import Actor
from logitrack.security.services import audit_record


def truncate_to_minute(moment: dt.datetime) -> dt.datetime:
    return moment.replace(second=0, microsecond=0)


def page_view_record(
    *,
    route: str,
    referrer_route: str,
    screen: ScreenClass,
    user_agent_family: str,
    visitor_id: str,
    tenant_id: int | None,
    now: dt.datetime | None = None,
) -> PageView:
    """Store one page view: the minute, route names, screen class, browser family, the daily
    pseudonym of ``visitor_id`` (never the id itself) and the company if one is signed in.

    The caller has checked the visitor's analytics consent; nothing here sees an IP address.
    """
    moment = now or timezone.now()
    view = PageView(
        occurred_at=truncate_to_minute(moment),
        route=route,
        referrer_route=referrer_route,
        screen=screen,
        browser=user_agent_family,
        visitor=pseudonym(visitor_id, moment),
        tenant_id=tenant_id,
    )
    view.full_clean()
    view.save()
    return view


def page_views_purge(*, actor: Actor, now: dt.datetime | None = None) -> int:
    """Delete page views older than RETENTION_DAYS (twelve months) and audit how many went.

    Returns the number of rows deleted. Rows at exactly the cut-off stay (strictly older go).
    """
    cutoff = (now or timezone.now()) - dt.timedelta(days=RETENTION_DAYS)
    with transaction.atomic():
        deleted, _ = PageView.objects.filter(occurred_at__lt=cutoff).delete()
        audit_record(
            action="analytics_retention_run",
            actor=actor,
            object_type="analytics.pageview",
            details={"deleted": deleted, "retention_days": RETENTION_DAYS},
        )
    return deleted
