"""From checked rows to orders: the core's typed input for every row, then a bulk write.

:func:`prepare_orders` turns each :class:`~logitrack.imports.rows.OrderRow` into the core's
``logistics.inputs.OrderInput`` (the same validation every other way of creating an order
goes through): the address is resolved to a 2025 commune by ``addresses.address_resolve``
(cached per distinct address, so a sheet of 100,000 rows to 2,000 addresses resolves 2,000
times), the COD cap is ``logistics.limits.cod_cap_vnd()``, and a reference that already names
an order of the tenant is refused (a file imported twice creates nothing twice).

:func:`build_batch` and :func:`write_batch` (together :func:`create_orders`) are the bulk path
of the import (docs/adr/0022, 0028, 0051): per batch one insert (binary COPY on PostgreSQL,
``executemany`` on SQLite) each of orders, items, shipments and their ``created`` timeline
events (``imports.bulk.columns_of`` then ``insert_columns``, columns without model
instances; the build queries nothing, so the pipeline runs it one batch ahead of the writes),
the columns built by the same functions ``order_create`` uses
(``logistics.services.orders.order_fields``, ``item_fields`` ...), with
waybills from the core's numbering (``logistics.numbers.new_waybill`` under the tenant's prefix;
a collision re-draws the batch's waybills, the unique constraint deciding), contact fields
sealed and indexed by the model fields' own code on insert, and one audit entry per batch. The
per-order service writes one audit entry per order, which serialises on the audit chain's
head and cannot reach thousands of rows per second.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
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
from logitrack.logistics.limits import MONEY_MAX_VND

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


@dataclass
class PrepareContext:
    """What checking rows needs from the database, looked up once per job (main thread):
    the COD cap and the references that already name an order of the tenant."""

    cap: int
    existing: set[str]
    addresses: _AddressCache = field(default_factory=_AddressCache)


def prepare_context(job: ImportJob, rows: Sequence[OrderRow]) -> PrepareContext:
    """The :class:`PrepareContext` of ``rows``; SheetRefused ``shipper_not_found`` when the
    job's shipper no longer exists."""
    from logitrack.logistics.limits import cod_cap_vnd
    from logitrack.logistics.models import Order, Shipper

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
    return PrepareContext(cap=cod_cap_vnd(), existing=existing)


def prepare_orders(
    job: ImportJob,
    rows: Sequence[OrderRow],
    *,
    on_progress: Callable[[int], None] | None = None,
    context: PrepareContext | None = None,
) -> tuple[list[tuple[int, Any]], list[Issue]]:
    """``[(row number, OrderInput)]`` for the rows that pass, and the issues of the others.

    With ``context`` (:func:`prepare_context`, looked up beforehand) nothing is queried: the
    import step checks its batches in a thread of their own (``imports.pipeline``)."""
    from logitrack.addresses import AddressUnresolved
    from logitrack.logistics.inputs import OrderInput

    if context is None:
        context = prepare_context(job, rows)
    addresses = context.addresses
    existing = context.existing
    cap = context.cap
    prepared: list[tuple[int, Any]] = []
    issues: list[Issue] = []
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
            order = OrderInput.model_validate(data)
        except ValidationError as exc:
            for error in exc.errors():
                location = ".".join(str(part) for part in error.get("loc", ()))
                column = _column_of(job, _INPUT_COLUMNS.get(location, ""))
                issues.append(issue(row.row, column, "order_invalid", **refusal_params(error)))
            continue
        try:
            declared_value(order)
        except ValueError:
            issues.append(
                issue(
                    row.row,
                    _column_of(job, "declared_value"),
                    "money_above_cap",
                    maximum=MONEY_MAX_VND,
                )
            )
            continue
        prepared.append((row.row, order))
    return prepared, issues


