"""RFID reads published to the real Mosquitto at 127.0.0.1:1883 in the Zebra format: stored and
de-duplicated, acknowledged; refusals store nothing."""

from __future__ import annotations

import json
import socket
import time
import uuid
from collections.abc import Callable, Iterator

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from logitrack.tracking.ingest.accept import get_gate
from logitrack.tracking.ingest.mqtt import MqttIngest, rfid_topic
from logitrack.tracking.ingest.writer import GroupCommitWriter
from logitrack.tracking.models import TagObservation
from logitrack.tracking.tests.factories import make_device, make_manager
from logitrack.tracking.tests.test_rfid_ingest import SGTIN, SSCC, event

pytestmark = pytest.mark.django_db(transaction=True)
BROKER = ("127.0.0.1", 1883)


@pytest.fixture
def prefix() -> str:
    try:
        socket.create_connection(BROKER, timeout=1).close()
    except OSError:
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
    time.sleep(0.3)  # the subscriptions are acknowledged
    yield ingest
    ingest.stop()


def _publish(topic: str, payload: bytes, token: str | None = None) -> None:
    client = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.connect(*BROKER)
    client.loop_start()
    properties = None
    if token is not None:
        properties = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
        properties.UserProperty = [("token", token)]
    client.publish(topic, payload, qos=1, properties=properties).wait_for_publish(5)
    client.disconnect()
    client.loop_stop()


def _wait_for(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not condition():
        time.sleep(0.05)


def test_published_zebra_events_are_stored_and_deduplicated(
    subscriber: MqttIngest, prefix: str
) -> None:
    reader = make_device(make_manager(), kind="rfid_reader").device
    topic = rfid_topic(prefix, reader.identifier)

    _publish(topic, json.dumps(event(0)).encode())
    _publish(topic, (json.dumps(event(500)) + json.dumps(event(600, epc=SSCC))).encode())
    _wait_for(lambda: subscriber.stored_messages >= 2)

    assert subscriber.stored_messages == 2
    rows = TagObservation.dangerously_unscoped.order_by("epc_hex")
    assert [(o.epc_hex, o.read_count, o.device_id) for o in rows] == [
        (SGTIN, 2, reader.pk),
        (SSCC, 1, reader.pk),
    ]


def test_a_redelivered_message_counts_its_reads_once(subscriber: MqttIngest, prefix: str) -> None:
    """QoS 1 delivers at least once: the same payload again (here published twice, as the broker
    redelivers an unacknowledged message) is a duplicate, not more reads of the tag."""
    reader = make_device(make_manager(), kind="rfid_reader").device
    topic = rfid_topic(prefix, reader.identifier)
    payload = json.dumps([event(0, reads=4), event(300)]).encode()

    _publish(topic, payload)
    _publish(topic, payload)
    _wait_for(lambda: subscriber.stored_messages >= 2)

    assert subscriber.stored_messages == 2
    rows = TagObservation.dangerously_unscoped.all()
    assert [(o.epc_hex, o.read_count) for o in rows] == [(SGTIN, 5)]


def test_refused_messages_store_nothing(subscriber: MqttIngest, prefix: str) -> None:
    manager = make_manager()
    tracker = make_device(manager, kind="gps_tracker").device
    guarded = make_device(manager, kind="rfid_reader", require_token=True)
    payload = json.dumps(event(0)).encode()

    _publish(rfid_topic(prefix, "unknown-reader"), payload)
    _publish(rfid_topic(prefix, tracker.identifier), payload)
    _publish(rfid_topic(prefix, guarded.device.identifier), payload)  # no token
    _publish(rfid_topic(prefix, guarded.device.identifier), b"{not json", guarded.token)
    _wait_for(lambda: subscriber.refused_messages >= 4)

    assert subscriber.refused_messages == 4
    assert TagObservation.dangerously_unscoped.count() == 0


def test_a_reader_that_requires_its_token_sends_it_as_a_user_property(
    subscriber: MqttIngest, prefix: str
) -> None:
    guarded = make_device(make_manager(), kind="rfid_reader", require_token=True)

    _publish(
        rfid_topic(prefix, guarded.device.identifier),
        json.dumps([event(0), event(10)]).encode(),
        guarded.token,
    )
    _wait_for(lambda: subscriber.stored_messages >= 1)

    assert TagObservation.dangerously_unscoped.get().read_count == 2
