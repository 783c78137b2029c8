"""Consent pages: a person's own consents, the one-click unsubscribe, and a tenant's consents of
its consignees and drivers. Views parse, call ``access_*`` and a service or selector, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from logitrack.accounts.models import User
from logitrack.core.errors import NotFound
from logitrack.logistics.public.views import visitor_language
from logitrack.privacy.consent import selectors
from logitrack.privacy.consent.access import access_consent_driver_by_id
from logitrack.privacy.consent.errors import ConsentError, InvalidUnsubscribeLink
from logitrack.privacy.consent.forms import ConsentChoiceForm, PurposeForm, StaffConsentForm
from logitrack.privacy.consent.models import Action, FixedPurpose, Method, SubjectKind
from logitrack.privacy.consent.notices import Asked, notice_text
from logitrack.privacy.consent.services import consents as services
from logitrack.privacy.consent.services.purposes import (
    tenant_purpose_declare,
)
from logitrack.privacy.consent.tokens import UnsubscribeTarget, unsubscribe_target
from logitrack.security.actors import Actor
from logitrack.tenancy.access import principal_of, public, requires, signed_in
from logitrack.tenancy.models import Tenant
from logitrack.tenancy.roles import Permission

PLATFORM_NAME = "Logitrack"


def _me(request: HttpRequest) -> User:
    user = principal_of(request).user
    assert user is not None, "signed_in() lets only signed-in people through"
    return user


@signed_in("a person sees and changes their own consents, and no one else's")
@require_http_methods(["GET", "HEAD", "POST"])
def my_consents(request: HttpRequest) -> HttpResponse:
    """GET: each purpose with its notice and one button (give or withdraw). POST: that button.

    The form names only a purpose and an action: whose consent it is comes from the session, so
    a request cannot grant for someone else.
    """
    user = _me(request)
    status = 200
    if request.method == "POST":
        form = ConsentChoiceForm(request.POST)
        if form.is_valid():
            result = services.user_consent_record(
                actor=Actor.user(user),
                user=user,
                purpose=form.cleaned_data["purpose"],
                action=form.cleaned_data["action"],
                method=Method.PAGE,
                asked=Asked.from_request(request),
                language=translation.get_language(),
            )
            label = FixedPurpose(form.cleaned_data["purpose"]).label
            if result.refused_by_gpc:
                messages.warning(
                    request,
                    _(
                        "Your browser sends Global Privacy Control, which refuses %(purpose)s: "
                        "it stays off."
                    )
                    % {"purpose": label},
                )
            elif result.event.action == Action.GRANT:
                messages.success(request, _("Consent given: %(purpose)s.") % {"purpose": label})
            else:
                messages.success(request, _("Consent withdrawn: %(purpose)s.") % {"purpose": label})
            return redirect("consent:mine")
        status = 422
    context = {
        "choices": selectors.user_consent_choices(user=user, language=translation.get_language()),
        "section": "consents",
        "account": user,
    }
    return render(request, "consent/mine.html", context, status=status)


def _unsubscribe_error(request: HttpRequest, exc: ConsentError) -> HttpResponse:
    """The refusal of a link that cannot be used, in the visitor's language: whoever opens a
    broken link from an e-mail has likely made no choice on this site, so ``?lang=``, then the
    language cookie, then the browser's preference decide (``visitor_language``)."""
    with translation.override(visitor_language(request)):
        return render(
            request,
            "web/error.html",
            {"status": exc.status, "title": _("This link is not valid"), "message": exc.message},
            status=exc.status,
        )