def declared_value(data: Any) -> int:
    """The order's declared value as ``order_create`` stores it: given, else the items' sum;
    ValueError when that sum is above ``limits.MONEY_MAX_VND`` (``order_create`` refuses such an
    order, ``declared_value_vnd``; stored, it could overflow the column)."""
    if data.declared_value_vnd is not None:
        return int(data.declared_value_vnd)
    total: int = sum(item.quantity * item.declared_value_vnd for item in data.items)
    if total > MONEY_MAX_VND:
        raise ValueError("the items' declared values add up to more than MONEY_MAX_VND")
    return total


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


@dataclass
class BuildContext:
    """What building a batch's columns needs from the database, looked up once per job (main
    thread): the shipper and its address (the pickup), and the tenant's write keys."""

    shipper: Any
    pickup: Any
    keys: dict[Any, Any]
    waybill_prefix: str  # "" until the tenant's numbering exists (then drawn on write)


def build_context(job: ImportJob) -> BuildContext:
    """The :class:`BuildContext` of ``job``; SheetRefused ``shipper_not_found`` when its
    shipper no longer exists."""
    from logitrack.imports.bulk import write_keys
    from logitrack.logistics.models import (
        LogisticsSettings,
        Order,
        OrderItem,
        Shipment,
        ShipmentEvent,
        Shipper,
    )
    from logitrack.logistics.services.orders import shipper_address

    shipper = Shipper.objects.filter(pk=job.shipper_id).first()
    if shipper is None:
        raise SheetRefused(
            "shipper_not_found", gettext("The shipper of this import no longer exists.")
        )
    keys = {}
    for model in (Order, OrderItem, Shipment, ShipmentEvent):
        keys.update(write_keys(model, job.tenant_id))
    # A prefix never changes once given (LogisticsSettings); write_batch checks it under lock.
    prefix = (
        LogisticsSettings.objects.filter(tenant_id=job.tenant_id)
        .values_list("waybill_prefix", flat=True)
        .first()
    )
    return BuildContext(
        shipper=shipper,
        pickup=shipper_address(shipper),
        keys=keys,
        waybill_prefix=prefix or "",
    )


@dataclass
class BuiltBatch:
    """A batch of checked rows as the stored columns of its orders, items and parcels, built
    without the database (:func:`build_batch`), written by :func:`write_batch`."""

    rows: list[int]  # sheet row numbers, one per order
    orders: Any  # imports.bulk.Columns; "waybill" and "order_id" columns are filled on write
    items: Any
    item_orders: list[int]  # per item, the index of its order in the batch
    shipments: Any
    shipper_ids: set[int]
    waybills: list[str]  # drawn under ``waybill_prefix`` (none without one)
    waybill_prefix: str
    events: Any  # the parcels' ``created`` events for ``waybills`` (None without them)
    now: Any


def build_batch(
    job: ImportJob, prepared: Sequence[tuple[int, Any]], context: BuildContext
) -> BuiltBatch:
    """The columns of ``prepared`` (``[(row number, OrderInput)]``): each order with its items
    and one parcel, by the core's builders (``_build``), contact fields sealed under the keys
    of ``context``. Queries nothing, so it may run in a thread of its own."""
    from logitrack.imports.bulk import columns_of
    from logitrack.logistics.models import Order, OrderItem, Shipment, ShipmentEvent
    from logitrack.logistics.numbers import new_waybill

    now = timezone.now()
    orders, items, item_orders, shipments = [], [], [], []
    for index, (row, data) in enumerate(prepared):
        if data.pickup is None and data.shipper_id != context.shipper.pk:
            raise ValueError("a row of another shipper needs its own pickup address")
        pickup = data.pickup or context.pickup
        order, order_items, shipment = _build(
            job, row, data, shipper_id=data.shipper_id, pickup=pickup, now=now
        )
        orders.append(order)
        for item in order_items:
            item["order_id"] = None
            items.append(item)
            item_orders.append(index)
        shipment["order_id"] = None
        shipment["waybill"] = ""
        shipments.append(shipment)
    prefix = context.waybill_prefix
    waybills = [new_waybill(prefix) for _ in prepared] if prefix else []
    return BuiltBatch(
        rows=[row for row, _data in prepared],
        orders=columns_of(Order, orders, context.keys),
        items=columns_of(OrderItem, items, context.keys),
        item_orders=item_orders,
        shipments=columns_of(Shipment, shipments, context.keys),
        shipper_ids={data.shipper_id for _row, data in prepared},
        waybills=waybills,
        waybill_prefix=prefix,
        events=(
            columns_of(ShipmentEvent, _created_events(job, waybills, now), context.keys)
            if waybills
            else None
        ),
        now=now,
    )


