"""Background work of the notifications app: the producers, every minute, and one job per
e-mail. A job's arguments are ids only (the queue holds no address or place)."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from logitrack.core.schedule import periodic
from logitrack.core.tenant import tenant_context


@periodic("notifications.produce", every=timedelta(minutes=1))
@task()
def notifications_produce() -> int:
    """Turn new geofence events, offline spells and overspeeds into notifications (and queue
    again e-mails left waiting); the number of notifications created."""
    from logitrack.notifications.services.producers import producers_run

    return producers_run()


@task()
def notification_email_send(tenant_id: int, delivery_id: int) -> bool:
    """Send e-mail delivery ``delivery_id`` of tenant ``tenant_id``; True when a message left."""
    from logitrack.notifications.services.emails import delivery_send

    with tenant_context(tenant_id):
        return delivery_send(delivery_id)
