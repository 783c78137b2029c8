"""The access layer's smaller promises: declarations made at run time, invitation links at the
edges of their length, the audit of refused links and keys, and exact error codes."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.utils import timezone, translation
from django.views import View
from freezegun import freeze_time

from logitrack.core.errors import NotFound
from logitrack.core.models import GLOBAL_MODELS, register_global_model
from logitrack.core.tenant import tenant_context
from logitrack.core.testing import HttpsClient
from logitrack.security.actors import Actor
from logitrack.security.models import AuditEntry
from logitrack.tenancy.access import (
    AccessRule,
    access_api_key_by_id,
    access_invitation_by_id,
    access_invitation_by_token,
    access_membership_by_id,
    access_rule_of,
    declare_public,
    platform_staff,
    principal_of,
    public,
    requires,
    signed_in,
)
from logitrack.tenancy.api_keys import (
    LAST_USED_GRANULARITY,
    MAX_LIFETIME,
    _refusal,
    api_key_create,
    api_key_revoke,
    authenticate_bearer,
)
from logitrack.tenancy.errors import (
    ApiKeyNeedsPerson,
    InvalidApiKeyName,
    InvalidExpiry,
    InvitationInvalid,
)
from logitrack.tenancy.models import ApiKey, Invitation
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Permission, Role, matrix_rows
from logitrack.tenancy.services import invitation_token_hash, membership_invite
from logitrack.tenancy.tests.factories import (
    bearer,
    make_api_key,
    make_member,
    make_tenant,
    make_user,
    principal_for,
)

pytestmark = pytest.mark.django_db
P = Permission


def _row(entry: AuditEntry) -> tuple[object, ...]:
    return (
        entry.action,
        entry.actor_kind,
        entry.actor_pseudonym,
        entry.tenant_id,
        entry.object_type,
        entry.object_id,
        entry.details,
        entry.ip,
    )


def _last(action: str) -> AuditEntry:
    return AuditEntry.objects.filter(action=action).order_by("-sequence")[0]


# --- declarations made at run time -------------------------------------------------------------


def _view(request: HttpRequest, value: int = 0) -> HttpResponse:
    """A view that says it ran."""
    return HttpResponse(f"ran {value}")


def _api_request(principal: Principal) -> Any:
    request: Any = RequestFactory().get("/api/v1/anything")
    request.principal = principal
    request.auth_via = "api_key"
    return request


def test_a_permission_declaration_lets_holders_through_and_refuses_others() -> None:
    owner = make_member(make_tenant(), Role.OWNER)
    viewer = make_member(owner.tenant, Role.VIEWER)
    guarded = requires(P.TENANT_MANAGE)(_view)

    allowed = guarded(_api_request(principal_for(owner)), value=7)
    refused = guarded(_api_request(principal_for(viewer)), value=7)
    anonymous = guarded(_api_request(Principal.anonymous()), value=7)

    assert (allowed.status_code, allowed.content) == (200, b"ran 7")
    assert refused.status_code == 403
    assert json.loads(refused.content)["error"]["code"] == "permission_denied"
    assert anonymous.status_code == 401
    assert access_rule_of(guarded) == AccessRule(kind="permission", permission=P.TENANT_MANAGE)
    assert guarded.__wrapped__ is _view  # type: ignore[attr-defined]
    signature = guarded.__signature__  # type: ignore[attr-defined]
    assert signature.parameters["value"].annotation is int


def test_a_view_cannot_declare_its_access_twice() -> None:
    guarded = signed_in("own profile")(_view)

    with pytest.raises(TypeError, match=r"already declares its access$"):
        requires(P.TENANT_VIEW)(guarded)
    with pytest.raises(TypeError, match=r"already declares its access$"):
        public("anyone")(guarded)


def test_a_view_annotated_only_for_type_checkers_can_still_be_declared() -> None:
    def typed_later(request: HttpRequest, value: Unknowable) -> HttpResponse:  # type: ignore[name-defined]  # noqa: F821
        return HttpResponse("ran")

    guarded = signed_in("own profile")(typed_later)

    assert access_rule_of(guarded) == AccessRule(kind="signed_in", reason="own profile")


def test_signed_in_and_platform_declarations_record_their_rule() -> None:
    person = signed_in("own profile")(_view)
    staff = platform_staff("privacy_officer")(_view)
    someone = make_member(make_tenant(), Role.OWNER)

    assert access_rule_of(person) == AccessRule(kind="signed_in", reason="own profile")
    assert access_rule_of(staff) == AccessRule(kind="platform", platform_role="privacy_officer")
    assert person(_api_request(principal_for(someone))).status_code == 200
    assert staff(_api_request(principal_for(someone))).status_code == 403
    assert person(_api_request(Principal.anonymous())).status_code == 401


def _staff(email: str, role: str, *, active: bool = True) -> Any:
    person = make_user(email=email)
    person.platform_role = role
    person.is_active = active
    person.save(update_fields=["platform_role", "is_active"])
    return person


def test_a_platform_declaration_lets_its_own_staff_role_through_and_no_other() -> None:
    staff = platform_staff("privacy_officer")(_view)
    officer = _staff("privacy@logitrack.vn", "privacy_officer")
    other_officer = _staff("security@logitrack.vn", "security_officer")
    former = _staff("former@logitrack.vn", "privacy_officer", active=False)

    allowed = staff(_api_request(Principal.for_user_without_tenant(officer)), value=5)
    refused = staff(_api_request(Principal.for_user_without_tenant(other_officer)), value=5)
    inactive = staff(_api_request(Principal.for_user_without_tenant(former)), value=5)

    assert (allowed.status_code, allowed.content) == (200, b"ran 5")
    assert refused.status_code == 403
    assert inactive.status_code == 403


class _Wrapper:
    """A decorator's result that keeps ``__wrapped__``, as ``functools.wraps`` does."""

    def __init__(self, wrapped: object) -> None:
        self.__wrapped__ = wrapped


