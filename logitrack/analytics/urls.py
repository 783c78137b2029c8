from django.urls import path

from logitrack.analytics import views

app_name = "analytics"

urlpatterns = [
    path("collect", views.collect, name="collect"),
]
