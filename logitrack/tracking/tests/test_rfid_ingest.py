"""RFID reads through ``accept_zebra``: de-duplication per EPC and read point, the tenant's
window, dock doors and drivers on new observations, authentication, and all-or-nothing
storage."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from django.db import connection
from django.db.utils import OperationalError
from django.utils import timezone

from logitrack.core.tenant import tenant_context
from logitrack.tenancy.tests.factories import principal_for
from logitrack.tracking.ingest.accept import get_gate
from logitrack.tracking.ingest.directory import directory
from logitrack.tracking.models import (
    Device,
    DockDoor,
    Driver,
    ReadBatch,
    TagObservation,
    TenantDeviceSettings,
)
from logitrack.tracking.rfid import docks, observations
from logitrack.tracking.rfid.ingest import accept_zebra
from logitrack.tracking.services.devices import CreatedDevice, device_assign
from logitrack.tracking.tests.factories import make_device, make_manager

pytestmark = pytest.mark.django_db(transaction=True)
SGTIN = "3074257BF7194E4000001A85"
SSCC = "3174257BF4499602D2000000"
BASE = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)


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


def event(
    ms: int, epc: str = SGTIN, antenna: int = 1, rssi: int | None = -60, reads: int = 1
) -> dict[str, Any]:
    """A Zebra SIMPLE event ``ms`` milliseconds after BASE."""
    stamp = (BASE + dt.timedelta(milliseconds=ms)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
    data: dict[str, Any] = {"eventNum": ms, "format": "epc", "idHex": epc.lower()}
    data.update(antenna=antenna, reads=reads)
    if rssi is not None:
        data["peakRssi"] = rssi
    return {"type": "SIMPLE", "timestamp": stamp + "+0000", "data": data}


def post(created: CreatedDevice, events: Sequence[object]) -> tuple[int, dict[str, Any]]:
    return accept_zebra(created.token, json.dumps(list(events)).encode(), "127.0.0.1")


def _ms(moment: dt.datetime) -> int:
    return round((moment - BASE).total_seconds() * 1000)


def spans() -> list[tuple[int, str, int, int, int, int | None]]:
    rows = TagObservation.dangerously_unscoped.order_by("first_seen", "antenna").values_list(
        "antenna", "epc_hex", "first_seen", "last_seen", "read_count", "peak_rssi"
    )
    return [(a, e, _ms(f), _ms(last), c, r) for a, e, f, last, c, r in rows]


def test_reads_of_one_tag_within_the_window_are_one_observation(reader: CreatedDevice) -> None:
    status, answer = post(
        reader, [event(0, rssi=-70), event(500, rssi=-52, reads=4), event(1900, rssi=-61)]
    )

    assert status == 200
    assert answer == {
        "accepted": 3,
        "refused": 0,
        "observations_new": 1,
        "duplicate": False,
        "errors": [],
    }
    assert spans() == [(1, SGTIN, 0, 1900, 6, -52)]
    row = TagObservation.dangerously_unscoped.get()
    assert (row.epc_uri, row.scheme) == ("urn:epc:id:sgtin:0614141.812345.6789", "sgtin")
    assert row.tenant_id == reader.device.tenant_id


def test_a_read_exactly_one_window_after_starts_a_new_observation(reader: CreatedDevice) -> None:
    post(reader, [event(0), event(2000)])
    post(reader, [event(10_000), event(11_999)])

    assert [(first, last) for _a, _e, first, last, _c, _r in spans()] == [
        (0, 0),
        (2000, 2000),
        (10_000, 11_999),
    ]


def test_reads_out_of_order_are_deduplicated_as_if_in_order(reader: CreatedDevice) -> None:
    status, answer = post(reader, [event(3000), event(0), event(1500), event(9000)])

    assert (status, answer["observations_new"]) == (200, 2)
    assert [(f, last, c) for _a, _e, f, last, c, _r in spans()] == [(0, 3000, 3), (9000, 9000, 1)]


def test_a_later_request_extends_the_open_observation(reader: CreatedDevice) -> None:
    post(reader, [event(0, rssi=-70)])

    status, answer = post(reader, [event(1000, rssi=-50, reads=2), event(2500)])

    assert (status, answer["observations_new"]) == (200, 0)
    assert spans() == [(1, SGTIN, 0, 2500, 4, -50)]


def test_a_late_read_inside_an_observation_is_merged_not_duplicated(
    reader: CreatedDevice,
) -> None:
    post(reader, [event(5000), event(6000)])

    post(reader, [event(3500)])  # before first_seen, within the window of it
    post(reader, [event(1000)])  # older than first_seen - window: its own observation

    assert [(f, last, c) for _a, _e, f, last, c, _r in spans()] == [
        (1000, 1000, 1),
        (3500, 6000, 3),
    ]


def test_each_read_point_and_epc_is_its_own_observation(reader: CreatedDevice) -> None:
    post(reader, [event(0, antenna=1), event(10, antenna=2), event(20, epc=SSCC), event(30)])

    assert [(a, e, c) for a, e, _f, _l, c, _r in spans()] == [
        (1, SGTIN, 2),
        (2, SGTIN, 1),
        (1, SSCC, 1),
    ]
    assert TagObservation.dangerously_unscoped.get(epc_hex=SSCC).scheme == "sscc"


def test_a_flood_of_one_tag_is_one_observation(reader: CreatedDevice) -> None:
    for start in range(0, 10_000, 1000):
        post(reader, [event(start + k * 10) for k in range(100)])

    assert [(f, last, c) for _a, _e, f, last, c, _r in spans()] == [(0, 9990, 1000)]


def test_the_tenants_window_applies(reader: CreatedDevice) -> None:
    with tenant_context(reader.device.tenant_id):
        TenantDeviceSettings.objects.create(rfid_dedup_window_ms=500)

    post(reader, [event(0), event(499), event(1000)])

    assert [(f, last) for _a, _e, f, last, _c, _r in spans()] == [(0, 499), (1000, 1000)]


def test_tags_that_are_not_gs1_are_stored_raw_and_bad_ids_refused_alone(
    reader: CreatedDevice,
) -> None:
    tid_like = "E2801160600002054CC2096F"

    status, answer = post(
        reader,
        [event(0, epc=tid_like), event(1, epc="3674257BF6B7A659B2C2BF10"), {"data": {}}],
    )

    assert (status, answer["accepted"], answer["refused"]) == (200, 1, 2)
    assert [(e["index"], e["code"]) for e in answer["errors"]] == [
        (1, "epc_truncated"),
        (2, "timestamp_invalid"),
    ]
    row = TagObservation.dangerously_unscoped.get()
    assert (row.epc_hex, row.epc_uri, row.scheme) == (tid_like, "", "raw")


def test_new_observations_get_the_dock_door_and_the_driver(reader: CreatedDevice) -> None:
    manager_tenant = reader.device.tenant_id
    with tenant_context(manager_tenant):
        door_2 = DockDoor.objects.create(
            name="Cửa 2", place="Kho Tân Bình", device=reader.device, antenna=2, direction="in"
        )
        whole = DockDoor.objects.create(
            name="Cửa chung", place="Kho Tân Bình", device=reader.device, direction="out"
        )
        driver = Driver.objects.create(full_name="Trần Văn Bình")
        from logitrack.tenancy.models import Membership

        owner = Membership.objects.first()
        assert owner is not None
        device_assign(
            principal=principal_for(owner), device=reader.device, target="driver", driver=driver
        )
    directory.forget()

    post(reader, [event(0, antenna=1), event(0, antenna=2)])

    rows = dict(TagObservation.dangerously_unscoped.values_list("antenna", "dock_door_id"))
    assert rows == {1: whole.pk, 2: door_2.pk}
    assert set(TagObservation.dangerously_unscoped.values_list("driver_id", flat=True)) == {
        driver.pk
    }


def test_apply_observations_sees_the_new_observations_at_a_door_with_their_ids(
    reader: CreatedDevice, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only new observations at a door whose EPC has a GS1 URN can match a shipment: those,
    saved (their ids as stored) are handed over; antenna 2 has no door, a raw tag no URN."""
    seen: list[tuple[int, list[tuple[int | None, str, int | None]]]] = []

    def record(*, tenant_id: int, observations: Sequence[TagObservation]) -> int:
        seen.append(
            (tenant_id, [(o.pk, o.epc_hex, o.dock_door_id) for o in observations if o._state.db])
        )
        return 0

    with tenant_context(reader.device.tenant_id):
        door = DockDoor.objects.create(
            name="Cửa 1", place="Kho Tân Bình", device=reader.device, antenna=1, direction="in"
        )
    monkeypatch.setattr(docks, "apply_observations", record)
    post(reader, [event(0), event(0, antenna=2)])
    post(reader, [event(100), event(200, epc=SSCC), event(300, epc="E2801160600002054CC0C6E1")])

    stored = dict(
        TagObservation.dangerously_unscoped.filter(antenna=1).values_list("epc_hex", "pk")
    )
    assert len(stored) == 3  # the raw tag is stored, not handed over
    tenant = reader.device.tenant_id
    assert seen == [
        (tenant, [(stored[SGTIN], SGTIN, door.pk)]),
        (tenant, [(stored[SSCC], SSCC, door.pk)]),
    ]


