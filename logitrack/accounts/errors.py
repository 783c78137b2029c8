"""Failures of account operations that a caller can act on, each with a stable code."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class AccountError(Exception):
    code = "account_error"
    message: StrOrPromise = _("The account could not be changed.")

    def __init__(self, message: str | None = None) -> None:
        super().__init__(str(message or self.message))


class UnderMinimumAge(AccountError):
    code = "under_minimum_age"
    message = _("Logitrack is not available to people under 16.")


class InvalidDateOfBirth(AccountError):
    """A date of birth in the future or more than MAXIMUM_AGE_YEARS ago: a typing error, not a
    person's age, so it is never treated as "under 16" (nothing is erased for it)."""

    code = "invalid_date_of_birth"
    message = _("This is not a valid date of birth: check the day, month and year.")


class EmailTaken(AccountError):
    code = "email_taken"
    message = _("An account with this email already exists.")


class InvalidEmail(AccountError):
    """Not an e-mail address; ``code`` is the one ``canonical_email`` refused it with."""

    code = "email_invalid"
    message: StrOrPromise = _("Enter a valid email address.")

    def __init__(self, error: ValidationError | None = None) -> None:
        if error is not None:
            self.code = error.code or self.code
            self.message = error.message
        super().__init__(str(self.message))


class PasswordRejected(AccountError):
    """The new password breaks the password policy; ``messages`` says how, translated."""

    code = "password_rejected"
    message = _("This password cannot be used.")

    def __init__(self, messages: list[str] | None = None) -> None:
        self.messages = list(messages or [str(self.message)])
        super().__init__(" ".join(self.messages))


class WrongPassword(AccountError):
    code = "wrong_password"
    message = _("The current password is incorrect.")


class InvalidResetLink(AccountError):
    code = "reset_link_invalid"
    message = _("This password reset link is invalid or has expired. Please ask for a new one.")


class InvalidVerificationLink(AccountError):
    code = "verification_link_invalid"
    message = _("This verification link is invalid or has expired. Please ask for a new one.")


class InvalidPhone(AccountError):
    code = "phone_invalid"
    message = _("Enter a valid phone number, for example 0912 345 678 or +84 912 345 678.")


class InvalidTimeZone(AccountError):
    code = "time_zone_invalid"
    message = _("Choose a time zone from the list.")


class InvalidLanguage(AccountError):
    code = "language_invalid"
    message = _("Choose Vietnamese or English.")


class InvalidFullName(AccountError):
    code = "full_name_invalid"
    message = _("Enter your full name (at most 150 characters).")


class SessionNotFound(AccountError):
    """Another person's session and a missing one look the same."""

    code = "session_not_found"
    message = _("This session does not exist or has already ended.")
