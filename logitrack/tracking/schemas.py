"""Request and response bodies of the tracking API."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import field_validator
from pydantic_core import PydanticCustomError

from logitrack.core.ids import Id
from logitrack.core.schemas import HumanText, OpaqueText

DeviceKindIn = Literal["gps_tracker", "phone", "rfid_reader", "camera"]


class DeviceIn(Schema):
    kind: DeviceKindIn
    identifier: OpaqueText = Field(max_length=64)
    name: HumanText = Field(max_length=100)
    require_token: bool = False
    allowed_networks: list[OpaqueText] = Field(default_factory=list, max_length=20)


class DeviceUpdateIn(Schema):
    """Only the fields sent change."""

    name: HumanText | None = Field(default=None, max_length=100)
    require_token: bool | None = None
    allowed_networks: list[OpaqueText] | None = Field(default=None, max_length=20)
    enabled: bool | None = None


class LatestOut(Schema):
    fix_time: datetime
    latitude: float
    longitude: float
    speed: float | None
    course: float | None
    battery: float | None


class DeviceOut(Schema):
    id: int
    kind: str
    identifier: str
    name: str
    token_prefix: str
    enabled: bool
    require_token: bool
    allowed_networks: list[str]
    created_at: datetime
    last_seen_at: datetime | None
    online: bool
    latest: LatestOut | None


class DeviceCreatedOut(DeviceOut):
    """The device and its token, shown this once."""

    token: str


class AssignmentIn(Schema):
    target: Literal["vehicle", "driver", "warehouse", "dock", "none"]
    vehicle_id: Id | None = None
    driver_id: Id | None = None
    place_name: HumanText = Field(default="", max_length=100)


class AssignmentOut(Schema):
    id: int
    target: str
    vehicle_id: int | None
    driver_id: int | None
    place_name: str
    started_at: datetime
    ended_at: datetime | None


class DockDoorIn(Schema):
    device_id: Id
    antenna: int | None = Field(default=None, description="1-32; null for every antenna")
    name: HumanText = Field(max_length=100)
    place: HumanText = Field(max_length=100, description="The warehouse or hub, as on timelines")
    direction: Literal["in", "out"]
    location_id: OpaqueText = Field(default="", max_length=100, description="SGLN URN or empty")


class DockDoorUpdateIn(Schema):
    """Only the fields sent change; ``antenna: null`` makes the door the whole reader."""

    antenna: int | None = None
    name: HumanText | None = Field(default=None, max_length=100)
    place: HumanText | None = Field(default=None, max_length=100)
    direction: Literal["in", "out"] | None = None
    location_id: OpaqueText | None = Field(default=None, max_length=100)
    active: bool | None = None


class DockDoorOut(Schema):
    id: int
    device_id: int
    device_identifier: str
    antenna: int | None
    name: str
    place: str
    direction: str
    location_id: str
    active: bool
    created_at: datetime


class ShipmentTagsIn(Schema):
    epcs: list[OpaqueText] = Field(
        min_length=1, max_length=100, description="SGTIN URNs or the tags' EPC hex"
    )


class ShipmentTagOut(Schema):
    epc_uri: str
    created_at: datetime


class ShipmentTagsOut(Schema):
    waybill: str
    tags: list[ShipmentTagOut]


# An ISO 8601 date-time whose offset may be left out (then it is Asia/Ho_Chi_Minh time); never
# a number, which lax pydantic would read as a Unix timestamp (core.schemas.IsoForm).
_LOCAL_OR_OFFSET = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([Zz]|[+-]\d{2}:\d{2})?\Z", re.ASCII
)


class TripsQuery(Schema):
    """A window of at most ``TRIPS_WINDOW_MAX_DAYS``; a time without a zone is in
    Asia/Ho_Chi_Minh."""

    start: datetime
    end: datetime

    @field_validator("start", "end", mode="before")
    @classmethod
    def _date_time_text(cls, value: Any) -> Any:
        if isinstance(value, datetime) or (
            isinstance(value, str) and _LOCAL_OR_OFFSET.match(value)
        ):
            return value
        raise PydanticCustomError(
            "datetime_type", "Input should be an ISO 8601 date-time, with or without offset"
        )


class PlaceOut(Schema):
    latitude: float
    longitude: float


class TripOut(Schema):
    start_time: datetime
    end_time: datetime
    distance_m: float
    duration_s: float
    max_speed_kmh: float
    avg_speed_kmh: float
    start: PlaceOut
    end: PlaceOut


class StopOut(Schema):
    start_time: datetime
    end_time: datetime
    duration_s: float
    latitude: float
    longitude: float


class TripTotalsOut(Schema):
    distance_m: float
    moving_s: float
    stopped_s: float
    max_speed_kmh: float


class TripsOut(Schema):
    trips: list[TripOut]
    stops: list[StopOut]
    totals: TripTotalsOut


class DailyReportQuery(Schema):
    """Local days (Asia/Ho_Chi_Minh), ``start`` to ``end`` inclusive, at most 93; ``device``: one
    device's identifier."""

    start: date
    end: date
    device: OpaqueText | None = Field(default=None, max_length=64)


class DailyTotalsOut(Schema):
    distance_m: float
    moving_s: float
    stopped_s: float
    max_speed_kmh: float
    trip_count: int
    positions: int


class DailyRowOut(DailyTotalsOut):
    device: str
    device_name: str
    day: date
    first_fix: datetime | None
    last_fix: datetime | None


class DeviceTotalsOut(DailyTotalsOut):
    device: str
    device_name: str


class DailyReportOut(Schema):
    start: date
    end: date
    days: list[DailyRowOut]
    devices: list[DeviceTotalsOut]
    totals: DailyTotalsOut
