"""Attacks on the P6 RFID and camera intake: odd input at the edges of what the code reads."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from logitrack.core.testing import HttpsClient
from logitrack.tenancy.roles import Permission, Role
from logitrack.tenancy.tests.factories import bearer, make_api_key, make_member, make_tenant
from logitrack.tracking.ingest.accept import get_gate
from logitrack.tracking.ingest.directory import directory
from logitrack.tracking.models import TagObservation
from logitrack.tracking.protocols.zebra import parse_events
from logitrack.tracking.rfid import observations
from logitrack.tracking.rfid.ingest import accept_zebra
from logitrack.tracking.services.devices import CreatedDevice
from logitrack.tracking.tests.factories import make_device, make_manager

pytestmark = pytest.mark.django_db

SGTIN_HEX = "3074257BF7194E4000001A85"
NOW = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def fresh_gate() -> Iterator[None]:
    get_gate.cache_clear()
    directory.forget()
    observations._seen.clear()
    yield
    get_gate.cache_clear()
    directory.forget()


@pytest.fixture
def reader() -> CreatedDevice:
    return make_device(make_manager(), kind="rfid_reader")


def _event(timestamp: object = "2026-11-30T07:59:00.000+0000", **data: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"format": "epc", "idHex": SGTIN_HEX, "antenna": 1, "reads": 1}
    body.update(data)
    return {"type": "SIMPLE", "timestamp": timestamp, "data": body}


def _parse(body: bytes) -> Any:
    return parse_events(body, now=NOW, max_future=dt.timedelta(minutes=5), max_events=1000)


@pytest.mark.parametrize(
    "stamp",
    [
        "0001-01-01T00:00:00+05:00",  # before year 1 in UTC: astimezone overflows
        "0001-01-01T00:30:00+01:00",
        "9999-12-31T23:59:59-05:00",  # after year 9999 in UTC
        "0001-01-01T00:00:00Z",
    ],
)
def test_a_timestamp_at_the_ends_of_the_calendar_is_refused_alone(stamp: str) -> None:
    body = json.dumps([_event(stamp), _event()]).encode()

    events = _parse(body)

    assert [e.code for e in events.errors] == ["timestamp_invalid"]
    assert [r.index for r in events.reads] == [1]


def test_a_reader_sending_year_one_gets_its_other_reads_stored(reader: CreatedDevice) -> None:
    body = json.dumps([_event("0001-01-01T00:00:00+07:00"), _event()]).encode()

    status, payload = accept_zebra(reader.token, body, "127.0.0.1")

    assert status == 200, payload
    assert payload["accepted"] == 1
    assert payload["errors"][0]["code"] == "timestamp_invalid"
    assert TagObservation.dangerously_unscoped.count() == 1


@pytest.mark.parametrize(
    "stamp",
    [
        "\u0662\u0660\u0662\u0666-11-30T07:59:00+0000",  # Arabic-Indic digits
        "\uff12\uff10\uff12\uff16-11-30T07:59:00+0000",  # full-width digits
        "2026-11-30T07:59:00.\u0663\u0663\u0663+0000",
    ],
)
def test_a_timestamp_with_unicode_digits_is_refused(stamp: str) -> None:
    events = _parse(json.dumps([_event(stamp)]).encode())

    assert [e.code for e in events.errors] == ["timestamp_invalid"]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"idHex": "\u0663\u0660\u0667\u0664" + SGTIN_HEX[4:]}, "epc_invalid"),
        ({"idHex": "\uff13\uff10" + SGTIN_HEX[2:]}, "epc_invalid"),
        ({"idHex": SGTIN_HEX + "\x00"}, "epc_invalid"),
        ({"idHex": SGTIN_HEX + "\n"}, "epc_invalid"),
        ({"antenna": 2**40}, "antenna_invalid"),
        ({"antenna": 0}, "antenna_invalid"),
        ({"antenna": "1"}, "antenna_invalid"),
        ({"antenna": True}, "antenna_invalid"),
        ({"reads": -1}, "reads_invalid"),
        ({"reads": 10**30}, "reads_invalid"),
        ({"peakRssi": 1e308}, "rssi_invalid"),
        ({"peakRssi": -32769}, "rssi_invalid"),
        ({"antenna": [1]}, "antenna_invalid"),
    ],
)
def test_odd_members_are_refused_with_their_code(data: dict[str, Any], code: str) -> None:
    events = _parse(json.dumps([_event(**data)]).encode())

    assert [e.code for e in events.errors] == [code]
    assert events.reads == []


@pytest.mark.parametrize(
    "body",
    [
        b'[{"type":"SIMPLE","data":{"peakRssi":1e309}}]',  # json reads inf: refused as constant?
        b'{"data": {"peakRssi": NaN}}',
        b'{"data": {"peakRssi": Infinity}}',
        b"[" * 100_000 + b"]" * 100_000,
        b"\xff\xfe{}",
        b'{"a": "\xed\xa0\x80"}',  # a UTF-8 encoded surrogate
        b"\x00",
        b"",
    ],
)
def test_bodies_that_are_not_json_are_malformed_or_refused_never_a_crash(
    reader: CreatedDevice, body: bytes
) -> None:
    status, payload = accept_zebra(reader.token, body, "127.0.0.1")

    assert status in (200, 400), payload
    assert TagObservation.dangerously_unscoped.count() == 0


def test_a_byte_order_mark_is_malformed(reader: CreatedDevice) -> None:
    body = b"\xef\xbb\xbf" + json.dumps([_event()]).encode()

    status, payload = accept_zebra(reader.token, body, "127.0.0.1")

    assert status in (200, 400), payload


def test_ten_thousand_tiny_objects_are_refused_whole(reader: CreatedDevice) -> None:
    status, payload = accept_zebra(reader.token, b"{}" * 10_000, "127.0.0.1")

    assert status == 413
    assert payload["error"]["code"] == "too_many_reads"


def test_an_id_of_a_thousand_hex_digits_is_refused(reader: CreatedDevice) -> None:
    status, payload = accept_zebra(
        reader.token, json.dumps([_event(idHex="ab" * 500)]).encode(), "127.0.0.1"
    )

    assert status == 200
    assert payload["errors"][0]["code"] == "epc_invalid"
    assert TagObservation.dangerously_unscoped.count() == 0


def test_lower_case_hex_is_one_observation_with_upper_case(reader: CreatedDevice) -> None:
    body = json.dumps([_event(idHex=SGTIN_HEX.lower()), _event(idHex=SGTIN_HEX)]).encode()

    status, payload = accept_zebra(reader.token, body, "127.0.0.1")

    assert status == 200, payload
    (row,) = TagObservation.dangerously_unscoped.all()
    assert row.epc_hex == SGTIN_HEX
    assert row.read_count == 2


def test_read_count_saturates_instead_of_overflowing(reader: CreatedDevice) -> None:
    for request in range(3):  # 3e9 reads of one observation: past a PostgreSQL integer
        # Three batches, each 1 ms later (the same reads again would be a resend), all within
        # the window of one observation
        stamp = f"2026-11-30T07:59:00.00{request}+0000"
        body = json.dumps([_event(stamp, reads=1_000_000)] * 1000).encode()
        status, payload = accept_zebra(reader.token, body, "127.0.0.1")
        assert (status, payload["duplicate"]) == (200, False), payload
    (row,) = TagObservation.dangerously_unscoped.all()
    assert row.read_count == 2**31 - 1


# --- EPCIS query parameters ------------------------------------------------------------------


def _client() -> HttpsClient:
    owner = make_member(make_tenant(), Role.OWNER)
    created = make_api_key(owner, {Permission.OPERATIONS_VIEW})
    return HttpsClient(headers=bearer(created.token))


@pytest.mark.parametrize(
    "params",
    [
        {"from": "0001-01-01T00:00:00+14:00"},
        {"to": "0001-01-01T00:00:00+14:00"},
        {"from": "9999-12-31T23:59:59-14:00"},
        {"from": "0001-01-01T00:00:00Z"},
        {"epc": "urn:epc:id:sgtin:0614141.812345.\x00"},
        {"device": "reader\x00"},
        {"epc": "urn:epc:raw:96.x\u0663\u0660"},
        {"limit": "ten"},
        {"limit": "1e2"},
        {"cursor": "ZXBjaXN8MDAwMS0wMS0wMVQwMDowMDowMCsxNDowMHwx"},
        {"cursor": "\x00"},
    ],
)
def test_odd_epcis_parameters_never_crash(params: dict[str, str]) -> None:
    response = _client().get("/api/v1/epcis/events", params)

    assert response.status_code in (200, 400, 422), response.content[:300]


@pytest.mark.parametrize("stamp", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"])
def test_an_osmand_time_outside_the_calendar_in_utc_is_refused(stamp: str) -> None:
    from logitrack.tracking.protocols.osmand import parse_time
    from logitrack.tracking.protocols.report import ReportRefused

    with pytest.raises(ReportRefused) as refused:
        parse_time(stamp)

    assert refused.value.code == "timestamp_invalid"


def test_an_api_date_time_outside_the_calendar_in_utc_is_a_validation_error() -> None:
    from pydantic import TypeAdapter, ValidationError

    from logitrack.core.schemas import IsoDateTime

    adapter: TypeAdapter[dt.datetime] = TypeAdapter(IsoDateTime)
    with pytest.raises(ValidationError) as refused:
        adapter.validate_python("0001-01-01T00:00:00+14:00")

    assert refused.value.errors()[0]["type"] == "datetime_range"
    assert adapter.validate_python("0001-01-01T00:00:00-14:00").year == 1


def test_another_tenants_doors_waybills_epcs_and_cursors_answer_404_or_nothing() -> None:
    import base64

    from logitrack.logistics.tests.factories import (
        make_order_row,
        make_shipment_row,
        make_shipper,
    )
    from logitrack.tracking.tests.factories import make_dock_door, make_observation, make_reader

    mine, theirs = make_tenant(), make_tenant()
    owner = make_member(mine, Role.OWNER)
    key = make_api_key(
        owner,
        {Permission.OPERATIONS_VIEW, Permission.WAREHOUSE_MANAGE},
    )
    client = HttpsClient(headers=bearer(key.token))
    their_reader = make_reader(theirs)
    their_door = make_dock_door(their_reader)
    sgtin = "urn:epc:id:sgtin:0614141.812345.6789"
    their_row = make_observation(their_reader, sgtin, door=their_door)
    their_shipment = make_shipment_row(make_order_row(make_shipper(theirs)))
    door_url = f"/api/v1/dock-doors/{their_door.pk}"

    assert client.get(door_url).status_code == 404
    patched = client.patch(door_url, {"active": False}, content_type="application/json")
    assert patched.status_code == 404
    tags = client.post(
        f"/api/v1/shipments/{their_shipment.waybill}/tags",
        {"epcs": [sgtin]},
        content_type="application/json",
    )
    assert tags.status_code == 404
    assert tags.json()["error"]["code"] == "waybill_not_found"
    created = client.post(
        "/api/v1/dock-doors",
        {"device_id": their_reader.pk, "name": "Mượn", "place": "Kho", "direction": "in"},
        content_type="application/json",
    )
    assert created.status_code in (404, 422)
    before = their_row.first_seen - dt.timedelta(seconds=1)  # a cursor just before their row
    raw = f"epcis|{before.isoformat()}|1".encode()
    cursor = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    for params in ({"epc": sgtin}, {"device": their_reader.identifier}, {"cursor": cursor}):
        page = client.get("/api/v1/epcis/events", params)
        assert page.status_code == 200
        assert page.json()["epcisBody"]["eventList"] == []
    their_door.refresh_from_db()
    assert their_door.active is True


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="parallel writers need PostgreSQL's row locks; SQLite takes one writer at a time, "
    "and the same reads one after the other are covered on both databases in test_rfid_docks",
)
@pytest.mark.django_db(transaction=True)
def test_two_readers_reading_one_pallet_at_once_move_it_once() -> None:
    import threading

    from django.db import connection

    from logitrack.logistics.models import Shipment, ShipmentEvent
    from logitrack.logistics.tests.factories import (
        make_order_row,
        make_shipment_row,
        make_shipper,
    )
    from logitrack.tracking.tests.factories import make_dock_door

    manager = make_manager()
    readers = [make_device(manager, kind="rfid_reader") for _ in range(2)]
    for number, created in enumerate(readers):
        make_dock_door(created.device, direction="in", place=f"Hub {number}")
    at = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    shipment = make_shipment_row(
        make_order_row(make_shipper(manager.tenant)),
        status="in_transit",
        sscc="106141412345678908",
        at=at,
    )
    stamp = (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)).strftime("%Y-%m-%dT%H:%M:%S+0000")
    body = json.dumps([_event(stamp, idHex="3174257BF4499602D2000000")]).encode()
    barrier = threading.Barrier(4)
    answers: list[int] = []

    def send(created: CreatedDevice) -> None:
        try:
            barrier.wait()
            answers.append(accept_zebra(created.token, body, "127.0.0.1")[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(readers[k % 2],)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert answers == [200] * 4
    assert Shipment.dangerously_unscoped.get(pk=shipment.pk).status == "at_hub"
    events = ShipmentEvent.dangerously_unscoped.filter(shipment=shipment, source="rfid")
    assert sorted(e.kind for e in events) == ["scan", "status"]
    assert TagObservation.dangerously_unscoped.count() == 2


def test_refused_device_tokens_never_reach_the_logs(
    reader: CreatedDevice, caplog: pytest.LogCaptureFixture
) -> None:
    client = HttpsClient()
    client.raise_request_exception = False
    wrong = reader.token[:-4] + "AAAA"
    caplog.set_level("DEBUG")

    rfid = client.post(
        "/ingest/rfid/zebra",
        b"[]",
        content_type="application/json",
        headers={"Authorization": f"Bearer {wrong}"},
    )
    camera = client.post(
        "/ingest/camera", {"image": b"x"}, headers={"Authorization": f"Bearer {reader.token}"}
    )
    broken = client.post(
        "/ingest/rfid/zebra",
        b"[" * 50 + b"\x00",
        content_type="application/json",
        headers={"Authorization": f"Bearer {reader.token}"},
    )

    assert (rfid.status_code, camera.status_code, broken.status_code) == (401, 401, 400)
    logged = caplog.text + str([record.__dict__ for record in caplog.records])
    for secret in (wrong[-12:], reader.token[-12:]):
        assert secret not in logged


@pytest.mark.parametrize("field", ["name", "place", "location_id"])
def test_a_nul_byte_in_a_dock_doors_text_is_refused_on_every_database(field: str) -> None:
    from logitrack.tracking.tests.factories import make_reader

    tenant = make_tenant()
    owner = make_member(tenant, Role.OWNER)
    key = make_api_key(owner, {Permission.OPERATIONS_VIEW, Permission.WAREHOUSE_MANAGE})
    client = HttpsClient(headers=bearer(key.token))
    body = {"device_id": make_reader(tenant).pk, "name": "Cửa 1", "place": "Kho", "direction": "in"}
    body[field] = "Cửa\x001" if field != "location_id" else "urn:epc:id:sgln:0614141.12345.\x00"

    response = client.post("/api/v1/dock-doors", body, content_type="application/json")

    assert response.status_code == 422, response.content[:300]
