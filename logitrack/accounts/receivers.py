"""Glue from Django's and django-axes' authentication signals to our session and audit services.

These are the framework's integration points for "someone signed in/out/failed", not domain
signals: each receiver only calls a service, so the logic stays in ``sessions`` and ``services``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.http import HttpRequest

from logitrack.accounts.models import User
from logitrack.accounts.sessions import session_ended, session_started
from logitrack.core.identity import canonical_email_or_none
from logitrack.security.actors import Actor
from logitrack.security.services import audit_record


def _user_id_for(username: object) -> int | None:
    address = canonical_email_or_none(username)
    if address is None:
        return None
    return User.objects.filter(email=address).values_list("pk", flat=True).first()


def on_logged_in(sender: object, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and isinstance(user, User):
        session_started(request=request, user=user)


def on_logged_out(sender: object, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None:
        session_ended(request=request, user=user if isinstance(user, User) else None)


def on_login_failed(
    sender: object, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """Audit a failed sign-in against the account it targeted (by id), never the typed e-mail."""
    user_id = _user_id_for(credentials.get("username"))
    audit_record(
        action="authn_login_fail",
        actor=Actor.anonymous(),
        object_type="user",
        object_id=str(user_id) if user_id is not None else "",
        details={"account_found": user_id is not None},
        request=request,
    )


def on_locked_out(
    sender: object, request: HttpRequest | None, username: str | None = None, **kwargs: Any
) -> None:
    user_id = _user_id_for(username)
    audit_record(
        action="authn_login_lock",
        actor=Actor.anonymous(),
        object_type="user",
        object_id=str(user_id) if user_id is not None else "",
        details={"scope": "username_and_ip"},
        request=request,
    )


def connect() -> None:
    from axes.signals import user_locked_out

    user_logged_in.connect(on_logged_in, dispatch_uid="logitrack.accounts.logged_in")
    user_logged_out.connect(on_logged_out, dispatch_uid="logitrack.accounts.logged_out")
    user_login_failed.connect(on_login_failed, dispatch_uid="logitrack.accounts.login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="logitrack.accounts.locked_out")
