"""Failures of the partners register, disclosure log and breach register a caller can act on.

Each has a stable ``code`` and a translated ``message``; each is raised before anything is
written, so a refused operation changes nothing.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from logitrack.core.errors import CallerError


class BreachesError(CallerError):
    code = "breaches_error"
    message: str | Promise = _("The request could not be carried out.")


class InvalidCategory(BreachesError):
    code = "data_category_unknown"
    message = _("Choose data categories from the data inventory's taxonomy.")
    field = "categories"


class InvalidPartner(BreachesError):
    code = "partner_invalid"
    message = _("Some partner details are missing or invalid.")


class PartnerKeyTaken(BreachesError):
    code = "partner_key_taken"
    message = _("A partner with this key is already registered.")
    status = 409
    field = "key"


class InvalidDisclosure(BreachesError):
    code = "disclosure_invalid"
    message = _("Some disclosure details are missing or invalid.")


class SameApprover(BreachesError):
    code = "disclosure_four_eyes"
    message = _("A disclosure must be approved by a different person than the one who recorded it.")
    status = 409


class DisclosureNotPending(BreachesError):
    code = "disclosure_not_pending"
    message = _("This disclosure has already been decided.")
    status = 409


class InvalidBreach(BreachesError):
    code = "breach_invalid"
    message = _("Some breach details are missing or invalid.")


class BreachWrongState(BreachesError):
    code = "breach_wrong_state"
    message = _("This step is not possible in the breach's current state.")
    status = 409


class NoticesAlreadySent(BreachesError):
    code = "breach_notices_already_sent"
    message = _("The notices of this breach have already been sent; nothing was sent again.")
    status = 409
