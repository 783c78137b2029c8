"""RFID reads from Zebra readers: authenticate, parse, decode, de-duplicate, store.

``POST /ingest/rfid/zebra`` on the gateway and on the main site, with ``Authorization: Bearer
<device token>`` (or ``X-Device-Token``) of an enabled device of kind ``rfid_reader``; the body
is Zebra IoT Connector tag-data events (``logitrack.tracking.protocols.zebra``): one object, an
array, or objects back to back, at most ``MAX_READS`` events and ``LOGITRACK_INGEST_MAX_BODY``
bytes. MQTT: ``logitrack.tracking.ingest.mqtt`` (topic ``.../devices/<identifier>/rfid``).

Answers (JSON):

- 200 ``{"accepted": n, "refused": m, "observations_new": k, "errors": [{"index", "code",
  "message"}]}`` once the accepted reads are committed; each refused event is listed (its
  position in the body, a stable code: ``event_invalid``, ``epc_missing``, ``epc_invalid``,
  ``epc_truncated``, ``antenna_invalid``, ``rssi_invalid``, ``reads_invalid``,
  ``timestamp_invalid``, ``timestamp_in_future``) and changes nothing. A body whose every event
  is refused is still a 200 (accepted 0): the reader must not resend it;
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

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.utils import InterfaceError, OperationalError
from django.utils import timezone
from django.utils.translation import gettext as _

from logitrack.core.tenant import tenant_context
from logitrack.tracking.epc import DecodedEpc, EpcInvalid, decode_epc, raw_epc
from logitrack.tracking.ingest.accept import IngestRefused, get_gate, max_future
from logitrack.tracking.ingest.directory import DeviceEntry, DirectoryUnavailable
from logitrack.tracking.models import (
    Device,
    DockDoor,
    TagObservation,
    TenantDeviceSettings,
)
from logitrack.tracking.models.devices import DeviceKind
from logitrack.tracking.protocols.zebra import (
    TooManyEvents,
    ZebraBodyMalformed,
    ZebraRead,
    parse_events,
)
from logitrack.tracking.rfid import docks
from logitrack.tracking.tokens import device_token_prefix

logger = logging.getLogger("logitrack.tracking.rfid")

MAX_READS = 1000
DEFAULT_WINDOW_MS = 2000
MAX_READ_COUNT = 2**31 - 1
_OBSERVATION_FIELDS = (
    "pk", "antenna", "epc_hex", "epc_uri", "scheme", "first_seen", "last_seen", "read_count",
    "peak_rssi",
)  # fmt: skip
Payload = dict[str, Any]


class ReaderRefused(Exception):
    """The reader was disabled or changed kind since the directory read it."""


@dataclass
class _Observation:
    """An observation being de-duplicated: loaded (``pk`` set) or new (``pk`` None)."""

    antenna: int
    epc: DecodedEpc
    first_seen: dt.datetime
    last_seen: dt.datetime
    read_count: int
    peak_rssi: int | None
    pk: int | None = None
    changed: bool = False

    def admits(self, moment: dt.datetime, window: dt.timedelta) -> bool:
        return self.first_seen - window < moment < self.last_seen + window

    def extend(self, read: ZebraRead) -> None:
        self.first_seen = min(self.first_seen, read.read_time)
        self.last_seen = max(self.last_seen, read.read_time)
        self.read_count = min(self.read_count + read.reads, MAX_READ_COUNT)
        if read.peak_rssi is not None and (
            self.peak_rssi is None or read.peak_rssi > self.peak_rssi
        ):
            self.peak_rssi = read.peak_rssi
        self.changed = True


@dataclass
class Stored:
    new: list[TagObservation] = field(default_factory=list)
    extended: int = 0


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
            stored = store_reads(entry, decoded, now)
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
        "observations_new": len(stored.new),
        "errors": errors,
    }


def _window(tenant_id: int) -> dt.timedelta:
    value = (
        TenantDeviceSettings.objects.filter(tenant_id=tenant_id)
        .values_list("rfid_dedup_window_ms", flat=True)
        .first()
    )
    return dt.timedelta(milliseconds=value or DEFAULT_WINDOW_MS)


def _lock_reader(device_id: int) -> None:
    """Serialise this reader's batches (see the module docstring); ReaderRefused when it may
    no longer send."""
    state = (
        Device.objects.select_for_update()
        .filter(pk=device_id)
        .values_list("kind", "enabled")
        .first()
    )
    if state is None or state[0] != DeviceKind.RFID_READER or not state[1]:
        raise ReaderRefused()


def _open_observations(
    device_id: int, reads: list[tuple[ZebraRead, DecodedEpc]], window: dt.timedelta
) -> dict[tuple[int, str], list[_Observation]]:
    """The stored observations of these read points and EPCs that a read of the batch may
    extend, by (antenna, epc_hex), in first-seen order."""
    earliest = reads[0][0].read_time - window
    latest = reads[-1][0].read_time + window
    rows = (
        TagObservation.objects.filter(
            device_id=device_id,
            antenna__in={read.antenna for read, _epc in reads},
            epc_hex__in={epc.epc_hex for _read, epc in reads},
            last_seen__gt=earliest,
            first_seen__lt=latest,
        )
        .order_by("first_seen", "pk")
        .values_list(*_OBSERVATION_FIELDS)
    )
    found: dict[tuple[int, str], list[_Observation]] = defaultdict(list)
    for pk, antenna, epc_hex, uri, scheme, first, last, count, rssi in rows:
        found[(antenna, epc_hex)].append(
            _Observation(
                antenna=antenna,
                epc=DecodedEpc(epc_hex=epc_hex, epc_uri=uri, scheme=scheme),
                first_seen=first,
                last_seen=last,
                read_count=count,
                peak_rssi=rssi,
                pk=pk,
            )
        )
    return found


def deduplicate(
    reads: list[tuple[ZebraRead, DecodedEpc]],
    found: dict[tuple[int, str], list[_Observation]],
    window: dt.timedelta,
) -> list[_Observation]:
    """Apply ``reads`` (sorted by read time) to ``found`` (changed in place); the new
    observations, in creation order."""
    new: list[_Observation] = []
    for read, epc in reads:
        candidates = found[(read.antenna, epc.epc_hex)]
        for observation in candidates:
            if observation.admits(read.read_time, window):
                observation.extend(read)
                break
        else:
            observation = _Observation(
                antenna=read.antenna,
                epc=epc,
                first_seen=read.read_time,
                last_seen=read.read_time,
                read_count=read.reads,
                peak_rssi=read.peak_rssi,
            )
            candidates.append(observation)
            new.append(observation)
    return new


def _update(observations: list[_Observation]) -> None:
    if not observations:
        return
    table = TagObservation._meta.db_table
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET first_seen = %s, last_seen = %s, read_count = %s, "  # noqa: S608 (table name from the model)
            "peak_rssi = %s WHERE id = %s",
            [
                (adapt(o.first_seen), adapt(o.last_seen), o.read_count, o.peak_rssi, o.pk)
                for o in observations
            ],
        )


def store_reads(
    entry: DeviceEntry, reads: list[tuple[ZebraRead, DecodedEpc]], now: dt.datetime
) -> Stored:
    """De-duplicate and store ``reads`` of ``entry``'s reader in one transaction (see the
    module docstring). Raises ReaderRefused (nothing stored) or a DatabaseError."""
    ordered = sorted(reads, key=lambda pair: (pair[0].read_time, pair[0].index))
    with tenant_context(entry.tenant_id), transaction.atomic():
        _lock_reader(entry.device_id)
        window = _window(entry.tenant_id)
        found = _open_observations(entry.device_id, ordered, window)
        fresh = deduplicate(ordered, found, window)
        extended = [o for group in found.values() for o in group if o.pk is not None and o.changed]
        _update(extended)
        doors = dict(
            DockDoor.objects.filter(device_id=entry.device_id, active=True).values_list(
                "antenna", "pk"
            )
        )
        new = [
            TagObservation(
                tenant_id=entry.tenant_id,
                device_id=entry.device_id,
                antenna=o.antenna,
                dock_door_id=doors.get(o.antenna, doors.get(None)),
                driver_id=entry.driver_id,
                epc_hex=o.epc.epc_hex,
                epc_uri=o.epc.epc_uri,
                scheme=o.epc.scheme,
                first_seen=o.first_seen,
                last_seen=o.last_seen,
                read_count=o.read_count,
                peak_rssi=o.peak_rssi,
                received_at=now,
            )
            for o in fresh
        ]
        if new:
            TagObservation.objects.bulk_create(new)
        Device.objects.filter(pk=entry.device_id).update(last_seen_at=now)
        docks.apply_observations(tenant_id=entry.tenant_id, observations=new)
    return Stored(new=new, extended=len(extended))


__all__ = [
    "MAX_READS",
    "ReaderRefused",
    "Stored",
    "accept_reads",
    "accept_zebra",
    "authenticate_reader",
    "deduplicate",
    "store_reads",
]
