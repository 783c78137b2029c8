"""Failures of account operations that a caller can act on, each with a stable code."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class AccountError(Exception):
    code = "account_error"
    message = _("The account could not be changed.")

    def __init__(self, message: str | None = None) -> None:
        super().__init__(str(message or self.message))


class UnderMinimumAge(AccountError):
    code = "under_minimum_age"
    message = _("Logitrack is not available to people under 16.")


class EmailTaken(AccountError):
    code = "email_taken"
    message = _("An account with this email already exists.")