def test_a_failure_after_the_writes_stores_nothing_of_the_request(
    reader: CreatedDevice, monkeypatch: pytest.MonkeyPatch
) -> None:
    post(reader, [event(0)])

    def fail(*, tenant_id: int, observations: Sequence[TagObservation]) -> int:
        raise RuntimeError("dock-door update failed")

    monkeypatch.setattr(docks, "apply_observations", fail)
    with pytest.raises(RuntimeError):
        post(reader, [event(500, reads=5), event(600, epc=SSCC)])

    assert spans() == [(1, SGTIN, 0, 0, 1, -60)]


def test_a_malformed_body_is_400_and_stores_nothing(reader: CreatedDevice) -> None:
    body = json.dumps(event(0)) + "}{" + json.dumps(event(1))

    status, answer = accept_zebra(reader.token, body.encode(), None)

    assert (status, answer["error"]["code"]) == (400, "body_malformed")
    assert TagObservation.dangerously_unscoped.count() == 0


def test_too_many_reads_are_refused_whole(reader: CreatedDevice) -> None:
    status, answer = post(reader, [event(k) for k in range(1001)])

    assert (status, answer["error"]["code"]) == (413, "too_many_reads")
    assert TagObservation.dangerously_unscoped.count() == 0


def _disable(created: CreatedDevice) -> None:
    Device.dangerously_unscoped.filter(pk=created.device.pk).update(enabled=False)


