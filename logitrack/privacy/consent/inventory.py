"""What the consent app stores, for the data inventory (logitrack.privacy).

A consent record is kept to prove the consent (Decree 13/2023/ND-CP, article 11: consent must be
provable), so its basis is a legal obligation; it lives as long as the account (an account
holder's) or the tenant (a consignee's or driver's) and goes with the person on erasure, while
the audit chain keeps a pseudonymous trail of each grant and withdrawal. A send record exists
only because the person consented to marketing, and goes with them too.

``SubjectConsentEvent`` rows are about a consignee or a driver; a field's class cannot depend on
the row, so the shared fields name the consignee (the more common subject) and ``driver`` names
the driver.
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

_ACCOUNT = Retention.ACCOUNT_LIFETIME_PLUS_30D
_TENANT = Retention.TENANT_LIFETIME_PLUS_30D


def _proof(category: str, subject: Subject, retention: Retention) -> FieldClass:
    return FieldClass(
        category=category,
        subject=subject,
        purpose=Purpose.LEGAL_COMPLIANCE,
        basis=LegalBasis.LEGAL_OBLIGATION,
        retention=retention,
        erasure=Erasure.DELETE,
    )


def _sent(category: str, subject: Subject, retention: Retention) -> FieldClass:
    return FieldClass(
        category=category,
        subject=subject,
        purpose=Purpose.MARKETING_WITH_CONSENT,
        basis=LegalBasis.CONSENT,
        retention=retention,
        erasure=Erasure.DELETE,
    )


def _event_fields(subject: Subject, retention: Retention) -> dict[str, FieldClass]:
    return {
        "id": not_personal(retention=retention),
        "action": _proof("user.privacy_preferences", subject, retention),
        "method": _proof("user.privacy_preferences", subject, retention),
        "occurred_at": _proof("user.privacy_preferences", subject, retention),
        "policy_version": not_personal(retention=retention),
        "notice_language": _proof("user.privacy_preferences", subject, retention),
        "notice_text": not_personal(retention=retention),
        "ip_network": _proof("user.device.ip_address", subject, retention),
        "user_agent": _proof("user.device", subject, retention),
        "gpc": _proof("user.privacy_preferences", subject, retention),
        "refused_by_gpc": _proof("user.privacy_preferences", subject, retention),
        "purpose": _proof("user.privacy_preferences", subject, retention),
    }


register(
    "consent.UserConsentEvent",
    {
        **_event_fields(Subject.USER, _ACCOUNT),
        "user": _proof("user.unique_id", Subject.USER, _ACCOUNT),
    },
)
register(
    "consent.SubjectConsentEvent",
    {
        **_event_fields(Subject.CONSIGNEE, _TENANT),
        "tenant": not_personal(retention=_TENANT),
        "consignee": _proof("user.unique_id", Subject.CONSIGNEE, _TENANT),
        "driver": _proof("user.unique_id", Subject.DRIVER, _TENANT),
        "tenant_purpose": not_personal(retention=_TENANT),
    },
)
register(
    "consent.TenantPurpose",
    {
        name: not_personal(retention=_TENANT)
        for name in (
            "id",
            "tenant",
            "code",
            "name_vi",
            "name_en",
            "description_vi",
            "description_en",
            "created_at",
        )
    },
)


def _consignee(category: str) -> FieldClass:
    # The contact details are what the consent is about and where its messages go.
    return FieldClass(
        category=category,
        subject=Subject.CONSIGNEE,
        purpose=Purpose.MARKETING_WITH_CONSENT,
        basis=LegalBasis.CONSENT,
        retention=_TENANT,
        erasure=Erasure.DELETE,
    )


register(
    "consent.ConsigneeContact",
    {
        "id": not_personal(retention=_TENANT),
        "tenant": not_personal(retention=_TENANT),
        "name": _consignee("user.name"),
        "email": _consignee("user.contact.email"),
        "email_index": _consignee("user.contact.email"),
        "phone": _consignee("user.contact.phone_number"),
        "phone_index": _consignee("user.contact.phone_number"),
        "created_at": not_personal(retention=_TENANT),
    },
)


def _send_fields(subject: Subject, retention: Retention) -> dict[str, FieldClass]:
    return {
        "id": not_personal(retention=retention),
        "campaign": not_personal(retention=retention),
        "channel": _sent("user.behavior", subject, retention),
        "sent_at": _sent("user.behavior", subject, retention),
        "consent": _sent("user.privacy_preferences", subject, retention),
    }


register(
    "consent.UserMarketingSend",
    {
        **_send_fields(Subject.USER, _ACCOUNT),
        "user": _sent("user.unique_id", Subject.USER, _ACCOUNT),
    },
)
register(
    "consent.SubjectMarketingSend",
    {
        **_send_fields(Subject.CONSIGNEE, _TENANT),
        "tenant": not_personal(retention=_TENANT),
        "consignee": _sent("user.unique_id", Subject.CONSIGNEE, _TENANT),
        "driver": _sent("user.unique_id", Subject.DRIVER, _TENANT),
    },
)

# A campaign is the tenant's own message (its text names no recipient) with its counts; who
# wrote it is a member of the tenant.
_CAMPAIGN = not_personal(retention=_TENANT)
register(
    "consent.MarketingCampaign",
    {
        **{
            name: _CAMPAIGN
            for name in (
                "id",
                "tenant",
                "channel",
                "subject_vi",
                "subject_en",
                "body_vi",
                "body_en",
                "status",
                "audience",
                "total",
                "processed",
                "sent",
                "skipped",
                "created_by_api_key",
                "idempotency_key",
                "idempotency_fingerprint",
                "created_at",
                "finished_at",
                "lease_until",
            )
        },
        "created_by": FieldClass(
            category="user.unique_id",
            subject=Subject.USER,
            purpose=Purpose.PROVIDE_SERVICE,
            basis=LegalBasis.CONTRACT,
            retention=_TENANT,
            erasure=Erasure.DELETE,
        ),
    },
)
