"""Signed, expiring tokens sent by e-mail: password reset and e-mail address verification.

Password reset uses Django's token generator, which hashes the password hash and the last sign-in
time into the token: once the password changes or the person signs in, the link is dead (single
use), and it expires after PASSWORD_RESET_TIMEOUT. The verification token is signed with its own
salt and carries a keyed digest of the address it verifies, never the address itself, so a link
for an old address stops working once the address changes.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from logitrack.accounts.models import User

EMAIL_VERIFICATION_MAX_AGE = timedelta(days=3)
_VERIFICATION_SALT = "logitrack.accounts.tokens.email-verification"
_ADDRESS_SALT = "logitrack.accounts.tokens.email-verification.address"


class PasswordResetTokens(PasswordResetTokenGenerator):
    key_salt = "logitrack.accounts.tokens.PasswordResetTokens"


password_reset_tokens = PasswordResetTokens()


def uid_for(user: User) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def user_id_from_uid(uidb64: str) -> int | None:
    try:
        return int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
        return None


def _address_digest(email: str) -> str:
    # ``User.email`` is stored canonical (logitrack.core.identity), so it is hashed as it is.
    return salted_hmac(_ADDRESS_SALT, email, algorithm="sha256").hexdigest()[:32]


def email_verification_token(user: User) -> str:
    return signing.dumps({"u": user.pk, "e": _address_digest(user.email)}, salt=_VERIFICATION_SALT)


def user_id_from_verification_token(token: str) -> int | None:
    """The user id the token was made for, or None if it is forged, malformed or expired."""
    try:
        payload = signing.loads(token, salt=_VERIFICATION_SALT, max_age=EMAIL_VERIFICATION_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), int):
        return None
    user_id: int = payload["u"]
    return user_id


def verification_token_matches(user: User, token: str) -> bool:
    """True when ``token`` was made for this user's current address (and is still valid)."""
    try:
        payload = signing.loads(token, salt=_VERIFICATION_SALT, max_age=EMAIL_VERIFICATION_MAX_AGE)
    except signing.BadSignature:
        return False
    if not isinstance(payload, dict) or payload.get("u") != user.pk:
        return False
    return constant_time_compare(str(payload.get("e", "")), _address_digest(user.email))
