"""The OsmAnd protocol parser: every parameter Traccar's documentation lists, the Traccar Client
JSON body, and refusals of everything out of bounds."""

from __future__ import annotations

import datetime as dt
import json
import math
from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logitrack.tracking.protocols.osmand import parse_json, parse_parameters, parse_time
from logitrack.tracking.protocols.report import KNOT, PositionReport, ReportRefused

NOW = dt.datetime(2026, 11, 30, 1, 0, 0, tzinfo=dt.UTC)


def _query(query: str) -> PositionReport:
    return parse_parameters(parse_qsl(query, keep_blank_values=True), now=NOW)


def _refused(query: str) -> str:
    with pytest.raises(ReportRefused) as info:
        _query(query)
    return info.value.code


def test_minimal_report_uses_the_arrival_time_when_no_timestamp_is_sent() -> None:
    report = parse_parameters([("id", "123456"), ("lat", "10.77"), ("lon", "106.7")], now=NOW)

    assert (report.identifier, report.latitude, report.longitude) == ("123456", 10.77, 106.7)
    assert report.fix_time == NOW
    assert report.device_time is None
    assert report.valid is True


def test_deviceid_is_an_alias_of_id() -> None:
    assert _query("deviceid=abc&lat=1&lon=2").identifier == "abc"


def test_location_parameter_carries_lat_and_lon() -> None:
    report = _query("id=1&location=10.5,-20.25")

    assert (report.latitude, report.longitude) == (10.5, -20.25)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1796000400", dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)),
        ("1796000400000", dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)),
        ("2147483648", dt.datetime(1970, 1, 25, 20, 31, 23, 648000, tzinfo=dt.UTC)),
        ("2147483647", dt.datetime(2038, 1, 19, 3, 14, 7, tzinfo=dt.UTC)),
        ("2026-11-30T08:00:00+07:00", dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)),
        ("2026-11-30T01:00:00Z", dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)),
        ("2026-11-30T01:00:00.250Z", dt.datetime(2026, 11, 30, 1, 0, 0, 250000, tzinfo=dt.UTC)),
        ("2026-11-30 01:00:00", dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)),
    ],
)
def test_timestamp_formats(value: str, expected: dt.datetime) -> None:
    assert parse_time(value) == expected


@pytest.mark.parametrize(
    "value", ["", "yesterday", "2026-13-01 00:00:00", "1e9", "-5", "2026-11-30 1:00"]
)
def test_malformed_timestamps_are_refused(value: str) -> None:
    with pytest.raises(ReportRefused) as info:
        parse_time(value)
    assert info.value.code == "timestamp_invalid"


def test_a_fix_more_than_ten_minutes_ahead_is_refused_and_ten_minutes_is_accepted() -> None:
    ahead = int((NOW + dt.timedelta(minutes=10)).timestamp())

    assert _query(f"id=1&lat=1&lon=1&timestamp={ahead}").fix_time == NOW + dt.timedelta(minutes=10)
    assert _refused(f"id=1&lat=1&lon=1&timestamp={ahead + 1}") == "timestamp_in_future"


def test_a_fix_before_2000_is_refused() -> None:
    assert _refused("id=1&lat=1&lon=1&timestamp=946684799") == "timestamp_invalid"


def test_speed_is_converted_from_knots_to_metres_per_second() -> None:
    report = _query("id=1&lat=1&lon=1&speed=10")

    assert report.speed == pytest.approx(10 * 1852 / 3600)


def test_all_documented_parameters_are_read() -> None:
    report = _query(
        "id=1&lat=1&lon=1&timestamp=1796000400&speed=0&bearing=359.5&altitude=-30&accuracy=4.5"
        "&hdop=0.9&batt=87&charge=true&valid=false&cell=452,4,1234,5678,-71&cell=452,4,1,2"
        "&wifi=AA-BB-CC-DD-EE-FF,-60&driverUniqueId=42&ignition=true"
    )

    assert (report.speed, report.course, report.altitude, report.accuracy, report.battery) == (
        0.0,
        359.5,
        -30.0,
        4.5,
        87.0,
    )
    assert report.valid is False
    assert report.attributes == {
        "hdop": 0.9,
        "charge": True,
        "cell": [
            {"mcc": 452, "mnc": 4, "lac": 1234, "cid": 5678, "rssi": -71},
            {"mcc": 452, "mnc": 4, "lac": 1, "cid": 2},
        ],
        "wifi": [{"mac": "aa:bb:cc:dd:ee:ff", "rssi": -60}],
        "driverUniqueId": "42",
        "ignition": "true",
    }


