"""The Zebra IoT Connector tag-data parser: single objects, arrays, objects back to back, and
refusals per event or for the whole body."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from logitrack.tracking.protocols.zebra import (
    TooManyEvents,
    ZebraBodyMalformed,
    parse_events,
)

NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
AHEAD = dt.timedelta(minutes=10)


def _event(id_hex: str = "3074257BF7194E4000001A85", **data: object) -> dict[str, object]:
    fields: dict[str, object] = {"eventNum": 1, "format": "epc", "idHex": id_hex, "antenna": 1}
    fields.update(data)
    timestamp = fields.pop("timestamp", "2026-11-30T11:59:00.597+0000")
    return {"type": "SIMPLE", "timestamp": timestamp, "data": fields}


def _parse(body: bytes | str, max_events: int = 1000):  # type: ignore[no-untyped-def]
    raw = body.encode() if isinstance(body, str) else body
    return parse_events(raw, now=NOW, max_future=AHEAD, max_events=max_events)


def test_a_single_event_is_one_read_with_its_fields() -> None:
    events = _parse(json.dumps(_event("3074257bf7194e4000001a85", peakRssi=-56, reads=3)))

    assert events.errors == []
    [read] = events.reads
    assert read.read_time == dt.datetime(2026, 11, 30, 11, 59, 0, 597000, tzinfo=dt.UTC)
    assert (read.epc_hex, read.antenna, read.peak_rssi, read.reads) == (
        "3074257BF7194E4000001A85",
        1,
        -56,
        3,
    )


def test_an_array_and_objects_back_to_back_are_all_read_in_order() -> None:
    array = json.dumps([_event(antenna=1), _event(antenna=2)])
    body = array + "\n" + json.dumps(_event(antenna=3)) + json.dumps(_event(antenna=4)) + "  \r\n"

    events = _parse(body)

    assert [(r.index, r.antenna) for r in events.reads] == [(0, 1), (1, 2), (2, 3), (3, 4)]


def test_reads_defaults_to_one_and_rssi_may_be_absent() -> None:
    [read] = _parse(json.dumps(_event())).reads

    assert (read.reads, read.peak_rssi) == (1, None)


@pytest.mark.parametrize(
    ("stamp", "expected"),
    [
        (
            "2019-06-07T16:36:17.597+0000",
            dt.datetime(2019, 6, 7, 16, 36, 17, 597000, tzinfo=dt.UTC),
        ),
        (
            "2019-06-07T23:36:17.597+07:00",
            dt.datetime(2019, 6, 7, 16, 36, 17, 597000, tzinfo=dt.UTC),
        ),
        ("2019-06-07T16:36:17Z", dt.datetime(2019, 6, 7, 16, 36, 17, tzinfo=dt.UTC)),
        (
            "2019-06-07T16:36:17.123456789+0000",
            dt.datetime(2019, 6, 7, 16, 36, 17, 123456, tzinfo=dt.UTC),
        ),
    ],
)
def test_iso_8601_variants_are_read_as_utc(stamp: str, expected: dt.datetime) -> None:
    [read] = _parse(json.dumps(_event(timestamp=stamp))).reads

    assert read.read_time == expected


@pytest.mark.parametrize(
    ("event", "code"),
    [
        (_event(timestamp="2019-06-07T16:36:17.597"), "timestamp_invalid"),  # no offset
        (_event(timestamp=1559925377), "timestamp_invalid"),
        (_event(timestamp="2026-11-30T12:20:00+0000"), "timestamp_in_future"),
        (_event(timestamp="1999-12-31T23:59:59Z"), "timestamp_invalid"),
        # Arabic-Indic digits in the year: ASCII digits only, like every code.
        (_event(timestamp="\u0662\u0660\u0661\u0669-06-07T16:36:17Z"), "timestamp_invalid"),
        (_event(""), "epc_missing"),
        (_event("3074257BF7194E4000001A8"), "epc_invalid"),  # odd length
        (_event("3074257BF7194E4000001A8G"), "epc_invalid"),
        (_event(antenna=0), "antenna_invalid"),
        (_event(antenna=None), "antenna_invalid"),
        (_event(antenna=True), "antenna_invalid"),
        (_event(peakRssi="loud"), "rssi_invalid"),
        (_event(reads=0), "reads_invalid"),
        ({"timestamp": "2026-11-30T11:59:00Z", "idHex": "30"}, "event_invalid"),
        ([_event()], "event_invalid"),  # an array inside the array
        (42, "event_invalid"),
    ],
)
def test_an_invalid_event_is_refused_alone(event: object, code: str) -> None:
    events = _parse(json.dumps([_event(antenna=7), event, _event(antenna=8)]))

    assert [r.antenna for r in events.reads] == [7, 8]
    assert [(e.index, e.code) for e in events.errors] == [(1, code)]
    assert str(events.errors[0].message)


@pytest.mark.parametrize(
    "body",
    [
        json.dumps(_event()) + " garbage " + json.dumps(_event()),
        json.dumps(_event()) + ",",
        json.dumps(_event())[:-3],
        "",
        "   ",
        '{"timestamp": NaN}',
        b"\xff\xfe",
    ],
)
def test_a_body_that_is_not_json_is_refused_whole(body: str | bytes) -> None:
    with pytest.raises(ZebraBodyMalformed):
        _parse(body)


def test_more_events_than_allowed_are_refused_whole() -> None:
    body = json.dumps([_event()] * 3)

    with pytest.raises(TooManyEvents):
        _parse(body, max_events=2)
    assert len(_parse(body, max_events=3).reads) == 3


def test_a_report_of_another_memory_bank_is_not_an_epc() -> None:
    [read] = _parse(json.dumps(_event("E2801160600002054CC2096F", format="tid"))).reads

    assert read.is_epc is False
