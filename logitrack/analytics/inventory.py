"""What usage analytics stores, for the data inventory (logitrack.privacy).

Only with the visitor's consent (cookie category "analytics"); pseudonymous: no IP address, no
URL, no account id; kept twelve months (Retention.USAGE_ANALYTICS), then deleted.
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

_ROW = not_personal(retention=Retention.USAGE_ANALYTICS, purpose=Purpose.IMPROVE)


def _usage(category: str) -> FieldClass:
    return FieldClass(
        category=category,
        subject=Subject.VISITOR,
        purpose=Purpose.IMPROVE,
        basis=LegalBasis.CONSENT,
        retention=Retention.USAGE_ANALYTICS,
        erasure=Erasure.DELETE,
    )


register(
    "analytics.PageView",
    {
        "id": _ROW,
        "occurred_at": _usage("user.behavior.browsing_history"),
        "route": _usage("user.behavior.browsing_history"),
        "referrer_route": _usage("user.behavior.browsing_history"),
        "screen": _usage("user.device"),
        "browser": _usage("user.device"),
        "visitor": _usage("user.unique_id.pseudonymous"),
        "tenant": not_personal(
            retention=Retention.USAGE_ANALYTICS,
            purpose=Purpose.IMPROVE,
            category="system.operations",
        ),
    },
)
