"""Vehicles and drivers: the records a device is assigned to (issue 8, point 1).

Both need ``operations.manage``, are atomic and audited in the same transaction; a refused call
raises a ``TrackingError`` before anything is written.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from logitrack.tenancy.audit import actor_of
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Permission
from logitrack.tracking.errors import InvalidDeviceField, NotAllowed, PlateTaken
from logitrack.tracking.models import Driver, Vehicle


def _tenant(principal: Principal) -> int:
    if principal.tenant_id is None or not principal.has(Permission.OPERATIONS_MANAGE):
        raise NotAllowed()
    return principal.tenant_id


def _audit(principal: Principal, action: str, object_type: str, pk: int, tenant_id: int) -> None:
    from logitrack.security.services import audit_record

    audit_record(
        action=action,
        actor=actor_of(principal),
        tenant_id=tenant_id,
        object_type=object_type,
        object_id=str(pk),
    )


def vehicle_create(*, principal: Principal, plate: str, label: str = "") -> Vehicle:
    """A vehicle of the principal's tenant; ``plate`` (1-20 characters, already normalised by
    the form or schema) is unique within the tenant (PlateTaken otherwise)."""
    tenant_id = _tenant(principal)
    plate = plate.strip().upper()
    if not 0 < len(plate) <= 20 or len(label) > 100:
        raise InvalidDeviceField(field="plate")
    if Vehicle.objects.filter(tenant_id=tenant_id, plate=plate).exists():
        raise PlateTaken()
    try:
        with transaction.atomic():
            vehicle = Vehicle(tenant_id=tenant_id, plate=plate, label=label)
            vehicle.save()
            _audit(principal, "vehicle_created", "tracking.vehicle", vehicle.pk, tenant_id)
    except IntegrityError as exc:
        raise PlateTaken() from exc
    return vehicle


def driver_create(*, principal: Principal, full_name: str) -> Driver:
    """A driver of the principal's tenant (1-150 characters, normalised by the form)."""
    tenant_id = _tenant(principal)
    if not 0 < len(full_name) <= 150:
        raise InvalidDeviceField(field="full_name")
    with transaction.atomic():
        driver = Driver(tenant_id=tenant_id, full_name=full_name)
        driver.save()
        _audit(principal, "driver_created", "tracking.driver", driver.pk, tenant_id)
    return driver
