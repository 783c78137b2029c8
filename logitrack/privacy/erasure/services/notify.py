"""Telling Logitrack's privacy officers about an under-16 report (docs/adr/0037).

Without it a visitor's report waited until an officer happened to open the staff page, and a
suspension by a colleague or by a date of birth could be erased 20 hours later before anyone
who may cancel it had seen it.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from logitrack.accounts.models import User
from logitrack.privacy.erasure.models import UnderageReport

logger = logging.getLogger("logitrack.erasure")
LANGUAGES = ("vi", "en")


def _officers() -> list[tuple[str, str]]:
    return list(
        User.objects.filter(
            platform_role=User.PlatformRole.PRIVACY_OFFICER, is_active=True
        ).values_list("email", "language")
    )


def report_notify(report_id: int) -> int:
    """E-mail each active privacy officer, in their language, about report ``report_id`` while
    it waits for a decision or its erasure is still scheduled; returns the messages sent."""
    report = UnderageReport.objects.select_related("erasure").filter(pk=report_id).first()
    if report is None:
        return 0
    awaiting = report.status == UnderageReport.Status.AWAITING_CONFIRMATION
    scheduled = report.status == UnderageReport.Status.SUSPENDED and report.erasure is not None
    if not (awaiting or scheduled):
        return 0
    link = str(settings.LOGITRACK_PUBLIC_URL).rstrip("/") + reverse("erasure:children-staff")
    sent = 0
    for address, chosen in _officers():
        language = chosen if chosen in LANGUAGES else "vi"
        with translation.override(language):
            runs = (
                date_format(timezone.localtime(report.erasure.erase_after), "SHORT_DATETIME_FORMAT")
                if scheduled and report.erasure is not None
                else ""
            )
            context = {
                "report": report,
                "awaiting": awaiting,
                "runs": runs,
                "link": link,
                "LANGUAGE_CODE": language,
            }
            subject = render_to_string("erasure/email/report_subject.txt", context)
            text = render_to_string("erasure/email/report.txt", context)
            html = render_to_string("erasure/email/report.html", context)
        message = EmailMultiAlternatives(subject=" ".join(subject.split()), body=text, to=[address])
        message.attach_alternative(html, "text/html")
        try:
            message.send(fail_silently=False)
            sent += 1
        except Exception:
            logger.exception("under-16 report notice not sent", extra={"report": report_id})
    return sent
