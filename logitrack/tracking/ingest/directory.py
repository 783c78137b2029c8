"""Which device sent a report: a short-lived, per-process cache of the device table.

The gateway is stateless: every process reads devices from the database and keeps an entry for
``TTL`` seconds (unknown identifiers too, so that a flood of made-up ids costs one query per id
per ``TTL``). A disabled device, a rotated token or changed networks therefore take effect
within ``TTL`` seconds in every gateway process (docs/adr/0025).
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.db import Error as DatabaseError
from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet

from logitrack.tracking.models import Device, DeviceAssignment, TenantDeviceSettings
from logitrack.tracking.tokens import device_token_matches

TTL = 2.0
MAX_ENTRIES = 100_000
BULK = 500
_TOKEN_NAMESPACE = "\x00token:"  # noqa: S105 (a cache-key prefix, not a secret)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
T = TypeVar("T")


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


_FIELDS = ("pk", "identifier", "tenant_id", "enabled", "require_token", "token_hash")


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
    def __init__(self, ttl: float = TTL) -> None:
        self.ttl = ttl
        self._entries: dict[str, tuple[float, DeviceEntry | None]] = {}
        self._lock = threading.Lock()
        self._refresh = threading.Lock()
        self._window_end = 0.0
        self._used: set[str] = set()

    def cached(self, identifier: str) -> tuple[bool, DeviceEntry | None]:
        """(hit, entry) without touching the database."""
        held = self._entries.get(identifier)
        if held is not None and held[0] > time.monotonic():
            self._used.add(identifier)
            return True, held[1]
        return False, None

    def lookup(self, identifier: str) -> DeviceEntry | None:
        """The entry, cached until the end of the current ``ttl`` window (so never older than
        ``ttl``); DirectoryUnavailable when the database fails.

        Entries expire together at the end of each window; the first miss of a new window
        reloads every identifier of the previous one with this one in a single bulk query,
        so the device table costs one query per window rather than one per device."""
        hit, entry = self.cached(identifier)
        if hit:
            return entry
        with self._refresh:
            hit, entry = self.cached(identifier)  # another thread may have just reloaded
            if hit:
                return entry
            now = time.monotonic()
            window_end = (now // self.ttl + 1) * self.ttl
            if self._window_end != window_end:
                # the identifiers that reported in the window that ended (devices gone quiet
                # are not reloaded), and this one
                used, self._used = self._used, set()
                used.add(identifier)
                names = [name for name in used if not name.startswith(_TOKEN_NAMESPACE)]
                self._window_end = window_end
            else:
                names = [identifier]
            found = _guarded(lambda: load_entries(names))
            with self._lock:
                if len(self._entries) + len(names) > MAX_ENTRIES:
                    self._entries.clear()
                for name in names:
                    self._entries[name] = (window_end, found.get(name))
            return found.get(identifier)

    def lookup_token(self, token_prefix: str) -> DeviceEntry | None:
        """The device whose token has this public id (the token itself is checked by
        ``DeviceEntry.admits``)."""
        key = _TOKEN_NAMESPACE + token_prefix
        hit, entry = self.cached(key)
        if hit:
            return entry
        entry = _load(token_prefix=token_prefix)
        with self._lock:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[key] = (time.monotonic() + self.ttl, entry)
        return entry

    def forget(self) -> None:
        with self._lock:
            self._entries.clear()
            self._used = set()
            self._window_end = 0.0


directory = DeviceDirectory()
