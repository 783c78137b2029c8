"""Zebra IoT Connector tag-data events (FX7500, FX9600, ATR7000 readers), parsed.

The reader's data interface (HTTP POST or MQTT) sends one JSON object per tag report::

    {"type": "SIMPLE", "timestamp": "2019-06-07T16:36:17.597+0000",
     "data": {"eventNum": 1, "format": "epc", "idHex": "3074257bf7194e4000001a85",
              "antenna": 1, "peakRssi": -56, "reads": 3, "channel": 915.25}}

``timestamp``: ISO 8601 with a numeric offset (``+0000``, ``+07:00``) or ``Z``; ``data.idHex``:
the tag id in hex (the EPC bank unless ``data.format`` says otherwise, e.g. ``tid``);
``data.antenna``: the antenna port from 1; ``data.peakRssi``: dBm; ``data.reads``: how many
times the tag was inventoried since its previous report (1 when absent). Other members
(``eventNum``, ``channel``, ``phase``, ``userDefined``, ``hostName``, ...) are ignored; so is
``type`` (SIMPLE, INVENTORY, PORTAL, ... share the tag-data shape). The reader batches events as
a JSON array, or writes objects back to back (optionally separated by whitespace or newlines):
all three are accepted and may be mixed.

``parse_events`` is pure (no Django models, no database). A body that is not JSON at some
point (a syntax error, garbage between objects, invalid UTF-8) is refused whole with
``ZebraBodyMalformed``: what the unreadable part held cannot be known. An event that is JSON but
not a valid tag read (not an object, a missing or malformed ``idHex``, antenna, time, ...) is
refused alone, as an error naming its ``index`` (the event's position, counting the elements of
arrays in order), and the others are kept.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from logitrack.tracking.protocols.report import EARLIEST_FIX, as_utc

MAX_ANTENNA = 255
MAX_READS_PER_EVENT = 1_000_000
MIN_RSSI = -128
MAX_RSSI = 127
_WHITESPACE = re.compile(r"[ \t\n\r]*")
# ISO 8601 as readers write it: date, "T" or space, time with optional fraction, offset.
# ASCII digits only: int() would read "٢٠٢٦" as 2026, and a timestamp is not human text.
_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?:Z|z|[+-]\d{2}(?::?\d{2})?)",
    re.ASCII,
)
_HEX = re.compile(r"[0-9A-Fa-f]+")
# Refusals, made once (lazy: translated when the answer is written).
_NOT_AN_EVENT = _("This is not a tag read event.")
_TIME_INVALID = _("The time is not valid.")
_TIME_AHEAD = _("The time is too far in the future.")
_EPC_MISSING = _("The tag id (idHex) is missing.")
_EPC_INVALID = _("The tag id is not valid hexadecimal.")
_ANTENNA_INVALID = _("The antenna is not valid.")
_RSSI_INVALID = _("The signal strength is not valid.")
_READS_INVALID = _("The read count is not valid.")


class ZebraBodyMalformed(ValueError):
    """The body is not (a sequence of) JSON values."""


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ cost 1.5 µs of 15 per read
class ZebraRead:
    """One tag report: ``read_time`` aware UTC; ``epc_hex`` upper-case hex (not yet checked as
    an EPC, see ``logitrack.tracking.epc``); ``antenna`` >= 1; ``peak_rssi`` dBm or None;
    ``reads`` >= 1; ``is_epc`` False when ``data.format`` names another memory bank."""

    index: int
    read_time: dt.datetime
    epc_hex: str
    antenna: int
    peak_rssi: int | None
    reads: int
    is_epc: bool = True


@dataclass(frozen=True)
class ReadError:
    """A refused event: ``code`` is stable, ``message`` translated lazily."""

    index: int
    code: str
    message: str | Promise


@dataclass
class ZebraEvents:
    reads: list[ZebraRead] = field(default_factory=list)
    errors: list[ReadError] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.reads) + len(self.errors)


class _Refused(ValueError):
    def __init__(self, code: str, message: str | Promise) -> None:
        super().__init__(code)
        self.code = code
        self.message = message


def _no_constant(name: str) -> Any:
    raise ValueError(name)  # NaN and Infinity are not JSON (RFC 8259)


_DECODER = json.JSONDecoder(parse_constant=_no_constant)


def split_values(text: str) -> list[Any]:
    """The JSON values of ``text`` written back to back (whitespace between them allowed);
    ZebraBodyMalformed when any part is not JSON or nothing is there."""
    values: list[Any] = []
    position = _WHITESPACE.match(text, 0).end()  # type: ignore[union-attr]
    while position < len(text):
        try:
            value, position = _DECODER.raw_decode(text, position)
        except (ValueError, RecursionError) as exc:
            raise ZebraBodyMalformed(str(exc)) from None
        values.append(value)
        position = _WHITESPACE.match(text, position).end()  # type: ignore[union-attr]
    if not values:
        raise ZebraBodyMalformed("empty body")
    return values


def parse_time(value: object, now: dt.datetime, max_future: dt.timedelta) -> dt.datetime:
    """``timestamp`` as an aware UTC datetime: ISO 8601 with an offset (a time without one is
    refused: the reader's zone is unknown); not before 2000 nor past ``now + max_future``."""
    if not isinstance(value, str) or not _TIME.fullmatch(value.strip()):
        raise _Refused("timestamp_invalid", _TIME_INVALID)
    text = value.strip().replace(",", ".")
    # fromisoformat (Python 3.11) takes at most 6 fraction digits
    head, dot, rest = text.partition(".")
    if dot:
        digits = len(rest) - len(rest.lstrip("0123456789"))
        text = head + "." + rest[: min(digits, 6)] + rest[digits:]
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise _Refused("timestamp_invalid", _TIME_INVALID) from None
    parsed_utc = as_utc(parsed)
    if parsed_utc is None or parsed_utc < EARLIEST_FIX:
        raise _Refused("timestamp_invalid", _TIME_INVALID)
    parsed = parsed_utc
    if parsed > now + max_future:
        raise _Refused("timestamp_in_future", _TIME_AHEAD)
    return parsed


def _integer(value: object, low: int, high: int, code: str, message: str | Promise) -> int:
    if type(value) is int and low <= value <= high:
        return value  # the common case, checked first (bool is a subclass, never this type)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Refused(code, message)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _Refused(code, message)
        value = round(value)
    if not low <= value <= high:
        raise _Refused(code, message)
    return int(value)


def parse_event(item: object, index: int, now: dt.datetime, max_future: dt.timedelta) -> ZebraRead:
    """One tag-data event; raises _Refused (internal) for anything invalid."""
    if not isinstance(item, dict):
        raise _Refused("event_invalid", _NOT_AN_EVENT)
    data = item.get("data")
    if not isinstance(data, dict):
        raise _Refused("event_invalid", _NOT_AN_EVENT)
    read_time = parse_time(item.get("timestamp"), now, max_future)
    id_hex = data.get("idHex")
    if not isinstance(id_hex, str) or not id_hex:
        raise _Refused("epc_missing", _EPC_MISSING)
    if not _HEX.fullmatch(id_hex) or len(id_hex) % 2:
        raise _Refused("epc_invalid", _EPC_INVALID)
    antenna = _integer(data.get("antenna"), 1, MAX_ANTENNA, "antenna_invalid", _ANTENNA_INVALID)
    rssi = data.get("peakRssi")
    peak_rssi = (
        None if rssi is None else _integer(rssi, MIN_RSSI, MAX_RSSI, "rssi_invalid", _RSSI_INVALID)
    )
    reads_value = data.get("reads", 1)
    reads = _integer(reads_value, 1, MAX_READS_PER_EVENT, "reads_invalid", _READS_INVALID)
    id_format = data.get("format", "epc")
    is_epc = not isinstance(id_format, str) or id_format.lower() == "epc"
    return ZebraRead(
        index=index,
        read_time=read_time,
        epc_hex=id_hex.upper(),
        antenna=antenna,
        peak_rssi=peak_rssi,
        reads=reads,
        is_epc=is_epc,
    )


def parse_events(
    body: bytes, *, now: dt.datetime, max_future: dt.timedelta, max_events: int
) -> ZebraEvents:
    """Every event of ``body`` (see the module docstring). ZebraBodyMalformed for a body that
    is not JSON; TooManyEvents past ``max_events`` events."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ZebraBodyMalformed("not UTF-8") from None
    items: list[object] = []
    for value in split_values(text):
        if isinstance(value, list):
            items.extend(value)
        else:
            items.append(value)
        if len(items) > max_events:
            raise TooManyEvents(max_events)
    events = ZebraEvents()
    for index, item in enumerate(items):
        try:
            events.reads.append(parse_event(item, index, now, max_future))
        except _Refused as exc:
            events.errors.append(ReadError(index=index, code=exc.code, message=exc.message))
    return events


class TooManyEvents(ValueError):
    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


__all__ = [
    "ReadError",
    "TooManyEvents",
    "ZebraBodyMalformed",
    "ZebraEvents",
    "ZebraRead",
    "parse_events",
    "split_values",
]
