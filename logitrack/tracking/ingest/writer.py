"""The group-commit writer: positions from concurrent requests, durable in one transaction.

A request hands its rows to ``GroupCommitWriter.submit`` and is acknowledged only when the
returned ``Ticket`` reports success, i.e. after the transaction that holds them has committed
(docs/adr/0025). One writer thread per process takes the first waiting request, gathers others
for at most ``window`` seconds or ``max_rows`` rows (whatever arrives while a transaction is being
written is naturally gathered for the next), then in one transaction:

1. inserts the positions with multi-row ``INSERT ... ON CONFLICT (device_id, fix_time) DO
   NOTHING`` (a retried position is stored once: idempotent per device and fix time);
2. upserts each device's ``tracking_devicelatest`` row only when the new fix time is newer
   (event time, never arrival order);
3. lowers each device's ``tracking_positionbacklog`` marks to the batch's earliest fix time
   (the geofence and trip derivations owed; ``logitrack.tracking.geo.backlog``);
4. sets ``last_seen_at`` of devices not marked seen in the last ``SEEN_GRANULARITY``.

If the transaction fails because the database cannot be reached (``OperationalError``,
``InterfaceError``), every request in it gets the error (answered 503, not acknowledged; the device
retries). If it fails for any other reason, a row that the database or its JSON encoding refuses,
each request is written again in a transaction of its own, so that one device's bad row fails only
that device's request and never the others gathered with it. PostgreSQL commits are durable
(``synchronous_commit`` on); SQLite runs WAL with ``synchronous=NORMAL``: durable when a process
is killed, not on power loss.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import json
import logging
import queue
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import (
    InterfaceError,
    OperationalError,
    close_old_connections,
    connection,
    transaction,
)

logger = logging.getLogger("logitrack.tracking.ingest")

SEEN_GRANULARITY = dt.timedelta(seconds=30)
# A connection that committed less than this many seconds ago is used without Django's checks
# (GroupCommitWriter._check_connection).
HEALTHY_FOR = 1.0
ROWS_PER_STATEMENT = 500
_POSITION_COLUMNS = (
    "tenant_id, device_id, driver_id, fix_time, device_time, server_time, latitude, longitude, "
    "speed, course, altitude, accuracy, battery, valid, attributes"
)


@dataclass(frozen=True)
class PositionRow:
    """One position ready to store; units of ``logitrack.tracking.models.Position``."""

    tenant_id: int
    device_id: int
    driver_id: int | None
    fix_time: dt.datetime
    device_time: dt.datetime | None
    server_time: dt.datetime
    latitude: float
    longitude: float
    speed: float | None = None
    course: float | None = None
    altitude: float | None = None
    accuracy: float | None = None
    battery: float | None = None
    valid: bool = True
    attributes: dict[str, Any] = field(default_factory=dict)


class Ticket:
    """The pending acknowledgement of one request's rows.

    A ticket made by ``submit_async`` belongs to the submitting event loop: the writer wakes
    each loop once per transaction (one ``call_soon_threadsafe`` for all of its tickets) rather
    than once per request. Other tickets are waited for with ``wait`` or ``on_settled``."""

    __slots__ = ("_callback", "_done", "_future", "_lock", "_loop", "error", "expired", "rows")

    def __init__(
        self, rows: Sequence[PositionRow], loop: asyncio.AbstractEventLoop | None = None
    ) -> None:
        self.rows = rows
        self.error: BaseException | None = None
        self.expired = False
        self._done = threading.Event() if loop is None else None
        self._callback: Callable[[], None] | None = None
        self._lock = threading.Lock()
        self._loop = loop
        self._future: asyncio.Future[None] | None = loop.create_future() if loop else None

    def settle(self, error: BaseException | None) -> None:
        self.error = error
        with self._lock:
            if self._done is not None:
                self._done.set()
            callback = self._callback
        if callback is not None:
            callback()
        if self._loop is not None:
            _wake(self._loop, [self])

    def on_settled(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` (in the writer's thread) once settled, or now if already."""
        assert self._done is not None, "a loop's ticket is awaited with wait_async"
        with self._lock:
            if not self._done.is_set():
                self._callback = callback
                return
        callback()

    def wait(self, timeout: float) -> bool:
        """True when the rows are durable; False on a write error or after ``timeout`` s."""
        assert self._done is not None, "a loop's ticket is awaited with wait_async"
        return self._done.wait(timeout) and self.error is None

    async def wait_async(self, timeout: float) -> bool:
        """As ``wait``, without blocking the event loop the ticket was submitted from."""
        if self._future is None or self._loop is None:
            return await asyncio.to_thread(self.wait, timeout)
        handle = self._loop.call_later(timeout, _expire, self)
        try:
            await self._future
        finally:
            handle.cancel()
        return not self.expired and self.error is None