@pytest.mark.parametrize("case", ["missing", "unknown", "wrong", "disabled", "gps", "camera"])
def test_a_token_that_is_not_an_enabled_readers_is_refused_and_nothing_stored(
    reader: CreatedDevice, case: str
) -> None:
    token: str | None = reader.token
    if case == "missing":
        token = None
    elif case == "unknown":
        token = "dt_zzzzzzzz_" + "A" * 43
    elif case == "wrong":
        token = reader.token[:-2] + ("xx" if not reader.token.endswith("xx") else "yy")
    elif case == "disabled":
        _disable(reader)
    else:
        kind = "gps_tracker" if case == "gps" else "camera"
        token = make_device(make_manager(), kind=kind).token

    status, answer = accept_zebra(token, json.dumps(event(0)).encode(), None)

    assert (status, answer["error"]["code"]) == (401, "device_token_invalid")
    assert TagObservation.dangerously_unscoped.count() == 0


def test_a_reader_disabled_after_the_directory_read_it_is_refused_at_the_lock(
    reader: CreatedDevice,
) -> None:
    post(reader, [event(0)])  # the directory now holds the reader as enabled
    _disable(reader)

    status, answer = post(reader, [event(100, epc=SSCC)])

    assert (status, answer["error"]["code"]) == (401, "device_token_invalid")
    assert TagObservation.dangerously_unscoped.count() == 1


