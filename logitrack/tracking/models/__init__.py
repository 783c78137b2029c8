"""Tracking records: vehicles and drivers, devices and their assignments, positions."""

from logitrack.tracking.models.devices import Device, DeviceAssignment
from logitrack.tracking.models.fleet import Driver, Vehicle
from logitrack.tracking.models.positions import DeviceLatest, Position
from logitrack.tracking.models.settings import TenantDeviceSettings

__all__ = [
    "Device",
    "DeviceAssignment",
    "DeviceLatest",
    "Driver",
    "Position",
    "TenantDeviceSettings",
    "Vehicle",
]