def _expire(ticket: Ticket) -> None:
    if ticket._future is not None and not ticket._future.done():
        ticket.expired = True
        ticket._future.set_result(None)


def _resolve(tickets: Sequence[Ticket]) -> None:
    for ticket in tickets:
        if ticket._future is not None and not ticket._future.done():
            ticket._future.set_result(None)


def _wake(loop: asyncio.AbstractEventLoop, tickets: Sequence[Ticket]) -> None:
    with contextlib.suppress(RuntimeError):  # a closed loop: nobody is waiting any more
        loop.call_soon_threadsafe(_resolve, tickets)


def _newest_per_device(rows: Sequence[PositionRow]) -> list[PositionRow]:
    newest: dict[int, PositionRow] = {}
    for row in rows:
        held = newest.get(row.device_id)
        if held is None or row.fix_time > held.fix_time:
            newest[row.device_id] = row
    # In device order: every writer then locks the rows of tracking_devicelatest in the same
    # order, so that two gateway processes writing the same devices wait, never deadlock.
    return [newest[device_id] for device_id in sorted(newest)]


def _earliest_per_device(rows: Sequence[PositionRow]) -> list[PositionRow]:
    earliest: dict[int, PositionRow] = {}
    for row in rows:
        held = earliest.get(row.device_id)
        if held is None or row.fix_time < held.fix_time:
            earliest[row.device_id] = row
    return [earliest[device_id] for device_id in sorted(earliest)]  # device order, as above


def _sqlite_stamp(value: dt.datetime) -> str:
    """What Django's SQLite backend stores for an aware datetime (naive UTC, ISO 8601 with a
    space), without its per-value settings and timezone checks: it was most of the writer's
    CPU. The parsers only produce aware datetimes."""
    if value.tzinfo is not dt.UTC:
        value = value.astimezone(dt.UTC)
    return str(value.replace(tzinfo=None))


def _same(value: dt.datetime) -> dt.datetime:
    return value  # psycopg adapts aware datetimes itself, as Django's PostgreSQL backend does


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), allow_nan=False)


def _attributes_json(attributes: dict[str, Any]) -> str:
    return _json(attributes) if attributes else "{}"


def write_positions(rows: Sequence[PositionRow], seen: dict[int, dt.datetime] | None = None) -> int:
    """Store ``rows`` in the current transaction (see the module docstring); the number of
    position rows newly inserted (duplicates of (device, fix time) are skipped)."""
    if not rows:
        return 0
    if not connection.in_atomic_block:
        # In autocommit, PostgreSQL's COPY would commit the staging table (ON COMMIT DELETE
        # ROWS) empty before the INSERT ... SELECT: every position lost, silently. One
        # transaction of its own keeps the promise of "one transaction" for any caller.
        with transaction.atomic():
            return write_positions(rows, seen)
    if connection.vendor == "postgresql":
        return _write_postgres(rows, seen)
    return _write_values(rows, seen, _sqlite_stamp)


