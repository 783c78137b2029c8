"""What the logistics app stores, for the data inventory (logitrack.privacy).

Consignees have no account: the tenant is the controller of their data and Logitrack the
processor (policy section 7). Their name, phone, e-mail and delivery street are encrypted under the
tenant's key; everything about a consignee goes with the tenant's data, 30 days after the tenant
stops using the service, or earlier when the tenant erases it. Delivery coordinates and event
coordinates are precise locations, which the policy treats as sensitive.
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


def _consignee(category: str, *, sensitive: bool = False) -> FieldClass:
    return FieldClass(
        category=category,
        subject=Subject.CONSIGNEE,
        purpose=Purpose.PROVIDE_SERVICE,
        basis=LegalBasis.CONTRACT,
        retention=_TENANT_DATA,
        erasure=Erasure.DELETE,
        sensitive=sensitive,
    )


def _shipper(category: str) -> FieldClass:
    # A shipper is often a household shop or a person selling online: its contact is personal.
    return FieldClass(
        category=category,
        subject=Subject.TENANT_CONTACT,
        purpose=Purpose.PROVIDE_SERVICE,
        basis=LegalBasis.CONTRACT,
        retention=_TENANT_DATA,
        erasure=Erasure.DELETE,
    )


def _driver(category: str, *, sensitive: bool = False) -> FieldClass:
    return FieldClass(
        category=category,
        subject=Subject.DRIVER,
        purpose=Purpose.PROVIDE_SERVICE,
        basis=LegalBasis.CONTRACT,
        retention=_TENANT_DATA,
        erasure=Erasure.DELETE,
        sensitive=sensitive,
    )


def _member(category: str) -> FieldClass:
    return FieldClass(
        category=category,
        subject=Subject.USER,
        purpose=Purpose.PROVIDE_SERVICE,
        basis=LegalBasis.CONTRACT,
        retention=_TENANT_DATA,
        erasure=Erasure.DELETE,
    )


register(
    "logistics.LogisticsSettings",
    {
        "id": _OPS,
        "tenant": _OPS,
        "waybill_prefix": _OPS,
        "gs1_company_prefix": _OPS,
        "sscc_extension_digit": _OPS,
        "sscc_next_serial": _OPS,
    },
)

register(
    "logistics.Shipper",
    {
        "id": _OPS,
        "tenant": _OPS,
        "name": _shipper("user.name"),
        "phone": _shipper("user.contact.phone_number"),
        "email": _shipper("user.contact.email"),
        "street": _shipper("user.contact.address.street"),
        "ward_code": _shipper("user.contact.address"),
        "province_code": _shipper("user.contact.address.state"),
        "created_at": _OPS,
    },
)

register(
    "logistics.Order",
    {
        "id": _OPS,
        "tenant": _OPS,
        "shipper": _OPS,
        "reference": _OPS,
        "pickup_street": _shipper("user.contact.address.street"),
        "pickup_ward_code": _shipper("user.contact.address"),
        "pickup_province_code": _shipper("user.contact.address.state"),
        "pickup_legacy_text": _shipper("user.contact.address"),
        "pickup_latitude": FieldClass(
            category="user.location.precise",
            subject=Subject.TENANT_CONTACT,
            purpose=Purpose.PROVIDE_SERVICE,
            basis=LegalBasis.CONTRACT,
            retention=_TENANT_DATA,
            erasure=Erasure.DELETE,
            sensitive=True,
        ),
        "pickup_longitude": FieldClass(
            category="user.location.precise",
            subject=Subject.TENANT_CONTACT,
            purpose=Purpose.PROVIDE_SERVICE,
            basis=LegalBasis.CONTRACT,
            retention=_TENANT_DATA,
            erasure=Erasure.DELETE,
            sensitive=True,
        ),
        "delivery_street": _consignee("user.contact.address.street"),
        "delivery_ward_code": _consignee("user.contact.address"),
        "delivery_province_code": _consignee("user.contact.address.state"),
        "delivery_legacy_text": _consignee("user.contact.address"),
        "delivery_latitude": _consignee("user.location.precise", sensitive=True),
        "delivery_longitude": _consignee("user.location.precise", sensitive=True),
        "consignee_name": _consignee("user.name"),
        "consignee_phone": _consignee("user.contact.phone_number"),
        "consignee_phone_index": _consignee("user.contact.phone_number"),
        "consignee_email": _consignee("user.contact.email"),
        "service_level": _OPS,
        # What the consignee pays on delivery: a payment they make, hence sensitive.
        "cod_amount_vnd": _consignee("user.financial.payment_history", sensitive=True),
        "declared_value_vnd": _OPS,
        "pickup_window_start": _OPS,
        "pickup_window_end": _OPS,
        "delivery_window_start": _consignee("user.behavior"),
        "delivery_window_end": _consignee("user.behavior"),
        # Free text a dispatcher or shipper wrote; may name the consignee ("call before 5pm").
        "notes": _consignee("user.content"),
        "created_by": _member("user.unique_id"),
        "created_by_api_key": _OPS,
        "idempotency_key": _OPS,
        "idempotency_fingerprint": _OPS,
        "created_at": _OPS,
        "updated_at": _OPS,
        "cancelled_at": _OPS,
    },
)

register(
    "logistics.OrderItem",
    {
        "id": _OPS,
        "tenant": _OPS,
        "order": _OPS,
        "position": _OPS,
        "description": _consignee("user.content"),
        "quantity": _OPS,
        "declared_value_vnd": _OPS,
    },
)

register(
    "logistics.Shipment",
    {
        "id": _OPS,
        "tenant": _OPS,
        "order": _OPS,
        "parcel_number": _OPS,
        "waybill": _OPS,
        "sscc": _OPS,
        "weight_g": _OPS,
        "length_mm": _OPS,
        "width_mm": _OPS,
        "height_mm": _OPS,
        "service_level": _OPS,
        "delivery_province_code": _consignee("user.contact.address.state"),
        "status": _OPS,
        "status_changed_at": _OPS,
        "current_place": _OPS,
        "current_province_code": _OPS,
        "eta": _OPS,
        "created_at": _OPS,
        "carrier_vehicle": _OPS,
        # Which person carried the parcel: the driver's work record (ADR 0057).
        "carrier_driver": _driver("user.unique_id"),
        "carrier_assigned_at": _OPS,
        # When the carrier's device came near the consignee: where a person was, at a time.
        "delivery_offered_at": _driver("user.location.imprecise", sensitive=True),
        "delivery_offer_reason": _OPS,
    },
)

register(
    "logistics.GeofenceEventApplied",
    {name: _OPS for name in ("id", "tenant", "geofence_event", "applied_at", "moved", "offered")},
)

register(
    "logistics.ShipmentEvent",
    {
        "id": _OPS,
        "tenant": _OPS,
        "shipment": _OPS,
        "kind": _OPS,
        "status": _OPS,
        "status_before": _OPS,
        "applied": _OPS,
        "occurred_at": _OPS,
        "recorded_at": _OPS,
        # Hubs and streets along the route; the final event's place is the consignee's.
        "place": _consignee("user.location.imprecise", sensitive=True),
        "ward_code": _consignee("user.location.imprecise", sensitive=True),
        "province_code": _OPS,
        "latitude": _consignee("user.location.precise", sensitive=True),
        "longitude": _consignee("user.location.precise", sensitive=True),
        "source": _OPS,
        "failure_reason": _OPS,
        "reason_text": _consignee("user.content"),
        "idempotency_key": _OPS,
        "actor_user": _member("user.unique_id"),
        "actor_api_key": _OPS,
    },
)
