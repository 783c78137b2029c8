"""Pages of the documents app: the driver's deliveries and proof of delivery, document actions."""

from django.urls import path

from logitrack.documents import views

app_name = "documents"

urlpatterns = [
    path("driver/", views.driver_tasks, name="driver-tasks"),
    path("driver/shipments/<str:waybill>/", views.pod, name="pod"),
    path("driver/shipments/<str:waybill>/delivered/", views.pod_delivered, name="pod-delivered"),
    path("driver/shipments/<str:waybill>/failed/", views.pod_failed, name="pod-failed"),
    path(
        "driver/shipments/<str:waybill>/documents/<id:document_id>/thumbnail/",
        views.pod_document_thumbnail,
        name="pod-thumbnail",
    ),
    path("documents/shipments/<str:waybill>/upload/", views.document_upload, name="upload"),
    path("documents/<id:document_id>/delete/", views.document_delete, name="delete"),
]
