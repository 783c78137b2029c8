"""API keys for partners: the token format, creating and revoking keys, and bearer sign-in.

A token is ``lt_<8 lowercase letters or digits>_<43 URL-safe characters>``. The first part is the
key's public id (``ApiKey.prefix``), shown in lists and audit entries; the rest is 32 random bytes.
Only the SHA-256 of the whole token is stored. Because the secret is high-entropy, a fast hash is
enough (no password stretching), and lookups by prefix stay one indexed query per request.

``authenticate_bearer`` is called by ``PrincipalMiddleware`` (``LOGITRACK_API_KEY_AUTHENTICATOR``)
for every ``Authorization: Bearer`` request. It binds the key's tenant and its permissions; an
unknown, expired, revoked or suspended key, or one of a terminated tenant, gets None (401) and an
audit entry that names the key by id, never the token.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import string
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from logitrack.core.tenant import tenant_context
from logitrack.core.text import TextRefused, human_text
from logitrack.security.actors import Actor
from logitrack.tenancy.audit import actor_of
from logitrack.tenancy.errors import (
    ApiKeyAlreadyRevoked,
    ApiKeyNeedsPerson,
    ApiKeyNotAwaitingReview,
    InvalidApiKeyName,
    InvalidExpiry,
    NotAllowed,
    PermissionsNotGrantable,
)
from logitrack.tenancy.models import ApiKey
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import API_KEY_PERMISSIONS, Permission, permissions_from_values

TOKEN_PREFIX = "lt_"  # noqa: S105  (a public marker, not a secret)
PREFIX_LENGTH = 8
_PREFIX_ALPHABET = string.ascii_lowercase + string.digits
_TOKEN = re.compile(r"^(lt_[a-z0-9]{8})_([A-Za-z0-9_-]{43})$")
MAX_LIFETIME = timedelta(days=365)
# last_used_at is a hint for people ("is this key still in use?"), not an audit trail: writing it
# at most once a minute spares the database a write per request.
LAST_USED_GRANULARITY = timedelta(minutes=1)
NAME_MAX_LENGTH = 100


@dataclass(frozen=True)
class NewToken:
    prefix: str
    token: str
    secret_hash: str


@dataclass(frozen=True)
class CreatedApiKey:
    """A new key and its token. The token exists only here: show it once, never store it."""

    api_key: ApiKey
    token: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()  # str.encode is always UTF-8


def token_new() -> NewToken:
    prefix = TOKEN_PREFIX + "".join(secrets.choice(_PREFIX_ALPHABET) for _ in range(PREFIX_LENGTH))
    # pragma below: token_urlsafe(None) is token_urlsafe(32) (secrets.DEFAULT_ENTROPY).
    token = f"{prefix}_{secrets.token_urlsafe(32)}"  # pragma: no mutate
    return NewToken(prefix=prefix, token=token, secret_hash=token_hash(token))


def parse_token(token: str) -> str | None:
    """The public prefix of a well-formed token, or None."""
    match = _TOKEN.fullmatch(token)
    return match.group(1) if match is not None else None


# --- services ----------------------------------------------------------------------------------


def api_key_create(
    *,
    principal: Principal,
    name: str,
    permissions: set[Permission] | frozenset[Permission] | list[Permission],
    expires_at: datetime,
    request: HttpRequest | None = None,
) -> CreatedApiKey:
    """Create an API key of the principal's tenant and return it with its token (shown once).

    Invariants: only a person creates keys (never another key), and only one holding
    ``api_keys.manage``; the key's permissions are a non-empty subset of the creator's own and of
    what any key may hold (``API_KEY_PERMISSIONS``); it expires after now and within a year; the
    token is never stored or audited.
    """
    if principal.user is None or principal.tenant is None:
        raise ApiKeyNeedsPerson()
    if not principal.has(Permission.API_KEYS_MANAGE):
        raise NotAllowed()
    try:
        clean_name = human_text(name)
    except TextRefused as exc:
        raise InvalidApiKeyName(exc.message) from exc
    if not clean_name or len(clean_name) > NAME_MAX_LENGTH:
        raise InvalidApiKeyName()
    chosen = frozenset(Permission(value) for value in permissions)
    if (
        not chosen
        or not chosen.issubset(principal.permissions)
        or not chosen.issubset(API_KEY_PERMISSIONS)
    ):
        raise PermissionsNotGrantable()
    now = timezone.now()
    if timezone.is_naive(expires_at) or not now < expires_at <= now + MAX_LIFETIME:
        raise InvalidExpiry()
    from logitrack.security.services import audit_record

    new = token_new()
    with transaction.atomic():
        api_key = ApiKey(
            tenant=principal.tenant,
            name=clean_name,
            prefix=new.prefix,
            secret_hash=new.secret_hash,
            permissions=sorted(perm.value for perm in chosen),
            created_by=principal.user,
            created_at=now,  # pragma: no mutate  (left out, the default is timezone.now())
            expires_at=expires_at,
        )
        api_key.full_clean()
        api_key.save()
        audit_record(
            action="authn_token_created",
            actor=actor_of(principal),
            tenant_id=principal.tenant_id,
            object_type="api_key",
            object_id=str(api_key.pk),
            details={
                "permissions": list(api_key.permissions),
                "lifetime_days": (expires_at - now).days,
            },
            request=request,
        )
    return CreatedApiKey(api_key=api_key, token=new.token)


def api_key_revoke(
    *, principal: Principal, api_key: ApiKey, request: HttpRequest | None = None
) -> ApiKey:
    """Revoke ``api_key`` (obtained through ``access_api_key_by_id``); it answers 401 at once.

    Invariants: revoking twice raises ApiKeyAlreadyRevoked and changes nothing; the row stays,
    so that its name and last use remain visible and the audit entries keep their meaning.
    """
    from logitrack.security.services import audit_record

    with transaction.atomic():
        locked: ApiKey = ApiKey.objects.select_for_update().get(pk=api_key.pk)
        if locked.revoked_at is not None:
            raise ApiKeyAlreadyRevoked()
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit_record(
            action="authn_token_revoked",
            actor=actor_of(principal),
            tenant_id=locked.tenant_id,
            object_type="api_key",
            object_id=str(locked.pk),
            request=request,
        )
    return locked


def api_keys_revoke_of_user(*, actor: Actor, user_id: int, reason: str) -> int:
    """Revoke every live API key that ``user_id`` created or confirmed, in every company.

    Used when a person's account is suspended (a report that they are under 16): the keys they
    made must not keep working for them. Each key is audited as ``authn_token_revoked`` with
    ``reason``; already revoked keys are left as they are. Returns the number revoked.
    """
    from logitrack.security.services import audit_record

    now = timezone.now()
    with transaction.atomic():
        keys = list(
            ApiKey.dangerously_unscoped.select_for_update()
            .filter(Q(created_by_id=user_id) | Q(confirmed_by_id=user_id), revoked_at__isnull=True)
            .order_by("pk")
        )
        for key in keys:
            key.revoked_at = now
            key.save(update_fields=["revoked_at"])
            audit_record(
                action="authn_token_revoked",
                actor=actor,
                tenant_id=key.tenant_id,
                object_type="api_key",
                object_id=str(key.pk),
                details={"reason": reason},
            )
    return len(keys)


def api_key_confirm(
    *, principal: Principal, api_key: ApiKey, request: HttpRequest | None = None
) -> ApiKey:
    """Confirm a suspended key (obtained through ``access_api_key_by_id``): it works again, and
    from now on answers for the confirming owner (``ApiKey.guarantor_id``).

    Invariants: needs a person holding ``api_keys.confirm`` (owners) and every permission of the
    key; only a suspended, unrevoked key can be confirmed (ApiKeyNotAwaitingReview otherwise,
    nothing changed); audited as ``authn_token_confirmed`` with the reason it was suspended.
    """
    from logitrack.security.services import audit_record

    if principal.user is None or not principal.has(Permission.API_KEYS_CONFIRM):
        raise NotAllowed()
    with transaction.atomic():
        locked: ApiKey = ApiKey.objects.select_for_update().get(pk=api_key.pk)
        if locked.suspended_at is None or locked.revoked_at is not None:
            raise ApiKeyNotAwaitingReview()
        if not permissions_from_values(locked.permissions).issubset(principal.permissions):
            raise PermissionsNotGrantable()
        reason = locked.suspension_reason
        locked.suspended_at = None
        locked.suspension_reason = ""
        locked.confirmed_by = principal.user
        locked.confirmed_at = timezone.now()
        locked.save(
            update_fields=["suspended_at", "suspension_reason", "confirmed_by", "confirmed_at"]
        )
        audit_record(
            action="authn_token_confirmed",
            actor=actor_of(principal),
            tenant_id=locked.tenant_id,
            object_type="api_key",
            object_id=str(locked.pk),
            details={"suspension_reason": reason},
            request=request,
        )
    return locked


def api_keys_suspend_for_guarantor(
    *,
    principal: Principal,
    user_id: int,
    guarantor_permissions: frozenset[Permission],
    reason: str,
    request: HttpRequest | None = None,
) -> list[ApiKey]:
    """Suspend the bound tenant's usable keys that answer for person ``user_id`` and that the
    person, now holding ``guarantor_permissions`` (empty once removed), could not create today:
    all of them without ``api_keys.manage``, else those holding a permission the person lacks.

    Call inside the transaction of the removal or role change. Each suspension is audited as
    ``authn_token_suspended`` with ``reason`` (an ``ApiKey.SuspensionReason``). Returns the
    suspended keys, oldest first.
    """
    from logitrack.security.services import audit_record

    grantable = (
        guarantor_permissions
        if Permission.API_KEYS_MANAGE in guarantor_permissions
        else frozenset[Permission]()
    )
    now = timezone.now()
    suspended: list[ApiKey] = []
    for api_key in keys_answering_for(user_id, now).select_for_update():
        if permissions_from_values(api_key.permissions).issubset(grantable):
            continue
        api_key.suspended_at = now
        api_key.suspension_reason = reason
        api_key.save(update_fields=["suspended_at", "suspension_reason"])
        audit_record(
            action="authn_token_suspended",
            actor=actor_of(principal),
            tenant_id=api_key.tenant_id,
            object_type="api_key",
            object_id=str(api_key.pk),
            details={"reason": reason},
            request=request,
        )
        suspended.append(api_key)
    return suspended


def keys_answering_for(user_id: int, now: datetime) -> QuerySet[ApiKey]:
    """The bound tenant's usable, unsuspended keys whose guarantor is person ``user_id``."""
    return ApiKey.objects.filter(
        Q(confirmed_by_id=user_id) | Q(confirmed_by__isnull=True, created_by_id=user_id),
        revoked_at__isnull=True,
        suspended_at__isnull=True,
        expires_at__gt=now,
    ).order_by("pk")


