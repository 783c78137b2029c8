"""Writes to people's accounts. Each service is atomic and writes its audit entry."""

from __future__ import annotations

import zoneinfo
from datetime import date
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from logitrack.accounts.emails import send_email_on_commit
from logitrack.accounts.errors import (
    EmailTaken,
    InvalidDateOfBirth,
    InvalidEmail,
    InvalidFullName,
    InvalidLanguage,
    InvalidPhone,
    InvalidResetLink,
    InvalidTimeZone,
    InvalidVerificationLink,
    PasswordRejected,
    UnderMinimumAge,
    WrongPassword,
)
from logitrack.accounts.hashers import password_nfkc
from logitrack.accounts.models import User, UserSession
from logitrack.accounts.sessions import current_key_hash, session_keep_after_password_change
from logitrack.accounts.tokens import (
    password_reset_tokens,
    user_id_from_uid,
    user_id_from_verification_token,
    verification_token_matches,
)
from logitrack.core.crypto.canonical import e164
from logitrack.core.identity import canonical_email, canonical_email_or_none
from logitrack.core.text import TextRefused, human_text
from logitrack.security.actors import Actor
from logitrack.security.services import audit_record
from logitrack.security.throttle import remember_address

MINIMUM_AGE_YEARS = 16
# Older than any living person (the oldest verified age is 122): such a date is a typing error.
MAXIMUM_AGE_YEARS = 120


def age_on(birth: date, today: date) -> int:
    before_birthday = (today.month, today.day) < (birth.month, birth.day)
    return today.year - birth.year - int(before_birthday)


def ensure_minimum_age(date_of_birth: date, *, today: date | None = None) -> None:
    """Raise UnderMinimumAge for anyone under 16 (policy §9); callers store nothing then.

    A date in the future or more than MAXIMUM_AGE_YEARS ago raises InvalidDateOfBirth first:
    it says nothing about the person's age, so it must not read "under 16".
    """
    today = today or timezone.localdate()
    if date_of_birth > today or age_on(date_of_birth, today) > MAXIMUM_AGE_YEARS:
        raise InvalidDateOfBirth()
    if age_on(date_of_birth, today) < MINIMUM_AGE_YEARS:
        raise UnderMinimumAge()


def user_create(
    *,
    actor: Actor,
    email: str,
    password: str | None,
    full_name: str,
    date_of_birth: date | None = None,
    language: str = "vi",
    email_verified: bool = False,
    **fields: Any,
) -> User:
    """Create a person's account.

    Invariants: the age check and the password policy run before anything is written, so nothing
    of a person under 16 is stored; the e-mail is stored in its canonical form and unique in it
    (any other spelling of a taken address raises EmailTaken, a non-address InvalidEmail, with
    nothing written); the password (when
    given) is hashed, and ``None`` leaves the account without one (an invitee sets it later with
    ``user_set_password``). Unless ``email_verified`` (the caller has proof, e.g. an accepted
    invitation link), a verification e-mail is sent once the transaction commits.
    """
    if date_of_birth is not None:
        ensure_minimum_age(date_of_birth)
    try:
        address = canonical_email(email)
    except ValidationError as exc:
        raise InvalidEmail(exc) from exc
    if password is not None:
        password_check(password, user=User(email=address, full_name=full_name))
    with transaction.atomic():
        if User.objects.filter(email=address).exists():
            raise EmailTaken()
        if date_of_birth is not None:
            fields["date_of_birth"] = date_of_birth
        if email_verified:
            fields["email_verified_at"] = timezone.now()
        user = User.objects.create_user(
            email=address, password=password, full_name=full_name, language=language, **fields
        )
        audit_record(action="user_created", actor=actor, object_type="user", object_id=str(user.pk))
        if not email_verified:
            email_verification_send(actor=actor, user=user)
    return user


# --- passwords ---------------------------------------------------------------------------------


def password_check(password: str, *, user: User | None = None) -> None:
    """Raise PasswordRejected (with every reason, translated) unless ``password`` meets the policy.

    The policy is AUTH_PASSWORD_VALIDATORS: 12 to 128 characters, not common or breached, not
    close to the person's e-mail or name. There are no composition rules. The validators see the
    password as it is hashed: NFKC-normalised (``accounts.hashers.password_nfkc``), so lengths
    count the same characters whatever keyboard setting typed them.
    """
    try:
        validate_password(password_nfkc(password), user=user)
    except ValidationError as exc:
        raise PasswordRejected([str(message) for message in exc.messages]) from exc


