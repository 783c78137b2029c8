"""Shipments: list, one by waybill with its timeline, record an event (a driver: a delivery or a
failed attempt), bulk cancel."""

from __future__ import annotations

import json
from typing import Any, Literal

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from ninja import Field, Query, Schema
from ninja.responses import Status

from logitrack.core.errors import error_json
from logitrack.core.schemas import Code, HumanText, IsoDateTime, OpaqueText
from logitrack.logistics import selectors
from logitrack.logistics.access import access_shipment_by_waybill
from logitrack.logistics.api._router import error, router
from logitrack.logistics.api.render import (
    carrier_out,
    event_out,
    shipment_detail_out,
    shipment_fields,
)
from logitrack.logistics.errors import EventSourceRefused, LogisticsError, ShipmentNotFound
from logitrack.logistics.inputs import ProvinceCode
from logitrack.logistics.numbers import canonical_waybill
from logitrack.logistics.pagination import LIMIT_DEFAULT, LIMIT_MAX, page_of
from logitrack.logistics.schemas import (
    BulkCancelIn,
    BulkCancelOut,
    CarrierIn,
    CarrierOut,
    DriverEventIn,
    EventIn,
    EventOutcomeOut,
    ShipmentDetailOut,
    ShipmentPageOut,
)
from logitrack.logistics.selectors_carriers import shipment_carrier
from logitrack.logistics.services.carriers import shipment_assign_carrier
from logitrack.logistics.services.shipments import CancelRefused, shipments_cancel
from logitrack.logistics.services.transitions import EventOutcome, shipment_record_event
from logitrack.logistics.status import EventSource, ServiceLevel, ShipmentStatus
from logitrack.tenancy.access import principal_of, requires
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Permission
from logitrack.tracking.access import access_driver_by_id, access_vehicle_by_id

ShipmentSortParam = Literal["created_at", "-created_at", "status_changed_at", "-status_changed_at"]


class ShipmentListQuery(Schema):
    status: list[ShipmentStatus] = Field(default_factory=list)
    service_level: ServiceLevel | None = None
    province_code: ProvinceCode | None = None
    created_from: IsoDateTime | None = None
    created_to: IsoDateTime | None = None
    q: HumanText | None = Field(default=None, max_length=200)
    vehicle: int | None = Field(default=None, ge=1, le=2**63 - 1)
    sort: ShipmentSortParam = "-created_at"
    cursor: OpaqueText | None = Field(default=None, max_length=200)
    limit: int = Field(default=LIMIT_DEFAULT, ge=1, le=LIMIT_MAX)


@router.get(
    "/shipments",
    response=ShipmentPageOut,
    url_name="shipments_list",
    summary="Shipments, newest first, with filters and search",
)
@requires(Permission.OPERATIONS_VIEW)
def shipments_list(
    request: HttpRequest, query: Query[ShipmentListQuery]
) -> dict[str, Any] | JsonResponse:
    """``q`` matches exactly: a waybill (any spelling), a customer reference or a consignee
    phone number (through its blind index). ``status`` may repeat. ``vehicle``: the shipments
    carried by this vehicle (its id). Pages follow ``next_cursor``.
    """
    filters = selectors.ShipmentFilters(
        status=tuple(s.value for s in query.status),
        service_level=query.service_level.value if query.service_level else None,
        province_code=query.province_code,
        created_from=query.created_from,
        created_to=query.created_to,
        q=query.q,
        sort=query.sort,
        vehicle_id=query.vehicle,
    )
    rows = selectors.shipments_list(principal=principal_of(request), filters=filters)
    try:
        page = page_of(rows, sort=query.sort, cursor=query.cursor, limit=query.limit)
    except LogisticsError as exc:
        return error(exc)
    # Plain dicts: ninja validates the page against ShipmentPageOut once, on the way out.
    return {"items": [shipment_fields(s) for s in page.rows], "next_cursor": page.next_cursor}


