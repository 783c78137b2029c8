"""MQTT ingestion against the real Mosquitto at 127.0.0.1:1883: stored once, acknowledged,
refusals store nothing."""

from __future__ import annotations

import json
import socket
import time
import uuid
from collections.abc import Callable, Iterator, Mapping

import paho.mqtt.client as mqtt
import pytest
from django.utils import timezone
from paho.mqtt.enums import CallbackAPIVersion

from logitrack.tracking.ingest.accept import get_gate
from logitrack.tracking.ingest.mqtt import MqttIngest, positions_topic
from logitrack.tracking.ingest.writer import GroupCommitWriter
from logitrack.tracking.models import Position
from logitrack.tracking.tests.factories import make_device, make_manager

pytestmark = pytest.mark.django_db(transaction=True)
BROKER = ("127.0.0.1", 1883)


def _broker_up() -> bool:
    try:
        socket.create_connection(BROKER, timeout=1).close()
    except OSError:
        return False
    return True


@pytest.fixture
def prefix() -> str:
    if not _broker_up():
        pytest.fail("Mosquitto is not running at 127.0.0.1:1883 (CI starts it)")
    return f"logitrack-test/{uuid.uuid4().hex}"


@pytest.fixture
def subscriber(writer: GroupCommitWriter, prefix: str) -> Iterator[MqttIngest]:
    ingest = MqttIngest(
        url="mqtt://127.0.0.1:1883", ca_file="", prefix=prefix, gate=get_gate(), writer=writer
    )
    ingest.start()
    deadline = time.monotonic() + 5
    while not ingest.client.is_connected() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)  # the subscription is acknowledged
    yield ingest
    ingest.stop()


def _publish(topic: str, payload: Mapping[str, object]) -> None:
    client = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2)
    client.connect(*BROKER)
    client.loop_start()
    client.publish(topic, json.dumps(payload), qos=1).wait_for_publish(5)
    client.disconnect()
    client.loop_stop()


def _wait_for(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)


def test_a_published_position_is_stored_once_even_when_sent_twice(
    subscriber: MqttIngest, prefix: str
) -> None:
    device = make_device(make_manager()).device
    position = {
        "fix_time": int(timezone.now().timestamp()) - 5,
        "latitude": 10.8,
        "longitude": 106.6,
    }

    _publish(positions_topic(prefix, device.identifier), position)
    _publish(positions_topic(prefix, device.identifier), {"positions": [position]})
    _wait_for(lambda: subscriber.stored_messages >= 2)

    assert subscriber.stored_messages == 2
    assert list(Position.dangerously_unscoped.values_list("device_id", "latitude")) == [
        (device.pk, 10.8)
    ]


def test_unknown_devices_and_bad_positions_store_nothing(
    subscriber: MqttIngest, prefix: str
) -> None:
    device = make_device(make_manager()).device
    now = int(timezone.now().timestamp())

    _publish(
        positions_topic(prefix, "unknown-device"), {"fix_time": now, "latitude": 1, "longitude": 1}
    )
    _publish(
        positions_topic(prefix, device.identifier),
        {"fix_time": now, "latitude": 91, "longitude": 1},
    )
    _wait_for(lambda: subscriber.refused_messages >= 1)
    time.sleep(0.5)

    assert subscriber.refused_messages == 1
    assert Position.dangerously_unscoped.count() == 0
