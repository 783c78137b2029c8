"""Device, vehicle and driver pages under /operations/, and the security officer's page of the
plain-HTTP legacy port under /staff/. Devices take their integer id (``<id:...>``), looked up in
the principal's tenant only, so the isolation contract applies."""

from django.urls import path

from logitrack.tracking.views import devices, docks, fleet, geofences, plain_http, reports
from logitrack.tracking.views import map as map_views

app_name = "devices"

urlpatterns = [
    path("operations/devices/", devices.device_list, name="list"),
    path("operations/devices/new/", devices.device_create, name="create"),
    path("operations/devices/plain-http/", plain_http.plain_http_setting, name="plain-http"),
    path("operations/devices/camera-blur/", plain_http.camera_blur_setting, name="camera-blur"),
    path("operations/devices/rfid-window/", plain_http.rfid_window_setting, name="rfid-window"),
    path("operations/devices/geo-settings/", plain_http.geo_settings, name="geo-settings"),
    path("operations/devices/<id:device_id>/", devices.device_detail, name="detail"),
    path("operations/devices/<id:device_id>/enabled/", devices.device_enabled, name="enabled"),
    path("operations/devices/<id:device_id>/token/", devices.device_token, name="token"),
    path("operations/devices/<id:device_id>/assign/", devices.device_assign, name="assign"),
    path(
        "operations/devices/<id:device_id>/positions/", devices.device_positions, name="positions"
    ),
    path(
        "operations/devices/<id:device_id>/positions.csv",
        devices.positions_csv,
        name="positions-csv",
    ),
    path(
        "operations/devices/<id:device_id>/positions.gpx",
        devices.positions_gpx,
        name="positions-gpx",
    ),
    path("operations/map/", map_views.live_map, name="map"),
    path("operations/devices/<id:device_id>/history/", map_views.device_history, name="history"),
    path("operations/dock-doors/", docks.dock_door_list, name="dock-doors"),
    path("operations/dock-doors/new/", docks.dock_door_create, name="dock-door-create"),
    path("operations/dock-doors/<id:door_id>/", docks.dock_door_edit, name="dock-door-edit"),
    path(
        "operations/dock-doors/<id:door_id>/active/",
        docks.dock_door_active,
        name="dock-door-active",
    ),
    path("operations/geofences/", geofences.geofence_list, name="geofences"),
    path("operations/geofences/new/", geofences.geofence_create, name="geofence-create"),
    path("operations/geofences/import/", geofences.geofence_import, name="geofence-import"),
    path(
        "operations/geofences/<id:geofence_id>/delete/",
        geofences.geofence_delete,
        name="geofence-delete",
    ),
    path("operations/fleet/", fleet.fleet, name="fleet"),
    path("operations/reports/daily/", reports.daily_report, name="daily-report"),
    path("operations/reports/daily.csv", reports.daily_report_csv, name="daily-report-csv"),
    path("operations/reports/daily.xlsx", reports.daily_report_xlsx, name="daily-report-xlsx"),
    path("operations/fleet/vehicles/", fleet.vehicle_new, name="vehicle-create"),
    path("operations/fleet/drivers/", fleet.driver_new, name="driver-create"),
    path("staff/security/plain-http/", plain_http.plain_http_overview, name="plain-http-overview"),
]
