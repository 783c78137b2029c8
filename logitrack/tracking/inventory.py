"""What the tracking app stores, for the data inventory (logitrack.privacy).

Vehicles and devices are the tenant's equipment. A driver's record is a person's data (the
tenant is the controller, Logitrack its processor). A position describes a vehicle, a dock or a
parcel until a device is assigned to a driver: then it is where that person was, precise
location, sensitive under policy section 2 and Decree 13/2023/ND-CP, and is classified that way
for every row, since a field's class cannot depend on the row.
"""

from __future__ import annotations

from logitrack.privacy.inventory import (
    Erasure,
    FieldClass,
    LegalBasis,
    Purpose,
    Retention,
    Subject,
    not_personal,
    register,
)

_TENANT_DATA = Retention.TENANT_LIFETIME_PLUS_30D
_OPS = not_personal(retention=_TENANT_DATA)


def _driver(category: str, *, sensitive: bool = False) -> FieldClass:
    return FieldClass(
        category=category,
        subject=Subject.DRIVER,
        purpose=Purpose.PROVIDE_SERVICE,
        basis=LegalBasis.CONTRACT,
        retention=_TENANT_DATA,
        erasure=Erasure.DELETE,
        sensitive=sensitive,
    )


_SECRET = not_personal(
    retention=_TENANT_DATA, category="system.authentication", purpose=Purpose.AUTHENTICATE_SECURE
)
_LOCATION = _driver("user.location.precise", sensitive=True)

