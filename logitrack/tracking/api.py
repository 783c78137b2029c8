"""The devices API at /api/v1/devices: register, list, read, change, disable and enable,
rotate the token, assign; a device's trips and stops (by its identifier).

Errors leave as ``{"error": {"code", "message"}}``: 404 ``device_not_found`` for another
tenant's or a missing device, 409 ``device_identifier_taken``, 422 for invalid input. The
token is in the answer of ``POST /devices`` and ``POST /devices/{id}/token`` only.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from ninja import Query, Router, Status

from logitrack.core.errors import error_json
from logitrack.core.ids import Id
from logitrack.tenancy.access import principal_of, requires
from logitrack.tenancy.roles import Permission
from logitrack.tracking import selectors
from logitrack.tracking.access import (
    access_device_by_id,
    access_device_by_identifier,
    access_driver_by_id,
    access_vehicle_by_id,
)
from logitrack.tracking.errors import TrackingError
from logitrack.tracking.models import Device, DeviceAssignment, DeviceLatest
from logitrack.tracking.schemas import (
    AssignmentIn,
    AssignmentOut,
    DeviceCreatedOut,
    DeviceIn,
    DeviceOut,
    DeviceUpdateIn,
    LatestOut,
    PlaceOut,
    StopOut,
    TripOut,
    TripsOut,
    TripsQuery,
    TripTotalsOut,
)
from logitrack.tracking.services import devices as services

router = Router(tags=["devices"])


def _error(exc: TrackingError) -> JsonResponse:
    fields = None
    if exc.field:
        fields = [{"field": exc.field, "code": exc.code, "message": str(exc.message)}]
    return error_json(exc.code, str(exc.message), exc.status, fields=fields)


def _device_out(device: Device) -> DeviceOut:
    latest: DeviceLatest | None
    try:
        latest = device.latest
    except DeviceLatest.DoesNotExist:
        latest = None
    return DeviceOut(
        id=device.pk,
        kind=device.kind,
        identifier=device.identifier,
        name=device.name,
        token_prefix=device.token_prefix,
        enabled=device.enabled,
        require_token=device.require_token,
        allowed_networks=list(device.allowed_networks),
        created_at=device.created_at,
        last_seen_at=device.last_seen_at,
        online=device.is_online(),
        latest=(
            LatestOut(
                fix_time=latest.fix_time,
                latitude=latest.latitude,
                longitude=latest.longitude,
                speed=latest.speed,
                course=latest.course,
                battery=latest.battery,
            )
            if latest is not None
            else None
        ),
    )


def _assignment_out(item: DeviceAssignment) -> AssignmentOut:
    return AssignmentOut(
        id=item.pk,
        target=item.target,
        vehicle_id=item.vehicle_id,
        driver_id=item.driver_id,
        place_name=item.place_name,
        started_at=item.started_at,
        ended_at=item.ended_at,
    )


@router.get("", response=list[DeviceOut], url_name="devices_list", summary="The devices")
@requires(Permission.OPERATIONS_VIEW)
def devices_list(request: HttpRequest) -> list[DeviceOut]:
    return [_device_out(d) for d in selectors.devices_of_tenant(principal=principal_of(request))]


@router.post(
    "",
    response={201: DeviceCreatedOut},
    url_name="device_create",
    summary="Register a device (the answer holds its token, shown once)",
)
@requires(Permission.OPERATIONS_MANAGE)
def device_create(
    request: HttpRequest, payload: DeviceIn
) -> Status[DeviceCreatedOut] | JsonResponse:
    try:
        created = services.device_create(
            principal=principal_of(request),
            kind=payload.kind,
            identifier=payload.identifier,
            name=payload.name,
            require_token=payload.require_token,
            allowed_networks=list(payload.allowed_networks),
        )
    except TrackingError as exc:
        return _error(exc)
    out = DeviceCreatedOut(**_device_out(created.device).dict(), token=created.token)
    return Status(201, out)


@router.get("/{int:device_id}", response=DeviceOut, url_name="device_get", summary="One device")
@requires(Permission.OPERATIONS_VIEW)
def device_get(request: HttpRequest, device_id: Id) -> DeviceOut:
    return _device_out(access_device_by_id(principal_of(request), device_id))


@router.patch(
    "/{int:device_id}",
    response=DeviceOut,
    url_name="device_update",
    summary="Change, disable or enable a device",
)
@requires(Permission.OPERATIONS_MANAGE)
def device_update(
    request: HttpRequest, device_id: Id, payload: DeviceUpdateIn
) -> DeviceOut | JsonResponse:
    principal = principal_of(request)
    device = access_device_by_id(principal, device_id, for_write=True)
    try:
        device = services.device_update(
            principal=principal,
            device=device,
            name=payload.name,
            require_token=payload.require_token,
            allowed_networks=(
                list(payload.allowed_networks) if payload.allowed_networks is not None else None
            ),
        )
        if payload.enabled is True:
            device = services.device_enable(principal=principal, device=device)
        elif payload.enabled is False:
            device = services.device_disable(principal=principal, device=device)
    except TrackingError as exc:
        return _error(exc)
    return _device_out(device)


@router.post(
    "/{int:device_id}/token",
    response=DeviceCreatedOut,
    url_name="device_token_rotate",
    summary="Give a device a new token (the old one stops working; the answer shows it once)",
)
@requires(Permission.OPERATIONS_MANAGE)
def device_token_rotate(request: HttpRequest, device_id: Id) -> DeviceCreatedOut:
    principal = principal_of(request)
    device = access_device_by_id(principal, device_id, for_write=True)
    created = services.device_token_rotate(principal=principal, device=device)
    return DeviceCreatedOut(**_device_out(created.device).dict(), token=created.token)


@router.get(
    "/{int:device_id}/assignments",
    response=list[AssignmentOut],
    url_name="device_assignments",
    summary="What the device was assigned to, newest first",
)
@requires(Permission.OPERATIONS_VIEW)
def device_assignments(request: HttpRequest, device_id: Id) -> list[AssignmentOut]:
    device = access_device_by_id(principal_of(request), device_id)
    return [_assignment_out(a) for a in selectors.device_assignments(device=device)]


@router.post(
    "/{int:device_id}/assignments",
    response={201: AssignmentOut | None},
    url_name="device_assign",
    summary="Assign a device to a vehicle, driver, warehouse or dock (or to nothing)",
)
@requires(Permission.OPERATIONS_MANAGE)
def device_assign(
    request: HttpRequest, device_id: Id, payload: AssignmentIn
) -> Status[AssignmentOut | None] | JsonResponse:
    principal = principal_of(request)
    device = access_device_by_id(principal, device_id, for_write=True)
    vehicle = (
        access_vehicle_by_id(principal, payload.vehicle_id, for_write=True)
        if payload.vehicle_id is not None
        else None
    )
    driver = (
        access_driver_by_id(principal, payload.driver_id, for_write=True)
        if payload.driver_id is not None
        else None
    )
    try:
        assignment = services.device_assign(
            principal=principal,
            device=device,
            target=payload.target,
            vehicle=vehicle,
            driver=driver,
            place_name=payload.place_name,
        )
    except TrackingError as exc:
        return _error(exc)
    return Status(201, _assignment_out(assignment) if assignment is not None else None)


@router.get(
    "/{identifier}/trips",
    response=TripsOut,
    url_name="device_trips",
    summary="The device's trips and stops in a window of at most 31 days",
)
@requires(Permission.OPERATIONS_VIEW)
def device_trips(
    request: HttpRequest, identifier: str, query: Query[TripsQuery]
) -> TripsOut | JsonResponse:
    """Trips and stops derived from the device's plausible fixes (docs/adr/0060), clipped to
    ``[start, end)``: a trip under way at an edge is cut there. 422 ``trips_window_invalid``
    unless ``start < end <= start + 31 days``."""
    device = access_device_by_identifier(principal_of(request), identifier)
    try:
        result = selectors.device_trips(device=device, start=query.start, end=query.end)
    except TrackingError as exc:
        return _error(exc)
    return TripsOut(
        trips=[
            TripOut(
                start_time=trip.start_time,
                end_time=trip.end_time,
                distance_m=round(trip.distance_m, 1),
                duration_s=trip.duration_s,
                max_speed_kmh=round(trip.max_speed_kmh, 1),
                avg_speed_kmh=round(trip.avg_speed_kmh, 1),
                start=PlaceOut(latitude=trip.start_latitude, longitude=trip.start_longitude),
                end=PlaceOut(latitude=trip.end_latitude, longitude=trip.end_longitude),
            )
            for trip in result.trips
        ],
        stops=[
            StopOut(
                start_time=stop.start_time,
                end_time=stop.end_time,
                duration_s=stop.duration_s,
                latitude=stop.latitude,
                longitude=stop.longitude,
            )
            for stop in result.stops
        ],
        totals=TripTotalsOut(
            distance_m=round(result.distance_m, 1),
            moving_s=result.moving_s,
            stopped_s=result.stopped_s,
            max_speed_kmh=round(result.max_speed_kmh, 1),
        ),
    )