def _created_events(job: ImportJob, waybills: Sequence[str], now: Any) -> list[dict[str, Any]]:
    """The ``created`` timeline events of new parcels ``waybills`` (``shipment_id`` to fill)."""
    from logitrack.logistics.services.orders import created_event_fields
    from logitrack.logistics.status import EventSource

    events = []
    for waybill in waybills:
        event = created_event_fields(
            job.tenant_id,
            waybill,
            source=EventSource.IMPORT.value,
            actor_user_id=job.created_by_id,
            actor_api_key_id=None,
            now=now,
        )
        event["shipment_id"] = None
        events.append(event)
    return events


def write_batch(job: ImportJob, built: BuiltBatch) -> tuple[int, list[Issue]]:
    """Write ``built``: its orders, items, parcels with new waybills and their ``created``
    timeline events (source ``import``), and one audit entry ``import_orders_created`` naming
    the job and the count; ``(created, issues)``. Call inside a transaction. A shipper removed
    meanwhile is an issue (nothing written); a database refusal (a constraint) raises, and the
    caller's transaction then rolls the batch back."""
    from logitrack.imports.bulk import columns_of, insert_columns
    from logitrack.logistics.models import ShipmentEvent, Shipper
    from logitrack.logistics.numbers import new_waybill
    from logitrack.logistics.services.numbering import logistics_settings_for_update

    count = len(built.rows)
    if not count:
        return 0, []
    numbering = logistics_settings_for_update(job.tenant_id)
    found = set(Shipper.objects.filter(pk__in=built.shipper_ids).values_list("pk", flat=True))
    if found != built.shipper_ids:
        return 0, [issue(built.rows[0], "", "shipper_not_found")]
    order_ids = insert_columns(built.orders)
    insert_columns(built.items, {"order_id": [order_ids[index] for index in built.item_orders]})
    for attempt in range(WAYBILL_ATTEMPTS):
        if attempt == 0 and built.waybills and built.waybill_prefix == numbering.waybill_prefix:
            waybills = built.waybills  # drawn while the previous batch was written
        else:
            waybills = [new_waybill(numbering.waybill_prefix) for _ in range(count)]
        try:
            with transaction.atomic():
                shipment_ids = insert_columns(
                    built.shipments, {"order_id": order_ids, "waybill": waybills}
                )
            break
        except IntegrityError as exc:
            message = str(exc).lower()
            if attempt == WAYBILL_ATTEMPTS - 1 or "waybill" not in message:
                raise
    events = built.events
    if events is None or waybills is not built.waybills:
        events = columns_of(ShipmentEvent, _created_events(job, waybills, built.now))
    insert_columns(events, {"shipment_id": shipment_ids})
    _audit_batch(job, count, order_ids[0], order_ids[-1])
    return count, []


def create_orders(job: ImportJob, prepared: Sequence[tuple[int, Any]]) -> tuple[int, list[Issue]]:
    """Create the orders of ``prepared`` in bulk; ``(created, issues)``. Call inside a transaction.

    :func:`build_batch` then :func:`write_batch` in the calling thread: each order gets its
    items, one shipment (parcel 1) with a new waybill and the shipment's ``created`` timeline
    event; the pickup address is the shipper's own. The rows are written as columns
    (``imports.bulk``), without model instances; the contact fields are sealed under the
    tenant's key, looked up once per call.
    """
    if not prepared:
        return 0, []
    try:
        context = build_context(job)
    except SheetRefused:
        return 0, [issue(prepared[0][0], "", "shipper_not_found")]
    return write_batch(job, build_batch(job, prepared, context))


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
