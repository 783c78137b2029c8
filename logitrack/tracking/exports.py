"""A device's positions over a time range as CSV or GPX 1.1, streamed in pages of the
(device, fix_time) index so that a month of one-second fixes never sits in memory.

Shapes:

- CSV (RFC 4180, UTF-8 with a byte-order mark so that spreadsheet programs read Vietnamese):
  one header row, then one row per position, oldest first: fix time (ISO 8601 in the reader's
  time zone), latitude, longitude (WGS 84 degrees), speed (km/h), course (degrees from true
  north), altitude (m), accuracy (m), battery (%). Text cells are guarded against formula
  injection (OWASP "CSV Injection"): a cell starting with ``= + - @``, a tab or a carriage
  return gets a leading apostrophe. Numbers are written as numbers and need no guard.
- GPX 1.1 (https://www.topografix.com/GPX/1/1/), written with gpxpy: one ``<trk>`` named after
  the device with one ``<trkseg>``; each ``<trkpt>`` carries ``lat``, ``lon``, ``<ele>`` and
  ``<time>`` (UTC). GPX 1.1 has no speed or course element; the CSV has them.

The rows come from ``selectors.device_positions`` as tuples of the columns written (speed
already in km/h), with the device's tenant and id given explicitly: a streamed body is produced
after the request's tenant context has closed, and the caller has already checked access
(``logitrack.tracking.access``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from typing import TypeVar

import gpxpy.gpx
from gpxpy.gpxfield import gpx_fields_to_xml

from logitrack.tracking import selectors
from logitrack.tracking.models import Device
from logitrack.tracking.selectors import ExportRow, TrackPoint

CHUNK = 5000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
KMH_PER_MS = selectors.KMH_PER_MS
Row = TypeVar("Row", ExportRow, TrackPoint)


def spreadsheet_safe(value: str) -> str:
    """``value`` with a leading apostrophe when a spreadsheet would read it as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def positions_in_range(
    *, device: Device, since: dt.datetime, until: dt.datetime, shape: type[Row]
) -> Iterator[Row]:
    """The device's rows (``shape`` tuples, ``selectors.device_positions``) with ``since <=
    fix_time < until``, oldest first, read ``CHUNK`` at a time by keyset on the unique
    (device, fix_time) index."""
    after: dt.datetime | None = None
    while True:
        chunk = selectors.device_positions(
            device=device, since=since, until=until, after=after, shape=shape, limit=CHUNK
        )
        yield from chunk
        if len(chunk) < CHUNK:
            return
        after = chunk[-1].fix_time


def _number(value: float | None, digits: int) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def csv_lines(rows: Iterable[ExportRow], *, header: list[str], zone: dt.tzinfo) -> Iterator[bytes]:
    """The CSV document as byte chunks (see the module docstring)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([spreadsheet_safe(cell) for cell in header])
    yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    write = writer.writerow
    for count, (
        fix_time,
        latitude,
        longitude,
        speed_kmh,
        course,
        altitude,
        accuracy,
        battery,
    ) in enumerate(rows, start=1):
        write(
            [
                fix_time.astimezone(zone).isoformat(),
                _number(latitude, COORDINATE_DIGITS),
                _number(longitude, COORDINATE_DIGITS),
                _number(speed_kmh, 1),
                _number(course, 0),
                _number(altitude, 1),
                _number(accuracy, 1),
                _number(battery, 0),
            ]
        )
        if count % 500 == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


# Degrees to 6 decimals (about 0.1 m), as in the CSV: a stored double such as 10.770000000000001
# is written 10.77, not with the binary noise of its full repr.
COORDINATE_DIGITS = 6
_MARK = 90.0  # a sentinel latitude no real row is compared against: only its text is used


def gpx_parts(
    rows: Iterable[TrackPoint], *, track_name: str, created: dt.datetime
) -> Iterator[bytes]:
    """The GPX 1.1 document as byte chunks: gpxpy writes the envelope (around one sentinel
    point, where the real points go) and each point."""
    document = gpxpy.gpx.GPX()
    document.creator = "Logitrack"
    document.time = created
    track = gpxpy.gpx.GPXTrack(name=track_name)
    segment = gpxpy.gpx.GPXTrackSegment()
    sentinel = gpxpy.gpx.GPXTrackPoint(latitude=_MARK, longitude=0.0, name="logitrack-points")
    segment.points.append(sentinel)
    track.segments.append(segment)
    document.tracks.append(track)
    envelope = document.to_xml(version="1.1", prettyprint=False)
    marker = gpx_fields_to_xml(sentinel, "trkpt", "1.1", prettyprint=False)
    head, tail = envelope.split(marker, 1)
    yield head.encode("utf-8")
    batch: list[str] = []
    for fix_time, latitude, longitude, altitude in rows:
        point = gpxpy.gpx.GPXTrackPoint(
            latitude=round(latitude, COORDINATE_DIGITS),
            longitude=round(longitude, COORDINATE_DIGITS),
            elevation=None if altitude is None else round(altitude, 1),
            time=fix_time.astimezone(dt.UTC),
        )
        batch.append(gpx_fields_to_xml(point, "trkpt", "1.1", prettyprint=False))
        if len(batch) >= 500:
            yield "".join(batch).encode("utf-8")
            batch = []
    if batch:
        yield "".join(batch).encode("utf-8")
    yield tail.encode("utf-8")
