"""The producers: periodic passes that turn what the tracking app recorded into notifications.

- Geofence enter and exit: each ``GeofenceEvent`` (the table is the contract with the geofence
  engine) derived in the last ``GEOFENCE_LOOKBACK`` is handled once (``GeofenceEventHandled``,
  written in the same transaction as its notifications); a retracted event is handled without
  notifying anyone.
- Device offline: a GPS tracker or phone, enabled, last seen more than ``ONLINE_WINDOW_SECONDS``
  ago (and within ``OFFLINE_LOOKBACK``) notifies once per offline spell: the spell is named by
  its ``last_seen_at``, so only a new report followed by a new silence notifies again.
- Overspeed: the positions of each device are read once, in fix-time order, from the cursor
  ``DeviceWatch.speed_checked_to``; a plausible fix (``tracking.geo.fixes``, the one rule)
  whose speed is above the tenant's ``overspeed_kmh`` starts a spell and notifies; the spell
  ends when a plausible fix is at or below the limit less ``OVERSPEED_RESET_MARGIN_KMH``, so a
  vehicle hovering at the limit is notified once. Positions arriving after the cursor passed
  their fix time (a phone's offline buffer replayed) are not checked: an overspeed hours ago is
  history, not an alert.

Every function here runs with the tenant bound (``producers_run`` binds each in turn).
"""

from __future__ import annotations

import datetime as dt
import logging

import numpy as np
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from logitrack.core.tenant import tenant_context
from logitrack.notifications.models import (
    DeliveryStatus,
    DeviceWatch,
    EmailDelivery,
    GeofenceEventHandled,
    NotificationKind,
    Subscription,
)
from logitrack.notifications.selectors import POSITION_DEVICE_KINDS
from logitrack.notifications.services.notifications import Happening, notify
from logitrack.tracking.geo.fixes import plausible
from logitrack.tracking.models import (
    Device,
    GeofenceEvent,
    Position,
    TenantDeviceSettings,
)
from logitrack.tracking.models.devices import ONLINE_WINDOW_SECONDS

logger = logging.getLogger("logitrack.notifications")

GEOFENCE_LOOKBACK = dt.timedelta(hours=24)
OFFLINE_LOOKBACK = dt.timedelta(hours=24)
OVERSPEED_LOOKBACK = dt.timedelta(hours=1)
OVERSPEED_RESET_MARGIN_KMH = 5
BATCH = 5000
# A queued e-mail not claimed this long after it was created is queued again (a lost job).
DELIVERY_REQUEUE_AFTER = dt.timedelta(minutes=2)
DELIVERY_MAX_ATTEMPTS = 3
KMH_PER_MPS = 3.6


def geofence_events_notify(*, now: dt.datetime) -> int:
    """Handle the bound tenant's unhandled geofence events; the notifications created."""
    handled = GeofenceEventHandled.objects.filter(event_id=OuterRef("pk"))
    events = list(
        GeofenceEvent.objects.filter(created_at__gte=now - GEOFENCE_LOOKBACK)
        .exclude(Exists(handled))
        .order_by("created_at", "pk")[:BATCH]
    )
    created = 0
    for event in events:
        try:
            with transaction.atomic():
                GeofenceEventHandled.objects.create(event=event, handled_at=now)
                # Read again under the handled row: a retraction committed meanwhile counts.
                retracted = GeofenceEvent.objects.filter(
                    pk=event.pk, retracted_at__isnull=False
                ).exists()
                if retracted:
                    continue
                kind = (
                    NotificationKind.GEOFENCE_ENTER
                    if event.kind == "enter"
                    else NotificationKind.GEOFENCE_EXIT
                )
                created += len(
                    notify(
                        happening=Happening(
                            kind=kind,
                            source_key=f"geofence_event:{event.pk}",
                            device_id=event.device_id,
                            occurred_at=event.fix_time,
                            geofence_id=event.geofence_id,
                            geofence_event_id=event.pk,
                        )
                    )
                )
        except IntegrityError:
            continue  # another worker handled it
    return created


def devices_offline_notify(*, now: dt.datetime) -> int:
    """Notify each offline spell of the bound tenant's devices once; the notifications created."""
    cutoff = now - dt.timedelta(seconds=ONLINE_WINDOW_SECONDS)
    notified = DeviceWatch.objects.filter(
        device_id=OuterRef("pk"), offline_notified_for=OuterRef("last_seen_at")
    )
    devices = list(
        Device.objects.filter(
            kind__in=POSITION_DEVICE_KINDS,
            enabled=True,
            last_seen_at__lt=cutoff,
            last_seen_at__gte=now - OFFLINE_LOOKBACK,
        )
        .exclude(Exists(notified))
        .order_by("pk")
        .values_list("pk", "last_seen_at")[:BATCH]
    )
    created = 0
    for device_id, last_seen_at in devices:
        with transaction.atomic():
            DeviceWatch.objects.get_or_create(device_id=device_id)
            watch = DeviceWatch.objects.select_for_update().get(device_id=device_id)
            if watch.offline_notified_for == last_seen_at:
                continue  # another worker notified this spell
            watch.offline_notified_for = last_seen_at
            watch.save(update_fields=["offline_notified_for"])
            created += len(
                notify(
                    happening=Happening(
                        kind=NotificationKind.DEVICE_OFFLINE,
                        source_key=f"offline:{device_id}:{int(last_seen_at.timestamp())}",
                        device_id=device_id,
                        occurred_at=last_seen_at,
                    )
                )
            )
    return created


