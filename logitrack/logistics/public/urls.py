"""Public tracking pages; mounted at the site root (``/t/``)."""

from django.urls import path

from logitrack.logistics.public import views

app_name = "tracking"

urlpatterns = [
    path("t/", views.track_form, name="form"),
    path("t/<str:waybill>", views.track, name="track"),
]
