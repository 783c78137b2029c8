"""django-ninja authentication for the API, built from each operation's access declaration.

``PrincipalMiddleware`` has already said who is calling (``request.principal``) and how
(``request.auth_via``: ``"api_key"``, ``"session"`` or ``""``); a malformed, unknown or revoked
bearer token never gets this far (401 ``invalid_api_key``). django-ninja runs an operation's
``auth=`` callbacks before it parses the path, query or body, so deciding access here means:

- anonymous, or the wrong kind of credential for the operation: 401 ``not_authenticated``;
- a session on an unsafe method without its ``X-CSRFToken`` header: 403 ``csrf_failed``;
- a principal whose level (or key) lacks the permission: 403 ``permission_denied``, audited;
- a malformed multipart body met by the CSRF check: 400 ``malformed_body``;

each before any 422 could reveal what a valid body looks like. The two classes are also the
security schemes the OpenAPI document publishes (``ApiKeyBearer``; ``SessionCookie`` with
``CsrfToken`` on unsafe methods), so the document states exactly what each operation takes.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer
from ninja.security.base import SecuritySchema

from logitrack.tenancy.access import SAFE_METHODS, AccessRule, admit, principal_of
from logitrack.tenancy.principal import Principal

CSRF_HEADER = "X-CSRFToken"


class ApiKeyBearer(HttpBearer):
    """``Authorization: Bearer lt_<prefix>_<secret>``: a partner's API key, for ``requires()``."""

    openapi_bearerFormat = "lt_<prefix>_<secret>"
    openapi_description = "An API key created by a company owner or admin (Settings, API keys)."

    def __init__(self, rule: AccessRule) -> None:
        self.rule = rule
        super().__init__()

    def authenticate(self, request: HttpRequest, token: str) -> Principal | None:
        principal = principal_of(request)
        if getattr(request, "auth_via", "") != "api_key" or principal.api_key_id is None:
            return None
        return admit(request, principal, self.rule)

    def security_requirement(self, methods: list[str]) -> dict[str, SecuritySchema]:
        return {type(self).__name__: self.openapi_security_schema}


class SessionCookie(APIKeyCookie):
    """The signed-in person's session cookie; unsafe methods also need the CSRF header.

    ninja's own cookie check would demand the CSRF token before looking for a session, answering
    403 to a caller who has none; here a caller without a session gets 401 like any anonymous
    one, and the CSRF token is checked only for a real session.
    """

    param_name = settings.SESSION_COOKIE_NAME
    openapi_description = "The session of a person signed in on the web pages."

    def __init__(self, rule: AccessRule) -> None:
        self.rule = rule
        super().__init__(csrf=False)

    def authenticate(self, request: HttpRequest, key: str | None) -> Principal | None:
        principal = principal_of(request)
        via = getattr(request, "auth_via", "")
        if via == "api_key" and self.rule.kind != "permission":
            # A valid key on an operation for a person: keys act for a company, never as a
            # person, so this is a refusal (403), not a missing credential (401).
            return admit(request, principal, self.rule)
        if via != "session" or principal.user is None:
            return None
        return admit(request, principal, self.rule)

    def security_requirement(self, methods: list[str]) -> dict[str, SecuritySchema]:
        requirement = {type(self).__name__: self.openapi_security_schema}
        if not SAFE_METHODS.issuperset(method.upper() for method in methods):
            # Django's CSRF protection is a double submit: the cookie and the header it matches.
            requirement["CsrfCookie"] = SecuritySchema(
                type="apiKey",
                name=settings.CSRF_COOKIE_NAME,
                description="The CSRF cookie the web pages set; goes with the CsrfToken header.",
                **{"in": "cookie"},
            )
            requirement["CsrfToken"] = SecuritySchema(
                type="apiKey",
                name=CSRF_HEADER,
                description=(
                    "The CSRF token, required with the session cookie on POST, PUT, PATCH and "
                    "DELETE (the value of the CSRF cookie, or a masked form of it)."
                ),
                **{"in": "header"},
            )
        return requirement


def auth_for(rule: AccessRule) -> list[ApiKeyBearer | SessionCookie] | None:
    """The ``auth=`` of an operation declaring ``rule``: None (no credential) for public ones.

    API keys act for a company, not a person, so operations for a signed-in person
    (``signed_in``, ``platform_staff``) take only the session.
    """
    if rule.kind == "public":
        return None
    if rule.kind == "permission":
        return [ApiKeyBearer(rule), SessionCookie(rule)]
    return [SessionCookie(rule)]


__all__ = ["ApiKeyBearer", "SessionCookie", "auth_for"]
