"""Forms of the tracking pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from logitrack.core.forms import CodeField, HumanTextField, NormalisedTextField
from logitrack.core.text import opaque_text
from logitrack.tracking.models import Device, Driver, SiteKind, Vehicle
from logitrack.tracking.models.devices import AssignmentTarget, DeviceKind
from logitrack.tracking.models.rfid import DockDirection
from logitrack.tracking.services.geo_settings import GEO_SETTING_RANGES

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
RANGE_DEFAULT = dt.timedelta(hours=24)
RANGE_MAX = dt.timedelta(days=366)


class DeviceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=DeviceKind.choices)
    identifier = CodeField(
        label=_("Identifier"),
        max_length=64,
        help_text=_("The IMEI, or the device id shown in Traccar Client."),
    )
    name = HumanTextField(label=_("Name"), max_length=100)
    require_token = forms.BooleanField(
        label=_("Require the device token on every report"),
        required=False,
        help_text=_("Safer, but not every tracker can send it."),
    )


class AssignForm(forms.Form):
    target = forms.ChoiceField(
        label=_("Assign to"),
        choices=[*AssignmentTarget.choices, ("none", _("Nothing (end the assignment)"))],
    )
    vehicle = forms.ModelChoiceField(
        label=_("Vehicle"), queryset=Vehicle.dangerously_unscoped.none(), required=False
    )
    driver = forms.ModelChoiceField(
        label=_("Driver"), queryset=Driver.dangerously_unscoped.none(), required=False
    )
    place_name = HumanTextField(label=_("Warehouse or dock name"), max_length=100, required=False)

    def __init__(self, *args: Any, tenant_id: int | None = None, **kwargs: Any) -> None:
        """``tenant_id``: the tenant whose active vehicles and drivers are offered (none
        without one, so the form never offers another tenant's rows)."""
        super().__init__(*args, **kwargs)
        vehicles = Vehicle.dangerously_unscoped.filter(tenant_id=tenant_id, active=True)
        drivers = Driver.dangerously_unscoped.filter(tenant_id=tenant_id, active=True)
        if tenant_id is None:
            vehicles, drivers = vehicles.none(), drivers.none()
        vehicle_field = cast(forms.ModelChoiceField, self.fields["vehicle"])  # type: ignore[type-arg]
        driver_field = cast(forms.ModelChoiceField, self.fields["driver"])  # type: ignore[type-arg]
        vehicle_field.queryset = vehicles.order_by("plate")
        driver_field.queryset = drivers.order_by("full_name", "pk")


class VehicleForm(forms.Form):
    plate = CodeField(label=_("Registration plate"), max_length=20)
    label = HumanTextField(label=_("Label"), max_length=100, required=False)


class DriverForm(forms.Form):
    full_name = HumanTextField(label=_("Full name"), max_length=150)


class RangeForm(forms.Form):
    """A time range in the reader's time zone (the current one, set from their profile):
    ``since`` inclusive, ``until`` exclusive, at most ``RANGE_MAX`` long."""

    since = forms.DateTimeField(
        label=_("From"),
        input_formats=[LOCAL_FORMAT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_FORMAT),
    )
    until = forms.DateTimeField(
        label=_("Until"),
        input_formats=[LOCAL_FORMAT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_FORMAT),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since is not None and until is not None:
            if until <= since:
                raise forms.ValidationError(_("The end of the range must be after its start."))
            if until - since > RANGE_MAX:
                raise forms.ValidationError(_("Choose a range of at most 366 days."))
        return data


def default_range() -> tuple[dt.datetime, dt.datetime]:
    """The last 24 hours, to the next whole minute, in the current time zone."""
    now = timezone.localtime().replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    return now - RANGE_DEFAULT, now


def range_of(query: Any) -> tuple[RangeForm, dt.datetime, dt.datetime]:
    """The form and the chosen range; the default range when nothing (or nothing valid) is
    chosen, with the form's errors kept for display."""
    since, until = default_range()
    if "since" not in query and "until" not in query:
        form = RangeForm(initial={"since": since, "until": until})
        return form, since, until
    form = RangeForm(query)
    if form.is_valid():
        return form, form.cleaned_data["since"], form.cleaned_data["until"]
    return form, since, until


class CameraBlurForm(forms.Form):
    """Blurring of faces and plates in camera snapshots: ``enabled=0`` needs a reason."""

    enabled = forms.ChoiceField(choices=[("1", "1"), ("0", "0")], widget=forms.HiddenInput)
    reason = HumanTextField(
        label=_("Why should faces and plates no longer be blurred?"),
        required=False,
        max_length=500,
        multiline=True,
        help_text=_("Required to turn blurring off; kept and shown to Logitrack's staff."),
    )

    def clean(self) -> dict[str, Any]:
        data = cast(dict[str, Any], super().clean())
        if data.get("enabled") == "0" and not data.get("reason"):
            self.add_error("reason", _("Say why faces and plates should no longer be blurred."))
        return data


class DockDoorForm(forms.Form):
    """A dock door: the reader (the tenant's RFID readers only), its antenna (blank for all),
    the place, the direction and an optional SGLN. The service checks the rest."""

    name = HumanTextField(label=_("Name"), max_length=100)
    place = HumanTextField(
        label=_("Warehouse or hub"),
        max_length=100,
        help_text=_("As it appears on shipment timelines."),
    )
    device = forms.ModelChoiceField(
        label=_("RFID reader"), queryset=Device.dangerously_unscoped.none()
    )
    antenna = forms.IntegerField(
        label=_("Antenna"),
        min_value=1,
        max_value=32,
        required=False,
        help_text=_("Leave blank when every antenna of the reader is at this door."),
    )
    direction = forms.ChoiceField(label=_("Direction"), choices=DockDirection.choices)
    location_id = CodeField(
        # The msgid is also the model field's verbose name, lower case in Vietnamese.
        label=capfirst(_("GS1 location (SGLN)")),
        max_length=100,
        required=False,
        help_text=_("Optional, e.g. urn:epc:id:sgln:0614141.12345.0; partners see it in EPCIS."),
    )

    def __init__(self, *args: Any, readers: Any = None, **kwargs: Any) -> None:
        """``readers``: the tenant's RFID readers (a queryset), the only choices offered."""
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["device"])  # type: ignore[type-arg]
        field.queryset = readers if readers is not None else Device.dangerously_unscoped.none()


class RfidWindowForm(forms.Form):
    """The RFID de-duplication window, in seconds (0.1-60, one decimal)."""

    window_seconds = forms.DecimalField(
        label=_("Window (seconds)"),
        min_value=Decimal("0.1"),
        max_value=Decimal("60"),
        decimal_places=1,
        help_text=_(
            "Reads of the same tag at the same antenna closer than this are one observation."
        ),
    )


def _bounded(name: str, label: Any, help_text: Any = "", *, required: bool = True) -> Any:
    low, high = GEO_SETTING_RANGES[name]
    return forms.IntegerField(
        label=label, min_value=low, max_value=high, help_text=help_text, required=required
    )


class GeoSettingsForm(forms.Form):
    """The tenant's geofence, trip and alert thresholds (services.geo_settings), bounded by
    the service's ranges so the page says them before the service has to refuse."""

    geofence_hysteresis_m = _bounded(
        "geofence_hysteresis_m",
        _("Geofence hysteresis (m)"),
        _("A vehicle must be this far outside a geofence before it counts as left."),
    )
    geofence_min_dwell_s = _bounded(
        "geofence_min_dwell_s",
        _("Geofence minimum dwell (s)"),
        _("A change of side counts only if it lasts this long (GPS jitter does not)."),
    )
    geo_late_window_h = _bounded(
        "geo_late_window_h",
        _("Late positions accepted for (h)"),
        _("Positions from a phone's offline buffer this late still correct events."),
    )
    max_plausible_speed_kmh = _bounded(
        "max_plausible_speed_kmh",
        _("Fastest plausible move (km/h)"),
        _("A fix that would need a faster move is an invalid jump and is ignored."),
    )
    trip_min_speed_kmh = _bounded("trip_min_speed_kmh", _("Moving above (km/h)"))
    stop_min_duration_s = _bounded("stop_min_duration_s", _("Shortest stop (s)"))
    stop_radius_m = _bounded("stop_radius_m", _("Parked within (m)"))
    trip_min_distance_m = _bounded("trip_min_distance_m", _("Shortest trip (m)"))
    hub_exit_status = forms.ChoiceField(
        label=_("Status of shipments leaving a hub"),
        choices=[
            ("in_transit", _("In transit")),
            ("out_for_delivery", _("Out for delivery")),
        ],
    )
    arrival_radius_m = _bounded(
        "arrival_radius_m",
        _("Arrival radius (m)"),
        _("Within this distance of the consignee, the driver is asked: delivered?"),
    )
    overspeed_kmh = _bounded(
        "overspeed_kmh",
        _("Overspeed alert above (km/h)"),
        _("Leave empty for no overspeed alerts."),
        required=False,
    )


class GeoJSONTextField(NormalisedTextField):
    """A GeoJSON text written by the page's script: opaque text (hazards refused, kept as
    sent); its meaning is checked by ``geo.geofences``."""

    def normalise(self, value: str) -> str:
        return opaque_text(value)


class GeofenceForm(forms.Form):
    """A geofence drawn on the map: its name and place, and the drawn shape in ``geometry``
    (a GeoJSON Polygon, or a Point with ``radius`` in metres), filled in by geofences.js. The
    service checks the geometry."""

    name = HumanTextField(label=_("Name"), max_length=100)
    site_kind = forms.ChoiceField(label=_("Kind of place"), choices=SiteKind.choices)
    site_name = HumanTextField(
        label=_("Warehouse, hub or customer"),
        max_length=100,
        required=False,
        help_text=_("As it appears on shipment timelines."),
    )
    geometry = GeoJSONTextField(widget=forms.HiddenInput, max_length=500_000)
    radius = forms.FloatField(widget=forms.HiddenInput, required=False)

    def clean_geometry(self) -> dict[str, Any]:
        import json

        try:
            value = json.loads(self.cleaned_data["geometry"])
        except ValueError as exc:
            raise forms.ValidationError(_("Draw a polygon or a circle on the map.")) from exc
        if not isinstance(value, dict):
            raise forms.ValidationError(_("Draw a polygon or a circle on the map."))
        return value


class GeofenceImportForm(forms.Form):
    file = forms.FileField(
        label=_("GeoJSON or KML file"),
        help_text=_("A FeatureCollection of Polygons and Points with a radius, or KML placemarks."),
    )
