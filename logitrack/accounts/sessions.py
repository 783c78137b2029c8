"""Signed-in sessions: started at sign-in, ended at sign-out, expiry or revocation.

A person can list and end their own sessions because each sign-in writes a ``UserSession`` row
keyed by the keyed hash of the session key that the session engine stores too
(``accounts.session_store.session_key_digest``). Django's ``user_logged_in`` and ``user_logged_out``
signals call ``session_started`` and ``session_ended`` (see ``receivers``), so every way of signing
in (the sign-in page, an accepted invitation, a test's ``force_login``) is recorded the same way.
"""

from __future__ import annotations

import re
import time

from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY, update_session_auth_hash
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from logitrack.accounts.errors import SessionNotFound
from logitrack.accounts.models import User, UserSession
from logitrack.accounts.session_store import session_key_digest
from logitrack.security.actors import Actor
from logitrack.security.services import audit_record
from logitrack.security.services import client_ip as audit_client_ip

AUTH_AT_KEY = "_lt_auth_at"
SEEN_AT_KEY = "_lt_seen_at"
NOTICE_KEY = "_lt_notice"
LOGOUT_REASON_ATTR = "_lt_logout_reason"


def hash_session_key(session_key: str) -> str:
    """The stored form of a session key, as in the session table (HMAC, see session_store)."""
    return session_key_digest(session_key)


def current_key_hash(request: HttpRequest) -> str | None:
    key = request.session.session_key
    return hash_session_key(key) if key else None


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address as the audit chain records it (trusted proxies resolved), or None."""
    if request is None:
        return None
    return audit_client_ip(request) or None


_BROWSERS = (
    ("Edge", re.compile(r"Edg(e|A|iOS)?/")),
    ("Opera", re.compile(r"OPR/|Opera")),
    ("Cốc Cốc", re.compile(r"coc_coc_browser")),
    ("Samsung Internet", re.compile(r"SamsungBrowser/")),
    ("Firefox", re.compile(r"Firefox/|FxiOS/")),
    ("Chrome", re.compile(r"Chrome/|CriOS/")),
    ("Safari", re.compile(r"Safari/")),
)
_SYSTEMS = (
    ("Android", re.compile(r"Android")),
    ("iOS", re.compile(r"iPhone|iPad|iPod")),
    ("Windows", re.compile(r"Windows")),
    ("macOS", re.compile(r"Mac OS X|Macintosh")),
    ("ChromeOS", re.compile(r"CrOS")),
    ("Linux", re.compile(r"Linux")),
)


def summarise_user_agent(user_agent: str | None) -> str:
    """ "Firefox / Linux": enough for a person to recognise a device, less to fingerprint it.

    ``user_agent`` is the ``User-Agent`` header (RFC 9110, section 10.1.5), None when absent.
    The summary is "" for no header or an unknown device, and at most 27 characters (the
    longest names), well within ``UserSession.user_agent``.
    """
    if not user_agent:
        return ""
    browser = next((name for name, pattern in _BROWSERS if pattern.search(user_agent)), "")
    system = next((name for name, pattern in _SYSTEMS if pattern.search(user_agent)), "")
    if browser and system:
        return f"{browser} / {system}"
    return browser or system


def session_started(*, request: HttpRequest, user: User) -> UserSession:
    """Record a sign-in: the timestamps the timeout middleware checks, the row and the audit entry.

    Invariant: called right after ``django.contrib.auth.login`` rotated the session key, so the
    row is keyed by the new key; a repeated call for the same key updates the same row.
    """
    if request.session.session_key is None:
        request.session.save()
    key = request.session.session_key
    assert key is not None
    now = int(time.time())
    request.session[AUTH_AT_KEY] = now
    request.session[SEEN_AT_KEY] = now
    with transaction.atomic():
        row, _created = UserSession.objects.update_or_create(
            key_hash=hash_session_key(key),
            defaults={
                "user": user,
                "created_at": timezone.now(),
                "last_seen_at": timezone.now(),
                "ip_address": client_ip(request),
                "user_agent": summarise_user_agent(request.META.get("HTTP_USER_AGENT")),
            },
        )
        audit_record(
            action="authn_login_success",
            actor=Actor.user(user),
            object_type="user",
            object_id=str(user.pk),
            request=request,
        )
    return row


def session_ended(*, request: HttpRequest, user: User | None) -> None:
    """Record a sign-out or an expiry: drop the row and write the audit entry.

    The reason is ``request._lt_logout_reason`` when the timeout middleware ended the session
    (``idle`` or ``absolute``), else the person signed out.
    """
    key_hash = current_key_hash(request)
    reason = getattr(request, LOGOUT_REASON_ATTR, "")
    with transaction.atomic():
        if key_hash is not None:
            UserSession.objects.filter(key_hash=key_hash).delete()
        if user is None:
            return
        audit_record(
            action="session_expired" if reason else "authn_logout",
            actor=Actor.user(user),
            object_type="user",
            object_id=str(user.pk),
            details={"reason": reason} if reason else None,
            request=request,
        )


def sessions_of_user(*, user: User) -> QuerySet[UserSession]:
    """A person's own sessions, most recently used first."""
    return UserSession.objects.filter(user=user).order_by("-last_seen_at", "-pk")


def session_revoke(
    *, actor: Actor, user: User, session_id: int, request: HttpRequest | None = None
) -> None:
    """End one of ``user``'s sessions. Another person's session raises SessionNotFound too.

    The row is deleted; the browser holding that session is signed out on its next request.
    """
    with transaction.atomic():
        deleted, _ = UserSession.objects.filter(user=user, pk=session_id).delete()
        if not deleted:
            raise SessionNotFound()
        audit_record(
            action="session_revoked",
            actor=actor,
            object_type="user_session",
            object_id=str(session_id),
            details={"scope": "one"},
            request=request,
        )


def sessions_revoke_others(
    *, actor: Actor, user: User, keep_key_hash: str | None, request: HttpRequest | None = None
) -> int:
    """End every session of ``user`` except the one keyed ``keep_key_hash``; return how many."""
    with transaction.atomic():
        others = UserSession.objects.filter(user=user)
        if keep_key_hash is not None:
            others = others.exclude(key_hash=keep_key_hash)
        deleted, _ = others.delete()
        if deleted:
            audit_record(
                action="session_revoked",
                actor=actor,
                object_type="user",
                object_id=str(user.pk),
                details={"scope": "others", "count": deleted},
                request=request,
            )
    return deleted


def session_keep_after_password_change(*, request: HttpRequest, user: User) -> None:
    """Keep the current browser signed in after its own password change.

    ``update_session_auth_hash`` rotates the session key, so the row follows the new key.
    """
    old_hash = current_key_hash(request)
    update_session_auth_hash(request, user)
    new_key = request.session.session_key
    if old_hash is not None and new_key:
        UserSession.objects.filter(key_hash=old_hash).update(key_hash=hash_session_key(new_key))


def is_signed_in_session(request: HttpRequest) -> bool:
    """True when the session claims a signed-in user (without loading the user)."""
    return SESSION_KEY in request.session and BACKEND_SESSION_KEY in request.session
