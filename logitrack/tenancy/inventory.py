"""What the tenancy app stores, for the data inventory (logitrack.privacy).

A tenant is a company, but a household business's name, address and tax code are a person's,
so they are classified with the tenant as data subject and follow policy section 7: kept while
the tenant uses the service, deleted 30 days after it ends.
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

_TENANT_DATA = Retention.TENANT_LIFETIME_PLUS_30D


def _business(
    category: str,
    purpose: Purpose = Purpose.PROVIDE_SERVICE,
    basis: LegalBasis = LegalBasis.CONTRACT,
) -> FieldClass:
    return FieldClass(
        category=category,
        subject=Subject.TENANT,
        purpose=purpose,
        basis=basis,
        retention=_TENANT_DATA,
        erasure=Erasure.DELETE,
    )


def _member(category: str, purpose: Purpose = Purpose.PROVIDE_SERVICE) -> FieldClass:
    return FieldClass(
        category=category,
        subject=Subject.USER,
        purpose=purpose,
        basis=LegalBasis.CONTRACT,
        retention=_TENANT_DATA,
        erasure=Erasure.DELETE,
    )


register(
    "tenancy.Tenant",
    {
        "id": not_personal(retention=_TENANT_DATA),
        "name": _business("business.profile"),
        "slug": _business("business.profile"),
        # Invoices must carry the buyer's tax code.
        "tax_code": _business(
            "business.tax_code", Purpose.LEGAL_COMPLIANCE, LegalBasis.LEGAL_OBLIGATION
        ),
        # Enterprise, branch, household business or individual: says whose tax code it is.
        "kind": _business("business.profile"),
        "industry": _business("business.profile"),
        "street_address": _business("business.address"),
        "ward_code": _business("business.address"),
        "province_code": _business("business.address"),
        "data_region": not_personal(retention=_TENANT_DATA),
        "status": not_personal(retention=_TENANT_DATA),
        "terminated_at": not_personal(retention=_TENANT_DATA),
        "created_at": not_personal(retention=_TENANT_DATA),
    },
)

# A membership says where a person works and with which account level: it goes when the person
# leaves the tenant, when their account is erased (cascade), or with the tenant.
register(
    "tenancy.Membership",
    {
        "id": not_personal(retention=_TENANT_DATA),
        "tenant": _member("user.workplace"),
        "user": _member("user.unique_id"),
        "role": _member("user.authorization", Purpose.AUTHENTICATE_SECURE),
        "created_at": _member("user.account"),
    },
)

# An invitation holds the invitee's address only while it is pending; it is cleared once the
# invitation is used or withdrawn, and what remains identifies nobody.
register(
    "tenancy.Invitation",
    {
        "id": not_personal(retention=_TENANT_DATA),
        "tenant": not_personal(retention=_TENANT_DATA),
        "email": FieldClass(
            category="user.contact.email",
            subject=Subject.USER,
            purpose=Purpose.PROVIDE_SERVICE,
            basis=LegalBasis.CONTRACT,
            retention=Retention.SHORT_LIVED,
            erasure=Erasure.DELETE,
        ),
        "role": not_personal(retention=_TENANT_DATA),
        "token_hash": not_personal(
            retention=_TENANT_DATA,
            category="system.authentication",
            purpose=Purpose.AUTHENTICATE_SECURE,
        ),
        # Set to null when the inviting account is deleted.
        "invited_by": _member("user.unique_id"),
        # The key that sent the invitation, when no person did; identifies no one.
        "invited_by_api_key": not_personal(retention=_TENANT_DATA),
        "created_at": not_personal(retention=_TENANT_DATA),
        "expires_at": not_personal(retention=_TENANT_DATA),
        "accepted_at": not_personal(retention=_TENANT_DATA),
        "revoked_at": not_personal(retention=_TENANT_DATA),
    },
)

_KEY_SECRET = not_personal(
    retention=_TENANT_DATA, category="system.authentication", purpose=Purpose.AUTHENTICATE_SECURE
)

# A partner's API key belongs to the tenant; only the account that created it is a person.
register(
    "tenancy.ApiKey",
    {
        "id": not_personal(retention=_TENANT_DATA),
        "tenant": not_personal(retention=_TENANT_DATA),
        "name": not_personal(retention=_TENANT_DATA),
        "prefix": _KEY_SECRET,
        "secret_hash": _KEY_SECRET,
        "permissions": _KEY_SECRET,
        # Set to null when the creating account is deleted.
        "created_by": _member("user.unique_id"),
        "created_at": not_personal(retention=_TENANT_DATA),
        "expires_at": not_personal(retention=_TENANT_DATA),
        "revoked_at": not_personal(retention=_TENANT_DATA),
        "last_used_at": not_personal(retention=_TENANT_DATA),
        "suspended_at": not_personal(retention=_TENANT_DATA),
        "suspension_reason": not_personal(retention=_TENANT_DATA),
        # The owner who vouched for the key after its creator left; null once that account goes.
        "confirmed_by": _member("user.unique_id"),
        "confirmed_at": not_personal(retention=_TENANT_DATA),
    },
)
