"""Failures of policy-version operations that a caller can act on, each with a stable code.

Pages show ``message`` (translated). Each is raised before anything is written, so a refused
operation changes nothing.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from logitrack.core.errors import CallerError


class PolicyError(CallerError):
    code = "policy_error"
    message: str | Promise = _("The privacy policy could not be changed.")


class PolicyLanguageMissing(PolicyError):
    code = "policy_language_missing"
    message = _("A privacy policy is published in Vietnamese and English: write both texts first.")


class PolicySummaryMissing(PolicyError):
    code = "policy_summary_missing"
    message = _("Say in a few words what changed since the previous version.")
    field = "summary"


class PolicyImmutable(PolicyError):
    code = "policy_version_immutable"
    message = _("A published version of the privacy policy can no longer be changed.")
    status = 409


class PolicyDraftExists(PolicyError):
    code = "policy_draft_exists"
    message = _("A draft of the privacy policy already exists: edit or publish it first.")
    status = 409


class PolicyEffectiveInPast(PolicyError):
    code = "policy_effective_in_past"
    message = _("A new version cannot take effect in the past: choose now or a later time.")
    field = "effective_at"


class PolicyEffectiveTooFar(PolicyError):
    code = "policy_effective_too_far"
    message = _("A new version takes effect within a year: choose an earlier time.")
    field = "effective_at"


class PolicyEffectiveOutOfOrder(PolicyError):
    code = "policy_effective_out_of_order"
    message = _("A new version must take effect after the previous version: choose a later time.")
    field = "effective_at"


class PolicyTextTooLong(PolicyError):
    code = "policy_text_too_long"
    message = _("The text is too long.")


class PolicyNothingToAccept(PolicyError):
    code = "policy_nothing_to_accept"
    message = _("This version of the privacy policy is not in effect, so it cannot be accepted.")
    status = 409


class PolicyNotAllowed(PolicyError):
    code = "permission_denied"
    message = _("Only Logitrack's privacy officer may write the privacy policy.")
    status = 403
