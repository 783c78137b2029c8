"""The batch positions API, for integrators and Logitrack's driver page.

``POST /api/v1/ingest/positions`` on the gateway (``Authorization: Bearer <device token>`` or
``X-Device-Token``) and ``POST /ingest/positions`` on the main site (``X-Device-Token`` only:
there a Bearer header is an API key). Body, at most ``MAX_POSITIONS`` positions::

    {"positions": [{"fix_time": "2026-11-30T01:00:00Z", "latitude": 10.77,
                    "longitude": 106.70, "speed": 3.2, "course": 90, "altitude": 12,
                    "accuracy": 5, "battery": 80, "valid": true, "attributes": {"trip": "T-1"}}]}

Units: degrees, m/s, degrees from north, metres, metres, percent. ``fix_time`` is ISO 8601 or
Unix seconds/milliseconds as in the OsmAnd protocol. Idempotent per (device, fix time): sending
a position again stores it once and reports it accepted again.

Answers: 200 ``{"accepted": n, "refused": m, "errors": [{"index", "code", "field",
"message"}]}`` once every accepted position is durable (refused ones change nothing); 401
``device_token_invalid``; 400 ``body_malformed``; 413 too many positions; 429 over the device's
batch rate (nothing stored); 503 ``not_stored`` (nothing acknowledged, send again).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from logitrack.tracking.ingest.accept import (
    IngestRefused,
    ack_timeout,
    get_gate,
    max_future,
    row_of,
)
from logitrack.tracking.ingest.directory import DeviceEntry, DirectoryUnavailable
from logitrack.tracking.ingest.writer import PositionRow, Ticket, get_writer
from logitrack.tracking.protocols.osmand import parse_time
from logitrack.tracking.protocols.report import (
    MAX_ACCURACY,
    MAX_ALTITUDE,
    MAX_SPEED,
    MIN_ALTITUDE,
    PositionReport,
    ReportRefused,
    attribute_value,
    check_attributes,
    check_fix_time,
    latitude,
    longitude,
    number,
    refuse,
)
from logitrack.tracking.tokens import device_token_prefix

MAX_POSITIONS = 1000
JSON = b"application/json"


@dataclass
class Prepared:
    entry: DeviceEntry | None = None
    rows: list[PositionRow] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200
    error: dict[str, Any] | None = None


def _optional(item: dict[str, Any], key: str, low: float, high: float) -> float | None:
    value = item.get(key)
    return None if value is None else number(value, key, low, high)


def parse_position(
    item: object, identifier: str, now: dt.datetime, ahead: dt.timedelta
) -> PositionReport:
    """One element of ``positions`` as a report; ReportRefused for anything invalid."""
    if not isinstance(item, dict):
        raise refuse("body_malformed", _("The request body is not valid JSON."))
    if "fix_time" not in item:
        raise refuse("timestamp_invalid", _("The time is not valid."), "fix_time")
    fix_time = check_fix_time(parse_time(item["fix_time"]), now, ahead)
    valid = item.get("valid", True)
    if not isinstance(valid, bool):
        raise refuse("value_invalid", _("A value is not valid: %(name)s.") % {"name": "valid"})
    attributes = item.get("attributes", {})
    if not isinstance(attributes, dict):
        raise refuse("attribute_invalid", _("An attribute value is not valid."))
    return PositionReport(
        identifier=identifier,
        fix_time=fix_time,
        device_time=fix_time,
        latitude=latitude(item.get("latitude")),
        longitude=longitude(item.get("longitude")),
        speed=_optional(item, "speed", 0.0, MAX_SPEED),
        course=_optional(item, "course", 0.0, 360.0),
        altitude=_optional(item, "altitude", MIN_ALTITUDE, MAX_ALTITUDE),
        accuracy=_optional(item, "accuracy", 0.0, MAX_ACCURACY),
        battery=_optional(item, "battery", 0.0, 100.0),
        valid=valid,
        attributes=check_attributes({str(k): attribute_value(v) for k, v in attributes.items()}),
    )


def _fail(status: int, code: str, message: str) -> Prepared:
    return Prepared(status=status, error={"error": {"code": code, "message": message}})


def prepare(token: str | None, body: bytes, source: str | None) -> Prepared:  # noqa: PLR0911
    """Authenticate, parse and rate-limit a batch (may query the device table; no writes)."""
    prefix = device_token_prefix(token or "")
    gate = get_gate()
    try:
        entry = gate.directory.lookup_token(prefix) if prefix else None
    except DirectoryUnavailable:
        return _fail(503, "not_stored", _("The position could not be stored; send it again."))
    if entry is None or not entry.admits(token=token, source=source, token_required=True):
        return _fail(401, "device_token_invalid", _("Send a valid device token."))
    try:
        data = json.loads(body.decode("utf-8"), parse_constant=_no_constant)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return _fail(400, "body_malformed", _("The request body is not valid JSON."))
    positions = data.get("positions") if isinstance(data, dict) else None
    if not isinstance(positions, list):
        return _fail(400, "body_malformed", _("The request body is not valid JSON."))
    if len(positions) > MAX_POSITIONS:
        return _fail(413, "too_many_positions", _("Send at most 1000 positions per request."))
    now = timezone.now()
    ahead = max_future()
    prepared = Prepared(entry=entry)
    for index, item in enumerate(positions):
        try:
            report = parse_position(item, str(entry.device_id), now, ahead)
        except ReportRefused as exc:
            prepared.errors.append(
                {"index": index, "code": exc.code, "field": exc.field, "message": str(exc.message)}
            )
            continue
        prepared.rows.append(row_of(report, entry, now))
    try:
        gate.spend(entry, max(len(prepared.rows), 1), batch=True)
    except IngestRefused as exc:
        return _fail(exc.status, exc.code, str(exc.message))
    return prepared


def _no_constant(name: str) -> Any:
    raise ValueError(name)


def _report(prepared: Prepared, durable: bool) -> tuple[int, bytes]:
    if prepared.error is not None:
        return prepared.status, json.dumps(prepared.error).encode()
    if not durable:
        message = _("The position could not be stored; send it again.")
        return 503, json.dumps({"error": {"code": "not_stored", "message": message}}).encode()
    out = {
        "accepted": len(prepared.rows),
        "refused": len(prepared.errors),
        "errors": prepared.errors,
    }
    return 200, json.dumps(out, ensure_ascii=False).encode()


def _submit(prepared: Prepared, *, from_loop: bool = False) -> Ticket | None:
    if prepared.error is not None or not prepared.rows:
        return None
    writer = get_writer()
    return writer.submit_async(prepared.rows) if from_loop else writer.submit(prepared.rows)


def accept_batch(token: str | None, body: bytes, source: str | None) -> tuple[int, bytes]:
    """The whole exchange, blocking (the main site's view)."""
    prepared = prepare(token, body, source)
    ticket = _submit(prepared)
    return _report(prepared, ticket is None or ticket.wait(ack_timeout()))


def token_of(headers: dict[bytes, bytes]) -> str | None:
    explicit = headers.get(b"x-device-token")
    if explicit:
        return explicit.decode("latin-1").strip()
    scheme, _space, value = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


async def handle_batch(
    headers: dict[bytes, bytes], body: bytes, source: str | None = None
) -> tuple[int, bytes, bytes]:
    """The gateway's handler: (status, content type, body)."""
    prepared = await asyncio.to_thread(prepare, token_of(headers), body, source)
    ticket = _submit(prepared, from_loop=True)
    durable = ticket is None or await ticket.wait_async(ack_timeout())
    status, payload = _report(prepared, durable)
    return status, JSON, payload
