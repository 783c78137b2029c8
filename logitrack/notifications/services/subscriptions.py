"""A member's own subscriptions: which kinds of alert, about which device or geofence, and
whether by e-mail too.

Only members holding ``alerts.receive`` subscribe, each for themselves; a device or geofence
filter must be one of the member's tenant's (another tenant's id is refused like a missing one).
Saving replaces the member's whole choice in one transaction and writes one audit entry.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from logitrack.notifications.errors import NotAllowed, SubscriptionInvalid
from logitrack.notifications.models import GEOFENCE_KINDS, NotificationKind, Subscription
from logitrack.notifications.recipients import may_receive
from logitrack.notifications.selectors import alert_devices, alert_geofences
from logitrack.tenancy.audit import actor_of
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Permission


@dataclass(frozen=True)
class SubscriptionChoice:
    kind: str
    email: bool = False
    device_id: int | None = None
    geofence_id: int | None = None


def subscriptions_set(
    *, principal: Principal, choices: list[SubscriptionChoice]
) -> list[Subscription]:
    """Make ``choices`` the principal's subscriptions (one per kind; kinds left out are ended).

    Raises NotAllowed without ``alerts.receive`` (or for an API key), SubscriptionInvalid for an
    unknown kind, a repeated kind, a geofence filter on a kind that is not about geofences, or
    a device or geofence that is not the tenant's. Audit action:
    ``notification_subscriptions_changed`` (the kinds, no filter ids).
    """
    membership = principal.membership
    if (
        membership is None
        or principal.user is None
        or not principal.has(Permission.ALERTS_RECEIVE)
        or not may_receive(membership)
    ):
        raise NotAllowed()
    kinds = [choice.kind for choice in choices]
    if len(set(kinds)) != len(kinds) or not set(kinds) <= set(NotificationKind.values):
        raise SubscriptionInvalid()
    device_ids = set(alert_devices(principal=principal).values_list("pk", flat=True))
    geofence_ids = set(alert_geofences(principal=principal).values_list("pk", flat=True))
    for choice in choices:
        if choice.device_id is not None and choice.device_id not in device_ids:
            raise SubscriptionInvalid(field="device")
        if choice.geofence_id is not None and (
            choice.kind not in GEOFENCE_KINDS or choice.geofence_id not in geofence_ids
        ):
            raise SubscriptionInvalid(field="geofence")
    from logitrack.security.services import audit_record

    with transaction.atomic():
        Subscription.objects.filter(membership=membership).exclude(kind__in=kinds).delete()
        saved: list[Subscription] = []
        for choice in choices:
            row, _created = Subscription.objects.update_or_create(
                membership=membership,
                kind=choice.kind,
                defaults={
                    "email": choice.email,
                    "device_id": choice.device_id,
                    "geofence_id": choice.geofence_id,
                },
            )
            saved.append(row)
        audit_record(
            action="notification_subscriptions_changed",
            actor=actor_of(principal),
            tenant_id=principal.tenant_id,
            object_type="tenancy.membership",
            object_id=str(membership.pk),
            details={"kinds": sorted(kinds), "email": sorted(c.kind for c in choices if c.email)},
        )
    return saved
