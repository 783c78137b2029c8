"""The tenancy API: sign-up, the caller's companies, company profile, members, invitations,
API keys and the permission matrix.

Errors leave as ``{"error": {"code", "message"}}``: 404 ``*_not_found`` for another tenant's or a
missing object, 409 for conflicts (``tax_code_taken``, ``email_taken``, ``last_owner``...), 403
when the account level does not allow the change, 422 for invalid input.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.utils.translation import gettext as _
from ninja import Router, Status

from logitrack.accounts.errors import AccountError, EmailTaken, PasswordRejected
from logitrack.core.errors import NotFound, error_json
from logitrack.core.ids import Id
from logitrack.security import throttle
from logitrack.tenancy import selectors, services
from logitrack.tenancy.access import (
    access_api_key_by_id,
    access_invitation_by_id,
    access_invitation_by_token,
    access_membership_by_id,
    csrf_refusal,
    principal_of,
    public,
    requires,
    signed_in,
)
from logitrack.tenancy.errors import PermissionsNotGrantable, TenancyError
from logitrack.tenancy.geography import province_choices, province_name, ward_choices, ward_name
from logitrack.tenancy.models import ApiKey, Invitation, Membership, Tenant
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Permission, Role, matrix_rows
from logitrack.tenancy.schemas import (
    ApiKeyCreatedOut,
    ApiKeyIn,
    ApiKeyOut,
    InvitationAcceptedOut,
    InvitationAcceptIn,
    InvitationIn,
    InvitationOut,
    MemberOut,
    MyMembershipOut,
    PermissionMatrixOut,
    PermissionRowOut,
    RoleIn,
    SignupAccepted,
    SignupIn,
    TenantOut,
    TenantSwitchIn,
    TenantUpdateIn,
    UnitOut,
)

router = Router(tags=["tenancy"])


def _error(exc: TenancyError | AccountError) -> JsonResponse:
    if isinstance(exc, TenancyError):
        fields = None
        if exc.field:
            fields = [{"field": exc.field, "code": exc.code, "message": str(exc.message)}]
        return error_json(exc.code, str(exc.message), exc.status, fields=fields)
    if isinstance(exc, PasswordRejected):
        fields = [{"field": "password", "message": message} for message in exc.messages]
        return error_json(exc.code, str(exc.message), 422, fields=fields)
    if isinstance(exc, EmailTaken):
        return error_json(exc.code, str(exc.message), 409)
    return error_json(exc.code, str(exc), 422)


def _tenant_out(tenant: Tenant) -> TenantOut:
    return TenantOut(
        id=tenant.pk,
        name=tenant.name,
        tax_code=tenant.tax_code,
        kind=tenant.kind,
        industry=tenant.industry,
        street_address=tenant.street_address or "",
        province_code=tenant.province_code,
        province_name=province_name(tenant.province_code),
        ward_code=tenant.ward_code,
        ward_name=ward_name(tenant.ward_code),
        data_region=tenant.data_region,
        status=tenant.status,
        created_at=tenant.created_at,
    )


def _member_out(membership: Membership) -> MemberOut:
    return MemberOut(
        id=membership.pk,
        user_id=membership.user_id,
        full_name=membership.user.full_name,
        email=membership.user.email,
        role=membership.role,
        joined_at=membership.created_at,
    )


def _invitation_out(invitation: Invitation) -> InvitationOut:
    return InvitationOut(
        id=invitation.pk,
        email=invitation.email,
        role=invitation.role,
        created_at=invitation.created_at,
        expires_at=invitation.expires_at,
    )


def _api_key_out(api_key: ApiKey) -> ApiKeyOut:
    return ApiKeyOut(
        id=api_key.pk,
        name=api_key.name,
        prefix=api_key.prefix,
        permissions=list(api_key.permissions),
        created_at=api_key.created_at,
        expires_at=api_key.expires_at,
        revoked_at=api_key.revoked_at,
        last_used_at=api_key.last_used_at,
        active=api_key.is_usable(),
        suspended_at=api_key.suspended_at,
        suspension_reason=api_key.suspension_reason,
    )


def _tenant(principal: Principal) -> Tenant:
    assert principal.tenant is not None, "requires() lets only principals with a tenant through"
    return principal.tenant


# --- sign-up and reference data ----------------------------------------------------------------


@router.post(
    "/signup",
    response={202: SignupAccepted},
    url_name="signup",
    summary="Sign up a company and its owner",
)
@public("companies sign up here; no session is created, the owner then signs in")
def signup(request: HttpRequest, payload: SignupIn) -> Status[SignupAccepted] | HttpResponseBase:
    """202 for every valid sign-up: a new owner gets the verification e-mail, the holder of a
    taken address an e-mail saying someone tried to sign up with it (docs/adr/0012)."""
    from logitrack.accounts.services import signup_address_taken

    owner = throttle.account_key(payload.owner_email)
    refused = throttle.check(
        request,
        throttle.per_ip("signup.ip"),
        throttle.Rule("signup.account", lambda _request: owner or None),
    )
    if refused is not None:
        return refused
    try:
        services.tenant_signup(
            company_name=payload.company_name,
            tax_code=payload.tax_code,
            kind=payload.kind,
            industry=payload.industry,
            street_address=payload.street_address,
            province_code=payload.province_code,
            ward_code=payload.ward_code,
            data_region=payload.data_region,
            owner_full_name=payload.owner_full_name,
            owner_email=payload.owner_email,
            owner_password=payload.owner_password,
            owner_date_of_birth=payload.owner_date_of_birth,
            privacy_consent=payload.privacy_consent,
            language=payload.language,
            request=request,
        )
    except EmailTaken:
        signup_address_taken(
            email=payload.owner_email, password=payload.owner_password, request=request
        )
    except (TenancyError, AccountError) as exc:
        return _error(exc)
    message = _(
        "We have sent a message to the address you gave. Follow the link in it to "
        "confirm your address, then sign in to your company."
    )
    return Status(202, SignupAccepted(status="check_email", message=message))


@router.get(
    "/geography/provinces",
    response=list[UnitOut],
    url_name="geography_provinces",
    summary="Vietnam's provinces and cities (2025 units)",
)
@public("reference data for address forms; holds no tenant data")
def provinces(request: HttpRequest) -> list[UnitOut]:
    return [UnitOut(code=code, name=name) for code, name in province_choices()]


@router.get(
    "/geography/provinces/{int:province_code}/wards",
    response=list[UnitOut],
    url_name="geography_wards",
    summary="The communes and wards of a province",
)
@public("reference data for address forms; holds no tenant data")
def wards(request: HttpRequest, province_code: Id) -> list[UnitOut] | JsonResponse:
    items = ward_choices(province_code)
    if not items:
        raise NotFound("province_not_found")
    return [UnitOut(code=code, name=name) for code, name in items]


# --- the caller's companies --------------------------------------------------------------------


@router.get(
    "/tenants/mine",
    response=list[MyMembershipOut],
    url_name="tenants_mine",
    summary="The companies you belong to",
)
@signed_in("a person lists their own memberships across companies")
def tenants_mine(request: HttpRequest) -> list[MyMembershipOut]:
    principal = principal_of(request)
    assert principal.user is not None
    return [
        MyMembershipOut(
            tenant_id=m.tenant_id,
            tenant_name=m.tenant.name,
            role=m.role,
            current=m.tenant_id == principal.tenant_id,
        )
        for m in selectors.companies_of_user(user=principal.user)
    ]


@router.post(
    "/tenants/current",
    response=MyMembershipOut,
    url_name="tenants_current",
    summary="Switch the company you work in",
)
@signed_in("a person chooses which of their companies to act in")
def tenants_current(request: HttpRequest, payload: TenantSwitchIn) -> MyMembershipOut:
    principal = principal_of(request)
    assert principal.user is not None
    membership = services.tenant_switch(
        user=principal.user, tenant_id=payload.tenant_id, session=request.session
    )
    return MyMembershipOut(
        tenant_id=membership.tenant_id,
        tenant_name=membership.tenant.name,
        role=membership.role,
        current=True,
    )


# --- company profile ---------------------------------------------------------------------------


@router.get("/tenant", response=TenantOut, url_name="tenant_get", summary="Your company's profile")
@requires(Permission.TENANT_VIEW)
def tenant_get(request: HttpRequest) -> TenantOut:
    return _tenant_out(_tenant(principal_of(request)))


@router.patch(
    "/tenant", response=TenantOut, url_name="tenant_update", summary="Change the company profile"
)
@requires(Permission.TENANT_MANAGE)
def tenant_update(request: HttpRequest, payload: TenantUpdateIn) -> TenantOut | JsonResponse:
    principal = principal_of(request)
    current = _tenant(principal)
    try:
        tenant = services.tenant_update(
            principal=principal,
            name=payload.name if payload.name is not None else current.name,
            industry=payload.industry if payload.industry is not None else current.industry,
            street_address=(
                payload.street_address
                if payload.street_address is not None
                else current.street_address or ""
            ),
            province_code=payload.province_code or current.province_code,
            ward_code=payload.ward_code or current.ward_code,
            data_region=payload.data_region or current.data_region,
            request=request,
        )
    except TenancyError as exc:
        return _error(exc)
    return _tenant_out(tenant)


# --- members -----------------------------------------------------------------------------------


@router.get("/members", response=list[MemberOut], url_name="members_list", summary="The members")
@requires(Permission.MEMBERS_VIEW)
def members_list(request: HttpRequest) -> list[MemberOut]:
    return [_member_out(m) for m in selectors.members_of_tenant(principal=principal_of(request))]


@router.get(
    "/members/{int:membership_id}", response=MemberOut, url_name="member_get", summary="One member"
)
@requires(Permission.MEMBERS_VIEW)
def member_get(request: HttpRequest, membership_id: Id) -> MemberOut:
    return _member_out(access_membership_by_id(principal_of(request), membership_id))


@router.patch(
    "/members/{int:membership_id}",
    response=MemberOut,
    url_name="member_update",
    summary="Change a member's account level",
)
@requires(Permission.MEMBERS_MANAGE)
def member_update(
    request: HttpRequest, membership_id: Id, payload: RoleIn
) -> MemberOut | JsonResponse:
    principal = principal_of(request)
    membership = access_membership_by_id(principal, membership_id, for_write=True)
    try:
        changed = services.membership_change_role(
            principal=principal, membership=membership, role=payload.role, request=request
        )
    except TenancyError as exc:
        return _error(exc)
    changed.user = membership.user
    return _member_out(changed)


@router.delete(
    "/members/{int:membership_id}",
    response={204: None},
    url_name="member_delete",
    summary="Remove a member from the company",
)
@requires(Permission.MEMBERS_MANAGE)
def member_delete(request: HttpRequest, membership_id: Id) -> Status[None] | JsonResponse:
    principal = principal_of(request)
    membership = access_membership_by_id(principal, membership_id, for_write=True)
    try:
        services.membership_remove(principal=principal, membership=membership, request=request)
    except TenancyError as exc:
        return _error(exc)
    return Status(204, None)


# --- invitations -------------------------------------------------------------------------------


@router.get(
    "/invitations",
    response=list[InvitationOut],
    url_name="invitations_list",
    summary="Pending invitations",
)
@requires(Permission.MEMBERS_MANAGE)
def invitations_list(request: HttpRequest) -> list[InvitationOut]:
    pending = selectors.invitations_pending(principal=principal_of(request))
    return [_invitation_out(i) for i in pending]


@router.post(
    "/invitations",
    response={201: InvitationOut},
    url_name="invitation_create",
    summary="Invite someone by email",
)
@requires(Permission.MEMBERS_MANAGE)
def invitation_create(
    request: HttpRequest, payload: InvitationIn
) -> Status[InvitationOut] | JsonResponse:
    try:
        created = services.membership_invite(
            principal=principal_of(request),
            email=payload.email,
            role=payload.role,
            request=request,
        )
    except TenancyError as exc:
        return _error(exc)
    return Status(201, _invitation_out(created.invitation))


@router.delete(
    "/invitations/{int:invitation_id}",
    response={204: None},
    url_name="invitation_revoke",
    summary="Withdraw an invitation",
)
@requires(Permission.MEMBERS_MANAGE)
def invitation_revoke(request: HttpRequest, invitation_id: Id) -> Status[None]:
    principal = principal_of(request)
    invitation = access_invitation_by_id(principal, invitation_id, for_write=True)
    services.invitation_revoke(principal=principal, invitation=invitation, request=request)
    return Status(204, None)


@router.post(
    "/invitations/accept",
    response={201: InvitationAcceptedOut},
    url_name="invitation_accept",
    summary="Accept an invitation (the token from the email)",
)
@public("the invitation's token is the permission; it is single-use and expires")
def invitation_accept(
    request: HttpRequest, payload: InvitationAcceptIn
) -> Status[InvitationAcceptedOut] | HttpResponseBase:
    # Public, yet it acts for the signed-in person when there is one: that needs the CSRF token.
    refused = csrf_refusal(request)
    if refused is not None:
        return refused
    # Per address before the token is looked up, then per invitee (docs/adr/0012).
    refused = throttle.check(request, throttle.per_ip("invitation_accept.ip"))
    if refused is not None:
        return refused
    principal = principal_of(request)
    invitation = access_invitation_by_token(principal, payload.token, request=request)
    invitee = throttle.account_key(invitation.email)
    refused = throttle.check(
        request, throttle.Rule("invitation_accept.account", lambda _request: invitee)
    )
    if refused is not None:
        return refused
    try:
        membership = services.invitation_accept(
            invitation=invitation,
            user=principal.user,
            full_name=payload.full_name,
            password=payload.password,
            date_of_birth=payload.date_of_birth,
            privacy_consent=payload.privacy_consent,
            language=payload.language,
            request=request,
        )
    except (TenancyError, AccountError) as exc:
        return _error(exc)
    out = InvitationAcceptedOut(
        membership_id=membership.pk, tenant_id=membership.tenant_id, role=membership.role
    )
    return Status(201, out)


# --- API keys ----------------------------------------------------------------------------------


@router.get("/api-keys", response=list[ApiKeyOut], url_name="api_keys_list", summary="API keys")
@requires(Permission.API_KEYS_MANAGE)
def api_keys_list(request: HttpRequest) -> list[ApiKeyOut]:
    return [_api_key_out(k) for k in selectors.api_keys_of_tenant(principal=principal_of(request))]


@router.get(
    "/api-keys/review",
    response=list[ApiKeyOut],
    url_name="api_keys_review",
    summary="API keys waiting for an owner's review (their creator was removed or demoted)",
)
@requires(Permission.API_KEYS_MANAGE)
def api_keys_review(request: HttpRequest) -> list[ApiKeyOut]:
    principal = principal_of(request)
    return [_api_key_out(k) for k in selectors.api_keys_awaiting_review(principal=principal)]


@router.post(
    "/api-keys",
    response={201: ApiKeyCreatedOut},
    url_name="api_key_create",
    summary="Create an API key (its token is shown only in this answer)",
)
@requires(Permission.API_KEYS_MANAGE)
def api_key_create(
    request: HttpRequest, payload: ApiKeyIn
) -> Status[ApiKeyCreatedOut] | JsonResponse:
    try:
        chosen = [Permission(value) for value in payload.permissions]
    except ValueError:
        return _error(PermissionsNotGrantable())
    try:
        created = services.api_key_create(
            principal=principal_of(request),
            name=payload.name,
            permissions=chosen,
            expires_at=payload.expires_at,
            request=request,
        )
    except TenancyError as exc:
        return _error(exc)
    out = ApiKeyCreatedOut(**_api_key_out(created.api_key).dict(), token=created.token)
    return Status(201, out)


@router.get(
    "/api-keys/{int:api_key_id}", response=ApiKeyOut, url_name="api_key_get", summary="One API key"
)
@requires(Permission.API_KEYS_MANAGE)
def api_key_get(request: HttpRequest, api_key_id: Id) -> ApiKeyOut:
    return _api_key_out(access_api_key_by_id(principal_of(request), api_key_id))


@router.delete(
    "/api-keys/{int:api_key_id}",
    response=ApiKeyOut,
    url_name="api_key_revoke",
    summary="Revoke an API key (it answers 401 from now on)",
)
@requires(Permission.API_KEYS_MANAGE)
def api_key_revoke(request: HttpRequest, api_key_id: Id) -> ApiKeyOut | JsonResponse:
    principal = principal_of(request)
    api_key = access_api_key_by_id(principal, api_key_id, for_write=True)
    try:
        revoked = services.api_key_revoke(principal=principal, api_key=api_key, request=request)
    except TenancyError as exc:
        return _error(exc)
    return _api_key_out(revoked)


@router.post(
    "/api-keys/{int:api_key_id}/confirm",
    response=ApiKeyOut,
    url_name="api_key_confirm",
    summary="Confirm a suspended API key: it works again and answers for you (owners only)",
)
@requires(Permission.API_KEYS_CONFIRM)
def api_key_confirm(request: HttpRequest, api_key_id: Id) -> ApiKeyOut | JsonResponse:
    principal = principal_of(request)
    api_key = access_api_key_by_id(principal, api_key_id, for_write=True)
    try:
        confirmed = services.api_key_confirm(principal=principal, api_key=api_key, request=request)
    except TenancyError as exc:
        return _error(exc)
    return _api_key_out(confirmed)


# --- the permission matrix ---------------------------------------------------------------------


@router.get(
    "/permissions",
    response=PermissionMatrixOut,
    url_name="permissions_matrix",
    summary="Which account level holds which permission",
)
@requires(Permission.PERMISSIONS_VIEW)
def permissions_matrix(request: HttpRequest) -> PermissionMatrixOut:
    roles = list(Role)
    rows = [
        PermissionRowOut(
            code=perm.value,
            label=str(perm.label),
            roles=[role.value for role, held in zip(roles, cells, strict=True) if held],
        )
        for perm, cells in matrix_rows()
    ]
    return PermissionMatrixOut(roles=[role.value for role in roles], permissions=rows)
