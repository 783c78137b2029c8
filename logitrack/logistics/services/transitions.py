"""The one service that moves shipments through the status machine (ADR 0018).

``shipment_record_event`` is the only writer of ``Shipment.status`` and of the timeline
(``ShipmentEvent``). Pages, the API, the bulk import and, as they arrive, geofence rules, RFID
gates and partner webhooks all call it, with their ``source`` and an idempotency key of their
own making (a device's event id, a webhook's delivery id), so that:

- a replayed key changes nothing and returns the outcome recorded the first time;
- an event older than the shipment's current status is kept in the timeline (``applied=False``)
  but never moves the status backwards;
- a transition the machine does not have raises ``TransitionForbidden`` and saves nothing.

Events of one shipment are serialised by a row lock on the shipment (SELECT ... FOR UPDATE on
PostgreSQL; SQLite's write transaction is already exclusive). The audit entry is written in the
same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from logitrack.logistics import limits
from logitrack.logistics.actors import (
    Caller,
    actor_api_key_id,
    actor_user_id,
    audit_actor,
)
from logitrack.logistics.errors import (
    EventInFuture,
    EventInvalid,
    EventSourceRefused,
    EventTooOld,
    IdempotencyKeyReused,
    ReasonRequired,
    TransitionForbidden,
)
from logitrack.logistics.models import Shipment, ShipmentEvent
from logitrack.logistics.services._common import (
    clean_coordinates,
    clean_idempotency_key,
    clean_text,
    clean_units,
    require,
)
from logitrack.logistics.status import (
    EventKind,
    EventSource,
    FailureReason,
    ShipmentStatus,
    transition_allowed,
)
from logitrack.tenancy.roles import Permission

# How far ahead of the server's clock a device's clock may run before its events are refused.
CLOCK_SKEW = timedelta(minutes=5)
# How far back an event may be dated: a scan filed late is days old, not years; a date like
# 0001-01-01 is a sender's bug, and would sort before every real event of the timeline.
EVENT_MAX_AGE = timedelta(days=365)
# The sources an API key may record: it speaks for an integration, never for a person or a
# device on the ground.
API_KEY_SOURCES = frozenset({EventSource.API, EventSource.PARTNER})


@dataclass(frozen=True)
class EventOutcome:
    """What recording an event did.

    ``applied``: the event moved the status; ``replayed``: the key was seen before and nothing
    changed (``event`` is then the first recording); ``status``: the shipment's status now.
    """

    event: ShipmentEvent
    shipment: Shipment
    applied: bool
    replayed: bool

    @property
    def status(self) -> str:
        return self.shipment.status


@dataclass(frozen=True)
class _Place:
    text: str
    ward_code: int | None
    province_code: int | None
    latitude: Decimal | None
    longitude: Decimal | None


def _clean_event(
    *,
    status: str | None,
    occurred_at: datetime,
    source: str,
    reason: str | None,
    reason_text: str,
    now: datetime,
    by_api_key: bool,
) -> tuple[ShipmentStatus | None, EventSource, str, str]:
    try:
        target = ShipmentStatus(status) if status is not None else None
    except ValueError as exc:
        raise EventInvalid(field="status") from exc
    try:
        event_source = EventSource(source)
    except ValueError as exc:
        raise EventInvalid(field="source") from exc
    if by_api_key and event_source not in API_KEY_SOURCES:
        raise EventSourceRefused()
    if not isinstance(occurred_at, datetime) or timezone.is_naive(occurred_at):
        raise EventInvalid(field="occurred_at")
    if occurred_at > now + CLOCK_SKEW:
        raise EventInFuture()
    if occurred_at < now - EVENT_MAX_AGE:
        raise EventTooOld()
    text = clean_text(reason_text, field="reason_text", max_length=limits.REASON_TEXT_MAX)
    if target == ShipmentStatus.FAILED_ATTEMPT:
        if not reason:
            raise ReasonRequired()
        try:
            failure = FailureReason(reason)
        except ValueError as exc:
            raise EventInvalid(field="reason") from exc
        if failure == FailureReason.OTHER and not text:
            raise ReasonRequired(field="reason_text")
        return target, event_source, failure.value, text
    if reason or text:
        # A reason belongs to a failed attempt only; elsewhere it would be lost silently.
        raise EventInvalid(field="reason")
    return target, event_source, "", ""


def _outcome_of_replay(
    event: ShipmentEvent, shipment: Shipment, status: ShipmentStatus | None
) -> EventOutcome:
    asked = status.value if status is not None else ""
    if event.shipment_id != shipment.pk or event.status != asked:
        raise IdempotencyKeyReused(field="idempotency_key")
    current = Shipment.objects.get(pk=shipment.pk)
    return EventOutcome(event=event, shipment=current, applied=event.applied, replayed=True)


def shipment_record_event(
    *,
    actor: Caller,
    shipment: Shipment,
    status: str | None,
    occurred_at: datetime,
    source: str,
    idempotency_key: str,
    place: str = "",
    ward_code: int | None = None,
    province_code: int | None = None,
    latitude: Decimal | float | None = None,
    longitude: Decimal | float | None = None,
    reason: str | None = None,
    reason_text: str = "",
    only_from: frozenset[ShipmentStatus] | None = None,
    request: HttpRequest | None = None,
) -> EventOutcome:
    """Record one event of ``shipment`` and move its status when the machine allows it.

    ``status``: the status the event reports (``ShipmentStatus`` value), or None for a scan that
    only says where the shipment is. ``occurred_at``: when it happened (aware datetime; at most
    ``CLOCK_SKEW`` ahead of now, else EventInFuture; at most ``EVENT_MAX_AGE`` (365 days)
    before it, else EventTooOld, both 422 on ``occurred_at``). ``source``: ``EventSource``
    value; an API-key principal may record only ``API_KEY_SOURCES`` (else EventSourceRefused,
    422 on ``source``). ``idempotency_key``: 1-128
    printable ASCII characters, unique per tenant. ``reason`` (``FailureReason`` value) is required
    for ``failed_attempt`` (and ``reason_text`` with ``other``), refused for anything else.
    ``place``/``ward_code``/``province_code``/``latitude``/``longitude`` say where.
    ``only_from``: when given, the statuses the shipment must be in (read under the row lock)
    for a new event to be recorded at all, stale or not; otherwise TransitionForbidden. A driver
    records only on the shipments of their delivery list (``out_for_delivery``).

    Invariants:
    - needs ``operations.manage`` or ``driver.tasks`` (or a ``SystemCaller``) in the shipment's
      tenant; otherwise NotAllowed and nothing written;
    - a replayed key returns the first outcome with ``replayed=True`` and writes nothing; the same
      key for another shipment or status raises IdempotencyKeyReused (409);
    - an event older than ``shipment.status_changed_at`` is stored with ``applied=False`` and
      leaves the status as it is (a late ``cancelled`` is refused: cancelling is a decision made
      now, not a fact to file);
    - a status the machine cannot reach from the current one raises TransitionForbidden (409,
      ``transition_forbidden``) and writes nothing, also when it repeats the current status;
    - the event, the shipment's new status and the audit entry commit together.
    """
    from logitrack.security.services import audit_record

    tenant_id = require(actor, Permission.OPERATIONS_MANAGE, Permission.DRIVER_TASKS)
    if shipment.tenant_id != tenant_id:
        raise EventInvalid(field="shipment")
    now = timezone.now()
    target, event_source, failure, failure_text = _clean_event(
        status=status,
        occurred_at=occurred_at,
        source=source,
        reason=reason,
        reason_text=reason_text,
        now=now,
        by_api_key=actor_api_key_id(actor) is not None,
    )
    key = clean_idempotency_key(idempotency_key)
    where = _Place(
        clean_text(place, field="place", max_length=limits.PLACE_MAX),
        ward_code,
        province_code,
        *clean_coordinates(latitude, longitude, field="latitude"),
    )
    clean_units(province_code, ward_code, field="ward_code", error=EventInvalid)

    with transaction.atomic():
        locked: Shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
        seen = ShipmentEvent.objects.filter(idempotency_key=key).first()
        if seen is not None:
            return _outcome_of_replay(seen, locked, target)
        current = ShipmentStatus(locked.status)
        if only_from is not None and current not in only_from:
            raise TransitionForbidden()
        stale = occurred_at < locked.status_changed_at
        if target is None:
            applied = False
        elif stale:
            if target == ShipmentStatus.CANCELLED:
                raise TransitionForbidden()
            applied = False
        elif transition_allowed(current, target):
            applied = True
        else:
            raise TransitionForbidden()

        event = ShipmentEvent(
            tenant_id=tenant_id,
            shipment=locked,
            kind=EventKind.STATUS if target is not None else EventKind.SCAN,
            status=target.value if target is not None else "",
            status_before=current.value,
            applied=applied,
            occurred_at=occurred_at,
            recorded_at=now,
            place=where.text,
            ward_code=where.ward_code,
            province_code=where.province_code,
            latitude=where.latitude,
            longitude=where.longitude,
            source=event_source.value,
            failure_reason=failure,
            reason_text=failure_text,
            idempotency_key=key,
            actor_user_id=actor_user_id(actor),
            actor_api_key_id=actor_api_key_id(actor),
        )
        try:
            with transaction.atomic():
                event.save(force_insert=True)
        except IntegrityError as exc:
            # The same key, committed meanwhile for another shipment (this one is locked).
            raise IdempotencyKeyReused(field="idempotency_key") from exc

        changed: list[str] = []
        if applied and target is not None:
            locked.status = target.value
            locked.status_changed_at = occurred_at
            changed += ["status", "status_changed_at"]
        if (applied or (target is None and not stale)) and (where.text or where.province_code):
            locked.current_place = where.text
            locked.current_province_code = where.province_code
            changed += ["current_place", "current_province_code"]
        if changed:
            locked.save(update_fields=changed)
        audit_record(
            action="shipment_event_recorded",
            actor=audit_actor(actor),
            tenant_id=tenant_id,
            object_type="shipment",
            object_id=str(locked.pk),
            details={
                "event_id": event.pk,
                "status": event.status,
                "status_before": current.value,
                "applied": applied,
                "source": event_source.value,
            },
            request=request,
        )
    return EventOutcome(event=event, shipment=locked, applied=applied, replayed=False)