def test_heading_is_an_alias_of_bearing() -> None:
    assert _query("id=1&lat=1&lon=1&heading=90").course == 90.0


def test_the_token_is_read_and_not_kept_as_an_attribute() -> None:
    report = _query("id=1&lat=1&lon=1&token=dt_abc")

    assert report.token == "dt_abc"
    assert report.attributes == {}


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("lat=1&lon=1", "device_id_missing"),
        ("id=a b&lat=1&lon=1", "device_id_invalid"),
        ("id=" + "9" * 65 + "&lat=1&lon=1", "device_id_invalid"),
        ("id=1&lat=90.0001&lon=1", "latitude_invalid"),
        ("id=1&lat=-91&lon=1", "latitude_invalid"),
        ("id=1&lat=1&lon=180.5", "longitude_invalid"),
        ("id=1&lat=1&lon=-181", "longitude_invalid"),
        ("id=1&lat=nan&lon=1", "latitude_invalid"),
        ("id=1&lat=1&lon=inf", "longitude_invalid"),
        ("id=1&lat=1", "position_missing"),
        ("id=1&location=1", "latitude_invalid"),
        # Python's float() also reads "1_0" as 10, fullwidth and Arabic-Indic digits, and
        # "infinity": none is what a receiver sends, so each is malformed, not a number.
        ("id=1&lat=1_0&lon=1", "latitude_invalid"),
        ("id=1&lat=%EF%BC%91%EF%BC%90&lon=1", "latitude_invalid"),
        ("id=1&lat=1&lon=%D9%A1%D9%A0%D9%A6", "longitude_invalid"),
        ("id=1&lat=1&lon=1&speed=1_000", "value_invalid"),
        ("id=1&lat=1&lon=1&batt=%EF%BC%95%EF%BC%90", "value_invalid"),
        ("id=1&lat=1&lon=1&cell=452,0_4,1,2", "value_invalid"),
        ("id=1&lat=1&lon=1&speed=-1", "value_out_of_range"),
        ("id=1&lat=1&lon=1&speed=1e300", "value_out_of_range"),
        ("id=1&lat=1&lon=1&bearing=361", "value_out_of_range"),
        ("id=1&lat=1&lon=1&batt=101", "value_out_of_range"),
        ("id=1&lat=1&lon=1&altitude=1e6", "value_out_of_range"),
        ("id=1&lat=1&lon=1&charge=maybe", "value_invalid"),
        ("id=1&lat=1&lon=1&cell=1,2,3", "value_invalid"),
        ("id=1&lat=1&lon=1&wifi=nomac,-50", "value_invalid"),
        ("id=1&lat=1&lon=1&extra=" + "x" * 257, "attribute_invalid"),
        ("id=1&lat=1&lon=1&" + "&".join(f"k{i}=1" for i in range(65)), "too_many_attributes"),
        ("id=1&lat=1&lon=1&" + "&".join("cell=1,2,3,4" for _ in range(17)), "too_many_attributes"),
    ],
)
def test_bad_reports_are_refused_with_their_code(query: str, code: str) -> None:
    assert _refused(query) == code


def _client_body(**changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "device_id": "987654",
        "location": {
            "timestamp": "2026-11-30T00:59:00.000Z",
            "coords": {
                "latitude": 10.762622,
                "longitude": 106.660172,
                "accuracy": 5,
                "speed": 3.5,
                "heading": 180,
                "altitude": 12,
            },
            "is_moving": True,
            "odometer": 1234.5,
            "event": "motionchange",
            "battery": {"level": 0.85, "is_charging": False},
            "activity": {"type": "in_vehicle"},
            "extras": {"trip": "T-1"},
        },
    }
    body.update(changes)
    return body


