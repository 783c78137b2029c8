"""Creating, changing and cancelling orders through the services."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone
from pydantic import ValidationError

from logitrack.core.tenant import tenant_context
from logitrack.logistics.errors import (
    AddressInvalid,
    CodAboveCap,
    IdempotencyKeyReused,
    NotAllowed,
    OrderNotEditable,
    PalletNeedsGs1Prefix,
    WindowInvalid,
)
from logitrack.logistics.inputs import OrderPatch
from logitrack.logistics.models import Order, OrderItem, Shipment, ShipmentEvent
from logitrack.logistics.numbers import sscc_is_valid, waybill_is_well_formed
from logitrack.logistics.services.orders import ShipperUnknown, order_create, order_update
from logitrack.logistics.services.shipments import CancelRefused, order_cancel, shipments_cancel
from logitrack.logistics.services.transitions import shipment_record_event
from logitrack.logistics.status import ServiceLevel
from logitrack.logistics.tests.factories import (
    PROVINCE_HCMC,
    WARD_IN_HANOI,
    make_order,
    make_settings,
    make_shipper,
    operations_principal,
    order_input,
)
from logitrack.security.models import AuditEntry
from logitrack.tenancy.models import Tenant
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_tenant

pytestmark = pytest.mark.django_db


def _counts(tenant: Tenant) -> tuple[int, int, int, int]:
    return (
        Order.dangerously_unscoped.filter(tenant=tenant).count(),
        OrderItem.dangerously_unscoped.filter(tenant=tenant).count(),
        Shipment.dangerously_unscoped.filter(tenant=tenant).count(),
        ShipmentEvent.dangerously_unscoped.filter(tenant=tenant).count(),
    )


def _create(tenant: Tenant, key: str | None = None, **fields: Any) -> Any:
    shipper = fields.pop("shipper", None) or make_shipper(tenant)
    data = order_input(shipper, **fields)
    with tenant_context(tenant):
        return order_create(actor=operations_principal(tenant), data=data, idempotency_key=key)


def test_an_order_makes_one_shipment_per_parcel_with_waybills_and_a_first_event() -> None:
    tenant = make_tenant()
    settings = make_settings(tenant)

    created = _create(tenant, parcels=[{"weight_g": 500}, {"weight_g": 2500, "length_mm": 300}])

    assert [s.parcel_number for s in created.shipments] == [1, 2]
    assert [s.weight_g for s in created.shipments] == [500, 2500]
    for shipment in created.shipments:
        assert waybill_is_well_formed(shipment.waybill)
        assert shipment.waybill.startswith(settings.waybill_prefix)
        assert shipment.status == "created"
        assert shipment.service_level == "express"
        assert shipment.delivery_province_code == 1
    assert len({s.waybill for s in created.shipments}) == 2
    assert _counts(tenant) == (1, 1, 2, 2)
    order = Order.dangerously_unscoped.get(pk=created.order.pk)
    assert order.consignee_phone == "+84912345678"
    assert order.consignee_name == "Trần Thị Bích"
    assert order.declared_value_vnd == 800_000
    assert order.pickup_street == created.order.shipper.street


def test_the_consignee_is_stored_encrypted_and_found_by_phone() -> None:
    tenant = make_tenant()
    created = _create(tenant)

    raw = Order.dangerously_unscoped.filter(pk=created.order.pk).values(
        "consignee_name", "consignee_phone", "delivery_street"
    )[0]

    assert all("Trần" not in str(v) and "0912" not in str(v) for v in raw.values())
    with tenant_context(tenant):
        assert list(Order.objects.filter(consignee_phone="+84 912 345 678")) == [created.order]


def test_a_tenant_gets_a_waybill_prefix_on_its_first_order() -> None:
    tenant = make_tenant()

    created = _create(tenant)

    prefix = created.shipments[0].waybill[:3]
    assert prefix.isalpha()
    from logitrack.logistics.models import LogisticsSettings

    assert LogisticsSettings.dangerously_unscoped.get(tenant=tenant).waybill_prefix == prefix


def test_a_retried_create_with_the_same_key_returns_the_first_order() -> None:
    tenant = make_tenant()
    shipper = make_shipper(tenant)
    first = _create(tenant, key="order-1", shipper=shipper, reference="A1")
    counts = _counts(tenant)

    again = _create(tenant, key="order-1", shipper=shipper, reference="A1")

    assert again.replayed
    assert again.order.pk == first.order.pk
    assert [s.waybill for s in again.shipments] == [s.waybill for s in first.shipments]
    assert _counts(tenant) == counts


def test_the_same_key_with_another_order_is_refused() -> None:
    tenant = make_tenant()
    shipper = make_shipper(tenant)
    _create(tenant, key="order-1", shipper=shipper, reference="A1")
    counts = _counts(tenant)

    with pytest.raises(IdempotencyKeyReused):
        _create(tenant, key="order-1", shipper=shipper, reference="A2")

    assert _counts(tenant) == counts


def test_keys_are_per_tenant() -> None:
    one, two = make_tenant(), make_tenant()
    _create(one, key="order-1")

    created = _create(two, key="order-1")

    assert not created.replayed


@override_settings(LOGITRACK_COD_CAP_VND=5_000_000)
def test_cod_above_the_configured_cap_is_refused() -> None:
    tenant = make_tenant()
    _create(tenant, cod_amount_vnd=5_000_000)
    counts = _counts(tenant)

    with pytest.raises(CodAboveCap) as refused:
        _create(tenant, cod_amount_vnd=5_000_001)

    assert refused.value.code == "cod_above_cap"
    assert _counts(tenant) == counts


def test_a_commune_that_is_not_in_the_province_is_refused() -> None:
    tenant = make_tenant()
    delivery = {"street": "1 Lê Lợi", "ward_code": WARD_IN_HANOI, "province_code": PROVINCE_HCMC}

    with pytest.raises(AddressInvalid) as refused:
        _create(tenant, delivery=delivery)

    assert refused.value.code == "address_invalid"
    assert refused.value.field == "delivery.ward_code"
    assert _counts(tenant) == (0, 0, 0, 0)


def test_a_shipper_of_another_tenant_is_answered_like_a_missing_one() -> None:
    tenant = make_tenant()
    foreign = make_shipper(make_tenant())

    with pytest.raises(ShipperUnknown):
        _create(tenant, shipper=foreign)

    assert _counts(tenant) == (0, 0, 0, 0)


def test_a_window_that_ends_before_it_starts_is_refused() -> None:
    tenant = make_tenant()
    now = timezone.now()

    with pytest.raises(WindowInvalid):
        _create(tenant, delivery_window_start=now, delivery_window_end=now)

    assert _counts(tenant) == (0, 0, 0, 0)


def test_pallets_get_sscc_numbers_from_the_tenants_gs1_prefix() -> None:
    tenant = make_tenant()
    make_settings(tenant, gs1_company_prefix="8930000", sscc_extension_digit=3)

    created = _create(tenant, parcels=[{"weight_g": 400_000, "pallet": True}, {"weight_g": 900}])

    first, second = created.shipments
    assert first.sscc == "389300000000000010"[:17] + first.sscc[-1]
    assert sscc_is_valid(first.sscc)
    assert second.sscc is None
    again = _create(tenant, parcels=[{"weight_g": 1000, "pallet": True}])
    assert again.shipments[0].sscc[:17] == "38930000000000002"


def test_a_pallet_without_a_gs1_prefix_is_refused() -> None:
    tenant = make_tenant()
    make_settings(tenant)

    with pytest.raises(PalletNeedsGs1Prefix):
        _create(tenant, parcels=[{"weight_g": 1000, "pallet": True}])

    assert _counts(tenant) == (0, 0, 0, 0)


def test_a_viewer_cannot_create_orders() -> None:
    tenant = make_tenant()
    data = order_input(make_shipper(tenant))

    with tenant_context(tenant), pytest.raises(NotAllowed):
        order_create(actor=operations_principal(tenant, Role.VIEWER), data=data)

    assert _counts(tenant) == (0, 0, 0, 0)


_TEXT_PATHS = [
    ("reference",),
    ("notes",),
    ("delivery", "street"),
    ("delivery", "legacy_text"),
    ("consignee", "name"),
    ("consignee", "phone"),
    ("consignee", "email"),
    ("items", 0, "description"),
]


@pytest.mark.parametrize("path", _TEXT_PATHS)
@pytest.mark.parametrize("bad", ["a\x00b", "a\u202eb", "\ud800", "a\x07"])
def test_control_bidi_and_surrogate_characters_are_refused_in_every_text_field(
    path: tuple[Any, ...], bad: str
) -> None:
    shipper = make_shipper(make_tenant())
    values: dict[str, Any] = order_input(shipper).model_dump(mode="json")
    target: Any = values
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = bad

    with pytest.raises(ValidationError) as refused:
        type(order_input(shipper)).model_validate(values)

    assert refused.value.errors()[0]["loc"][: len(path)] == path


def test_odd_unicode_is_stored_in_its_normal_form() -> None:
    tenant = make_tenant()

    created = _create(
        tenant,
        consignee={"name": "  Nguye\u0302\u0303n\u00a0Văn\u200b An ", "phone": "\uff10912345678"},
        notes="Gọi trước\r\n  khi giao ",
    )

    order = Order.dangerously_unscoped.get(pk=created.order.pk)
    assert order.consignee_name == "Nguyễn Văn An"
    assert order.consignee_phone == "+84912345678"
    assert order.notes == "Gọi trước\nkhi giao"


@pytest.mark.parametrize(
    "parcel",
    [
        {"weight_g": -1},
        {"weight_g": 0},
        {"weight_g": 50_000_001},
        {"weight_g": 10, "length_mm": 0},
        {"weight_g": 10, "height_mm": 2**63},
    ],
)
def test_impossible_weights_and_dimensions_are_refused(parcel: dict[str, int]) -> None:
    with pytest.raises(ValidationError):
        order_input(make_shipper(make_tenant()), parcels=[parcel])


@pytest.mark.parametrize(
    "fields",
    [
        {"cod_amount_vnd": -1},
        {"cod_amount_vnd": 2**63},
        {"parcels": []},
        {"consignee": {"name": "An", "phone": "12"}},
        {"delivery": {"street": "", "ward_code": 4, "province_code": 1}},
        {"delivery": {"street": "x", "ward_code": 2**40, "province_code": 1}},
        {"delivery_window_start": "2026-01-01T08:00:00"},
    ],
)
def test_bad_order_shapes_are_refused_before_the_service(fields: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        order_input(make_shipper(make_tenant()), **fields)


def test_an_order_changes_while_nothing_was_picked_up() -> None:
    tenant = make_tenant()
    created = make_order(tenant, parcels=2)
    patch = OrderPatch(
        service_level=ServiceLevel.SAME_DAY, notes="Giao giờ hành chính", cod_amount_vnd=0
    )

    with tenant_context(tenant):
        order = order_update(actor=operations_principal(tenant), order=created.order, patch=patch)

    assert (order.service_level, order.notes, order.cod_amount_vnd) == (
        "same_day",
        "Giao giờ hành chính",
        0,
    )
    levels = Shipment.dangerously_unscoped.filter(order=order).values_list(
        "service_level", flat=True
    )
    assert set(levels) == {"same_day"}
    assert AuditEntry.objects.filter(action="order_updated").latest("sequence").details == {
        "fields": ["cod_amount_vnd", "notes", "service_level"]
    }


def test_after_pickup_only_reference_and_notes_change() -> None:
    tenant = make_tenant()
    created = make_order(tenant)
    actor = operations_principal(tenant)
    with tenant_context(tenant):
        shipment_record_event(
            actor=actor,
            shipment=created.shipments[0],
            status="picked_up",
            occurred_at=timezone.now(),
            source="user",
            idempotency_key="p",
        )
        with pytest.raises(OrderNotEditable):
            order_update(actor=actor, order=created.order, patch=OrderPatch(cod_amount_vnd=1))
        order = order_update(actor=actor, order=created.order, patch=OrderPatch(notes="Dễ vỡ"))

    assert (order.notes, order.cod_amount_vnd) == ("Dễ vỡ", 250_000)


def test_cancelling_an_order_cancels_every_shipment() -> None:
    tenant = make_tenant()
    created = make_order(tenant, parcels=3)

    with tenant_context(tenant):
        order = order_cancel(actor=operations_principal(tenant), order=created.order)

    assert order.cancelled_at is not None
    statuses = Shipment.dangerously_unscoped.filter(order=order).values_list("status", flat=True)
    assert list(statuses) == ["cancelled"] * 3


def test_bulk_cancel_is_all_or_nothing_and_names_the_shipments_past_pickup() -> None:
    tenant = make_tenant()
    first = make_order(tenant).shipments[0]
    second = make_order(tenant).shipments[0]
    actor = operations_principal(tenant)
    with tenant_context(tenant):
        shipment_record_event(
            actor=actor,
            shipment=second,
            status="picked_up",
            occurred_at=timezone.now(),
            source="user",
            idempotency_key="p2",
        )
        events = ShipmentEvent.objects.count()
        with pytest.raises(CancelRefused) as refused:
            shipments_cancel(actor=actor, shipments=[first, second])

        assert refused.value.waybills == [second.waybill]
        assert ShipmentEvent.objects.count() == events
        assert Shipment.objects.get(pk=first.pk).status == "created"


def test_a_retried_bulk_cancel_is_a_replay() -> None:
    tenant = make_tenant()
    shipments = make_order(tenant, parcels=2).shipments
    actor = operations_principal(tenant)
    with tenant_context(tenant):
        shipments_cancel(actor=actor, shipments=shipments)
        again = shipments_cancel(actor=actor, shipments=shipments)

    assert [o.replayed for o in again] == [True, True]
