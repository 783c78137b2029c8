"""Isolation contracts of the tracking routes, for tests/isolation (see contract.py there).

Registered by importing this module from ``tests/isolation/contracts.py``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from logitrack.tenancy.roles import Permission
from tests.isolation.contract import MISSING_ID, Contract, contract
from tests.isolation.world import World

P = Permission
_GEO_DEFAULTS = {
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
_serial = itertools.count(1)
_v1 = "/api/v1"


def _make_device(world: World, side: str) -> int:
    from logitrack.core.tenant import tenant_context
    from logitrack.tracking.models import Device
    from logitrack.tracking.tokens import device_token_new

    new = device_token_new()
    with tenant_context(world.side(side).tenant):
        device = Device.objects.create(
            kind="gps_tracker",
            identifier=f"contract-{side}-{next(_serial)}",
            name="Xe tải hợp đồng",
            token_prefix=new.prefix,
            token_hash=new.secret_hash,
        )
    return int(device.pk)


def _device_state(pk: int) -> Any:
    from logitrack.tracking.models import Device, DeviceAssignment

    return (
        list(
            Device.dangerously_unscoped.filter(pk=pk).values_list(
                "name", "enabled", "require_token", "allowed_networks", "token_hash"
            )
        ),
        list(DeviceAssignment.dangerously_unscoped.filter(device_id=pk).values_list("pk")),
    )


def _fixed(path: str) -> Callable[[int | None], str]:
    return lambda pk: path


def _object(pattern: str) -> Callable[[int | None], str]:
    return lambda pk: pattern.format(pk if pk is not None else MISSING_ID)


def _device_json(world: World, pk: int | None) -> dict[str, Any]:
    return {"kind": "phone", "identifier": f"contract-new-{next(_serial)}", "name": "Điện thoại"}


device: dict[str, Any] = {"make": _make_device, "snapshot": _device_state}

contract(Contract("api-1:devices_list", "GET", P.OPERATIONS_VIEW, _fixed(f"{_v1}/devices")))
contract(
    Contract(
        "api-1:device_create",
        "POST",
        P.OPERATIONS_MANAGE,
        _fixed(f"{_v1}/devices"),
        body=_device_json,
        json=True,
        ok=201,
    )
)
contract(
    Contract("api-1:device_get", "GET", P.OPERATIONS_VIEW, _object(f"{_v1}/devices/{{}}"), **device)
)
contract(
    Contract(
        "api-1:device_update",
        "PATCH",
        P.OPERATIONS_MANAGE,
        _object(f"{_v1}/devices/{{}}"),
        body=lambda world, pk: {"name": "Đổi tên", "enabled": False},
        json=True,
        **device,
    )
)
contract(
    Contract(
        "api-1:device_token_rotate",
        "POST",
        P.OPERATIONS_MANAGE,
        _object(f"{_v1}/devices/{{}}/token"),
        json=True,
        **device,
    )
)
contract(
    Contract(
        "api-1:device_assignments",
        "GET",
        P.OPERATIONS_VIEW,
        _object(f"{_v1}/devices/{{}}/assignments"),
        **device,
    )
)
contract(
    Contract(
        "api-1:device_assign",
        "POST",
        P.OPERATIONS_MANAGE,
        _object(f"{_v1}/devices/{{}}/assignments"),
        body=lambda world, pk: {"target": "dock", "place_name": "Cửa 3"},
        json=True,
        ok=201,
        **device,
    )
)


def _by_identifier(suffix: str) -> Callable[[int | None], str]:
    """The device's URL by its identifier (a missing id: an identifier nobody has)."""

    def path(pk: int | None) -> str:
        from logitrack.tracking.models import Device

        identifier = (
            Device.dangerously_unscoped.filter(pk=pk).values_list("identifier", flat=True).first()
            if pk is not None
            else None
        )
        return f"{_v1}/devices/{identifier or 'contract-missing'}/{suffix}"

    return path


