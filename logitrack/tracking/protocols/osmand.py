"""The OsmAnd protocol as Traccar Client and OsmAnd-compatible trackers send it.

Source: Traccar's OsmAnd protocol documentation (https://www.traccar.org/osmand/) and the
request formats of Traccar Client (https://www.traccar.org/client/; Android and iOS, version 9
and later send JSON). Implemented here from the format description; no Traccar code is used.

Two shapes, both answered 200 with an empty body when accepted:

1. Query-string or form parameters (``parse_parameters``), e.g.
   ``?id=123456&lat=10.77&lon=106.70&timestamp=1735689600&speed=12.5&bearing=90``:

   - ``id`` or ``deviceid``: the device identifier (required);
   - ``lat`` and ``lon``, or ``location=lat,lon``: WGS 84 degrees (required);
   - ``timestamp``: Unix seconds, Unix milliseconds (any value >= 2^31), ISO 8601, or
     ``yyyy-MM-dd HH:mm:ss`` (UTC); when absent, the time of arrival;
   - ``speed`` in knots (stored in m/s); ``bearing`` or ``heading`` in degrees; ``altitude`` and
     ``accuracy`` in metres; ``hdop``; ``batt`` in percent; ``charge`` (true/false);
     ``valid`` (true/false, default true);
   - repeated ``cell=mcc,mnc,lac,cid[,rssi]`` and ``wifi=mac,rssi``;
   - ``token``: Logitrack's per-device token when the device requires one (never stored);
   - any other key: kept as a string attribute.

2. The JSON body of Traccar Client 9+ (``parse_json``, ``Content-Type: application/json``)::

       {"device_id": "123456",
        "location": {"timestamp": "2026-01-01T00:00:00.000Z",
                     "coords": {"latitude": 10.77, "longitude": 106.70, "accuracy": 5,
                                "speed": 3.2, "heading": 90, "altitude": 12},
                     "battery": {"level": 0.85, "is_charging": false},
                     "is_moving": true, "odometer": 1234.5, "event": "motionchange",
                     "activity": {"type": "in_vehicle"}, "extras": {}}}

   ``speed`` is already m/s; ``speed``, ``heading`` and ``battery.level`` of -1 mean unknown;
   ``battery.level`` is 0..1 (stored as percent). ``battery``, ``is_moving``, ``odometer``,
   ``event``, ``activity`` and ``extras`` are read from ``location`` or, failing that, from the
   top level.

Every refusal is a ``ReportRefused`` (nothing is stored): bad or missing id, |lat| > 90,
|lon| > 180, NaN or infinite or out-of-range numbers, a time before 2000 or more than
``max_future`` ahead of ``now``, too many or too long attributes.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _

from logitrack.tracking.protocols.report import (
    DEFAULT_MAX_FUTURE,
    KNOT,
    MAX_ACCURACY,
    MAX_ALTITUDE,
    MAX_CELLS,
    MAX_SPEED,
    MAX_WIFI,
    MIN_ALTITUDE,
    PositionReport,
    as_utc,
    attribute_key,
    attribute_value,
    check_attributes,
    check_fix_time,
    check_identifier,
    latitude,
    longitude,
    number,
    refuse,
)

MILLISECONDS_FROM = 2**31
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_NUMERIC_TIME = re.compile(r"^[0-9]{1,16}(\.[0-9]{1,6})?$")
_SPACE_TIME = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$")
_MAC = re.compile(r"^[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}$")
_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}
_KNOWN = {
    "id",
    "deviceid",
    "lat",
    "lon",
    "location",
    "timestamp",
    "speed",
    "bearing",
    "heading",
    "altitude",
    "accuracy",
    "hdop",
    "batt",
    "charge",
    "valid",
    "cell",
    "wifi",
    "token",
}


def parse_time(value: object) -> dt.datetime:
    """A ``timestamp`` value as an aware UTC datetime; ReportRefused("timestamp_invalid")."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise refuse("timestamp_invalid", _("The time is not valid."), "timestamp")
    text = str(value).strip()
    try:
        if _NUMERIC_TIME.fullmatch(text):
            whole, _dot, fraction = text.partition(".")
            micros = int(whole) * 1_000_000 + int((fraction or "0").ljust(6, "0"))
            if int(whole) >= MILLISECONDS_FROM:
                micros //= 1000
            return EPOCH + dt.timedelta(microseconds=micros)
        if len(text) > 40:
            raise ValueError(text)
        parsed = dt.datetime.fromisoformat(text)
        if " " in text and not _SPACE_TIME.fullmatch(text):
            raise ValueError(text)
    except (ValueError, OverflowError, OSError) as exc:
        raise refuse("timestamp_invalid", _("The time is not valid."), "timestamp") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    utc = as_utc(parsed)
    if utc is None:
        raise refuse("timestamp_invalid", _("The time is not valid."), "timestamp")
    return utc


