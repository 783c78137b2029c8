"""Pages of the privacy policy's versions.

Public (anyone may read what they are asked to agree to): the archive of published versions,
each version at its stable URL, and the difference between any two. Signed in: the acceptance
page. Logitrack's privacy officer: the drafts, their editing and their publication.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from logitrack.privacy.policies import selectors
from logitrack.privacy.policies.access import access_policy_version_by_number
from logitrack.privacy.policies.diff import text_diff
from logitrack.privacy.policies.errors import PolicyError
from logitrack.privacy.policies.forms import PolicyDraftForm, PolicyPublishForm
from logitrack.privacy.policies.models import PolicyAcceptance, PolicyVersion
from logitrack.privacy.policies.render import policy_html
from logitrack.privacy.policies.services import (
    policy_accept,
    policy_draft_create,
    policy_draft_update,
    policy_publish,
)
from logitrack.tenancy.access import platform_staff, principal_of, public, signed_in

LANGUAGES = ("vi", "en")
OFFICER = "privacy_officer"


def reader_language() -> str:
    return "en" if translation.get_language() == "en" else "vi"


def text_language(request: HttpRequest) -> str:
    """``?text=en`` or ``?text=vi`` picks the text shown; the page's language otherwise."""
    chosen = request.GET.get("text", "")
    return chosen if chosen in LANGUAGES else reader_language()


def version_context(version: PolicyVersion, language: str) -> dict[str, Any]:
    now = timezone.now()
    return {
        "version": version,
        "body": policy_html(version.body(language)),
        "text_language": language,
        "in_effect": version.effective_at is not None and version.effective_at <= now,
        "previous": selectors.previous_published(version),
    }


@public("every published version of the privacy policy stays readable at a stable address")
@require_safe
def policy_archive(request: HttpRequest) -> HttpResponse:
    versions = list(selectors.published_versions())
    # Newest first: each version's predecessor is the next one in the list.
    for version, older in zip(versions, [*versions[1:], None], strict=True):
        version.previous_number = older.number if older is not None else None  # type: ignore[attr-defined]
    current = selectors.current_policy()
    return render(
        request,
        "policies/archive.html",
        {
            "versions": versions,
            "current_number": current.number if current is not None else None,
            "now": timezone.now(),
        },
    )


@public("every published version of the privacy policy stays readable at a stable address")
@require_safe
def policy_version(request: HttpRequest, number: int) -> HttpResponse:
    version = access_policy_version_by_number(principal_of(request), number)
    context = version_context(version, text_language(request))
    current = selectors.current_policy()
    context["current"] = current is not None and current.pk == version.pk
    return render(request, "policies/version.html", context)


@public("what changed between two published versions of the privacy policy is public")
@require_safe
def policy_diff(request: HttpRequest, old: int, new: int) -> HttpResponse:
    principal = principal_of(request)
    older = access_policy_version_by_number(principal, old)
    newer = access_policy_version_by_number(principal, new)
    if older.pk == newer.pk:
        # A version compared with itself has no difference to show: read the version itself.
        target = reverse("policies:version", args=[newer.number])
        query = request.GET.urlencode()
        return redirect(f"{target}?{query}" if query else target)
    language = text_language(request)
    return render(
        request,
        "policies/diff.html",
        {
            "older": older,
            "newer": newer,
            "text_language": language,
            "rows": text_diff(older.body(language), newer.body(language)),
        },
    )


def _safe_next(request: HttpRequest, candidate: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=True
    ):
        return candidate
    return reverse("web:home")


@signed_in("a person accepts the privacy policy as themselves, whatever company they work in")
@require_http_methods(["GET", "POST"])
def policy_accept_page(request: HttpRequest) -> HttpResponse:
    """The version the person must accept, its text and an Accept button (never pre-ticked:
    the act is the button). POST ``number`` records the acceptance and goes on to ``next``."""
    principal = principal_of(request)
    user = principal.user
    assert user is not None  # signed_in()
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
    required = selectors.acceptance_required(user)
    if request.method == "POST":
        try:
            number = int(request.POST.get("number", ""))
        except ValueError:
            number = 0
        if required is None or number != required.number:
            # Accepted already (another tab), or a stale form: nothing to record.
            return redirect(next_url)
        language = request.POST.get("language", "")
        try:
            policy_accept(
                user=user,
                version=required,
                via=PolicyAcceptance.Via.PROMPT,
                language=language if language in LANGUAGES else reader_language(),
                tenant_id=principal.tenant_id,
                request=request,
            )
        except PolicyError as exc:
            messages.error(request, str(exc.message))
            return redirect(reverse("policies:accept"))
        messages.success(request, _("Thank you: your acceptance of the privacy policy is saved."))
        return redirect(next_url)
    if required is None:
        return redirect(next_url)
    context = version_context(required, text_language(request))
    context["next"] = next_url
    return render(request, "policies/accept.html", context)