contract(
    Contract(
        "api-1:device_trips",
        "GET",
        P.OPERATIONS_VIEW,
        _by_identifier("trips?start=2026-11-02T00:00:00%2B07:00&end=2026-11-03T00:00:00%2B07:00"),
        **device,
    )
)


def _report_of_device(prefix: str) -> Callable[[int | None], str]:
    """A report narrowed to one device by its identifier (a missing id: nobody's)."""

    def path(pk: int | None) -> str:
        from logitrack.tracking.models import Device

        identifier = (
            Device.dangerously_unscoped.filter(pk=pk).values_list("identifier", flat=True).first()
            if pk is not None
            else None
        )
        return prefix + (identifier or "contract-missing")

    return path


contract(
    Contract(
        "api-1:reports_daily",
        "GET",
        P.OPERATIONS_VIEW,
        _report_of_device(f"{_v1}/reports/daily?start=2026-11-01&end=2026-11-30&device="),
        **device,
    )
)

# --- Device pages (logitrack/tracking/page_urls.py) ----------------------------------------------
# Pages are run with every account level's session (API keys are for the API routes above).

_pages = "/operations/devices"


def _positions_state(pk: int) -> Any:
    from logitrack.tracking.models import Position

    return (_device_state(pk), Position.dangerously_unscoped.filter(device_id=pk).count())


page_device: dict[str, Any] = {"make": _make_device, "snapshot": _positions_state}

contract(Contract("devices:list", "get", P.OPERATIONS_VIEW, _fixed(f"{_pages}/")))
contract(Contract("devices:create", "get", P.OPERATIONS_MANAGE, _fixed(f"{_pages}/new/")))
contract(
    Contract(
        "devices:create",
        "post",
        P.OPERATIONS_MANAGE,
        _fixed(f"{_pages}/new/"),
        body=lambda world, pk: {
            "kind": "gps_tracker",
            "identifier": f"contract-page-{next(_serial)}",
            "name": "Xe tải trang",
        },
    )
)
contract(
    Contract("devices:detail", "get", P.OPERATIONS_VIEW, _object(f"{_pages}/{{}}/"), **page_device)
)
contract(
    Contract(
        "devices:enabled",
        "post",
        P.OPERATIONS_MANAGE,
        _object(f"{_pages}/{{}}/enabled/"),
        body=lambda world, pk: {"enabled": "0"},
        ok=302,
        **page_device,
    )
)
contract(
    Contract(
        "devices:token",
        "post",
        P.OPERATIONS_MANAGE,
        _object(f"{_pages}/{{}}/token/"),
        **page_device,
    )
)
contract(
    Contract(
        "devices:assign",
        "post",
        P.OPERATIONS_MANAGE,
        _object(f"{_pages}/{{}}/assign/"),
        body=lambda world, pk: {"target": "dock", "place_name": "Cửa 3"},
        ok=302,
        **page_device,
    )
)
for _route, _suffix in (
    ("devices:history", "history/"),
    ("devices:positions", "positions/"),
    ("devices:positions-csv", "positions.csv"),
    ("devices:positions-gpx", "positions.gpx"),
):
    contract(
        Contract(
            _route, "get", P.OPERATIONS_VIEW, _object(f"{_pages}/{{}}/{_suffix}"), **page_device
        )
    )
