"""Failures of tenancy operations that a caller can act on, each with a stable code.

Pages show ``message`` (translated); the API answers ``{"error": {"code", "message"}}`` with
``status``. Every one of them is raised before anything is written, or rolls its transaction
back, so a refused operation changes nothing.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from logitrack.core.errors import CallerError, NotFound


class TenancyError(CallerError):
    code = "tenancy_error"
    message: str | Promise = _("The company could not be changed.")


class ConsentRequired(TenancyError):
    code = "consent_required"
    message = _("Please read and accept the privacy policy to create an account.")
    field = "privacy_consent"


class InvalidTaxCode(TenancyError):
    code = "tax_code_invalid"
    message = _("This tax code is not valid.")
    field = "tax_code"


class TaxCodeTaken(TenancyError):
    code = "tax_code_taken"
    message = _("A company with this tax code already uses Logitrack.")
    status = 409
    field = "tax_code"


class InvalidAddress(TenancyError):
    code = "address_invalid"
    message = _("This commune or ward is not in the chosen province.")
    field = "ward_code"


class InvalidCompanyField(TenancyError):
    code = "company_field_invalid"
    message = _("Some company details are missing or too long.")


class InvalidEmail(TenancyError):
    code = "email_invalid"
    message = _("Enter a valid email address.")
    field = "email"


class InvalidRole(TenancyError):
    code = "role_invalid"
    message = _("Choose an account level from the list.")
    field = "role"


class NotAllowed(TenancyError):
    code = "permission_denied"
    message = _("Your account level does not allow this action.")
    status = 403


class LastOwner(TenancyError):
    code = "last_owner"
    message = _(
        "A company must keep at least one owner. Make another member owner first, then try again."
    )
    status = 409
    field = "role"


class RoleNotGrantable(TenancyError):
    """The actor tried to grant, or take away, an account level above their own."""

    code = "role_not_grantable"
    message = _("Only an owner can grant or take away this account level.")
    status = 403
    field = "role"


class AlreadyMember(TenancyError):
    code = "already_member"
    message = _("This person is already a member of the company.")
    status = 409
    field = "email"


class InvitationWrongAccount(TenancyError):
    code = "invitation_wrong_account"
    message = _(
        "This invitation was sent to another email address. Sign in with that address to accept it."
    )
    status = 403


class InvitationNeedsSignIn(TenancyError):
    code = "invitation_needs_sign_in"
    message = _("An account with this email already exists. Sign in to accept the invitation.")
    status = 401


class InvitationDetailsMissing(TenancyError):
    code = "invitation_details_missing"
    message = _("Enter your full name, a password and your date of birth to create your account.")


class InvalidExpiry(TenancyError):
    code = "api_key_expiry_invalid"
    message = _("An API key must expire within one year from now.")
    field = "expires_at"


class InvalidApiKeyName(TenancyError):
    code = "api_key_name_invalid"
    message = _("Give the API key a name of at most 100 characters.")
    field = "name"


class PermissionsNotGrantable(TenancyError):
    code = "api_key_permissions_invalid"
    message = _(
        "Choose at least one permission, and only permissions that you hold and that an API key "
        "may have."
    )
    status = 403
    field = "permissions"


class ApiKeyNeedsPerson(TenancyError):
    code = "api_key_needs_person"
    message = _("API keys are created by a signed-in person, not by another API key.")
    status = 403


class ApiKeyAlreadyRevoked(TenancyError):
    code = "api_key_already_revoked"
    message = _("This API key has already been revoked.")
    status = 409


class InvitationInvalid(NotFound):
    """A forged, used, revoked or expired invitation link: all look the same."""

    message = _(
        "This invitation link is invalid or has expired. Ask the company's administrator to "
        "invite you again."
    )

    def __init__(self) -> None:
        super().__init__("invitation_invalid")


class ApiKeyNotAwaitingReview(TenancyError):
    code = "api_key_not_awaiting_review"
    message = _("This API key is not waiting for review: only a suspended key can be confirmed.")
    status = 409


class InvitationInviterNotAllowed(TenancyError):
    """The person (or key) who sent the invitation can no longer grant its account level."""

    code = "invitation_inviter_not_allowed"
    message = _(
        "Whoever sent this invitation can no longer grant this account level, so the invitation "
        "has been withdrawn. Ask the company's administrator to invite you again."
    )
    status = 403
