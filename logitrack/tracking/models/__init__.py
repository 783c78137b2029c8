"""Tracking records: vehicles and drivers, devices and their assignments, positions, RFID
tag observations and dock doors, camera events."""

from logitrack.tracking.models.cameras import CameraEvent
from logitrack.tracking.models.devices import Device, DeviceAssignment
from logitrack.tracking.models.fleet import Driver, Vehicle
from logitrack.tracking.models.geofences import (
    Geofence,
    GeofenceEvent,
    GeofenceEventKind,
    GeofenceShape,
    SiteKind,
)
from logitrack.tracking.models.positions import DeviceLatest, Position, PositionBacklog
from logitrack.tracking.models.rfid import (
    DockDirection,
    DockDoor,
    EpcScheme,
    ReadBatch,
    ShipmentTag,
    TagObservation,
)
from logitrack.tracking.models.settings import TenantDeviceSettings
from logitrack.tracking.models.summaries import DailySummary

__all__ = [
    "CameraEvent",
    "DailySummary",
    "Device",
    "DeviceAssignment",
    "DeviceLatest",
    "DockDirection",
    "DockDoor",
    "Driver",
    "EpcScheme",
    "Geofence",
    "GeofenceEvent",
    "GeofenceEventKind",
    "GeofenceShape",
    "Position",
    "PositionBacklog",
    "ReadBatch",
    "ShipmentTag",
    "SiteKind",
    "TagObservation",
    "TenantDeviceSettings",
    "Vehicle",
]
