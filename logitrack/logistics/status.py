"""The shipment status machine, as data (ADR 0018).

    created -> picked_up -> in_transit -> at_hub -> out_for_delivery -> delivered
    at_hub -> in_transit (on to the next hub)
    out_for_delivery -> failed_attempt (a reason is required)
    failed_attempt -> out_for_delivery (another attempt) | returning -> returned
    created -> cancelled (only before pickup)

``delivered``, ``returned`` and ``cancelled`` are final. Only
``logitrack.logistics.services.transitions.shipment_record_event`` moves a shipment along these
edges; everything else (pages, API, imports, geofences, RFID gates, partner webhooks) calls it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ShipmentStatus(models.TextChoices):
    CREATED = "created", _("Created")
    PICKED_UP = "picked_up", _("Picked up")
    IN_TRANSIT = "in_transit", _("In transit")
    AT_HUB = "at_hub", _("At hub")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    DELIVERED = "delivered", _("Delivered")
    FAILED_ATTEMPT = "failed_attempt", _("Delivery attempt failed")
    RETURNING = "returning", _("Returning to sender")
    RETURNED = "returned", _("Returned to sender")
    CANCELLED = "cancelled", _("Cancelled")


S = ShipmentStatus

TRANSITIONS: dict[ShipmentStatus, frozenset[ShipmentStatus]] = {
    S.CREATED: frozenset({S.PICKED_UP, S.CANCELLED}),
    S.PICKED_UP: frozenset({S.IN_TRANSIT}),
    S.IN_TRANSIT: frozenset({S.AT_HUB}),
    # Back on the road to the next hub (a line haul through several hubs; ADR 0057).
    S.AT_HUB: frozenset({S.OUT_FOR_DELIVERY, S.IN_TRANSIT}),
    S.OUT_FOR_DELIVERY: frozenset({S.DELIVERED, S.FAILED_ATTEMPT}),
    S.FAILED_ATTEMPT: frozenset({S.OUT_FOR_DELIVERY, S.RETURNING}),
    S.RETURNING: frozenset({S.RETURNED}),
    S.DELIVERED: frozenset(),
    S.RETURNED: frozenset(),
    S.CANCELLED: frozenset(),
}

FINAL_STATUSES: frozenset[ShipmentStatus] = frozenset(
    status for status, targets in TRANSITIONS.items() if not targets
)
# A shipment may be cancelled while the carrier does not hold it yet.
CANCELLABLE_STATUSES: frozenset[ShipmentStatus] = frozenset({S.CREATED})


def transition_allowed(current: str, target: str) -> bool:
    """True when the machine has an edge ``current -> target`` (unknown values: False)."""
    try:
        return ShipmentStatus(target) in TRANSITIONS[ShipmentStatus(current)]
    except ValueError:
        return False


class ServiceLevel(models.TextChoices):
    STANDARD = "standard", _("Standard")
    EXPRESS = "express", _("Express")
    SAME_DAY = "same_day", _("Same day")


class EventKind(models.TextChoices):
    # A status event asks for a transition; a scan only reports where the shipment is.
    STATUS = "status", _("Status change")
    SCAN = "scan", _("Scan")


class EventSource(models.TextChoices):
    USER = "user", _("User")
    DEVICE = "device", _("Device")
    GEOFENCE = "geofence", _("Geofence")
    RFID = "rfid", _("RFID gate")
    PARTNER = "partner", _("Partner")
    API = "api", _("API")
    IMPORT = "import", _("Import")


class DeliveryOfferReason(models.TextChoices):
    # Why the driver is asked "delivered?": a customer site's geofence, or the distance to the
    # order's geocoded delivery point (ADR 0057).
    GEOFENCE = "geofence", _("Entered the customer's site")
    DISTANCE = "distance", _("Near the delivery address")


class FailureReason(models.TextChoices):
    RECIPIENT_ABSENT = "recipient_absent", _("Recipient not available")
    RECIPIENT_REFUSED = "recipient_refused", _("Recipient refused the parcel")
    WRONG_ADDRESS = "wrong_address", _("Wrong or incomplete address")
    UNREACHABLE_PHONE = "unreachable_phone", _("Recipient's phone unreachable")
    COD_NOT_READY = "cod_not_ready", _("Recipient could not pay the COD amount")
    RESCHEDULED = "rescheduled", _("Recipient asked for another time")
    DAMAGED = "damaged", _("Parcel damaged")
    OTHER = "other", _("Other")