def _stale(rows: Sequence[PositionRow], seen: dict[int, dt.datetime] | None) -> list[int]:
    """Devices of ``rows`` whose ``last_seen_at`` is older than SEEN_GRANULARITY (by ``seen``,
    this process's memory of what it wrote; every device when there is none), marked in
    ``seen`` as written now."""
    now = max(row.server_time for row in rows)
    stale = sorted(
        {
            row.device_id
            for row in rows
            if seen is None
            or row.device_id not in seen
            or now - seen[row.device_id] >= SEEN_GRANULARITY
        }
    )
    if seen is not None:
        for device_id in stale:
            seen[device_id] = now
    return stale


def _write_values(
    rows: Sequence[PositionRow],
    seen: dict[int, dt.datetime] | None,
    stamp: Callable[[dt.datetime], Any],
) -> int:
    """Multi-row ``INSERT ... VALUES`` through Django's cursor: SQLite (and, before ADR 0040,
    PostgreSQL, where ``bench/position_writer.py`` still measures it)."""
    inserted = 0
    with connection.cursor() as cursor:
        for start in range(0, len(rows), ROWS_PER_STATEMENT):
            chunk = rows[start : start + ROWS_PER_STATEMENT]
            params: list[Any] = []
            for row in chunk:
                params += [
                    row.tenant_id,
                    row.device_id,
                    row.driver_id,
                    stamp(row.fix_time),
                    stamp(row.device_time) if row.device_time is not None else None,
                    stamp(row.server_time),
                    row.latitude,
                    row.longitude,
                    row.speed,
                    row.course,
                    row.altitude,
                    row.accuracy,
                    row.battery,
                    row.valid,
                    _attributes_json(row.attributes),
                ]
            values = ",".join(["(%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)"] * len(chunk))
            cursor.execute(
                f"INSERT INTO tracking_position ({_POSITION_COLUMNS}) VALUES {values} "  # noqa: S608
                "ON CONFLICT (device_id, fix_time) DO NOTHING",
                params,
            )
            inserted += max(cursor.rowcount, 0)
        newest = _newest_per_device(rows)
        params = []
        for row in newest:
            params += [
                row.device_id,
                row.tenant_id,
                stamp(row.fix_time),
                stamp(row.server_time),
                row.latitude,
                row.longitude,
                row.speed,
                row.course,
                row.battery,
            ]
        values = ",".join(["(%s,%s,%s,%s,%s,%s,%s,%s,%s)"] * len(newest))
        cursor.execute(
            "INSERT INTO tracking_devicelatest (device_id, tenant_id, fix_time, server_time, "  # noqa: S608
            f"latitude, longitude, speed, course, battery) VALUES {values} "
            f"ON CONFLICT (device_id) DO UPDATE SET {_LATEST_SET}",
            params,
        )
        earliest = _earliest_per_device(rows)
        params = []
        for row in earliest:
            params += [row.device_id, row.tenant_id, stamp(row.fix_time), stamp(row.fix_time)]
        values = ",".join(["(%s,%s,%s,%s,1)"] * len(earliest))
        cursor.execute(
            "INSERT INTO tracking_positionbacklog (device_id, tenant_id, geofences_from, "  # noqa: S608
            f"trips_from, version) VALUES {values} "
            f"ON CONFLICT (device_id) DO UPDATE SET {_BACKLOG_SET_SQLITE}",
            params,
        )
        stale = _stale(rows, seen)
        if stale:
            marks = ",".join(["%s"] * len(stale))
            cursor.execute(
                f"UPDATE tracking_device SET last_seen_at = %s WHERE id IN ({marks})",  # noqa: S608
                [stamp(max(row.server_time for row in rows)), *stale],
            )
    return inserted


_LATEST_SET = (
    "fix_time = excluded.fix_time, server_time = excluded.server_time, "
    "latitude = excluded.latitude, longitude = excluded.longitude, speed = excluded.speed, "
    "course = excluded.course, battery = excluded.battery "
    "WHERE excluded.fix_time > tracking_devicelatest.fix_time"
)