def test_traccar_client_json_body() -> None:
    report = parse_json(json.dumps(_client_body()).encode(), now=NOW)

    assert report.identifier == "987654"
    assert report.fix_time == dt.datetime(2026, 11, 30, 0, 59, tzinfo=dt.UTC)
    assert (report.latitude, report.longitude, report.speed, report.course) == (
        10.762622,
        106.660172,
        3.5,
        180.0,
    )
    assert (report.altitude, report.accuracy, report.battery) == (12.0, 5.0, 85.0)
    assert report.attributes == {
        "charge": False,
        "is_moving": True,
        "odometer": 1234.5,
        "event": "motionchange",
        "activity": {"type": "in_vehicle"},
        "extras": {"trip": "T-1"},
    }


def test_traccar_client_minus_one_means_unknown() -> None:
    body = _client_body()
    location = body["location"]
    assert isinstance(location, dict)
    location["coords"].update(speed=-1, heading=-1)
    location["battery"] = {"level": -1, "is_charging": True}

    report = parse_json(json.dumps(body).encode(), now=NOW)

    assert (report.speed, report.course, report.battery) == (None, None, None)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"{", "body_malformed"),
        (b"[]", "body_malformed"),
        (
            b'{"device_id": "1", "location": {"coords": {"latitude": NaN, "longitude": 1}}}',
            "body_malformed",
        ),
        (b"\xff\xfe", "body_malformed"),
        (b'{"location": {"coords": {"latitude": 1, "longitude": 1}}}', "device_id_missing"),
        (b'{"device_id": "1", "location": {}}', "position_missing"),
        (
            b'{"device_id": "1", "location": {"coords": {"latitude": 91, "longitude": 1}}}',
            "latitude_invalid",
        ),
        (
            b'{"device_id": "1", "location": {"coords": {"latitude": 1, "longitude": 1e400}}}',
            "longitude_invalid",
        ),
        (
            b'{"device_id": true, "location": {"coords": {"latitude": 1, "longitude": 1}}}',
            "device_id_missing",
        ),
        (
            b'{"device_id": "1", "location": {"timestamp": "2099-01-01T00:00:00Z", '
            b'"coords": {"latitude": 1, "longitude": 1}}}',
            "timestamp_in_future",
        ),
        (
            b'{"device_id": "1", "location": {'
            b'"coords": {"latitude": 1, "longitude": 1}, "battery": {"level": 2}}}',
            "value_out_of_range",
        ),
    ],
)
def test_bad_json_bodies_are_refused_with_their_code(body: bytes, code: str) -> None:
    with pytest.raises(ReportRefused) as info:
        parse_json(body, now=NOW)
    assert info.value.code == code


@settings(max_examples=300, deadline=None)
@given(
    lat=st.floats(min_value=-90, max_value=90),
    lon=st.floats(min_value=-180, max_value=180),
    knots=st.floats(min_value=0, max_value=1900),
    seconds=st.integers(min_value=946684800, max_value=int(NOW.timestamp())),
    milliseconds=st.booleans(),
)
def test_any_valid_report_round_trips(
    lat: float, lon: float, knots: float, seconds: int, milliseconds: bool
) -> None:
    stamp = seconds * 1000 if milliseconds else seconds
    query = urlencode(
        {
            "id": "dev-1",
            "lat": repr(lat),
            "lon": repr(lon),
            "speed": repr(knots),
            "timestamp": stamp,
        }
    )

    report = _query(query)

    assert (report.latitude, report.longitude) == (lat, lon)
    assert report.speed == pytest.approx(knots * KNOT)
    assert report.fix_time == dt.datetime.fromtimestamp(seconds, tz=dt.UTC)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=12), st.text(max_size=40)), max_size=12))
def test_arbitrary_parameters_parse_or_are_refused_never_crash(
    pairs: list[tuple[str, str]],
) -> None:
    try:
        report = parse_parameters(pairs, now=NOW)
    except ReportRefused:
        return
    assert -90 <= report.latitude <= 90
    assert -180 <= report.longitude <= 180
    assert math.isfinite(report.latitude)
    assert math.isfinite(report.longitude)
    json.dumps(report.attributes, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=20),
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
        ),
        max_leaves=20,
    )
)
def test_arbitrary_json_parses_or_is_refused_never_crashes(value: object) -> None:
    body = json.dumps({"device_id": "x", "location": value}).encode()
    try:
        report = parse_json(body, now=NOW)
    except ReportRefused:
        return
    json.dumps(report.attributes, allow_nan=False)
