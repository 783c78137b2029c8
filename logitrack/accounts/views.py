"""Account pages: sign-in and sign-out, password reset, e-mail verification and one's own profile.

Views parse the form, call a service, and render; the services decide and write.
"""

from __future__ import annotations

from typing import Any, Literal, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.i18n import set_language

from logitrack.accounts import services, sessions
from logitrack.accounts.errors import (
    AccountError,
    InvalidDateOfBirth,
    InvalidFullName,
    InvalidLanguage,
    InvalidPhone,
    InvalidResetLink,
    InvalidTimeZone,
    InvalidVerificationLink,
    PasswordRejected,
    SessionNotFound,
    UnderMinimumAge,
    WrongPassword,
)
from logitrack.accounts.forms import (
    LoginForm,
    NewPasswordForm,
    PasswordChangeForm,
    PasswordResetRequestForm,
    ProfileForm,
)
from logitrack.accounts.models import User
from logitrack.core.errors import NotFound
from logitrack.core.referrer import keep_token_on_site
from logitrack.security import throttle
from logitrack.security.actors import Actor
from logitrack.tenancy.access import principal_of, public, signed_in

SameSite = Literal["Lax", "Strict", "None"]
RESET_TOKEN_SESSION_KEY = "_lt_reset_token"  # noqa: S105 (a session key name, not a secret)
_NOTICES = {
    "session_expired": lambda: _("Your session has ended. Please sign in again."),
}


def _me(request: HttpRequest) -> User:
    user = principal_of(request).user
    assert user is not None, "signed_in() lets only signed-in people through"
    return user


def set_language_cookie(response: HttpResponseBase, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=cast(SameSite, settings.LANGUAGE_COOKIE_SAMESITE),
    )


# --- sign-in and sign-out ----------------------------------------------------------------------


@method_decorator(public("people sign in here"), name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        notice = self.request.session.pop(sessions.NOTICE_KEY, None)
        if isinstance(notice, str) and notice in _NOTICES:
            context["notice"] = _NOTICES[notice]()
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Rate limits first (docs/adr/0012): every attempt from this address, then the
        account's failure ceiling across addresses; django-axes then counts (e-mail, address)."""
        email = str(request.POST.get("username", ""))
        refused = throttle.hit(request, "signin.ip", throttle.ip_key(request))
        refused = refused or throttle.signin_ceiling(request, email)
        if refused is not None:
            return throttle.throttled_response(request, refused)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        email = str(self.request.POST.get("username", ""))
        if email.strip():
            throttle.signin_failed(self.request, email)
        return super().form_invalid(form)

    def form_valid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        # Django's login() rotates the session key; the user_logged_in receiver records the
        # session and the audit entry (accounts.sessions.session_started).
        response = super().form_valid(form)
        user = form.get_user()
        if isinstance(user, User):
            set_language_cookie(response, user.language)
            throttle.remember_address(self.request, user.email)
        return response


@public("signing out must work in every state")
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("You have signed out."))
    return redirect(settings.LOGOUT_REDIRECT_URL)


@public("anyone may choose the language of the pages; a signed-in person's choice is saved")
def language_choose(request: HttpRequest) -> HttpResponseBase:
    """Django's ``set_language`` (cookie and redirect), and for a signed-in person the profile too.

    The sign-in page sets the language cookie from the profile, so a choice kept only in the
    cookie would be undone by signing out and in again. An unknown language changes nothing.
    """
    response = set_language(request)
    user = principal_of(request).user
    language = request.POST.get("language", "") if request.method == "POST" else ""
    if user is not None and language in dict(settings.LANGUAGES) and user.language != language:
        services.user_update_profile(
            actor=Actor.user(user), user=user, language=language, request=request
        )
    return response


# --- password reset ----------------------------------------------------------------------------


@public("people who forgot their password ask for a reset link here")
@require_http_methods(["GET", "HEAD", "POST"])
@throttle.throttle(
    throttle.per_ip("password_reset.ip"), throttle.per_posted_email("password_reset.account")
)
def password_reset_request(request: HttpRequest) -> HttpResponse:
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.password_reset_request(email=form.cleaned_data["email"], request=request)
        return redirect("accounts:password_reset_sent")
    return render(request, "accounts/password_reset_request.html", {"form": form})