register(
    "tracking.Vehicle",
    {name: _OPS for name in ("id", "tenant", "plate", "label", "active", "created_at")},
)
register(
    "tracking.Driver",
    {
        "id": _OPS,
        "tenant": _OPS,
        "full_name": _driver("user.name"),
        "phone": _driver("user.contact.phone_number"),
        "phone_index": _driver("user.contact.phone_number"),
        "active": _OPS,
        "created_at": _OPS,
    },
)
register(
    "tracking.Device",
    {
        "id": _OPS,
        "tenant": _OPS,
        "kind": _OPS,
        # An IMEI identifies a handset; a phone may be a driver's own.
        "identifier": _driver("user.device.device_id"),
        "name": _OPS,
        "token_prefix": _SECRET,
        "token_hash": _SECRET,
        "enabled": _OPS,
        "require_token": _OPS,
        "allowed_networks": _OPS,
        "created_at": _OPS,
        "last_seen_at": _driver("user.device"),
    },
)
register(
    "tracking.DeviceAssignment",
    {
        "id": _OPS,
        "tenant": _OPS,
        "device": _OPS,
        "target": _OPS,
        "vehicle": _OPS,
        "driver": _driver("user.unique_id"),
        "place_name": _OPS,
        "started_at": _OPS,
        "ended_at": _OPS,
    },
)
register(
    "tracking.Position",
    {
        "id": _OPS,
        "tenant": _OPS,
        "device": _OPS,
        "driver": _driver("user.unique_id"),
        "fix_time": _LOCATION,
        "device_time": _LOCATION,
        "server_time": _OPS,
        "latitude": _LOCATION,
        "longitude": _LOCATION,
        "speed": _LOCATION,
        "course": _LOCATION,
        "altitude": _LOCATION,
        "accuracy": _LOCATION,
        "battery": _driver("user.device"),
        "valid": _OPS,
        "attributes": _LOCATION,
    },
)
register(
    "tracking.DeviceLatest",
    {
        "device": _OPS,
        "tenant": _OPS,
        "fix_time": _LOCATION,
        "server_time": _OPS,
        "latitude": _LOCATION,
        "longitude": _LOCATION,
        "speed": _LOCATION,
        "course": _LOCATION,
        "battery": _driver("user.device"),
    },
)
register(
    "tracking.TenantDeviceSettings",
    {
        name: _OPS
        for name in (
            "id",
            "tenant",
            "plain_http_allowed",
            "plain_http_since",
            "rfid_dedup_window_ms",
            "camera_blur_enabled",
            "camera_blur_off_reason",
            "camera_blur_changed_at",
            "geofence_hysteresis_m",
            "geofence_min_dwell_s",
            "geo_late_window_h",
            "max_plausible_speed_kmh",
            "trip_min_speed_kmh",
            "stop_min_duration_s",
            "stop_radius_m",
            "trip_min_distance_m",
            "hub_exit_status",
            "arrival_radius_m",
            "overspeed_kmh",
        )
    },
)
# RFID: a dock door is equipment; a tag observation says which goods passed which antenna when.
# A reader in a vehicle assigned to a driver also says where that person was and when: the
# row's times and door are then the driver's location data, sensitive (policy section 2).
_READ_AT = _driver("user.location.imprecise", sensitive=True)
register(
    "tracking.DockDoor",
    {
        name: _OPS
        for name in (
            "id",
            "tenant",
            "name",
            "place",
            "device",
            "antenna",
            "direction",
            "location_id",
            "active",
            "created_at",
        )
    },
)
register(
    "tracking.TagObservation",
    {
        "id": _OPS,
        "tenant": _OPS,
        "event_id": _OPS,
        "device": _OPS,
        "antenna": _OPS,
        "dock_door": _READ_AT,
        "driver": _driver("user.unique_id", sensitive=True),
        "epc_hex": _OPS,
        "epc_uri": _OPS,
        "scheme": _OPS,
        "first_seen": _READ_AT,
        "last_seen": _READ_AT,
        "read_count": _OPS,
        "peak_rssi": _OPS,
        "received_at": _OPS,
        "shipment": _OPS,
    },
)
# A receipt of a stored batch of tag reads (a digest, no reads): a day, pruned by the ingest.
_RECEIPT = not_personal(retention=Retention.SHORT_LIVED)
register(
    "tracking.ReadBatch",
    {name: _RECEIPT for name in ("id", "tenant", "device", "digest", "received_at")},
)
register(
    "tracking.ShipmentTag",
    {name: _OPS for name in ("id", "tenant", "shipment", "epc_uri", "created_at")},
)
# A camera snapshot may show people (drivers, warehouse staff, consignees): the image is a
# documents.Document (classified there as a camera image, sensitive); this row says whose
# vehicle or door it was taken at and when, which for a driver's vehicle is where they were.
_TAKEN_AT = _driver("user.location.imprecise", sensitive=True)
register(
    "tracking.CameraEvent",
    {
        "id": _OPS,
        "tenant": _OPS,
        "event_id": _OPS,
        "device": _OPS,
        "document": _driver("user.sensor.camera_image", sensitive=True),
        "captured_at": _TAKEN_AT,
        "received_at": _OPS,
        "dock_door": _TAKEN_AT,
        "vehicle": _TAKEN_AT,
        "driver": _driver("user.unique_id", sensitive=True),
        "shipment": _OPS,
        "blurred": _OPS,
        "faces_blurred": _OPS,
        "plates_blurred": _OPS,
    },
)
# Geofences are the tenant's places (a customer site's outline is the business's address, not a
# person's). An event says where a device was and when: for a driver's phone or vehicle that is
# where the driver was, precise location, sensitive like the positions it was derived from.
register(
    "tracking.Geofence",
    {
        name: _OPS
        for name in (
            "id",
            "tenant",
            "name",
            "site_kind",
            "site_name",
            "shape",
            "geometry",
            "radius_m",
            "min_latitude",
            "min_longitude",
            "max_latitude",
            "max_longitude",
            "area_m2",
            "active",
            "created_at",
            "updated_at",
        )
    },
)
register(
    "tracking.GeofenceEvent",
    {
        "id": _OPS,
        "tenant": _OPS,
        "device": _OPS,
        "geofence": _OPS,
        "kind": _LOCATION,
        "fix_time": _LOCATION,
        "latitude": _LOCATION,
        "longitude": _LOCATION,
        "interpolated": _OPS,
        "created_at": _OPS,
        "retracted_at": _OPS,
    },
)
# Bookkeeping of the geofence and trip derivations: which devices have positions not yet derived.
register(
    "tracking.PositionBacklog",
    {
        name: not_personal(retention=Retention.SHORT_LIVED)
        for name in ("device", "tenant", "geofences_from", "trips_from", "version")
    },
)
# A device's day in numbers: for a driver's device, where and how that person drove (distance,
# time moving and stopped, speed), behaviour and location data about them.
_BEHAVIOUR = _driver("user.behavior", sensitive=True)
register(
    "tracking.DailySummary",
    {
        "id": _OPS,
        "tenant": _OPS,
        "device": _OPS,
        "day": _OPS,
        "distance_m": _BEHAVIOUR,
        "moving_s": _BEHAVIOUR,
        "stopped_s": _BEHAVIOUR,
        "max_speed_kmh": _BEHAVIOUR,
        "trip_count": _BEHAVIOUR,
        "positions": _OPS,
        "first_fix": _driver("user.location", sensitive=True),
        "last_fix": _driver("user.location", sensitive=True),
        "derived_at": _OPS,
    },
)
