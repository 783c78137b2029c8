"""Grants and withdrawals: appended to the ledger, never changed, audited in the same transaction.

Rules every writer here keeps (issue P7 point 2):

- a withdrawal is the same one call as a grant and takes effect when the transaction commits;
- a request that would not change the current state (a grant of what is granted, a withdrawal
  of what is not) writes nothing and returns the current event;
- with Global Privacy Control on, a grant of advertising measurement (a "sale or share"-like use)
  is recorded as a withdrawal with ``refused_by_gpc`` set: the ledger proves the person asked
  and why it was not granted (docs/adr/0034);
- an e-mail link can only withdraw;
- a tenant's staff record consents of the tenant's own consignees and drivers only
  (``consents.manage``); a person's own consents are theirs alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import transaction

from logitrack.accounts.models import User
from logitrack.core.tenant import tenant_context
from logitrack.privacy.consent.errors import (
    InvalidUnsubscribeLink,
    MethodNotAllowed,
    NotAllowed,
    NoticeMissing,
    UnknownPurpose,
)
from logitrack.privacy.consent.models import (
    NOTICE_MAX,
    TENANT_PURPOSE_PREFIX,
    Action,
    ConsigneeContact,
    FixedPurpose,
    Method,
    SubjectConsentEvent,
    SubjectKind,
    TenantPurpose,
    UserConsentEvent,
)
from logitrack.privacy.consent.notices import (
    Asked,
    current_policy_version,
    notice_language,
    notice_text,
)
from logitrack.privacy.consent.tokens import UnsubscribeTarget
from logitrack.security.actors import Actor
from logitrack.tenancy.audit import actor_of
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Permission
from logitrack.tracking.models import Driver

E = TypeVar("E", UserConsentEvent, SubjectConsentEvent)

USER_METHODS = frozenset({Method.PAGE, Method.API, Method.EMAIL_LINK, Method.IMPORT})
STAFF_METHODS = frozenset({Method.API, Method.IMPORT, Method.PHONE, Method.PAPER})
Subject = ConsigneeContact | Driver


@dataclass(frozen=True)
class Recorded(Generic[E]):
    """The subject's current event after the call, whether it was written by this call, and
    whether Global Privacy Control turned a grant into a refusal."""

    event: E
    changed: bool
    refused_by_gpc: bool = False


def _effective(purpose: str, action: Action, asked: Asked) -> tuple[Action, bool]:
    if action == Action.GRANT and purpose == FixedPurpose.ADVERTISING_MEASUREMENT and asked.gpc:
        return Action.WITHDRAW, True
    return action, False


def _audit(
    *,
    actor: Actor,
    event: UserConsentEvent | SubjectConsentEvent,
    tenant_id: int | None,
    subject_kind: str,
) -> None:
    from logitrack.security.services import audit_record

    audit_record(
        action="consent_granted" if event.action == Action.GRANT else "consent_withdrawn",
        actor=actor,
        tenant_id=tenant_id,
        object_type=event._meta.label_lower,
        object_id=str(event.pk),
        details={
            "subject_kind": subject_kind,
            "purpose": event.purpose,
            "method": event.method,
            "gpc": event.gpc,
            "refused_by_gpc": event.refused_by_gpc,
            "policy_version": event.policy_version,
        },
        ip=event.ip_network.partition("/")[0] or None,
        user_agent=event.user_agent,
    )


def user_consent_current(user: User, purpose: str) -> UserConsentEvent | None:
    return UserConsentEvent.objects.filter(user=user, purpose=purpose).order_by("-id").first()


def user_consent_record(
    *,
    actor: Actor,
    user: User,
    purpose: str,
    action: Action | str,
    method: Method | str,
    asked: Asked,
    language: str | None = None,
) -> Recorded[UserConsentEvent]:
    """Grant or withdraw ``user``'s consent to a fixed ``purpose``.

    ``actor`` is the person themself (page, API) or the holder of an unsubscribe link
    (anonymous, ``Method.EMAIL_LINK``, withdraw only). The notice stored is the one the consent
    page shows for ``purpose`` in ``language`` (default: the active one, else Vietnamese).
    Raises UnknownPurpose, MethodNotAllowed; nothing is written then.
    """
    if purpose not in FixedPurpose.values:
        raise UnknownPurpose()
    wanted = Action(action)
    how = Method(method)
    if how not in USER_METHODS or (how == Method.EMAIL_LINK and wanted == Action.GRANT):
        raise MethodNotAllowed()
    effective, refused = _effective(purpose, wanted, asked)
    lang = notice_language(language)
    with transaction.atomic():
        # The user's row is the lock that orders this write against a marketing send that is
        # choosing its recipients (services.marketing), on PostgreSQL as on SQLite.
        User.objects.select_for_update().filter(pk=user.pk).exists()
        current = user_consent_current(user, purpose)
        if current is not None and current.action == effective:
            return Recorded(current, changed=False, refused_by_gpc=refused)
        if current is None and effective == Action.WITHDRAW and not refused:
            # Never granted: nothing to withdraw, nothing to prove.
            return Recorded(_never(user, purpose), changed=False)
        event = UserConsentEvent(
            user=user,
            purpose=purpose,
            action=effective,
            method=how,
            policy_version=current_policy_version(),
            notice_language=lang,
            notice_text=notice_text(purpose, lang),
            ip_network=asked.ip_network,
            user_agent=asked.user_agent,
            gpc=asked.gpc,
            refused_by_gpc=refused,
        )
        event.full_clean()
        event.save()
        _audit(actor=actor, event=event, tenant_id=None, subject_kind="user")
    return Recorded(event, changed=True, refused_by_gpc=refused)


def _never(user: User, purpose: str) -> UserConsentEvent:
    """An unsaved stand-in for "never asked": withdrawn, with no id."""
    return UserConsentEvent(user=user, purpose=purpose, action=Action.WITHDRAW)


# --- a tenant's consignees and drivers ------------------------------------------------------------


def _tenant_of(principal: Principal, permission: Permission) -> int:
    if principal.tenant_id is None or not principal.has(permission):
        raise NotAllowed()
    return principal.tenant_id


def resolve_purpose(tenant_id: int, purpose: str) -> tuple[str, TenantPurpose | None]:
    """``purpose`` as stored (a FixedPurpose value or ``tenant.<code>``) and the declared purpose
    it names; UnknownPurpose for anything else, including another tenant's code."""
    if purpose in FixedPurpose.values:
        return purpose, None
    if purpose.startswith(TENANT_PURPOSE_PREFIX):
        code = purpose[len(TENANT_PURPOSE_PREFIX) :]
        with tenant_context(tenant_id):
            declared = TenantPurpose.objects.filter(code=code).first()
        if declared is not None:
            return purpose, declared
    raise UnknownPurpose()