@public("the same answer for everyone, whether or not the address has an account")
@require_safe
def password_reset_sent(request: HttpRequest) -> HttpResponse:
    context = {"reset_minutes": settings.PASSWORD_RESET_TIMEOUT // 60}
    return render(request, "accounts/password_reset_sent.html", context)


def _reset_link_invalid(request: HttpRequest) -> HttpResponse:
    request.session.pop(RESET_TOKEN_SESSION_KEY, None)
    context = {"message": InvalidResetLink.message}
    return render(request, "accounts/password_reset_invalid.html", context, status=400)


@public("the link in a password reset e-mail; the signed token is the credential")
@require_safe
def password_reset_confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """Check the link, then move the token out of the address bar into the session.

    The page that asks for the new password then has no token in its URL to leak via the
    browser history or a Referer header.
    """
    try:
        services.password_reset_user(uidb64=uidb64, token=token, request=request)
    except InvalidResetLink:
        return keep_token_on_site(_reset_link_invalid(request))
    request.session[RESET_TOKEN_SESSION_KEY] = token
    return keep_token_on_site(redirect("accounts:password_reset_set", uidb64=uidb64))


@public("choosing a new password through a checked reset link")
@require_http_methods(["GET", "HEAD", "POST"])
def password_reset_set(request: HttpRequest, uidb64: str) -> HttpResponse:
    token = request.session.get(RESET_TOKEN_SESSION_KEY)
    if not isinstance(token, str):
        return _reset_link_invalid(request)
    form = NewPasswordForm(request.POST or None)
    try:
        if request.method == "POST" and form.is_valid():
            services.password_reset_complete(
                uidb64=uidb64,
                token=token,
                password=form.cleaned_data["new_password1"],
                request=request,
            )
            request.session.pop(RESET_TOKEN_SESSION_KEY, None)
            messages.success(
                request, _("Your password has been changed. Sign in with your new password.")
            )
            return redirect(settings.LOGIN_URL)
        if request.method != "POST":
            services.password_reset_user(uidb64=uidb64, token=token, request=request)
    except InvalidResetLink:
        return _reset_link_invalid(request)
    except PasswordRejected as exc:
        for message in exc.messages:
            form.add_error("new_password1", message)
    return render(request, "accounts/password_reset_set.html", {"form": form})


# --- e-mail verification -----------------------------------------------------------------------


@public("the link in a verification e-mail; the signed token is the credential")
@require_safe
def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    # The token is in the address: keep it on this site, and keep the page's forms (language,
    # sign-out) posting a real Origin (core/referrer.py).
    try:
        services.email_verify(token=token, request=request)
    except InvalidVerificationLink as exc:
        context = {"ok": False, "message": str(exc)}
        return keep_token_on_site(
            render(request, "accounts/verify_email.html", context, status=400)
        )
    return keep_token_on_site(render(request, "accounts/verify_email.html", {"ok": True}))


def _own_account_key(request: HttpRequest) -> str | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return throttle.account_key(str(user.email))


@signed_in("a person asks for a new link to verify their own address")
@require_POST
@throttle.throttle(
    throttle.per_ip("verification_resend.ip"),
    throttle.Rule("verification_resend.account", _own_account_key),
)
def verify_email_resend(request: HttpRequest) -> HttpResponse:
    user = _me(request)
    if services.email_verification_send(actor=Actor.user(user), user=user):
        messages.success(request, _("We sent a new verification link to your email address."))
    else:
        messages.info(request, _("Your email address is already verified."))
    return redirect("accounts:profile")


# --- own profile -------------------------------------------------------------------------------

_PROFILE_ERRORS: dict[type[AccountError], str] = {
    InvalidFullName: "full_name",
    InvalidPhone: "phone",
    InvalidLanguage: "language",
    InvalidTimeZone: "time_zone",
    InvalidDateOfBirth: "date_of_birth",
}


# The profile's second step when the date of birth entered is under 16 (policy section 9).
CONFIRM_UNDER_16 = "confirm_under_16"


@signed_in("a person edits their own profile")
@require_http_methods(["GET", "HEAD", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = _me(request)
    initial = {
        "full_name": user.full_name,
        "phone": getattr(user, "phone", "") or "",
        "language": user.language,
        "time_zone": user.time_zone,
        "date_of_birth": getattr(user, "date_of_birth", None),
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update_profile(
                actor=Actor.user(user),
                user=user,
                full_name=form.cleaned_data["full_name"],
                phone=form.cleaned_data["phone"],
                language=form.cleaned_data["language"],
                time_zone=form.cleaned_data["time_zone"],
                date_of_birth=form.cleaned_data.get("date_of_birth"),
                request=request,
            )
        except UnderMinimumAge:
            if not request.POST.get(CONFIRM_UNDER_16):
                # A mistyped year must not suspend the account and erase it: the person sees
                # what the date means and confirms it before anything happens.
                form.fields[CONFIRM_UNDER_16] = forms.BooleanField(
                    label=_(
                        "The date is right: I am under 16. Suspend my account and erase its data."
                    ),
                    required=False,
                )
                form.add_error(
                    "date_of_birth",
                    _(
                        "By this date you are under 16: Logitrack would suspend your account at "
                        "once and erase its data. Check the year; if the date is right, tick the "
                        "box below and save again."
                    ),
                )
            else:
                # Policy section 9: the same path as a report that the person is under 16.
                from logitrack.privacy.erasure.services.children import underage_date_of_birth

                underage_date_of_birth(actor=Actor.user(user), user=user, request=request)
                logout(request)
                contact = {"privacy_contact": settings.LOGITRACK_PRIVACY_CONTACT_EMAIL}
                return render(request, "accounts/suspended_under_16.html", contact, status=403)
        except AccountError as exc:
            form.add_error(_PROFILE_ERRORS.get(type(exc)), str(exc))
        else:
            translation.activate(user.language)
            messages.success(request, _("Your profile has been saved."))
            response = redirect("accounts:profile")
            set_language_cookie(response, user.language)
            return response
    context = {"form": form, "account": user, "section": "profile"}
    return render(request, "accounts/profile.html", context)


@signed_in("a person changes their own password")
@require_http_methods(["GET", "HEAD", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    user = _me(request)
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_change_password(
                actor=Actor.user(user),
                user=user,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password1"],
                request=request,
            )
        except WrongPassword as exc:
            form.add_error("current_password", str(exc))
        except PasswordRejected as exc:
            for message in exc.messages:
                form.add_error("new_password1", message)
        else:
            messages.success(
                request,
                _("Your password has been changed. Your other sessions have been signed out."),
            )
            return redirect("accounts:profile")
    return render(request, "accounts/password_change.html", {"form": form, "section": "password"})


@signed_in("a person lists their own sessions")
@require_safe
def session_list(request: HttpRequest) -> HttpResponse:
    user = _me(request)
    context = {
        "user_sessions": list(sessions.sessions_of_user(user=user)),
        "current_hash": sessions.current_key_hash(request),
        "section": "sessions",
    }
    return render(request, "accounts/sessions.html", context)


@signed_in("a person ends one of their own sessions")
@require_POST
def session_revoke(request: HttpRequest, session_id: int) -> HttpResponse:
    user = _me(request)
    try:
        sessions.session_revoke(
            actor=Actor.user(user), user=user, session_id=session_id, request=request
        )
    except SessionNotFound as exc:
        # Someone else's session and a missing one answer the same 404 (no id probing).
        raise NotFound(exc.code) from exc
    messages.success(request, _("The session has been signed out."))
    return redirect("accounts:sessions")


@signed_in("a person ends all their other sessions")
@require_POST
def session_revoke_others(request: HttpRequest) -> HttpResponse:
    user = _me(request)
    ended = sessions.sessions_revoke_others(
        actor=Actor.user(user),
        user=user,
        keep_key_hash=sessions.current_key_hash(request),
        request=request,
    )
    messages.success(request, _("Other sessions signed out: %(count)d.") % {"count": ended})
    return redirect("accounts:sessions")