# The backlog of the geofence and trip derivations (models.PositionBacklog): each column keeps
# the earliest fix time owed, and the version counts writes for the consumers' compare-and-clear.
_BACKLOG_SET_SQLITE = (
    "geofences_from = MIN(COALESCE(tracking_positionbacklog.geofences_from, "
    "excluded.geofences_from), excluded.geofences_from), "
    "trips_from = MIN(COALESCE(tracking_positionbacklog.trips_from, excluded.trips_from), "
    "excluded.trips_from), version = tracking_positionbacklog.version + 1"
)
_BACKLOG_SET_POSTGRES = (  # LEAST ignores NULLs
    "geofences_from = LEAST(tracking_positionbacklog.geofences_from, excluded.geofences_from), "
    "trips_from = LEAST(tracking_positionbacklog.trips_from, excluded.trips_from), "
    "version = tracking_positionbacklog.version + 1"
)

# PostgreSQL (ADR 0040, bench/position_writer.py): the positions go by binary COPY into a
# temporary staging table of the writer's session (emptied at each commit), then into the
# partitioned table by one INSERT ... SELECT ... ON CONFLICT DO NOTHING, whose row count is the
# number inserted. COPY's binary rows are built in C by psycopg; a multi-row VALUES statement cost
# three times more CPU per row (client-side SQL text, parsed again by the server), one array
# parameter per column with unnest() twice. The latest-position upsert and the last-seen update
# are small (one row per device) and send one array per column, bound server-side.
_STAGE = "logitrack_position_stage"
_PG_CREATE_STAGE = (
    f"CREATE TEMPORARY TABLE IF NOT EXISTS {_STAGE} (LIKE tracking_position INCLUDING DEFAULTS) "
    "ON COMMIT DELETE ROWS"
)
_PG_COPY_STAGE = f"COPY {_STAGE} ({_POSITION_COLUMNS}) FROM STDIN (FORMAT BINARY)"
_PG_STAGE_TYPES = (
    ["int8", "int8", "int8", "timestamptz", "timestamptz", "timestamptz"]
    + ["float8"] * 7
    + ["bool", "jsonb"]
)
_PG_INSERT_STAGED = (
    f"INSERT INTO tracking_position ({_POSITION_COLUMNS}) "  # noqa: S608
    f"SELECT {_POSITION_COLUMNS} FROM {_STAGE} ORDER BY device_id, fix_time "
    "ON CONFLICT (device_id, fix_time) DO NOTHING"
)
_PG_UPSERT_LATEST = (
    "INSERT INTO tracking_devicelatest (device_id, tenant_id, fix_time, server_time, latitude, "  # noqa: S608
    "longitude, speed, course, battery) SELECT * FROM unnest(%s::int8[], %s::int8[], "
    "%s::timestamptz[], %s::timestamptz[], %s::float8[], %s::float8[], %s::float8[], "
    f"%s::float8[], %s::float8[]) ON CONFLICT (device_id) DO UPDATE SET {_LATEST_SET}"
)
_PG_UPSERT_BACKLOG = (
    "INSERT INTO tracking_positionbacklog (device_id, tenant_id, geofences_from, trips_from, "  # noqa: S608
    "version) SELECT d, t, f, f, 1 FROM unnest(%s::int8[], %s::int8[], %s::timestamptz[]) "
    f"AS u(d, t, f) ON CONFLICT (device_id) DO UPDATE SET {_BACKLOG_SET_POSTGRES}"
)
_PG_MARK_SEEN = (
    "UPDATE tracking_device AS d SET last_seen_at = %s FROM (SELECT id FROM tracking_device "
    "WHERE id = ANY(%s::int8[]) ORDER BY id FOR NO KEY UPDATE) AS locked WHERE d.id = locked.id"
)


def _floats(values: Iterable[float | int | None]) -> list[float | None]:
    # One element type per array: psycopg picks an array's type from its elements.
    return [None if value is None else float(value) for value in values]


