"""Pages: company sign-up, switching company, company settings, members, invitations, API keys
and the permission matrix. Each view parses, gets objects through ``access``, calls a service or
selector and renders; the rules live in the services."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from logitrack.core.errors import NotFound
from logitrack.core.referrer import keep_token_on_site
from logitrack.security import throttle
from logitrack.tenancy import selectors, services
from logitrack.tenancy.access import (
    access_api_key_by_id,
    access_invitation_by_id,
    access_invitation_by_token,
    access_membership_by_id,
    principal_of,
    public,
    requires,
    signed_in,
)
from logitrack.tenancy.errors import InvitationInvalid, InvitationInviterNotAllowed, TenancyError
from logitrack.tenancy.forms import (
    ApiKeyForm,
    CompanyForm,
    InvitationAcceptForm,
    InviteForm,
    RoleForm,
    SignupForm,
    TenantSwitchForm,
    grantable_roles,
)
from logitrack.tenancy.geography import province_name, ward_choices, ward_name
from logitrack.tenancy.middleware import SESSION_TENANT_KEY
from logitrack.tenancy.models import ApiKey
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import ROLE_PERMISSIONS, Permission, Role, matrix_rows

# The back end that signs in a person who has just proved who they are (new owner, invitee).
SIGN_IN_BACKEND = "django.contrib.auth.backends.ModelBackend"

# The company section's tabs: (URL name, permission needed, label, URL names of its sub-pages).
_NAV: list[tuple[str, Permission, str | Promise, tuple[str, ...]]] = [
    ("tenancy:company", Permission.TENANT_VIEW, gettext_lazy("Company"), ("tenancy:company-edit",)),
    (
        "tenancy:members",
        Permission.MEMBERS_VIEW,
        gettext_lazy("Members"),
        ("tenancy:member-invite", "tenancy:member-role", "tenancy:member-remove"),
    ),
    (
        "tenancy:api-keys",
        Permission.API_KEYS_MANAGE,
        gettext_lazy("API keys"),
        ("tenancy:api-key-create", "tenancy:api-key-revoke", "tenancy:api-key-confirm"),
    ),
    ("tenancy:permissions", Permission.PERMISSIONS_VIEW, gettext_lazy("Permissions"), ()),
]


def company_nav(request: HttpRequest) -> list[dict[str, Any]]:
    """The company section's tabs the principal may open."""
    principal = principal_of(request)
    current = getattr(getattr(request, "resolver_match", None), "view_name", "")
    items: list[dict[str, Any]] = [
        {"url": reverse(name), "label": label, "current": current == name or current in pages}
        for name, permission, label, pages in _NAV
        if principal.has(permission)
    ]
    if principal.user is not None:
        items.append(
            {
                "url": reverse("tenancy:switch"),
                "label": gettext_lazy("Switch company"),
                "current": current == "tenancy:switch",
            }
        )
    return items


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    principal = principal_of(request)
    full = {"principal": principal, "company_nav": company_nav(request), **context}
    return render(request, f"tenancy/{template}", full, status=status)


def _principal(request: HttpRequest) -> Principal:
    return principal_of(request)


def _form_error(form: forms.Form, exc: Exception, field_map: dict[str, str] | None = None) -> None:
    """Show a service's error beside the field it concerns, or above the form."""
    field = getattr(exc, "field", "") or ""
    field = (field_map or {}).get(field, field)
    messages_ = getattr(exc, "messages", None)
    text = list(messages_) if messages_ else [str(getattr(exc, "message", exc))]
    for message in text:
        form.add_error(field if field in form.fields else None, message)


# --- sign-up -----------------------------------------------------------------------------------


_ACCOUNT_ERROR_FIELDS = {
    "email_taken": "email",
    "under_minimum_age": "date_of_birth",
    "invalid_date_of_birth": "date_of_birth",
    "password_rejected": "password",
}


_SIGNUP_RULES = (
    throttle.per_ip("signup.ip"),
    throttle.per_posted_email("signup.account"),
)


