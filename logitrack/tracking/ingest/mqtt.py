"""The gateway's MQTT subscriber: positions published to a broker, stored like the batch API.

Topic scheme (``LOGITRACK_MQTT_TOPIC_PREFIX``, default ``logitrack/v1``)::

    logitrack/v1/devices/<identifier>/positions   positions (this module)
    logitrack/v1/devices/<identifier>/rfid        RFID reads of a Zebra reader (below)

Payload: UTF-8 JSON, one position or ``{"positions": [...]}`` (at most 1000) in the batch API's
format (``logitrack.tracking.ingest.batch``: ``fix_time``, ``latitude``, ``longitude``, ``speed``
m/s, ``course``, ``altitude``, ``accuracy``, ``battery`` %, ``valid``, ``attributes``), plus
``"token"`` when the device requires its token. Publish with QoS 1: the subscriber acknowledges
(PUBACK) only after the positions are durable (group commit), so a message whose transaction
failed is redelivered by the broker; duplicates are stored once (idempotent per device and fix
time). A refused message (unknown or disabled device, bad JSON, out-of-range values) is
acknowledged and dropped, nothing stored; each refusal is logged with its code.

RFID (``.../rfid``): the payload is the reader's own Zebra IoT Connector tag-data events, as its
MQTT data interface publishes them (one object, an array, or objects back to back;
``logitrack.tracking.rfid.ingest`` says what is accepted and how reads are de-duplicated). The
device must be an enabled ``rfid_reader``; as the reader cannot add a member to its events, a
reader that requires its token sends it as the MQTT 5 user property ``token`` (never in the
topic). The reads are stored (one transaction) before the PUBACK; a message refused whole
(unknown or disabled reader, not JSON, too many reads, over the rate) is acknowledged and
dropped, and each refused read is logged by code; a database failure gets no PUBACK, so the
broker redelivers it. The reads of a redelivered payload that was stored are a duplicate (the
reader's ``ReadBatch`` receipt, 24 hours) and are applied once.

The broker authenticates publishers and its ACL must let each device publish only under its own
identifier (e.g. Mosquitto ``pattern write logitrack/v1/devices/%u/#`` with the identifier as
user name). Every gateway process joins the shared subscription ``$share/logitrack-gateway/...``,
so the broker spreads messages over them (stateless, side by side).

Configuration: ``LOGITRACK_MQTT_URL`` (``mqtt://[user:password@]host[:1883]`` or ``mqtts://``
for TLS, with ``LOGITRACK_MQTT_CA`` naming a CA file; empty turns the subscriber off).
"""

from __future__ import annotations

import json
import logging
import ssl
from typing import Any
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as mqtt
from django.utils import timezone
from paho.mqtt.enums import CallbackAPIVersion

from logitrack.tracking.ingest.accept import Gate, IngestRefused, max_future, row_of
from logitrack.tracking.ingest.batch import MAX_POSITIONS, parse_position
from logitrack.tracking.ingest.writer import GroupCommitWriter, PositionRow
from logitrack.tracking.protocols.report import IDENTIFIER, ReportRefused

logger = logging.getLogger("logitrack.tracking.mqtt")
SHARE_GROUP = "logitrack-gateway"


def positions_topic(prefix: str, identifier: str = "+") -> str:
    return f"{prefix}/devices/{identifier}/positions"


def rfid_topic(prefix: str, identifier: str = "+") -> str:
    return f"{prefix}/devices/{identifier}/rfid"


def _user_property(message: mqtt.MQTTMessage, name: str) -> str | None:
    properties = getattr(message, "properties", None)
    for key, value in getattr(properties, "UserProperty", None) or []:
        if key == name:
            return str(value)
    return None


def rfid_message(gate: Gate, prefix: str, message: mqtt.MQTTMessage) -> tuple[int, str]:
    """Store the Zebra events of an ``.../rfid`` message; (status, code) as the HTTP route
    would answer (code empty on success, with refused reads logged)."""
    from logitrack.tracking.rfid.ingest import accept_reads

    head = f"{prefix}/devices/"
    identifier = message.topic[len(head) : -len("/rfid")]
    if not IDENTIFIER.fullmatch(identifier):
        return 400, "device_id_invalid"
    try:
        entry = gate.entry(identifier, token=_user_property(message, "token"), source=None)
    except IngestRefused as exc:
        return exc.status, exc.code
    if entry.kind != "rfid_reader":
        return 400, "device_unknown"
    status, payload = accept_reads(entry, bytes(message.payload))
    if status != 200:
        return status, str(payload.get("error", {}).get("code", ""))
    if payload["errors"]:
        codes = sorted({str(error["code"]) for error in payload["errors"]})
        logger.info("mqtt rfid reads refused", extra={"codes": codes})
    return 200, ""


