from django.urls import path

from logitrack.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.profile, name="profile"),
    path("password/", views.password_change, name="password_change"),
    path("sessions/", views.session_list, name="sessions"),
    path("sessions/<id:session_id>/revoke/", views.session_revoke, name="session_revoke"),
    path("sessions/revoke-others/", views.session_revoke_others, name="session_revoke_others"),
    path("verify-email/resend/", views.verify_email_resend, name="verify_email_resend"),
    path("verify-email/<str:token>/", views.verify_email, name="verify_email"),
    path("password-reset/", views.password_reset_request, name="password_reset"),
    path("password-reset/sent/", views.password_reset_sent, name="password_reset_sent"),
    path(
        "reset/<str:uidb64>/set-password/",
        views.password_reset_set,
        name="password_reset_set",
    ),
    path(
        "reset/<str:uidb64>/<str:token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
]
