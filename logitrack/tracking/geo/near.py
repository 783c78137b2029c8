"""Who was near a place at a time: the tenant's devices with a plausible fix within
``radius_m`` of a point between ``start`` and ``end``.

The search is bounded (radius up to ``MAX_RADIUS_M``, window up to ``MAX_WINDOW``) so that one
request reads a bounded slice of positions. Positions are first narrowed by a bounding box
around the circle inside the time window (on PostgreSQL only the partitions of those days are
read); only devices with a fix in the box are read further. Their fixes of the window are run
through the one plausibility rule (``geo.fixes.plausible`` with the tenant's fastest plausible
move), and the geodesic distance (WGS 84) of the plausible fixes in the box decides. The
plausibility of a fix is judged from the window's own fixes, so the first fix of the window is
its own anchor.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter

import numpy as np
from django.utils.translation import gettext_lazy as _

from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Permission
from logitrack.tracking.errors import TrackingError
from logitrack.tracking.geo.fixes import WGS84, plausible
from logitrack.tracking.map.selectors import map_thresholds
from logitrack.tracking.models import Device, Position

MAX_RADIUS_M = 5000.0
MAX_WINDOW = dt.timedelta(hours=24)
# Metres per degree of latitude is at least 110,574 on WGS 84; a degree of longitude spans at
# least 111,320 * cos(latitude) (more at the equator's bulge): bounds a little wider than the
# circle, never narrower.
_M_PER_DEG_LAT = 110_574.0
_M_PER_DEG_LON_EQUATOR = 111_320.0
_BOX_MARGIN = 1.01


class NearRadiusInvalid(TrackingError):
    code = "near_radius_invalid"
    message = _("Choose a radius from 1 m to 5 km.")
    status = 422
    field = "radius_m"


class NearWindowInvalid(TrackingError):
    code = "near_window_invalid"
    message = _("Choose an end after the start, at most 24 hours later.")
    status = 422
    field = "end"


class NearPointInvalid(TrackingError):
    code = "near_point_invalid"
    message = _("Choose a point with a latitude from -90 to 90 and a longitude from -180 to 180.")
    status = 422
    field = "latitude"


@dataclass(frozen=True)
class NearDevice:
    """A device that was within the radius: its first and last plausible fix there and its
    closest geodesic distance (metres)."""

    device_id: int
    identifier: str
    name: str
    first_fix_time: dt.datetime
    last_fix_time: dt.datetime
    closest_m: float
    fixes: int
    driver_fixes: int


def _validate(
    latitude: float, longitude: float, radius_m: float, start: dt.datetime, end: dt.datetime
) -> None:
    if not (
        math.isfinite(latitude)
        and math.isfinite(longitude)
        and -90 <= latitude <= 90
        and -180 <= longitude <= 180
    ):
        raise NearPointInvalid
    if not (math.isfinite(radius_m) and 1 <= radius_m <= MAX_RADIUS_M):
        raise NearRadiusInvalid
    if start.tzinfo is None or end.tzinfo is None:
        raise NearWindowInvalid
    if not (start < end and end - start <= MAX_WINDOW):  # no start + MAX_WINDOW: year 9999
        raise NearWindowInvalid


def bounding_box(
    latitude: float, longitude: float, radius_m: float
) -> tuple[float, float, float, float]:
    """``(south, north, west, east)`` in degrees, covering every point within ``radius_m``
    (geodesic) of the point; the full longitude range near a pole. A box that crosses the
    antimeridian is widened to all longitudes (no Vietnamese road crosses it)."""
    dlat = radius_m / _M_PER_DEG_LAT * _BOX_MARGIN
    south, north = max(-90.0, latitude - dlat), min(90.0, latitude + dlat)
    widest = max(abs(south), abs(north))
    if widest >= 89.9:
        return south, north, -180.0, 180.0
    dlon = radius_m / (_M_PER_DEG_LON_EQUATOR * math.cos(math.radians(widest))) * _BOX_MARGIN
    west, east = longitude - dlon, longitude + dlon
    if west < -180 or east > 180:
        return south, north, -180.0, 180.0
    return south, north, west, east


def positions_near(
    *,
    principal: Principal,
    latitude: float,
    longitude: float,
    radius_m: float,
    start: dt.datetime,
    end: dt.datetime,
) -> list[NearDevice]:
    """The tenant's devices with a plausible fix within ``radius_m`` of the point and
    ``start <= fix_time < end``, closest first (then by identifier). Raises the ``Near*``
    errors on bad input (nothing read); empty without ``operations.view`` (fail closed)."""
    _validate(latitude, longitude, radius_m, start, end)
    tenant_id = principal.tenant_id
    if tenant_id is None or not principal.has(Permission.OPERATIONS_VIEW):
        return []
    south, north, west, east = bounding_box(latitude, longitude, radius_m)
    window = Position.objects.filter(tenant_id=tenant_id, fix_time__gte=start, fix_time__lt=end)
    candidates = list(
        window.filter(
            latitude__gte=south,
            latitude__lte=north,
            longitude__gte=west,
            longitude__lte=east,
        )
        .values_list("device_id", flat=True)
        .distinct()
    )
    if not candidates:
        return []
    max_speed_mps = map_thresholds(tenant_id=tenant_id).max_plausible_kmh / 3.6
    names = {
        pk: (identifier, name)
        for pk, identifier, name in Device.objects.filter(
            tenant_id=tenant_id, pk__in=candidates
        ).values_list("pk", "identifier", "name")
    }
    rows = (
        window.filter(device_id__in=candidates)
        .order_by("device_id", "fix_time")
        .values_list("device_id", "fix_time", "latitude", "longitude", "valid", "driver_id")
    )
    found: list[NearDevice] = []
    for device_id, group in groupby(rows.iterator(chunk_size=5000), key=itemgetter(0)):
        fixes = list(group)
        times = [row[1] for row in fixes]
        seconds = np.array([t.timestamp() for t in times], dtype=np.float64)
        lat = np.array([row[2] for row in fixes], dtype=np.float64)
        lon = np.array([row[3] for row in fixes], dtype=np.float64)
        valid = np.array([row[4] for row in fixes], dtype=np.bool_)
        ok = plausible(seconds, lat, lon, valid, max_speed_mps=max_speed_mps)
        in_box = ok & (lat >= south) & (lat <= north) & (lon >= west) & (lon <= east)
        index = np.flatnonzero(in_box)
        if not len(index):
            continue
        _, _, dist = WGS84.inv(
            np.full(len(index), longitude), np.full(len(index), latitude), lon[index], lat[index]
        )
        dist = np.asarray(dist, dtype=np.float64)
        inside = index[dist <= radius_m]
        if not len(inside):
            continue
        identifier, name = names[device_id]
        found.append(
            NearDevice(
                device_id=device_id,
                identifier=identifier,
                name=name,
                first_fix_time=times[int(inside[0])],
                last_fix_time=times[int(inside[-1])],
                closest_m=round(float(dist[dist <= radius_m].min()), 1),
                fixes=len(inside),
                driver_fixes=sum(1 for i in inside.tolist() if fixes[i][5] is not None),
            )
        )
    found.sort(key=lambda item: (item.closest_m, item.identifier))
    return found
