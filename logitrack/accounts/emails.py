"""E-mails to account holders, in their own language, queued once the transaction commits.

Each message is three templates under ``accounts/email/``: ``<name>_subject.txt``,
``<name>.txt`` and ``<name>.html``. Links are built from LOGITRACK_PUBLIC_URL, never from the
request's Host header, so a forged Host cannot make a reset e-mail point elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from logitrack.accounts.models import User


def absolute_url(view_name: str, *, kwargs: Mapping[str, object] | None = None) -> str:
    base: str = settings.LOGITRACK_PUBLIC_URL.rstrip("/")
    return base + reverse(view_name, kwargs=dict(kwargs or {}))


def render_email(user: User, name: str, context: Mapping[str, object]) -> tuple[str, str, str]:
    """(subject, text, html) of e-mail ``name`` for ``user``, in the user's language."""
    language = user.language if user.language in dict(settings.LANGUAGES) else "vi"
    full_context = {"user": user, "site_url": settings.LOGITRACK_PUBLIC_URL, **context}
    with translation.override(language):
        subject = render_to_string(f"accounts/email/{name}_subject.txt", full_context)
        text = render_to_string(f"accounts/email/{name}.txt", full_context)
        html = render_to_string(f"accounts/email/{name}.html", full_context)
    return " ".join(subject.split()), text, html


def send_email_on_commit(user_id: int | None, name: str) -> None:
    """Queue e-mail ``name`` to user ``user_id`` once the transaction commits.

    The job worker renders and sends it (``accounts.tasks.account_email_send``); ``None`` queues
    the same task for an address without an account, which then sends nothing.
    """
    from logitrack.accounts.tasks import account_email_send

    transaction.on_commit(lambda: account_email_send.enqueue(user_id, name))
