"""Shippers: the tenant's customers whose goods are sent."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from ninja.responses import Status

from logitrack.core.ids import Id
from logitrack.logistics import selectors
from logitrack.logistics.access import access_shipper_by_id
from logitrack.logistics.api._router import error, router
from logitrack.logistics.api.render import shipper_out
from logitrack.logistics.errors import LogisticsError
from logitrack.logistics.inputs import ShipperInput
from logitrack.logistics.schemas import ShipperOut
from logitrack.logistics.services.shippers import shipper_create
from logitrack.tenancy.access import principal_of, requires
from logitrack.tenancy.roles import Permission


@router.get(
    "/shippers", response=list[ShipperOut], url_name="shippers_list", summary="The shippers"
)
@requires(Permission.OPERATIONS_VIEW)
def shippers_list(request: HttpRequest) -> list[ShipperOut]:
    return [shipper_out(s) for s in selectors.shippers_list(principal=principal_of(request))]


@router.post(
    "/shippers", response={201: ShipperOut}, url_name="shipper_create", summary="Add a shipper"
)
@requires(Permission.OPERATIONS_MANAGE)
def shipper_create_view(
    request: HttpRequest, payload: ShipperInput
) -> Status[ShipperOut] | JsonResponse:
    try:
        shipper = shipper_create(actor=principal_of(request), data=payload, request=request)
    except LogisticsError as exc:
        return error(exc)
    return Status(201, shipper_out(shipper))


@router.get(
    "/shippers/{int:shipper_id}", response=ShipperOut, url_name="shipper_get", summary="A shipper"
)
@requires(Permission.OPERATIONS_VIEW)
def shipper_get(request: HttpRequest, shipper_id: Id) -> ShipperOut:
    return shipper_out(access_shipper_by_id(principal_of(request), shipper_id))