contract(
    Contract(
        "devices:plain-http",
        "get",
        P.TENANT_MANAGE,
        _fixed(f"{_pages}/plain-http/"),
    )
)
contract(
    Contract(
        "devices:plain-http",
        "post",
        P.TENANT_MANAGE,
        _fixed(f"{_pages}/plain-http/"),
        body=lambda world, pk: {"allowed": "1"},
        ok=302,
    )
)
# Turning camera blurring off (with a reason): the tenant's own settings row only.
contract(
    Contract(
        "devices:camera-blur",
        "post",
        P.TENANT_MANAGE,
        _fixed(f"{_pages}/camera-blur/"),
        body=lambda world, pk: {"enabled": "0", "reason": "Điều tra sự cố tại cửa 3"},
        ok=302,
    )
)
# The RFID de-duplication window: the tenant's own settings row only.
contract(
    Contract(
        "devices:rfid-window",
        "post",
        P.TENANT_MANAGE,
        _fixed(f"{_pages}/rfid-window/"),
        body=lambda world, pk: {"window_seconds": "3.5"},
        ok=302,
    )
)
contract(
    Contract(
        "devices:geo-settings",
        "post",
        P.TENANT_MANAGE,
        _fixed(f"{_pages}/geo-settings/"),
        body=lambda world, pk: {**_GEO_DEFAULTS, "stop_radius_m": "80"},
        ok=302,
    )
)
contract(Contract("devices:fleet", "get", P.OPERATIONS_VIEW, _fixed("/operations/fleet/")))
contract(
    Contract(
        "devices:vehicle-create",
        "post",
        P.OPERATIONS_MANAGE,
        _fixed("/operations/fleet/vehicles/"),
        body=lambda world, pk: {"plate": f"51C-{next(_serial):03d}.45"},
        ok=302,
    )
)
contract(
    Contract(
        "devices:driver-create",
        "post",
        P.OPERATIONS_MANAGE,
        _fixed("/operations/fleet/drivers/"),
        body=lambda world, pk: {"full_name": "Trần Văn Bình"},
        ok=302,
    )
)
# Logitrack's security officer's page (platform staff, no tenant permission): no member of any
# account level reaches it (403), whatever they hold; the officer's own access is tested in
# logitrack/tracking/tests/test_pages.py.
contract(
    Contract(
        "devices:plain-http-overview",
        "get",
        None,
        _fixed("/staff/security/plain-http/"),
        ok=403,
    )
)


# --- RFID: dock doors, shipment tags, EPCIS (logitrack/tracking/rfid/api.py) ------------------


def _make_reader(world: World, side: str) -> int:
    from logitrack.tracking.tests.factories import make_reader

    return int(make_reader(world.side(side).tenant).pk)


def _make_door(world: World, side: str) -> int:
    from logitrack.tracking.models import Device
    from logitrack.tracking.tests.factories import make_dock_door

    reader = Device.dangerously_unscoped.get(pk=_make_reader(world, side))
    return int(make_dock_door(reader, direction="in", antenna=1).pk)


def _door_state(pk: int) -> Any:
    from logitrack.tracking.models import DockDoor

    return list(
        DockDoor.dangerously_unscoped.filter(pk=pk).values_list(
            "name", "place", "direction", "antenna", "location_id", "active"
        )
    )


def _door_json(world: World, pk: int | None) -> dict[str, Any]:
    return {
        "device_id": _make_reader(world, "a"),
        "antenna": 2,
        "name": f"Cửa nhập {next(_serial)}",
        "place": "Kho Tân Bình",
        "direction": "in",
    }


def _tags_state(pk: int) -> Any:
    from logitrack.tracking.models import ShipmentTag

    return sorted(
        ShipmentTag.dangerously_unscoped.filter(shipment_id=pk).values_list("epc_uri", flat=True)
    )


def _shipment_waybill(pk: int | None) -> str:
    from logitrack.logistics.tests.contracts import _waybill

    return _waybill(pk)


def _make_shipment(world: World, side: str) -> int:
    from logitrack.logistics.tests.contracts import _make_shipment as make

    return make(world, side)


door: dict[str, Any] = {"make": _make_door, "snapshot": _door_state}

