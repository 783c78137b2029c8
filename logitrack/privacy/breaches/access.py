"""The only way request-driven code gets a register entry: privacy officers only.

Missing and not permitted raise the same NotFound, so ids cannot be probed.
"""

from __future__ import annotations

from logitrack.accounts.models import User
from logitrack.core.errors import NotFound
from logitrack.privacy.breaches.models import Breach, Disclosure, Partner


def _is_officer(user: User | None) -> bool:
    return (
        user is not None
        and user.is_active
        and user.platform_role == User.PlatformRole.PRIVACY_OFFICER
    )


def access_breach_by_id(actor: User | None, breach_id: int) -> Breach:
    """A breach, for an active privacy officer; NotFound("breach_not_found") otherwise."""
    breach = Breach.objects.filter(pk=breach_id).first() if _is_officer(actor) else None
    if breach is None:
        raise NotFound("breach_not_found")
    return breach


def access_partner_by_id(actor: User | None, partner_id: int) -> Partner:
    """A partner, for an active privacy officer; NotFound("partner_not_found") otherwise."""
    partner = Partner.objects.filter(pk=partner_id).first() if _is_officer(actor) else None
    if partner is None:
        raise NotFound("partner_not_found")
    return partner


def access_disclosure_by_id(actor: User | None, disclosure_id: int) -> Disclosure:
    """A disclosure, for an active privacy officer; NotFound("disclosure_not_found") otherwise."""
    disclosure = Disclosure.objects.filter(pk=disclosure_id).first() if _is_officer(actor) else None
    if disclosure is None:
        raise NotFound("disclosure_not_found")
    return disclosure