def user_set_password(
    *, actor: Actor, user: User, password: str, request: HttpRequest | None = None
) -> User:
    """Set ``user``'s password (an invitee choosing theirs, or staff on the person's behalf).

    Invariants: the password meets the policy or nothing is written; every session of the user
    ends (Django also refuses sessions made with the old password hash).
    """
    password_check(password, user=user)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        UserSession.objects.filter(user=user).delete()
        audit_record(
            action="authn_password_change",
            actor=actor,
            object_type="user",
            object_id=str(user.pk),
            details={"method": "set"},
            request=request,
        )
    return user


def user_change_password(
    *,
    actor: Actor,
    user: User,
    current_password: str,
    new_password: str,
    request: HttpRequest | None = None,
) -> User:
    """A person changes their own password, proving the current one.

    Invariants: a wrong current password or a refused new one writes nothing but the failure's
    audit entry; on success the browser making the change stays signed in (its session key is
    rotated) and every other session of the person ends; a notice goes to their address.
    """
    if not user.check_password(current_password):
        audit_record(
            action="authn_password_change_fail",
            actor=actor,
            object_type="user",
            object_id=str(user.pk),
            details={"reason": WrongPassword.code},
            request=request,
        )
        raise WrongPassword()
    password_check(new_password, user=user)
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        keep: str | None = None
        if request is not None and getattr(request, "user", None) == user:
            session_keep_after_password_change(request=request, user=user)
            keep = current_key_hash(request)
        others = UserSession.objects.filter(user=user)
        if keep is not None:
            others = others.exclude(key_hash=keep)
        ended, _ = others.delete()
        audit_record(
            action="authn_password_change",
            actor=actor,
            object_type="user",
            object_id=str(user.pk),
            details={"method": "change", "other_sessions_ended": ended},
            request=request,
        )
        send_email_on_commit(user.pk, "password_changed")
    return user


# --- password reset ----------------------------------------------------------------------------


def password_reset_request(*, email: str, request: HttpRequest | None = None) -> None:
    """Queue a reset link if an active account has this address; do the same work either way.

    Both cases look the address up, write the audit entry and queue the e-mail task (which
    sends nothing for ``None``), so neither the page nor its timing tells who has an account.
    """
    address = canonical_email_or_none(email)
    user = (
        User.objects.filter(email=address, is_active=True).first() if address is not None else None
    )
    with transaction.atomic():
        audit_record(
            action="authn_password_reset_request",
            actor=Actor.user(user) if user is not None else Actor.anonymous(),
            object_type="user",
            object_id=str(user.pk) if user is not None else "",
            details={"account_found": user is not None},
            request=request,
        )
        send_email_on_commit(user.pk if user is not None else None, "password_reset")


def password_reset_user(*, uidb64: str, token: str, request: HttpRequest | None = None) -> User:
    """The person a reset link was made for; InvalidResetLink (audited) when forged or expired."""
    user_id = user_id_from_uid(uidb64)
    user = User.objects.filter(pk=user_id, is_active=True).first() if user_id is not None else None
    if user is None or not password_reset_tokens.check_token(user, token):
        audit_record(
            action="authn_password_reset_fail",
            actor=Actor.user(user) if user is not None else Actor.anonymous(),
            object_type="user",
            object_id=str(user.pk) if user is not None else "",
            details={"reason": InvalidResetLink.code},
            request=request,
        )
        raise InvalidResetLink()
    return user


def password_reset_complete(
    *, uidb64: str, token: str, password: str, request: HttpRequest | None = None
) -> User:
    """Set a new password through a reset link, which then stops working (single use).

    Invariants: a forged, expired or used link, or a refused password, changes nothing; on
    success every session of the person ends, and the address counts as verified (the link
    reached it).
    """
    user = password_reset_user(uidb64=uidb64, token=token, request=request)
    password_check(password, user=user)
    with transaction.atomic():
        user.set_password(password)
        fields = ["password"]
        if user.email_verified_at is None:
            user.email_verified_at = timezone.now()
            fields.append("email_verified_at")
        user.save(update_fields=fields)
        UserSession.objects.filter(user=user).delete()
        audit_record(
            action="authn_password_reset",
            actor=Actor.user(user),
            object_type="user",
            object_id=str(user.pk),
            request=request,
        )
        send_email_on_commit(user.pk, "password_changed")
        # Whoever completed the reset holds the mailbox: the sign-in lockout of this account
        # (django-axes counts under the canonical address, accounts.lockout) ends, as the
        # lockout page promises.
        AxesProxyHandler.reset_attempts(username=user.email)
    if request is not None:
        # The reset link reached the mailbox: this address may sign in past the account's
        # failure ceiling (docs/adr/0012).
        remember_address(request, user.email)
    return user


