from django.urls import path

from logitrack.privacy.erasure import views

app_name = "erasure"

urlpatterns = [
    path("privacy/children/", views.children_tell_us, name="children-tell-us"),
    path("privacy/children/report/", views.children_report, name="children-report"),
    path(
        "privacy/children/report/<id:user_id>/",
        views.children_report_member,
        name="children-report-member",
    ),
    path("staff/privacy/children/", views.children_staff, name="children-staff"),
    path(
        "staff/privacy/children/<id:report_id>/decide/",
        views.children_staff_decide,
        name="children-staff-decide",
    ),
]