def _speed_check_device(
    *, device_id: int, now: dt.datetime, limit_kmh: int, max_plausible_kmh: int
) -> int:
    """Check one device's new positions for overspeed under its watch row's lock."""
    created = 0
    with transaction.atomic():
        DeviceWatch.objects.get_or_create(device_id=device_id)
        watch = DeviceWatch.objects.select_for_update().get(device_id=device_id)
        floor = now - OVERSPEED_LOOKBACK
        start = max(watch.speed_checked_to or floor, floor)
        fields = ("fix_time", "latitude", "longitude", "speed", "valid")
        rows = list(
            Position.objects.filter(device_id=device_id, fix_time__gt=start, fix_time__lte=now)
            .order_by("fix_time")
            .values_list(*fields)[:BATCH]
        )
        if not rows:
            return 0
        # The last fix before the cursor anchors the plausibility rule's first step.
        anchor = list(
            Position.objects.filter(device_id=device_id, fix_time__lte=start, valid=True)
            .order_by("-fix_time")
            .values_list(*fields)[:1]
        )
        series = anchor + rows
        accepted = plausible(
            np.array([row[0].timestamp() for row in series], dtype=np.float64),
            np.array([row[1] for row in series], dtype=np.float64),
            np.array([row[2] for row in series], dtype=np.float64),
            np.array([row[4] for row in series], dtype=np.bool_),
            max_speed_mps=max_plausible_kmh / KMH_PER_MPS,
        ).tolist()[len(anchor) :]
        for (fix_time, _lat, _lon, speed, _valid), ok in zip(rows, accepted, strict=True):
            if not ok or speed is None:
                continue
            kmh = speed * KMH_PER_MPS
            if kmh > limit_kmh and watch.overspeed_since is None:
                watch.overspeed_since = fix_time
                created += len(
                    notify(
                        happening=Happening(
                            kind=NotificationKind.OVERSPEED,
                            source_key=f"overspeed:{device_id}:{int(fix_time.timestamp() * 1000)}",
                            device_id=device_id,
                            occurred_at=fix_time,
                            speed_kmh=round(kmh),
                            limit_kmh=limit_kmh,
                        )
                    )
                )
            elif kmh <= limit_kmh - OVERSPEED_RESET_MARGIN_KMH:
                watch.overspeed_since = None
        watch.speed_checked_to = rows[-1][0]
        watch.save(update_fields=["speed_checked_to", "overspeed_since"])
    return created


def overspeed_notify(*, now: dt.datetime) -> int:
    """Check the bound tenant's devices' new positions for overspeed (nothing while the
    tenant's ``overspeed_kmh`` is unset); the notifications created."""
    settings = TenantDeviceSettings.objects.first()
    if settings is None or settings.overspeed_kmh is None:
        return 0
    device_ids = list(
        Device.objects.filter(
            kind__in=POSITION_DEVICE_KINDS,
            enabled=True,
            latest__fix_time__gt=now - OVERSPEED_LOOKBACK,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return sum(
        _speed_check_device(
            device_id=device_id,
            now=now,
            limit_kmh=settings.overspeed_kmh,
            max_plausible_kmh=settings.max_plausible_speed_kmh,
        )
        for device_id in device_ids
    )


def deliveries_requeue(*, now: dt.datetime) -> int:
    """Queue again the bound tenant's e-mails still waiting ``DELIVERY_REQUEUE_AFTER`` after
    they were created (their job was lost, or the mail server failed); their number."""
    from logitrack.notifications.tasks import notification_email_send

    waiting = list(
        EmailDelivery.objects.filter(
            status=DeliveryStatus.PENDING,
            created_at__lt=now - DELIVERY_REQUEUE_AFTER,
            attempts__lt=DELIVERY_MAX_ATTEMPTS,
        )
        .order_by("pk")
        .values_list("tenant_id", "pk")[:BATCH]
    )
    for tenant_id, delivery_id in waiting:
        notification_email_send.enqueue(tenant_id, delivery_id)
    return len(waiting)


PRODUCERS = {
    NotificationKind.GEOFENCE_ENTER: geofence_events_notify,
    NotificationKind.GEOFENCE_EXIT: geofence_events_notify,
    NotificationKind.DEVICE_OFFLINE: devices_offline_notify,
    NotificationKind.OVERSPEED: overspeed_notify,
}


def producers_run(*, now: dt.datetime | None = None) -> int:
    """Run, for every tenant with subscribers, the producers of the kinds subscribed, then
    queue again the e-mails left waiting; the notifications created. A failing tenant is
    logged and the others still run."""
    current = now if now is not None else timezone.now()
    kinds_by_tenant: dict[int, set[str]] = {}
    for tenant_id, kind in Subscription.dangerously_unscoped.values_list(
        "tenant_id", "kind"
    ).distinct():
        kinds_by_tenant.setdefault(tenant_id, set()).add(kind)
    waiting = set(
        EmailDelivery.dangerously_unscoped.filter(status=DeliveryStatus.PENDING).values_list(
            "tenant_id", flat=True
        )
    )
    created = 0
    for tenant_id in sorted(set(kinds_by_tenant) | waiting):
        with tenant_context(tenant_id):
            producers = {PRODUCERS[NotificationKind(k)] for k in kinds_by_tenant.get(tenant_id, ())}
            for producer in sorted(producers, key=lambda p: p.__name__):
                try:
                    created += producer(now=current)
                except Exception:
                    logger.exception(
                        "notification producer failed",
                        extra={"producer": producer.__name__, "tenant_id": tenant_id},
                    )
            deliveries_requeue(now=current)
    return created
