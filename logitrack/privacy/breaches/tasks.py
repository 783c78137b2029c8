"""Jobs of the breach register: delivering notices, escalating an unreported breach.

Arguments are ids only (the queue stores them); addresses are read when the job runs.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from logitrack.accounts.models import User
from logitrack.core.schedule import periodic
from logitrack.privacy.breaches import emails
from logitrack.privacy.breaches.models import (
    ESCALATION_HOURS,
    AffectedSubject,
    AffectedTenant,
    Breach,
    BreachEscalation,
    BreachNotice,
    SubjectKind,
)
from logitrack.security.actors import Actor
from logitrack.security.services import audit_record

logger = logging.getLogger("logitrack.privacy.breaches")
UNREPORTED = (Breach.Status.OPEN, Breach.Status.ASSESSED)


def _address(notice: BreachNotice) -> str:
    kind, _, rest = notice.recipient_key.partition(":")
    if kind == "user":
        return (
            User.objects.filter(pk=int(rest), is_active=True)
            .values_list("email", flat=True)
            .first()
            or ""
        )
    if kind == "owner":
        user_id = int(rest.split(":")[1])
        return (
            User.objects.filter(pk=user_id, is_active=True).values_list("email", flat=True).first()
            or ""
        )
    if kind == "consignee":
        from logitrack.logistics.models import Order

        order = (
            Order.dangerously_unscoped.filter(pk=int(rest))
            .only("pk", "tenant_id", "consignee_email")
            .first()
        )
        return str(order.consignee_email) if order is not None else ""
    return ""


def _tenant_counts(breach: Breach, tenant_id: int) -> dict[str, int]:
    affected = AffectedTenant.objects.filter(breach=breach, tenant_id=tenant_id).first()
    counts = {"records": affected.records if affected else 0}
    for kind in SubjectKind:
        counts[kind.value] = AffectedSubject.objects.filter(
            breach=breach, tenant_key=tenant_id, kind=kind
        ).count()
    return counts


def _tenant_name(tenant_id: int) -> str:
    from logitrack.tenancy.models import Tenant

    return Tenant.objects.filter(pk=tenant_id).values_list("name", flat=True).first() or ""


def deliver_notice(notice_id: int) -> bool:
    """Send one queued notice; True when a message left. A notice already claimed (sent or
    failed) is never sent again: the claim is a conditional update from ``queued``."""
    claimed = BreachNotice.objects.filter(pk=notice_id, status=BreachNotice.Status.QUEUED).update(
        status=BreachNotice.Status.SENT, sent_at=timezone.now()
    )
    if not claimed:
        return False
    notice = BreachNotice.objects.select_related("breach").get(pk=notice_id)
    breach = notice.breach
    context = emails.breach_context(breach)
    name = "notice_person"
    if notice.audience == BreachNotice.Audience.TENANT:
        name = "notice_tenant"
        context |= {
            "tenant_name": _tenant_name(notice.tenant_key),
            "counts": _tenant_counts(breach, notice.tenant_key),
        }
    address = _address(notice)
    try:
        if not address:
            raise LookupError("no address")
        emails.send(name, notice.language, context, address)
    except Exception:
        logger.exception("breach notice not sent", extra={"notice_id": notice_id})
        BreachNotice.objects.filter(pk=notice_id).update(status=BreachNotice.Status.FAILED)
        return False
    return True


@task()
def breach_notices_deliver(breach_id: int) -> int:
    """Send every queued notice of breach ``breach_id``; returns how many left. Audited once
    with the counts (no address)."""
    queued = (
        BreachNotice.objects.filter(breach_id=breach_id, status=BreachNotice.Status.QUEUED)
        .values_list("pk", flat=True)
        .order_by("pk")
    )
    sent = failed = 0
    for notice_id in list(queued.iterator(chunk_size=1000)):
        if deliver_notice(notice_id):
            sent += 1
        else:
            failed += 1
    if sent or failed:
        audit_record(
            action="breach_notices_delivered",
            actor=Actor.system("breach-notices"),
            object_type="breach",
            object_id=str(breach_id),
            details={"sent": sent, "failed": failed},
        )
    return sent


def escalations_due(now: datetime) -> list[tuple[Breach, int]]:
    """(breach, hours) for every unreported breach past an escalation stage not yet sent."""
    due: list[tuple[Breach, int]] = []
    earliest = now - timedelta(hours=min(ESCALATION_HOURS))
    for breach in Breach.objects.filter(status__in=UNREPORTED, discovered_at__lte=earliest):
        done = set(breach.escalations.values_list("hours", flat=True))
        for hours in ESCALATION_HOURS:
            if hours not in done and breach.discovered_at + timedelta(hours=hours) <= now:
                due.append((breach, hours))
    return due


def escalate(breach: Breach, hours: int) -> int:
    """E-mail every active privacy officer that ``breach`` is unreported ``hours`` after its
    discovery; once per breach and stage (unique constraint). Returns the messages sent."""
    officers = list(
        User.objects.filter(
            platform_role=User.PlatformRole.PRIVACY_OFFICER, is_active=True
        ).values_list("email", "language")
    )
    try:
        with transaction.atomic():
            BreachEscalation.objects.create(breach=breach, hours=hours)
            audit_record(
                action="breach_escalated",
                actor=Actor.system("breach-escalation"),
                object_type="breach",
                object_id=str(breach.pk),
                details={"hours": hours, "officers": len(officers)},
            )
    except IntegrityError:
        return 0  # another run escalated this stage already
    context = emails.breach_context(breach) | {
        "hours": hours,
        "hours_left": max(0, 72 - hours),
        "link": str(settings.LOGITRACK_PUBLIC_URL).rstrip("/")
        + reverse("breaches:breach", kwargs={"breach_id": breach.pk}),
    }
    sent = 0
    for address, language in officers:
        try:
            emails.send(
                "escalation", language if language in ("vi", "en") else "vi", context, address
            )
            sent += 1
        except Exception:
            logger.exception("breach escalation not sent", extra={"breach_id": breach.pk})
    return sent


@periodic("breaches.escalation_sweep", every=timedelta(hours=1))
@task()
def breach_escalations_run() -> int:
    """Send every escalation that is due now; scheduled at 48 h and 66 h after a breach's
    discovery (``services.breaches.breach_register``), swept every hour by the scheduler (in
    case a delayed job was lost) and run by ``logitrack breaches_escalate``. Returns the
    messages sent."""
    return sum(escalate(breach, hours) for breach, hours in escalations_due(timezone.now()))