# --- authentication ----------------------------------------------------------------------------


def authenticate_bearer(request: HttpRequest, token: str) -> Principal | None:
    """The principal of a valid API key token, or None (the middleware then answers 401).

    Invariants: the token is compared in constant time against the stored hash; an expired,
    revoked or suspended key, or a key of a terminated tenant, never authenticates; every refusal
    is audited by key id and reason (a suspended key as ``suspended``), and no part of the token
    beyond a known key's public prefix is logged.
    """
    prefix = parse_token(token)
    if prefix is None:
        _refused(request, None, "malformed")
        return None
    api_key = ApiKey.dangerously_unscoped.select_related("tenant").filter(prefix=prefix).first()
    if api_key is None:
        _refused(request, None, "unknown")
        return None
    now = timezone.now()
    refusal = _refusal(api_key, token, now)
    if refusal is not None:
        _refused(request, api_key, refusal)
        return None
    _touch(api_key, now)
    allowed = permissions_from_values(api_key.permissions) & API_KEY_PERMISSIONS
    return Principal.for_api_key(api_key_id=api_key.pk, tenant=api_key.tenant, permissions=allowed)


def _refusal(api_key: ApiKey, token: str, now: datetime) -> str | None:
    """Why ``api_key`` does not authenticate ``token`` now, or None when it does."""
    checks = (
        (not hmac.compare_digest(api_key.secret_hash, token_hash(token)), "wrong_secret"),
        (api_key.revoked_at is not None, "revoked"),
        (api_key.suspended_at is not None, "suspended"),
        (api_key.expires_at <= now, "expired"),
        (not api_key.tenant.is_active, "tenant_terminated"),
    )
    return next((reason for failed, reason in checks if failed), None)


def _touch(api_key: ApiKey, now: datetime) -> None:
    stale_before = now - LAST_USED_GRANULARITY
    if api_key.last_used_at is not None and api_key.last_used_at > stale_before:
        return
    with tenant_context(api_key.tenant_id):
        # Conditional, so that concurrent requests of the same key write once between them.
        ApiKey.objects.filter(pk=api_key.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=stale_before)
        ).update(last_used_at=now)


def _refused(request: HttpRequest, api_key: ApiKey | None, reason: str) -> None:
    from logitrack.security.services import audit_record

    # A revoked key that is still being used is a sign of a leaked or forgotten integration.
    action = "authn_token_reuse" if reason == "revoked" else "authn_token_invalid"
    audit_record(
        action=action,
        actor=Actor.api_key(api_key.pk) if api_key is not None else Actor.anonymous(),
        tenant_id=api_key.tenant_id if api_key is not None else None,
        object_type="api_key",
        object_id=str(api_key.pk) if api_key is not None else "",
        details={"reason": reason},
        request=request,
    )
