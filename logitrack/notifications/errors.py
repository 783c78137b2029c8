"""Failures of notification operations that a caller can act on, each with a stable code."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from logitrack.core.errors import CallerError


class NotificationError(CallerError):
    code = "notification_error"
    message: str | Promise = _("The notification settings could not be changed.")


class NotAllowed(NotificationError):
    code = "permission_denied"
    message = _("Your account level does not allow this.")
    status = 403


class SubscriptionInvalid(NotificationError):
    code = "subscription_invalid"
    message = _("Choose one of your company's devices or geofences.")
    status = 422