def rows_of_message(
    gate: Gate, prefix: str, topic: str, payload: bytes
) -> tuple[list[PositionRow], list[str]]:
    """The rows a message carries, and the codes of what was refused (nothing stored for
    those). Raises IngestRefused/ReportRefused when the whole message is refused."""
    head = f"{prefix}/devices/"
    if not topic.startswith(head) or not topic.endswith("/positions"):
        raise ReportRefused("topic_invalid", "topic")
    identifier = topic[len(head) : -len("/positions")]
    if not IDENTIFIER.fullmatch(identifier):
        raise ReportRefused("device_id_invalid", "topic")
    try:
        data = json.loads(payload.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ReportRefused("body_malformed", "payload") from exc
    if not isinstance(data, dict):
        raise ReportRefused("body_malformed", "payload")
    token = data.get("token") if isinstance(data.get("token"), str) else None
    entry = gate.entry(identifier, token=token, source=None)
    items = data.get("positions", [data])
    if not isinstance(items, list) or len(items) > MAX_POSITIONS:
        raise ReportRefused("body_malformed", "payload")
    now = timezone.now()
    rows: list[PositionRow] = []
    refused: list[str] = []
    for item in items:
        try:
            report = parse_position(item, identifier, now, max_future())
        except ReportRefused as exc:
            refused.append(exc.code)
            continue
        rows.append(row_of(report, entry, now))
    gate.spend(entry, max(len(rows), 1), batch=True)
    return rows, refused


class MqttIngest:
    """Subscribes, stores, and acknowledges each QoS 1 message once its rows are durable."""

    def __init__(
        self, *, url: str, ca_file: str, prefix: str, gate: Gate, writer: GroupCommitWriter
    ) -> None:
        self.url = urlsplit(url)
        if self.url.scheme not in ("mqtt", "mqtts") or not self.url.hostname:
            raise ValueError("LOGITRACK_MQTT_URL must be mqtt://host[:port] or mqtts://...")
        self.prefix = prefix
        self.gate = gate
        self.writer = writer
        self.client = mqtt.Client(
            callback_api_version=CallbackAPIVersion.VERSION2,
            protocol=mqtt.MQTTv5,
            manual_ack=True,
        )
        if self.url.username:
            self.client.username_pw_set(
                unquote(self.url.username), unquote(self.url.password or "")
            )
        if self.url.scheme == "mqtts":
            context = ssl.create_default_context(cafile=ca_file or None)
            self.client.tls_set_context(context)
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.stored_messages = 0
        self.refused_messages = 0

    def start(self) -> None:
        port = self.url.port or (8883 if self.url.scheme == "mqtts" else 1883)
        self.client.connect_async(str(self.url.hostname), port, keepalive=30)
        self.client.loop_start()

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    def _on_connect(
        self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any = None
    ) -> None:
        client.subscribe(
            [
                (f"$share/{SHARE_GROUP}/{positions_topic(self.prefix)}", 1),
                (f"$share/{SHARE_GROUP}/{rfid_topic(self.prefix)}", 1),
            ]
        )

    def _ack(self, message: mqtt.MQTTMessage) -> None:
        if message.qos > 0:
            self.client.ack(message.mid, message.qos)

    def _on_rfid(self, message: mqtt.MQTTMessage) -> None:
        # Stored here, in the client's thread (one transaction of a few milliseconds): the
        # PUBACK must follow the commit, and a reader's messages stay in order.
        status, code = rfid_message(self.gate, self.prefix, message)
        if status == 503:  # the database is down: no PUBACK, redelivered later
            logger.warning("mqtt rfid message not stored", extra={"code": code})
            return
        if status == 200:
            self.stored_messages += 1
        else:
            self.refused_messages += 1
            logger.info("mqtt rfid message refused", extra={"code": code})
        self._ack(message)

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        if message.topic.startswith(f"{self.prefix}/devices/") and message.topic.endswith("/rfid"):
            self._on_rfid(message)
            return
        try:
            rows, refused = rows_of_message(
                self.gate, self.prefix, message.topic, bytes(message.payload)
            )
        except IngestRefused as exc:
            if exc.status == 503:  # the database is down: no PUBACK, redelivered later
                logger.warning("mqtt message not stored", extra={"code": exc.code})
                return
            self.refused_messages += 1
            logger.info("mqtt message refused", extra={"code": exc.code})
            self._ack(message)
            return
        except ReportRefused as exc:
            self.refused_messages += 1
            logger.info("mqtt message refused", extra={"code": exc.args[0] if exc.args else ""})
            self._ack(message)
            return
        if refused:
            logger.info("mqtt positions refused", extra={"codes": sorted(set(refused))})
        if not rows:
            self._ack(message)
            return
        ticket = self.writer.submit(rows)

        def settled() -> None:
            if ticket.error is None:
                self.stored_messages += 1
                self._ack(message)
            # else: no PUBACK; the broker redelivers the message when the session resumes

        ticket.on_settled(settled)
