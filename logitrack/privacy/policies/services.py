"""Writing the privacy policy (drafts, publication) and recording people's acceptances.

Each service is atomic and writes its audit event in the same transaction:
``policy_draft_saved``, ``policy_published`` and ``policy_accepted``. Refusals raise a
``PolicyError`` before anything is written.
"""

from __future__ import annotations

import ipaddress
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone

from logitrack.privacy.policies.errors import (
    PolicyDraftExists,
    PolicyEffectiveInPast,
    PolicyEffectiveOutOfOrder,
    PolicyEffectiveTooFar,
    PolicyImmutable,
    PolicyLanguageMissing,
    PolicyNotAllowed,
    PolicyNothingToAccept,
    PolicySummaryMissing,
    PolicyTextTooLong,
)
from logitrack.privacy.policies.models import (
    BODY_MAX_CHARS,
    SUMMARY_MAX_CHARS,
    PolicyAcceptance,
    PolicyVersion,
)
from logitrack.privacy.policies.selectors import current_policy, published_versions
from logitrack.security.actors import Actor
from logitrack.security.services import audit_record
from logitrack.security.services import client_ip as audit_client_ip

if TYPE_CHECKING:
    from logitrack.accounts.models import User

PRIVACY_OFFICER = "privacy_officer"
# The publish form is read in minutes: "now" typed a few seconds ago is not in the past.
EFFECTIVE_TOLERANCE = timedelta(minutes=5)
# How far ahead a version may take effect. Versions take effect in number order and a published
# one never changes, so a mistyped year (9999 for 2026) would refuse every later version forever.
EFFECTIVE_HORIZON = timedelta(days=366)
USER_AGENT_MAX = 255


def _require_officer(actor: User) -> None:
    if not (actor.is_active and actor.platform_role == PRIVACY_OFFICER):
        raise PolicyNotAllowed()


def _locked(version: PolicyVersion) -> PolicyVersion:
    return PolicyVersion.objects.select_for_update().get(pk=version.pk)


def policy_draft_create(*, actor: User, request: HttpRequest | None = None) -> PolicyVersion:
    """A new draft numbered after every existing version, starting from the newest text.

    Invariants: at most one draft exists (PolicyDraftExists otherwise); only the privacy officer
    writes (PolicyNotAllowed). Audit: ``policy_draft_saved`` with ``created: true``.
    """
    _require_officer(actor)
    with transaction.atomic():
        if PolicyVersion.objects.filter(status=PolicyVersion.Status.DRAFT).exists():
            raise PolicyDraftExists()
        latest = PolicyVersion.objects.order_by("-number").first()
        top = PolicyVersion.objects.aggregate(top=Max("number"))["top"] or 0
        draft = PolicyVersion(
            number=top + 1,
            body_vi=latest.body_vi if latest is not None else "",
            body_en=latest.body_en if latest is not None else "",
        )
        try:
            with transaction.atomic():
                draft.save()
        except IntegrityError:
            # Another officer's draft took the number between our read and insert.
            raise PolicyDraftExists() from None
        _audit_draft(actor, draft, request, created=True)
    return draft


def policy_draft_update(
    *,
    actor: User,
    version: PolicyVersion,
    material: bool,
    summary: str,
    body_vi: str,
    body_en: str,
    request: HttpRequest | None = None,
) -> PolicyVersion:
    """Save a draft's texts. Texts may be incomplete while a draft; publishing checks them.

    Raises PolicyImmutable for a published version (re-read under lock, so a publication in
    between wins), PolicyTextTooLong past the model's limits. Audit: ``policy_draft_saved``.
    """
    _require_officer(actor)
    if len(summary) > SUMMARY_MAX_CHARS:
        raise PolicyTextTooLong(field="summary")
    for name, text in (("body_vi", body_vi), ("body_en", body_en)):
        if len(text) > BODY_MAX_CHARS:
            raise PolicyTextTooLong(field=name)
    with transaction.atomic():
        draft = _locked(version)
        if draft.is_published:
            raise PolicyImmutable()
        draft.material = material
        draft.summary = summary
        draft.body_vi = body_vi
        draft.body_en = body_en
        draft.updated_at = timezone.now()
        draft.full_clean()
        draft.save(update_fields=["material", "summary", "body_vi", "body_en", "updated_at"])
        _audit_draft(actor, draft, request, created=False)
    return draft


def _audit_draft(
    actor: User, draft: PolicyVersion, request: HttpRequest | None, *, created: bool
) -> None:
    audit_record(
        action="policy_draft_saved",
        actor=Actor.user(actor),
        object_type="policy_version",
        object_id=str(draft.number),
        details={"number": draft.number, "created": created, "material": draft.material},
        request=request,
    )


