"""The RFID API: dock doors at /api/v1/dock-doors, case tags of a shipment at
/api/v1/shipments/{waybill}/tags, and the GS1 EPCIS 2.0 events at /api/v1/epcis/events.

Errors leave as ``{"error": {"code", "message"}}``: 404 ``dock_door_not_found`` /
``waybill_not_found`` for another tenant's or a missing object, 409 ``dock_door_name_taken``,
``dock_door_antenna_taken``, ``shipment_tag_taken``, 422 for invalid input, 400
``cursor_invalid`` and ``range_invalid`` for the event list's parameters.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from logitrack.core.errors import NotFound, error_json
from logitrack.core.ids import ID_MAX, Id
from logitrack.core.schemas import Code, IsoDateTime, OpaqueText
from logitrack.logistics.access import access_shipment_by_waybill
from logitrack.tenancy.access import principal_of, requires
from logitrack.tenancy.roles import Permission
from logitrack.tracking.access import access_device_by_id, access_dock_door_by_id
from logitrack.tracking.errors import DockDoorReaderInvalid, TrackingError
from logitrack.tracking.models import DockDoor
from logitrack.tracking.rfid import epcis
from logitrack.tracking.rfid.selectors import (
    EventFilters,
    dock_doors_of_tenant,
    epcis_observations,
)
from logitrack.tracking.schemas import (
    DockDoorIn,
    DockDoorOut,
    DockDoorUpdateIn,
    ShipmentTagOut,
    ShipmentTagsIn,
    ShipmentTagsOut,
)
from logitrack.tracking.services import docks as services

router = Router(tags=["rfid"])

EVENTS_LIMIT_DEFAULT = 100
EVENTS_LIMIT_MAX = 1000
CURSOR_MAX = 200


def _error(exc: TrackingError) -> JsonResponse:
    fields = None
    if exc.field:
        fields = [{"field": exc.field, "code": exc.code, "message": str(exc.message)}]
    return error_json(exc.code, str(exc.message), exc.status, fields=fields)


def _door_out(door: DockDoor) -> DockDoorOut:
    return DockDoorOut(
        id=door.pk,
        device_id=door.device_id,
        device_identifier=door.device.identifier,
        antenna=door.antenna,
        name=door.name,
        place=door.place,
        direction=door.direction,
        location_id=door.location_id,
        active=door.active,
        created_at=door.created_at,
    )


@router.get(
    "/dock-doors", response=list[DockDoorOut], url_name="dock_doors_list", summary="Dock doors"
)
@requires(Permission.OPERATIONS_VIEW)
def dock_doors_list(request: HttpRequest) -> list[DockDoorOut]:
    return [_door_out(d) for d in dock_doors_of_tenant(principal=principal_of(request))]


@router.post(
    "/dock-doors",
    response={201: DockDoorOut},
    url_name="dock_door_create",
    summary="Map a reader's antenna (or every antenna) to a dock door with a direction",
)
@requires(Permission.WAREHOUSE_MANAGE)
def dock_door_create(
    request: HttpRequest, payload: DockDoorIn
) -> Status[DockDoorOut] | JsonResponse:
    principal = principal_of(request)
    try:
        try:
            device = access_device_by_id(principal, payload.device_id)
        except NotFound as exc:  # another tenant's reader is no reader of ours
            raise DockDoorReaderInvalid() from exc
        door = services.dock_door_create(
            principal=principal,
            device=device,
            antenna=payload.antenna,
            name=payload.name,
            place=payload.place,
            direction=payload.direction,
            location_id=payload.location_id,
        )
    except TrackingError as exc:
        return _error(exc)
    return Status(201, _door_out(door))


@router.get(
    "/dock-doors/{int:door_id}", response=DockDoorOut, url_name="dock_door_get", summary="A door"
)
@requires(Permission.OPERATIONS_VIEW)
def dock_door_get(request: HttpRequest, door_id: Id) -> DockDoorOut:
    return _door_out(access_dock_door_by_id(principal_of(request), door_id))


@router.patch(
    "/dock-doors/{int:door_id}",
    response=DockDoorOut,
    url_name="dock_door_update",
    summary="Change, deactivate or reactivate a dock door",
)
@requires(Permission.WAREHOUSE_MANAGE)
def dock_door_update(
    request: HttpRequest, door_id: Id, payload: DockDoorUpdateIn
) -> DockDoorOut | JsonResponse:
    principal = principal_of(request)
    door = access_dock_door_by_id(principal, door_id, for_write=True)
    sent = payload.model_fields_set
    changes = services.DockDoorChanges(
        name=payload.name,
        place=payload.place,
        direction=payload.direction,
        antenna=payload.antenna,
        antenna_all="antenna" in sent and payload.antenna is None,
        location_id=payload.location_id,
        active=payload.active,
    )
    try:
        door = services.dock_door_update(principal=principal, door=door, changes=changes)
    except TrackingError as exc:
        return _error(exc)
    return _door_out(door)


@router.post(
    "/shipments/{waybill}/tags",
    response={201: ShipmentTagsOut},
    url_name="shipment_tags_attach",
    summary="Attach the case tags (SGTIN) on a pallet to its shipment",
)
@requires(Permission.WAREHOUSE_MANAGE)
def shipment_tags_attach(
    request: HttpRequest, waybill: Code, payload: ShipmentTagsIn
) -> Status[ShipmentTagsOut] | JsonResponse:
    """Reads of these tags at a dock door move the shipment as reads of its SSCC do. Tags the
    shipment has already are kept; one of another shipment refuses the whole request."""
    principal = principal_of(request)
    shipment = access_shipment_by_waybill(principal, waybill)
    try:
        tags = services.shipment_tags_attach(
            principal=principal, shipment=shipment, epcs=list(payload.epcs)
        )
    except TrackingError as exc:
        return _error(exc)
    out = ShipmentTagsOut(
        waybill=shipment.waybill,
        tags=[ShipmentTagOut(epc_uri=t.epc_uri, created_at=t.created_at) for t in tags],
    )
    return Status(201, out)


# --- EPCIS -------------------------------------------------------------------------------------


class EventsQuery(Schema):
    device: OpaqueText | None = Field(default=None, max_length=64)
    since: IsoDateTime | None = Field(default=None, alias="from")
    until: IsoDateTime | None = Field(default=None, alias="to")
    epc: OpaqueText | None = Field(default=None, max_length=200)
    cursor: OpaqueText | None = Field(default=None, max_length=CURSOR_MAX)
    limit: int = Field(default=EVENTS_LIMIT_DEFAULT, ge=1, le=EVENTS_LIMIT_MAX)


def _cursor(first_seen: datetime, pk: int) -> str:
    raw = f"epcis|{first_seen.astimezone(UTC).isoformat()}|{pk}".encode("ascii")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _after(cursor: str) -> tuple[datetime, int] | None:
    """The (first_seen, id) a cursor continues after; None when it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        made_for, value, pk_text = raw.split("|")
        moment = datetime.fromisoformat(value)
        pk = int(pk_text)
        utc = moment.astimezone(UTC) if moment.tzinfo is not None else None
    except (ValueError, OverflowError, binascii.Error, UnicodeDecodeError):
        return None
    if made_for != "epcis" or utc is None or not 1 <= pk <= ID_MAX:
        return None
    return utc, pk


