"""Where an out-for-delivery parcel is, as a visitor may see it (ADR 0057): the last known
position of its carrier's device only as a cell of a 0.01° grid (about 1.1 km north-south and
1.0-1.1 km east-west in Vietnam), never the point, and an ETA as a time window.

- The cell is named by its south-west corner, floored to two decimals (``21.03, 105.83`` is
  ``[21.03, 21.04) x [105.83, 105.84)``): the precise coordinates never leave the server.
- Only a position fixed while the parcel is out for delivery (and on this carrier), at most
  ``MAX_AGE`` old, is shown; otherwise, and for every other status, nothing.
- ETA: the geodesic distance from the (precise) position to the order's geocoded delivery point,
  times ``DETOUR`` for streets that are not straight lines, at ``URBAN_SPEED_KMH``, counted from
  the fix time; shown as ``[eta - 20 %, eta + 50 %]`` widened to whole quarter hours and at
  least ``MIN_WINDOW`` wide, so the window does not give the distance back to the metre.
  Without a geocoded destination there is no ETA.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from logitrack.logistics.models import Order, Shipment
from logitrack.logistics.status import ShipmentStatus

GRID_DEG = 0.01
MAX_AGE = timedelta(hours=2)
URBAN_SPEED_KMH = 20.0  # a van or motorbike in Hà Nội or Hồ Chí Minh City traffic, with stops
DETOUR = 1.3
QUARTER = timedelta(minutes=15)
MIN_WINDOW = timedelta(minutes=30)


@dataclass(frozen=True)
class Whereabouts:
    cell_latitude: float  # south-west corner of the 0.01° cell
    cell_longitude: float
    as_of: datetime  # the fix time, floored to the quarter hour
    eta_from: datetime | None
    eta_to: datetime | None

    @property
    def key(self) -> str:
        eta = f"{self.eta_from.timestamp():.0f}" if self.eta_from else ""
        return (
            f"{self.cell_latitude:.2f},{self.cell_longitude:.2f},{self.as_of.timestamp():.0f},{eta}"
        )


def _cell(value: float) -> float:
    return math.floor(round(value * 100, 6)) / 100


def _floor(at: datetime) -> datetime:
    epoch = datetime(2000, 1, 1, tzinfo=at.tzinfo)
    return epoch + ((at - epoch) // QUARTER) * QUARTER


def _ceil(at: datetime) -> datetime:
    floored = _floor(at)
    return floored if floored == at else floored + QUARTER


def eta_window(distance_m: float, fix_time: datetime) -> tuple[datetime, datetime]:
    travel = timedelta(hours=distance_m * DETOUR / 1000 / URBAN_SPEED_KMH)
    start = _floor(fix_time + travel * 0.8)
    end = _ceil(fix_time + travel * 1.5)
    if end - start < MIN_WINDOW:
        end = start + MIN_WINDOW
    return start, end


def public_whereabouts(
    *, shipment_id: int, tenant_id: int, now: datetime | None = None
) -> Whereabouts | None:
    """The coarse position and ETA window of an out-for-delivery shipment, or None."""
    from logitrack.tracking.geo.fixes import distance_m
    from logitrack.tracking.selectors_carriers import public_carrier_latest

    shipment = (
        Shipment.dangerously_unscoped.filter(pk=shipment_id, tenant_id=tenant_id)
        .only(
            "id",
            "tenant_id",
            "order_id",
            "status",
            "status_changed_at",
            "carrier_vehicle_id",
            "carrier_driver_id",
            "carrier_assigned_at",
        )
        .first()
    )
    if shipment is None or shipment.status != ShipmentStatus.OUT_FOR_DELIVERY:
        return None
    if shipment.carrier_vehicle_id is None and shipment.carrier_driver_id is None:
        return None
    now = now or timezone.now()
    since = max(
        shipment.status_changed_at,
        shipment.carrier_assigned_at or shipment.status_changed_at,
        now - MAX_AGE,
    )
    latest = public_carrier_latest(
        tenant_id=tenant_id,
        vehicle_id=shipment.carrier_vehicle_id,
        driver_id=shipment.carrier_driver_id,
        since=since,
    )
    if latest is None:
        return None
    order = (
        Order.dangerously_unscoped.filter(pk=shipment.order_id, tenant_id=tenant_id)
        .values("delivery_latitude", "delivery_longitude")
        .first()
    )
    eta_from = eta_to = None
    if order and order["delivery_latitude"] is not None and order["delivery_longitude"] is not None:
        away = distance_m(
            latest.latitude,
            latest.longitude,
            float(order["delivery_latitude"]),
            float(order["delivery_longitude"]),
        )
        eta_from, eta_to = eta_window(away, latest.fix_time)
        if eta_to <= now:  # late: from now on, not a window already past
            eta_from = _floor(now)
            eta_to = eta_from + MIN_WINDOW
    return Whereabouts(
        cell_latitude=_cell(latest.latitude),
        cell_longitude=_cell(latest.longitude),
        as_of=_floor(latest.fix_time),
        eta_from=eta_from,
        eta_to=eta_to,
    )