def _flag(value: str, name: str) -> bool:
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise refuse("value_invalid", _("A value is not valid: %(name)s.") % {"name": name}, name)


def _cell(value: str) -> dict[str, int]:
    parts = value.split(",")
    if len(parts) not in (4, 5):
        raise refuse(
            "value_invalid", _("A value is not valid: %(name)s.") % {"name": "cell"}, "cell"
        )
    names = ["mcc", "mnc", "lac", "cid", "rssi"]
    cell: dict[str, int] = {}
    for name, part in zip(names, parts, strict=False):
        low = -200 if name == "rssi" else 0
        cell[name] = int(number(part, "cell", low, 2**32))
    return cell


def _wifi(value: str) -> dict[str, Any]:
    mac, sep, rssi = value.partition(",")
    if not sep or not _MAC.fullmatch(mac.strip()):
        raise refuse(
            "value_invalid", _("A value is not valid: %(name)s.") % {"name": "wifi"}, "wifi"
        )
    return {
        "mac": mac.strip().lower().replace("-", ":"),
        "rssi": int(number(rssi, "wifi", -200, 0)),
    }


def _collect(
    pairs: Iterable[tuple[str, str]],
) -> tuple[dict[str, str], list[dict[str, int]], list[dict[str, Any]]]:
    single: dict[str, str] = {}
    cells: list[dict[str, int]] = []
    wifis: list[dict[str, Any]] = []
    for key, value in pairs:
        if key == "cell":
            if len(cells) >= MAX_CELLS:
                raise refuse("too_many_attributes", _("The report has too many values."))
            cells.append(_cell(value))
        elif key == "wifi":
            if len(wifis) >= MAX_WIFI:
                raise refuse("too_many_attributes", _("The report has too many values."))
            wifis.append(_wifi(value))
        else:
            single[key] = value
    return single, cells, wifis


def _coordinates(single: dict[str, str]) -> tuple[float, float]:
    if "location" in single and "lat" not in single and "lon" not in single:
        lat_text, sep, lon_text = single["location"].partition(",")
        if not sep:
            raise refuse("latitude_invalid", _("The latitude must be between -90 and 90."), "lat")
        return latitude(lat_text), longitude(lon_text)
    if "lat" in single and "lon" in single:
        return latitude(single["lat"]), longitude(single["lon"])
    raise refuse("position_missing", _("The position (lat and lon) is missing."), "lat")


def _maybe(single: dict[str, str], key: str, low: float, high: float) -> float | None:
    return number(single[key], key, low, high) if key in single else None


def parse_parameters(
    pairs: Iterable[tuple[str, str]],
    *,
    now: dt.datetime,
    max_future: dt.timedelta = DEFAULT_MAX_FUTURE,
) -> PositionReport:
    """A query-string or form report (shape 1 above) as a ``PositionReport``.

    ``pairs``: the decoded (key, value) pairs in order, repeats kept. The last value of a
    single-valued key wins, as in most web frameworks.
    """
    single, cells, wifis = _collect(pairs)
    identifier = check_identifier(single.get("id", single.get("deviceid")))
    lat, lon = _coordinates(single)
    device_time = parse_time(single["timestamp"]) if "timestamp" in single else None
    fix_time = check_fix_time(device_time or now, now, max_future)
    knots = _maybe(single, "speed", 0.0, MAX_SPEED / KNOT)
    course_text = single.get("bearing", single.get("heading"))
    attributes: dict[str, Any] = {}
    if "hdop" in single:
        attributes["hdop"] = number(single["hdop"], "hdop", 0.0, 1000.0)
    if "charge" in single:
        attributes["charge"] = _flag(single["charge"], "charge")
    if cells:
        attributes["cell"] = cells
    if wifis:
        attributes["wifi"] = wifis
    for key, value in single.items():
        if key not in _KNOWN:
            attributes[key] = attribute_value(value)
    return PositionReport(
        identifier=identifier,
        fix_time=fix_time,
        device_time=device_time,
        latitude=lat,
        longitude=lon,
        speed=knots * KNOT if knots is not None else None,
        course=number(course_text, "bearing", 0.0, 360.0) if course_text is not None else None,
        altitude=_maybe(single, "altitude", MIN_ALTITUDE, MAX_ALTITUDE),
        accuracy=_maybe(single, "accuracy", 0.0, MAX_ACCURACY),
        battery=_maybe(single, "batt", 0.0, 100.0),
        valid=_flag(single["valid"], "valid") if "valid" in single else True,
        attributes=check_attributes(attributes),
        token=single.get("token"),
    )


