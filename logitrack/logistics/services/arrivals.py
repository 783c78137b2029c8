"""Arrival near the destination by distance (ADR 0057): a shipment out for delivery whose
device's latest position is within the tenant's ``arrival_radius_m`` of the order's geocoded
delivery point is offered "delivered?" to its driver. Never a delivery: proof of delivery
still decides. (Entering a customer site's geofence offers it too: ``geofence_moves``.)

Only a position fixed after the shipment went out for delivery, and after it was given to its
carrier, counts: yesterday's position at this consignee's street says nothing about today.
"""

from __future__ import annotations

from django.db.models import F, Q

from logitrack.core.tenant import tenant_context
from logitrack.logistics.actors import SystemCaller
from logitrack.logistics.models import Shipment
from logitrack.logistics.services.geofence_moves import shipment_offer_delivery
from logitrack.logistics.status import DeliveryOfferReason, ShipmentStatus

SYSTEM_NAME = "arrival"


def _waiting(tenant_id: int) -> list[Shipment]:
    """Out for delivery, with a carrier and a geocoded destination, and no offer yet since
    going out."""
    return list(
        Shipment.objects.filter(
            Q(carrier_vehicle__isnull=False) | Q(carrier_driver__isnull=False),
            tenant_id=tenant_id,
            status=ShipmentStatus.OUT_FOR_DELIVERY,
            order__delivery_latitude__isnull=False,
            order__delivery_longitude__isnull=False,
        )
        .filter(
            Q(delivery_offered_at__isnull=True) | Q(delivery_offered_at__lt=F("status_changed_at"))
        )
        .select_related("order")
        .order_by("pk")
    )


def shipments_offer_by_distance(*, tenant_id: int) -> int:
    """Offer "delivered?" on the tenant's shipments whose device is near the destination; the
    number of offers made."""
    from logitrack.tracking.geo.fixes import distance_m
    from logitrack.tracking.selectors_carriers import (
        carrier_devices,
        geo_move_settings,
        latest_positions,
    )

    caller = SystemCaller(tenant_id, SYSTEM_NAME)
    offered = 0
    with tenant_context(tenant_id):
        radius = geo_move_settings(tenant_id=tenant_id).arrival_radius_m
        for shipment in _waiting(tenant_id):
            order = shipment.order
            assert order.delivery_latitude is not None
            assert order.delivery_longitude is not None
            devices = carrier_devices(
                tenant_id=tenant_id,
                vehicle_id=shipment.carrier_vehicle_id,
                driver_id=shipment.carrier_driver_id,
            )
            assigned = shipment.carrier_assigned_at or shipment.status_changed_at
            since = max(shipment.status_changed_at, assigned)
            for latest in latest_positions(tenant_id=tenant_id, device_ids=devices):
                if latest.fix_time < since:
                    continue
                near = distance_m(
                    latest.latitude,
                    latest.longitude,
                    float(order.delivery_latitude),
                    float(order.delivery_longitude),
                )
                if near <= radius:
                    offered += shipment_offer_delivery(
                        actor=caller,
                        shipment=shipment,
                        at=latest.fix_time,
                        reason=DeliveryOfferReason.DISTANCE,
                    )
                    break
    return offered


def tenants_out_for_delivery() -> list[int]:
    """Ids of the tenants with shipments out for delivery on a carrier (the periodic job's
    round; read across tenants, ids only)."""
    rows = (
        Shipment.dangerously_unscoped.filter(
            Q(carrier_vehicle__isnull=False) | Q(carrier_driver__isnull=False),
            status=ShipmentStatus.OUT_FOR_DELIVERY,
        )
        .values_list("tenant_id", flat=True)
        .distinct()
    )
    return sorted(set(rows))
