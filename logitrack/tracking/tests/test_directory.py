"""The gateway's per-process device directory: an entry is served for at most ``ttl`` seconds
after the query that read it began; a background refresh replaces the entries of active devices
before they expire (docs/adr/0045), never unknown identifiers; concurrent misses share a query."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from logitrack.tracking.ingest import directory as directory_module
from logitrack.tracking.ingest.directory import (
    DeviceDirectory,
    DeviceEntry,
    DirectoryUnavailable,
    load_entries,
)
from logitrack.tracking.models import Device
from logitrack.tracking.tests.factories import make_device, make_manager
from logitrack.tracking.tokens import device_token_new

pytestmark = pytest.mark.django_db


def _older_than(directory: DeviceDirectory, seconds: float) -> None:
    time.sleep(seconds + 0.01)


def test_a_disabled_device_is_refused_within_ttl() -> None:
    device = make_device(make_manager()).device
    directory = DeviceDirectory(ttl=0.3)
    assert directory.lookup(device.identifier).enabled  # type: ignore[union-attr]

    Device.dangerously_unscoped.filter(pk=device.pk).update(enabled=False)
    _older_than(directory, 0.3)

    assert directory.lookup(device.identifier).enabled is False  # type: ignore[union-attr]


def test_a_refresh_keeps_an_active_device_cached_past_its_first_expiry() -> None:
    device = make_device(make_manager()).device
    directory = DeviceDirectory(ttl=0.5)
    directory.lookup(device.identifier)
    time.sleep(0.3)
    directory.cached(device.identifier)  # the device reports again

    with CaptureQueriesContext(connection) as refreshed:
        assert directory.refresh() == 1
    time.sleep(0.3)  # past the first read's expiry, within the refresh's
    with CaptureQueriesContext(connection) as served:
        assert directory.lookup(device.identifier) is not None

    assert len(refreshed.captured_queries) == 2  # the devices, then their current drivers
    assert len(served.captured_queries) == 0


@pytest.mark.parametrize("change", ["disabled", "deleted", "token"])
def test_a_refresh_brings_a_change_in_early_and_never_extends_a_stale_read(change: str) -> None:
    device = make_device(make_manager(), require_token=True)
    directory = DeviceDirectory(ttl=0.5)
    entry = directory.lookup(device.device.identifier)
    assert entry is not None
    assert entry.admits(token=device.token, source=None, token_required=False)

    rows = Device.dangerously_unscoped.filter(pk=device.device.pk)
    if change == "disabled":
        rows.update(enabled=False)
    elif change == "deleted":
        rows.delete()
    else:
        rows.update(token_hash=device_token_new().secret_hash)
    directory.refresh()

    hit, entry = directory.cached(device.device.identifier)
    assert hit
    assert entry is None or not entry.admits(token=device.token, source=None, token_required=False)


def test_a_failed_refresh_leaves_entries_to_expire_on_time(monkeypatch: Any) -> None:
    device = make_device(make_manager()).device
    directory = DeviceDirectory(ttl=0.4)
    directory.lookup(device.identifier)

    def broken(identifiers: list[str]) -> dict[str, DeviceEntry]:
        raise DatabaseError("the server restarted")

    monkeypatch.setattr(directory_module, "load_entries", broken)
    time.sleep(0.2)
    directory.cached(device.identifier)
    with pytest.raises(DirectoryUnavailable):
        directory.refresh()
    assert directory.cached(device.identifier)[0]
    time.sleep(0.25)  # the first read is now older than ttl

    assert directory.cached(device.identifier) == (False, None)
    with pytest.raises(DirectoryUnavailable):
        directory.lookup(device.identifier)


def test_unknown_identifiers_are_cached_as_unknown_and_never_refreshed() -> None:
    directory = DeviceDirectory(ttl=5)

    assert directory.lookup("nobody-here") is None
    with CaptureQueriesContext(connection) as again:
        assert directory.lookup("nobody-here") is None
        assert directory.refresh() == 0

    assert len(again.captured_queries) == 0


def test_misses_waiting_for_a_load_share_the_next_query(monkeypatch: Any) -> None:
    calls: list[list[str]] = []

    def counting(identifiers: list[str]) -> dict[str, DeviceEntry]:
        calls.append(sorted(identifiers))
        return {}

    monkeypatch.setattr(directory_module, "load_entries", counting)
    directory = DeviceDirectory(ttl=5)
    names = [f"made-up-{n}" for n in range(8)]
    with directory._refresh:  # a load in progress
        threads = [threading.Thread(target=directory.lookup, args=(name,)) for name in names]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 5
        while len(directory._pending) < len(names) and time.monotonic() < deadline:
            time.sleep(0.01)
    for thread in threads:
        thread.join(timeout=5)

    assert calls == [sorted(names)]


def test_the_refresher_thread_refreshes_active_devices_until_stopped(monkeypatch: Any) -> None:
    entry = DeviceEntry(
        device_id=1,
        tenant_id=1,
        enabled=True,
        require_token=False,
        token_hash="",
        networks=(),
        driver_id=None,
    )
    calls: list[list[str]] = []

    def loading(identifiers: list[str]) -> dict[str, DeviceEntry]:
        calls.append(list(identifiers))
        return dict.fromkeys(identifiers, entry)

    monkeypatch.setattr(directory_module, "load_entries", loading)
    monkeypatch.setattr(directory_module, "close_old_connections", lambda: None)
    directory = DeviceDirectory(ttl=0.2)
    directory.lookup("active")
    directory.start_refresher()
    try:
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            assert directory.cached("active") == (True, entry)  # never a miss
            time.sleep(0.02)
    finally:
        directory.stop_refresher()

    assert len(calls) >= 4
    assert all(call == ["active"] for call in calls)


def test_a_load_reads_what_the_database_holds() -> None:
    device = make_device(make_manager()).device
    assert load_entries([device.identifier, "nobody"]).keys() == {device.identifier}
