"""What the accounts app stores about people, for the data inventory (logitrack.privacy).

A user row is deleted on erasure: the audit chain names people only by pseudonym, so nothing
needs the row to outlive the person's request.
"""

from __future__ import annotations

from logitrack.privacy.inventory import (
    Erasure,
    FieldClass,
    LegalBasis,
    Purpose,
    Retention,
    Subject,
    not_personal,
    register,
)


def _account(
    category: str,
    purpose: Purpose = Purpose.PROVIDE_SERVICE,
    basis: LegalBasis = LegalBasis.CONTRACT,
) -> FieldClass:
    return FieldClass(
        category=category,
        subject=Subject.USER,
        purpose=purpose,
        basis=basis,
        retention=Retention.ACCOUNT_LIFETIME_PLUS_30D,
        erasure=Erasure.DELETE,
    )


_SECURITY = Purpose.AUTHENTICATE_SECURE

register(
    "accounts.User",
    {
        "id": _account("user.unique_id"),
        "email": _account("user.contact.email"),
        "full_name": _account("user.name"),
        "password": _account("user.authorization.password", _SECURITY),
        "last_login": _account("user.behavior", _SECURITY),
        "language": _account("user.account.settings"),
        "time_zone": _account("user.account.settings"),
        "platform_role": _account("user.authorization", _SECURITY),
        "is_active": _account("user.account", _SECURITY),
        "date_joined": _account("user.account"),
        "email_verified_at": _account("user.account", _SECURITY),
        # Encrypted under the person's own key (logitrack.core.crypto); the index is an HMAC of
        # the E.164 number for exact-match lookups, cleared when the key is destroyed.
        "phone": _account("user.contact.phone_number"),
        "phone_index": _account("user.contact.phone_number"),
        # Asked only to refuse people under 16 (policy section 9).
        "date_of_birth": _account(
            "user.demographic.date_of_birth", Purpose.LEGAL_COMPLIANCE, LegalBasis.LEGAL_OBLIGATION
        ),
    },
)


def _session(category: str) -> FieldClass:
    return FieldClass(
        category=category,
        subject=Subject.USER,
        purpose=Purpose.AUTHENTICATE_SECURE,
        basis=LegalBasis.CONTRACT,
        retention=Retention.SESSION,
        erasure=Erasure.DELETE,
    )


# A row per signed-in browser, so that the person can see and end their own sessions; it goes
# with the session (or with the account, by cascade).
register(
    "accounts.UserSession",
    {
        "id": not_personal(retention=Retention.SESSION),
        "user": _session("user.unique_id"),
        # A SHA-256 of the session cookie's value: pseudonymous, and useless as a cookie.
        "key_hash": _session("user.device.cookie_id"),
        "created_at": _session("user.behavior"),
        "last_seen_at": _session("user.behavior"),
        "ip_address": _session("user.device.ip_address"),
        "user_agent": _session("user.device"),
    },
)
