"""The live map's data and the "who was near" search, for the map page and partners.

- ``GET /api/v1/map/devices``: every device of the tenant that has a position, with its state;
  with ``since=<cursor>`` (the ``cursor`` of the previous answer) only the devices that changed
  after it (docs/adr/0056). The cursor lags the server clock by ``CURSOR_OVERLAP`` so that a
  position committed by the group-commit writer just after an answer, stamped before it, is not
  missed; a device sent twice is simply drawn again.
- ``GET /api/v1/positions/near``: the devices with a plausible fix within ``radius_m`` (at most
  5 km) of a point between ``start`` and ``end`` (at most 24 hours), closest first. Errors 422
  ``near_point_invalid``, ``near_radius_invalid``, ``near_window_invalid``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from logitrack.core.errors import error_json
from logitrack.core.schemas import IsoDateTime
from logitrack.security.services import audit_record
from logitrack.tenancy.access import principal_of, requires
from logitrack.tenancy.audit import actor_of
from logitrack.tenancy.roles import Permission
from logitrack.tracking.errors import TrackingError
from logitrack.tracking.geo.near import positions_near
from logitrack.tracking.map import selectors
from logitrack.tracking.models.devices import ONLINE_WINDOW_SECONDS

router = Router(tags=["map"])

CURSOR_OVERLAP = dt.timedelta(seconds=15)
# Cursors are microseconds since the Unix epoch (UTC): digits only, safe in a query string.
_CURSOR_MIN = 0
_CURSOR_MAX = 253_402_300_799_000_000  # 9999-12-31T23:59:59Z


def cursor_of(moment: dt.datetime) -> int:
    return int((moment - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) / dt.timedelta(microseconds=1))


def moment_of(cursor: int) -> dt.datetime:
    return dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=cursor)


class MapQuery(Schema):
    since: int | None = Field(default=None, ge=_CURSOR_MIN, le=_CURSOR_MAX)


def map_payload(*, request: HttpRequest, since: int | None, now: dt.datetime) -> dict[str, Any]:
    """The JSON body of ``GET /map/devices`` (also what bench/geo_map.py times)."""
    principal = principal_of(request)
    tenant_id = principal.tenant_id or 0
    thresholds = selectors.map_thresholds(tenant_id=tenant_id)
    devices = selectors.map_devices(
        principal=principal, now=now, since=None if since is None else moment_of(since)
    )
    payload: dict[str, Any] = {
        "now": now.isoformat(),
        "cursor": cursor_of(now - CURSOR_OVERLAP),
        "full": since is None,
        "online_window_s": ONLINE_WINDOW_SECONDS,
        "moving_kmh": thresholds.moving_kmh,
        "fields": list(selectors.MapRow._fields),
        "devices": devices,
    }
    if since is None:
        payload["without_position"] = selectors.devices_without_position(principal=principal)
    return payload


@router.get(
    "/map/devices",
    response={200: dict[str, Any]},
    url_name="map_devices",
    summary="The live map: devices with their latest position and state",
)
@requires(Permission.OPERATIONS_VIEW)
def map_devices(request: HttpRequest, query: Query[MapQuery]) -> JsonResponse:
    """All devices with a position (``full: true``) or, with ``since``, only those changed after
    that cursor; poll again with the answer's ``cursor``. Each device is an array whose values
    are named by ``fields`` (``id, identifier, name, kind, enabled, latitude, longitude,
    fix_time, seen, speed_kmh, course, battery, online, moving, vehicle_id, plate, driver,
    place``). ``online`` is as of ``now``; a device
    whose last report is older than ``online_window_s`` seconds is offline."""
    body = map_payload(request=request, since=query.since, now=timezone.now())
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


class NearQuery(Schema):
    latitude: float
    longitude: float
    radius_m: float
    start: IsoDateTime
    end: IsoDateTime


@router.get(
    "/positions/near",
    response={200: dict[str, Any]},
    url_name="positions_near",
    summary="Who was near a place at a time (radius up to 5 km, window up to 24 hours)",
)
@requires(Permission.OPERATIONS_VIEW)
def near(request: HttpRequest, query: Query[NearQuery]) -> JsonResponse:
    """Devices with a plausible fix within ``radius_m`` of the point and
    ``start <= fix_time < end``: identifier, name, first and last fix time within the radius,
    closest distance (metres), closest first. Fixes tied to a driver make it a read of where a
    person was: one ``sensitive_read`` audit entry per search that found any."""
    principal = principal_of(request)
    try:
        found = positions_near(
            principal=principal,
            latitude=query.latitude,
            longitude=query.longitude,
            radius_m=query.radius_m,
            start=query.start,
            end=query.end,
        )
    except TrackingError as exc:
        fields = [{"field": exc.field, "code": exc.code, "message": str(exc.message)}]
        return error_json(exc.code, str(exc.message), exc.status, fields=fields)
    personal = sum(item.driver_fixes for item in found)
    if personal:
        audit_record(
            action="sensitive_read",
            actor=actor_of(principal),
            tenant_id=principal.tenant_id,
            object_type="tracking.positions_near",
            object_id="",
            details={
                "start": query.start.isoformat(),
                "end": query.end.isoformat(),
                "radius_m": query.radius_m,
                "devices": len(found),
                "driver_positions": personal,
            },
            request=request,
        )
    body = {
        "devices": [
            {
                "id": item.device_id,
                "identifier": item.identifier,
                "name": item.name,
                "first_fix_time": item.first_fix_time.isoformat(),
                "last_fix_time": item.last_fix_time.isoformat(),
                "closest_m": item.closest_m,
                "fixes": item.fixes,
            }
            for item in found
        ],
        "message": _("No device was within this radius at that time.") if not found else "",
    }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response
