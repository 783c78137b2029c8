"""Consent pages. ``u/<token>/`` is the unsubscribe link of every marketing e-mail."""

from django.urls import path

from logitrack.privacy.consent import views, views_campaigns

app_name = "consent"

urlpatterns = [
    path("u/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("account/consents/", views.my_consents, name="mine"),
    path("operations/consents/", views.tenant_consents, name="tenant"),
    path("operations/consents/record/", views.tenant_consent_record, name="tenant-record"),
    path("operations/consents/purposes/", views.tenant_purpose_new, name="tenant-purpose"),
    path("operations/campaigns/", views_campaigns.campaigns, name="campaigns"),
    path("operations/campaigns/new/", views_campaigns.campaign_compose, name="campaign-compose"),
    path("operations/campaigns/<id:campaign_id>/", views_campaigns.campaign, name="campaign"),
]