@public("companies sign up here")
@never_cache
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """A new company and its owner; answers the same whether or not the address has an account.

    Either way the browser is sent to "check your email" with no session: a new owner gets the
    verification e-mail, the holder of a taken address an e-mail saying someone tried to sign up
    with it (docs/adr/0012), both queued for the job worker.
    """
    from logitrack.accounts.errors import AccountError, EmailTaken
    from logitrack.accounts.services import signup_address_taken

    if request.method == "POST" and request.POST.get("action") == "wards":
        # Without JavaScript: show the chosen province's communes, keep what was typed.
        kept = {
            k: v for k, v in request.POST.items() if k not in {"password", "csrfmiddlewaretoken"}
        }
        return _render(request, "signup.html", {"form": SignupForm(initial=kept)})
    if request.method == "POST":
        refused = throttle.check(request, *_SIGNUP_RULES)
        if refused is not None:
            return refused
    form = SignupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.tenant_signup(
                company_name=data["name"],
                tax_code=data["tax_code"],
                kind=data["kind"] or None,
                industry=data["industry"],
                street_address=data["street_address"],
                province_code=data["province_code"],
                ward_code=data["ward_code"],
                data_region=data["data_region"],
                owner_full_name=data["full_name"],
                owner_email=data["email"],
                owner_password=data["password"],
                owner_date_of_birth=data["date_of_birth"],
                privacy_consent=data["privacy_consent"],
                language=getattr(request, "LANGUAGE_CODE", "vi") or "vi",
                request=request,
            )
        except TenancyError as exc:
            _form_error(form, exc, {"email": "email"})
        except EmailTaken:
            signup_address_taken(email=data["email"], password=data["password"], request=request)
            return redirect("tenancy:signup-sent")
        except AccountError as exc:
            _form_error(form, exc, {"": _ACCOUNT_ERROR_FIELDS.get(exc.code, "")})
        else:
            return redirect("tenancy:signup-sent")
    status = 400 if form.is_bound and form.errors else 200
    return _render(request, "signup.html", {"form": form}, status=status)


@public("the page after signing up, the same for every address")
@require_safe
def signup_sent(request: HttpRequest) -> HttpResponse:
    return _render(request, "signup_sent.html", {})


@public("the communes of a province, for the address forms; reference data, not tenant data")
@require_safe
def ward_options(request: HttpRequest) -> HttpResponse:
    try:
        province = int(request.GET.get("province_code", ""))
    except ValueError:
        province = 0
    wards = ward_choices(province)
    return render(request, "tenancy/_ward_options.html", {"wards": wards})


# --- switching company -------------------------------------------------------------------------


@signed_in("a person chooses which of their companies to act in")
@require_http_methods(["GET", "POST"])
def switch(request: HttpRequest) -> HttpResponse:
    principal = _principal(request)
    assert principal.user is not None
    form = TenantSwitchForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            membership = services.tenant_switch(
                user=principal.user,
                tenant_id=form.cleaned_data["tenant_id"],
                session=request.session,
            )
        except NotFound:
            messages.error(request, _("You are not a member of that company."))
            return redirect("tenancy:switch")
        messages.success(
            request, _("You are now working in %(company)s.") % {"company": membership.tenant.name}
        )
        return redirect("tenancy:company")
    memberships = selectors.companies_of_user(user=principal.user)
    return _render(
        request,
        "switch.html",
        {"memberships": memberships, "current_tenant_id": principal.tenant_id, "form": form},
        status=400 if form.is_bound else 200,
    )


# --- company settings --------------------------------------------------------------------------


@requires(Permission.TENANT_VIEW)
@require_safe
def company(request: HttpRequest) -> HttpResponse:
    principal = _principal(request)
    tenant = principal.tenant
    assert tenant is not None
    context = {
        "tenant": tenant,
        "province": province_name(tenant.province_code),
        "ward": ward_name(tenant.ward_code),
        "can_edit": principal.has(Permission.TENANT_MANAGE),
        "role_label": Role(principal.role).label if principal.role else "",
    }
    return _render(request, "company.html", context)


