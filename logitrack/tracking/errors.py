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
