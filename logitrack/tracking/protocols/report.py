"""The one shape every protocol is parsed into, and the checks shared by all of them.

Units follow ``logitrack.tracking.models.Position``: degrees WGS 84, metres per second, degrees
from true north, metres, percent. Bounds refuse values no receiver produces, so that a corrupt
or hostile report is refused whole (nothing stored) rather than stored wrong.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from logitrack.core.text import TextRefused, opaque_text

IDENTIFIER = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
# A number as receivers write it: ASCII digits, optional sign, point and exponent (float() alone
# would also take "1_0", fullwidth or Arabic-Indic digits and "infinity").
NUMBER_TEXT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)
# Fixes before this are a receiver's clock after a GPS week roll-over, not history.
EARLIEST_FIX = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
DEFAULT_MAX_FUTURE = dt.timedelta(minutes=10)
MAX_SPEED = 1000.0  # m/s
MAX_ALTITUDE = 100_000.0  # m
MIN_ALTITUDE = -12_000.0
MAX_ACCURACY = 1_000_000.0  # m
MAX_ATTRIBUTES = 64
MAX_ATTRIBUTE_KEY = 64
MAX_ATTRIBUTE_VALUE = 256
MAX_CELLS = 16
MAX_WIFI = 32
KNOT = 1852.0 / 3600.0  # m/s


class ReportRefused(ValueError):
    """A report that is malformed or out of bounds; ``code`` is stable, ``message`` translated,
    ``field`` names the offending parameter."""

    def __init__(self, code: str, message: str | Promise, field: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.message = message
        self.field = field


@dataclass(frozen=True)
class PositionReport:
    identifier: str
    fix_time: dt.datetime
    latitude: float
    longitude: float
    device_time: dt.datetime | None = None
    speed: float | None = None
    course: float | None = None
    altitude: float | None = None
    accuracy: float | None = None
    battery: float | None = None
    valid: bool = True
    attributes: dict[str, Any] = field(default_factory=dict)
    token: str | None = None


def refuse(code: str, message: str | Promise, field: str = "") -> ReportRefused:
    return ReportRefused(code, message, field)


def check_identifier(value: object) -> str:
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise refuse("device_id_missing", _("The device id is missing."), "id")
    text = str(value)
    if not IDENTIFIER.fullmatch(text):
        raise refuse("device_id_invalid", _("The device id is not valid."), "id")
    return text


def number(value: object, name: str, low: float, high: float) -> float:
    """``value`` (a str or a JSON number) as a finite float within [low, high]."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise refuse(
            "value_invalid", _("A value is not a number: %(name)s.") % {"name": name}, name
        )
    if isinstance(value, str) and (len(value) > 32 or not NUMBER_TEXT.fullmatch(value.strip())):
        raise refuse(
            "value_invalid", _("A value is not a number: %(name)s.") % {"name": name}, name
        )
    try:
        result = float(value)
    except (ValueError, OverflowError) as exc:
        raise refuse(
            "value_invalid", _("A value is not a number: %(name)s.") % {"name": name}, name
        ) from exc
    if not math.isfinite(result) or not low <= result <= high:
        raise refuse(
            "value_out_of_range", _("A value is out of range: %(name)s.") % {"name": name}, name
        )
    return result


def latitude(value: object) -> float:
    try:
        return number(value, "lat", -90.0, 90.0)
    except ReportRefused as exc:
        raise refuse(
            "latitude_invalid", _("The latitude must be between -90 and 90."), "lat"
        ) from exc


def longitude(value: object) -> float:
    try:
        return number(value, "lon", -180.0, 180.0)
    except ReportRefused as exc:
        raise refuse(
            "longitude_invalid", _("The longitude must be between -180 and 180."), "lon"
        ) from exc


def as_utc(moment: dt.datetime) -> dt.datetime | None:
    """An aware ``moment`` in UTC, or None when its UTC instant is outside Python's calendar
    (years 1-9999): ``0001-01-01T00:00:00+05:00`` is in year 0 in UTC, ``9999-12-31T23:00-05:00``
    in year 10000, and ``astimezone`` raises OverflowError for both. Every parser of a device's
    or client's time goes through this, so that such a time is refused, never a crash."""
    try:
        return moment.astimezone(dt.UTC)
    except OverflowError:
        return None


def check_fix_time(
    fix_time: dt.datetime, now: dt.datetime, max_future: dt.timedelta
) -> dt.datetime:
    if fix_time < EARLIEST_FIX:
        raise refuse("timestamp_invalid", _("The time is not valid."), "timestamp")
    if fix_time > now + max_future:
        raise refuse("timestamp_in_future", _("The time is too far in the future."), "timestamp")
    return fix_time


def attribute_value(value: object) -> Any:
    """A JSON-safe attribute value: str/bool/finite number/None, or a short list or dict of those
    (one level); refuses anything longer than the bounds."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            raise refuse("attribute_invalid", _("An attribute value is not valid."))
        if isinstance(value, int) and abs(value) > 2**53:
            raise refuse("attribute_invalid", _("An attribute value is not valid."))
        return value
    if isinstance(value, str):
        # The core text layer's hazards (control characters such as NUL, bidi overrides, lone
        # surrogates): PostgreSQL's jsonb cannot store NUL or a lone surrogate, and a reader of
        # the attribute must not be shown text reordered by a bidi override.
        try:
            text = opaque_text(value)
        except TextRefused as exc:
            raise refuse("attribute_invalid", _("An attribute value is not valid.")) from exc
        if len(text) > MAX_ATTRIBUTE_VALUE:
            raise refuse("attribute_invalid", _("An attribute value is not valid."))
        return text
    raise refuse("attribute_invalid", _("An attribute value is not valid."))


def attribute_key(key: object) -> str:
    """An attribute name at any level of ``attributes``: 1-64 printable characters (no control,
    format, bidi or surrogate character: ``str.isprintable``); ReportRefused otherwise."""
    if not isinstance(key, str) or not key or len(key) > MAX_ATTRIBUTE_KEY:
        raise refuse("attribute_invalid", _("An attribute name is not valid."))
    if not key.isprintable():
        raise refuse("attribute_invalid", _("An attribute name is not valid."))
    return key


def check_attributes(attributes: dict[str, Any]) -> dict[str, Any]:
    if len(attributes) > MAX_ATTRIBUTES:
        raise refuse("too_many_attributes", _("The report has too many values."))
    for key in attributes:
        attribute_key(key)
    return attributes
