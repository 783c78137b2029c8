"""Consent pages. ``u/<token>/`` is the unsubscribe link of every marketing e-mail."""

from django.urls import path

from logitrack.privacy.consent import views

app_name = "consent"

urlpatterns = [
    path("u/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("account/consents/", views.my_consents, name="mine"),
    path("operations/consents/", views.tenant_consents, name="tenant"),
    path("operations/consents/record/", views.tenant_consent_record, name="tenant-record"),
    path("operations/consents/purposes/", views.tenant_purpose_new, name="tenant-purpose"),
]
