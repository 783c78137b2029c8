"""Failures of tracking operations that a caller can act on, each with a stable code.

Pages show ``message`` (translated); the API answers ``{"error": {"code", "message"}}`` with
``status``. Each is raised before anything is written, so a refused operation changes nothing.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from logitrack.core.errors import CallerError


class TrackingError(CallerError):
    code = "tracking_error"
    message: str | Promise = _("The device could not be changed.")


class NotAllowed(TrackingError):
    code = "permission_denied"
    message = _("Your account level does not allow this.")
    status = 403


class GeoSettingsInvalid(TrackingError):
    code = "geo_settings_invalid"
    message = _("This value is outside the allowed range.")
    status = 422


class RfidWindowInvalid(TrackingError):
    code = "rfid_window_invalid"
    message = _("Choose a window from 0.1 to 60 seconds.")
    status = 422
    field = "window_seconds"


class InvalidIdentifier(TrackingError):
    code = "device_identifier_invalid"
    message = _("A device identifier is 1 to 64 letters, digits or . _ : - characters.")
    field = "identifier"


class IdentifierTaken(TrackingError):
    code = "device_identifier_taken"
    message = _("A device with this identifier is already registered.")
    status = 409
    field = "identifier"


class InvalidDeviceField(TrackingError):
    code = "device_field_invalid"
    message = _("Some device details are missing or too long.")


class InvalidNetwork(TrackingError):
    code = "device_network_invalid"
    message = _("Each allowed network must be an IP address or a network such as 10.0.0.0/8.")
    field = "allowed_networks"


class InvalidAssignment(TrackingError):
    code = "device_assignment_invalid"
    message = _("Choose one vehicle, one driver, or the name of a warehouse or dock.")
    field = "target"


class PlateTaken(TrackingError):
    code = "vehicle_plate_taken"
    message = _("A vehicle with this registration plate already exists.")
    status = 409
    field = "plate"


class DockDoorInvalid(TrackingError):
    code = "dock_door_invalid"
    message = _("Some dock door details are missing or too long.")


class DockDoorReaderInvalid(TrackingError):
    code = "dock_door_reader_invalid"
    message = _("Choose one of your company's RFID readers.")
    field = "device_id"


class DockDoorAntennaInvalid(TrackingError):
    code = "dock_door_antenna_invalid"
    message = _("An antenna is a number from 1 to 32; leave it blank for all antennas.")
    field = "antenna"


class DockDoorLocationInvalid(TrackingError):
    code = "dock_door_location_invalid"
    message = _("A GS1 location looks like urn:epc:id:sgln:0614141.12345.0.")
    field = "location_id"


class DockDoorNameTaken(TrackingError):
    code = "dock_door_name_taken"
    message = _("A dock door with this name already exists.")
    status = 409
    field = "name"


class DockDoorAntennaTaken(TrackingError):
    code = "dock_door_antenna_taken"
    message = _("This antenna of the reader is already a dock door.")
    status = 409
    field = "antenna"


class ShipmentTagInvalid(TrackingError):
    code = "shipment_tag_invalid"
    message = _("Each tag is a GS1 trade item EPC (urn:epc:id:sgtin:...) or its hex encoding.")
    field = "epcs"


class ShipmentTagTaken(TrackingError):
    code = "shipment_tag_taken"
    message = _("One of these tags is already attached to another shipment.")
    status = 409
    field = "epcs"


class TripsWindowInvalid(TrackingError):
    code = "trips_window_invalid"
    message = _("Choose a window of at most 31 days that ends after it starts.")
    status = 422
    field = "end"


class ReportRangeInvalid(TrackingError):
    code = "report_range_invalid"
    message = _("Choose days from a start to an end at most 93 days later.")
    status = 422
    field = "end"


class GeofenceInvalid(TrackingError):
    code = "geofence_invalid"
    message = _("Give the geofence a name of 1 to 100 characters and a known kind of place.")
    field = "name"


class GeofenceNameTaken(TrackingError):
    code = "geofence_name_taken"
    message = _("A geofence with this name already exists.")
    status = 409
    field = "name"