def _wrapped(view: object, times: int) -> object:
    for _ in range(times):
        view = _Wrapper(view)
    return view


def test_a_declaration_is_found_through_twenty_wrappers_at_most_and_a_cycle_ends_the_search() -> (
    None
):
    declared = signed_in("own profile")(_view)
    rule = AccessRule(kind="signed_in", reason="own profile")
    first, second = _Wrapper(None), _Wrapper(None)
    first.__wrapped__, second.__wrapped__ = second, first

    assert access_rule_of(_wrapped(declared, 19)) == rule
    assert access_rule_of(_wrapped(declared, 20)) is None
    assert access_rule_of(first) is None


def test_a_class_based_view_marked_public_is_found_through_as_view() -> None:
    class ThirdPartyPage(View):
        def get(self, request: HttpRequest) -> HttpResponse:
            return HttpResponse("page")

    declare_public(ThirdPartyPage, "a third-party page")
    rule = AccessRule(kind="public", reason="a third-party page")

    assert access_rule_of(ThirdPartyPage.as_view()) == rule
    assert access_rule_of(_Wrapper(ThirdPartyPage.as_view())) == rule
    assert access_rule_of(View.as_view()) is None


def test_a_request_without_a_principal_is_anonymous() -> None:
    bare: Any = RequestFactory().get("/")
    forged: Any = RequestFactory().get("/")
    forged.principal = "owner"

    assert principal_of(bare) == Principal.anonymous()
    assert principal_of(forged) == Principal.anonymous()


def test_a_declared_view_tells_an_anonymous_json_client_how_to_authenticate() -> None:
    guarded = requires(P.TENANT_VIEW)(_view)

    with translation.override("en"):
        response = guarded(_api_request(Principal.anonymous()))

    assert response.status_code == 401
    assert json.loads(response.content) == {
        "error": {"code": "not_authenticated", "message": "Sign in or send a valid API key."}
    }


def _session_post(principal: Principal, **extra: Any) -> Any:
    """A POST to a page by a signed-in person, as a JSON client sends it."""
    request: Any = RequestFactory().post(
        "/settings/company/", {"name": "An Phú"}, HTTP_ACCEPT="application/json", **extra
    )
    request.principal = principal
    request.auth_via = "session"
    return request


def test_a_session_post_without_its_csrf_token_is_refused_with_the_reason() -> None:
    owner = make_member(make_tenant(), Role.OWNER)
    guarded = requires(P.TENANT_VIEW)(_view)

    with translation.override("en"):
        response = guarded(_session_post(principal_for(owner)))

    assert response.status_code == 403
    assert json.loads(response.content) == {
        "error": {"code": "csrf_failed", "message": "The CSRF token is missing or wrong."}
    }


