"""Background work of the accounts app: the e-mails sent to account holders.

Each e-mail is one task run by the job worker (docs/adr/0009, docs/adr/0012), so a request never
waits for the mail server and answers in the same time whether or not an address has an account.
A task's arguments are stored by the queue (a database row or a Redis hash), so they hold only a
user id and a template name: links and their tokens are made when the task runs, and no live
secret or address sits in the queue.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django_tasks import task

from logitrack.accounts.emails import absolute_url, render_email
from logitrack.accounts.models import User
from logitrack.accounts.tokens import (
    EMAIL_VERIFICATION_MAX_AGE,
    email_verification_token,
    password_reset_tokens,
    uid_for,
)

logger = logging.getLogger("logitrack.accounts.email")

# The e-mails a task may send, each with the context it needs beyond the user.
ACCOUNT_EMAILS = ("password_reset", "verify_email", "password_changed", "signup_existing")


def _context(user: User, name: str) -> dict[str, object] | None:
    """The template context of e-mail ``name``; None when it no longer applies."""
    if name == "password_reset":
        link = absolute_url(
            "accounts:password_reset_confirm",
            kwargs={"uidb64": uid_for(user), "token": password_reset_tokens.make_token(user)},
        )
        return {"link": link, "minutes": settings.PASSWORD_RESET_TIMEOUT // 60}
    if name == "verify_email":
        if user.email_verified_at is not None:
            return None
        token = email_verification_token(user)
        link = absolute_url("accounts:verify_email", kwargs={"token": token})
        return {"link": link, "days": EMAIL_VERIFICATION_MAX_AGE.days}
    if name == "signup_existing":
        return {
            "login_link": absolute_url("web:login"),
            "reset_link": absolute_url("accounts:password_reset"),
        }
    return {}


@task()
def account_email_send(user_id: int | None, name: str) -> bool:
    """Send e-mail ``name`` to the active user ``user_id``; True when a message left.

    ``user_id`` None is the request for an address without an account: the request did the same
    work as for one with an account (look-up, audit entry, this task), and the task sends
    nothing. A mail server failure is logged by user id and template (no address) and the task
    ends; the person can ask again.
    """
    if name not in ACCOUNT_EMAILS:
        raise ValueError(f"unknown account e-mail {name!r}")
    if user_id is None:
        return False
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    context = _context(user, name)
    if context is None:
        return False
    subject, text, html = render_email(user, name, context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[user.email])
    message.attach_alternative(html, "text/html")
    try:
        message.send(fail_silently=False)
    except Exception:
        logger.exception("account email not sent", extra={"template": name, "user_id": user_id})
        return False
    return True