def subject_consent_current(subject: Subject, purpose: str) -> SubjectConsentEvent | None:
    with tenant_context(subject.tenant_id):
        events = SubjectConsentEvent.objects.filter(purpose=purpose)
        if isinstance(subject, ConsigneeContact):
            events = events.filter(consignee=subject)
        else:
            events = events.filter(driver=subject)
        return events.order_by("-id").first()


def subject_consent_record(
    *,
    actor: Principal,
    subject: Subject,
    purpose: str,
    action: Action | str,
    method: Method | str,
    asked: Asked,
    notice: str = "",
    language: str | None = None,
) -> Recorded[SubjectConsentEvent]:
    """Record, for the principal's tenant, a consent its consignee or driver gave or withdrew
    by ``method`` (API, import, telephone, paper).

    ``notice`` is the text the person was shown or read; empty means the standard notice of
    ``purpose`` in ``language``, the one the recording page shows as the script. ``subject``
    must be the tenant's own (callers get it through ``access_*``; checked again here).
    Raises NotAllowed, UnknownPurpose, MethodNotAllowed, NoticeMissing; nothing is written then.
    """
    tenant_id = _tenant_of(actor, Permission.CONSENTS_MANAGE)
    if subject.tenant_id != tenant_id:
        raise NotAllowed()
    how = Method(method)
    if how not in STAFF_METHODS:
        raise MethodNotAllowed()
    return _subject_record(
        actor=actor_of(actor),
        subject=subject,
        purpose=purpose,
        action=Action(action),
        method=how,
        asked=asked,
        notice=notice,
        language=language,
    )


def subject_consent_withdraw_by_link(
    *, subject: Subject, purpose: str, asked: Asked, language: str | None = None
) -> Recorded[SubjectConsentEvent]:
    """The one-click unsubscribe of a consignee or driver (``Method.EMAIL_LINK``)."""
    return _subject_record(
        actor=Actor.anonymous(),
        subject=subject,
        purpose=purpose,
        action=Action.WITHDRAW,
        method=Method.EMAIL_LINK,
        asked=asked,
        notice="",
        language=language,
    )


