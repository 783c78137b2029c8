"""What the notifications app stores, for the data inventory (logitrack.privacy).

A subscription is the member's own setting. A notification tells a member that a device entered
or left a geofence, went offline or drove too fast, and when: for a driver's phone or vehicle
that is where and how the driver was at that time, so its time, place and speed are classified
like the geofence events and positions they come from (location, sensitive), although no
coordinates are copied. The e-mail log keeps no address. The producers' state is about devices.
"""

from __future__ import annotations

from logitrack.privacy.inventory import (
    Erasure,
    FieldClass,
    LegalBasis,
    Purpose,
    Retention,
    Subject,
    not_personal,
    register,
)

_TENANT_DATA = Retention.TENANT_LIFETIME_PLUS_30D
_OPS = not_personal(retention=_TENANT_DATA)


def _member(category: str) -> FieldClass:
    return FieldClass(
        category=category,
        subject=Subject.USER,
        purpose=Purpose.PROVIDE_SERVICE,
        basis=LegalBasis.CONTRACT,
        retention=Retention.ACCOUNT_LIFETIME_PLUS_30D,
        erasure=Erasure.DELETE,
    )


_DRIVER_WHEN_WHERE = FieldClass(
    category="user.location.imprecise",
    subject=Subject.DRIVER,
    purpose=Purpose.PROVIDE_SERVICE,
    basis=LegalBasis.CONTRACT,
    retention=_TENANT_DATA,
    erasure=Erasure.DELETE,
    sensitive=True,
)
_DRIVER_BEHAVIOUR = FieldClass(
    category="user.behavior",
    subject=Subject.DRIVER,
    purpose=Purpose.PROVIDE_SERVICE,
    basis=LegalBasis.CONTRACT,
    retention=_TENANT_DATA,
    erasure=Erasure.DELETE,
    sensitive=True,
)

register(
    "notifications.Subscription",
    {
        "id": _OPS,
        "tenant": _OPS,
        "membership": _member("user.unique_id"),
        "kind": _member("user.account.settings"),
        "device": _member("user.account.settings"),
        "geofence": _member("user.account.settings"),
        "email": _member("user.account.settings"),
        "created_at": _OPS,
    },
)
register(
    "notifications.Notification",
    {
        "id": _OPS,
        "tenant": _OPS,
        "membership": _member("user.unique_id"),
        "kind": _DRIVER_WHEN_WHERE,
        "source_key": _OPS,
        "device": _OPS,
        "geofence": _DRIVER_WHEN_WHERE,
        "geofence_event": _DRIVER_WHEN_WHERE,
        "occurred_at": _DRIVER_WHEN_WHERE,
        "speed_kmh": _DRIVER_BEHAVIOUR,
        "limit_kmh": _OPS,
        "created_at": _OPS,
        "read_at": _member("user.behavior"),
    },
)
register(
    "notifications.EmailDelivery",
    {
        name: _OPS
        for name in (
            "id",
            "tenant",
            "notification",
            "status",
            "attempts",
            "error",
            "created_at",
            "sent_at",
        )
    },
)
register(
    "notifications.GeofenceEventHandled",
    {name: _OPS for name in ("tenant", "event", "handled_at")},
)
register(
    "notifications.DeviceWatch",
    {
        "tenant": _OPS,
        "device": _OPS,
        "offline_notified_for": _OPS,
        "speed_checked_to": _OPS,
        "overspeed_since": _DRIVER_BEHAVIOUR,
    },
)
