"""The blurring switch on the device settings page, and snapshots on the shipment timeline."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator

import pytest
from django.test import Client
from PIL import Image
from skimage import data as skimage_data

from logitrack.core.tenant import tenant_context
from logitrack.security.models import AuditEntry
from logitrack.tenancy.models import Membership
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant, principal_for, sign_in
from logitrack.tracking.cameras.errors import BlurReasonInvalid, BlurReasonMissing
from logitrack.tracking.cameras.services import camera_snapshot_record, snapshot_buckets
from logitrack.tracking.errors import NotAllowed
from logitrack.tracking.ingest.accept import get_gate
from logitrack.tracking.ingest.directory import directory
from logitrack.tracking.models import CameraEvent, TenantDeviceSettings
from logitrack.tracking.services.settings import tenant_camera_blur_set
from logitrack.tracking.tests.factories import make_device

pytestmark = pytest.mark.django_db
PAGE = "/operations/devices/plain-http/"
SWITCH = "/operations/devices/camera-blur/"


@pytest.fixture(autouse=True)
def fresh_directory() -> Iterator[None]:
    get_gate.cache_clear()
    directory.forget()
    snapshot_buckets.cache_clear()
    yield
    snapshot_buckets.cache_clear()
    directory.forget()


@pytest.fixture
def owner() -> Membership:
    return make_member(make_tenant(), Role.OWNER)


def _settings(owner: Membership) -> list[tuple[bool, str]]:
    return list(
        TenantDeviceSettings.dangerously_unscoped.filter(tenant_id=owner.tenant_id).values_list(
            "camera_blur_enabled", "camera_blur_off_reason"
        )
    )


def test_blurring_is_on_by_default_and_the_page_says_so(client: Client, owner: Membership) -> None:
    sign_in(client, owner)

    page = client.get(PAGE).content.decode()

    assert "data-camera-blur-state" in page
    assert "Tắt làm mờ" in page  # pages speak Vietnamese unless the person chose English
    assert _settings(owner) == []


def test_the_devices_page_links_the_blurring_switch_for_those_who_may_change_it(
    client: Client, owner: Membership
) -> None:
    # A new admin looks for the camera setting on the devices page, not under legacy trackers.
    dispatcher = make_member(owner.tenant, Role.DISPATCHER)
    sign_in(client, owner)
    link = f'href="{PAGE}#camera-blur" data-camera-blur-link'

    devices = client.get("/operations/devices/").content.decode()
    settings_page = client.get(PAGE).content.decode()
    sign_in(client, dispatcher)
    for_dispatcher = client.get("/operations/devices/").content.decode()

    assert link in devices
    assert "Khuôn mặt và biển số xe trong ảnh chụp từ camera" in devices
    assert 'id="camera-blur"' in settings_page
    assert "data-camera-blur-link" not in for_dispatcher


def test_turning_blurring_off_without_a_reason_is_refused_and_changes_nothing(
    client: Client, owner: Membership
) -> None:
    sign_in(client, owner)

    response = client.post(SWITCH, {"enabled": "0", "reason": "   "})

    assert response.status_code == 422
    assert 'id="id_reason_error"' in response.content.decode()
    assert _settings(owner) == []
    assert not AuditEntry.objects.filter(action="camera_blur_disabled").exists()


def test_turning_blurring_off_with_a_reason_keeps_it_and_audits_it(
    client: Client, owner: Membership
) -> None:
    sign_in(client, owner)

    response = client.post(SWITCH, {"enabled": "0", "reason": "  Điều tra   vụ mất hàng  "})

    assert response.status_code == 302
    assert _settings(owner) == [(False, "Điều tra vụ mất hàng")]
    entry = AuditEntry.objects.get(action="camera_blur_disabled")
    assert entry.details == {"reason": "Điều tra vụ mất hàng"}
    assert entry.tenant_id == owner.tenant_id
    page = client.get(PAGE).content.decode()
    assert "data-camera-blur-reason" in page
    assert "Điều tra vụ mất hàng" in page


def test_turning_blurring_on_again_clears_the_reason_and_audits(
    client: Client, owner: Membership
) -> None:
    sign_in(client, owner)
    client.post(SWITCH, {"enabled": "0", "reason": "Điều tra"})

    response = client.post(SWITCH, {"enabled": "1"})

    assert response.status_code == 302
    assert _settings(owner) == [(True, "")]
    assert AuditEntry.objects.filter(action="camera_blur_enabled").count() == 1


def test_a_dispatcher_cannot_turn_blurring_off(client: Client, owner: Membership) -> None:
    dispatcher = make_member(owner.tenant, Role.DISPATCHER)
    sign_in(client, dispatcher)

    response = client.post(SWITCH, {"enabled": "0", "reason": "Điều tra"})

    assert response.status_code == 403
    assert _settings(owner) == []
    with tenant_context(owner.tenant), pytest.raises(NotAllowed):
        tenant_camera_blur_set(principal=principal_for(dispatcher), enabled=False, reason="x")
    assert _settings(owner) == []


@pytest.mark.parametrize(
    ("reason", "error"),
    [
        ("", BlurReasonMissing),
        ("a\u202eb", BlurReasonInvalid),
        ("gọi 0901234567", BlurReasonInvalid),
    ],
    ids=["blank", "bidi_control", "phone_number"],
)
def test_the_service_refuses_a_missing_or_unsafe_reason_and_changes_nothing(
    owner: Membership, reason: str, error: type[Exception]
) -> None:
    with tenant_context(owner.tenant), pytest.raises(error):
        tenant_camera_blur_set(principal=principal_for(owner), enabled=False, reason=reason)

    assert _settings(owner) == []
    assert not AuditEntry.objects.filter(action="camera_blur_disabled").exists()


def test_the_database_refuses_blurring_off_without_a_reason(owner: Membership) -> None:
    from django.db import IntegrityError, transaction

    with tenant_context(owner.tenant), pytest.raises(IntegrityError), transaction.atomic():
        TenantDeviceSettings.objects.create(camera_blur_enabled=False)


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.fromarray(skimage_data.astronaut()).save(out, "JPEG")
    return out.getvalue()


def test_the_shipment_timeline_shows_the_snapshot_at_its_time_with_its_thumbnail(
    client: Client, owner: Membership
) -> None:
    from logitrack.logistics.tests.factories import make_order_row, make_shipment_row, make_shipper

    shipment = make_shipment_row(make_order_row(make_shipper(owner.tenant)))
    camera = make_device(owner, kind="camera").device
    with tenant_context(owner.tenant):
        event = camera_snapshot_record(
            device=camera,
            data=_jpeg(),
            captured_at="2026-11-30T03:00:00+00:00",
            waybill=shipment.waybill,
        )
    sign_in(client, owner)

    page = client.get(f"/operations/shipments/{shipment.waybill}/").content.decode()

    assert f'data-camera-event="{event.event_id}"' in page
    thumbnail = f"/api/v1/documents/{event.document_id}/thumbnail"
    assert thumbnail in page
    assert f"/api/v1/documents/{event.document_id}/download" in page
    assert "khuôn mặt đã làm mờ: 1, biển số đã làm mờ: 0" in page
    image = client.get(thumbnail)
    assert image.status_code == 200
    assert image["Content-Type"] == "image/webp"


def test_snapshots_are_placed_among_the_events_by_their_time(owner: Membership) -> None:
    from logitrack.logistics.services.transitions import shipment_record_event
    from logitrack.logistics.status import EventSource
    from logitrack.logistics.tests.factories import make_order_row, make_shipment_row, make_shipper
    from logitrack.logistics.views.shipments import timeline_rows

    shipment = make_shipment_row(make_order_row(make_shipper(owner.tenant)))
    camera = make_device(owner, kind="camera").device
    with tenant_context(owner.tenant):
        for hour in (5, 1):
            camera_snapshot_record(
                device=camera,
                data=_jpeg(),
                captured_at=f"2026-11-30T0{hour}:00:00+00:00",
                waybill=shipment.waybill,
            )
        shipment_record_event(
            actor=principal_for(owner),
            shipment=shipment,
            status=None,
            occurred_at=dt.datetime(2026, 11, 30, 3, tzinfo=dt.UTC),
            source=EventSource.USER,
            idempotency_key="scan-at-three",
            place="Kho Tân Bình",
        )
        rows = timeline_rows(principal_for(owner), shipment)

    kinds = [("snapshot" if "snapshot" in row else "event", row["at"].hour) for row in rows]
    assert kinds == [("snapshot", 1), ("event", 3), ("snapshot", 5)]


def test_another_tenants_member_sees_neither_the_snapshot_nor_its_thumbnail(
    client: Client, owner: Membership
) -> None:
    from logitrack.logistics.tests.factories import make_order_row, make_shipment_row, make_shipper

    shipment = make_shipment_row(make_order_row(make_shipper(owner.tenant)))
    camera = make_device(owner, kind="camera").device
    with tenant_context(owner.tenant):
        event = camera_snapshot_record(device=camera, data=_jpeg(), waybill=shipment.waybill)
    sign_in(client, make_member(make_tenant(), Role.OWNER))

    assert client.get(f"/operations/shipments/{shipment.waybill}/").status_code == 404
    assert client.get(f"/api/v1/documents/{event.document_id}/thumbnail").status_code == 404
    assert CameraEvent.dangerously_unscoped.count() == 1
