"""Who a breach affected, computed from the data inventory and the audit trail.

For a breach of data categories C over the time range [start, end]:

1. The inventory names every stored field whose category is one of C or below one of them
   (``user.contact`` covers ``user.contact.email``), restricted to the breach's tables if given.
2. In each such model, the rows in the range count as affected records: rows of event tables
   (a position, a shipment event: ``fix_time``, ``occurred_at``...) recorded within the range,
   rows of entity tables (an order, a driver: ``created_at``, ``date_joined``) that existed by
   its end. A model with neither field counts every row.
3. The people: for each subject kind whose fields are affected (user, consignee, driver,
   shipper contact), the row's own id when the model is that person's record (``accounts.User``,
   ``tracking.Driver``, ``logistics.Order`` for its consignee, ``logistics.Shipper``), else the
   foreign-key path from the row to that record (``Position.driver``,
   ``ShipmentEvent.shipment.order``), found from the model graph, two hops at most.
4. The tenants: every tenant with affected rows, plus every tenant whose affected objects the
   audit trail shows were acted on in the range (a row deleted since still had data then).

Counting is done by the database (``GROUP BY``); people are streamed with ``iterator()`` into
``AffectedSubject`` in batches, so no table is loaded into memory whatever its size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models
from django.db.models import Count

from logitrack.privacy.breaches.models import AffectedSubject, AffectedTenant, Breach, SubjectKind
from logitrack.privacy.breaches.register import category_covers
from logitrack.privacy.inventory import INVENTORY, AnyModel, Subject

BATCH = 2000
EVENT_TIME_FIELDS = ("fix_time", "occurred_at", "recorded_at", "server_time", "received_at")
ENTITY_TIME_FIELDS = ("created_at", "date_joined", "uploaded_at")

# The model that *is* each kind of person's record, and the kind's inventory subject.
SUBJECT_RECORDS: dict[SubjectKind, tuple[str, Subject]] = {
    SubjectKind.USER: ("accounts.user", Subject.USER),
    SubjectKind.CONSIGNEE: ("logistics.order", Subject.CONSIGNEE),
    SubjectKind.DRIVER: ("tracking.driver", Subject.DRIVER),
    SubjectKind.SHIPPER: ("logistics.shipper", Subject.TENANT_CONTACT),
}


@dataclass(frozen=True)
class AffectedModel:
    """One model holding affected fields: which fields, whose, and how to find the people."""

    model: AnyModel
    fields: tuple[str, ...]
    subjects: tuple[tuple[SubjectKind, str], ...]  # (kind, ORM path to the person's record id)
    time_field: str
    time_kind: str  # "event", "entity" or "" (no time field: every row)

    @property
    def label(self) -> str:
        return self.model._meta.label_lower


def affected_models(categories: Iterable[str], only: Iterable[str] = ()) -> list[AffectedModel]:
    """Every model with a field in ``categories`` (or below), limited to labels ``only``."""
    wanted = [c for c in categories if c]
    limit = {label.lower() for label in only}
    by_model: dict[AnyModel, list[tuple[str, Subject]]] = defaultdict(list)
    for classified in INVENTORY.classified_fields():
        model = classified.model
        if limit and model._meta.label_lower not in limit:
            continue
        category = classified.classification.category
        if any(category_covers(w, category) for w in wanted):
            by_model[model].append((classified.field.name, classified.classification.subject))
    found: list[AffectedModel] = []
    for model, hits in by_model.items():
        present = {subject for _, subject in hits}
        subjects: list[tuple[SubjectKind, str]] = []
        for kind, (record_label, subject) in SUBJECT_RECORDS.items():
            if subject not in present:
                continue
            path = _path_to(model, record_label)
            if path is not None:
                subjects.append((kind, path))
        time_field, time_kind = _time_field(model)
        found.append(
            AffectedModel(
                model=model,
                fields=tuple(name for name, _ in hits),
                subjects=tuple(subjects),
                time_field=time_field,
                time_kind=time_kind,
            )
        )
    return sorted(found, key=lambda m: m.label)


def _path_to(model: AnyModel, record_label: str) -> str | None:
    """The ORM path from ``model``'s rows to the id of a ``record_label`` row, or None."""
    if model._meta.label_lower == record_label:
        return "pk"
    firsts = list(_foreign_keys(model))
    for first in firsts:
        if first.related_model._meta.label_lower == record_label:
            return str(first.attname)
    for first in firsts:
        for second in _foreign_keys(first.related_model):
            if second.related_model._meta.label_lower == record_label:
                return f"{first.name}__{second.attname}"
    return None