def policy_publish(
    *,
    actor: User,
    version: PolicyVersion,
    effective_at: datetime | None = None,
    now: datetime | None = None,
    request: HttpRequest | None = None,
) -> PolicyVersion:
    """Publish a draft: from then on it never changes, and it takes effect at ``effective_at``.

    ``effective_at`` None means at once. A time up to five minutes in the past counts as now;
    an earlier one raises PolicyEffectiveInPast (a policy cannot bind people before they could
    read it), one more than EFFECTIVE_HORIZON ahead PolicyEffectiveTooFar. It must be later
    than the previous version's (PolicyEffectiveOutOfOrder), so
    versions take effect in number order. Both texts are required (PolicyLanguageMissing), and
    a summary of changes after version 1 (PolicySummaryMissing). A published version raises
    PolicyImmutable. Audit: ``policy_published``.
    """
    _require_officer(actor)
    moment = now or timezone.now()
    if effective_at is None:
        effective_at = moment
    if effective_at < moment - EFFECTIVE_TOLERANCE:
        raise PolicyEffectiveInPast()
    if effective_at > moment + EFFECTIVE_HORIZON:
        raise PolicyEffectiveTooFar()
    effective_at = max(effective_at, moment)
    with transaction.atomic():
        draft = _locked(version)
        if draft.is_published:
            raise PolicyImmutable()
        if not draft.body_vi.strip() or not draft.body_en.strip():
            raise PolicyLanguageMissing()
        previous = published_versions().filter(number__lt=draft.number).first()
        if previous is not None and not draft.summary.strip():
            raise PolicySummaryMissing()
        if (
            previous is not None
            and previous.effective_at is not None
            and effective_at <= previous.effective_at
        ):
            raise PolicyEffectiveOutOfOrder()
        draft.status = PolicyVersion.Status.PUBLISHED
        draft.effective_at = effective_at
        draft.published_at = moment
        draft.published_by = actor
        draft.updated_at = moment
        draft.full_clean()
        draft.save(
            update_fields=["status", "effective_at", "published_at", "published_by", "updated_at"]
        )
        audit_record(
            action="policy_published",
            actor=Actor.user(actor),
            object_type="policy_version",
            object_id=str(draft.number),
            details={
                "number": draft.number,
                "material": draft.material,
                # Seconds since the epoch: an ISO timestamp's digit runs read as a phone number
                # to the audit chain's personal-data filter.
                "effective_at": int(effective_at.timestamp()),
            },
            request=request,
        )
    return draft


def truncated_ip(address: str | None) -> str | None:
    """The network of ``address``: IPv4 to /24, IPv6 to /48 ("203.0.113.7" -> "203.0.113.0").

    None for no address or one that does not parse.
    """
    if not address:
        return None
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)


def policy_accept(
    *,
    user: User,
    version: PolicyVersion,
    via: str,
    language: str,
    tenant_id: int | None = None,
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> PolicyAcceptance:
    """Record that ``user`` accepted ``version``, shown in ``language`` ("vi" or "en").

    Only a published version in effect can be accepted (PolicyNothingToAccept otherwise: an
    upcoming version is read, not yet agreed to). Accepting twice returns the first record and
    writes nothing. Stores the truncated IP and the user agent of ``request``.
    Audit: ``policy_accepted``.
    """
    moment = now or timezone.now()
    if not version.is_published or version.effective_at is None or version.effective_at > moment:
        raise PolicyNothingToAccept()
    language = "en" if language == "en" else "vi"
    ip = truncated_ip(audit_client_ip(request)) if request is not None else None
    agent = request.headers.get("User-Agent", "")[:USER_AGENT_MAX] if request is not None else ""
    with transaction.atomic():
        existing = PolicyAcceptance.objects.filter(user=user, version=version).first()
        if existing is not None:
            return existing
        acceptance = PolicyAcceptance(
            user=user,
            version=version,
            accepted_at=moment,
            via=via,
            language=language,
            ip_prefix=ip,
            user_agent=agent,
        )
        acceptance.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                acceptance.save()
        except IntegrityError:
            # A second click of the same button, committed between our read and insert.
            return PolicyAcceptance.objects.get(user=user, version=version)
        audit_record(
            action="policy_accepted",
            actor=Actor.user(user),
            tenant_id=tenant_id,
            object_type="policy_version",
            object_id=str(version.number),
            details={"number": version.number, "via": via, "language": language},
            request=request,
        )
    return acceptance


def policy_accept_current(
    *,
    user: User,
    via: str,
    language: str,
    tenant_id: int | None = None,
    request: HttpRequest | None = None,
) -> PolicyAcceptance | None:
    """For sign-up and invitation forms, whose box agrees to the policy in effect: record it.

    Returns None, recording nothing, only when no version is in effect at all (an installation
    whose policy migration has not run); call inside the caller's transaction.
    """
    version = current_policy()
    if version is None:
        return None
    return policy_accept(
        user=user,
        version=version,
        via=via,
        language=language,
        tenant_id=tenant_id,
        request=request,
    )
