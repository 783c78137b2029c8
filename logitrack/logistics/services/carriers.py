"""Who carries a shipment: a vehicle, a driver (their phone), both or neither (ADR 0057).

The devices whose open assignment is that vehicle or driver are the shipment's devices: their
geofence events move it (``services.geofence_moves``) and their latest position is what public
tracking shows, coarsely. The history of assignments is the audit chain's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from logitrack.logistics.actors import Caller, audit_actor
from logitrack.logistics.errors import CarrierInvalid, CarrierNotChangeable
from logitrack.logistics.models import Shipment
from logitrack.logistics.services._common import require
from logitrack.logistics.status import FINAL_STATUSES, ShipmentStatus
from logitrack.tenancy.roles import Permission

if TYPE_CHECKING:
    from logitrack.tracking.models import Driver, Vehicle


def shipment_assign_carrier(
    *,
    actor: Caller,
    shipment: Shipment,
    vehicle: Vehicle | None = None,
    driver: Driver | None = None,
    request: HttpRequest | None = None,
) -> Shipment:
    """Give ``shipment`` to ``vehicle`` and/or ``driver`` (both None: to nobody).

    Invariants: needs ``operations.manage``; the vehicle and the driver must be active and of the
    shipment's tenant (else CarrierInvalid, 422); a final shipment (delivered, returned,
    cancelled) keeps its carrier (CarrierNotChangeable, 409); the same carrier again changes
    nothing and writes no audit entry; otherwise ``carrier_assigned_at`` is now and the audit
    entry (before and after) commits with the change. Geofence events before
    ``carrier_assigned_at`` never move the shipment.
    """
    from logitrack.security.services import audit_record

    tenant_id = require(actor, Permission.OPERATIONS_MANAGE)
    if shipment.tenant_id != tenant_id:
        raise CarrierInvalid(field="shipment")
    if vehicle is not None and (vehicle.tenant_id != tenant_id or not vehicle.active):
        raise CarrierInvalid(field="vehicle")
    if driver is not None and (driver.tenant_id != tenant_id or not driver.active):
        raise CarrierInvalid(field="driver")
    vehicle_id = vehicle.pk if vehicle is not None else None
    driver_id = driver.pk if driver is not None else None
    with transaction.atomic():
        locked: Shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
        if ShipmentStatus(locked.status) in FINAL_STATUSES:
            raise CarrierNotChangeable()
        before = (locked.carrier_vehicle_id, locked.carrier_driver_id)
        if before == (vehicle_id, driver_id):
            return locked
        locked.carrier_vehicle_id = vehicle_id
        locked.carrier_driver_id = driver_id
        locked.carrier_assigned_at = timezone.now() if (vehicle_id or driver_id) else None
        locked.save(update_fields=["carrier_vehicle", "carrier_driver", "carrier_assigned_at"])
        audit_record(
            action="shipment_carrier_assigned",
            actor=audit_actor(actor),
            tenant_id=tenant_id,
            object_type="shipment",
            object_id=str(locked.pk),
            details={
                "vehicle_id": vehicle_id,
                "driver_id": driver_id,
                "vehicle_id_before": before[0],
                "driver_id_before": before[1],
            },
            request=request,
        )
    return locked
