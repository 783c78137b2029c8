"""Writing to the audit chain. ``audit_record`` is the only way an entry is made."""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from logitrack.core.context import request_id_var
from logitrack.security.actors import Actor
from logitrack.security.chain import GENESIS_HASH, compute_hash
from logitrack.security.models import CHAIN_HEAD_PK, AuditChainHead, AuditEntry
from logitrack.security.validation import (
    OBJECT_ID_MAX,
    OBJECT_TYPE_MAX,
    REQUEST_ID_MAX,
    InvalidAuditEntry,
    clean_action,
    clean_details,
    clean_ip,
    clean_tenant_id,
    clean_text,
    clean_user_agent,
)


def audit_record(
    *,
    action: str,
    actor: Actor,
    tenant_id: int | None = None,
    object_type: str = "",
    object_id: str = "",
    details: Mapping[str, object] | None = None,
    request: HttpRequest | None = None,
    ip: str | None = None,
    user_agent: str = "",
    request_id: str | None = None,
) -> AuditEntry:
    """Append one entry to the audit chain and return it.

    Invariants:
    - Every argument is checked before anything is written; bad input raises
      ``InvalidAuditEntry`` (a ValueError) and the chain is unchanged. ``details`` is refused
      whole when a value looks like an e-mail address or phone number.
    - Entries form one unbroken chain: sequence numbers are 1, 2, 3... with no gap or repeat,
      and each entry's hash covers the previous one's. Appends are serialised by locking the
      chain-head row (SELECT ... FOR UPDATE on PostgreSQL; on SQLite the IMMEDIATE transaction
      already holds the database's write lock), so concurrent callers never fork the chain.
    - The entry commits or rolls back with the caller's transaction: call this inside the
      service's ``transaction.atomic()`` so that the audited change and its entry go together.
      The head lock is then held until that transaction ends, so record the entry last.
    - With ``request``, the IP is the peer address (REMOTE_ADDR); X-Forwarded-For is believed
      only when the peer is listed in ``settings.LOGITRACK_TRUSTED_PROXIES``. Explicit ``ip`` and
      ``user_agent`` arguments win over the request's.
    - ``request_id`` defaults to the id the request middleware bound for this request.
    """
    clean_action(action)
    if not isinstance(actor, Actor):
        raise TypeError("actor must be a logitrack.security.actors.Actor")
    tenant = clean_tenant_id(tenant_id)
    clean_text(object_type, field="object_type", max_length=OBJECT_TYPE_MAX)
    clean_text(object_id, field="object_id", max_length=OBJECT_ID_MAX)
    safe_details = clean_details(details)
    address = clean_ip(ip)
    if request is not None:
        address = address or client_ip(request)
        user_agent = user_agent or str(request.META.get("HTTP_USER_AGENT", "") or "")
    agent = clean_user_agent(user_agent)
    rid = request_id if request_id is not None else (request_id_var.get() or "")
    clean_text(rid, field="request_id", max_length=REQUEST_ID_MAX)

    with transaction.atomic():
        head = _locked_head()
        entry = AuditEntry(
            sequence=head.sequence + 1,
            created_at=timezone.now(),
            actor_kind=actor.kind.value,
            actor_pseudonym=actor.pseudonym,
            tenant_id=tenant,
            action=action,
            object_type=object_type,
            object_id=object_id,
            ip=address,
            user_agent=agent,
            request_id=rid,
            details=safe_details,
            previous_hash=head.entry_hash,
        )
        entry.entry_hash = compute_hash(head.entry_hash, entry.as_row())
        entry.full_clean(validate_unique=False, validate_constraints=False)
        entry.save()
        head.sequence = entry.sequence
        head.entry_hash = entry.entry_hash
        head.save(update_fields=["sequence", "entry_hash"])
    return entry


def _locked_head() -> AuditChainHead:
    """The chain-head row, locked for this transaction; created when missing.

    The head is missing on a fresh database and after ``flush``. It is then rebuilt from the last
    entry, so that removing the head row alone cannot make the chain start over. Concurrent
    creators do not collide: the insert ignores a conflict and everyone then locks the one row.
    """
    head = AuditChainHead.objects.select_for_update().filter(pk=CHAIN_HEAD_PK).first()
    if head is not None:
        return head
    last = AuditEntry.objects.order_by("-sequence").values_list("sequence", "entry_hash").first()
    sequence, entry_hash = last if last is not None else (0, GENESIS_HASH)
    AuditChainHead.objects.bulk_create(
        [AuditChainHead(pk=CHAIN_HEAD_PK, sequence=sequence, entry_hash=entry_hash)],
        ignore_conflicts=True,
    )
    return AuditChainHead.objects.select_for_update().get(pk=CHAIN_HEAD_PK)


def client_ip(request: HttpRequest) -> str:
    """The client's address: the peer's, or the one a trusted proxy reports for it; "" if none.

    Walks X-Forwarded-For from the right (the hops nearest to us), skipping trusted proxies;
    entries further left were written by the client and cannot be believed. A malformed address
    gives "" rather than an error: what a client sends must not stop the audit entry.
    """
    peer = _valid_ip(str(request.META.get("REMOTE_ADDR", "") or ""))
    trusted = {_valid_ip(p) for p in getattr(settings, "LOGITRACK_TRUSTED_PROXIES", ())} - {""}
    if peer not in trusted:
        return peer
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", "") or "")
    for hop in reversed([h.strip() for h in forwarded.split(",")]):
        address = _valid_ip(hop)
        if address not in trusted:
            return address
    return peer


def _valid_ip(text: str) -> str:
    try:
        return clean_ip(text)
    except InvalidAuditEntry:
        return ""
