"""``/ingest/osmand``: acknowledged only once stored, idempotent, event time, refusals store
nothing."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from logitrack.core.tenant import tenant_context
from logitrack.tenancy.tests.factories import principal_for
from logitrack.tracking.ingest.accept import get_gate
from logitrack.tracking.ingest.writer import GroupCommitWriter
from logitrack.tracking.models import Device, DeviceLatest, Driver, Position
from logitrack.tracking.services.devices import device_assign, device_disable
from logitrack.tracking.tests.factories import make_device, make_manager

pytestmark = pytest.mark.django_db(transaction=True)
URL = "/ingest/osmand"


def _stamp(minutes_ago: float) -> str:
    return str(int((timezone.now() - dt.timedelta(minutes=minutes_ago)).timestamp()))


def _positions() -> list[tuple[Any, ...]]:
    return list(
        Position.dangerously_unscoped.order_by("fix_time").values_list(
            "device__identifier", "latitude", "longitude", "fix_time"
        )
    )


def test_a_report_is_stored_and_answered_200_with_an_empty_body(
    client: Client, writer: GroupCommitWriter
) -> None:
    device = make_device(make_manager(), identifier="860000000000001").device
    stamp = _stamp(1)

    answer = client.get(
        URL,
        {
            "id": device.identifier,
            "lat": "10.77",
            "lon": "106.7",
            "timestamp": stamp,
            "speed": "10",
        },
    )

    assert answer.status_code == 200
    assert answer.content == b""
    position = Position.dangerously_unscoped.get()
    assert (position.device_id, position.tenant_id) == (device.pk, device.tenant_id)
    assert position.fix_time == dt.datetime.fromtimestamp(int(stamp), tz=dt.UTC)
    assert position.speed == pytest.approx(10 * 1852 / 3600)
    latest = DeviceLatest.dangerously_unscoped.get(device=device)
    assert latest.fix_time == position.fix_time
    assert Device.dangerously_unscoped.get(pk=device.pk).last_seen_at is not None


def test_a_retried_report_is_stored_once(client: Client, writer: GroupCommitWriter) -> None:
    device = make_device(make_manager()).device
    query = {"id": device.identifier, "lat": "1", "lon": "2", "timestamp": _stamp(5)}

    answers = [client.post(URL, query).status_code for _ in range(3)]

    assert answers == [200, 200, 200]
    assert Position.dangerously_unscoped.count() == 1


def test_a_late_fix_does_not_move_the_latest_position_back(
    client: Client, writer: GroupCommitWriter
) -> None:
    device = make_device(make_manager()).device
    client.get(URL, {"id": device.identifier, "lat": "1", "lon": "1", "timestamp": _stamp(1)})

    late = client.get(
        URL, {"id": device.identifier, "lat": "2", "lon": "2", "timestamp": _stamp(180)}
    )

    assert late.status_code == 200
    assert Position.dangerously_unscoped.count() == 2
    assert DeviceLatest.dangerously_unscoped.get(device=device).latitude == 1.0


def test_the_traccar_client_json_body_is_accepted(
    client: Client, writer: GroupCommitWriter
) -> None:
    device = make_device(make_manager()).device
    body = {
        "device_id": device.identifier,
        "location": {
            "timestamp": (timezone.now() - dt.timedelta(seconds=30)).isoformat(),
            "coords": {"latitude": 21.0285, "longitude": 105.8542, "speed": 4.0, "heading": -1},
            "battery": {"level": 0.5, "is_charging": True},
        },
    }

    answer = client.post(URL, json.dumps(body), content_type="application/json")

    assert answer.status_code == 200
    position = Position.dangerously_unscoped.get()
    assert (position.speed, position.course, position.battery) == (4.0, None, 50.0)
    assert position.attributes == {"charge": True}


def test_an_unknown_device_gets_400_for_parameters_and_404_for_json(
    client: Client, writer: GroupCommitWriter
) -> None:
    by_query = client.get(URL, {"id": "999", "lat": "1", "lon": "1"})
    by_json = client.post(
        URL,
        json.dumps({"device_id": "999", "location": {"coords": {"latitude": 1, "longitude": 1}}}),
        content_type="application/json",
    )

    assert (by_query.status_code, by_json.status_code) == (400, 404)
    assert Position.dangerously_unscoped.count() == 0


def test_a_disabled_device_is_refused_and_nothing_stored(
    client: Client, writer: GroupCommitWriter
) -> None:
    manager = make_manager()
    device = make_device(manager).device
    with tenant_context(manager.tenant):
        device_disable(principal=principal_for(manager), device=device)

    answer = client.get(URL, {"id": device.identifier, "lat": "1", "lon": "1"})

    assert answer.status_code == 400
    assert Position.dangerously_unscoped.count() == 0


@pytest.mark.parametrize(
    "query",
    [
        {"lat": "91", "lon": "1"},
        {"lat": "1", "lon": "-180.01"},
        {"lat": "nan", "lon": "1"},
        {"lat": "1", "lon": "1", "timestamp": "4102444800"},
        {"lat": "1", "lon": "1", "speed": "1e308"},
    ],
)
def test_malformed_reports_get_400_and_nothing_is_stored(
    client: Client, writer: GroupCommitWriter, query: dict[str, str]
) -> None:
    device = make_device(make_manager()).device

    answer = client.get(URL, {"id": device.identifier, **query})

    assert answer.status_code == 400
    assert Position.dangerously_unscoped.count() == 0
    assert DeviceLatest.dangerously_unscoped.count() == 0


def test_a_device_that_requires_its_token_is_refused_without_it(
    client: Client, writer: GroupCommitWriter
) -> None:
    created = make_device(make_manager(), require_token=True)
    query = {"id": created.device.identifier, "lat": "1", "lon": "1", "timestamp": _stamp(1)}

    without = client.get(URL, query)
    wrong = client.get(URL, {**query, "token": created.token[:-1] + "x"})
    right = client.get(URL, {**query, "token": created.token})

    assert (without.status_code, wrong.status_code, right.status_code) == (400, 400, 200)
    assert Position.dangerously_unscoped.count() == 1
    assert "token" not in Position.dangerously_unscoped.get().attributes


def test_a_device_outside_its_networks_is_refused(
    client: Client, writer: GroupCommitWriter
) -> None:
    outside = make_device(make_manager(), allowed_networks=["10.0.0.0/8"]).device
    inside = make_device(make_manager(), allowed_networks=["127.0.0.0/8"]).device

    refused = client.get(URL, {"id": outside.identifier, "lat": "1", "lon": "1"})
    accepted = client.get(URL, {"id": inside.identifier, "lat": "1", "lon": "1"})

    assert (refused.status_code, accepted.status_code) == (400, 200)
    assert [p[0] for p in _positions()] == [inside.identifier]


@override_settings(LOGITRACK_INGEST_DEVICE_RATE=0.001, LOGITRACK_INGEST_DEVICE_BURST=2)
def test_a_flooding_device_is_limited_and_others_are_still_served(
    client: Client, writer: GroupCommitWriter
) -> None:
    get_gate.cache_clear()
    flooder = make_device(make_manager()).device
    other = make_device(make_manager()).device

    answers = [
        client.get(
            URL, {"id": flooder.identifier, "lat": "1", "lon": "1", "timestamp": _stamp(i)}
        ).status_code
        for i in range(4)
    ]
    served = client.get(URL, {"id": other.identifier, "lat": "1", "lon": "1"})

    assert answers == [200, 200, 429, 429]
    assert served.status_code == 200
    assert Position.dangerously_unscoped.filter(device=flooder).count() == 2


def test_positions_of_a_device_assigned_to_a_driver_name_the_driver(
    client: Client, writer: GroupCommitWriter
) -> None:
    manager = make_manager()
    device = make_device(manager).device
    with tenant_context(manager.tenant):
        driver = Driver.objects.create(full_name="Trần Văn Bình", phone="+84901234567")
        device_assign(
            principal=principal_for(manager), device=device, target="driver", driver=driver
        )

    client.get(URL, {"id": device.identifier, "lat": "1", "lon": "1"})

    assert Position.dangerously_unscoped.get().driver_id == driver.pk


def test_wrong_methods_are_refused(client: Client, writer: GroupCommitWriter) -> None:
    device = make_device(make_manager()).device

    answer = client.put(URL, f"id={device.identifier}&lat=1&lon=1")

    assert answer.status_code == 405
    assert Position.dangerously_unscoped.count() == 0


# Text a database cannot store in a JSON column: a NUL (PostgreSQL's jsonb refuses ``\u0000``),
# a lone surrogate (no UTF-8 form; jsonb refuses it too) and a bidi override, in every place a
# device can put text into ``attributes``: a query parameter's value, a Traccar Client body's
# ``event`` and ``extras`` values, and an ``extras`` key.
_HOSTILE_TEXT = ["\x00", "\ud800", "\u202e"]


def _traccar_body(identifier: str, **extra: Any) -> str:
    body = {
        "device_id": identifier,
        "location": {
            "timestamp": (timezone.now() - dt.timedelta(seconds=30)).isoformat(),
            "coords": {"latitude": 21.0285, "longitude": 105.8542},
            **extra,
        },
    }
    return json.dumps(body)


@pytest.mark.parametrize("text", _HOSTILE_TEXT)
def test_hostile_text_in_attributes_is_refused_400_and_nothing_is_stored(
    client: Client, writer: GroupCommitWriter, text: str
) -> None:
    device = make_device(make_manager()).device
    # A query string carries no lone surrogate (it is percent-encoded UTF-8); JSON can.
    by_query = [] if text == "\ud800" else [{"note": f"a{text}b"}]
    answers = [
        *(
            client.get(URL, {"id": device.identifier, "lat": "1", "lon": "1", **q})
            for q in by_query
        ),
        client.post(
            URL, _traccar_body(device.identifier, event=f"x{text}"), content_type="application/json"
        ),
        client.post(
            URL,
            _traccar_body(device.identifier, extras={"trip": f"T{text}"}),
            content_type="application/json",
        ),
        client.post(
            URL,
            _traccar_body(device.identifier, extras={f"k{text}": "v"}),
            content_type="application/json",
        ),
    ]

    assert {answer.status_code for answer in answers} == {400}
    assert Position.dangerously_unscoped.count() == 0
