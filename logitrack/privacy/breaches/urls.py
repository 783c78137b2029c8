from django.urls import path

from logitrack.privacy.breaches import views

app_name = "breaches"

_staff = "staff/privacy"

urlpatterns = [
    path("privacy/partners/", views.partners_public, name="partners-public"),
    path(f"{_staff}/partners/", views.partners, name="partners"),
    path(f"{_staff}/partners/<id:partner_id>/", views.partner_edit, name="partner-edit"),
    path(f"{_staff}/disclosures/", views.disclosures, name="disclosures"),
    path(
        f"{_staff}/disclosures/<id:disclosure_id>/decide/",
        views.disclosure_decide_view,
        name="disclosure-decide",
    ),
    path(f"{_staff}/breaches/", views.breaches, name="breaches"),
    path(f"{_staff}/breaches/<id:breach_id>/", views.breach_detail, name="breach"),
    path(f"{_staff}/breaches/<id:breach_id>/assess/", views.breach_assess_view, name="assess"),
    path(
        f"{_staff}/breaches/<id:breach_id>/reported/",
        views.breach_reported_view,
        name="reported",
    ),
    path(f"{_staff}/breaches/<id:breach_id>/notify/", views.breach_notify_view, name="notify"),
    path(f"{_staff}/breaches/<id:breach_id>/close/", views.breach_close_view, name="close"),
    path(f"{_staff}/breaches/<id:breach_id>/report.pdf", views.breach_report, name="report"),
]
