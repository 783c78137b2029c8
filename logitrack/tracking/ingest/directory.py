"""Which device sent a report: a short-lived, per-process cache of the device table.

The gateway is stateless: every process reads devices from the database and serves an entry for
at most ``TTL`` seconds after the query that read it began (unknown identifiers too, so that a
made-up id repeated costs no query). A disabled or deleted device, a rotated token or changed
networks therefore take effect within ``TTL`` seconds in every gateway process (docs/adr/0025).
The gateway refreshes the entries of active devices in the background before they expire
(docs/adr/0045), so that a request does not wait for the database.
"""

from __future__ import annotations

import ipaddress
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.db import Error as DatabaseError
from django.db import close_old_connections, connection
from django.db.models import Exists, OuterRef, QuerySet

from logitrack.tracking.models import Device, DeviceAssignment, TenantDeviceSettings
from logitrack.tracking.tokens import device_token_matches

TTL = 2.0
# devices that reported in the last KEEP_WARM seconds are refreshed ahead of expiry
KEEP_WARM = 60.0
MAX_ENTRIES = 100_000
BULK = 500
_TOKEN_NAMESPACE = "\x00token:"  # noqa: S105 (a cache-key prefix, not a secret)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
T = TypeVar("T")
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeviceEntry:
    device_id: int
    tenant_id: int
    enabled: bool
    require_token: bool
    token_hash: str
    networks: tuple[Network, ...]
    driver_id: int | None
    # The tenant accepts reports on the plain-HTTP legacy port (docs/adr/0030).
    plain_http: bool = False
    # ``Device.kind``: the RFID ingest admits ``rfid_reader`` tokens only.
    kind: str = ""

    def admits(self, *, token: str | None, source: str | None, token_required: bool) -> bool:
        """True when the device is enabled, the source address is in an allowed network (when
        any are set) and the token matches (when the device, or the endpoint, requires it)."""
        if not self.enabled:
            return False
        if self.networks:
            try:
                address = ipaddress.ip_address(source or "")
            except ValueError:
                return False
            if not any(address in network for network in self.networks):
                return False
        if self.require_token or token_required:
            return token is not None and device_token_matches(token, self.token_hash)
        return True


def _networks(values: list[object] | None) -> tuple[Network, ...]:
    networks: list[Network] = []
    for item in values or []:
        try:
            networks.append(ipaddress.ip_network(str(item), strict=False))
        except ValueError:
            continue  # a stored value the service would not write: it admits nobody
    if values and not networks:
        networks.append(ipaddress.ip_network("0.0.0.0/32"))
    return tuple(networks)


_FIELDS = ("pk", "identifier", "tenant_id", "enabled", "require_token", "token_hash", "kind")


def load_entries(identifiers: list[str]) -> dict[str, DeviceEntry]:
    """The devices with these identifiers, whatever their tenant (identifiers are global and
    this is the one lookup the protocol allows), in two queries per ``BULK`` identifiers;
    identifiers with no device are absent."""
    found: dict[str, DeviceEntry] = {}
    for start in range(0, len(identifiers), BULK):
        chunk = identifiers[start : start + BULK]
        devices = list(
            _with_plain_http(
                Device.dangerously_unscoped.filter(identifier__in=chunk).only(
                    *_FIELDS, "allowed_networks"
                )
            )
        )
        drivers = dict(
            DeviceAssignment.dangerously_unscoped.filter(
                device_id__in=[d.pk for d in devices], ended_at__isnull=True
            ).values_list("device_id", "driver_id")
        )
        for device in devices:
            found[device.identifier] = _entry(device, drivers.get(device.pk))
    return found


def _with_plain_http(devices: QuerySet[Device]) -> QuerySet[Device]:
    """``devices`` each annotated ``plain_http``: its tenant turned the plain-HTTP legacy port
    on (docs/adr/0030). A subquery of the same statement, so the lookup stays one query."""
    return devices.annotate(
        plain_http=Exists(
            TenantDeviceSettings.dangerously_unscoped.filter(
                tenant_id=OuterRef("tenant_id"), plain_http_allowed=True
            )
        )
    )


