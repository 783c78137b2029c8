"""E-mails to account holders, in their own language, sent only once the transaction commits.

Each message is three templates under ``accounts/email/``: ``<name>_subject.txt``,
``<name>.txt`` and ``<name>.html``. Links are built from LOGITRACK_PUBLIC_URL, never from the
request's Host header, so a forged Host cannot make a reset e-mail point elsewhere.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from logitrack.accounts.models import User

logger = logging.getLogger("logitrack.accounts.email")


def absolute_url(view_name: str, *, kwargs: Mapping[str, object] | None = None) -> str:
    base: str = settings.LOGITRACK_PUBLIC_URL.rstrip("/")
    return base + reverse(view_name, kwargs=dict(kwargs or {}))


def render_email(user: User, name: str, context: Mapping[str, object]) -> tuple[str, str, str]:
    """(subject, text, html) of e-mail ``name`` for ``user``, in the user's language."""
    language = user.language if user.language in dict(settings.LANGUAGES) else "vi"
    site_url = str(settings.LOGITRACK_PUBLIC_URL).rstrip("/")
    full_context = {"user": user, "site_url": site_url, **context}
    with translation.override(language):
        subject = render_to_string(f"accounts/email/{name}_subject.txt", full_context)
        text = render_to_string(f"accounts/email/{name}.txt", full_context)
        html = render_to_string(f"accounts/email/{name}.html", full_context)
    return " ".join(subject.split()), text, html


def send_email_on_commit(user: User, name: str, context: Mapping[str, object]) -> None:
    """Render now (inside the transaction, with the data as written) and send after commit."""
    subject, text, html = render_email(user, name, context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[user.email])
    message.attach_alternative(html, "text/html")
    user_id = user.pk

    def send() -> None:
        # The account change is committed; a mail server outage must not turn it into an error
        # page. The failure is logged (by id and template, no address) for the operator.
        try:
            message.send(fail_silently=False)
        except Exception:
            logger.exception("account email not sent", extra={"template": name, "user_id": user_id})

    transaction.on_commit(send)
