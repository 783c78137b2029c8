"""Creating notifications for a tenant's subscribers, and marking them read.

``notify`` is called by the producers with the tenant bound. Each subscriber gets at most one
notification per ``source_key`` (a unique constraint, so a second run or a concurrent worker
adds nothing), and, when their subscription says so, one e-mail, queued once the transaction
commits.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from logitrack.notifications.errors import NotAllowed
from logitrack.notifications.models import EmailDelivery, Notification
from logitrack.notifications.recipients import may_receive, subscribers
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Permission


@dataclass(frozen=True)
class Happening:
    """What a producer saw: its kind, the key that makes it once-only, the device, when, and
    the geofence (geofence kinds) or speed and limit (overspeed)."""

    kind: str
    source_key: str
    device_id: int
    occurred_at: dt.datetime
    geofence_id: int | None = None
    geofence_event_id: int | None = None
    speed_kmh: int | None = None
    limit_kmh: int | None = None


def notify(*, happening: Happening) -> list[Notification]:
    """Create the notifications of ``happening`` for the bound tenant's subscribers; returns
    those created now (none for people notified of it already)."""
    from logitrack.notifications.tasks import notification_email_send

    created: list[Notification] = []
    for subscription in subscribers(
        kind=happening.kind, device_id=happening.device_id, geofence_id=happening.geofence_id
    ):
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    membership=subscription.membership,
                    kind=happening.kind,
                    source_key=happening.source_key,
                    device_id=happening.device_id,
                    geofence_id=happening.geofence_id,
                    geofence_event_id=happening.geofence_event_id,
                    occurred_at=happening.occurred_at,
                    speed_kmh=happening.speed_kmh,
                    limit_kmh=happening.limit_kmh,
                )
                if subscription.email:
                    delivery = EmailDelivery.objects.create(notification=notification)
                    transaction.on_commit(
                        functools.partial(
                            notification_email_send.enqueue, delivery.tenant_id, delivery.pk
                        )
                    )
        except IntegrityError:
            continue  # notified of it already
        created.append(notification)
    return created


def _member(principal: Principal) -> int:
    membership = principal.membership
    if (
        membership is None
        or principal.user is None
        or not principal.has(Permission.ALERTS_RECEIVE)
        or not may_receive(membership)
    ):
        raise NotAllowed()
    return int(membership.pk)


def notification_mark_read(*, principal: Principal, notification: Notification) -> Notification:
    """Mark the principal's own ``notification`` read (idempotent: the first time is kept)."""
    if notification.membership_id != _member(principal):
        raise NotAllowed()
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def notifications_mark_all_read(*, principal: Principal) -> int:
    """Mark every unread notification of the principal read; how many were."""
    membership_id = _member(principal)
    return Notification.objects.filter(membership_id=membership_id, read_at__isnull=True).update(
        read_at=timezone.now()
    )
