"""Pages of the under-16 reports (privacy policy section 9).

A visitor tells the privacy officer (public, rate-limited); a person signed in to a company
reports a colleague of that company (suspended at once); the privacy officer reports anyone,
confirms or dismisses a visitor's report and cancels a mistaken one before the erasure.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from logitrack.accounts.models import User
from logitrack.core.errors import NotFound
from logitrack.privacy.erasure.access import (
    access_colleague_by_email,
    access_colleague_by_id,
    access_underage_report_by_id,
)
from logitrack.privacy.erasure.errors import ErasureError
from logitrack.privacy.erasure.forms import (
    ColleagueLookupForm,
    ColleagueReportForm,
    DecisionForm,
    StaffReportForm,
    VisitorReportForm,
)
from logitrack.privacy.erasure.models import UnderageReport
from logitrack.privacy.erasure.services.children import (
    OPEN_STATUSES,
    underage_report_by_colleague,
    underage_report_by_staff,
    underage_report_by_visitor,
    underage_report_cancel,
    underage_report_confirm,
    underage_report_dismiss,
)
from logitrack.security import throttle
from logitrack.tenancy.access import platform_staff, principal_of, public, signed_in

OFFICER = "privacy_officer"


@public("anyone may tell Logitrack that an account holder is under 16 (policy section 9)")
@require_http_methods(["GET", "HEAD", "POST"])
@throttle.throttle(throttle.per_ip("underage_report.ip"))
def children_tell_us(request: HttpRequest) -> HttpResponse:
    form = VisitorReportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        # The same answer whether or not the address has an account.
        underage_report_by_visitor(
            account_email=form.cleaned_data["account_email"],
            reporter_email=form.cleaned_data["reporter_email"],
            request=request,
        )
        return render(request, "erasure/children_tell_us.html", {"sent": True})
    return render(request, "erasure/children_tell_us.html", {"form": form})


@signed_in("a person reports a colleague of their own company as under 16")
@require_http_methods(["GET", "HEAD", "POST"])
def children_report(request: HttpRequest) -> HttpResponse:
    form = ColleagueLookupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            colleague = access_colleague_by_email(principal_of(request), form.cleaned_data["email"])
        except NotFound:
            form.add_error("email", _("No member of your company has this email address."))
        else:
            return redirect("erasure:children-report-member", user_id=colleague.pk)
    return render(request, "erasure/children_report.html", {"form": form})


@signed_in("a person reports a colleague of their own company as under 16")
@require_http_methods(["GET", "HEAD", "POST"])
def children_report_member(request: HttpRequest, user_id: int) -> HttpResponse:
    principal = principal_of(request)
    colleague = access_colleague_by_id(principal, user_id)
    reporter = principal.user
    assert reporter is not None  # access_colleague_by_id admits people only
    form = ColleagueReportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            report = underage_report_by_colleague(
                reporter=reporter,
                tenant_id=principal.tenant_id,
                subject=colleague,
                request=request,
            )
        except ErasureError as exc:
            form.add_error(None, str(exc))
        else:
            if report.status == UnderageReport.Status.SUSPENDED:
                done = _(
                    "Thank you. The account is suspended and its data will be erased within "
                    "24 hours."
                )
            else:
                done = _(
                    "Thank you. Logitrack's privacy officer will check the report before "
                    "suspending the account."
                )
            messages.success(request, done)
            return redirect("erasure:children-report")
    context = {"form": form, "colleague": colleague}
    return render(request, "erasure/children_report_member.html", context)


def _officer(request: HttpRequest) -> User:
    user = principal_of(request).user
    assert user is not None  # platform_staff admitted a signed-in officer
    return user


@platform_staff(OFFICER)
@require_http_methods(["GET", "HEAD", "POST"])
def children_staff(request: HttpRequest) -> HttpResponse:
    officer = _officer(request)
    form = StaffReportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        subject = User.objects.filter(email=form.cleaned_data["email"]).first()
        if subject is None:
            form.add_error("email", _("No account has this email address."))
        else:
            underage_report_by_staff(officer=officer, subject=subject, request=request)
            messages.success(request, _("The account is suspended; its erasure is scheduled."))
            return redirect("erasure:children-staff")
    # Every open report (a visitor's to decide, a suspension to cancel before its erasure), so
    # that no number of newer reports can push one out of sight; then the latest decided ones.
    rows = UnderageReport.objects.select_related("subject", "erasure", "reporter")
    reports = [
        *rows.filter(status__in=OPEN_STATUSES).order_by("created_at", "pk"),
        *rows.exclude(status__in=OPEN_STATUSES).order_by("-created_at", "-pk")[:200],
    ]
    return render(request, "erasure/children_staff.html", {"form": form, "reports": reports})


@platform_staff(OFFICER)
@require_POST
def children_staff_decide(request: HttpRequest, report_id: int) -> HttpResponse:
    officer = _officer(request)
    report = access_underage_report_by_id(officer, report_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a decision."))
        return redirect("erasure:children-staff")
    action = {
        "confirm": underage_report_confirm,
        "dismiss": underage_report_dismiss,
        "cancel": underage_report_cancel,
    }[form.cleaned_data["decision"]]
    try:
        action(officer=officer, report=report, request=request)
    except ErasureError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The report has been updated."))
    return redirect("erasure:children-staff")