def test_a_form_already_read_and_checked_by_the_csrf_middleware_goes_through() -> None:
    owner = make_member(make_tenant(), Role.OWNER)
    guarded = requires(P.TENANT_VIEW)(_view)
    request = _session_post(principal_for(owner))
    assert request.POST["name"] == "An Phú"  # the middleware read the multipart body
    request.csrf_processing_done = True

    response = guarded(request, value=3)

    assert (response.status_code, response.content) == (200, b"ran 3")


def test_each_rule_describes_itself_for_the_audit() -> None:
    assert AccessRule(kind="permission", permission=P.TENANT_MANAGE).describe() == (
        "requires tenant.manage"
    )
    assert AccessRule(kind="platform", platform_role="privacy_officer").describe() == (
        "platform staff: privacy_officer"
    )
    assert AccessRule(kind="signed_in", reason="own profile").describe() == (
        "signed_in: own profile"
    )
    assert AccessRule(kind="public", reason="the landing page").describe() == (
        "public: the landing page"
    )


def test_a_refusal_is_audited_with_the_rule_that_refused() -> None:
    viewer = make_member(make_tenant(), Role.VIEWER)
    needs_manage = requires(P.TENANT_MANAGE)(_view)
    staff_only = platform_staff("security_officer")(_view)

    needs_manage(_api_request(principal_for(viewer)))
    first = _last("authz_fail")
    staff_only(_api_request(principal_for(viewer)))
    second = _last("authz_fail")

    assert (first.tenant_id, first.details) == (
        viewer.tenant_id,
        {"rule": "requires tenant.manage"},
    )
    # The refused request itself is recorded: where it came from, not an empty address.
    assert first.ip
    assert first.ip == second.ip
    assert (second.tenant_id, second.details) == (
        viewer.tenant_id,
        {"rule": "platform staff: security_officer"},
    )


def test_a_public_declaration_needs_a_reason_and_lets_anyone_through() -> None:
    open_view = public("the landing page")(_view)

    with pytest.raises(ValueError, match=r"^a public view needs a reason$"):
        public("   ")(_view)
    assert open_view(_api_request(Principal.anonymous())).status_code == 200
    assert access_rule_of(open_view) == AccessRule(kind="public", reason="the landing page")


def test_declaring_a_third_party_view_public_marks_it_without_wrapping() -> None:
    def third_party(request: HttpRequest) -> HttpResponse:
        return HttpResponse("theirs")

    with pytest.raises(ValueError, match=r"^a public view needs a reason$"):
        declare_public(third_party, " ")
    assert access_rule_of(third_party) is None

    marked = declare_public(third_party, "Django's own sign-out")

    assert marked is third_party
    assert access_rule_of(marked) == AccessRule(kind="public", reason="Django's own sign-out")


def test_a_global_model_is_registered_lowercased_with_its_reason() -> None:
    with pytest.raises(ValueError, match=r"^a global model needs a reason$"):
        register_global_model("Tests.Refused", "  ")
    assert "tests.refused" not in GLOBAL_MODELS

    register_global_model("Tests.Thing", "a fixture of this test")
    try:
        assert GLOBAL_MODELS["tests.thing"] == "a fixture of this test"
    finally:
        del GLOBAL_MODELS["tests.thing"]


def test_the_matrix_rows_mark_the_levels_that_hold_each_permission() -> None:
    rows = dict(matrix_rows())

    assert rows[P.OWNERS_MANAGE] == [True, False, False, False, False, False, False]
    assert rows[P.TENANT_VIEW] == [True] * 7
    assert rows[P.DRIVER_TASKS] == [True, True, False, False, True, False, False]


