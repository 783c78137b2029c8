"""The e-mails of the breach register, rendered from templates in the recipient's language.

Each message is three templates under ``breaches/email/``: ``<name>_subject.txt``,
``<name>.txt`` and ``<name>.html``; ``name`` is ``notice_person``, ``notice_tenant`` or
``escalation``.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.functional import lazy

from logitrack.privacy import taxonomy
from logitrack.privacy.breaches.models import Breach

NAMES = ("notice_person", "notice_tenant", "escalation")


def breach_context(breach: Breach) -> dict[str, object]:
    """What every breach e-mail may show: nothing that names another person."""
    # Named when the template renders, inside the recipient's language (``render``).
    category_name = lazy(taxonomy.category_name, str)
    return {
        "breach": breach,
        "categories": [category_name(c) for c in breach.categories],
        "contact_email": settings.LOGITRACK_PRIVACY_CONTACT_EMAIL,
        "operator": settings.LOGITRACK_OPERATOR_NAME,
        "site_url": str(settings.LOGITRACK_PUBLIC_URL).rstrip("/"),
    }


def render(name: str, language: str, context: Mapping[str, object]) -> tuple[str, str, str]:
    """(subject, text, html) of e-mail ``name`` in ``language`` (vi or en)."""
    if name not in NAMES:
        raise ValueError(f"unknown breach e-mail {name!r}")
    with translation.override(language):
        subject = render_to_string(f"breaches/email/{name}_subject.txt", context)
        text = render_to_string(f"breaches/email/{name}.txt", context)
        html = render_to_string(f"breaches/email/{name}.html", context)
    return " ".join(subject.split()), text, html


def send(name: str, language: str, context: Mapping[str, object], to: str) -> None:
    """Render and send one message through Django's e-mail backend (the dev outbox var/mail/
    by default); raises what the backend raises."""
    subject, text, html = render(name, language, context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    message.send(fail_silently=False)
