"""The tenant's geofence, trip and alert thresholds on the device settings page
(services.geo_settings)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from logitrack.core.tenant import tenant_context
from logitrack.security.models import AuditEntry
from logitrack.tenancy.models import Tenant
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant, principal_for, sign_in
from logitrack.tracking.errors import GeoSettingsInvalid, NotAllowed
from logitrack.tracking.models import Device, PositionBacklog, TenantDeviceSettings
from logitrack.tracking.services.geo_settings import tenant_geo_settings_set
from logitrack.tracking.tests.factories import make_device

pytestmark = pytest.mark.django_db

SETTINGS = "/operations/devices/geo-settings/"
DEFAULTS = {
    "geofence_hysteresis_m": "30",
    "geofence_min_dwell_s": "20",
    "geo_late_window_h": "72",
    "max_plausible_speed_kmh": "250",
    "trip_min_speed_kmh": "5",
    "stop_min_duration_s": "300",
    "stop_radius_m": "50",
    "trip_min_distance_m": "300",
    "hub_exit_status": "in_transit",
    "arrival_radius_m": "150",
    "overspeed_kmh": "",
}


def _row(tenant: Tenant) -> TenantDeviceSettings:
    with tenant_context(tenant):
        row: TenantDeviceSettings = TenantDeviceSettings.objects.get()
    return row


def test_the_owner_changes_thresholds_on_the_page_and_only_the_changes_are_audited(
    client: Client,
) -> None:
    owner = make_member(make_tenant(), Role.OWNER)
    sign_in(client, owner)

    response = client.post(
        SETTINGS,
        {
            **DEFAULTS,
            "geofence_hysteresis_m": "45",
            "hub_exit_status": "out_for_delivery",
            "overspeed_kmh": "80",
        },
    )

    assert response.status_code == 302
    row = _row(owner.tenant)
    assert (row.geofence_hysteresis_m, row.hub_exit_status, row.overspeed_kmh) == (
        45,
        "out_for_delivery",
        80,
    )
    with tenant_context(owner.tenant):
        entry = AuditEntry.objects.get(action="geo_settings_changed")
    assert entry.details == {
        "before": {
            "geofence_hysteresis_m": 30,
            "hub_exit_status": "in_transit",
            "overspeed_kmh": None,
        },
        "after": {
            "geofence_hysteresis_m": 45,
            "hub_exit_status": "out_for_delivery",
            "overspeed_kmh": 80,
        },
    }
    page = client.get("/operations/devices/plain-http/").content.decode()
    section = page.split("data-geo-settings", 1)[1].split("</section>", 1)[0]
    assert 'name="geofence_hysteresis_m"' in section
    assert 'value="45"' in section


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("geofence_hysteresis_m", "1001"),
        ("geofence_hysteresis_m", "-1"),
        ("stop_min_duration_s", "10"),
        ("max_plausible_speed_kmh", "abc"),
        ("overspeed_kmh", "5"),
        ("hub_exit_status", "delivered"),
        ("trip_min_speed_kmh", ""),
    ],
)
def test_a_value_out_of_range_changes_nothing(client: Client, field: str, value: str) -> None:
    owner = make_member(make_tenant(), Role.OWNER)
    sign_in(client, owner)

    response = client.post(SETTINGS, {**DEFAULTS, "stop_radius_m": "99", field: value})

    assert response.status_code == 422
    with tenant_context(owner.tenant):
        assert not TenantDeviceSettings.objects.filter(stop_radius_m=99).exists()
        assert not AuditEntry.objects.filter(action="geo_settings_changed").exists()


def test_a_dispatcher_cannot_change_thresholds() -> None:
    dispatcher = make_member(make_tenant(), Role.DISPATCHER)

    with tenant_context(dispatcher.tenant), pytest.raises(NotAllowed):
        tenant_geo_settings_set(principal=principal_for(dispatcher), values={"stop_radius_m": 99})


@pytest.mark.parametrize(
    "values",
    [
        {"stop_radius_m": 5},
        {"stop_radius_m": True},
        {"stop_radius_m": 50.5},
        {"valid": 1},
        {"overspeed_kmh": 301},
    ],
)
def test_the_service_refuses_what_the_form_would_not_send(values: dict[str, object]) -> None:
    owner = make_member(make_tenant(), Role.OWNER)

    with tenant_context(owner.tenant), pytest.raises(GeoSettingsInvalid):
        tenant_geo_settings_set(principal=principal_for(owner), values=values)


def test_changing_a_trip_threshold_owes_recent_devices_their_days_again() -> None:
    owner = make_member(make_tenant(), Role.OWNER)
    recent = make_device(owner).device
    silent = make_device(owner).device
    with tenant_context(owner.tenant):
        Device.objects.filter(pk=recent.pk).update(last_seen_at=timezone.now())
        Device.objects.filter(pk=silent.pk).update(
            last_seen_at=timezone.now() - dt.timedelta(days=40)
        )

        tenant_geo_settings_set(principal=principal_for(owner), values={"geofence_min_dwell_s": 5})
        assert not PositionBacklog.objects.exists()  # a geofence threshold: no re-derivation

        tenant_geo_settings_set(principal=principal_for(owner), values={"stop_radius_m": 80})

        owed = PositionBacklog.objects.get()
    assert owed.device_id == recent.pk
    assert owed.trips_from is not None
    assert owed.trips_from < timezone.now() - dt.timedelta(days=30)
    assert owed.geofences_from is None