def _next_link(request: HttpRequest, cursor: str) -> str:
    query = request.GET.copy()
    query["cursor"] = cursor
    return f'<{request.build_absolute_uri(request.path)}?{query.urlencode()}>; rel="next"'


@router.get(
    "/epcis/events",
    response={200: dict[str, Any]},
    url_name="epcis_events",
    summary="RFID observations as a GS1 EPCIS 2.0 document (application/ld+json)",
    # The document is JSON-LD (EPCIS 2.0 section 12): say so, so that clients and the API's
    # own conformance check expect the media type it is sent with.
    openapi_extra={
        "responses": {
            "200": {
                "description": "An EPCISDocument (GS1 EPCIS 2.0 JSON schema)",
                "content": {epcis.CONTENT_TYPE: {"schema": {"type": "object"}}},
            }
        }
    },
)
@requires(Permission.OPERATIONS_VIEW)
def epcis_events(request: HttpRequest, query: Query[EventsQuery]) -> HttpResponse:
    """The tenant's tag observations as ObjectEvents, oldest first, ``limit`` (1-1000) at a
    time. Filters: ``device`` (a reader's identifier), ``from`` (inclusive) and ``to``
    (exclusive) on the first read, RFC 3339 with offset; ``epc`` (a pure-identity or raw URN).
    The next page's URL is in the ``Link`` header (``rel="next"``, RFC 8288), absent on the
    last page: the EPCIS document itself takes no member of ours."""
    if query.since is not None and query.until is not None and query.since >= query.until:
        return error_json("range_invalid", _("The end of the range must be after its start."), 400)
    after = None
    if query.cursor is not None:
        after = _after(query.cursor)
        if after is None:
            return error_json(
                "cursor_invalid",
                _("This page link is no longer valid; start from the first page."),
                400,
            )
    filters = EventFilters(
        device=query.device, since=query.since, until=query.until, epc=query.epc, after=after
    )
    rows = epcis_observations(
        principal=principal_of(request), filters=filters, limit=query.limit + 1
    )
    page, more = rows[: query.limit], len(rows) > query.limit
    document = epcis.epcis_document(page, readers={o.device_id: o.device.identifier for o in page})
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False), content_type=epcis.CONTENT_TYPE
    )
    if more:
        last = page[-1]
        response["Link"] = _next_link(request, _cursor(last.first_seen, last.pk))
    return response
