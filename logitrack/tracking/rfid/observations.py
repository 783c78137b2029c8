"""Tag reads into de-duplicated ``TagObservation`` rows, in one transaction per batch.

The rule (``logitrack.tracking.rfid.ingest`` states it for the API): per read point (reader,
antenna) and EPC, a read with ``first_seen - window < read_time < last_seen + window`` of an
observation extends it; otherwise it opens a new one. Reads are applied in read-time order.

The hot path runs a fixed handful of statements per batch whatever its size, written in SQL
through Django's connection (the ORM's query building and per-row converters cost more than
the database at 20,000 reads/s, ``bench/rfid.py``):

1. lock the reader's row (``FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already
   holds the one writer lock) and read its kind, state and the tenant's window; record the
   batch's receipt (``ReadBatch``), or stop there when the reader already sent that batch;
2. read the observations the batch may extend (index ``tracking_tagobs_read_point``);
3. update the extended ones, insert the new ones in one ``INSERT ... RETURNING`` (a multi-row
   ``VALUES`` on SQLite, ``unnest`` of arrays on PostgreSQL), mark the reader seen;
4. hand the new ones at a dock door with a GS1 URN, as model instances, to
   ``docks.apply_observations`` (only they can match a shipment; building a model instance per
   row cost more than its insert).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

from logitrack.core.tenant import tenant_context
from logitrack.tracking.epc import DecodedEpc
from logitrack.tracking.ingest.directory import DeviceEntry
from logitrack.tracking.models import TagObservation
from logitrack.tracking.models.devices import DeviceKind
from logitrack.tracking.protocols.zebra import ZebraRead
from logitrack.tracking.rfid import docks

DEFAULT_WINDOW_MS = 2000
# A reader's ``last_seen_at`` is written at most this often by one process (as the position
# writer does for trackers): the device list shows minutes, not milliseconds.
SEEN_GRANULARITY = dt.timedelta(seconds=30)
# How long a batch's receipt (``ReadBatch``) keeps a resend of it from being applied twice.
RECEIPT_TTL = dt.timedelta(hours=24)
_seen: dict[int, dt.datetime] = {}
_SQLITE_TURN = threading.Lock()
MAX_READ_COUNT = 2**31 - 1
Read = tuple[ZebraRead, DecodedEpc]


class ReaderRefused(Exception):
    """The reader was disabled or changed kind since the directory read it."""


@dataclass
class Observation:
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
    """What a batch did: how many observations it created and extended, and the new ones that
    ``docks.apply_observations`` saw (saved, with ids)."""

    created: int = 0
    extended: int = 0
    at_doors: list[TagObservation] = field(default_factory=list)
    duplicate: bool = False


def deduplicate(
    reads: Sequence[Read],
    found: dict[tuple[int, str], list[Observation]],
    window: dt.timedelta,
) -> list[Observation]:
    """Apply ``reads`` (sorted by read time) to ``found`` (changed in place); the new
    observations, in creation order."""
    new: list[Observation] = []
    for read, epc in reads:
        candidates = found[(read.antenna, epc.epc_hex)]
        for observation in candidates:
            if observation.admits(read.read_time, window):
                observation.extend(read)
                break
        else:
            observation = Observation(
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


def _sqlite_time(moment: dt.datetime) -> Any:
    """A datetime as SQLite stores it: UTC text in Django's own format (``str`` of the naive
    UTC datetime, i.e. ``isoformat(" ")``), which sorts as time does."""
    if moment.tzinfo is not dt.UTC:
        moment = moment.astimezone(dt.UTC)
    return moment.replace(tzinfo=None).isoformat(" ")


def _same(moment: dt.datetime) -> Any:
    return moment  # PostgreSQL: a timestamptz


def _converter() -> Callable[[dt.datetime], Any]:
    return _sqlite_time if connection.vendor == "sqlite" else _same


def _from_db(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    return dt.datetime.fromisoformat(str(value)).replace(tzinfo=dt.UTC)


def _lock(cursor: Any, entry: DeviceEntry) -> dt.timedelta:
    """Lock the reader's row; the tenant's window. ReaderRefused when it may no longer send."""
    lock = " FOR UPDATE OF d" if connection.vendor == "postgresql" else ""
    cursor.execute(
        "SELECT d.kind, d.enabled, (SELECT s.rfid_dedup_window_ms FROM "  # noqa: S608 (only the lock clause is formatted in)
        "tracking_tenantdevicesettings s WHERE s.tenant_id = d.tenant_id) "
        f"FROM tracking_device d WHERE d.id = %s AND d.tenant_id = %s{lock}",
        [entry.device_id, entry.tenant_id],
    )
    row = cursor.fetchone()
    if row is None or row[0] != DeviceKind.RFID_READER or not row[1]:
        raise ReaderRefused()
    return dt.timedelta(milliseconds=row[2] or DEFAULT_WINDOW_MS)


def _open(
    cursor: Any, entry: DeviceEntry, reads: Sequence[Read], window: dt.timedelta
) -> dict[tuple[int, str], list[Observation]]:
    """The stored observations of these read points and EPCs that a read of the batch may
    extend, by (antenna, epc_hex), in first-seen order."""
    to_db = _converter()
    antennas = sorted({read.antenna for read, _epc in reads})
    epcs = sorted({epc.epc_hex for _read, epc in reads})
    span = [to_db(reads[0][0].read_time - window), to_db(reads[-1][0].read_time + window)]
    columns = "SELECT id, antenna, epc_hex, first_seen, last_seen, read_count, peak_rssi "
    if connection.vendor == "postgresql":
        # Two array parameters instead of a placeholder per EPC: psycopg's client-side binding
        # splits and quotes each placeholder on every request.
        cursor.execute(
            columns + "FROM tracking_tagobservation WHERE device_id = %s "
            "AND antenna = ANY(%s::smallint[]) AND epc_hex = ANY(%s::varchar[]) "
            "AND last_seen > %s AND first_seen < %s ORDER BY first_seen, id",
            [entry.device_id, antennas, epcs, *span],
        )
        rows = cursor.fetchall()
    else:
        # EPCs in groups that fit SQLite's parameter limit (observations of different EPCs do
        # not interact, so each EPC's rows stay in first-seen order).
        per_statement = _sqlite_parameters() - len(antennas) - 3
        rows = []
        for start in range(0, len(epcs), per_statement):
            group = epcs[start : start + per_statement]
            cursor.execute(
                columns + "FROM tracking_tagobservation WHERE device_id = %s "
                f"AND antenna IN ({', '.join(['%s'] * len(antennas))}) "
                f"AND epc_hex IN ({', '.join(['%s'] * len(group))}) "
                "AND last_seen > %s AND first_seen < %s ORDER BY first_seen, id",
                [entry.device_id, *antennas, *group, *span],
            )
            rows += cursor.fetchall()
    found: dict[tuple[int, str], list[Observation]] = defaultdict(list)
    for pk, antenna, epc_hex, first, last, count, rssi in rows:
        found[(antenna, epc_hex)].append(
            Observation(
                antenna=antenna,
                epc=DecodedEpc(epc_hex=epc_hex, epc_uri="", scheme=""),  # stored: never rewritten
                first_seen=_from_db(first),
                last_seen=_from_db(last),
                read_count=count,
                peak_rssi=rssi,
                pk=pk,
            )
        )
    return found


def _update(cursor: Any, observations: list[Observation]) -> None:
    """Write the extended observations back: on PostgreSQL one ``UPDATE ... FROM unnest(...)``
    (one statement whatever the count), on SQLite ``executemany`` (in-process, no round trips)."""
    if not observations:
        return
    if connection.vendor == "postgresql":
        cursor.execute(
            "UPDATE tracking_tagobservation AS o SET first_seen = v.first_seen, "
            "last_seen = v.last_seen, read_count = v.read_count, peak_rssi = v.peak_rssi "
            "FROM unnest(%s::bigint[], %s::timestamptz[], %s::timestamptz[], %s::integer[], "
            "%s::integer[]) AS v(id, first_seen, last_seen, read_count, peak_rssi) "
            "WHERE o.id = v.id",
            [
                [o.pk for o in observations],
                [o.first_seen for o in observations],
                [o.last_seen for o in observations],
                [o.read_count for o in observations],
                [o.peak_rssi for o in observations],
            ],
        )
        return
    cursor.executemany(
        "UPDATE tracking_tagobservation SET first_seen = %s, last_seen = %s, "
        "read_count = %s, peak_rssi = %s WHERE id = %s",
        [
            (_sqlite_time(o.first_seen), _sqlite_time(o.last_seen), o.read_count, o.peak_rssi, o.pk)
            for o in observations
        ],
    )


def _doors(cursor: Any, device_id: int) -> dict[int | None, int]:
    """The reader's active doors by antenna (None: the door of the whole reader)."""
    cursor.execute(
        "SELECT antenna, id FROM tracking_dockdoor WHERE device_id = %s AND active = %s",
        [device_id, True],
    )
    return {antenna: pk for antenna, pk in cursor.fetchall()}


