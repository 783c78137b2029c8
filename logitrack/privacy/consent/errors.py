"""Failures of consent and marketing operations that a caller can act on, each with a stable code.

Pages show ``message`` (translated); the API answers ``{"error": {"code", "message"}}`` with
``status``. Each is raised before anything is written, so a refused operation changes nothing.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from logitrack.core.errors import CallerError


class ConsentError(CallerError):
    code = "consent_error"
    message: str | Promise = _("The consent could not be recorded.")


class NotAllowed(ConsentError):
    code = "permission_denied"
    message = _("Your account level does not allow this.")
    status = 403


class UnknownPurpose(ConsentError):
    code = "purpose_unknown"
    message = _("There is no such purpose.")
    field = "purpose"


class MethodNotAllowed(ConsentError):
    code = "method_not_allowed_here"
    message = _("A consent cannot be recorded this way here.")
    field = "method"


class NoticeMissing(ConsentError):
    code = "notice_missing"
    message = _(
        "Give the notice the person was shown or read, in full, in at most 4000 characters."
    )
    field = "notice_text"


class ContactMissing(ConsentError):
    code = "contact_missing"
    message = _("Give the consignee's e-mail address or phone number.")
    field = "email"


class PurposeCodeTaken(ConsentError):
    code = "purpose_code_taken"
    message = _("Your company has already declared a purpose with this code.")
    status = 409
    field = "code"


class InvalidPurpose(ConsentError):
    code = "purpose_invalid"
    message = _(
        "A purpose needs a code (letters, digits, hyphens), and a name and a description in "
        "both Vietnamese and English."
    )


class InvalidCampaign(ConsentError):
    code = "campaign_invalid"
    message = _("A campaign needs a key, and a subject and a text in Vietnamese and English.")


class InvalidUnsubscribeLink(ConsentError):
    code = "unsubscribe_link_invalid"
    message = _(
        "This unsubscribe link is not valid: it may have been changed or cut short. Nothing "
        "was changed. Use the link of the message exactly as it arrived, or sign in and "
        "withdraw on the My consents page."
    )
    status = 400


class CampaignKeyReused(ConsentError):
    code = "idempotency_key_reused"
    message = _("This idempotency key was already used for a different request.")
    status = 409
    field = "idempotency_key"


class InvalidIdempotencyKey(ConsentError):
    code = "idempotency_key_invalid"
    message = _("An idempotency key is 1 to 128 printable ASCII characters without spaces.")
    field = "idempotency_key"