def _entry(device: Device, driver_id: int | None) -> DeviceEntry:
    return DeviceEntry(
        device_id=device.pk,
        tenant_id=device.tenant_id,
        enabled=device.enabled,
        require_token=device.require_token,
        token_hash=device.token_hash,
        networks=_networks(device.allowed_networks),
        driver_id=driver_id,
        plain_http=bool(getattr(device, "plain_http", False)),
        kind=device.kind,
    )


def load_entry(identifier: str = "", *, token_prefix: str = "") -> DeviceEntry | None:
    """The device with this identifier (or token id), whatever its tenant. None when none."""
    if identifier:
        return load_entries([identifier]).get(identifier)
    device = _with_plain_http(
        Device.dangerously_unscoped.filter(token_prefix=token_prefix).only(
            *_FIELDS, "allowed_networks"
        )
    ).first()
    if device is None:
        return None
    driver_id = (
        DeviceAssignment.dangerously_unscoped.filter(device_id=device.pk, ended_at__isnull=True)
        .values_list("driver_id", flat=True)
        .first()
    )
    return _entry(device, driver_id)


class DirectoryUnavailable(Exception):
    """The device table could not be read (the database is down or restarting): the report is
    neither refused nor stored; the caller answers 503 and the device sends it again."""


def _load(identifier: str = "", *, token_prefix: str = "") -> DeviceEntry | None:
    return _guarded(lambda: load_entry(identifier, token_prefix=token_prefix))


def _guarded(load: Callable[[], T]) -> T:
    try:
        return load()
    except DatabaseError as exc:
        # This thread's connection may be broken for good (a restarted server): drop it, so
        # that the next lookup connects afresh and the gateway recovers by itself.
        connection.close()
        raise DirectoryUnavailable() from exc