contract(Contract("api-1:dock_doors_list", "GET", P.OPERATIONS_VIEW, _fixed(f"{_v1}/dock-doors")))
contract(
    Contract(
        "api-1:dock_door_create",
        "POST",
        P.WAREHOUSE_MANAGE,
        _fixed(f"{_v1}/dock-doors"),
        body=_door_json,
        json=True,
        ok=201,
    )
)
contract(
    Contract(
        "api-1:dock_door_get",
        "GET",
        P.OPERATIONS_VIEW,
        _object(f"{_v1}/dock-doors/{{}}"),
        **door,
    )
)
contract(
    Contract(
        "api-1:dock_door_update",
        "PATCH",
        P.WAREHOUSE_MANAGE,
        _object(f"{_v1}/dock-doors/{{}}"),
        body=lambda world, pk: {"place": "Hub Sóng Thần", "active": False},
        json=True,
        **door,
    )
)
contract(
    Contract(
        "api-1:shipment_tags_attach",
        "POST",
        P.WAREHOUSE_MANAGE,
        lambda pk: f"{_v1}/shipments/{_shipment_waybill(pk)}/tags",
        body=lambda world, pk: {"epcs": [f"urn:epc:id:sgtin:0614141.112345.{next(_serial)}"]},
        json=True,
        ok=201,
        make=_make_shipment,
        snapshot=_tags_state,
    )
)
contract(Contract("api-1:epcis_events", "GET", P.OPERATIONS_VIEW, _fixed(f"{_v1}/epcis/events")))

# Dock door pages (logitrack/tracking/page_urls.py).
_doors = "/operations/dock-doors"


def _door_form(world: World, pk: int | None) -> dict[str, Any]:
    body = _door_json(world, pk)
    return {
        "name": body["name"],
        "place": body["place"],
        "device": body["device_id"],
        "antenna": "2",
        "direction": "in",
        "location_id": "",
    }


contract(Contract("devices:dock-doors", "get", P.OPERATIONS_VIEW, _fixed(f"{_doors}/")))
contract(Contract("devices:dock-door-create", "get", P.WAREHOUSE_MANAGE, _fixed(f"{_doors}/new/")))
contract(
    Contract(
        "devices:dock-door-create",
        "post",
        P.WAREHOUSE_MANAGE,
        _fixed(f"{_doors}/new/"),
        body=_door_form,
        ok=302,
    )
)
contract(
    Contract(
        "devices:dock-door-edit", "get", P.WAREHOUSE_MANAGE, _object(f"{_doors}/{{}}/"), **door
    )
)
contract(
    Contract(
        "devices:dock-door-edit",
        "post",
        P.WAREHOUSE_MANAGE,
        _object(f"{_doors}/{{}}/"),
        body=lambda world, pk: {
            "name": f"Cửa đổi tên {next(_serial)}",
            "place": "Hub Sóng Thần",
            "antenna": "5",
            "direction": "out",
            "location_id": "",
        },
        ok=302,
        **door,
    )
)
contract(
    Contract(
        "devices:dock-door-active",
        "post",
        P.WAREHOUSE_MANAGE,
        _object(f"{_doors}/{{}}/active/"),
        body=lambda world, pk: {"active": "0"},
        ok=302,
        **door,
    )
)

# --- Daily report page and exports (logitrack/tracking/views/reports.py) --------------------
for _route, _suffix in (
    ("devices:daily-report", "daily/"),
    ("devices:daily-report-csv", "daily.csv"),
    ("devices:daily-report-xlsx", "daily.xlsx"),
):
    contract(
        Contract(
            _route,
            "get",
            P.OPERATIONS_VIEW,
            _fixed(f"/operations/reports/{_suffix}?start=2026-11-01&end=2026-11-30"),
        )
    )

# --- Geofences (logitrack/tracking/geo/api.py) -------------------------------------------------

_SQUARE = [[106.0, 10.0], [106.01, 10.0], [106.01, 10.01], [106.0, 10.01], [106.0, 10.0]]


def _geofence_feature(world: World, pk: int | None) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [_SQUARE]},
        "properties": {"name": f"Kho {next(_serial)}", "site_kind": "warehouse"},
    }


def _make_geofence(world: World, side: str) -> int:
    from logitrack.core.tenant import tenant_context
    from logitrack.tracking.models import Geofence

    with tenant_context(world.side(side).tenant):
        fence = Geofence.objects.create(
            name=f"Vùng {side} {next(_serial)}",
            shape="circle",
            geometry={"type": "Point", "coordinates": [106.7, 10.8]},
            radius_m=200.0,
            min_latitude=10.79,
            min_longitude=106.69,
            max_latitude=10.81,
            max_longitude=106.71,
            area_m2=125_664.0,
        )
    return int(fence.pk)


