"""Pages of the partners register (public and staff), the disclosure log and the breach register.

The staff pages are Logitrack's privacy officer's (``platform_staff("privacy_officer")``): no
tenant member reaches them, whatever their account level. Views parse, ``access_*``, call a
service or selector and render; refused input shows its error and changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from logitrack.accounts.models import User
from logitrack.privacy.breaches import selectors
from logitrack.privacy.breaches.access import (
    access_breach_by_id,
    access_disclosure_by_id,
    access_partner_by_id,
)
from logitrack.privacy.breaches.errors import BreachesError
from logitrack.privacy.breaches.forms import BreachForm, DisclosureForm, PartnerForm, ReportedForm
from logitrack.privacy.breaches.models import Breach
from logitrack.privacy.breaches.report import authority_report_pdf
from logitrack.privacy.breaches.services.breaches import (
    BreachInput,
    breach_assess,
    breach_close,
    breach_mark_reported,
    breach_register,
    breach_report_downloaded,
)
from logitrack.privacy.breaches.services.disclosures import (
    DisclosureInput,
    disclosure_decide,
    disclosure_record,
)
from logitrack.privacy.breaches.services.notices import breach_notices_send
from logitrack.privacy.breaches.services.partners import (
    PartnerInput,
    partner_create,
    partner_update,
)
from logitrack.tenancy.access import platform_staff, principal_of, public

OFFICER = "privacy_officer"


def _officer(request: HttpRequest) -> User:
    user = principal_of(request).user
    assert user is not None  # platform_staff admitted a signed-in officer
    return user


@public("everyone may see who receives personal data (privacy policy section 4)")
@require_safe
def partners_public(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "breaches/partners_public.html",
        {
            "partners": [
                (partner, selectors.category_labels(partner.categories))
                for partner in selectors.partners_published()
            ],
        },
    )


def _partner_input(data: dict[str, Any]) -> PartnerInput:
    return PartnerInput(
        key=data["key"],
        name_vi=data["name_vi"],
        name_en=data["name_en"],
        kind=data["kind"],
        role=data["role"],
        country=data["country"],
        purpose_vi=data["purpose_vi"],
        purpose_en=data["purpose_en"],
        categories=list(data["categories"]),
        configured_by=data.get("configured_by") or "",
        active=bool(data.get("active")),
    )


@platform_staff(OFFICER)
@require_http_methods(["GET", "POST"])
def partners(request: HttpRequest) -> HttpResponse:
    officer = _officer(request)
    form = PartnerForm(request.POST or None, initial={"active": True, "country": "VN"})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                partner_create(actor=officer, data=_partner_input(form.cleaned_data))
            except BreachesError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status
            else:
                messages.success(request, _("The partner is registered."))
                return redirect("breaches:partners")
        else:
            status = 422
    context = {"partners": selectors.partners_all(actor=officer), "form": form}
    return render(request, "breaches/partners.html", context, status=status)


@platform_staff(OFFICER)
@require_http_methods(["GET", "POST"])
def partner_edit(request: HttpRequest, partner_id: int) -> HttpResponse:
    officer = _officer(request)
    partner = access_partner_by_id(officer, partner_id)
    initial = {
        name: getattr(partner, name)
        for name in (
            "key",
            "name_vi",
            "name_en",
            "kind",
            "role",
            "country",
            "purpose_vi",
            "purpose_en",
            "categories",
            "configured_by",
            "active",
        )
    }
    form = PartnerForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = _partner_input({**form.cleaned_data, "key": partner.key})
            try:
                partner_update(actor=officer, partner=partner, data=data)
            except BreachesError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status
            else:
                messages.success(request, _("The partner is saved."))
                return redirect("breaches:partners")
        else:
            status = 422
    return render(
        request, "breaches/partner_edit.html", {"partner": partner, "form": form}, status=status
    )


def _partner_choices() -> list[tuple[int, str]]:
    return [(int(p.pk), p.name) for p in selectors.partners_published()]


@platform_staff(OFFICER)
@require_http_methods(["GET", "POST"])
def disclosures(request: HttpRequest) -> HttpResponse:
    officer = _officer(request)
    form = DisclosureForm(request.POST or None, partners=_partner_choices())
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            partner_id = data.get("partner")
            try:
                partner = (
                    access_partner_by_id(officer, partner_id) if partner_id is not None else None
                )
                disclosure_record(
                    actor=officer,
                    data=DisclosureInput(
                        kind=data["kind"],
                        requesting_body=data["requesting_body"],
                        legal_basis=data["legal_basis"],
                        categories=list(data["categories"]),
                        description=data["description"],
                        disclosed_at=data["disclosed_at"],
                        tenant_id=data.get("tenant_id"),
                        partner=partner,
                        request_reference=data.get("request_reference") or "",
                        subjects=form.subject_pairs(),
                    ),
                )
            except BreachesError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status
            else:
                messages.success(
                    request, _("The disclosure is recorded; another officer must approve it.")
                )
                return redirect("breaches:disclosures")
        else:
            status = 422
    context = {"disclosures": selectors.disclosures_all(actor=officer), "form": form}
    return render(request, "breaches/disclosures.html", context, status=status)


@platform_staff(OFFICER)
@require_POST
def disclosure_decide_view(request: HttpRequest, disclosure_id: int) -> HttpResponse:
    officer = _officer(request)
    disclosure = access_disclosure_by_id(officer, disclosure_id)
    decision = request.POST.get("decision")
    if decision not in ("approve", "reject"):
        messages.error(request, _("Choose approve or reject."))
        return redirect("breaches:disclosures")
    try:
        disclosure_decide(actor=officer, disclosure=disclosure, approve=decision == "approve")
    except BreachesError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The decision is recorded."))
    return redirect("breaches:disclosures")


@platform_staff(OFFICER)
@require_http_methods(["GET", "POST"])
def breaches(request: HttpRequest) -> HttpResponse:
    officer = _officer(request)
    form = BreachForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                breach = breach_register(
                    actor=officer,
                    data=BreachInput(
                        discovered_at=data["discovered_at"],
                        occurred_from=data["occurred_from"],
                        occurred_until=data["occurred_until"],
                        nature=data["nature"],
                        description=data["description"],
                        categories=list(data["categories"]),
                        affected_models=list(data.get("affected_models") or []),
                        approx_subjects=data["approx_subjects"],
                        approx_records=data["approx_records"],
                        consequences=data.get("consequences") or "",
                        measures=data.get("measures") or "",
                    ),
                )
            except BreachesError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status
            else:
                messages.success(request, _("The breach is registered; the 72-hour timer runs."))
                return redirect("breaches:breach", breach_id=breach.pk)
        else:
            status = 422
    rows = [(b, selectors.breach_timer(b)) for b in selectors.breaches_all(actor=officer)]
    return render(request, "breaches/breaches.html", {"rows": rows, "form": form}, status=status)


def _breach_page(
    request: HttpRequest, breach: Breach, *, error: str = "", status: int = 200
) -> HttpResponse:
    context = {
        "breach": breach,
        "timer": selectors.breach_timer(breach),
        "summary": selectors.breach_summary(breach),
        "reported_form": ReportedForm(),
        "error": error,
        "S": Breach.Status,
    }
    return render(request, "breaches/breach.html", context, status=status)


@platform_staff(OFFICER)
@require_safe
def breach_detail(request: HttpRequest, breach_id: int) -> HttpResponse:
    return _breach_page(request, access_breach_by_id(_officer(request), breach_id))


def _step(request: HttpRequest, breach_id: int, step: str) -> HttpResponse:
    officer = _officer(request)
    breach = access_breach_by_id(officer, breach_id)
    try:
        if step == "assess":
            breach_assess(actor=officer, breach=breach)
            done = _("The affected people and tenants are computed.")
        elif step == "reported":
            form = ReportedForm(request.POST)
            if not form.is_valid():
                return _breach_page(
                    request,
                    breach,
                    error=_("Give the time and reference of the report."),
                    status=422,
                )
            breach_mark_reported(
                actor=officer,
                breach=breach,
                reported_at=form.cleaned_data["reported_at"],
                reference=form.cleaned_data["reference"],
            )
            done = _("The report to the authority is recorded.")
        elif step == "notify":
            count = breach_notices_send(actor=officer, breach=breach)
            done = _("%(count)s notices are queued.") % {"count": count}
        else:
            breach_close(actor=officer, breach=breach)
            done = _("The breach is closed.")
    except BreachesError as exc:
        return _breach_page(
            request,
            access_breach_by_id(officer, breach_id),
            error=str(exc.message),
            status=exc.status,
        )
    messages.success(request, done)
    return redirect("breaches:breach", breach_id=breach.pk)


@platform_staff(OFFICER)
@require_POST
def breach_assess_view(request: HttpRequest, breach_id: int) -> HttpResponse:
    return _step(request, breach_id, "assess")


@platform_staff(OFFICER)
@require_POST
def breach_reported_view(request: HttpRequest, breach_id: int) -> HttpResponse:
    return _step(request, breach_id, "reported")


@platform_staff(OFFICER)
@require_POST
def breach_notify_view(request: HttpRequest, breach_id: int) -> HttpResponse:
    return _step(request, breach_id, "notify")


@platform_staff(OFFICER)
@require_POST
def breach_close_view(request: HttpRequest, breach_id: int) -> HttpResponse:
    return _step(request, breach_id, "close")


@platform_staff(OFFICER)
@require_safe
def breach_report(request: HttpRequest, breach_id: int) -> HttpResponse:
    """The Vietnamese report to the authority, as a PDF download (audited)."""
    officer = _officer(request)
    breach = access_breach_by_id(officer, breach_id)
    pdf = authority_report_pdf(breach)
    breach_report_downloaded(actor=officer, breach=breach)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="thong-bao-vi-pham-{breach.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