def _foreign_keys(model: Any) -> Iterator[Any]:
    for field in model._meta.concrete_fields:
        if isinstance(field, models.ForeignKey) and field.name != "tenant":
            yield field


def _time_field(model: AnyModel) -> tuple[str, str]:
    names = {f.name for f in model._meta.concrete_fields}
    for name in EVENT_TIME_FIELDS:
        if name in names:
            return name, "event"
    for name in ENTITY_TIME_FIELDS:
        if name in names:
            return name, "entity"
    return "", ""


def _rows(item: AffectedModel, start: datetime, end: datetime) -> models.QuerySet[Any]:
    manager = getattr(item.model, "dangerously_unscoped", None) or item.model._default_manager
    queryset: models.QuerySet[Any] = manager.all()
    if item.time_kind == "event":
        queryset = queryset.filter(**{f"{item.time_field}__range": (start, end)})
    elif item.time_kind == "entity":
        queryset = queryset.filter(**{f"{item.time_field}__lte": end})
    return queryset


def _has_tenant(model: AnyModel) -> bool:
    return any(f.attname == "tenant_id" for f in model._meta.concrete_fields)


def _object_types(model: AnyModel) -> list[str]:
    """The names the audit trail uses for a model's objects ("order", "tracking.device")."""
    return [model._meta.model_name or "", model._meta.label_lower]


@dataclass
class Computation:
    records: int
    subjects: int
    tenants: int


def compute_affected(breach: Breach) -> Computation:
    """Replace ``breach``'s affected tenants and people with a fresh computation.

    Must run inside the caller's transaction (``breach_assess``). Returns the totals.
    """
    from logitrack.security.models import AuditEntry

    start, end = breach.occurred_from, breach.occurred_until
    AffectedSubject.objects.filter(breach=breach).delete()
    AffectedTenant.objects.filter(breach=breach).delete()
    records_by_tenant: dict[int, int] = defaultdict(int)
    total_records = 0
    items = affected_models(breach.categories, breach.affected_models)
    for item in items:
        rows = _rows(item, start, end)
        if _has_tenant(item.model):
            for tenant_id, count in (
                rows.order_by().values_list("tenant_id").annotate(n=Count("pk")).iterator()
            ):
                records_by_tenant[int(tenant_id)] += int(count)
                total_records += int(count)
        else:
            total_records += rows.count()
        for kind, path in item.subjects:
            _store_subjects(breach, kind, rows, path, tenant=_has_tenant(item.model))
    audit_events: dict[int, int] = {}
    object_types = [t for item in items for t in _object_types(item.model)]
    if object_types:
        audit_events = {
            int(tenant_id): int(n)
            for tenant_id, n in AuditEntry.objects.filter(
                created_at__range=(start, end),
                object_type__in=object_types,
                tenant_id__isnull=False,
            )
            .order_by()
            .values_list("tenant_id")
            .annotate(n=Count("pk"))
            .iterator()
        }
    subjects_by_tenant = dict(
        AffectedSubject.objects.filter(breach=breach)
        .exclude(tenant_key=0)
        .order_by()
        .values_list("tenant_key")
        .annotate(n=Count("pk"))
    )
    tenant_ids = sorted(set(records_by_tenant) | set(audit_events))
    AffectedTenant.objects.bulk_create(
        [
            AffectedTenant(
                breach=breach,
                tenant_id=tenant_id,
                records=records_by_tenant.get(tenant_id, 0),
                subjects=int(subjects_by_tenant.get(tenant_id, 0)),
                audit_events=audit_events.get(tenant_id, 0),
            )
            for tenant_id in tenant_ids
        ],
        batch_size=BATCH,
    )
    people = (
        AffectedSubject.objects.filter(breach=breach)
        .order_by()
        .values("kind", "ref")
        .distinct()
        .count()
    )
    return Computation(records=total_records, subjects=people, tenants=len(tenant_ids))


def _store_subjects(
    breach: Breach, kind: SubjectKind, rows: models.QuerySet[Any], path: str, *, tenant: bool
) -> None:
    columns = (path, "tenant_id") if tenant else (path,)
    stream = (
        rows.exclude(**{f"{path}__isnull": True})
        .order_by()
        .values_list(*columns)
        .distinct()
        .iterator(chunk_size=BATCH)
    )
    batch: list[AffectedSubject] = []
    for values in stream:
        batch.append(
            AffectedSubject(
                breach=breach,
                kind=kind,
                ref=str(values[0]),
                tenant_key=int(values[1]) if tenant else 0,
            )
        )
        if len(batch) >= BATCH:
            AffectedSubject.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    if batch:
        AffectedSubject.objects.bulk_create(batch, ignore_conflicts=True)
