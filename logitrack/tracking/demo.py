"""Demo devices: per demo tenant one GPS tracker, one phone, one RFID reader and one camera,
with the last 24 hours of positions (one a minute) for the tracker and the phone; the reader's
two antennas are the in and out doors of a hub's dock, the camera watches the in door, and the
tenant's pallet in transit passes the in door: its SSCC read over and over for a few seconds
(one de-duplicated observation, the shipment at the hub from the RFID gate), then a snapshot
of the dock linked to it by that read.

Devices are registered through ``device_create`` (the owner acting); positions go through the
group-commit writer's SQL (``write_positions``). Each tenant's entry in ``var/demo.json`` gets
``"devices": [{"kind", "identifier", "token"}]`` so a developer can point Traccar Client or
``curl`` at the gateway at once.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math

from django.db import transaction
from django.utils import timezone

from logitrack.core.demo import DemoFile
from logitrack.core.tenant import tenant_context
from logitrack.tenancy.models import Membership, Tenant
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Role
from logitrack.tracking.ingest.writer import PositionRow, write_positions
from logitrack.tracking.models.devices import DeviceKind
from logitrack.tracking.services.devices import CreatedDevice, device_assign, device_create

# Where each demo company's day is centred: Hoàn Kiếm (Hà Nội) and District 1 (TP.HCM).
CENTRES = {1: (21.0285, 105.8542), 79: (10.7769, 106.7009)}
NAMES = {
    DeviceKind.GPS_TRACKER: "Xe tải 29C-123.45",
    DeviceKind.PHONE: "Điện thoại tài xế",
    DeviceKind.RFID_READER: "Đầu đọc RFID cửa 1",
    DeviceKind.CAMERA: "Camera cửa 1",
}


def day_of_positions(
    tenant_id: int, device_id: int, centre: tuple[float, float], end: dt.datetime, phase: float
) -> list[PositionRow]:
    """1,440 fixes, one a minute, on a 3 km loop around ``centre`` ending at ``end``."""
    rows = []
    for minute in range(24 * 60):
        angle = phase + minute * 2 * math.pi / 90  # one loop each 90 minutes
        fix = end - dt.timedelta(minutes=24 * 60 - minute)
        rows.append(
            PositionRow(
                tenant_id=tenant_id,
                device_id=device_id,
                driver_id=None,
                fix_time=fix,
                device_time=fix,
                server_time=fix,
                latitude=round(centre[0] + 0.027 * math.sin(angle), 6),
                longitude=round(centre[1] + 0.027 * math.cos(angle), 6),
                speed=5.2,
                course=(math.degrees(angle) + 90) % 360,
                accuracy=8.0,
                battery=100 - minute / 24,
            )
        )
    return rows


def load(demo: DemoFile) -> None:
    end = timezone.now().replace(second=0, microsecond=0)
    for entry in demo.tenants:
        tenant = Tenant.objects.get(slug=entry["slug"])
        owner = Membership.dangerously_unscoped.get(tenant=tenant, role=Role.OWNER)
        principal = Principal.for_membership(owner.user, owner)
        devices = []
        created_by_kind: dict[str, CreatedDevice] = {}
        with tenant_context(tenant), transaction.atomic():
            for index, kind in enumerate(DeviceKind):
                created = device_create(
                    principal=principal,
                    kind=kind,
                    identifier=f"demo-{tenant.slug}-{kind.value.replace('_', '-')}",
                    name=NAMES[kind],
                )
                created_by_kind[kind.value] = created
                devices.append(
                    {
                        "kind": kind.value,
                        "identifier": created.device.identifier,
                        "token": created.token,
                    }
                )
                if kind in (DeviceKind.GPS_TRACKER, DeviceKind.PHONE):
                    centre = CENTRES.get(tenant.province_code, CENTRES[79])
                    write_positions(
                        day_of_positions(tenant.pk, created.device.pk, centre, end, index * 1.3)
                    )
            _dock(tenant, principal, created_by_kind, end)
            _hub_geofence(tenant, principal)
            _fleet(principal, created_by_kind)
        entry["devices"] = devices


# The hub whose dock the demo reader and camera watch, by the demo company's province.
HUBS = {1: "Trung tâm khai thác Long Biên", 79: "Trung tâm khai thác Tân Bình"}


def _fleet(principal: Principal, created: dict[str, CreatedDevice]) -> None:
    """A truck carrying the GPS tracker and a driver carrying the phone, so that a new
    dispatcher can give a shipment a carrier and see it on the live map."""
    from logitrack.tracking.services.devices import device_assign
    from logitrack.tracking.services.fleet import driver_create, vehicle_create

    truck = vehicle_create(principal=principal, plate="29C-123.45", label="Xe tải 1,5 tấn")
    driver = driver_create(principal=principal, full_name="Nguyễn Văn An")
    device_assign(
        principal=principal,
        device=created[DeviceKind.GPS_TRACKER.value].device,
        target="vehicle",
        vehicle=truck,
    )
    device_assign(
        principal=principal,
        device=created[DeviceKind.PHONE.value].device,
        target="driver",
        driver=driver,
    )


def _hub_geofence(tenant: Tenant, principal: Principal) -> None:
    """A 400 m circle around the hub, on the demo vehicles' loop (its eastern point), so the
    live map shows it and new positions of the loop enter and leave it."""
    from logitrack.tracking.services.geofences import geofence_create

    centre = CENTRES.get(tenant.province_code, CENTRES[79])
    hub = HUBS.get(tenant.province_code, HUBS[79])
    geofence_create(
        principal=principal,
        feature={
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [centre[1] + 0.027, centre[0]]},
            "properties": {"name": hub, "site_kind": "hub", "site_name": hub, "radius": 400},
        },
    )


def _snapshot(sscc: str) -> bytes:
    """A drawn dock scene (no person in it): a pallet under its SSCC label, as a JPEG."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1280, 720), (92, 98, 104))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 520, 1280, 720), fill=(128, 124, 116))  # the dock floor
    draw.rectangle((420, 250, 860, 560), fill=(176, 132, 84))  # the cartons
    draw.rectangle((400, 560, 880, 600), fill=(120, 86, 52))  # the pallet
    draw.rectangle((520, 320, 760, 420), fill=(245, 245, 240))  # the label
    draw.text((540, 340), "SSCC", fill=(0, 0, 0))
    draw.text((540, 370), f"(00) {sscc}", fill=(0, 0, 0))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _dock(
    tenant: Tenant, principal: Principal, created: dict[str, CreatedDevice], end: dt.datetime
) -> None:
    """Dock doors on the reader's antennas 1 (in) and 2 (out), the camera at the in door, and
    the pallet in transit through it, by the same ingest paths devices use."""
    from logitrack.logistics.models import LogisticsSettings, Shipment
    from logitrack.tracking.cameras.services import camera_snapshot_record
    from logitrack.tracking.epc import sscc_96_hex
    from logitrack.tracking.rfid.ingest import accept_zebra
    from logitrack.tracking.services.docks import dock_door_create

    reader, camera = created["rfid_reader"], created["camera"]
    hub = HUBS.get(tenant.province_code, HUBS[79])
    door_in = dock_door_create(
        principal=principal,
        device=reader.device,
        antenna=1,
        name="Cửa 1 (nhập)",
        place=hub,
        direction="in",
    )
    dock_door_create(
        principal=principal,
        device=reader.device,
        antenna=2,
        name="Cửa 2 (xuất)",
        place=hub,
        direction="out",
    )
    device_assign(principal=principal, device=camera.device, target="dock", place_name=door_in.name)
    pallet = Shipment.objects.filter(sscc__isnull=False, status="in_transit").first()
    prefix = LogisticsSettings.objects.values_list("gs1_company_prefix", flat=True).first()
    if pallet is None or pallet.sscc is None or not prefix:
        return
    epc = sscc_96_hex(pallet.sscc, prefix)
    passed = end - dt.timedelta(minutes=2)
    reads = [
        {
            "timestamp": (passed + dt.timedelta(milliseconds=300 * n)).strftime(
                "%Y-%m-%dT%H:%M:%S.%f"
            )[:-3]
            + "+0000",
            "type": "SIMPLE",
            "data": {"idHex": epc, "antenna": 1, "peakRssi": -52 - n % 6, "reads": 3},
        }
        for n in range(20)
    ]
    status, answer = accept_zebra(reader.token, json.dumps(reads).encode(), None)
    if status != 200:
        raise RuntimeError(f"the demo reads were refused: {answer}")
    camera_snapshot_record(
        device=camera.device,
        data=_snapshot(pallet.sscc),
        # After the camera's assignment to the door began: the read two minutes before links it.
        captured_at=timezone.now().isoformat(),
    )