@requires(Permission.TENANT_MANAGE)
@require_http_methods(["GET", "POST"])
def company_edit(request: HttpRequest) -> HttpResponse:
    principal = _principal(request)
    tenant = principal.tenant
    assert tenant is not None
    initial = {
        "name": tenant.name,
        "industry": tenant.industry,
        "street_address": tenant.street_address,
        "province_code": tenant.province_code,
        "ward_code": tenant.ward_code,
        "data_region": tenant.data_region,
    }
    if request.method == "POST" and request.POST.get("action") == "wards":
        kept = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
        return _render(request, "company_edit.html", {"form": CompanyForm(initial=kept)})
    form = CompanyForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.tenant_update(
                principal=principal,
                name=data["name"],
                industry=data["industry"],
                street_address=data["street_address"],
                province_code=data["province_code"],
                ward_code=data["ward_code"],
                data_region=data["data_region"],
                request=request,
            )
        except TenancyError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The company profile has been saved."))
            return redirect("tenancy:company")
    status = 400 if form.is_bound and form.errors else 200
    return _render(request, "company_edit.html", {"form": form, "tenant": tenant}, status=status)


# --- members -----------------------------------------------------------------------------------


@requires(Permission.MEMBERS_VIEW)
@require_safe
def members(request: HttpRequest) -> HttpResponse:
    principal = _principal(request)
    can_manage = principal.has(Permission.MEMBERS_MANAGE)
    grantable = dict(grantable_roles(principal.permissions)) if can_manage else {}
    rows = []
    for membership in selectors.members_of_tenant(principal=principal):
        manageable = can_manage and ROLE_PERMISSIONS[Role(membership.role)] <= principal.permissions
        rows.append(
            {
                "membership": membership,
                "role_label": Role(membership.role).label,
                "manageable": manageable,
                "is_me": membership.user_id == getattr(principal.user, "pk", None),
            }
        )
    context = {
        "rows": rows,
        "can_manage": can_manage,
        "role_choices": list(grantable.items()),
        "invitations": selectors.invitations_pending(principal=principal) if can_manage else [],
    }
    return _render(request, "members.html", context)


@requires(Permission.MEMBERS_MANAGE)
@require_http_methods(["GET", "POST"])
def member_invite(request: HttpRequest) -> HttpResponse:
    principal = _principal(request)
    form = InviteForm(
        request.POST if request.method == "POST" else None, permissions=principal.permissions
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_invite(
                principal=principal,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                request=request,
            )
        except TenancyError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request,
                _("Invitation sent. The link works for 7 days and can be used once."),
            )
            return redirect("tenancy:members")
    status = 400 if form.is_bound and form.errors else 200
    return _render(request, "member_invite.html", {"form": form}, status=status)