def _pg_cursor() -> Any:
    """A server-side binding cursor on the connection Django holds (its own cursors bind
    client-side, and cannot prepare)."""
    import psycopg

    connection.ensure_connection()
    return psycopg.Cursor(connection.connection)


# The PostgreSQL sessions (psycopg connections) whose staging table was created by a transaction
# that has committed: it lasts as long as the session, so they skip asking again (one round
# trip, and a server notice, per group commit). A table created by a transaction that rolled
# back is gone with it: the session is only added here from ``on_commit``.
_STAGED: weakref.WeakSet[Any] = weakref.WeakSet()


def _write_postgres(rows: Sequence[PositionRow], seen: dict[int, dt.datetime] | None) -> int:
    from psycopg.types.json import Jsonb

    with _pg_cursor() as cursor:
        session = cursor.connection
        if session not in _STAGED:
            cursor.execute(_PG_CREATE_STAGE)
            transaction.on_commit(functools.partial(_STAGED.add, session))
        with cursor.copy(_PG_COPY_STAGE) as copy:
            copy.set_types(_PG_STAGE_TYPES)
            for row in rows:
                copy.write_row(
                    (
                        row.tenant_id,
                        row.device_id,
                        row.driver_id,
                        row.fix_time,
                        row.device_time,
                        row.server_time,
                        row.latitude,
                        row.longitude,
                        row.speed,
                        row.course,
                        row.altitude,
                        row.accuracy,
                        row.battery,
                        row.valid,
                        Jsonb(row.attributes, _json),
                    )
                )
        cursor.execute(_PG_INSERT_STAGED, prepare=True)
        inserted = max(int(cursor.rowcount), 0)
        _latest_and_seen_postgres(cursor, rows, seen)
    return inserted


def _latest_and_seen_postgres(
    cursor: Any, rows: Sequence[PositionRow], seen: dict[int, dt.datetime] | None
) -> None:
    newest = _newest_per_device(rows)
    cursor.execute(
        _PG_UPSERT_LATEST,
        [
            [row.device_id for row in newest],
            [row.tenant_id for row in newest],
            [row.fix_time for row in newest],
            [row.server_time for row in newest],
            _floats(row.latitude for row in newest),
            _floats(row.longitude for row in newest),
            _floats(row.speed for row in newest),
            _floats(row.course for row in newest),
            _floats(row.battery for row in newest),
        ],
        prepare=True,
        binary=True,
    )
    earliest = _earliest_per_device(rows)
    cursor.execute(
        _PG_UPSERT_BACKLOG,
        [
            [row.device_id for row in earliest],
            [row.tenant_id for row in earliest],
            [row.fix_time for row in earliest],
        ],
        prepare=True,
        binary=True,
    )
    stale = _stale(rows, seen)
    if stale:
        now = max(row.server_time for row in rows)
        cursor.execute(_PG_MARK_SEEN, [now, stale], prepare=True, binary=True)


_STOP = Ticket(())


