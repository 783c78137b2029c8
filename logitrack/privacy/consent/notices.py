"""What a person is shown when asked, and what is recorded about the asking.

- ``current_policy_version()``: the label of the privacy policy in force, stored with each event.
- ``notice_text(purpose, language)``: the exact sentence the consent pages show for a purpose;
  the page renders it and the service stores the same text, so the ledger holds what was shown.
- ``truncate_ip(address)``: IPv4 to its /24 network, IPv6 to its /48 (the host part is zeroed),
  enough to tell a country or provider apart, not a household.
- ``gpc_signal(request)``: the Global Privacy Control header ``Sec-GPC: 1``
  (https://privacycg.github.io/gpc-spec/, section 3): any other value, or none, is no signal.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _

from logitrack.privacy.consent.models import USER_AGENT_MAX, FixedPurpose, TenantPurpose

NOTICE_LANGUAGES = ("vi", "en")
IPV4_PREFIX = 24
IPV6_PREFIX = 48


def current_policy_version() -> str:
    """The label of the privacy policy version in effect now (e.g. ``"2"``; "" before any)."""
    from logitrack.privacy.policies.selectors import policy_version_label

    return policy_version_label()


def _fixed_notice(purpose: FixedPurpose) -> str:
    if purpose == FixedPurpose.MARKETING_EMAIL:
        return _(
            "Logitrack may send you newsletters and promotions by e-mail. Every message has a "
            "one-click unsubscribe link, and you can withdraw here at any time."
        )
    if purpose == FixedPurpose.MARKETING_SMS:
        return _(
            "Logitrack may send you newsletters and promotions by SMS. You can withdraw here "
            "at any time."
        )
    if purpose == FixedPurpose.USAGE_ANALYTICS:
        return _(
            "Logitrack may count how its pages are used, pseudonymously and first-party only, "
            "to improve its features. You can withdraw here at any time."
        )
    return _(
        "Logitrack may measure whether its advertising reached you. A browser sending Global "
        "Privacy Control refuses this. You can withdraw here at any time."
    )


def _company_notice(purpose: FixedPurpose, company: str) -> str:
    """The notice a company reads to its consignee or driver: the company asks, not Logitrack."""
    if purpose == FixedPurpose.MARKETING_EMAIL:
        text = _(
            "%(company)s may send you newsletters and promotions by e-mail. Every message has "
            "a one-click unsubscribe link, and you can withdraw at any time."
        )
    elif purpose == FixedPurpose.MARKETING_SMS:
        text = _(
            "%(company)s may send you newsletters and promotions by SMS. You can withdraw at "
            "any time."
        )
    elif purpose == FixedPurpose.USAGE_ANALYTICS:
        text = _(
            "%(company)s may count how its services are used, pseudonymously, to improve them. "
            "You can withdraw at any time."
        )
    else:
        text = _(
            "%(company)s may measure whether its advertising reached you. You can withdraw at "
            "any time."
        )
    return text % {"company": company}


def notice_language(language: str | None = None) -> str:
    """``language`` (or the active one) when it is one we ship, otherwise Vietnamese."""
    wanted = (language or translation.get_language() or "vi")[:2]
    return wanted if wanted in NOTICE_LANGUAGES else "vi"


def notice_text(
    purpose: str,
    language: str | None = None,
    *,
    tenant_purpose: TenantPurpose | None = None,
    company: str = "",
) -> str:
    """The notice of ``purpose`` (a FixedPurpose value, or a declared purpose) in ``language``.

    With ``company`` (a tenant's consent from its consignee or driver), the notice names that
    company as the one asking, since the ledger is the proof of who was given consent.
    Raises ValueError for a key that is neither.
    """
    lang = notice_language(language)
    if tenant_purpose is not None:
        name = tenant_purpose.name_vi if lang == "vi" else tenant_purpose.name_en
        text = tenant_purpose.description_vi if lang == "vi" else tenant_purpose.description_en
        return f"{name}: {text}"
    with translation.override(lang):
        if company:
            return _company_notice(FixedPurpose(purpose), company)
        return _fixed_notice(FixedPurpose(purpose))


def truncate_ip(address: str) -> str:
    """The network of ``address``: IPv4 /24 (``203.0.113.77`` → ``203.0.113.0/24``), IPv6 /48
    (``2001:db8:1:2::5`` → ``2001:db8:1::/48``); an IPv4-mapped IPv6 address counts as IPv4.
    Anything that is not an address gives ``""``."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return ""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = IPV4_PREFIX if isinstance(ip, ipaddress.IPv4Address) else IPV6_PREFIX
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def gpc_signal(request: HttpRequest) -> bool:
    """True when the request carries ``Sec-GPC: 1`` (the only value the spec defines)."""
    return str(request.META.get("HTTP_SEC_GPC", "")).strip() == "1"


@dataclass(frozen=True)
class Asked:
    """The circumstances of one grant or withdrawal, as the ledger records them."""

    ip_network: str = ""
    user_agent: str = ""
    gpc: bool = False

    @classmethod
    def from_request(cls, request: HttpRequest | None) -> Asked:
        """Truncated client address (the peer, or what a trusted proxy reports), the user agent
        (cut to 300 characters) and the GPC signal of ``request``; empty without one."""
        if request is None:
            return cls()
        from logitrack.security.services import client_ip

        agent = str(request.META.get("HTTP_USER_AGENT", "") or "")
        agent = "".join(ch for ch in agent if ch.isprintable())[:USER_AGENT_MAX]
        return cls(
            ip_network=truncate_ip(client_ip(request)), user_agent=agent, gpc=gpc_signal(request)
        )