def test_reads_go_to_the_readers_own_tenant_only(reader: CreatedDevice) -> None:
    other = make_device(make_manager(), kind="rfid_reader")

    post(reader, [event(0)])
    post(other, [event(100)])

    assert sorted(TagObservation.dangerously_unscoped.values_list("tenant_id", "device_id")) == (
        sorted([
            (reader.device.tenant_id, reader.device.pk),
            (other.device.tenant_id, other.device.pk),
        ])
    )  # fmt: skip
    with tenant_context(reader.device.tenant_id):
        assert list(TagObservation.objects.values_list("device_id", flat=True)) == [
            reader.device.pk
        ]


def test_every_refusal_is_in_vietnamese_and_english(reader: CreatedDevice) -> None:
    from django.utils.translation import override

    with override("vi"):
        vietnamese = accept_zebra(None, b"[]", None)[1]["error"]["message"]
    with override("en"):
        english = accept_zebra(None, b"[]", None)[1]["error"]["message"]

    assert english == "Send a valid device token."
    assert vietnamese == "Hãy gửi một mã bí mật thiết bị hợp lệ."


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks across connections need PostgreSQL; SQLite's single writer lock "
    "serialises the same requests (covered by the tests above on SQLite)",
)
def test_two_requests_of_one_reader_at_once_make_one_observation(reader: CreatedDevice) -> None:
    barrier = threading.Barrier(4)
    answers: list[tuple[int, dict[str, Any]]] = []

    def send(ms: int) -> None:
        try:
            barrier.wait()
            answers.append(post(reader, [event(ms + k) for k in range(50)]))
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(k * 100,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [status for status, _answer in answers] == [200] * 4
    assert sum(answer["observations_new"] for _s, answer in answers) == 1
    assert [(f, last, c) for _a, _e, f, last, c, _r in spans()] == [(0, 349, 200)]


def test_received_at_and_last_seen_at_are_the_servers_time(reader: CreatedDevice) -> None:
    before = timezone.now()

    post(reader, [event(0)])

    assert TagObservation.dangerously_unscoped.get().received_at >= before
    device = Device.dangerously_unscoped.get(pk=reader.device.pk)
    assert device.last_seen_at is not None
    assert device.last_seen_at >= before


def _full_batch(start_ms: int) -> list[dict[str, Any]]:
    """A batch at the limit (1,000 events) of 1,000 different SGTIN-96 tags, 1 ms apart."""
    return [event(start_ms + k, epc=f"{int(SGTIN, 16) + k:024X}") for k in range(1000)]


def _full_batch_twice(reader: CreatedDevice) -> None:
    first = post(reader, _full_batch(0))
    second = post(reader, _full_batch(1000))  # every tag again within the window: extended

    assert (first[0], first[1]["accepted"], first[1]["observations_new"]) == (200, 1000, 1000)
    assert (second[0], second[1]["accepted"], second[1]["observations_new"]) == (200, 1000, 0)
    rows = TagObservation.dangerously_unscoped.values_list("epc_uri", "read_count")
    assert len(rows) == 1000
    assert {count for _uri, count in rows} == {2}
    assert {uri for uri, _count in rows} == {
        f"urn:epc:id:sgtin:0614141.812345.{6789 + k}" for k in range(1000)
    }


def test_a_full_batch_of_new_tags_is_stored_and_then_extended(reader: CreatedDevice) -> None:
    _full_batch_twice(reader)


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLITE_LIMIT_VARIABLE_NUMBER is SQLite's limit"
)
def test_a_full_batch_fits_an_sqlite_built_with_999_parameters(reader: CreatedDevice) -> None:
    """SQLite before 3.32 allowed 999 parameters per statement: the lookup of open observations
    and the insert split themselves to fit (a full batch needs 14,000 for its insert)."""
    connection.ensure_connection()
    raw = connection.connection
    limit = sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER
    before = raw.getlimit(limit)
    raw.setlimit(limit, 999)
    try:
        _full_batch_twice(reader)
    finally:
        raw.setlimit(limit, before)