def _geofence_state(pk: int) -> Any:
    from logitrack.tracking.models import Geofence

    return list(
        Geofence.dangerously_unscoped.filter(pk=pk).values_list("name", "geometry", "active")
    )


def _geofence_file(world: World, pk: int | None) -> dict[str, Any]:
    import json as json_module

    from django.core.files.uploadedfile import SimpleUploadedFile

    document = {"type": "FeatureCollection", "features": [_geofence_feature(world, pk)]}
    return {"file": SimpleUploadedFile("vung.geojson", json_module.dumps(document).encode())}


geofence: dict[str, Any] = {"make": _make_geofence, "snapshot": _geofence_state}

contract(Contract("api-1:geofences_list", "GET", P.OPERATIONS_VIEW, _fixed(f"{_v1}/geofences")))
contract(
    Contract(
        "api-1:geofence_create",
        "POST",
        P.OPERATIONS_MANAGE,
        _fixed(f"{_v1}/geofences"),
        body=_geofence_feature,
        json=True,
        ok=201,
    )
)
contract(
    Contract(
        "api-1:geofences_import",
        "POST",
        P.OPERATIONS_MANAGE,
        _fixed(f"{_v1}/geofences/import"),
        body=_geofence_file,
        ok=201,
    )
)
contract(
    Contract(
        "api-1:geofence_get", "GET", P.OPERATIONS_VIEW, _object(f"{_v1}/geofences/{{}}"), **geofence
    )
)
contract(
    Contract(
        "api-1:geofence_delete",
        "DELETE",
        P.OPERATIONS_MANAGE,
        _object(f"{_v1}/geofences/{{}}"),
        ok=204,
        **geofence,
    )
)
contract(
    Contract("api-1:geofence_events", "GET", P.OPERATIONS_VIEW, _fixed(f"{_v1}/geofence-events"))
)


# Geofence pages (logitrack/tracking/views/geofences.py).
_fences = "/operations/geofences"


def _geofence_form(world: World, pk: int | None) -> dict[str, Any]:
    import json as json_module

    return {
        "name": f"Kho vẽ {next(_serial)}",
        "site_kind": "warehouse",
        "site_name": "Kho Tân Bình",
        "geometry": json_module.dumps({"type": "Polygon", "coordinates": [_SQUARE]}),
        "radius": "",
    }


contract(Contract("devices:geofences", "get", P.OPERATIONS_VIEW, _fixed(f"{_fences}/")))
contract(Contract("devices:geofence-create", "get", P.OPERATIONS_MANAGE, _fixed(f"{_fences}/new/")))
contract(
    Contract(
        "devices:geofence-create",
        "post",
        P.OPERATIONS_MANAGE,
        _fixed(f"{_fences}/new/"),
        body=_geofence_form,
        ok=302,
    )
)
contract(
    Contract("devices:geofence-import", "get", P.OPERATIONS_MANAGE, _fixed(f"{_fences}/import/"))
)
contract(
    Contract(
        "devices:geofence-import",
        "post",
        P.OPERATIONS_MANAGE,
        _fixed(f"{_fences}/import/"),
        body=_geofence_file,
        ok=302,
    )
)
contract(
    Contract(
        "devices:geofence-delete",
        "post",
        P.OPERATIONS_MANAGE,
        _object(f"{_fences}/{{}}/delete/"),
        ok=302,
        **geofence,
    )
)

# --- live map and near search (logitrack/tracking/map, geo/near.py) ---------------------------

contract(Contract("devices:map", "get", P.OPERATIONS_VIEW, _fixed("/operations/map/")))
contract(Contract("api-1:map_devices", "GET", P.OPERATIONS_VIEW, _fixed(f"{_v1}/map/devices")))
contract(
    Contract(
        "api-1:positions_near",
        "GET",
        P.OPERATIONS_VIEW,
        _fixed(
            f"{_v1}/positions/near?latitude=10.8&longitude=106.7&radius_m=500"
            "&start=2026-11-02T00:00:00%2B07:00&end=2026-11-02T12:00:00%2B07:00"
        ),
    )
)
