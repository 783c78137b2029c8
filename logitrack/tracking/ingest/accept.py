"""From a parsed report to a stored, acknowledged position: the steps both OsmAnd endpoints
(the gateway and ``/ingest/osmand``), the batch API and MQTT share.

``admit`` answers which device a report belongs to and whether it may be stored; it raises
``IngestRefused`` with the status to answer:

- unknown device, disabled device, wrong or missing token, source outside the allowed networks:
  ``device_unknown`` (the same answer for each, so none can be told apart by probing);
- a device over its rate: 429 ``rate_limited``;
- the database unreachable (device table or commit): 503 ``not_stored``, nothing acknowledged.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from logitrack.tracking.ingest.directory import (
    DeviceDirectory,
    DeviceEntry,
    DirectoryUnavailable,
    directory,
)
from logitrack.tracking.ingest.limits import DeviceBuckets
from logitrack.tracking.ingest.writer import PositionRow
from logitrack.tracking.protocols.report import PositionReport


class IngestRefused(Exception):
    def __init__(self, code: str, message: str | Promise, status: int) -> None:
        super().__init__(code)
        self.code = code
        self.message = message
        self.status = status


def unknown_device() -> IngestRefused:
    return IngestRefused("device_unknown", _("This device is not registered or is disabled."), 400)


def rate_limited() -> IngestRefused:
    return IngestRefused("rate_limited", _("This device sends too often; try again later."), 429)


def not_durable() -> IngestRefused:
    return IngestRefused("not_stored", _("The position could not be stored; send it again."), 503)


def max_future() -> dt.timedelta:
    return dt.timedelta(seconds=getattr(settings, "LOGITRACK_INGEST_MAX_FUTURE_S", 600))


def ack_timeout() -> float:
    return float(getattr(settings, "LOGITRACK_INGEST_ACK_TIMEOUT_S", 10))


@dataclass
class Gate:
    directory: DeviceDirectory
    buckets: DeviceBuckets
    batch_buckets: DeviceBuckets

    def entry(self, identifier: str, *, token: str | None, source: str | None) -> DeviceEntry:
        try:
            entry = self.directory.lookup(identifier)
        except DirectoryUnavailable:
            raise not_durable() from None
        if entry is None or not entry.admits(token=token, source=source, token_required=False):
            raise unknown_device()
        return entry

    def spend(self, entry: DeviceEntry, count: int = 1, *, batch: bool = False) -> None:
        buckets = self.batch_buckets if batch else self.buckets
        if not buckets.take(entry.device_id, count):
            raise rate_limited()


def row_of(report: PositionReport, entry: DeviceEntry, now: dt.datetime) -> PositionRow:
    return PositionRow(
        tenant_id=entry.tenant_id,
        device_id=entry.device_id,
        driver_id=entry.driver_id,
        fix_time=report.fix_time,
        device_time=report.device_time,
        server_time=now,
        latitude=report.latitude,
        longitude=report.longitude,
        speed=report.speed,
        course=report.course,
        altitude=report.altitude,
        accuracy=report.accuracy,
        battery=report.battery,
        valid=report.valid,
        attributes=report.attributes,
    )


@functools.cache
def get_gate() -> Gate:
    """This process's gate: single reports at LOGITRACK_INGEST_DEVICE_RATE per second per device
    (bursts of LOGITRACK_INGEST_DEVICE_BURST), batch positions at LOGITRACK_INGEST_BATCH_RATE
    (bursts of LOGITRACK_INGEST_BATCH_BURST)."""
    return Gate(
        directory=directory,
        buckets=DeviceBuckets(
            rate=float(getattr(settings, "LOGITRACK_INGEST_DEVICE_RATE", 50)),
            burst=float(getattr(settings, "LOGITRACK_INGEST_DEVICE_BURST", 500)),
        ),
        batch_buckets=DeviceBuckets(
            rate=float(getattr(settings, "LOGITRACK_INGEST_BATCH_RATE", 2000)),
            burst=float(getattr(settings, "LOGITRACK_INGEST_BATCH_BURST", 20000)),
        ),
    )
