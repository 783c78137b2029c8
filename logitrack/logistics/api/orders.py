"""Orders: list, create (with ``Idempotency-Key``), get, change, cancel."""

from __future__ import annotations

from typing import Annotated, Literal

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Field, Header, Query, Schema
from ninja.responses import Status

from logitrack.core.ids import Id
from logitrack.core.schemas import HumanText, IsoDateTime, OpaqueText
from logitrack.logistics import selectors
from logitrack.logistics.access import access_order_by_id
from logitrack.logistics.api._router import error, router
from logitrack.logistics.api.render import order_out, order_summary_out
from logitrack.logistics.errors import LogisticsError
from logitrack.logistics.inputs import OrderInput, OrderPatch, ProvinceCode
from logitrack.logistics.models import Order
from logitrack.logistics.pagination import LIMIT_DEFAULT, LIMIT_MAX, page_of
from logitrack.logistics.schemas import OrderOut, OrderPageOut
from logitrack.logistics.services.orders import order_create, order_update
from logitrack.logistics.services.shipments import order_cancel
from logitrack.logistics.status import EventSource, ServiceLevel, ShipmentStatus
from logitrack.tenancy.access import principal_of, requires
from logitrack.tenancy.roles import Permission

REPLAYED_HEADER = "Idempotent-Replayed"


class OrderListQuery(Schema):
    status: list[ShipmentStatus] = Field(default_factory=list)
    service_level: ServiceLevel | None = None
    province_code: ProvinceCode | None = None
    created_from: IsoDateTime | None = None
    created_to: IsoDateTime | None = None
    q: HumanText | None = Field(default=None, max_length=200)
    sort: Literal["created_at", "-created_at"] = "-created_at"
    cursor: OpaqueText | None = Field(default=None, max_length=200)
    limit: int = Field(default=LIMIT_DEFAULT, ge=1, le=LIMIT_MAX)


def _full(request: HttpRequest, order: Order) -> OrderOut:
    principal = principal_of(request)
    items = list(selectors.order_items(principal=principal, order=order))
    shipments = list(selectors.shipments_of_order(principal=principal, order=order))
    return order_out(order, items, shipments)


@router.get(
    "/orders",
    response=OrderPageOut,
    url_name="orders_list",
    summary="Orders, newest first, with filters and search",
)
@requires(Permission.OPERATIONS_VIEW)
def orders_list(request: HttpRequest, query: Query[OrderListQuery]) -> OrderPageOut | JsonResponse:
    """``q`` matches exactly: a waybill, a customer reference or a consignee phone number.
    Pages follow ``next_cursor``; ``status`` may repeat (orders with a shipment in any of them).
    """
    filters = selectors.OrderFilters(
        service_level=query.service_level.value if query.service_level else None,
        province_code=query.province_code,
        created_from=query.created_from,
        created_to=query.created_to,
        status=tuple(s.value for s in query.status),
        q=query.q,
        sort=query.sort,
    )
    rows = selectors.orders_list(principal=principal_of(request), filters=filters)
    try:
        page = page_of(rows, sort=query.sort, cursor=query.cursor, limit=query.limit)
    except LogisticsError as exc:
        return error(exc)
    return OrderPageOut(
        items=[order_summary_out(o) for o in page.rows], next_cursor=page.next_cursor
    )


@router.post(
    "/orders",
    response={201: OrderOut},
    url_name="order_create",
    summary="Create an order; one shipment (with its waybill) per parcel",
)
@requires(Permission.OPERATIONS_MANAGE)
def order_create_view(
    request: HttpRequest,
    response: HttpResponse,
    payload: OrderInput,
    idempotency_key: Annotated[
        OpaqueText | None, Header(alias="Idempotency-Key", max_length=128)
    ] = None,
) -> Status[OrderOut] | JsonResponse:
    """Send an ``Idempotency-Key`` header to retry safely: the same key with the same body
    answers the first order again (header ``Idempotent-Replayed: true``); with another body,
    409 ``idempotency_key_reused``."""
    try:
        created = order_create(
            actor=principal_of(request),
            data=payload,
            idempotency_key=idempotency_key,
            source=EventSource.API,
            request=request,
        )
    except LogisticsError as exc:
        return error(exc)
    response[REPLAYED_HEADER] = "true" if created.replayed else "false"
    return Status(201, _full(request, created.order))


@router.get("/orders/{int:order_id}", response=OrderOut, url_name="order_get", summary="One order")
@requires(Permission.OPERATIONS_VIEW)
def order_get(request: HttpRequest, order_id: Id) -> OrderOut:
    return _full(request, access_order_by_id(principal_of(request), order_id))


@router.patch(
    "/orders/{int:order_id}",
    response=OrderOut,
    url_name="order_update",
    summary="Change an order (addresses, consignee and service only before pickup)",
)
@requires(Permission.OPERATIONS_MANAGE)
def order_update_view(
    request: HttpRequest, order_id: Id, payload: OrderPatch
) -> OrderOut | JsonResponse:
    principal = principal_of(request)
    order = access_order_by_id(principal, order_id, for_write=True)
    try:
        changed = order_update(actor=principal, order=order, patch=payload, request=request)
    except LogisticsError as exc:
        return error(exc)
    return _full(request, changed)


@router.post(
    "/orders/{int:order_id}/cancel",
    response=OrderOut,
    url_name="order_cancel",
    summary="Cancel an order and its shipments (only before pickup)",
)
@requires(Permission.OPERATIONS_MANAGE)
def order_cancel_view(request: HttpRequest, order_id: Id) -> OrderOut | JsonResponse:
    principal = principal_of(request)
    order = access_order_by_id(principal, order_id, for_write=True)
    try:
        cancelled = order_cancel(
            actor=principal, order=order, source=_source_of(request), request=request
        )
    except LogisticsError as exc:
        return error(exc)
    return _full(request, cancelled)


def _source_of(request: HttpRequest) -> str:
    """``api`` for API keys, ``user`` for a person's session."""
    return EventSource.API if principal_of(request).api_key_id is not None else EventSource.USER