@router.post(
    "/shipments/cancel",
    response=BulkCancelOut,
    url_name="shipments_cancel",
    summary="Cancel many shipments at once: all of them, or none if one was picked up",
)
@requires(Permission.OPERATIONS_MANAGE)
def shipments_cancel_view(
    request: HttpRequest, payload: BulkCancelIn
) -> BulkCancelOut | JsonResponse:
    """404 ``waybill_not_found`` names no waybill when any is unknown or another company's;
    409 ``cancel_not_allowed`` lists the waybills past pickup. Either way nothing is cancelled."""
    principal = principal_of(request)
    found = selectors.shipments_by_waybills(principal=principal, waybills=list(payload.waybills))
    wanted = [canonical_waybill(w) for w in payload.waybills]
    if any(w not in found for w in wanted):
        raise ShipmentNotFound()
    ordered = list({w: found[w] for w in wanted}.values())
    source = EventSource.API if principal.api_key_id is not None else EventSource.USER
    try:
        shipments_cancel(actor=principal, shipments=ordered, source=source, request=request)
    except CancelRefused as exc:
        response = error_json(exc.code, str(exc.message), exc.status)
        body = json.loads(response.content)
        body["error"]["waybills"] = exc.waybills
        return JsonResponse(body, status=exc.status, json_dumps_params={"ensure_ascii": False})
    except LogisticsError as exc:
        return error(exc)
    return BulkCancelOut(cancelled=[s.waybill for s in ordered])


@router.get(
    "/shipments/{waybill}",
    response=ShipmentDetailOut,
    url_name="shipment_get",
    summary="One shipment by waybill, with its timeline",
)
@requires(Permission.OPERATIONS_VIEW)
def shipment_get(request: HttpRequest, waybill: Code) -> ShipmentDetailOut:
    principal = principal_of(request)
    shipment = access_shipment_by_waybill(principal, waybill)
    timeline = list(selectors.shipment_timeline(principal=principal, shipment=shipment))
    carrier = shipment_carrier(principal=principal, shipment=shipment)
    return shipment_detail_out(shipment, timeline, carrier)


@router.put(
    "/shipments/{waybill}/carrier",
    response=CarrierOut,
    url_name="shipment_carrier_put",
    summary="Give a shipment to a vehicle and/or a driver (both null: to nobody)",
)
@requires(Permission.OPERATIONS_MANAGE)
def shipment_carrier_put(
    request: HttpRequest, waybill: Code, payload: CarrierIn
) -> CarrierOut | JsonResponse:
    """The devices assigned to the vehicle or the driver become the shipment's: their geofence
    events move it (ADR 0057). 404 ``waybill_not_found``, ``vehicle_not_found`` or
    ``driver_not_found`` for anything not of the company; 422 ``carrier_invalid`` for an
    inactive vehicle or driver; 409 ``carrier_not_changeable`` once the shipment is delivered,
    returned or cancelled. The same carrier again changes nothing."""
    principal = principal_of(request)
    shipment = access_shipment_by_waybill(principal, waybill, for_write=True)
    vehicle = (
        access_vehicle_by_id(principal, payload.vehicle, for_write=True)
        if payload.vehicle is not None
        else None
    )
    driver = (
        access_driver_by_id(principal, payload.driver, for_write=True)
        if payload.driver is not None
        else None
    )
    try:
        changed = shipment_assign_carrier(
            actor=principal, shipment=shipment, vehicle=vehicle, driver=driver, request=request
        )
    except LogisticsError as exc:
        return error(exc)
    return carrier_out(shipment_carrier(principal=principal, shipment=changed))


def _event_source(principal: Principal, declared: EventSource | None) -> str:
    """The source an event is recorded with: the principal's, never the body's alone.

    An API key records ``api``, or what it declares (the service refuses anything but ``api``
    and ``partner`` from a key); a signed-in person records ``user`` and may declare nothing
    else (EventSourceRefused).
    """
    if principal.api_key_id is not None:
        return (declared or EventSource.API).value
    if declared not in (None, EventSource.USER):
        raise EventSourceRefused()
    return EventSource.USER.value


