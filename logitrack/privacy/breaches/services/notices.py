"""Notices of a breach to the people affected and to the owners of the tenants affected.

Sent once: ``breach_notices_send`` creates one ``BreachNotice`` per recipient (unique per breach
and recipient, on both databases) and moves the breach to ``subjects_notified``; a second call
raises NoticesAlreadySent and creates and sends nothing. The job (``tasks.breach_notices_deliver``)
claims each queued notice with a conditional update before sending it, so a job run twice, or
two workers, never send a notice twice (at most once: a crash between claim and send leaves the
notice marked sent; the officer sees it in the delivery log).

Recipients: account holders by their account's e-mail and language; consignees by the order's
e-mail address when the tenant recorded one, in Vietnamese (a consignee chose no language);
every owner of an affected tenant, with that tenant's counts. Drivers have no e-mail address in
Logitrack: their tenant (the controller of their data) is told how many of its drivers are
affected.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from logitrack.accounts.models import User
from logitrack.privacy.breaches.errors import BreachWrongState, NoticesAlreadySent
from logitrack.privacy.breaches.models import (
    AffectedSubject,
    AffectedTenant,
    Breach,
    BreachNotice,
    SubjectKind,
)
from logitrack.privacy.breaches.services.common import staff_actor
from logitrack.security.services import audit_record

BATCH = 1000
LANGUAGES = {code for code, _ in settings.LANGUAGES}


def _language(value: str) -> str:
    return value if value in LANGUAGES else "vi"


def _person_notices(breach: Breach) -> Iterator[BreachNotice]:
    user_ids = (
        AffectedSubject.objects.filter(breach=breach, kind=SubjectKind.USER)
        .order_by()
        .values_list("ref", flat=True)
        .distinct()
        .iterator(chunk_size=BATCH)
    )
    for chunk in _chunks(user_ids):
        for user_id, language in User.objects.filter(
            pk__in=[int(r) for r in chunk], is_active=True
        ).values_list("pk", "language"):
            yield BreachNotice(
                breach=breach,
                audience=BreachNotice.Audience.PERSON,
                recipient_key=f"user:{user_id}",
                language=_language(language),
            )
    from logitrack.logistics.models import Order

    order_ids = (
        AffectedSubject.objects.filter(breach=breach, kind=SubjectKind.CONSIGNEE)
        .order_by()
        .values_list("ref", flat=True)
        .distinct()
        .iterator(chunk_size=BATCH)
    )
    for chunk in _chunks(order_ids):
        orders = Order.dangerously_unscoped.filter(pk__in=[int(r) for r in chunk]).only(
            "pk", "tenant_id", "consignee_email"
        )
        for order in orders:
            if order.consignee_email:
                yield BreachNotice(
                    breach=breach,
                    audience=BreachNotice.Audience.PERSON,
                    recipient_key=f"consignee:{order.pk}",
                    tenant_key=order.tenant_id,
                    language="vi",
                )


def _owner_notices(breach: Breach) -> Iterator[BreachNotice]:
    from logitrack.tenancy.models import Membership
    from logitrack.tenancy.roles import Role

    tenant_ids = list(
        AffectedTenant.objects.filter(breach=breach).values_list("tenant_id", flat=True)
    )
    owners = (
        Membership.dangerously_unscoped.filter(
            tenant_id__in=tenant_ids, role=Role.OWNER, user__is_active=True
        )
        .order_by("tenant_id", "user_id")
        .values_list("tenant_id", "user_id", "user__language")
    )
    for tenant_id, user_id, language in owners.iterator(chunk_size=BATCH):
        yield BreachNotice(
            breach=breach,
            audience=BreachNotice.Audience.TENANT,
            recipient_key=f"owner:{tenant_id}:{user_id}",
            tenant_key=tenant_id,
            language=_language(language),
        )


def _chunks(values: Iterator[str]) -> Iterator[list[str]]:
    chunk: list[str] = []
    for value in values:
        chunk.append(value)
        if len(chunk) >= BATCH:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def breach_notices_send(*, actor: User, breach: Breach) -> int:
    """Queue one notice per affected person and per owner of an affected tenant; returns how
    many. NoticesAlreadySent when notices of this breach exist (a second send), BreachWrongState
    before the authority report: both change and send nothing."""
    audit_actor = staff_actor(actor)
    try:
        with transaction.atomic():
            locked = Breach.objects.select_for_update().get(pk=breach.pk)
            if BreachNotice.objects.filter(breach=locked).exists():
                raise NoticesAlreadySent()
            if locked.status != Breach.Status.AUTHORITY_REPORTED:
                raise BreachWrongState()
            people = owners = 0
            batch: list[BreachNotice] = []
            for notice in chain(_person_notices(locked), _owner_notices(locked)):
                if notice.audience == BreachNotice.Audience.PERSON:
                    people += 1
                else:
                    owners += 1
                batch.append(notice)
                if len(batch) >= BATCH:
                    BreachNotice.objects.bulk_create(batch)
                    batch = []
            BreachNotice.objects.bulk_create(batch)
            locked.status = Breach.Status.SUBJECTS_NOTIFIED
            locked.notified_at = timezone.now()
            locked.save(update_fields=["status", "notified_at"])
            audit_record(
                action="breach_notices_queued",
                actor=audit_actor,
                object_type="breach",
                object_id=str(locked.pk),
                details={"people": people, "tenant_owners": owners},
            )
            transaction.on_commit(lambda: _deliver(locked.pk))
    except IntegrityError as exc:
        # Another officer's send won the race: the unique constraint refused the duplicates.
        raise NoticesAlreadySent() from exc
    return people + owners


def _deliver(breach_id: int) -> None:
    from logitrack.privacy.breaches.tasks import breach_notices_deliver

    breach_notices_deliver.enqueue(breach_id)
