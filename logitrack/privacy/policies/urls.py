"""Routes of the policy versions: the public archive under /privacy/policy/, the acceptance
page, and the privacy officer's pages under /staff/privacy/policies/. Versions are addressed by
their number, which never changes once published."""

from django.urls import path

from logitrack.privacy.policies import views

app_name = "policies"

urlpatterns = [
    path("privacy/policy/versions/", views.policy_archive, name="archive"),
    path("privacy/policy/v/<id:number>/", views.policy_version, name="version"),
    path("privacy/policy/diff/<id:old>/<id:new>/", views.policy_diff, name="diff"),
    path("privacy/policy/accept/", views.policy_accept_page, name="accept"),
    path("staff/privacy/policies/", views.staff_versions, name="staff-list"),
    path("staff/privacy/policies/new/", views.staff_draft_create, name="staff-create"),
    path("staff/privacy/policies/<id:number>/", views.staff_version, name="staff-version"),
    path(
        "staff/privacy/policies/<id:number>/publish/",
        views.staff_publish,
        name="staff-publish",
    ),
]
