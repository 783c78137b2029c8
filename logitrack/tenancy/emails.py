"""The invitation e-mail: Vietnamese first, then English, in one message.

The invitee may have no account yet, so their language is unknown. Links are built from
LOGITRACK_PUBLIC_URL, never from the request's Host header, so a forged Host cannot make an
invitation point elsewhere. The message is rendered inside the transaction (with the data as
written) and sent only once it commits.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from logitrack.tenancy.models import Invitation, Tenant
from logitrack.tenancy.roles import Role

logger = logging.getLogger("logitrack.tenancy.email")
EMAIL_LANGUAGES = ("vi", "en")


def absolute_url(path: str) -> str:
    base = str(getattr(settings, "LOGITRACK_PUBLIC_URL", "")).rstrip("/")
    if not base:
        base = f"https://localhost:{getattr(settings, 'LOGITRACK_HTTPS_PORT', 8443)}"
    return base + path


def invitation_link(token: str) -> str:
    return absolute_url(reverse("tenancy:invitation-accept", kwargs={"token": token}))


def render_invitation(
    *, tenant: Tenant, role: str, link: str, expires_at: datetime
) -> tuple[str, str, str]:
    """(subject, text, html) of the invitation, each holding both languages."""
    subjects: list[str] = []
    texts: list[str] = []
    htmls: list[str] = []
    local_expiry = timezone.localtime(expires_at)
    for language in EMAIL_LANGUAGES:
        with translation.override(language):
            context = {
                "company_name": tenant.name,
                "role_label": Role(role).label,
                "link": link,
                "expires_at": local_expiry,
                "language": language,
            }
            subject = render_to_string("tenancy/email/invitation_subject.txt", context)
            subjects.append(" ".join(subject.split()))
            texts.append(render_to_string("tenancy/email/invitation.txt", context).strip())
            htmls.append(render_to_string("tenancy/email/invitation_body.html", context).strip())
    html = render_to_string(
        "tenancy/email/invitation.html", {"sections": htmls, "subject": " / ".join(subjects)}
    )
    return " / ".join(subjects), "\n\n-----\n\n".join(texts) + "\n", html


def send_invitation_on_commit(invitation: Invitation, tenant: Tenant, token: str) -> None:
    subject, text, html = render_invitation(
        tenant=tenant,
        role=invitation.role,
        link=invitation_link(token),
        expires_at=invitation.expires_at,
    )
    message = EmailMultiAlternatives(subject=subject, body=text, to=[invitation.email])
    message.attach_alternative(html, "text/html")
    invitation_id = invitation.pk

    def send() -> None:
        # The invitation is committed; a mail server outage must not turn it into an error page.
        # The failure is logged by invitation id (no address) and the inviter can send it again.
        try:
            message.send(fail_silently=False)
        except Exception:
            logger.exception("invitation email not sent", extra={"invitation_id": invitation_id})

    transaction.on_commit(send)
