"""django-axes hooks: whom an attempt counts against, what the log says, what a locked person sees.

Attempts are counted per (e-mail, IP address) pair, so an attacker hammering one account from
their address locks only that pair: the real person, from their own address, still signs in.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from logitrack.core.errors import error_json, wants_json
from logitrack.core.identity import email_key

_CLIENT_STR_SALT = "logitrack.accounts.lockout.client"


def lockout_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The key an attempt is counted against: the canonical e-mail the login looks up.

    ``canonical_email`` is the one function both sides use, so every spelling of one address
    ("Lan@Example.vn", fullwidth, U+017F long s for ``s``, an ``xn--`` domain) shares one
    counter, and a spelling that names another address (U+0131 dotless i is not ``i``) never
    shares it. Input that is not an address, which signs in to nobody, is counted under
    ``invalid:<sha256 of the input>``: the colon cannot occur in a canonical address, so it
    never meets an account's counter.
    """
    field = str(settings.AXES_USERNAME_FORM_FIELD)
    raw = (credentials or {}).get(field)
    if raw is None:
        # Django fills ``request.POST`` for POST requests only: any other method reads "".
        raw = request.POST.get(field, "")
    return email_key(str(raw))


def client_ip(request: HttpRequest) -> str | None:
    """The network attempts are counted against: the rate limits' key (``throttle.ip_key``),
    an IPv4 address or an IPv6 /64, so rotating addresses inside one subscriber's /64 does not
    reset the lockout."""
    from logitrack.security.throttle import UNKNOWN_CLIENT, ip_key

    address = ip_key(request)
    # The rate limits count an unknown address in one shared bucket; the lockout stores the
    # address in an address column, so it gets None there (django-axes then keys by account).
    return None if address == UNKNOWN_CLIENT else address


def client_str(
    username: str, ip_address: str, user_agent: str, path_info: str, request: HttpRequest
) -> str:
    """What axes writes to the log: a keyed digest, never the e-mail or the IP address."""
    digest = salted_hmac(_CLIENT_STR_SALT, f"{username}|{ip_address}", algorithm="sha256")
    return f"client:{digest.hexdigest()[:16]}"


def cool_off_minutes(request: HttpRequest) -> int:
    from axes.helpers import get_cool_off

    cool_off = get_cool_off(request)
    return max(1, round(cool_off.total_seconds() / 60)) if cool_off is not None else 15


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any = None
) -> HttpResponse:
    """429 with a translated page, or the coded JSON error for API clients."""
    minutes = cool_off_minutes(request)
    message = _(
        "Too many failed sign-in attempts for this account from your network. "
        "Try again in %(minutes)d minutes, or reset your password."
    ) % {"minutes": minutes}
    if wants_json(request):
        return error_json("login_locked", message, 429)
    response = render(
        request, "accounts/locked_out.html", {"message": message, "minutes": minutes}, status=429
    )
    response["Retry-After"] = str(minutes * 60)
    return response
