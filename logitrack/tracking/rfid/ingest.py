"""RFID reads from Zebra readers: authenticate, parse, decode, de-duplicate, store.

``POST /ingest/rfid/zebra`` on the gateway and on the main site, with ``Authorization: Bearer
<device token>`` (or ``X-Device-Token``) of an enabled device of kind ``rfid_reader``; the body
is Zebra IoT Connector tag-data events (``logitrack.tracking.protocols.zebra``): one object, an
array, or objects back to back, at most ``MAX_READS`` events and ``LOGITRACK_INGEST_MAX_BODY``
bytes. MQTT: ``logitrack.tracking.ingest.mqtt`` (topic ``.../devices/<identifier>/rfid``).

Answers (JSON):

- 200 ``{"accepted": n, "refused": m, "observations_new": k, "duplicate": bool, "errors":
  [{"index", "code", "message"}]}`` once the accepted reads are committed; each refused event
  is listed (its position in the body, a stable code: ``event_invalid``, ``epc_missing``,
  ``epc_invalid``, ``epc_truncated``, ``antenna_invalid``, ``rssi_invalid``, ``reads_invalid``,
  ``timestamp_invalid``, ``timestamp_in_future``) and changes nothing. A body whose every event
  is refused is still a 200 (accepted 0): the reader must not resend it. ``duplicate`` true:
  this reader sent a batch of the very same accepted reads (``batch_digest``: read time, EPC,
  antenna, RSSI, count, whatever the bytes) within the last 24 hours, e.g. an MQTT QoS 1
  redelivery or a POST repeated after a lost answer, and it was stored then; nothing is applied
  again (``observations_new`` 0, ``accepted``/``refused``/``errors`` as the first time);
- 401 ``device_token_invalid``: no token, an unknown, wrong or disabled one, a device that is
  not an RFID reader, or a source outside the device's networks (one answer for all); nothing
  stored;
- 400 ``body_malformed``: the body is not JSON (or garbage sits between its objects); nothing
  stored;
- 413 ``too_many_reads`` (past ``MAX_READS`` events; past the byte limit the gateway and the
  view answer 413 before reading); 429 ``rate_limited`` (the device's batch rate, in reads);
  503 ``not_stored`` (the database failed: nothing stored, send again).

De-duplication (``TagObservation``): per read point (reader, antenna) and EPC, a read closer
than the tenant's window (``TenantDeviceSettings.rfid_dedup_window_ms``, default 2,000 ms,
strictly less: a read exactly one window after ``last_seen`` starts a new observation) to an
observation, i.e. with ``first_seen - window < read_time < last_seen + window``, extends it
(``last_seen``/``first_seen`` widened, ``read_count += reads``, ``peak_rssi = max``); otherwise
it opens a new one. A request's reads are applied in read-time order, so a batch out of order
dedups as if it had arrived in order, and a late read inside an existing observation's span is
merged into it, never duplicated. A read bridging two observations extends the earlier one
(they are not merged).

Concurrency: one transaction per request. It first locks the reader's ``Device`` row
(``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already holds the single
writer lock), so batches of one reader are applied one after the other across threads,
gateway processes and machines, and the open observations are read from the database
(index ``tracking_tagobs_read_point``) after the lock. New observations get the dock door
mapped to (reader, antenna), else to the whole reader (an active ``DockDoor``), and the driver
of the reader's open assignment; then ``logitrack.tracking.rfid.docks.apply_observations``
sees them in the same transaction: if anything fails, nothing of the request is stored.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.db import connection
from django.db.utils import InterfaceError, OperationalError
from django.utils import timezone
from django.utils.translation import gettext as _

from logitrack.tracking.epc import DecodedEpc, EpcInvalid, decode_epc, raw_epc
from logitrack.tracking.ingest.accept import IngestRefused, get_gate, max_future
from logitrack.tracking.ingest.directory import DeviceEntry, DirectoryUnavailable
from logitrack.tracking.models.devices import DeviceKind
from logitrack.tracking.protocols.zebra import (
    TooManyEvents,
    ZebraBodyMalformed,
    ZebraRead,
    parse_events,
)
from logitrack.tracking.rfid.observations import ReaderRefused, Stored, store_reads
from logitrack.tracking.tokens import device_token_prefix

logger = logging.getLogger("logitrack.tracking.rfid")

MAX_READS = 1000
Payload = dict[str, Any]


def _error(status: int, code: str, message: str) -> tuple[int, Payload]:
    return status, {"error": {"code": code, "message": message}}


def _token_invalid() -> tuple[int, Payload]:
    return _error(401, "device_token_invalid", _("Send a valid device token."))


def _not_stored() -> tuple[int, Payload]:
    return _error(503, "not_stored", _("The reads could not be stored; send them again."))


def authenticate_reader(token: str | None, source: str | None) -> DeviceEntry | None:
    """The RFID reader whose device token this is, when it may send (enabled, kind
    ``rfid_reader``, source in its networks); None otherwise. DirectoryUnavailable when the
    device table cannot be read."""
    prefix = device_token_prefix(token or "")
    if not prefix:
        return None
    entry = get_gate().directory.lookup_token(prefix)
    if entry is None or entry.kind != DeviceKind.RFID_READER:
        return None
    if not entry.admits(token=token, source=source, token_required=True):
        return None
    return entry


def accept_zebra(token: str | None, body: bytes, source: str | None) -> tuple[int, Payload]:
    """The whole exchange, blocking: (status, JSON payload); see the module docstring.
    Messages are in the active language."""
    try:
        entry = authenticate_reader(token, source)
    except DirectoryUnavailable:
        return _not_stored()
    if entry is None:
        return _token_invalid()
    return accept_reads(entry, body)


def batch_digest(reads: list[tuple[ZebraRead, DecodedEpc]]) -> str:
    """The SHA-256 (hex) of a batch's accepted reads as parsed, in a fixed order: the same
    reads sent again are the same batch whatever their bytes (whitespace, member order, event
    order, a sender that re-serialises its JSON). Each read is its UTC read time, EPC, antenna,
    peak RSSI, read count and memory bank."""
    lines = sorted(
        f"{read.read_time.isoformat()}|{epc.epc_hex}|{read.antenna}|{read.peak_rssi}|"
        f"{read.reads}|{int(read.is_epc)}"
        for read, epc in reads
    )
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def accept_reads(entry: DeviceEntry, body: bytes) -> tuple[int, Payload]:
    """Parse, rate-limit and store the events of ``body`` for the authenticated ``entry``."""
    now = timezone.now()
    try:
        events = parse_events(body, now=now, max_future=max_future(), max_events=MAX_READS)
    except ZebraBodyMalformed:
        return _error(400, "body_malformed", _("The request body is not valid JSON."))
    except TooManyEvents:
        return _error(413, "too_many_reads", _("Send at most 1000 tag reads per request."))
    errors: list[dict[str, Any]] = [
        {"index": e.index, "code": e.code, "message": str(e.message)} for e in events.errors
    ]
    decoded: list[tuple[ZebraRead, DecodedEpc]] = []
    for read in events.reads:
        try:
            epc = decode_epc(read.epc_hex) if read.is_epc else raw_epc(read.epc_hex)
        except EpcInvalid as exc:
            message = (
                _("The EPC is shorter than its header's encoding.")
                if exc.code == "epc_truncated"
                else _("The tag id is not a valid EPC.")
            )
            errors.append({"index": read.index, "code": exc.code, "message": message})
            continue
        decoded.append((read, epc))
    try:
        get_gate().spend(entry, max(len(decoded), 1), batch=True)
    except IngestRefused as exc:
        return _error(exc.status, exc.code, str(exc.message))
    stored = Stored()
    if decoded:
        try:
            stored = store_reads(entry, decoded, now, digest=batch_digest(decoded))
        except ReaderRefused:
            return _token_invalid()
        except (OperationalError, InterfaceError):
            logger.warning("rfid reads not stored", exc_info=True)
            connection.close()  # a broken connection is reopened by the next request
            return _not_stored()
    errors.sort(key=lambda error: int(error["index"]))
    return 200, {
        "accepted": len(decoded),
        "refused": len(errors),
        "observations_new": stored.created,
        "duplicate": stored.duplicate,
        "errors": errors,
    }


__all__ = ["MAX_READS", "accept_reads", "accept_zebra", "authenticate_reader", "batch_digest"]