@router.post(
    "/shipments/{waybill}/events",
    response={201: EventOutcomeOut, 200: EventOutcomeOut},
    url_name="shipment_event_create",
    summary="Record an event of a shipment (moves its status when the machine allows)",
)
@requires(Permission.OPERATIONS_MANAGE)
def shipment_event_create(
    request: HttpRequest, waybill: Code, payload: EventIn
) -> Status[EventOutcomeOut] | JsonResponse:
    """201: recorded (``applied`` says whether it moved the status; an event older than the
    current status is kept in the timeline only). 200: the same ``idempotency_key`` was sent
    before; nothing changed and the first outcome is returned. 409 ``transition_forbidden``:
    the machine has no such step from the current status; nothing was saved."""
    principal = principal_of(request)
    shipment = access_shipment_by_waybill(principal, waybill, for_write=True)
    try:
        outcome = shipment_record_event(
            actor=principal,
            shipment=shipment,
            status=payload.status.value if payload.status else None,
            occurred_at=payload.occurred_at or timezone.now(),
            source=_event_source(principal, payload.source),
            idempotency_key=payload.idempotency_key,
            place=payload.place,
            ward_code=payload.ward_code,
            province_code=payload.province_code,
            latitude=payload.latitude,
            longitude=payload.longitude,
            reason=payload.reason.value if payload.reason else None,
            reason_text=payload.reason_text,
            request=request,
        )
    except LogisticsError as exc:
        return error(exc)
    return _outcome_answer(outcome)


def _outcome_answer(outcome: EventOutcome) -> Status[EventOutcomeOut]:
    """201 with the event recorded, or 200 with the first outcome when the key was replayed."""
    body = EventOutcomeOut(
        applied=outcome.applied,
        replayed=outcome.replayed,
        status=ShipmentStatus(outcome.status),
        event=event_out(outcome.event),
    )
    return Status(200 if outcome.replayed else 201, body)


# A driver records only on the shipments of their delivery list: the same list as the driver's
# pages (documents.selectors.shipments_out_for_delivery), checked under the row lock.
DRIVER_LIST_STATUSES = frozenset({ShipmentStatus.OUT_FOR_DELIVERY})


@router.post(
    "/driver/shipments/{waybill}/events",
    response={201: EventOutcomeOut, 200: EventOutcomeOut},
    url_name="driver_shipment_event_create",
    summary="A driver records a delivery or a failed attempt of a shipment on their list",
)
@requires(Permission.DRIVER_TASKS)
def driver_shipment_event_create(
    request: HttpRequest, waybill: Code, payload: DriverEventIn
) -> Status[EventOutcomeOut] | JsonResponse:
    """The phone app's way to report a delivery (``delivered``) or a failed attempt
    (``failed_attempt`` with ``reason``), through the same transition service as every event.
    201: recorded. 200: the same ``idempotency_key`` was sent before; nothing changed and the
    first outcome is returned (also once the shipment has left the list). 409
    ``transition_forbidden``: the shipment is not out for delivery (not on a driver's list);
    409 ``idempotency_key_reused``: the key was used for another shipment or status; 404
    ``waybill_not_found``: no such shipment in the company; 422 for a status other than these
    two, a missing reason, a date in the future or too old. Needs ``driver.tasks``."""
    principal = principal_of(request)
    shipment = access_shipment_by_waybill(principal, waybill, for_write=True)
    source = EventSource.API if principal.api_key_id is not None else EventSource.USER
    try:
        outcome = shipment_record_event(
            actor=principal,
            shipment=shipment,
            status=payload.status,
            occurred_at=payload.occurred_at or timezone.now(),
            source=source.value,
            idempotency_key=payload.idempotency_key,
            place=payload.place,
            latitude=payload.latitude,
            longitude=payload.longitude,
            reason=payload.reason.value if payload.reason else None,
            reason_text=payload.reason_text,
            only_from=DRIVER_LIST_STATUSES,
            request=request,
        )
    except LogisticsError as exc:
        return error(exc)
    return _outcome_answer(outcome)