_COLUMNS = (
    "tenant_id, event_id, device_id, antenna, dock_door_id, driver_id, epc_hex, epc_uri, "
    "scheme, first_seen, last_seen, read_count, peak_rssi, received_at"
)
_PG_INSERT = (
    f"INSERT INTO tracking_tagobservation ({_COLUMNS}) SELECT * FROM unnest("  # noqa: S608 (constant column list)
    "%s::bigint[], %s::uuid[], %s::bigint[], %s::smallint[], %s::bigint[], %s::bigint[], "
    "%s::varchar[], %s::varchar[], %s::varchar[], %s::timestamptz[], %s::timestamptz[], "
    "%s::integer[], %s::smallint[], %s::timestamptz[]) RETURNING id, event_id"
)
_SQLITE_ROW = "(" + ", ".join(["%s"] * 14) + ")"


def _sqlite_parameters() -> int:
    """How many ``?`` one SQLite statement may hold here (SQLITE_LIMIT_VARIABLE_NUMBER: 32,766
    since SQLite 3.32, 999 in builds before it)."""
    raw = connection.connection
    return int(raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))


def _insert(
    cursor: Any, entry: DeviceEntry, fresh: list[Observation], now: dt.datetime
) -> list[TagObservation]:
    """Insert ``fresh`` with the dock door of its read point, in one statement (on SQLite, one
    per as many rows as its parameter limit allows). Returns the inserted rows at a door whose
    EPC is a GS1 URN, as saved model instances."""
    doors = _doors(cursor, entry.device_id)
    door_of = [doors.get(o.antenna, doors.get(None)) for o in fresh]
    events = [uuid.uuid4() for _o in fresh]
    if connection.vendor == "postgresql":
        cursor.execute(
            _PG_INSERT,
            [
                [entry.tenant_id] * len(fresh),
                events,
                [entry.device_id] * len(fresh),
                [o.antenna for o in fresh],
                door_of,
                [entry.driver_id] * len(fresh),
                [o.epc.epc_hex for o in fresh],
                [o.epc.epc_uri for o in fresh],
                [o.epc.scheme for o in fresh],
                [o.first_seen for o in fresh],
                [o.last_seen for o in fresh],
                [o.read_count for o in fresh],
                [o.peak_rssi for o in fresh],
                [now] * len(fresh),
            ],
        )
        ids = {event.hex: pk for pk, event in cursor.fetchall()}
    else:
        received = _sqlite_time(now)
        ids = {}
        per_statement = _sqlite_parameters() // 14
        for start in range(0, len(fresh), per_statement):
            params: list[Any] = []
            chunk = range(start, min(start + per_statement, len(fresh)))
            for k in chunk:
                o = fresh[k]
                params += (
                    entry.tenant_id, events[k].hex, entry.device_id, o.antenna, door_of[k],
                    entry.driver_id, o.epc.epc_hex, o.epc.epc_uri, o.epc.scheme,
                    _sqlite_time(o.first_seen), _sqlite_time(o.last_seen), o.read_count,
                    o.peak_rssi, received,
                )  # fmt: skip
            cursor.execute(
                f"INSERT INTO tracking_tagobservation ({_COLUMNS}) VALUES "  # noqa: S608 (placeholders only)
                + ", ".join([_SQLITE_ROW] * len(chunk))
                + " RETURNING id, event_id",
                params,
            )
            ids.update((event, pk) for pk, event in cursor.fetchall())  # event: 32 hex digits
    at_doors: list[TagObservation] = []
    for o, door, event in zip(fresh, door_of, events, strict=True):
        if door is None or not o.epc.epc_uri.startswith("urn:epc:id:"):
            continue
        saved = TagObservation(
            pk=ids[event.hex],
            tenant_id=entry.tenant_id,
            event_id=event,
            device_id=entry.device_id,
            antenna=o.antenna,
            dock_door_id=door,
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
        saved._state.adding = False
        saved._state.db = connection.alias
        at_doors.append(saved)
    return at_doors


def store_reads(
    entry: DeviceEntry, reads: Sequence[Read], now: dt.datetime, *, digest: str | None = None
) -> Stored:
    """De-duplicate and store ``reads`` of ``entry``'s reader in one transaction (see the
    module docstring). ``digest``: the batch's ``ingest.batch_digest``; a batch of the same
    reads this reader already sent within RECEIPT_TTL is a resend, answered
    ``Stored(duplicate=True)`` without applying anything. Raises ReaderRefused (nothing
    stored) or a DatabaseError (nothing stored); an exception of ``docks.apply_observations``
    rolls everything back too.

    On SQLite the threads of one process take turns before ``BEGIN IMMEDIATE``: SQLite has
    one writer anyway, and threads waiting in its busy handler (which sleeps and polls) lost
    throughput and, on a loaded machine, hit the 5 s busy timeout (503) in ``bench/rfid.py``;
    only the gateway processes then contend for the file lock."""
    if connection.vendor == "sqlite":
        with _SQLITE_TURN:
            return _store(entry, reads, now, digest)
    return _store(entry, reads, now, digest)


def _first_time(cursor: Any, entry: DeviceEntry, digest: str, now: dt.datetime) -> bool:
    """Record the batch's receipt; False when this reader sent a batch of that digest less than
    RECEIPT_TTL ago (a receipt older than that is renewed: the body is applied again). Runs
    under the reader's lock, so two copies of one batch cannot both pass."""
    to_db = _converter()
    cursor.execute(
        "INSERT INTO tracking_readbatch (tenant_id, device_id, digest, received_at) "
        "VALUES (%s, %s, %s, %s) ON CONFLICT (device_id, digest) DO UPDATE SET "
        "received_at = excluded.received_at WHERE tracking_readbatch.received_at < %s "
        "RETURNING id",
        [entry.tenant_id, entry.device_id, digest, to_db(now), to_db(now - RECEIPT_TTL)],
    )
    return cursor.fetchone() is not None


def _store(
    entry: DeviceEntry, reads: Sequence[Read], now: dt.datetime, digest: str | None
) -> Stored:
    ordered = sorted(reads, key=lambda pair: (pair[0].read_time, pair[0].index))
    with tenant_context(entry.tenant_id), transaction.atomic(), connection.cursor() as cursor:
        window = _lock(cursor, entry)
        if digest is not None and not _first_time(cursor, entry, digest, now):
            return Stored(duplicate=True)
        found = _open(cursor, entry, ordered, window)
        fresh = deduplicate(ordered, found, window)
        extended = [o for group in found.values() for o in group if o.pk is not None and o.changed]
        _update(cursor, extended)
        at_doors = _insert(cursor, entry, fresh, now) if fresh else []
        seen = _seen.get(entry.device_id)
        if seen is None or now - seen >= SEEN_GRANULARITY or now < seen:
            # At most every SEEN_GRANULARITY per reader and process: the reader's last contact,
            # and its receipts past their time.
            to_db = _converter()
            cursor.execute(
                "UPDATE tracking_device SET last_seen_at = %s WHERE id = %s",
                [to_db(now), entry.device_id],
            )
            cursor.execute(
                "DELETE FROM tracking_readbatch WHERE device_id = %s AND received_at < %s",
                [entry.device_id, to_db(now - RECEIPT_TTL)],
            )
        docks.apply_observations(tenant_id=entry.tenant_id, observations=at_doors)
    if seen is None or now - seen >= SEEN_GRANULARITY or now < seen:
        if len(_seen) > 100_000:
            _seen.clear()
        _seen[entry.device_id] = now  # committed: only now is it known written
    return Stored(created=len(fresh), extended=len(extended), at_doors=at_doors)


__all__ = [
    "RECEIPT_TTL",
    "Observation",
    "ReaderRefused",
    "Stored",
    "deduplicate",
    "store_reads",
]
