"""Creating shippers (the tenant's customers who send goods)."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest

from logitrack.logistics.actors import Caller, audit_actor
from logitrack.logistics.errors import AddressInvalid
from logitrack.logistics.inputs import ShipperInput
from logitrack.logistics.models import Shipper
from logitrack.logistics.services._common import clean_units, require
from logitrack.tenancy.roles import Permission


def shipper_create(
    *, actor: Caller, data: ShipperInput, request: HttpRequest | None = None
) -> Shipper:
    """Create a shipper of the caller's tenant.

    Invariants: needs ``operations.manage``; the commune must lie in the province
    (AddressInvalid, nothing saved); the audit entry holds no contact data.
    """
    from logitrack.security.services import audit_record

    tenant_id = require(actor, Permission.OPERATIONS_MANAGE)
    address = data.address
    clean_units(
        address.province_code, address.ward_code, field="address.ward_code", error=AddressInvalid
    )
    with transaction.atomic():
        shipper = Shipper(
            tenant_id=tenant_id,
            name=data.name,
            phone=data.phone or "",
            email=data.email or "",
            street=address.street,
            ward_code=address.ward_code,
            province_code=address.province_code,
        )
        shipper.save(force_insert=True)
        audit_record(
            action="shipper_created",
            actor=audit_actor(actor),
            tenant_id=tenant_id,
            object_type="shipper",
            object_id=str(shipper.pk),
            request=request,
        )
    return shipper
