"""The geofence API: geofences as GeoJSON Features at /api/v1/geofences, and the enter and exit
events derived from positions at /api/v1/geofence-events.

Errors leave as ``{"error": {"code", "message"}}``: 404 ``geofence_not_found``, 409
``geofence_name_taken``, 422 for a bad geometry (``geofence_self_intersecting``,
``geofence_too_large``, ``geofence_ring_not_closed``, ``geofence_ring_too_short``,
``geofence_coordinates_out_of_range``, ``geofence_radius_invalid``,
``geofence_geometry_unsupported``), 422 ``geofence_import_refused`` with one entry per refused
item in ``fields``, 400 ``cursor_invalid`` and ``range_invalid`` for the event list.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import Any, Literal

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile

from logitrack.core.errors import error_json
from logitrack.core.ids import ID_MAX, Id
from logitrack.core.schemas import HumanText, IsoDateTime, OpaqueText
from logitrack.tenancy.access import principal_of, requires
from logitrack.tenancy.roles import Permission
from logitrack.tracking.access import access_geofence_by_id
from logitrack.tracking.errors import TrackingError
from logitrack.tracking.geo.geofences import (
    GeofenceGeometryError,
    GeofenceImportInvalid,
    GeofenceImportRefused,
)
from logitrack.tracking.geo.selectors import (
    GeofenceEventFilters,
    geofence_events,
    geofences_of_tenant,
)
from logitrack.tracking.models import Geofence, GeofenceEvent
from logitrack.tracking.services import geofences as services

router = Router(tags=["geofences"])

EVENTS_LIMIT_DEFAULT = 100
EVENTS_LIMIT_MAX = 1000
CURSOR_MAX = 200
IMPORT_MAX_BYTES = 5 * 1024 * 1024


def error_of(exc: TrackingError) -> JsonResponse:
    """The API's answer to a refused geofence operation."""
    fields = None
    if isinstance(exc, GeofenceImportRefused):
        fields = [
            {"field": f"item {p.number}", "code": p.code, "message": p.message}
            for p in exc.problems
        ]
    elif isinstance(exc, GeofenceGeometryError) and exc.where:
        fields = [{"field": exc.where, "code": exc.code, "message": str(exc.message)}]
    elif exc.field:
        fields = [{"field": exc.field, "code": exc.code, "message": str(exc.message)}]
    return error_json(exc.code, str(exc), exc.status, fields=fields)


def feature_of(fence: Geofence) -> dict[str, Any]:
    """A stored geofence as a GeoJSON Feature (RFC 7946), with its bounding box."""
    properties: dict[str, Any] = {
        "name": fence.name,
        "site_kind": fence.site_kind,
        "site_name": fence.site_name,
        "shape": fence.shape,
        "area_m2": round(fence.area_m2, 1),
        "active": fence.active,
        "created_at": fence.created_at.isoformat(),
    }
    if fence.radius_m is not None:
        properties["radius"] = fence.radius_m
    return {
        "type": "Feature",
        "id": fence.pk,
        "bbox": [fence.min_longitude, fence.min_latitude, fence.max_longitude, fence.max_latitude],
        "geometry": fence.geometry,
        "properties": properties,
    }


class GeofencePropertiesIn(Schema):
    name: HumanText = Field(max_length=100)
    site_kind: Literal["warehouse", "hub", "customer_site", "other"] = "other"
    site_name: HumanText = Field(default="", max_length=100)
    radius: float | None = Field(default=None, description="Metres, for a Point (a circle)")


class PolygonIn(Schema):
    type: Literal["Polygon"]
    coordinates: list[list[list[float]]] = Field(
        description="Rings of [longitude, latitude]: the exterior first, then holes; closed"
    )


class PointIn(Schema):
    type: Literal["Point"]
    coordinates: list[float] = Field(description="[longitude, latitude]")


class GeofenceFeatureIn(Schema):
    """A GeoJSON Feature (RFC 7946): ``geometry`` a Polygon, or a Point with
    ``properties.radius``; coordinates [longitude, latitude] in WGS 84. Rings, ranges, closure,
    self-intersection and the area limit are checked by ``geo.geofences``."""

    type: Literal["Feature"]
    geometry: PolygonIn | PointIn = Field(discriminator="type")
    properties: GeofencePropertiesIn


