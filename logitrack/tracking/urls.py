from django.urls import path

from logitrack.tracking.cameras import views as camera_views
from logitrack.tracking.ingest import views as ingest_views
from logitrack.tracking.rfid import http as rfid_http

app_name = "ingest"

urlpatterns = [
    path("ingest/osmand", ingest_views.osmand, name="ingest_osmand"),
    path("ingest/positions", ingest_views.positions_batch, name="ingest_positions"),
    path("ingest/rfid/zebra", rfid_http.zebra_reads, name="ingest_rfid_zebra"),
    path("ingest/camera", camera_views.camera_snapshot, name="ingest_camera"),
]