def _optional(value: object, name: str, low: float, high: float) -> float | None:
    """A JSON number where -1 (and null) means unknown."""
    if value is None:
        return None
    if not isinstance(value, bool) and isinstance(value, int | float) and value == -1:
        return None
    return number(value, name, low, high)


def _json_attribute(value: object) -> Any:
    if isinstance(value, dict):
        if len(value) > 32:
            raise refuse("too_many_attributes", _("The report has too many values."))
        return {attribute_key(k): attribute_value(v) for k, v in value.items()}
    if isinstance(value, list):
        raise refuse("attribute_invalid", _("An attribute value is not valid."))
    return attribute_value(value)


def parse_json_object(
    data: object,
    *,
    now: dt.datetime,
    max_future: dt.timedelta = DEFAULT_MAX_FUTURE,
) -> PositionReport:
    """A decoded Traccar Client 9+ body (shape 2 above) as a ``PositionReport``."""
    if not isinstance(data, dict):
        raise refuse("body_malformed", _("The request body is not valid JSON."))
    identifier = check_identifier(data.get("device_id"))
    location = data.get("location")
    if not isinstance(location, dict):
        raise refuse("position_missing", _("The position (lat and lon) is missing."), "location")
    coords = location.get("coords")
    if not isinstance(coords, dict) or "latitude" not in coords or "longitude" not in coords:
        raise refuse("position_missing", _("The position (lat and lon) is missing."), "coords")
    lat, lon = latitude(coords["latitude"]), longitude(coords["longitude"])
    device_time = parse_time(location["timestamp"]) if "timestamp" in location else None
    fix_time = check_fix_time(device_time or now, now, max_future)

    def pick(key: str) -> Any:
        return location[key] if key in location else data.get(key)

    battery_level = None
    charging = None
    battery = pick("battery")
    if isinstance(battery, dict):
        level = _optional(battery.get("level"), "battery.level", 0.0, 1.0)
        battery_level = level * 100.0 if level is not None else None
        if "is_charging" in battery:
            if not isinstance(battery["is_charging"], bool):
                raise refuse(
                    "value_invalid", _("A value is not valid: %(name)s.") % {"name": "is_charging"}
                )
            charging = battery["is_charging"]
    elif battery is not None:
        raise refuse("value_invalid", _("A value is not valid: %(name)s.") % {"name": "battery"})
    attributes: dict[str, Any] = {}
    if charging is not None:
        attributes["charge"] = charging
    for key in ("is_moving", "odometer", "event", "activity", "extras"):
        value = pick(key)
        if value is not None:
            attributes[key] = _json_attribute(value)
    return PositionReport(
        identifier=identifier,
        fix_time=fix_time,
        device_time=device_time,
        latitude=lat,
        longitude=lon,
        speed=_optional(coords.get("speed"), "speed", 0.0, MAX_SPEED),
        course=_optional(coords.get("heading"), "heading", 0.0, 360.0),
        altitude=(
            number(coords["altitude"], "altitude", MIN_ALTITUDE, MAX_ALTITUDE)
            if coords.get("altitude") is not None
            else None
        ),
        accuracy=_optional(coords.get("accuracy"), "accuracy", 0.0, MAX_ACCURACY),
        battery=battery_level,
        attributes=check_attributes(attributes),
    )


def parse_json(
    body: bytes,
    *,
    now: dt.datetime,
    max_future: dt.timedelta = DEFAULT_MAX_FUTURE,
) -> PositionReport:
    """A Traccar Client 9+ JSON body (UTF-8 bytes) as a ``PositionReport``."""
    try:
        data = json.loads(body.decode("utf-8"), parse_constant=_no_constant)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise refuse("body_malformed", _("The request body is not valid JSON.")) from exc
    return parse_json_object(data, now=now, max_future=max_future)


def _no_constant(name: str) -> Any:
    raise ValueError(name)  # NaN, Infinity, -Infinity are not JSON