def collection_of(fences: list[Geofence]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": [feature_of(f) for f in fences]}


@router.get(
    "/geofences",
    response=dict[str, Any],
    url_name="geofences_list",
    summary="The tenant's geofences as a GeoJSON FeatureCollection",
)
@requires(Permission.OPERATIONS_VIEW)
def geofences_list(request: HttpRequest) -> dict[str, Any]:
    return collection_of(list(geofences_of_tenant(principal=principal_of(request))))


@router.post(
    "/geofences",
    response={201: dict[str, Any]},
    url_name="geofence_create",
    summary="Create a geofence from a GeoJSON Feature (Polygon, or Point with radius in metres)",
)
@requires(Permission.OPERATIONS_MANAGE)
def geofence_create(
    request: HttpRequest,
    payload: GeofenceFeatureIn,
) -> Status[dict[str, Any]] | JsonResponse:
    """``properties``: ``name`` (required, unique), ``site_kind`` (warehouse, hub,
    customer_site, other), ``site_name``, and for a Point ``radius`` (metres, up to 50,000).
    Coordinates are [longitude, latitude] (WGS 84)."""
    try:
        fence = services.geofence_create(
            principal=principal_of(request), feature=payload.model_dump()
        )
    except TrackingError as exc:
        return error_of(exc)
    return Status(201, feature_of(fence))


@router.post(
    "/geofences/import",
    response={201: dict[str, Any]},
    url_name="geofences_import",
    summary="Import geofences from a GeoJSON FeatureCollection or a KML file (all or nothing)",
)
@requires(Permission.OPERATIONS_MANAGE)
def geofences_import(
    request: HttpRequest,
    file: File[UploadedFile],
) -> Status[dict[str, Any]] | JsonResponse:
    """Multipart ``file``: the format is decided from the bytes (``<`` starts KML, ``{`` a
    GeoJSON document), never from the file name. At most 5 MB and 1,000 geofences."""
    try:
        data = file.read(IMPORT_MAX_BYTES + 1)
        if len(data) > IMPORT_MAX_BYTES:
            raise GeofenceImportInvalid(_("The file is larger than 5 MB."))
        fences = services.geofence_import(
            principal=principal_of(request), data=data, kml=is_kml(data)
        )
    except TrackingError as exc:
        return error_of(exc)
    return Status(201, collection_of(fences))


def is_kml(data: bytes) -> bool:
    """True when the document is XML (KML), False for JSON, by its first significant byte."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<")


@router.get(
    "/geofences/{int:geofence_id}",
    response=dict[str, Any],
    url_name="geofence_get",
    summary="A geofence as a GeoJSON Feature",
)
@requires(Permission.OPERATIONS_VIEW)
def geofence_get(request: HttpRequest, geofence_id: Id) -> dict[str, Any]:
    return feature_of(access_geofence_by_id(principal_of(request), geofence_id))


@router.delete(
    "/geofences/{int:geofence_id}",
    response={200: dict[str, Any], 204: None},
    url_name="geofence_delete",
    summary="Delete a geofence (deactivate it when it has events)",
)
@requires(Permission.OPERATIONS_MANAGE)
def geofence_delete(request: HttpRequest, geofence_id: Id) -> Status[dict[str, Any]] | Status[None]:
    """204 when deleted; 200 with the deactivated geofence when it has events (they stay)."""
    principal = principal_of(request)
    fence = access_geofence_by_id(principal, geofence_id, for_write=True)
    if services.geofence_delete(principal=principal, geofence=fence):
        return Status(204, None)
    return Status(200, feature_of(fence))


class EventsQuery(Schema):
    device: OpaqueText | None = Field(default=None, max_length=64)
    start: IsoDateTime | None = None
    end: IsoDateTime | None = None
    cursor: OpaqueText | None = Field(default=None, max_length=CURSOR_MAX)
    limit: int = Field(default=EVENTS_LIMIT_DEFAULT, ge=1, le=EVENTS_LIMIT_MAX)


class GeofenceEventOut(Schema):
    id: int
    device: str
    geofence_id: int
    geofence_name: str
    site_kind: str
    site_name: str
    kind: str
    fix_time: datetime
    latitude: float
    longitude: float
    interpolated: bool


class GeofenceEventPageOut(Schema):
    items: list[GeofenceEventOut]
    next_cursor: str | None


def _cursor(moment: datetime, pk: int) -> str:
    raw = f"gfe|{moment.astimezone(UTC).isoformat()}|{pk}".encode("ascii")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _after(cursor: str) -> tuple[datetime, int] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        made_for, value, pk_text = raw.split("|")
        moment = datetime.fromisoformat(value)
        pk = int(pk_text)
        if made_for != "gfe" or moment.tzinfo is None or not 1 <= pk <= ID_MAX:
            return None
        # Year 1 or 9999 with an offset leaves datetime's range in UTC.
        return moment.astimezone(UTC), pk
    except (ValueError, OverflowError, binascii.Error, UnicodeDecodeError):
        return None


def _event_out(event: GeofenceEvent) -> GeofenceEventOut:
    return GeofenceEventOut(
        id=event.pk,
        device=event.device.identifier,
        geofence_id=event.geofence_id,
        geofence_name=event.geofence.name,
        site_kind=event.geofence.site_kind,
        site_name=event.geofence.site_name,
        kind=event.kind,
        fix_time=event.fix_time,
        latitude=event.latitude,
        longitude=event.longitude,
        interpolated=event.interpolated,
    )


@router.get(
    "/geofence-events",
    response=GeofenceEventPageOut,
    url_name="geofence_events",
    summary="Enter and exit events in fix-time order",
)
@requires(Permission.OPERATIONS_VIEW)
def geofence_events_list(
    request: HttpRequest, query: Query[EventsQuery]
) -> GeofenceEventPageOut | JsonResponse:
    """Filters: ``device`` (its identifier), ``start`` (inclusive) and ``end`` (exclusive) on
    the fix time, RFC 3339 with offset. Retracted events (late positions showed they did not
    happen) are not listed. ``next_cursor`` continues the list; null on the last page."""
    if query.start is not None and query.end is not None and query.start >= query.end:
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
    filters = GeofenceEventFilters(
        device=query.device, since=query.start, until=query.end, after=after
    )
    rows = geofence_events(principal=principal_of(request), filters=filters, limit=query.limit + 1)
    page, more = rows[: query.limit], len(rows) > query.limit
    return GeofenceEventPageOut(
        items=[_event_out(e) for e in page],
        next_cursor=_cursor(page[-1].fix_time, page[-1].pk) if more else None,
    )