def consignee_consent_record(
    *,
    actor: Principal,
    email: str,
    phone: str,
    purpose: str,
    action: Action | str,
    method: Method | str,
    asked: Asked,
    notice: str = "",
    language: str | None = None,
) -> tuple[ConsigneeContact, Recorded[SubjectConsentEvent]]:
    """``subject_consent_record`` for the consignee with this e-mail address or phone number,
    found or added among the tenant's consignees in the same transaction: a consent that is
    refused (unknown purpose, method not allowed, ...) adds no consignee either."""
    from logitrack.privacy.consent.services.purposes import consignee_contact_find_or_create

    with transaction.atomic():
        subject = consignee_contact_find_or_create(actor=actor, email=email, phone=phone)
        recorded = subject_consent_record(
            actor=actor,
            subject=subject,
            purpose=purpose,
            action=action,
            method=method,
            asked=asked,
            notice=notice,
            language=language,
        )
    return subject, recorded


def _company_name(tenant_id: int) -> str:
    from logitrack.tenancy.models import Tenant

    return str(Tenant.objects.values_list("name", flat=True).get(pk=tenant_id))


def _subject_record(
    *,
    actor: Actor,
    subject: Subject,
    purpose: str,
    action: Action,
    method: Method,
    asked: Asked,
    notice: str,
    language: str | None,
) -> Recorded[SubjectConsentEvent]:
    tenant_id = subject.tenant_id
    key, declared = resolve_purpose(tenant_id, purpose)
    lang = notice_language(language)
    text = notice.strip() or notice_text(
        key, lang, tenant_purpose=declared, company=_company_name(tenant_id)
    )
    if len(text) > NOTICE_MAX:
        raise NoticeMissing()
    effective, refused = _effective(key, action, asked)
    with tenant_context(tenant_id), transaction.atomic():
        type(subject).objects.select_for_update().filter(pk=subject.pk).exists()
        current = subject_consent_current(subject, key)
        if current is not None and current.action == effective:
            return Recorded(current, changed=False, refused_by_gpc=refused)
        if current is None and effective == Action.WITHDRAW and not refused:
            stand_in = SubjectConsentEvent(tenant_id=tenant_id, purpose=key, action=effective)
            return Recorded(stand_in, changed=False)
        event = SubjectConsentEvent(
            tenant_id=tenant_id,
            consignee=subject if isinstance(subject, ConsigneeContact) else None,
            driver=subject if isinstance(subject, Driver) else None,
            purpose=key,
            tenant_purpose=declared,
            action=effective,
            method=method,
            policy_version=current_policy_version(),
            notice_language=lang,
            notice_text=text,
            ip_network=asked.ip_network,
            user_agent=asked.user_agent,
            gpc=asked.gpc,
            refused_by_gpc=refused,
        )
        event.full_clean()
        event.save()
        kind = "consignee" if isinstance(subject, ConsigneeContact) else "driver"
        _audit(actor=actor, event=event, tenant_id=tenant_id, subject_kind=kind)
    return Recorded(event, changed=True, refused_by_gpc=refused)


def consent_withdraw_by_link(*, target: UnsubscribeTarget, asked: Asked) -> Recorded[Any]:
    """The one-click unsubscribe (RFC 8058) of the subject and channel purpose ``target`` names
    (already verified by ``tokens.unsubscribe_target``): withdrawn at once, without signing in.

    Raises InvalidUnsubscribeLink when the subject no longer exists (erased, or a tenant's record
    gone) or the purpose is not a marketing channel's; nothing is written then. Withdrawing what
    is already withdrawn writes nothing and succeeds, so a second click changes nothing.
    """
    if target.purpose not in (FixedPurpose.MARKETING_EMAIL, FixedPurpose.MARKETING_SMS):
        raise InvalidUnsubscribeLink()
    if target.kind == SubjectKind.USER:
        # A suspended account (under-16 report, not yet erased) still withdraws: withdrawing
        # must stay as easy as consenting, and a cancelled report reactivates the account.
        user = User.objects.filter(pk=target.subject_id).first()
        if user is None:
            raise InvalidUnsubscribeLink()
        return user_consent_record(
            actor=Actor.anonymous(),
            user=user,
            purpose=target.purpose,
            action=Action.WITHDRAW,
            method=Method.EMAIL_LINK,
            asked=asked,
            language=user.language,
        )
    # The signed token names the tenant: it is this request's only credential, as a session is
    # for a signed-in one, so it binds the tenant for the look-up and the write.
    assert target.tenant_id is not None  # unsubscribe_target guarantees it
    model: type[ConsigneeContact] | type[Driver] = (
        ConsigneeContact if target.kind == SubjectKind.CONSIGNEE else Driver
    )
    with tenant_context(target.tenant_id):
        subject = model.objects.filter(pk=target.subject_id).first()
        if subject is None:
            raise InvalidUnsubscribeLink()
        return subject_consent_withdraw_by_link(
            subject=subject, purpose=target.purpose, asked=asked
        )
