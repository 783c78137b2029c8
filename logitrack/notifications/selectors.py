"""Reads of the notifications app, scoped to the principal (fail closed: nothing without
``alerts.receive``)."""

from __future__ import annotations

from django.db.models import QuerySet

from logitrack.notifications.models import Notification, Subscription
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Permission
from logitrack.tracking.models import Device, Geofence

# Devices that report positions, the only ones that can go offline, speed or cross a geofence.
POSITION_DEVICE_KINDS = ("gps_tracker", "phone")


def _membership_id(principal: Principal) -> int | None:
    if principal.membership is None or not principal.has(Permission.ALERTS_RECEIVE):
        return None
    return int(principal.membership.pk)


def notifications_of(*, principal: Principal, limit: int = 100) -> list[Notification]:
    """The principal's newest notifications with their device and geofence."""
    membership_id = _membership_id(principal)
    if membership_id is None:
        return []
    return list(
        Notification.objects.filter(membership_id=membership_id)
        .select_related("device", "geofence", "geofence_event")
        .order_by("-created_at", "-pk")[:limit]
    )


def unread_count(*, principal: Principal) -> int:
    """How many of the principal's notifications are unread (0 without the permission)."""
    membership_id = _membership_id(principal)
    if membership_id is None:
        return 0
    return Notification.objects.filter(membership_id=membership_id, read_at__isnull=True).count()


def subscriptions_of(*, principal: Principal) -> dict[str, Subscription]:
    """The principal's subscriptions by kind."""
    membership_id = _membership_id(principal)
    if membership_id is None:
        return {}
    rows = Subscription.objects.filter(membership_id=membership_id)
    return {row.kind: row for row in rows}


def alert_devices(*, principal: Principal) -> QuerySet[Device]:
    """The tenant's devices that report positions, by name: what a filter may name."""
    if principal.tenant_id is None or _membership_id(principal) is None:
        return Device.objects.none()
    return Device.objects.filter(
        tenant_id=principal.tenant_id, kind__in=POSITION_DEVICE_KINDS
    ).order_by("name", "pk")


def alert_geofences(*, principal: Principal) -> QuerySet[Geofence]:
    """The tenant's geofences, by name."""
    if principal.tenant_id is None or _membership_id(principal) is None:
        return Geofence.objects.none()
    return Geofence.objects.filter(tenant_id=principal.tenant_id).order_by("name", "pk")
