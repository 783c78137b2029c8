"""Idle and absolute session timeouts, refusal of revoked sessions, the person's time zone.

Runs after Django's AuthenticationMiddleware and before the principal is built, so an expired
session is never served as a signed-in person. The session is written at most once a minute to
move the "last seen" time forward, not on every request.
"""

from __future__ import annotations

import functools
import time
import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseBase
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from logitrack.accounts.models import UserSession
from logitrack.accounts.sessions import (
    AUTH_AT_KEY,
    LOGOUT_REASON_ATTR,
    NOTICE_KEY,
    SEEN_AT_KEY,
    current_key_hash,
    is_signed_in_session,
)
from logitrack.core.errors import error_json, wants_json

Handler = Callable[[HttpRequest], HttpResponseBase]
SEEN_AT_RESOLUTION_SECONDS = 60


@functools.cache
def _zone(name: str) -> zoneinfo.ZoneInfo | None:
    try:
        return zoneinfo.ZoneInfo(name) if name else None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def _timestamp(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not is_signed_in_session(request):
            return self.get_response(request)
        now = int(time.time())
        session = request.session
        auth_at = _timestamp(session.get(AUTH_AT_KEY))
        seen_at = _timestamp(session.get(SEEN_AT_KEY))
        idle: int = settings.LOGITRACK_SESSION_IDLE_SECONDS
        absolute: int = settings.LOGITRACK_SESSION_ABSOLUTE_SECONDS
        if auth_at is None or seen_at is None or now - auth_at >= absolute:
            return self._expired(request, "absolute")
        if now - seen_at >= idle:
            return self._expired(request, "idle")
        key_hash = current_key_hash(request)
        row = UserSession.objects.filter(key_hash=key_hash).values_list("pk", flat=True).first()
        if row is None:
            return self._revoked(request)
        if now - seen_at >= SEEN_AT_RESOLUTION_SECONDS:
            session[SEEN_AT_KEY] = now
            UserSession.objects.filter(pk=row).update(last_seen_at=timezone.now())
        # Times are shown in the person's own time zone (TIME_ZONE when they chose none).
        zone = _zone(str(getattr(request.user, "time_zone", "")))
        if zone is None:
            return self.get_response(request)
        timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    def _expired(self, request: HttpRequest, reason: str) -> HttpResponseBase:
        setattr(request, LOGOUT_REASON_ATTR, reason)
        logout(request)
        return self._sign_in_again(request)

    def _revoked(self, request: HttpRequest) -> HttpResponseBase:
        # Ended from another device: already audited there, so only flush here.
        request.session.flush()
        request.user = AnonymousUser()
        return self._sign_in_again(request)

    def _sign_in_again(self, request: HttpRequest) -> HttpResponseBase:
        if wants_json(request):
            return error_json(
                "session_expired", _("Your session has ended. Please sign in again."), 401
            )
        request.session[NOTICE_KEY] = "session_expired"
        if request.path == reverse(settings.LOGIN_URL):
            # Already on the way to sign in: show the page (with the notice), no redirect loop.
            return self.get_response(request)
        return redirect_to_login(request.get_full_path())