def test_the_api_says_how_to_authenticate_in_the_request_language() -> None:
    response = HttpsClient().get("/api/v1/tenant", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 401
    assert response.json()["error"] == {
        "code": "not_authenticated",
        "message": "Sign in or send a valid API key.",
    }


# --- objects through access_* ------------------------------------------------------------------


def test_access_functions_refuse_a_principal_without_the_permission_with_their_own_code() -> None:
    owner = make_member(make_tenant(), Role.OWNER)
    dispatcher = make_member(owner.tenant, Role.DISPATCHER)
    key = make_api_key(owner, {P.TENANT_VIEW})
    with tenant_context(owner.tenant):
        invitation = membership_invite(
            principal=principal_for(owner), email="lan@example.vn", role="viewer"
        ).invitation

        with pytest.raises(NotFound) as not_invitation:
            access_invitation_by_id(principal_for(dispatcher), invitation.pk, for_write=True)
        with pytest.raises(NotFound) as not_key:
            access_api_key_by_id(principal_for(dispatcher), key.api_key.pk)
        found = access_invitation_by_id(principal_for(owner), invitation.pk)

    assert not_invitation.value.code == "invitation_not_found"
    assert not_key.value.code == "api_key_not_found"
    with tenant_context(owner.tenant):
        Invitation.objects.filter(pk=invitation.pk).update(revoked_at=timezone.now())
        with pytest.raises(NotFound):
            access_invitation_by_id(principal_for(owner), invitation.pk)
        Invitation.objects.filter(pk=invitation.pk).update(
            revoked_at=None, accepted_at=timezone.now()
        )
        with pytest.raises(NotFound):
            access_invitation_by_id(principal_for(owner), invitation.pk)
    assert not_key.value.code == "api_key_not_found"
    assert found.pk == invitation.pk


def test_a_membership_is_read_with_members_view_and_changed_only_with_members_manage() -> None:
    owner = make_member(make_tenant(), Role.OWNER)
    dispatcher = make_member(owner.tenant, Role.DISPATCHER)
    driver = make_member(owner.tenant, Role.DRIVER)

    with tenant_context(owner.tenant):
        read = access_membership_by_id(principal_for(dispatcher), owner.pk)
        with pytest.raises(NotFound) as not_for_change:
            access_membership_by_id(principal_for(dispatcher), owner.pk, for_write=True)
        with pytest.raises(NotFound) as not_for_reading:
            access_membership_by_id(principal_for(driver), owner.pk)
        changed = access_membership_by_id(principal_for(owner), dispatcher.pk, for_write=True)

    assert (read.pk, changed.pk) == (owner.pk, dispatcher.pk)
    assert not_for_change.value.code == "membership_not_found"
    assert not_for_reading.value.code == "membership_not_found"


def test_a_membership_comes_with_its_person_and_company_in_one_query(
    django_assert_num_queries: Any,
) -> None:
    owner = make_member(make_tenant(), Role.OWNER)

    with tenant_context(owner.tenant), django_assert_num_queries(1):
        found = access_membership_by_id(principal_for(owner), owner.pk)
        seen = (found.user.email, found.tenant.name)

    assert seen == (owner.user.email, owner.tenant.name)


def _invitation_with_token(token: str, **fields: Any) -> Invitation:
    owner = make_member(make_tenant(), Role.OWNER)
    with tenant_context(owner.tenant):
        invitation: Invitation = Invitation.objects.create(
            email="lan@example.vn",
            role=Role.VIEWER,
            token_hash=invitation_token_hash(token),
            invited_by=owner.user,
            expires_at=timezone.now() + timedelta(days=7),
            **fields,
        )
    return invitation


@pytest.mark.parametrize(("length", "works"), [(19, False), (20, True), (100, True), (101, False)])
def test_an_invitation_token_is_looked_up_only_between_20_and_100_characters(
    length: int, works: bool
) -> None:
    token = "t" * length
    invitation = _invitation_with_token(token)

    if works:
        assert access_invitation_by_token(Principal.anonymous(), token).pk == invitation.pk
    else:
        with pytest.raises(InvitationInvalid):
            access_invitation_by_token(Principal.anonymous(), token)


def test_a_short_token_is_refused_and_audited_without_a_tenant() -> None:
    request = RequestFactory().get("/invitations/x/", REMOTE_ADDR="198.51.100.7")

    with pytest.raises(InvitationInvalid):
        access_invitation_by_token(Principal.anonymous(), "short", request=request)

    assert _row(_last("authz_fail")) == (
        "authz_fail", "anonymous", "", None, "invitation", "",
        {"reason": "invitation_link_invalid"}, "198.51.100.7",
    )  # fmt: skip


def test_an_expired_link_is_refused_and_audited_with_its_invitation() -> None:
    token = "e" * 43
    invitation = _invitation_with_token(token)
    Invitation.dangerously_unscoped.filter(pk=invitation.pk).update(
        created_at=timezone.now() - timedelta(days=9), expires_at=timezone.now()
    )
    request = RequestFactory().get("/invitations/x/", REMOTE_ADDR="198.51.100.7")

    with pytest.raises(InvitationInvalid):
        access_invitation_by_token(Principal.anonymous(), token, request=request)

    assert _row(_last("authz_fail")) == (
        "authz_fail", "anonymous", "", invitation.tenant_id, "invitation", str(invitation.pk),
        {"reason": "invitation_link_invalid"}, "198.51.100.7",
    )  # fmt: skip


# --- API keys: refusals and revocation, as audited ---------------------------------------------


def test_a_malformed_token_is_refused_and_audited_without_a_key() -> None:
    response = HttpsClient().get(
        "/api/v1/tenant", headers=bearer("not-a-token"), REMOTE_ADDR="198.51.100.7"
    )

    assert response.status_code == 401
    assert _row(_last("authn_token_invalid")) == (
        "authn_token_invalid", "anonymous", "", None, "api_key", "", {"reason": "malformed"},
        "198.51.100.7",
    )  # fmt: skip


def test_an_unknown_key_is_refused_and_audited_as_unknown() -> None:
    response = HttpsClient().get(
        "/api/v1/tenant", headers=bearer("lt_abcdefgh_" + "A" * 43), REMOTE_ADDR="198.51.100.7"
    )

    assert response.status_code == 401
    assert _row(_last("authn_token_invalid"))[3:] == (
        None, "api_key", "", {"reason": "unknown"}, "198.51.100.7",
    )  # fmt: skip


def test_using_a_revoked_key_is_audited_as_reuse_by_that_key() -> None:
    owner = make_member(make_tenant(), Role.OWNER)
    key = make_api_key(owner, {P.TENANT_VIEW})
    ApiKey.dangerously_unscoped.filter(pk=key.api_key.pk).update(revoked_at=timezone.now())

    HttpsClient().get("/api/v1/tenant", headers=bearer(key.token), REMOTE_ADDR="198.51.100.7")

    actor = Actor.api_key(key.api_key.pk)
    assert _row(_last("authn_token_reuse")) == (
        "authn_token_reuse", actor.kind, actor.pseudonym, owner.tenant_id, "api_key",
        str(key.api_key.pk), {"reason": "revoked"}, "198.51.100.7",
    )  # fmt: skip


def test_a_key_of_a_terminated_company_is_audited_as_such() -> None:
    owner = make_member(make_tenant(), Role.OWNER)
    key = make_api_key(owner, {P.TENANT_VIEW})
    type(owner.tenant).objects.filter(pk=owner.tenant_id).update(
        status="terminated", terminated_at=timezone.now()
    )

    response = HttpsClient().get("/api/v1/tenant", headers=bearer(key.token))

    assert response.status_code == 401
    assert _last("authn_token_invalid").details == {"reason": "tenant_terminated"}


def test_a_key_stops_working_at_its_expiry_instant() -> None:
    owner = make_member(make_tenant(), Role.OWNER)
    key = make_api_key(owner, {P.TENANT_VIEW})
    row = ApiKey.dangerously_unscoped.select_related("tenant").get(pk=key.api_key.pk)

    assert _refusal(row, key.token, row.expires_at) == "expired"
    assert _refusal(row, key.token, row.expires_at - timedelta(microseconds=1)) is None


def test_revoking_a_key_is_audited_with_who_which_key_and_where() -> None:
    owner = make_member(make_tenant(), Role.OWNER)
    key = make_api_key(owner, {P.TENANT_VIEW})
    request = RequestFactory().delete("/api/v1/api-keys/1", REMOTE_ADDR="198.51.100.7")

    with tenant_context(owner.tenant):
        api_key_revoke(principal=principal_for(owner), api_key=key.api_key, request=request)

    me = Actor.user(owner.user)
    assert _row(_last("authn_token_revoked")) == (
        "authn_token_revoked", me.kind, me.pseudonym, owner.tenant_id, "api_key",
        str(key.api_key.pk), {}, "198.51.100.7",
    )  # fmt: skip
    assert ApiKey.dangerously_unscoped.get(pk=key.api_key.pk).revoked_at is not None


def test_creating_a_key_is_audited_with_its_permissions_and_lifetime_never_its_token() -> None:
    owner = make_member(make_tenant(), Role.OWNER)

    key = make_api_key(owner, {P.TENANT_VIEW, P.OPERATIONS_VIEW}, days=30)

    entry = _last("authn_token_created")
    me = Actor.user(owner.user)
    assert _row(entry)[:6] == (
        "authn_token_created", me.kind, me.pseudonym, owner.tenant_id, "api_key",
        str(key.api_key.pk),
    )  # fmt: skip
    assert entry.details == {"permissions": ["operations.view", "tenant.view"], "lifetime_days": 29}
    assert key.token not in json.dumps(entry.details)


def test_only_a_person_creates_keys_with_a_name_of_1_to_100_characters() -> None:
    owner = make_member(make_tenant(), Role.OWNER)
    as_key = Principal.for_api_key(
        api_key_id=1, tenant=owner.tenant, permissions=frozenset({P.API_KEYS_MANAGE, P.TENANT_VIEW})
    )
    request = RequestFactory().post("/api/v1/api-keys", REMOTE_ADDR="198.51.100.7")

    def create(principal: Principal, name: str) -> ApiKey:
        with tenant_context(owner.tenant):
            return api_key_create(
                principal=principal,
                name=name,
                permissions={P.TENANT_VIEW},
                expires_at=timezone.now() + timedelta(days=30),
                request=request,
            ).api_key

    with pytest.raises(ApiKeyNeedsPerson):
        create(as_key, "Đối tác")
    for bad in ("", "   ", "x" * 101):
        with pytest.raises(InvalidApiKeyName):
            create(principal_for(owner), bad)
    assert ApiKey.dangerously_unscoped.count() == 0
    assert create(principal_for(owner), "x" * 100).name == "x" * 100
    assert _last("authn_token_created").ip == "198.51.100.7"


def _create_key(owner: Any, expires_at: Any) -> ApiKey:
    with tenant_context(owner.tenant):
        return api_key_create(
            principal=principal_for(owner),
            name="Shop website",
            permissions={P.TENANT_VIEW},
            expires_at=expires_at,
        ).api_key


def test_a_key_expires_after_the_instant_of_creation_and_at_most_a_year_later() -> None:
    owner = make_member(make_tenant(), Role.OWNER)

    with freeze_time("2026-11-29 10:00:00"):
        now = timezone.now()
        for refused in (now, now + MAX_LIFETIME + timedelta(microseconds=1)):
            with pytest.raises(InvalidExpiry):
                _create_key(owner, refused)
        soonest = _create_key(owner, now + timedelta(microseconds=1))
        latest = _create_key(owner, now + MAX_LIFETIME)

    assert (soonest.created_at, soonest.expires_at) == (now, now + timedelta(microseconds=1))
    assert (latest.created_at, latest.expires_at) == (now, now + MAX_LIFETIME)
    assert ApiKey.dangerously_unscoped.count() == 2


def test_a_key_belongs_to_its_creators_company_even_with_another_company_bound() -> None:
    owner = make_member(make_tenant(), Role.OWNER)
    other = make_tenant()

    with tenant_context(other), pytest.raises(ValidationError) as refused:
        api_key_create(
            principal=principal_for(owner),
            name="Shop website",
            permissions={P.TENANT_VIEW},
            expires_at=timezone.now() + timedelta(days=30),
        )

    assert refused.value.code == "tenant_mismatch"
    assert ApiKey.dangerously_unscoped.count() == 0


def test_a_key_is_checked_with_its_company_in_one_query(
    django_assert_num_queries: Any,
) -> None:
    owner = make_member(make_tenant(), Role.OWNER)
    key = make_api_key(owner, {P.TENANT_VIEW})
    ApiKey.dangerously_unscoped.filter(pk=key.api_key.pk).update(last_used_at=timezone.now())

    with django_assert_num_queries(1):
        principal = authenticate_bearer(RequestFactory().get("/api/v1/tenant"), key.token)

    assert principal is not None
    assert (principal.api_key_id, principal.tenant) == (key.api_key.pk, owner.tenant)


@pytest.mark.parametrize(
    ("used_ago", "written"),
    [(LAST_USED_GRANULARITY, True), (LAST_USED_GRANULARITY - timedelta(microseconds=1), False)],
)
def test_the_last_use_is_written_again_once_a_whole_minute_has_passed(
    used_ago: timedelta, written: bool
) -> None:
    owner = make_member(make_tenant(), Role.OWNER)
    key = make_api_key(owner, {P.TENANT_VIEW})

    # A fixed instant after the key was made, at a whole second (the expiry must follow creation).
    with freeze_time(key.api_key.created_at.replace(microsecond=0) + timedelta(hours=1)):
        now = timezone.now()
        keys = ApiKey.dangerously_unscoped.filter(pk=key.api_key.pk)
        keys.update(last_used_at=now - used_ago, expires_at=now + timedelta(days=1))

        assert authenticate_bearer(RequestFactory().get("/api/v1/tenant"), key.token) is not None

    assert keys.get().last_used_at == (now if written else now - used_ago)
