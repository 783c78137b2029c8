"""Reads of the consent ledger: current states, derived from the latest event per subject and
purpose (one index probe each), never stored separately."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Max

from logitrack.accounts.models import User
from logitrack.core.tenant import tenant_context
from logitrack.privacy.consent.models import (
    Action,
    FixedPurpose,
    MarketingCampaign,
    SubjectConsentEvent,
    SubjectKind,
    TenantPurpose,
    UserConsentEvent,
)
from logitrack.privacy.consent.notices import notice_text
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Permission

if TYPE_CHECKING:
    from logitrack.privacy.consent.tokens import UnsubscribeTarget

LIST_LIMIT = 500


@dataclass(frozen=True)
class ConsentChoice:
    """One row of a person's consents page: the purpose, the notice shown, the current state."""

    purpose: str
    label: str
    notice: str
    granted: bool
    since: datetime | None
    method: str
    refused_by_gpc: bool


def user_consent_choices(*, user: User, language: str | None = None) -> list[ConsentChoice]:
    """Every fixed purpose with ``user``'s current state (never asked: not granted)."""
    latest: dict[str, UserConsentEvent] = {}
    for purpose in FixedPurpose:
        event = (
            UserConsentEvent.objects.filter(user=user, purpose=purpose.value)
            .order_by("-id")
            .first()
        )
        if event is not None:
            latest[purpose.value] = event
    rows: list[ConsentChoice] = []
    for purpose in FixedPurpose:
        event = latest.get(purpose.value)
        rows.append(
            ConsentChoice(
                purpose=purpose.value,
                label=str(purpose.label),
                notice=notice_text(purpose.value, language),
                granted=event is not None and event.action == Action.GRANT,
                since=event.occurred_at if event is not None else None,
                method=event.method if event is not None else "",
                refused_by_gpc=event is not None and event.refused_by_gpc,
            )
        )
    return rows


def user_consent_granted(*, user_id: int, purpose: str) -> bool:
    event = (
        UserConsentEvent.objects.filter(user_id=user_id, purpose=purpose).order_by("-id").first()
    )
    return event is not None and event.action == Action.GRANT


def link_consent_withdrawn(target: UnsubscribeTarget) -> bool:
    """Whether the consent an unsubscribe link withdraws (the link verified by
    ``tokens.unsubscribe_target``) is withdrawn already: its latest event says so."""
    latest: UserConsentEvent | SubjectConsentEvent | None
    if target.kind == SubjectKind.USER:
        latest = (
            UserConsentEvent.objects.filter(user_id=target.subject_id, purpose=target.purpose)
            .order_by("-id")
            .first()
        )
    elif target.tenant_id is None:
        return False
    else:
        column = "consignee_id" if target.kind == SubjectKind.CONSIGNEE else "driver_id"
        with tenant_context(target.tenant_id):
            latest = (
                SubjectConsentEvent.objects.filter(
                    purpose=target.purpose, **{column: target.subject_id}
                )
                .order_by("-id")
                .first()
            )
    return latest is not None and latest.action == Action.WITHDRAW


def _tenant(principal: Principal) -> int | None:
    if principal.tenant_id is None or not principal.has(Permission.CONSENTS_VIEW):
        return None
    return principal.tenant_id


def tenant_current_consents(*, principal: Principal) -> list[SubjectConsentEvent]:
    """The current event of each (subject, purpose) of the principal's tenant, newest first;
    empty without ``consents.view`` (fail closed). At most LIST_LIMIT rows."""
    tenant_id = _tenant(principal)
    if tenant_id is None:
        return []
    with tenant_context(tenant_id):
        latest_ids = (
            SubjectConsentEvent.objects.values("consignee_id", "driver_id", "purpose")
            .annotate(last=Max("id"))
            .values("last")
        )
        return list(
            SubjectConsentEvent.objects.filter(id__in=latest_ids)
            .select_related("consignee", "driver", "tenant_purpose")
            .order_by("-id")[:LIST_LIMIT]
        )


def tenant_purposes(*, principal: Principal) -> list[TenantPurpose]:
    tenant_id = _tenant(principal)
    if tenant_id is None:
        return []
    with tenant_context(tenant_id):
        return list(TenantPurpose.objects.order_by("code")[:LIST_LIMIT])


def tenant_campaigns(*, principal: Principal, limit: int = 100) -> list[MarketingCampaign]:
    """The principal's tenant's latest campaigns, newest first (``consents.view``); none
    without the permission (fail closed)."""
    if principal.tenant_id is None or not principal.has(Permission.CONSENTS_VIEW):
        return []
    with tenant_context(principal.tenant_id):
        return list(MarketingCampaign.objects.order_by("-id")[:limit])
