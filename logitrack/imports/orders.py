"""From checked rows to orders: the core's typed input for every row, then a bulk write.

:func:`prepare_orders` turns each :class:`~logitrack.imports.rows.OrderRow` into the core's
``logistics.inputs.OrderInput`` (the same validation every other way of creating an order
goes through): the address is resolved to a 2025 commune by ``addresses.address_resolve``
(cached per distinct address, so a sheet of 100,000 rows to 2,000 addresses resolves 2,000
times), the COD cap is ``logistics.limits.cod_cap_vnd()``, and a reference that already names
an order of the tenant is refused (a file imported twice creates nothing twice).

:func:`create_orders` is the bulk path of the import (docs/adr/0022, 0028): per batch one
insert (COPY on PostgreSQL, ``executemany`` on SQLite) each of orders, items, shipments and
their ``created`` timeline events (``imports.bulk.insert_values``, columns without model
instances), the columns built by the same functions ``order_create`` uses
(``logistics.services.orders.order_fields``, ``item_fields`` ...), with
waybills from the core's numbering (``logistics.numbers.new_waybill`` under the tenant's prefix;
a collision re-draws the batch's waybills, the unique constraint deciding), contact fields
sealed and indexed by the model fields' own code on insert, and one audit entry per batch. The
per-order service writes one audit entry per order, which serialises on the audit chain's
head and cannot reach thousands of rows per second.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from pydantic import ValidationError

from logitrack.imports.models import ImportJob
from logitrack.imports.reading import SheetRefused
from logitrack.imports.report import Issue, issue, refusal_params
from logitrack.imports.rows import OrderRow

PROGRESS_EVERY = 2000
WAYBILL_ATTEMPTS = 8

# Where a field of OrderInput comes from in the sheet, for the report.
_INPUT_COLUMNS = {
    "reference": "reference",
    "consignee.name": "consignee_name",
    "consignee.phone": "consignee_phone",
    "consignee.email": "consignee_email",
    "delivery.street": "address",
    "delivery.legacy_text": "address",
    "service_level": "service_level",
    "cod_amount_vnd": "cod_amount",
    "declared_value_vnd": "declared_value",
    "notes": "notes",
    "items.0.description": "item_description",
    "items.0.quantity": "quantity",
    "items.0.declared_value_vnd": "declared_value",
    "parcels.0.weight_g": "weight_grams",
}


def _column_of(job: ImportJob, field_key: str) -> str:
    mapping = list(job.mapping)
    keys = [field_key] if field_key != "weight_grams" else ["weight_grams", "weight_kg"]
    for key in keys:
        if key in mapping:
            return str(job.headers[mapping.index(key)])
    return ""


def _address_column(job: ImportJob) -> str:
    for key in ("commune", "address", "province"):
        column = _column_of(job, key)
        if column:
            return column
    return ""


def _candidate_labels(candidates: Sequence[Any]) -> str:
    labels = [str(getattr(c, "label", "")) for c in candidates[:5]]
    return "; ".join(label for label in labels if label)


class _AddressCache:
    """``address_resolve`` once per distinct (address, province, district, commune) of a sheet;
    the units it returns are checked once by ``tenancy.geography`` (commune in province)."""

    def __init__(self) -> None:
        self._found: dict[tuple[str, str, str, str], Any] = {}

    def resolve(self, row: OrderRow) -> Any:
        from logitrack.addresses import AddressUnresolved, address_resolve
        from logitrack.tenancy.geography import validate_province_and_ward

        key = (row.address, row.province, row.district, row.commune)
        if key in self._found:
            return self._found[key]
        try:
            found: Any = address_resolve(
                row.address,
                province=row.province or None,
                district=row.district or None,
                commune=row.commune or None,
            )
            validate_province_and_ward(found.province_code, found.ward_code)
        except AddressUnresolved as exc:
            found = exc
        except DjangoValidationError:
            found = AddressUnresolved("address_commune_not_in_province")
        self._found[key] = found
        return found


def prepare_orders(
    job: ImportJob,
    rows: Sequence[OrderRow],
    *,
    on_progress: Callable[[int], None] | None = None,
) -> tuple[list[tuple[int, Any]], list[Issue]]:
    """``[(row number, OrderInput)]`` for the rows that pass, and the issues of the others."""
    from logitrack.addresses import AddressUnresolved
    from logitrack.logistics.inputs import OrderInput
    from logitrack.logistics.limits import cod_cap_vnd
    from logitrack.logistics.models import Order, Shipper

    addresses = _AddressCache()
    prepared: list[tuple[int, Any]] = []
    issues: list[Issue] = []
    cap = cod_cap_vnd()
    if job.shipper_id is None or not Shipper.objects.filter(pk=job.shipper_id).exists():
        raise SheetRefused(
            "shipper_not_found", gettext("The shipper of this import no longer exists.")
        )
    references = [row.reference for row in rows if row.reference]
    existing: set[str] = set()
    for start in range(0, len(references), 500):
        chunk = references[start : start + 500]
        existing.update(
            Order.objects.filter(reference__in=chunk).values_list("reference", flat=True)
        )
    for position, row in enumerate(rows, start=1):
        if on_progress is not None and position % PROGRESS_EVERY == 0:
            on_progress(position)
        if row.reference and row.reference in existing:
            issues.append(issue(row.row, _column_of(job, "reference"), "reference_exists"))
            continue
        if row.cod_amount > cap:
            issues.append(
                issue(row.row, _column_of(job, "cod_amount"), "money_above_cap", maximum=cap)
            )
            continue
        address = addresses.resolve(row)
        if isinstance(address, AddressUnresolved):
            issues.append(
                issue(
                    row.row,
                    _address_column(job),
                    address.code,
                    candidates=_candidate_labels(address.candidates),
                )
            )
            continue
        data: dict[str, Any] = {
            "shipper_id": job.shipper_id,
            "reference": row.reference,
            "delivery": {
                "street": address.street or row.address,
                "ward_code": address.ward_code,
                "province_code": address.province_code,
                "legacy_text": address.legacy_text,
            },
            "consignee": {
                "name": row.consignee_name,
                "phone": row.consignee_phone,
                "email": row.consignee_email or None,
            },
            "service_level": row.service_level,
            "cod_amount_vnd": row.cod_amount,
            "declared_value_vnd": row.declared_value or None,
            "notes": row.notes,
            "items": (
                [
                    {
                        "description": row.item_description,
                        "quantity": row.quantity,
                        "declared_value_vnd": row.declared_value,
                    }
                ]
                if row.item_description
                else []
            ),
            "parcels": [{"weight_g": row.weight_grams}],
        }
        try:
            prepared.append((row.row, OrderInput.model_validate(data)))
        except ValidationError as exc:
            for error in exc.errors():
                location = ".".join(str(part) for part in error.get("loc", ()))
                column = _column_of(job, _INPUT_COLUMNS.get(location, ""))
                issues.append(issue(row.row, column, "order_invalid", **refusal_params(error)))
    return prepared, issues


def declared_value(data: Any) -> int:
    """The order's declared value as ``order_create`` stores it: given, else the items' sum."""
    if data.declared_value_vnd is not None:
        return int(data.declared_value_vnd)
    return sum(item.quantity * item.declared_value_vnd for item in data.items)


def _build(
    job: ImportJob, row: int, data: Any, *, shipper_id: int, pickup: Any, now: Any
) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]:
    """The columns of the order, items and parcel of one row, by the core's own builders (the
    ones ``order_create`` uses), so that both ways of creating an order store the same thing."""
    from logitrack.logistics.services.orders import (
        fingerprint,
        item_fields,
        order_fields,
        shipment_fields,
    )

    order = order_fields(
        tenant_id=job.tenant_id,
        shipper_id=shipper_id,
        data=data,
        pickup=pickup,
        declared_value_vnd=declared_value(data),
        created_by_id=job.created_by_id,
        created_by_api_key_id=None,
        idempotency_key=f"import:{job.pk}:{row}",
        idempotency_fingerprint=fingerprint(data),
        now=now,
    )
    items = item_fields(job.tenant_id, data)
    shipment = shipment_fields(
        job.tenant_id,
        1,
        data.parcels[0],
        service_level=order["service_level"],
        delivery_province_code=order["delivery_province_code"],
        sscc=None,
        now=now,
    )
    return order, items, shipment


def create_orders(job: ImportJob, prepared: Sequence[tuple[int, Any]]) -> tuple[int, list[Issue]]:
    """Create the orders of ``prepared`` in bulk; ``(created, issues)``. Call inside a transaction.

    Each order gets its items, one shipment (parcel 1) with a new waybill and the shipment's
    ``created`` timeline event (source ``import``); one audit entry ``import_orders_created``
    names the job and the count. The pickup address is the shipper's own. The rows are written
    as columns (``imports.bulk.insert_values``), without model instances; the contact fields
    are sealed under the tenant's key, looked up once per batch. A database refusal (a
    constraint) raises; the caller's transaction then rolls the batch back.
    """
    from logitrack.imports.bulk import insert_values
    from logitrack.logistics.models import Order, OrderItem, Shipment, ShipmentEvent, Shipper
    from logitrack.logistics.numbers import new_waybill
    from logitrack.logistics.services.numbering import logistics_settings_for_update
    from logitrack.logistics.services.orders import created_event_fields, shipper_address
    from logitrack.logistics.status import EventSource

    if not prepared:
        return 0, []
    now = timezone.now()
    numbering = logistics_settings_for_update(job.tenant_id)
    shippers = {s.pk: s for s in Shipper.objects.filter(pk__in={d.shipper_id for _, d in prepared})}
    # The pickup is the shipper's own address, as order_create takes it when none is given.
    pickups = {pk: shipper_address(shipper) for pk, shipper in shippers.items()}
    orders, items, shipments = [], [], []
    for row, data in prepared:
        shipper = shippers.get(data.shipper_id)
        if shipper is None:
            return 0, [issue(row, "", "order_invalid", detail="shipper_not_found")]
        order, order_items, shipment = _build(
            job,
            row,
            data,
            shipper_id=shipper.pk,
            pickup=data.pickup or pickups[shipper.pk],
            now=now,
        )
        orders.append(order)
        items.append(order_items)
        shipments.append(shipment)
    order_ids = insert_values(Order, orders)
    all_items = []
    for order_id, order_items, shipment in zip(order_ids, items, shipments, strict=True):
        for item in order_items:
            item["order_id"] = order_id
            all_items.append(item)
        shipment["order_id"] = order_id
    insert_values(OrderItem, all_items)
    for attempt in range(WAYBILL_ATTEMPTS):
        for shipment in shipments:
            shipment["waybill"] = new_waybill(numbering.waybill_prefix)
        try:
            with transaction.atomic():
                shipment_ids = insert_values(Shipment, shipments)
            break
        except IntegrityError as exc:
            message = str(exc).lower()
            if attempt == WAYBILL_ATTEMPTS - 1 or "waybill" not in message:
                raise
    events = []
    for shipment_id, shipment in zip(shipment_ids, shipments, strict=True):
        event = created_event_fields(
            job.tenant_id,
            shipment["waybill"],
            source=EventSource.IMPORT.value,
            actor_user_id=job.created_by_id,
            actor_api_key_id=None,
            now=now,
        )
        event["shipment_id"] = shipment_id
        events.append(event)
    insert_values(ShipmentEvent, events)
    _audit_batch(job, len(orders), order_ids[0], order_ids[-1])
    return len(orders), []


def _audit_batch(job: ImportJob, count: int, first: int, last: int) -> None:
    from logitrack.security.actors import Actor
    from logitrack.security.services import audit_record

    actor = Actor.user(job.created_by) if job.created_by is not None else Actor.anonymous()
    audit_record(
        action="import_orders_created",
        actor=actor,
        tenant_id=job.tenant_id,
        object_type="import_job",
        object_id=str(job.pk),
        details={"orders": count, "first_order_id": first, "last_order_id": last},
    )
