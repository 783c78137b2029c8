"""Background work of the logistics app: shipments that move by themselves (ADR 0057)."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from logitrack.core.schedule import periodic
from logitrack.logistics.services.arrivals import (
    shipments_offer_by_distance,
    tenants_out_for_delivery,
)
from logitrack.logistics.services.geofence_moves import geofence_moves_apply


@periodic("logistics.geofence_moves", every=timedelta(minutes=1))
@task()
def geofence_moves_run() -> int:
    """Apply the geofence events not applied yet, then offer "delivered?" where a carrier's
    device is near the destination; the number of shipment events and offers written."""
    applied = geofence_moves_apply()
    offered = sum(shipments_offer_by_distance(tenant_id=t) for t in tenants_out_for_delivery())
    return applied.moved + applied.offered + offered
