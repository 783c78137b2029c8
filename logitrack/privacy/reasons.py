"""Reasons for keeping a value when a person asks for erasure, shared by every app's inventory.

They are shown to people (the data map, later the erasure plan and the record of processing), so
they are translated here, in the privacy catalogue, rather than in each app.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

REFERENCE_DATA = _("Django's registry of code (model types, permissions); it describes no person.")
SECURITY_LOG = _(
    "Security record of sign-ins, kept for the audit retention period to detect and investigate "
    "intrusions (policy section 5); the retention job removes it afterwards."
)
AUDIT_TRAIL = _(
    "The audit chain is append-only: each entry is hashed into the next, so that no entry can be "
    "altered or removed unnoticed. It names people only by pseudonym, never by name or e-mail."
)
KEY_RECORD = _(
    "Erasure destroys the key material; the key's row stays without it, so that the destruction "
    "stays on record and later writes for its owner are refused."
)