class GroupCommitWriter:
    """One per process; ``submit`` is thread-safe and never blocks on the database."""

    def __init__(self, *, window: float = 0.005, max_rows: int = 2000) -> None:
        self.window = window
        self.max_rows = max_rows
        self._queue: queue.SimpleQueue[Ticket] = queue.SimpleQueue()
        self._seen: dict[int, dt.datetime] = {}
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._committed_at = -HEALTHY_FOR
        self.batches = 0

    def submit(self, rows: Sequence[PositionRow]) -> Ticket:
        """Queue ``rows``; wait on the ticket with ``wait`` or ``on_settled``."""
        return self._enqueue(Ticket(rows))

    def submit_async(self, rows: Sequence[PositionRow]) -> Ticket:
        """Queue ``rows`` from a coroutine; await ``ticket.wait_async``."""
        return self._enqueue(Ticket(rows, asyncio.get_running_loop()))

    def _enqueue(self, ticket: Ticket) -> Ticket:
        if not ticket.rows:
            ticket.settle(None)
            return ticket
        self._ensure_started()
        self._queue.put(ticket)
        return ticket

    def _ensure_started(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="logitrack-group-commit", daemon=True
                )
                self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Finish what is queued, close the thread's database connection, end the thread."""
        thread = self._thread
        if thread is None or not thread.is_alive():
            return
        self._queue.put(_STOP)
        thread.join(timeout)

    def _check_connection(self) -> None:
        """Django's per-use connection checks (``CONN_MAX_AGE``, and with ``CONN_HEALTH_CHECKS``
        a ``SELECT 1`` round trip before the transaction), skipped while the previous commit on
        this connection succeeded less than ``HEALTHY_FOR`` seconds ago: under load that is every
        commit, and a connection that broke since fails the next transaction, whose requests
        are answered 503 (never acknowledged) and the connection replaced, as after any
        failure."""
        if (
            connection.connection is not None
            and time.monotonic() - self._committed_at < HEALTHY_FOR
            and (connection.close_at is None or time.monotonic() < connection.close_at)
        ):
            return
        close_old_connections()

    def _gather(self) -> list[Ticket]:
        batch = [self._queue.get()]
        if batch[0] is _STOP:
            return batch
        count = len(batch[0].rows)
        deadline = time.monotonic() + self.window
        while count < self.max_rows:
            try:
                ticket = self._queue.get_nowait()
            except queue.Empty:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                try:
                    ticket = self._queue.get(timeout=remaining)
                except queue.Empty:
                    break
            if ticket is _STOP:
                self._queue.put(ticket)  # handled after this batch
                break
            batch.append(ticket)
            count += len(ticket.rows)
        return batch

    def _run(self) -> None:
        while True:
            batch = self._gather()
            if batch[0] is _STOP:
                connection.close()
                return
            error = self._commit(batch)
            errors = {id(ticket): error for ticket in batch}
            if error is not None and len(batch) > 1 and not _unreachable(error):
                # One request's rows poisoned the transaction: write each request alone, so
                # that only the request holding the bad row is refused.
                errors = {id(ticket): self._commit([ticket]) for ticket in batch}
            loops: dict[asyncio.AbstractEventLoop, list[Ticket]] = {}
            for ticket in batch:
                if ticket._loop is None:
                    ticket.settle(errors[id(ticket)])
                else:
                    ticket.error = errors[id(ticket)]
                    loops.setdefault(ticket._loop, []).append(ticket)
            for loop, tickets in loops.items():
                _wake(loop, tickets)

    def _commit(self, batch: Sequence[Ticket]) -> BaseException | None:
        """Write the rows of ``batch`` in one transaction; the error, or None once committed."""
        rows = [row for ticket in batch for row in ticket.rows]
        try:
            self._check_connection()
            with transaction.atomic():
                write_positions(rows, self._seen)
            self.batches += 1
            self._committed_at = time.monotonic()
        except Exception as exc:  # every waiting request is answered, none acknowledged
            logger.warning(
                "group commit failed",
                extra={"error_type": type(exc).__name__, "rows": len(rows)},
            )
            self._seen.clear()
            self._committed_at = -HEALTHY_FOR
            connection.close()
            return exc
        return None


def _unreachable(error: BaseException) -> bool:
    """True when ``error`` says the database could not be reached, rather than that it refused
    a row: writing each request alone would then only fail again, once per request."""
    return isinstance(error, OperationalError | InterfaceError)


@functools.cache
def get_writer() -> GroupCommitWriter:
    """This process's writer, configured from settings (LOGITRACK_INGEST_COMMIT_WINDOW_MS,
    LOGITRACK_INGEST_COMMIT_MAX_ROWS)."""
    from django.conf import settings

    return GroupCommitWriter(
        window=getattr(settings, "LOGITRACK_INGEST_COMMIT_WINDOW_MS", 5) / 1000.0,
        max_rows=getattr(settings, "LOGITRACK_INGEST_COMMIT_MAX_ROWS", 2000),
    )
