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
from dataclasses import dataclass

from django.db import Error as DatabaseError
from django.db import connection

from logitrack.tracking.models import Device, DeviceAssignment
from logitrack.tracking.tokens import device_token_matches

TTL = 2.0
MAX_ENTRIES = 100_000

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class DeviceEntry:
    device_id: int
    tenant_id: int
    enabled: bool
    require_token: bool
    token_hash: str
    networks: tuple[Network, ...]
    driver_id: int | None

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


def load_entry(identifier: str = "", *, token_prefix: str = "") -> DeviceEntry | None:
    """The device with this identifier (or token id), whatever its tenant: identifiers are
    global and this is the one lookup the protocol allows. None when there is none."""
    found = (
        Device.dangerously_unscoped.filter(token_prefix=token_prefix)
        if token_prefix
        else Device.dangerously_unscoped.filter(identifier=identifier)
    )
    device = found.only(
        "pk", "tenant_id", "enabled", "require_token", "token_hash", "allowed_networks"
    ).first()
    if device is None:
        return None
    driver_id = (
        DeviceAssignment.dangerously_unscoped.filter(device_id=device.pk, ended_at__isnull=True)
        .values_list("driver_id", flat=True)
        .first()
    )
    networks: list[Network] = []
    for item in device.allowed_networks or []:
        try:
            networks.append(ipaddress.ip_network(str(item), strict=False))
        except ValueError:
            continue  # a stored value the service would not write: it admits nobody
    if device.allowed_networks and not networks:
        networks.append(ipaddress.ip_network("0.0.0.0/32"))
    return DeviceEntry(
        device_id=device.pk,
        tenant_id=device.tenant_id,
        enabled=device.enabled,
        require_token=device.require_token,
        token_hash=device.token_hash,
        networks=tuple(networks),
        driver_id=driver_id,
    )


class DirectoryUnavailable(Exception):
    """The device table could not be read (the database is down or restarting): the report is
    neither refused nor stored; the caller answers 503 and the device sends it again."""


def _load(identifier: str = "", *, token_prefix: str = "") -> DeviceEntry | None:
    try:
        return load_entry(identifier, token_prefix=token_prefix)
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

    def cached(self, identifier: str) -> tuple[bool, DeviceEntry | None]:
        """(hit, entry) without touching the database."""
        held = self._entries.get(identifier)
        if held is not None and held[0] > time.monotonic():
            return True, held[1]
        return False, None

    def lookup(self, identifier: str) -> DeviceEntry | None:
        """The entry, cached for ``ttl`` s; DirectoryUnavailable when the database fails."""
        hit, entry = self.cached(identifier)
        if hit:
            return entry
        entry = _load(identifier)
        with self._lock:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[identifier] = (time.monotonic() + self.ttl, entry)
        return entry

    def lookup_token(self, token_prefix: str) -> DeviceEntry | None:
        """The device whose token has this public id (the token itself is checked by
        ``DeviceEntry.admits``)."""
        key = "\x00token:" + token_prefix
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


directory = DeviceDirectory()
