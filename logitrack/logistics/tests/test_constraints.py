"""The database refuses what validation refuses, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from logitrack.core.tenant import tenant_context
from logitrack.logistics.models import LogisticsSettings, Order, Shipment, ShipmentEvent
from logitrack.logistics.tests.factories import (
    make_order_row,
    make_settings,
    make_shipment_row,
    make_shipper,
)
from logitrack.tenancy.tests.factories import make_tenant

pytestmark = pytest.mark.django_db


def _refused(model: type[Any], **fields: Any) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.create(**fields)


@pytest.mark.parametrize("weight", [0, -1, 50_000_001])
def test_a_shipment_weight_outside_its_range_is_refused(weight: int) -> None:
    shipment = make_shipment_row(make_order_row(make_shipper(make_tenant())))
    with tenant_context(shipment.tenant), pytest.raises(IntegrityError), transaction.atomic():
        Shipment.objects.filter(pk=shipment.pk).update(weight_g=weight)

    assert Shipment.dangerously_unscoped.get(pk=shipment.pk).weight_g == 1200


@pytest.mark.parametrize(
    "fields",
    [
        {"cod_amount_vnd": -1},
        {"cod_amount_vnd": 10**12 + 1},
        {"declared_value_vnd": -5},
        {"service_level": "teleport"},
        {"delivery_latitude": 91, "delivery_longitude": 0},
        {"delivery_latitude": 10},
    ],
)
def test_an_order_outside_its_bounds_is_refused(fields: dict[str, Any]) -> None:
    shipper = make_shipper(make_tenant())

    with pytest.raises(IntegrityError), transaction.atomic():
        make_order_row(shipper, **fields)

    assert Order.dangerously_unscoped.filter(shipper=shipper).count() == 0


def test_a_window_that_ends_before_it_starts_is_refused() -> None:
    shipper = make_shipper(make_tenant())
    now = timezone.now()

    with pytest.raises(IntegrityError), transaction.atomic():
        make_order_row(shipper, delivery_window_start=now, delivery_window_end=now)


def test_a_waybill_cannot_be_given_twice() -> None:
    order = make_order_row(make_shipper(make_tenant()))
    first = make_shipment_row(order)

    with pytest.raises(IntegrityError), transaction.atomic():
        make_shipment_row(order, waybill=first.waybill)

    assert Shipment.dangerously_unscoped.filter(waybill=first.waybill).count() == 1


@pytest.mark.parametrize("waybill", ["sg123456789X", "SG12345678", "LT1234567890", "SG12345678I0"])
def test_a_waybill_outside_the_alphabet_is_refused(waybill: str) -> None:
    order = make_order_row(make_shipper(make_tenant()))

    with pytest.raises(IntegrityError), transaction.atomic():
        make_shipment_row(order, waybill=waybill)


def test_two_tenants_cannot_share_a_waybill_prefix() -> None:
    settings = make_settings(make_tenant())
    other = make_tenant()

    with tenant_context(other), pytest.raises(IntegrityError), transaction.atomic():
        LogisticsSettings.objects.create(waybill_prefix=settings.waybill_prefix)


def test_an_sscc_must_have_18_digits() -> None:
    order = make_order_row(make_shipper(make_tenant()))

    with pytest.raises(IntegrityError), transaction.atomic():
        make_shipment_row(order, sscc="12345")


def _event(shipment: Shipment, **fields: Any) -> None:
    values: dict[str, Any] = {
        "shipment": shipment,
        "kind": "status",
        "status": "picked_up",
        "status_before": "created",
        "occurred_at": timezone.now(),
        "source": "api",
        "idempotency_key": "k-1",
    }
    values.update(fields)
    with tenant_context(shipment.tenant):
        ShipmentEvent.objects.create(**values)


def test_an_idempotency_key_is_used_once_per_tenant() -> None:
    shipment = make_shipment_row(make_order_row(make_shipper(make_tenant())))
    _event(shipment)

    with pytest.raises(IntegrityError), transaction.atomic():
        _event(shipment)
    other = make_shipment_row(make_order_row(make_shipper(make_tenant())))
    _event(other)

    assert ShipmentEvent.dangerously_unscoped.filter(idempotency_key="k-1").count() == 2


@pytest.mark.parametrize(
    "fields",
    [
        {"status": "failed_attempt", "failure_reason": ""},
        {"status": "lost"},
        {"kind": "scan", "status": "picked_up"},
        {"kind": "scan", "status": "", "applied": True},
        {"source": "telepathy"},
        {"idempotency_key": ""},
        {"failure_reason": "bored"},
    ],
)
def test_an_event_that_breaks_a_rule_is_refused(fields: dict[str, Any]) -> None:
    shipment = make_shipment_row(make_order_row(make_shipper(make_tenant())))

    with pytest.raises(IntegrityError), transaction.atomic():
        _event(shipment, **fields)

    assert ShipmentEvent.dangerously_unscoped.filter(shipment=shipment).count() == 0
