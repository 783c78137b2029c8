"""Pages of the tenancy app. Object pages take an integer id, so the isolation contract applies."""

from django.urls import path

from logitrack.tenancy import views

app_name = "tenancy"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("signup/sent/", views.signup_sent, name="signup-sent"),
    path("signup/wards/", views.ward_options, name="wards"),
    path("company/switch/", views.switch, name="switch"),
    path("company/", views.company, name="company"),
    path("company/edit/", views.company_edit, name="company-edit"),
    path("company/members/", views.members, name="members"),
    path("company/members/invite/", views.member_invite, name="member-invite"),
    path("company/members/<id:membership_id>/role/", views.member_role, name="member-role"),
    path(
        "company/members/<id:membership_id>/remove/",
        views.member_remove,
        name="member-remove",
    ),
    path(
        "company/invitations/<id:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation-revoke",
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation-accept"),
    path("company/api-keys/", views.api_keys, name="api-keys"),
    path("company/api-keys/new/", views.api_key_create, name="api-key-create"),
    path(
        "company/api-keys/<id:api_key_id>/revoke/",
        views.api_key_revoke,
        name="api-key-revoke",
    ),
    path(
        "company/api-keys/<id:api_key_id>/confirm/",
        views.api_key_confirm,
        name="api-key-confirm",
    ),
    path("company/permissions/", views.permissions, name="permissions"),
]
