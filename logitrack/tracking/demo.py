"""Demo devices: per demo tenant one GPS tracker, one phone, one RFID reader and one camera,
with the last 24 hours of positions (one a minute) for the tracker and the phone.

Devices are registered through ``device_create`` (the owner acting); positions go through the
group-commit writer's SQL (``write_positions``). Each tenant's entry in ``var/demo.json`` gets
``"devices": [{"kind", "identifier", "token"}]`` so a developer can point Traccar Client or
``curl`` at the gateway at once.
"""

from __future__ import annotations

import datetime as dt
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
from logitrack.tracking.services.devices import device_create

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
        with tenant_context(tenant), transaction.atomic():
            for index, kind in enumerate(DeviceKind):
                created = device_create(
                    principal=principal,
                    kind=kind,
                    identifier=f"demo-{tenant.slug}-{kind.value.replace('_', '-')}",
                    name=NAMES[kind],
                )
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
        entry["devices"] = devices