class DeviceDirectory:
    """Entries read from the database, each served for at most ``ttl`` seconds after the query
    that read it began (a change to a device therefore takes effect within ``ttl``).

    With the refresher running (``start_refresher``, the gateway's startup), a background
    thread reloads every ``ttl / 2`` seconds, in bulk, the devices used in the last
    ``KEEP_WARM`` seconds, so that their entries are replaced before they expire and requests
    almost never wait for the database. A refresh that fails changes nothing: the entries
    still expire on time and the next request asks the database itself (fail closed).

    A miss loads, in one bulk query, every identifier missed meanwhile by other threads and
    every recently used device whose entry has expired; unknown identifiers are cached as
    unknown for ``ttl`` but never refreshed, so a flood of made-up ids costs at most one query
    per batch of concurrent misses (and none for an id repeated within ``ttl``)."""

    def __init__(self, ttl: float = TTL, keep_warm: float = KEEP_WARM) -> None:
        self.ttl = ttl
        self.keep_warm = keep_warm
        self._entries: dict[str, tuple[float, DeviceEntry | None]] = {}
        self._lock = threading.Lock()
        self._refresh = threading.Lock()
        self._pending: set[str] = set()
        # identifier -> when a request last used its entry (devices only matter)
        self._used: dict[str, float] = {}
        self._stop: threading.Event | None = None
        self._thread: threading.Thread | None = None

    def cached(self, identifier: str) -> tuple[bool, DeviceEntry | None]:
        """(hit, entry) without touching the database."""
        held = self._entries.get(identifier)
        if held is not None:
            now = time.monotonic()
            if held[0] > now:
                if held[1] is not None and not identifier.startswith(_TOKEN_NAMESPACE):
                    self._used[identifier] = now
                return True, held[1]
        return False, None

    def _install(self, names: list[str], found: dict[str, DeviceEntry], expires: float) -> None:
        with self._lock:
            if len(self._entries) + len(names) > MAX_ENTRIES:
                self._entries.clear()
            if len(self._used) > MAX_ENTRIES:
                self._used.clear()
            for name in names:
                held = self._entries.get(name)
                if held is None or held[0] <= expires:  # never replace a fresher read
                    self._entries[name] = (expires, found.get(name))

    def lookup(self, identifier: str) -> DeviceEntry | None:
        """The entry, read at most ``ttl`` seconds ago; DirectoryUnavailable when the database
        fails."""
        hit, entry = self.cached(identifier)
        if hit:
            return entry
        with self._lock:
            self._pending.add(identifier)
        with self._refresh:
            hit, entry = self.cached(identifier)  # another thread's load may have included it
            if hit:
                return entry
            started = time.monotonic()
            with self._lock:
                pending, self._pending = self._pending, set()
                pending.add(identifier)
                # recently used devices whose entries expired (no refresher, or it failed):
                # reloaded with this one so that they expire together again
                pending.update(
                    name
                    for name, used in list(self._used.items())  # a snapshot: see ``cached``
                    if used > started - self.ttl and self._expired(name, started)
                )
            names = [name for name in pending if not name.startswith(_TOKEN_NAMESPACE)]
            try:
                found = _guarded(lambda: load_entries(names))
            except DirectoryUnavailable:
                with self._lock:  # the others waiting will try again themselves
                    self._pending.update(pending - {identifier})
                raise
            self._install(names, found, started + self.ttl)
            entry = found.get(identifier)
            if entry is not None:
                self._used[identifier] = started  # the device reports: keep it warm
            return entry

    def _expired(self, name: str, now: float) -> bool:
        held = self._entries.get(name)
        return held is None or held[0] <= now

    def refresh(self) -> int:
        """Reload the devices used in the last ``keep_warm`` seconds; how many were loaded.
        DirectoryUnavailable when the database fails (the entries then expire as read)."""
        started = time.monotonic()
        # ``cached`` marks use without the lock (it runs on the event loop): work on snapshots
        used = list(self._used.items())
        names = []
        for name, at in used:
            if at <= started - self.keep_warm:
                if self._used.get(name) == at:
                    self._used.pop(name, None)
            elif not name.startswith(_TOKEN_NAMESPACE):
                held = self._entries.get(name)
                if held is not None and held[1] is not None:  # unknown ids are not refreshed
                    names.append(name)
        if not names:
            return 0
        found = _guarded(lambda: load_entries(names))
        self._install(names, found, started + self.ttl)
        return len(names)

    def start_refresher(self) -> None:
        """Refresh in a background thread every ``ttl / 2`` seconds until ``stop_refresher``."""
        if self._thread is not None and self._thread.is_alive():
            return
        stop = threading.Event()
        self._stop = stop
        self._thread = threading.Thread(
            target=self._refresh_loop, args=(stop,), name="device-directory", daemon=True
        )
        self._thread.start()

    def stop_refresher(self) -> None:
        if self._stop is not None:
            self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._thread = self._stop = None

    def _refresh_loop(self, stop: threading.Event) -> None:
        try:
            while not stop.wait(self.ttl / 2):
                close_old_connections()
                try:
                    self.refresh()
                except DirectoryUnavailable:
                    logger.warning("device directory refresh failed; entries expire as read")
                except Exception:  # the thread must outlive any one failure
                    logger.exception("device directory refresh failed")
        finally:
            connection.close()

    def lookup_token(self, token_prefix: str) -> DeviceEntry | None:
        """The device whose token has this public id (the token itself is checked by
        ``DeviceEntry.admits``)."""
        key = _TOKEN_NAMESPACE + token_prefix
        hit, entry = self.cached(key)
        if hit:
            return entry
        started = time.monotonic()
        entry = _load(token_prefix=token_prefix)
        with self._lock:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[key] = (started + self.ttl, entry)
        return entry

    def forget(self) -> None:
        with self._lock:
            self._entries.clear()
            self._used.clear()
            self._pending.clear()


directory = DeviceDirectory()
