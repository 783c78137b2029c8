"""Failures of order and shipment operations that a caller can act on, each with a stable code.

Pages show ``message`` (translated); the API answers ``{"error": {"code", "message"}}`` with
``status`` (and ``fields`` when ``field`` names the input). Every one of them is raised before
anything is written, or rolls its transaction back, so a refused operation changes nothing.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from logitrack.core.errors import CallerError, NotFound


class LogisticsError(CallerError):
    code = "logistics_error"
    message: str | Promise = _("The order or shipment could not be changed.")


class NotAllowed(LogisticsError):
    code = "permission_denied"
    message = _("Your account level does not allow this action.")
    status = 403


class OrderInvalid(LogisticsError):
    code = "order_invalid"
    message = _("Some order details are missing or not valid.")


class AddressInvalid(OrderInvalid):
    code = "address_invalid"
    message = _("This commune or ward is not in the chosen province.")


class CodAboveCap(OrderInvalid):
    code = "cod_above_cap"
    message = _("The cash-on-delivery amount is above the highest amount allowed.")
    field = "cod_amount_vnd"


class WindowInvalid(OrderInvalid):
    code = "window_invalid"
    message = _("The end of a time window must come after its start.")


class PalletNeedsGs1Prefix(OrderInvalid):
    code = "gs1_prefix_missing"
    message = _("Pallets need an SSCC, and the company has no GS1 company prefix set.")
    field = "parcels"


class IdempotencyKeyReused(LogisticsError):
    code = "idempotency_key_reused"
    message = _("This idempotency key was already used for a different request.")
    status = 409


class OrderNotEditable(LogisticsError):
    code = "order_not_editable"
    message = _("This order can no longer be changed: a parcel has been picked up or cancelled.")
    status = 409


class CancelNotAllowed(LogisticsError):
    code = "cancel_not_allowed"
    message = _("Only shipments that have not been picked up yet can be cancelled.")
    status = 409


class TransitionForbidden(LogisticsError):
    code = "transition_forbidden"
    message = _("The shipment cannot move from its current status to the requested one.")
    status = 409
    field = "status"


class EventInvalid(LogisticsError):
    code = "event_invalid"
    message = _("The event is not valid.")


class ReasonRequired(EventInvalid):
    code = "reason_required"
    message = _("Give the reason why the delivery attempt failed.")
    field = "reason"


class EventInFuture(EventInvalid):
    code = "event_in_future"
    message = _("The event's time is in the future.")
    field = "occurred_at"


class EventTooOld(EventInvalid):
    code = "event_too_old"
    message = _("The event's time is more than a year in the past.")
    field = "occurred_at"


class EventSourceRefused(EventInvalid):
    code = "event_source_refused"
    message = _("This source cannot be declared by this caller.")
    field = "source"


class OrderNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("order_not_found")


class ShipmentNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("waybill_not_found")


class ShipperNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("shipper_not_found")


class CarrierInvalid(LogisticsError):
    code = "carrier_invalid"
    message = _("Choose a vehicle or a driver of your company.")
    field = "vehicle"


class CarrierNotChangeable(LogisticsError):
    code = "carrier_not_changeable"
    message = _("A delivered, returned or cancelled shipment keeps the carrier it had.")
    status = 409