@requires(Permission.MEMBERS_MANAGE)
@require_http_methods(["GET", "POST"])
def member_role(request: HttpRequest, membership_id: int) -> HttpResponse:
    principal = _principal(request)
    membership = access_membership_by_id(principal, membership_id, for_write=True)
    form = RoleForm(
        request.POST if request.method == "POST" else None, initial={"role": membership.role}
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_change_role(
                principal=principal,
                membership=membership,
                role=form.cleaned_data["role"],
                request=request,
            )
        except TenancyError as exc:
            _form_error(form, exc)
            status = exc.status
        else:
            messages.success(request, _("The account level has been changed."))
            return redirect("tenancy:members")
    elif form.is_bound:
        status = 400
    context = {
        "form": form,
        "membership": membership,
        "role_label": Role(membership.role).label,
    }
    return _render(request, "member_role.html", context, status=status)


@requires(Permission.MEMBERS_MANAGE)
@require_http_methods(["GET", "POST"])
def member_remove(request: HttpRequest, membership_id: int) -> HttpResponse:
    principal = _principal(request)
    membership = access_membership_by_id(principal, membership_id, for_write=True)
    error = ""
    status = 200
    if request.method == "POST":
        is_me = membership.user_id == getattr(principal.user, "pk", None)
        try:
            effects = services.membership_remove(
                principal=principal, membership=membership, request=request
            )
        except TenancyError as exc:
            error, status = str(exc.message), exc.status
        else:
            messages.success(request, _("The member has been removed from the company."))
            if effects.api_keys:
                messages.warning(
                    request,
                    ngettext(
                        "%(count)d API key that answered for them is suspended until an owner "
                        "confirms or revokes it.",
                        "%(count)d API keys that answered for them are suspended until an owner "
                        "confirms or revokes them.",
                        len(effects.api_keys),
                    )
                    % {"count": len(effects.api_keys)},
                )
            return redirect("tenancy:switch" if is_me else "tenancy:members")
    pending_invitations, keys_to_review = selectors.removal_preview(
        principal=principal, membership=membership
    )
    context = {
        "membership": membership,
        "role_label": Role(membership.role).label,
        "error": error,
        "pending_invitations": pending_invitations,
        "keys_to_review": keys_to_review,
    }
    return _render(request, "member_remove.html", context, status=status)


@requires(Permission.MEMBERS_MANAGE)
@require_POST
def invitation_revoke(request: HttpRequest, invitation_id: int) -> HttpResponse:
    principal = _principal(request)
    invitation = access_invitation_by_id(principal, invitation_id, for_write=True)
    services.invitation_revoke(principal=principal, invitation=invitation, request=request)
    messages.success(request, _("The invitation has been withdrawn; its link no longer works."))
    return redirect("tenancy:members")


@public("the invitation link's token is the permission; it is single-use and expires")
@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:  # noqa: PLR0911, PLR0912
    from logitrack.accounts.errors import AccountError, UnderMinimumAge

    principal = _principal(request)
    if request.method == "POST":
        # Per address before the token is looked up, so guessing tokens is throttled too.
        refused = throttle.check(request, throttle.per_ip("invitation_accept.ip"))
        if refused is not None:
            return refused
    try:
        invitation = access_invitation_by_token(principal, token, request=request)
    except InvitationInvalid as exc:
        # The token is in the address: it must not reach another site as a referrer, and the
        # page's forms (language, sign-out) must still post a real Origin (core/referrer.py).
        return keep_token_on_site(
            _render(request, "invitation_invalid.html", {"message": exc.message}, 404)
        )
    has_account = selectors.invitation_has_account(invitation=invitation)
    user = principal.user
    form: InvitationAcceptForm | None = None
    if not has_account and user is None:
        form = InvitationAcceptForm(
            request.POST if request.method == "POST" else None, email=invitation.email
        )
    status = 200
    if request.method == "POST":
        invitee = throttle.account_key(invitation.email)
        refused = throttle.check(
            request, throttle.Rule("invitation_accept.account", lambda _request: invitee)
        )
        if refused is not None:
            return refused
    if request.method == "POST" and (form is None or form.is_valid()):
        data = form.cleaned_data if form is not None else {}
        try:
            membership = services.invitation_accept(
                invitation=invitation,
                user=user,
                full_name=data.get("full_name", ""),
                password=data.get("password", ""),
                date_of_birth=data.get("date_of_birth"),
                privacy_consent=bool(data.get("privacy_consent")),
                language=getattr(request, "LANGUAGE_CODE", "vi") or "vi",
                request=request,
            )
        except InvitationInvalid as exc:
            return keep_token_on_site(
                _render(request, "invitation_invalid.html", {"message": exc.message}, 404)
            )
        except InvitationInviterNotAllowed as exc:
            # Withdrawn (and audited) by the service: the link is dead, say why.
            return keep_token_on_site(
                _render(request, "invitation_invalid.html", {"message": exc.message}, 403)
            )
        except UnderMinimumAge as exc:
            # The invitation, which held the person's address, has been erased (policy §9).
            message = _("%(reason)s We have deleted this invitation and your email address.") % {
                "reason": exc.message
            }
            return keep_token_on_site(
                _render(request, "invitation_invalid.html", {"message": message}, 400)
            )
        except (TenancyError, AccountError) as exc:
            if form is not None:
                _form_error(form, exc, {"": _ACCOUNT_ERROR_FIELDS.get(exc.code, "")})
            else:
                messages.error(request, str(exc.message))
            status = getattr(exc, "status", 400)
        else:
            if user is None:
                login(request, membership.user, backend=SIGN_IN_BACKEND)
            request.session[SESSION_TENANT_KEY] = membership.tenant_id
            messages.success(
                request,
                _("Welcome to %(company)s!") % {"company": invitation.tenant.name},
            )
            return redirect("tenancy:company")
    elif form is not None and form.is_bound:
        status = 400
    context = {
        "invitation": invitation,
        "role_label": Role(invitation.role).label,
        "has_account": has_account,
        "form": form,
        "wrong_account": user is not None and user.email != invitation.email,
        "login_url": f"{reverse('web:login')}?{urlencode({'next': request.path})}",
    }
    # The token is in the address: it must not reach another site as a referrer, and the form
    # must still post a real Origin, or Django's CSRF check refuses it (core/referrer.py).
    return keep_token_on_site(_render(request, "invitation_accept.html", context, status=status))


# --- API keys ----------------------------------------------------------------------------------


@requires(Permission.API_KEYS_MANAGE)
@require_safe
def api_keys(request: HttpRequest) -> HttpResponse:
    principal = _principal(request)
    form = ApiKeyForm(permissions=principal.permissions)
    return _render(request, "api_keys.html", _api_keys_context(principal, form))


def _key_state(key: ApiKey, now: datetime) -> str:
    if key.revoked_at is not None:
        return _("Revoked")
    if key.expires_at <= now:
        return _("Expired")
    if key.suspended_at is not None:
        return _("Waiting for review")
    return _("Active")


def _api_keys_context(principal: Principal, form: ApiKeyForm) -> dict[str, Any]:
    now = timezone.now()
    rows = [
        {
            "key": key,
            "state": _key_state(key, now),
            "active": key.is_usable(now),
            "revocable": key.revoked_at is None and key.expires_at > now,
            "permission_labels": [Permission(value).label for value in key.permissions],
        }
        for key in selectors.api_keys_of_tenant(principal=principal)
    ]
    review = [
        {
            "key": key,
            "reason": ApiKey.SuspensionReason(key.suspension_reason).label,
            "permission_labels": [Permission(value).label for value in key.permissions],
        }
        for key in selectors.api_keys_awaiting_review(principal=principal)
    ]
    return {
        "rows": rows,
        "form": form,
        "review": review,
        "can_confirm": principal.has(Permission.API_KEYS_CONFIRM),
    }


@requires(Permission.API_KEYS_MANAGE)
@never_cache
@require_http_methods(["GET", "POST"])
def api_key_create(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        # A reload or a bookmark of the page that showed a new key: back to the list (the key
        # itself is shown once and never again).
        return redirect("tenancy:api-keys")
    principal = _principal(request)
    form = ApiKeyForm(request.POST, permissions=principal.permissions)
    if form.is_valid():
        data = form.cleaned_data
        try:
            created = services.api_key_create(
                principal=principal,
                name=data["name"],
                permissions=[Permission(value) for value in data["permissions"]],
                expires_at=timezone.now() + timedelta(days=data["lifetime_days"]),
                request=request,
            )
        except TenancyError as exc:
            _form_error(form, exc)
        else:
            context = {"api_key": created.api_key, "token": created.token}
            return _render(request, "api_key_created.html", context, status=201)
    return _render(request, "api_keys.html", _api_keys_context(principal, form), status=400)


@requires(Permission.API_KEYS_MANAGE)
@require_http_methods(["GET", "POST"])
def api_key_revoke(request: HttpRequest, api_key_id: int) -> HttpResponse:
    principal = _principal(request)
    api_key = access_api_key_by_id(principal, api_key_id, for_write=True)
    if request.method == "POST":
        try:
            services.api_key_revoke(principal=principal, api_key=api_key, request=request)
        except TenancyError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request, _("The API key %(key)s has been revoked.") % {"key": api_key.prefix}
            )
        return redirect("tenancy:api-keys")
    return _render(request, "api_key_revoke.html", {"api_key": api_key})


@requires(Permission.API_KEYS_CONFIRM)
@require_POST
def api_key_confirm(request: HttpRequest, api_key_id: int) -> HttpResponse:
    principal = _principal(request)
    api_key = access_api_key_by_id(principal, api_key_id, for_write=True)
    try:
        services.api_key_confirm(principal=principal, api_key=api_key, request=request)
    except TenancyError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("The API key %(key)s works again and now answers for you.") % {"key": api_key.prefix},
        )
    return redirect("tenancy:api-keys")


# --- the permission matrix ---------------------------------------------------------------------


@requires(Permission.PERMISSIONS_VIEW)
@require_safe
def permissions(request: HttpRequest) -> HttpResponse:
    context = {
        "roles": [(role.value, role.label) for role in Role],
        "rows": [
            {"code": perm.value, "label": perm.label, "cells": cells}
            for perm, cells in matrix_rows()
        ],
    }
    return _render(request, "permissions.html", context)
