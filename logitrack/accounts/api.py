"""The signed-in person's own account: /api/v1/me, its password and its sessions.

Errors leave as ``{"error": {"code", "message"}}`` with the code of the account error raised.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext_lazy as _
from ninja import Router, Status

from logitrack.accounts import services, sessions
from logitrack.accounts.errors import (
    AccountError,
    PasswordRejected,
    SessionNotFound,
    UnderMinimumAge,
    WrongPassword,
)
from logitrack.accounts.models import User, UserSession
from logitrack.accounts.schemas import MeOut, MePatch, PasswordChangeIn, SessionOut
from logitrack.core.errors import error_json
from logitrack.core.ids import Id
from logitrack.security.actors import Actor
from logitrack.tenancy.access import principal_of, signed_in

router = Router(tags=["me"])
ACCOUNT_SUSPENDED = _(
    "Logitrack is not available to people under 16. This account is suspended and its data "
    "will be erased within 24 hours."
)


def _me(request: HttpRequest) -> User:
    user = principal_of(request).user
    assert user is not None, "signed_in() lets only signed-in people through"
    return user


def _me_out(user: User) -> MeOut:
    return MeOut(
        id=user.pk,
        email=user.email,
        email_verified=user.email_verified_at is not None,
        full_name=user.full_name,
        phone=getattr(user, "phone", "") or "",
        language=user.language,
        time_zone=user.time_zone,
    )


def _account_error(exc: AccountError) -> JsonResponse:
    if isinstance(exc, PasswordRejected):
        fields = [{"field": "new_password", "message": message} for message in exc.messages]
        return error_json(exc.code, str(exc.message), 422, fields=fields)
    if isinstance(exc, SessionNotFound):
        return error_json(exc.code, str(exc), 404)
    if isinstance(exc, WrongPassword):
        return error_json(exc.code, str(exc), 400)
    return error_json(exc.code, str(exc), 422)


@router.get("", response=MeOut, summary="Your own profile", url_name="me_get")
@signed_in("a person reads their own profile")
def me_get(request: HttpRequest) -> MeOut:
    return _me_out(_me(request))


@router.patch("", response=MeOut, summary="Change your own profile", url_name="me_patch")
@signed_in("a person edits their own profile")
def me_patch(request: HttpRequest, payload: MePatch) -> MeOut | JsonResponse:
    user = _me(request)
    try:
        services.user_update_profile(
            actor=Actor.user(user),
            user=user,
            full_name=payload.full_name,
            phone=payload.phone,
            language=payload.language,
            time_zone=payload.time_zone,
            date_of_birth=payload.date_of_birth,
            request=request,
        )
    except UnderMinimumAge:
        from logitrack.privacy.erasure.services.children import underage_date_of_birth

        underage_date_of_birth(actor=Actor.user(user), user=user, request=request)
        if hasattr(request, "session"):
            request.session.flush()
        return error_json("account_suspended", str(ACCOUNT_SUSPENDED), 403)
    except AccountError as exc:
        return _account_error(exc)
    return _me_out(user)


@router.post(
    "/password", response={204: None}, summary="Change your own password", url_name="me_password"
)
@signed_in("a person changes their own password")
def me_password(request: HttpRequest, payload: PasswordChangeIn) -> Status[None] | JsonResponse:
    user = _me(request)
    try:
        services.user_change_password(
            actor=Actor.user(user),
            user=user,
            current_password=payload.current_password,
            new_password=payload.new_password,
            request=request,
        )
    except AccountError as exc:
        return _account_error(exc)
    return Status(204, None)


def _session_out(row: UserSession, current_hash: str | None) -> SessionOut:
    return SessionOut(
        id=row.pk,
        created_at=row.created_at,
        last_seen_at=row.last_seen_at,
        ip_address=row.ip_address,
        device=row.user_agent,
        current=row.key_hash == current_hash,
    )


@router.get(
    "/sessions",
    response=list[SessionOut],
    summary="Your own signed-in sessions",
    url_name="me_sessions",
)
@signed_in("a person lists their own sessions")
def me_sessions(request: HttpRequest) -> list[SessionOut]:
    current = sessions.current_key_hash(request)
    return [_session_out(row, current) for row in sessions.sessions_of_user(user=_me(request))]


@router.delete(
    "/sessions/{session_id}",
    response={204: None},
    summary="End one of your sessions",
    url_name="me_session_revoke",
)
@signed_in("a person ends one of their own sessions")
def me_session_revoke(request: HttpRequest, session_id: Id) -> Status[None] | JsonResponse:
    user = _me(request)
    try:
        sessions.session_revoke(
            actor=Actor.user(user), user=user, session_id=session_id, request=request
        )
    except AccountError as exc:
        return _account_error(exc)
    return Status(204, None)
