"""The gateway's per-process device directory: entries live until the end of a ``ttl`` window,
and the first miss of a window reloads the previous window's identifiers in one bulk query."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from logitrack.tracking.ingest.directory import DeviceDirectory
from logitrack.tracking.models import Device
from logitrack.tracking.tests.factories import make_device, make_manager

pytestmark = pytest.mark.django_db


def _next_window(directory: DeviceDirectory) -> None:
    time.sleep(directory.ttl - time.monotonic() % directory.ttl + 0.01)


def test_a_disabled_device_is_refused_once_its_window_ends() -> None:
    device = make_device(make_manager()).device
    directory = DeviceDirectory(ttl=0.3)
    _next_window(directory)
    assert directory.lookup(device.identifier).enabled  # type: ignore[union-attr]

    Device.dangerously_unscoped.filter(pk=device.pk).update(enabled=False)
    _next_window(directory)

    assert directory.lookup(device.identifier).enabled is False  # type: ignore[union-attr]


def test_the_first_miss_of_a_window_reloads_every_device_seen_in_one_query() -> None:
    manager = make_manager()
    identifiers = [make_device(manager).device.identifier for _ in range(3)]
    directory = DeviceDirectory(ttl=3)
    _next_window(directory)
    for identifier in identifiers:
        directory.lookup(identifier)
    for identifier in identifiers:
        directory.lookup(identifier)  # hits: seen in this window
    _next_window(directory)

    with CaptureQueriesContext(connection) as first:
        directory.lookup(identifiers[0])
    with CaptureQueriesContext(connection) as others:
        found = [directory.lookup(identifier) for identifier in identifiers[1:]]

    assert len(first.captured_queries) == 2  # the devices, then their current drivers
    assert len(others.captured_queries) == 0
    assert all(entry is not None for entry in found)


def test_an_unknown_identifier_is_cached_as_unknown() -> None:
    directory = DeviceDirectory(ttl=5)
    _next_window(directory)  # windows are aligned: start at the beginning of one

    assert directory.lookup("nobody-here") is None
    with CaptureQueriesContext(connection) as again:
        assert directory.lookup("nobody-here") is None

    assert len(again.captured_queries) == 0