# RFC 8058 section 3.1: a mail client sends the one-click POST by itself, with neither cookies nor
# a CSRF token; the signed token in the URL is the only authority, and it can only withdraw.
@csrf_exempt
@public("one-click unsubscribe (RFC 8058) works without signing in; the signed link is the key")
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a confirmation page with one button. POST (that button, or a mail client's
    ``List-Unsubscribe=One-Click``): withdrawn at once, 200 without a redirect. A forged or
    changed link answers 400 and changes nothing."""
    try:
        target = unsubscribe_target(token)
    except InvalidUnsubscribeLink as exc:
        return _unsubscribe_error(request, exc)
    purpose = FixedPurpose(target.purpose) if target.purpose in FixedPurpose.values else None
    if purpose is None:
        return _unsubscribe_error(request, InvalidUnsubscribeLink())
    company = _sending_company(target)
    if company is None:
        return _unsubscribe_error(request, InvalidUnsubscribeLink())
    context = {
        "purpose": purpose.label,
        "company": company,
        # A consignee or driver has no Logitrack account: no "sign in", no "account's security".
        "has_account": target.kind == SubjectKind.USER,
    }
    # A consignee or driver has made no language choice on this site (no account, no cookie):
    # their browser's preference is the best one known, as on the public tracking page.
    language = (
        translation.get_language() if target.kind == SubjectKind.USER else visitor_language(request)
    )
    if request.method == "POST":
        try:
            services.consent_withdraw_by_link(target=target, asked=Asked.from_request(request))
        except ConsentError as exc:
            return _unsubscribe_error(request, exc)
        with translation.override(language):
            return render(request, "consent/unsubscribed.html", context)
    # A link opened again after the click: say it is done rather than offer it once more.
    page = (
        "consent/unsubscribed.html"
        if selectors.link_consent_withdrawn(target)
        else "consent/unsubscribe.html"
    )
    with translation.override(language):
        return render(request, page, context)


def _sending_company(target: UnsubscribeTarget) -> str | None:
    """Who sent the message: the tenant for its consignees and drivers, Logitrack for its users.
    None when the tenant named by the link no longer exists."""
    if target.kind == SubjectKind.USER or target.tenant_id is None:
        return PLATFORM_NAME
    name: str | None = (
        Tenant.objects.filter(pk=target.tenant_id).values_list("name", flat=True).first()
    )
    return name


# --- the tenant's consignees and drivers ----------------------------------------------------------


def _purpose_choices(request: HttpRequest) -> list[tuple[str, str]]:
    principal = principal_of(request)
    english = translation.get_language() == "en"
    return [
        *((p.value, str(p.label)) for p in FixedPurpose),
        *(
            (p.key, p.name_en if english else p.name_vi)
            for p in selectors.tenant_purposes(principal=principal)
        ),
    ]


def _tenant_page(
    request: HttpRequest,
    *,
    record_form: StaffConsentForm | None = None,
    purpose_form: PurposeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    principal = principal_of(request)
    context: dict[str, Any] = {
        "consents": selectors.tenant_current_consents(principal=principal),
        "purposes": selectors.tenant_purposes(principal=principal),
        "can_manage": principal.has(Permission.CONSENTS_MANAGE),
        "record_form": record_form or StaffConsentForm(purposes=_purpose_choices(request)),
        "purpose_form": purpose_form or PurposeForm(),
        "scripts": [
            (
                str(p.label),
                notice_text(
                    p.value,
                    translation.get_language(),
                    company=principal.tenant.name if principal.tenant else "",
                ),
            )
            for p in FixedPurpose
        ],
    }
    return render(request, "consent/tenant.html", context, status=status)


@requires(Permission.CONSENTS_VIEW)
@require_safe
def tenant_consents(request: HttpRequest) -> HttpResponse:
    return _tenant_page(request)


@requires(Permission.CONSENTS_MANAGE)
@require_POST
def tenant_consent_record(request: HttpRequest) -> HttpResponse:
    """Record a consent a consignee or driver gave or withdrew by telephone or on paper."""
    principal = principal_of(request)
    form = StaffConsentForm(request.POST, purposes=_purpose_choices(request))
    if form.is_valid():
        data = form.cleaned_data
        try:
            asking: dict[str, Any] = {
                "actor": principal,
                "purpose": data["purpose"],
                "action": data["action"],
                "method": data["method"],
                "asked": Asked(),
                "notice": data["notice"] or "",
                "language": translation.get_language(),
            }
            if data["subject_kind"] == "driver":
                subject = access_consent_driver_by_id(principal, data["driver_id"], for_write=True)
                services.subject_consent_record(subject=subject, **asking)
            else:
                services.consignee_consent_record(
                    email=data["email"] or "", phone=data["phone"] or "", **asking
                )
        except NotFound:
            form.add_error("driver_id", _("Your company has no driver with this number."))
        except ConsentError as exc:
            form.add_error(exc.field or None, str(exc.message))
        else:
            messages.success(request, _("The consent is recorded."))
            return redirect("consent:tenant")
    return _tenant_page(request, record_form=form, status=422)


@requires(Permission.CONSENTS_MANAGE)
@require_POST
def tenant_purpose_new(request: HttpRequest) -> HttpResponse:
    form = PurposeForm(request.POST)
    if form.is_valid():
        try:
            tenant_purpose_declare(actor=principal_of(request), **form.cleaned_data)
        except ConsentError as exc:
            form.add_error(exc.field or None, str(exc.message))
        else:
            messages.success(request, _("The purpose is declared."))
            return redirect("consent:tenant")
    return _tenant_page(request, purpose_form=form, status=422)