# --- e-mail verification -----------------------------------------------------------------------


def email_verification_send(*, actor: Actor, user: User) -> bool:
    """Queue a verification link (valid 3 days) to ``user``; False when already verified."""
    if user.email_verified_at is not None:
        return False
    send_email_on_commit(user.pk, "verify_email")
    return True


def signup_address_taken(*, email: str, password: str, request: HttpRequest | None = None) -> None:
    """Someone signed up with an address that already has an account: tell its owner.

    The sign-up page answers as for a new account, so it cannot be used to learn who has one;
    the owner gets "someone tried to sign up with your address; sign in or reset your
    password" instead. The password is hashed (and thrown away) so that the answer takes as
    long as creating an account, whose cost is dominated by the same hashing.
    """
    make_password(password)
    normalised = User.objects.normalize_email(email.strip()).lower()
    user = User.objects.filter(email__iexact=normalised, is_active=True).first()
    with transaction.atomic():
        audit_record(
            action="authn_signup_address_taken",
            actor=Actor.anonymous(),
            object_type="user",
            object_id=str(user.pk) if user is not None else "",
            request=request,
        )
        send_email_on_commit(user.pk if user is not None else None, "signup_existing")


def email_verify(*, token: str, request: HttpRequest | None = None) -> User:
    """Mark the address a verification link was sent to as verified.

    Invariants: a forged or expired link, or one for an address the person has since changed,
    raises InvalidVerificationLink and changes nothing; verifying twice is harmless.
    """
    user_id = user_id_from_verification_token(token)
    user = User.objects.filter(pk=user_id).first() if user_id is not None else None
    if user is None or not verification_token_matches(user, token):
        raise InvalidVerificationLink()
    if user.email_verified_at is not None:
        return user
    with transaction.atomic():
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
        audit_record(
            action="authn_email_verified",
            actor=Actor.user(user),
            object_type="user",
            object_id=str(user.pk),
            request=request,
        )
    return user


# --- profile -----------------------------------------------------------------------------------


def phone_to_e164(raw: str) -> str:
    """``raw`` as E.164 (region VN when no country code is given); InvalidPhone otherwise."""
    try:
        return e164(raw)
    except ValidationError as exc:
        raise InvalidPhone() from exc


def available_time_zones() -> list[str]:
    return sorted(zone for zone in zoneinfo.available_timezones() if "/" in zone)


def user_update_profile(
    *,
    actor: Actor,
    user: User,
    full_name: str | None = None,
    phone: str | None = None,
    language: str | None = None,
    time_zone: str | None = None,
    date_of_birth: date | None = None,
    request: HttpRequest | None = None,
) -> User:
    """Change a person's own profile; ``None`` leaves a field as it is, ``phone=""`` clears it.

    Invariants: every value is checked before anything is written, so one bad value changes
    nothing; the audit entry names the fields changed, never their values. A date of birth
    under 16 raises UnderMinimumAge with nothing written: the caller then starts the under-16
    path (``logitrack.privacy.erasure``), which suspends the account (policy section 9).
    """
    changes: dict[str, object] = {}
    if date_of_birth is not None:
        ensure_minimum_age(date_of_birth)
        changes["date_of_birth"] = date_of_birth
    if full_name is not None:
        try:
            cleaned = human_text(full_name)
        except TextRefused as exc:
            raise InvalidFullName(exc.message) from exc
        if not cleaned or len(cleaned) > 150:
            raise InvalidFullName()
        changes["full_name"] = cleaned
    if phone is not None:
        changes["phone"] = phone_to_e164(phone) if phone.strip() else ""
    if language is not None:
        if language not in dict(settings.LANGUAGES):
            raise InvalidLanguage()
        changes["language"] = language
    if time_zone is not None:
        if time_zone not in zoneinfo.available_timezones():
            raise InvalidTimeZone()
        changes["time_zone"] = time_zone
    changed = sorted(name for name, value in changes.items() if getattr(user, name) != value)
    if not changed:
        return user
    with transaction.atomic():
        for name in changed:
            setattr(user, name, changes[name])
        # The phone's blind index is recomputed on save and must be written with it.
        extra = ["phone_index"] if "phone" in changed else []
        user.save(update_fields=[*changed, *extra])
        audit_record(
            action="user_updated",
            actor=actor,
            object_type="user",
            object_id=str(user.pk),
            details={"fields": changed},
            request=request,
        )
    return user
