"""Who receives a notification: the one rule, applied when it is created and again when its
e-mail is sent (a member removed or demoted in between receives nothing more)."""

from __future__ import annotations

from logitrack.notifications.models import GEOFENCE_KINDS, Subscription
from logitrack.tenancy.models import Membership
from logitrack.tenancy.roles import Permission, has_permission


def may_receive(membership: Membership) -> bool:
    """An active person whose account level in an active tenant holds ``alerts.receive``."""
    return (
        membership.user.is_active
        and membership.tenant.is_active
        and has_permission(membership.role, Permission.ALERTS_RECEIVE)
    )


def subscribers(*, kind: str, device_id: int, geofence_id: int | None) -> list[Subscription]:
    """The bound tenant's subscriptions of ``kind`` that match the device (and the geofence for
    geofence kinds), of members who may receive them; with membership, user and tenant."""
    rows = (
        Subscription.objects.filter(kind=kind)
        .select_related("membership__user", "membership__tenant")
        .order_by("pk")
    )
    chosen: list[Subscription] = []
    for row in rows:
        if row.device_id is not None and row.device_id != device_id:
            continue
        if (
            kind in GEOFENCE_KINDS
            and row.geofence_id is not None
            and row.geofence_id != geofence_id
        ):
            continue
        if may_receive(row.membership):
            chosen.append(row)
    return chosen
