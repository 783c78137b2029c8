"""A tenant's marketing campaigns: composed on a page or through ``POST /api/v1/campaigns``,
sent by a background job, with progress and counts.

The job sends only through ``tenant_marketing_send``, which chooses the recipients from the
consent ledger inside the transaction that records each send: a campaign has no other path to
anyone, so a person without a current consent for the channel is skipped, never sent to.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from logitrack.core.tenant import tenant_context
from logitrack.privacy.consent.errors import (
    CampaignKeyReused,
    InvalidCampaign,
    InvalidIdempotencyKey,
    NotAllowed,
)
from logitrack.privacy.consent.models import (
    BODY_MAX,
    SUBJECT_MAX,
    Action,
    Channel,
    ConsigneeContact,
    MarketingCampaign,
    SubjectConsentEvent,
)
from logitrack.privacy.consent.services.marketing import Campaign, tenant_marketing_send
from logitrack.security.actors import Actor
from logitrack.security.services import audit_record
from logitrack.tenancy.audit import actor_of
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Permission
from logitrack.tracking.models import Driver

logger = logging.getLogger("logitrack.consent.campaigns")
BATCH = 200
# How long a sending job holds its campaign without renewing: far above one batch's time.
LEASE = timedelta(minutes=10)
_IDEMPOTENCY_KEY = re.compile(r"[!-~]{1,128}")


@dataclass(frozen=True)
class CampaignInput:
    channel: str
    subject_vi: str
    subject_en: str
    body_vi: str
    body_en: str

    def as_campaign(self, key: str = "campaign-new") -> Campaign:
        return Campaign(
            key=key,
            subject_vi=self.subject_vi,
            subject_en=self.subject_en,
            text_vi=self.body_vi,
            text_en=self.body_en,
        )

    def check(self) -> Channel:
        if self.channel not in Channel.values:
            raise InvalidCampaign(field="channel")
        for name in ("subject_vi", "subject_en", "body_vi", "body_en"):
            # Named, so that an API client reads which one is missing (the page's form says so
            # before it gets here).
            if not str(getattr(self, name)).strip():
                raise InvalidCampaign(_("This field is required."), field=name)
        if (
            max(len(self.subject_vi), len(self.subject_en)) > SUBJECT_MAX
            or max(len(self.body_vi), len(self.body_en)) > BODY_MAX
        ):
            raise InvalidCampaign()
        self.as_campaign().check()
        return Channel(self.channel)

    def fingerprint(self) -> str:
        raw = json.dumps(self.__dict__, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class CampaignCreated:
    campaign: MarketingCampaign
    replayed: bool


def _count_with_consent(model: type[ConsigneeContact] | type[Driver], channel: Channel) -> int:
    column = "consignee" if model is ConsigneeContact else "driver"
    latest = SubjectConsentEvent.objects.filter(
        **{column: OuterRef("pk")}, purpose=channel.purpose
    ).order_by("-id")
    rows: QuerySet[Any] = model.objects.annotate(
        consent_action=Subquery(latest.values("action")[:1])
    )
    return rows.filter(consent_action=Action.GRANT).count()


def campaign_audience(*, actor: Principal, channel: Channel | str) -> int:
    """How many of the tenant's consignees and drivers hold a current consent for ``channel``
    now (``consents.view``). A count only: who they are is decided again at send time."""
    if actor.tenant_id is None or not actor.has(Permission.CONSENTS_VIEW):
        raise NotAllowed()
    if channel not in Channel.values:
        raise InvalidCampaign(field="channel")
    how = Channel(channel)
    with tenant_context(actor.tenant_id):
        return _count_with_consent(ConsigneeContact, how) + _count_with_consent(Driver, how)


def _clean_key(key: str | None) -> str:
    if key is None or key == "":
        return ""
    if _IDEMPOTENCY_KEY.fullmatch(key) is None:
        raise InvalidIdempotencyKey()
    return key


def campaign_create(
    *, actor: Principal, data: CampaignInput, idempotency_key: str | None = None
) -> CampaignCreated:
    """Record a campaign and queue its sending (``consents.manage``).

    Invariants: a refused input raises InvalidCampaign and writes nothing; a retry with the same
    ``idempotency_key`` and input returns the first campaign (``replayed``) and queues nothing;
    the same key with another input raises CampaignKeyReused (409). The job is queued once the
    campaign is committed; it is the only sender.
    """
    if actor.tenant_id is None or not actor.has(Permission.CONSENTS_MANAGE):
        raise NotAllowed()
    channel = data.check()
    key = _clean_key(idempotency_key)
    print_ = data.fingerprint()
    tenant_id = actor.tenant_id
    with tenant_context(tenant_id):
        if key:
            known = MarketingCampaign.objects.filter(idempotency_key=key).first()
            if known is not None:
                if known.idempotency_fingerprint != print_:
                    raise CampaignKeyReused()
                return CampaignCreated(campaign=known, replayed=True)
        audience = campaign_audience(actor=actor, channel=channel)
        try:
            with transaction.atomic():
                campaign = MarketingCampaign(
                    tenant_id=tenant_id,
                    channel=channel,
                    subject_vi=data.subject_vi,
                    subject_en=data.subject_en,
                    body_vi=data.body_vi,
                    body_en=data.body_en,
                    audience=audience,
                    created_by=actor.user,
                    created_by_api_key_id=actor.api_key_id,
                    idempotency_key=key,
                    idempotency_fingerprint=print_ if key else "",
                )
                campaign.save()
                audit_record(
                    action="marketing_campaign_created",
                    actor=actor_of(actor),
                    tenant_id=tenant_id,
                    object_type="consent.marketingcampaign",
                    object_id=str(campaign.pk),
                    details={"channel": channel.value, "audience": audience},
                )
                campaign_id = campaign.pk
                transaction.on_commit(lambda: _queue(campaign_id))
        except IntegrityError:
            # A concurrent retry with the same key committed first: answer with its campaign.
            known = MarketingCampaign.objects.filter(idempotency_key=key).first()
            if known is None or known.idempotency_fingerprint != print_:
                raise CampaignKeyReused() from None
            return CampaignCreated(campaign=known, replayed=True)
    return CampaignCreated(campaign=campaign, replayed=False)


def _queue(campaign_id: int) -> None:
    from logitrack.privacy.consent.tasks import campaign_send_run

    campaign_send_run.enqueue(campaign_id)


def _sender(campaign: MarketingCampaign) -> Principal | None:
    """The principal the campaign was created by, as it stands now: a member who lost the
    permission or whose account is suspended, or a revoked, suspended or expired key, sends
    nothing (fail closed)."""
    from logitrack.tenancy.models import Membership

    if campaign.created_by_id is not None:
        membership = (
            Membership.objects.select_related("tenant", "user")
            .filter(user_id=campaign.created_by_id, tenant_id=campaign.tenant_id)
            .first()
        )
        if membership is None or not membership.user.is_active:
            return None
        return Principal.for_membership(membership.user, membership)
    if campaign.created_by_api_key_id is not None:
        from logitrack.tenancy.models import ApiKey
        from logitrack.tenancy.roles import API_KEY_PERMISSIONS, permissions_from_values

        api_key = (
            ApiKey.dangerously_unscoped.select_related("tenant")
            .filter(pk=campaign.created_by_api_key_id, revoked_at__isnull=True)
            .first()
        )
        # Usable as the bearer check would find it now: not revoked, suspended or expired.
        if api_key is None or not api_key.is_usable():
            return None
        allowed = permissions_from_values(api_key.permissions) & API_KEY_PERMISSIONS
        return Principal.for_api_key(
            api_key_id=api_key.pk, tenant=api_key.tenant, permissions=allowed
        )
    return None


def campaign_send(campaign_id: int) -> MarketingCampaign | None:
    """Send campaign ``campaign_id`` in batches of BATCH people, recording progress after each.

    Claimed by a conditional update from ``queued`` with a lease (LEASE), renewed before every
    batch: a job run twice sends nothing the second time, and a job that finds its lease taken
    over stops. A campaign whose job died mid-way is queued again by ``campaigns_resume`` and
    sent from the start; each person's send is unique per campaign and channel, so the people
    already reached count as sent and get nothing twice. The sender is checked again before
    every batch; one switched off meanwhile fails the campaign there.
    """
    lease = timezone.now() + LEASE
    claimed = MarketingCampaign.dangerously_unscoped.filter(
        pk=campaign_id, status=MarketingCampaign.Status.QUEUED
    ).update(
        status=MarketingCampaign.Status.SENDING, lease_until=lease, processed=0, sent=0, skipped=0
    )
    if not claimed:
        return None
    campaign = MarketingCampaign.dangerously_unscoped.get(pk=campaign_id)
    with tenant_context(campaign.tenant_id):
        actor = _sender(campaign)
        if actor is None or not actor.has(Permission.CONSENTS_MANAGE):
            return _finish(campaign, MarketingCampaign.Status.FAILED, lease)
        consignees = list(ConsigneeContact.objects.order_by("pk").values_list("pk", flat=True))
        drivers = list(Driver.objects.order_by("pk").values_list("pk", flat=True))
        campaign.total = len(consignees) + len(drivers)
        campaign.save(update_fields=["total"])
        message = CampaignInput(
            channel=campaign.channel,
            subject_vi=campaign.subject_vi,
            subject_en=campaign.subject_en,
            body_vi=campaign.body_vi,
            body_en=campaign.body_en,
        ).as_campaign(campaign.key)
        batches = [
            ("consignee_ids", consignees[i : i + BATCH]) for i in range(0, len(consignees), BATCH)
        ]
        batches += [("driver_ids", drivers[i : i + BATCH]) for i in range(0, len(drivers), BATCH)]
        try:
            for argument, ids in batches:
                renewed = _lease_renew(campaign_id, lease)
                if renewed is None:
                    return None  # another job holds the campaign now (see campaigns_resume)
                lease = renewed
                # The sender as it stands before each batch: a key revoked, a member removed
                # or suspended, or the company terminated while a long campaign runs stops it.
                actor = _sender(campaign)
                if actor is None or not actor.has(Permission.CONSENTS_MANAGE):
                    return _finish(campaign, MarketingCampaign.Status.FAILED, lease)
                reports = tenant_marketing_send(
                    actor=actor, campaign=message, channel=campaign.channel, **{argument: ids}
                )
                sent = sum(len(r.sent) + len(r.already_sent) for r in reports.values())
                campaign.sent += sent
                campaign.skipped += len(ids) - sent
                campaign.processed += len(ids)
                # Only while the job holds the campaign: a job that stalled past its lease and
                # was replaced (campaigns_resume) must not write the new job's counts over.
                MarketingCampaign.dangerously_unscoped.filter(
                    pk=campaign_id, status=MarketingCampaign.Status.SENDING, lease_until=lease
                ).update(sent=campaign.sent, skipped=campaign.skipped, processed=campaign.processed)
        except Exception:
            logger.exception("campaign not finished", extra={"campaign": campaign_id})
            return _finish(campaign, MarketingCampaign.Status.FAILED, lease)
        return _finish(campaign, MarketingCampaign.Status.DONE, lease)


def _lease_renew(campaign_id: int, held: datetime) -> datetime | None:
    """Extend the sending job's lease it holds until ``held``; None when it no longer holds it."""
    renewed = timezone.now() + LEASE
    kept = MarketingCampaign.dangerously_unscoped.filter(
        pk=campaign_id, status=MarketingCampaign.Status.SENDING, lease_until=held
    ).update(lease_until=renewed)
    return renewed if kept else None


