"""The opaque token of an unsubscribe link (RFC 8058): which subject, for which purpose.

The token is ``django.core.signing`` output (HMAC-SHA256 under SECRET_KEY with its own salt) over
``{"k": kind, "s": subject id, "p": purpose, "t": tenant id or 0}``: it names the subject and the
purpose, so the link works without signing in, and any change to it fails the signature. It
carries no address and no secret besides itself, and does not expire (a newsletter read months
later must still unsubscribe). Rotating SECRET_KEY invalidates old links, which then answer
"not valid" and change nothing; the person can still withdraw on their consents page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing

from logitrack.privacy.consent.errors import InvalidUnsubscribeLink
from logitrack.privacy.consent.models import SubjectKind

SALT = "logitrack.privacy.consent.unsubscribe"
TOKEN_MAX = 512


@dataclass(frozen=True)
class UnsubscribeTarget:
    kind: SubjectKind
    subject_id: int
    purpose: str
    tenant_id: int | None = None


def unsubscribe_token(target: UnsubscribeTarget) -> str:
    payload = {
        "k": target.kind.value,
        "s": target.subject_id,
        "p": target.purpose,
        "t": target.tenant_id or 0,
    }
    return signing.dumps(payload, salt=SALT, compress=False)


def unsubscribe_target(token: str) -> UnsubscribeTarget:
    """The target ``token`` was made for; InvalidUnsubscribeLink for anything else (forged,
    changed, cut short, too long, or well signed but malformed)."""
    if not isinstance(token, str) or not 0 < len(token) <= TOKEN_MAX:
        raise InvalidUnsubscribeLink()
    try:
        payload = signing.loads(token, salt=SALT)
    except signing.BadSignature as exc:
        raise InvalidUnsubscribeLink() from exc
    try:
        kind = SubjectKind(payload["k"])
        subject_id = payload["s"]
        purpose = payload["p"]
        tenant_id = payload["t"]
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidUnsubscribeLink() from exc
    if not (
        isinstance(subject_id, int) and isinstance(purpose, str) and isinstance(tenant_id, int)
    ):
        raise InvalidUnsubscribeLink()
    if (kind == SubjectKind.USER) != (tenant_id == 0):
        raise InvalidUnsubscribeLink()
    return UnsubscribeTarget(
        kind=kind, subject_id=subject_id, purpose=purpose, tenant_id=tenant_id or None
    )