def _send(created: CreatedDevice, body: bytes) -> tuple[int, dict[str, Any]]:
    return accept_zebra(created.token, body, "127.0.0.1")


def test_a_resent_body_is_a_duplicate_and_its_reads_count_once(reader: CreatedDevice) -> None:
    body = json.dumps([event(0, reads=3), event(500, epc=SSCC)]).encode()

    first = _send(reader, body)
    again = _send(reader, body)  # a POST repeated after its answer was lost

    assert first == (
        200,
        {"accepted": 2, "refused": 0, "observations_new": 2, "duplicate": False, "errors": []},
    )
    assert again == (
        200,
        {"accepted": 2, "refused": 0, "observations_new": 0, "duplicate": True, "errors": []},
    )
    assert [(e, c) for _a, e, _f, _l, c, _r in spans()] == [(SGTIN, 3), (SSCC, 1)]


def test_the_same_reads_in_other_bytes_are_the_same_batch(reader: CreatedDevice) -> None:
    """A sender that re-serialises its JSON (other whitespace, member and event order, upper-
    case hex, objects back to back) resends the same batch; one read more is another batch."""
    reads = [event(0, reads=3), event(500, epc=SSCC)]
    _send(reader, json.dumps(reads).encode())
    again = [event(500, epc=SSCC), event(0, reads=3)]
    again[0]["data"]["idHex"] = SSCC.upper()
    body = b"\n ".join(json.dumps(e, indent=2, sort_keys=True).encode() for e in again) + b" "

    status, answer = _send(reader, body)

    assert (status, answer["duplicate"], answer["accepted"]) == (200, True, 2)
    assert [(e, c) for _a, e, _f, _l, c, _r in spans()] == [(SGTIN, 3), (SSCC, 1)]
    status, answer = _send(reader, json.dumps([*reads, event(900)]).encode())
    assert (status, answer["duplicate"]) == (200, False)
    assert [(e, c) for _a, e, _f, _l, c, _r in spans()] == [(SGTIN, 3 + 3 + 1), (SSCC, 2)]


def test_the_same_body_from_another_reader_is_applied(reader: CreatedDevice) -> None:
    other = make_device(make_manager(), kind="rfid_reader")
    body = json.dumps([event(0)]).encode()

    _send(reader, body)
    status, answer = _send(other, body)

    assert (status, answer["duplicate"], answer["observations_new"]) == (200, False, 1)
    assert TagObservation.dangerously_unscoped.count() == 2


def test_a_receipt_older_than_a_day_is_renewed_and_old_receipts_are_pruned(
    reader: CreatedDevice,
) -> None:
    body = json.dumps([event(0)]).encode()
    _send(reader, body)
    _send(reader, json.dumps([event(100)]).encode())
    day_ago = timezone.now() - observations.RECEIPT_TTL - dt.timedelta(minutes=1)
    ReadBatch.dangerously_unscoped.update(received_at=day_ago)

    status, answer = _send(reader, body)  # more than a day later: applied again

    assert (status, answer["duplicate"]) == (200, False)
    assert [c for *_rest, c, _r in spans()] == [3]
    observations._seen.clear()  # the next batch is the first of this process: it prunes
    _send(reader, json.dumps([event(200)]).encode())
    assert ReadBatch.dangerously_unscoped.filter(received_at=day_ago).count() == 0
    assert ReadBatch.dangerously_unscoped.count() == 2  # the renewed one and the last


def test_a_batch_that_failed_leaves_no_receipt_and_its_resend_is_applied(
    reader: CreatedDevice, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = json.dumps([event(0)]).encode()

    def fail(**_kwargs: object) -> int:
        raise OperationalError("the database went away")

    monkeypatch.setattr(docks, "apply_observations", fail)
    assert _send(reader, body)[0] == 503
    monkeypatch.undo()
    status, answer = _send(reader, body)

    assert (status, answer["duplicate"], answer["observations_new"]) == (200, False, 1)
    assert ReadBatch.dangerously_unscoped.count() == 1