def campaigns_resume(now: datetime | None = None) -> list[int]:
    """Queue again every campaign left ``sending`` by a job that stopped renewing its lease (its
    worker killed or lost); the ids queued. Each is taken back by a conditional update on the
    lease it had, so two sweeps, or a sweep and a job that renews just then, never both win."""
    now = timezone.now() if now is None else now
    stale = MarketingCampaign.dangerously_unscoped.filter(
        status=MarketingCampaign.Status.SENDING, lease_until__lt=now
    ).values_list("pk", "tenant_id", "lease_until")
    queued: list[int] = []
    for campaign_id, tenant_id, lease in stale:
        with transaction.atomic():
            taken = MarketingCampaign.dangerously_unscoped.filter(
                pk=campaign_id, status=MarketingCampaign.Status.SENDING, lease_until=lease
            ).update(status=MarketingCampaign.Status.QUEUED, lease_until=None)
            if not taken:
                continue
            audit_record(
                action="marketing_campaign_resumed",
                actor=Actor.system("marketing-campaigns"),
                tenant_id=tenant_id,
                object_type="consent.marketingcampaign",
                object_id=str(campaign_id),
                details={"lease_until": lease.isoformat()},
            )
            transaction.on_commit(functools.partial(_queue, campaign_id))
        queued.append(campaign_id)
    return queued


def _finish(campaign: MarketingCampaign, status: str, lease: datetime) -> MarketingCampaign | None:
    """End the campaign ``status`` when the job still holds it (its ``lease``); None otherwise.

    A job replaced by campaigns_resume while it stalled may reach its end (or fail, as when its
    send meets the one the new job made to the same person) after the new job took over: it
    must neither end the campaign under the new job (a FAILED there left people unreached, with
    nothing to queue it again) nor write a second end."""
    finished_at = timezone.now()
    ended = MarketingCampaign.dangerously_unscoped.filter(
        pk=campaign.pk, status=MarketingCampaign.Status.SENDING, lease_until=lease
    ).update(status=status, finished_at=finished_at, lease_until=None)
    if not ended:
        return None
    campaign.status = status
    campaign.finished_at = finished_at
    campaign.lease_until = None
    audit_record(
        action="marketing_campaign_finished",
        actor=Actor.system("marketing-campaigns"),
        tenant_id=campaign.tenant_id,
        object_type="consent.marketingcampaign",
        object_id=str(campaign.pk),
        details={"status": status, "sent": campaign.sent, "skipped": campaign.skipped},
    )
    return campaign
