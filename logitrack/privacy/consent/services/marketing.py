"""Newsletters and promotions: sent only to people whose current consent covers the channel.

``marketing_send`` (Logitrack's own, to account holders) and ``tenant_marketing_send`` (a
tenant's, to its consignees and drivers) choose the recipients inside the transaction that
records the sends, from the ledger as it stands then: the subjects' rows are locked first, and a
withdrawal locks the same row (``services.consents``), so a withdrawal either commits before the
choice (and the person is left out) or waits until the sends are recorded. There is no other
path to a marketing message; transactional notices (shipment status, security, account e-mails)
are sent by their own apps and need no marketing consent.

Each send is a row, unique per campaign, channel and person, so a campaign run again sends only
to people it has not reached. Every e-mail carries ``List-Unsubscribe`` with a one-click HTTPS
link and ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058 section 3.1); the
messages leave once the transaction commits. No SMS provider is wired into Logitrack yet: an SMS
send checks consent and records the send, and nothing leaves (docs/adr/0034).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from logitrack.accounts.models import User
from logitrack.core.tenant import tenant_context
from logitrack.core.text import TextRefused, human_text
from logitrack.privacy.consent.errors import InvalidCampaign, NotAllowed
from logitrack.privacy.consent.models import (
    CAMPAIGN_KEY_MAX,
    Action,
    Channel,
    ConsigneeContact,
    SubjectConsentEvent,
    SubjectKind,
    SubjectMarketingSend,
    UserConsentEvent,
    UserMarketingSend,
)
from logitrack.privacy.consent.tokens import UnsubscribeTarget, unsubscribe_token
from logitrack.security.actors import Actor
from logitrack.security.services import audit_record
from logitrack.tenancy.audit import actor_of
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Permission
from logitrack.tracking.models import Driver

logger = logging.getLogger("logitrack.consent.marketing")
KEY_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]*\Z")
ONE_CLICK = "List-Unsubscribe=One-Click"
EMAIL_LANGUAGES = ("vi", "en")


@dataclass(frozen=True)
class Campaign:
    """One newsletter or promotion: a stable key (what "sent once" counts by) and its subject
    and text in Vietnamese and English."""

    key: str
    subject_vi: str
    subject_en: str
    text_vi: str
    text_en: str

    def check(self) -> None:
        """InvalidCampaign unless the key is well formed and each subject and text is present
        and passes the text layer: a subject is one line of normalised text (no control, bidi
        or line-separator character can reach the Subject header: NUL would go out raw, VT
        makes the e-mail library refuse the message after its send is recorded), a text holds
        no control or bidi character."""
        if not 0 < len(self.key) <= CAMPAIGN_KEY_MAX or KEY_PATTERN.match(self.key) is None:
            raise InvalidCampaign()
        try:
            subjects_clean = all(
                s and human_text(s) == s for s in (self.subject_vi, self.subject_en)
            )
            texts_present = all(human_text(t, multiline=True) for t in (self.text_vi, self.text_en))
        except TextRefused as exc:
            raise InvalidCampaign() from exc
        if not (subjects_clean and texts_present):
            raise InvalidCampaign()

    def subject(self, language: str) -> str:
        return self.subject_en if language == "en" else self.subject_vi

    def text(self, language: str) -> str:
        return self.text_en if language == "en" else self.text_vi


@dataclass
class SendReport:
    """What a send did, by recipient id: sent now, sent by an earlier run, left out for want of
    a current consent (or of an active account), or left out for want of an address."""

    sent: list[int] = field(default_factory=list)
    already_sent: list[int] = field(default_factory=list)
    without_consent: list[int] = field(default_factory=list)
    without_address: list[int] = field(default_factory=list)


def unsubscribe_url(target: UnsubscribeTarget) -> str:
    base = str(settings.LOGITRACK_PUBLIC_URL).rstrip("/")
    return base + reverse("consent:unsubscribe", kwargs={"token": unsubscribe_token(target)})


def _render(
    campaign: Campaign, languages: Sequence[str], link: str, sender: str
) -> tuple[str, str, str]:
    subjects: list[str] = []
    texts: list[str] = []
    htmls: list[str] = []
    for language in languages:
        with translation.override(language):
            context = {"body": campaign.text(language), "unsubscribe_link": link, "sender": sender}
            subjects.append(campaign.subject(language))
            texts.append(render_to_string("consent/email/marketing.txt", context).strip())
            htmls.append(render_to_string("consent/email/marketing_body.html", context).strip())
    html = render_to_string(
        "consent/email/marketing.html", {"sections": htmls, "subject": " / ".join(subjects)}
    )
    return " / ".join(subjects), "\n\n-----\n\n".join(texts) + "\n", html


def _message(
    campaign: Campaign, languages: Sequence[str], link: str, to: str, sender: str
) -> EmailMultiAlternatives:
    subject, text, html = _render(campaign, languages, link, sender)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[to],
        headers={"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": ONE_CLICK},
    )
    message.attach_alternative(html, "text/html")
    return message


@dataclass(frozen=True)
class _Outgoing:
    """One e-mail to write once the sends are committed: kept small, so that the transaction
    (which holds SQLite's write lock) renders nothing."""

    to: str
    languages: tuple[str, ...]
    target: UnsubscribeTarget
    # Whose newsletter it is, named in the footer: the e-mail comes from Logitrack's address
    # either way, and a consignee must be able to tell which company writes to them.
    sender: str


def _deliver_on_commit(outgoing: list[_Outgoing], campaign: Campaign) -> None:
    if not outgoing:
        return

    def deliver() -> None:
        # The sends are committed; a mail server outage is logged by campaign (no address) and
        # the run is not repeated for these people (their rows exist): sent once, at most.
        try:
            messages = [
                _message(campaign, o.languages, unsubscribe_url(o.target), o.to, o.sender)
                for o in outgoing
            ]
            get_connection(fail_silently=False).send_messages(messages)
        except Exception:
            logger.exception("marketing e-mail not sent", extra={"campaign": campaign.key})

    transaction.on_commit(deliver)


def _audit_send(
    actor: Actor, send: UserMarketingSend | SubjectMarketingSend, tenant_id: int | None
) -> None:
    audit_record(
        action="marketing_sent",
        actor=actor,
        tenant_id=tenant_id,
        object_type=send._meta.label_lower,
        object_id=str(send.pk),
        details={"campaign": send.campaign, "channel": send.channel},
    )


def users_with_consent(purpose: str, user_ids: Iterable[int]) -> QuerySet[User]:
    """The active users among ``user_ids`` whose latest event for ``purpose`` is a grant,
    annotated with that event's id as ``consent_id`` (one index probe per user)."""
    latest = UserConsentEvent.objects.filter(user=OuterRef("pk"), purpose=purpose).order_by("-id")
    return (
        User.objects.filter(pk__in=list(user_ids), is_active=True)
        .annotate(
            consent_action=Subquery(latest.values("action")[:1]),
            consent_id=Subquery(latest.values("id")[:1]),
        )
        .filter(consent_action=Action.GRANT)
    )


def marketing_send(
    *, actor: Actor, campaign: Campaign, channel: Channel | str, recipients: Iterable[int]
) -> SendReport:
    """Send Logitrack's ``campaign`` on ``channel`` to those of the account holders
    ``recipients`` (user ids) whose current consent covers the channel, once each.

    Atomic: the consent check, the send rows and their audit entries commit together, and the
    e-mails leave after the commit. Raises InvalidCampaign before anything is written.
    """
    campaign.check()
    how = Channel(channel)
    ids = sorted({int(pk) for pk in recipients})
    report = SendReport()
    outgoing: list[_Outgoing] = []
    with transaction.atomic():
        list(User.objects.select_for_update().filter(pk__in=ids).values_list("pk", flat=True))
        consenting = {user.pk: user for user in users_with_consent(how.purpose, ids)}
        done = set(
            UserMarketingSend.objects.filter(
                campaign=campaign.key, channel=how, user_id__in=ids
            ).values_list("user_id", flat=True)
        )
        for pk in ids:
            user = consenting.get(pk)
            if user is None:
                report.without_consent.append(pk)
                continue
            if pk in done:
                report.already_sent.append(pk)
                continue
            send = UserMarketingSend(
                campaign=campaign.key,
                channel=how,
                user=user,
                consent_id=getattr(user, "consent_id"),  # noqa: B009 (annotated)
            )
            send.save()
            _audit_send(actor, send, None)
            report.sent.append(pk)
            if how == Channel.EMAIL:
                target = UnsubscribeTarget(
                    kind=SubjectKind.USER, subject_id=pk, purpose=how.purpose
                )
                language = user.language if user.language in EMAIL_LANGUAGES else "vi"
                outgoing.append(_Outgoing(user.email, (language,), target, "Logitrack"))
        _deliver_on_commit(outgoing, campaign)
    return report


def _subjects_with_consent(
    model: type[ConsigneeContact] | type[Driver], purpose: str, ids: list[int]
) -> dict[int, ConsigneeContact | Driver]:
    column = "consignee" if model is ConsigneeContact else "driver"
    # Lock first, read the ledger in a later statement: on PostgreSQL (READ COMMITTED) one
    # SELECT ... FOR UPDATE that waits for a withdrawal's lock returns the values of the snapshot
    # it started with, so a withdrawal committed while it waited would be read as a grant.
    list(model.objects.select_for_update().filter(pk__in=ids).values_list("pk", flat=True))
    latest = SubjectConsentEvent.objects.filter(
        **{column: OuterRef("pk")}, purpose=purpose
    ).order_by("-id")
    rows = model.objects.filter(pk__in=ids).annotate(
        consent_action=Subquery(latest.values("action")[:1]),
        consent_id=Subquery(latest.values("id")[:1]),
    )
    return {row.pk: row for row in rows if row.consent_action == Action.GRANT}


def tenant_marketing_send(
    *,
    actor: Principal,
    campaign: Campaign,
    channel: Channel | str,
    consignee_ids: Iterable[int] = (),
    driver_ids: Iterable[int] = (),
) -> dict[str, SendReport]:
    """Send the principal's tenant's ``campaign`` on ``channel`` to those of its consignees and
    drivers whose current consent covers the channel, once each (``consents.manage``).

    Ids of another tenant are treated as people without consent: nothing is sent to them and
    nothing tells them apart. E-mails hold both languages (a consignee's language is unknown).
    Returns a report per subject kind. Raises NotAllowed, InvalidCampaign before any write.
    """
    if actor.tenant_id is None or not actor.has(Permission.CONSENTS_MANAGE):
        raise NotAllowed()
    campaign.check()
    tenant_id = actor.tenant_id
    how = Channel(channel)
    audit_actor = actor_of(actor)
    reports: dict[str, SendReport] = {}
    outgoing: list[_Outgoing] = []
    with tenant_context(tenant_id), transaction.atomic():
        sender = _tenant_name(tenant_id)
        for kind, model, wanted in (
            (SubjectKind.CONSIGNEE, ConsigneeContact, consignee_ids),
            (SubjectKind.DRIVER, Driver, driver_ids),
        ):
            ids = sorted({int(pk) for pk in wanted})
            report = reports[kind.value] = SendReport()
            consenting = _subjects_with_consent(model, how.purpose, ids)
            column = kind.value
            done = set(
                SubjectMarketingSend.objects.filter(
                    campaign=campaign.key, channel=how, **{f"{column}_id__in": ids}
                ).values_list(f"{column}_id", flat=True)
            )
            for pk in ids:
                subject = consenting.get(pk)
                if subject is None:
                    report.without_consent.append(pk)
                    continue
                if pk in done:
                    report.already_sent.append(pk)
                    continue
                address = _address(subject, how)
                if not address:
                    report.without_address.append(pk)
                    continue
                send = SubjectMarketingSend(
                    tenant_id=tenant_id,
                    campaign=campaign.key,
                    channel=how,
                    consent_id=subject.consent_id,  # type: ignore[union-attr]
                    **{column: subject},
                )
                send.save()
                _audit_send(audit_actor, send, tenant_id)
                report.sent.append(pk)
                if how == Channel.EMAIL:
                    target = UnsubscribeTarget(
                        kind=kind, subject_id=pk, purpose=how.purpose, tenant_id=tenant_id
                    )
                    outgoing.append(_Outgoing(address, EMAIL_LANGUAGES, target, sender))
        _deliver_on_commit(outgoing, campaign)
    return reports


def _tenant_name(tenant_id: int) -> str:
    from logitrack.tenancy.models import Tenant

    return str(Tenant.objects.filter(pk=tenant_id).values_list("name", flat=True).first() or "")


def _address(subject: ConsigneeContact | Driver, channel: Channel) -> str:
    if channel == Channel.SMS:
        return str(subject.phone or "")
    return str(getattr(subject, "email", "") or "")