# --- the privacy officer ---------------------------------------------------------------------


@platform_staff(OFFICER)
@require_safe
def staff_versions(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "policies/staff_list.html",
        {
            "versions": list(selectors.versions_for_officer()),
            "draft": selectors.open_draft(),
            "current": selectors.current_policy(),
        },
    )


@platform_staff(OFFICER)
@require_POST
def staff_draft_create(request: HttpRequest) -> HttpResponse:
    user = principal_of(request).user
    assert user is not None  # platform_staff()
    try:
        draft = policy_draft_create(actor=user, request=request)
    except PolicyError as exc:
        messages.error(request, str(exc.message))
        return redirect("policies:staff-list")
    return redirect("policies:staff-version", number=draft.number)


@platform_staff(OFFICER)
@require_http_methods(["GET", "POST"])
def staff_version(request: HttpRequest, number: int) -> HttpResponse:
    """A draft's form (POST saves it), or a published version's read-only record."""
    principal = principal_of(request)
    user = principal.user
    assert user is not None  # platform_staff()
    version = access_policy_version_by_number(principal, number, for_write=True)
    form = PolicyDraftForm(
        request.POST if request.method == "POST" else None,
        initial={
            "summary": version.summary,
            "material": version.material,
            "body_vi": version.body_vi,
            "body_en": version.body_en,
        },
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                policy_draft_update(
                    actor=user,
                    version=version,
                    material=form.cleaned_data["material"],
                    summary=form.cleaned_data["summary"],
                    body_vi=form.cleaned_data["body_vi"],
                    body_en=form.cleaned_data["body_en"],
                    request=request,
                )
            except PolicyError as exc:
                if not exc.field:
                    messages.error(request, str(exc.message))
                    return redirect("policies:staff-version", number=version.number)
                form.add_error(exc.field, str(exc.message))
            else:
                messages.success(request, _("The draft is saved."))
                return redirect("policies:staff-version", number=version.number)
        status = 422
    return _staff_version_page(request, version, form, PolicyPublishForm(), status)


def _staff_version_page(
    request: HttpRequest,
    version: PolicyVersion,
    form: PolicyDraftForm,
    publish_form: PolicyPublishForm,
    status: int,
) -> HttpResponse:
    return render(
        request,
        "policies/staff_version.html",
        {
            "version": version,
            "form": form,
            "publish_form": publish_form,
            "previous": selectors.previous_published(version),
            "preview_vi": policy_html(version.body_vi),
            "preview_en": policy_html(version.body_en),
        },
        status=status,
    )


@platform_staff(OFFICER)
@require_POST
def staff_publish(request: HttpRequest, number: int) -> HttpResponse:
    principal = principal_of(request)
    user = principal.user
    assert user is not None  # platform_staff()
    version = access_policy_version_by_number(principal, number, for_write=True)
    form = PolicyPublishForm(request.POST)
    # The draft page posts its text with the publish button, so what the officer sees is what
    # is published, and a refusal shows the page again with everything as typed.
    draft_form = PolicyDraftForm(request.POST) if "body_vi" in request.POST else None
    if draft_form is None and not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("policies:staff-version", number=version.number)
    if draft_form is not None and not (form.is_valid() & draft_form.is_valid()):
        return _staff_version_page(request, version, draft_form, form, 422)
    try:
        with transaction.atomic():
            if draft_form is not None:
                policy_draft_update(
                    actor=user,
                    version=version,
                    material=draft_form.cleaned_data["material"],
                    summary=draft_form.cleaned_data["summary"],
                    body_vi=draft_form.cleaned_data["body_vi"],
                    body_en=draft_form.cleaned_data["body_en"],
                    request=request,
                )
            policy_publish(
                actor=user,
                version=version,
                effective_at=form.cleaned_data["effective_at"],
                request=request,
            )
    except PolicyError as exc:
        if draft_form is None:
            messages.error(request, str(exc.message))
            return redirect("policies:staff-version", number=version.number)
        version.refresh_from_db()
        target = form if exc.field in form.fields else draft_form
        target.add_error(exc.field if exc.field in target.fields else None, str(exc.message))
        return _staff_version_page(request, version, draft_form, form, 422)
    messages.success(request, _("Version %(number)s is published.") % {"number": version.number})
    return redirect("policies:staff-list")
