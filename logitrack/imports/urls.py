"""Pages of the imports app. Object pages take an integer id, so the isolation contract applies."""

from django.urls import path, re_path

from logitrack.imports import views

app_name = "imports"

urlpatterns = [
    path("imports/", views.import_list, name="list"),
    path("imports/new/", views.import_upload, name="upload"),
    re_path(r"^imports/template\.(?P<kind>csv|xlsx)$", views.import_template, name="template"),
    path("imports/<id:import_id>/", views.import_detail, name="detail"),
    path("imports/<id:import_id>/mapping/", views.import_mapping, name="mapping"),
    path("imports/<id:import_id>/run/", views.import_run, name="run"),
]
