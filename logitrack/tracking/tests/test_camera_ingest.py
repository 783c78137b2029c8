"""``POST /ingest/camera``: a camera's snapshot checked, blurred, encrypted, linked, audited;
every refusal leaves no Document, no stored file and no CameraEvent."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from django.test import Client, override_settings
from django.utils import timezone
from PIL import Image
from skimage import data as skimage_data

from logitrack.core.tenant import tenant_context
from logitrack.documents import vault
from logitrack.documents.models import Document
from logitrack.documents.services import document_read
from logitrack.documents.tests import samples
from logitrack.logistics.models import Shipment
from logitrack.security.models import AuditEntry
from logitrack.tenancy.models import Membership
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant, principal_for
from logitrack.tracking.cameras import blur
from logitrack.tracking.cameras.services import snapshot_buckets
from logitrack.tracking.ingest.accept import get_gate
from logitrack.tracking.ingest.directory import directory
from logitrack.tracking.models import CameraEvent, Device, DockDoor, TagObservation
from logitrack.tracking.services.devices import device_assign, device_disable
from logitrack.tracking.services.settings import tenant_camera_blur_set
from logitrack.tracking.tests.factories import make_device

pytestmark = pytest.mark.django_db
URL = "/ingest/camera"
MAKE = 0x010F  # EXIF "Make" (TIFF 6.0 tag 271)


@pytest.fixture(autouse=True)
def fresh_directory() -> Iterator[None]:
    get_gate.cache_clear()
    directory.forget()
    snapshot_buckets.cache_clear()
    yield
    snapshot_buckets.cache_clear()
    get_gate.cache_clear()
    directory.forget()


@pytest.fixture
def owner() -> Membership:
    return make_member(make_tenant(), Role.OWNER)


@pytest.fixture
def camera(owner: Membership) -> tuple[Device, str]:
    created = make_device(owner, kind="camera")
    return created.device, created.token


def _astronaut() -> Image.Image:
    return Image.fromarray(skimage_data.astronaut())


def _jpeg_with_exif(image: Image.Image | None = None) -> bytes:
    exif = Image.Exif()
    exif[MAKE] = "SecretCam"
    out = io.BytesIO()
    (image or _astronaut()).save(out, "JPEG", quality=95, exif=exif.tobytes())
    return out.getvalue()


def _post(client: Client, token: str | None, data: bytes, **fields: str) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    image = io.BytesIO(data)
    image.name = "snap.jpg"
    return client.post(URL, {"image": image, **fields}, headers=headers)


def _nothing_stored(files_before: list[str]) -> None:
    assert Document.dangerously_unscoped.count() == 0
    assert CameraEvent.dangerously_unscoped.count() == 0
    assert samples.stored_files() == files_before
    assert not AuditEntry.objects.filter(action="camera_snapshot_recorded").exists()


def _viewer(owner: Membership) -> Principal:
    return principal_for(owner)


def _shipment(owner: Membership) -> Shipment:
    from logitrack.logistics.tests.factories import make_order_row, make_shipment_row, make_shipper

    return make_shipment_row(make_order_row(make_shipper(owner.tenant)))


def test_a_snapshot_is_stored_blurred_encrypted_and_without_exif(
    client: Client, owner: Membership, camera: tuple[Device, str]
) -> None:
    device, token = camera
    original = _astronaut()
    (face,), _plates = blur.detect_regions(original, plates=False)
    data = _jpeg_with_exif(original)

    response = _post(client, token, data, captured_at="2026-11-30T08:15:00+07:00")

    assert response.status_code == 201
    body = response.json()
    assert body["faces_blurred"] == 1
    assert body["shipment"] is None
    event = CameraEvent.dangerously_unscoped.get(event_id=body["event_id"])
    assert event.device_id == device.pk
    assert event.blurred is True
    assert event.captured_at == dt.datetime(2026, 11, 30, 1, 15, tzinfo=dt.UTC)
    document = Document.dangerously_unscoped.get(pk=event.document_id)
    assert document.kind == "camera_snapshot"
    assert document.content_type == "image/jpeg"
    assert document.thumbnail_key
    # At rest: sealed, not a JPEG, no trace of the EXIF.
    blob = vault.get(document.storage_key)
    assert blob.startswith(vault.MAGIC)
    assert b"\xff\xd8\xff" not in blob[:64]
    assert b"SecretCam" not in blob
    with tenant_context(owner.tenant):
        stored = document_read(actor=_viewer(owner), document=document)
    assert b"SecretCam" not in stored
    clear = Image.open(io.BytesIO(stored))
    assert dict(clear.getexif()) == {}
    # The unblurred face never reached storage: the stored face box is far from the original.
    before = np.asarray(original.crop(face), dtype=np.int16)
    after = np.asarray(clear.convert("RGB").crop(face), dtype=np.int16)
    assert float(np.abs(before - after).mean()) > 20
    entry = AuditEntry.objects.get(action="camera_snapshot_recorded")
    assert entry.details["faces_blurred"] == 1
    assert entry.details["blurred"] is True


def test_blurring_turned_off_with_a_reason_stores_the_snapshot_unblurred(
    client: Client, owner: Membership, camera: tuple[Device, str]
) -> None:
    _device, token = camera
    original = _astronaut()
    (face,), _plates = blur.detect_regions(original, plates=False)
    with tenant_context(owner.tenant):
        tenant_camera_blur_set(
            principal=principal_for(owner), enabled=False, reason="Điều tra vụ mất hàng số 12"
        )

    response = _post(client, token, _jpeg_with_exif(original))

    assert response.status_code == 201
    assert response.json()["faces_blurred"] == 0
    event = CameraEvent.dangerously_unscoped.get()
    assert event.blurred is False
    document = Document.dangerously_unscoped.get()
    with tenant_context(owner.tenant):
        stored = document_read(actor=_viewer(owner), document=document)
    after = np.asarray(Image.open(io.BytesIO(stored)).convert("RGB").crop(face), dtype=np.int16)
    before = np.asarray(original.crop(face), dtype=np.int16)
    assert float(np.abs(before - after).mean()) < 5  # only JPEG re-encoding noise
    assert b"SecretCam" not in stored
    entry = AuditEntry.objects.get(action="camera_snapshot_recorded")
    assert entry.details["blurred"] is False


@pytest.mark.parametrize(
    "case", ["no_token", "wrong_token", "malformed", "gps_tracker", "disabled", "other_header"]
)
def test_a_snapshot_without_a_valid_camera_token_is_refused_and_nothing_is_stored(
    client: Client, owner: Membership, camera: tuple[Device, str], case: str
) -> None:
    device, token = camera
    if case == "gps_tracker":
        token = make_device(owner, kind="gps_tracker").token
    elif case == "disabled":
        with tenant_context(owner.tenant):
            device_disable(principal=principal_for(owner), device=device)
    sent = {
        "no_token": None,
        "wrong_token": token[:-4] + "AAAA",
        "malformed": "lt_not_a_device_token",
        "gps_tracker": token,
        "disabled": token,
        "other_header": None,
    }[case]
    files_before = samples.stored_files()

    if case == "other_header":
        response = client.post(
            URL,
            {"image": io.BytesIO(_jpeg_with_exif())},
            headers={"Authorization": f"Basic {token}"},
        )
    else:
        response = _post(client, sent, _jpeg_with_exif())

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "device_token_invalid"
    _nothing_stored(files_before)


def test_the_device_token_is_also_accepted_in_x_device_token(
    client: Client, camera: tuple[Device, str]
) -> None:
    _device, token = camera

    response = client.post(
        URL, {"image": io.BytesIO(_jpeg_with_exif())}, headers={"X-Device-Token": token}
    )

    assert response.status_code == 201


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        (samples.ELF_HEADER, 400, "image_invalid"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", 400, "image_invalid"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 40, 400, "image_invalid"),
        (samples.png_bomb(30_000, 30_000), 422, "image_decompression_bomb"),
    ],
    ids=["executable", "pdf", "damaged_jpeg", "png_claiming_30000x30000"],
)
def test_a_file_that_is_not_a_usable_image_is_refused_and_nothing_is_stored(
    client: Client, camera: tuple[Device, str], data: bytes, status: int, code: str
) -> None:
    _device, token = camera
    files_before = samples.stored_files()

    response = _post(client, token, data)

    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    _nothing_stored(files_before)


def test_a_request_without_the_image_field_is_refused(
    client: Client, camera: tuple[Device, str]
) -> None:
    _device, token = camera
    files_before = samples.stored_files()

    response = client.post(URL, {"waybill": ""}, headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "image_invalid"
    _nothing_stored(files_before)


def test_an_oversized_snapshot_is_refused_with_413_and_nothing_is_stored(
    client: Client, camera: tuple[Device, str]
) -> None:
    _device, token = camera
    data = _jpeg_with_exif()
    files_before = samples.stored_files()

    with override_settings(LOGITRACK_CAMERA_MAX_BYTES=len(data) - 1):
        response = _post(client, token, data)

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "image_too_large"
    _nothing_stored(files_before)


def test_a_snapshot_over_the_pixel_limit_is_refused_as_a_bomb(
    client: Client, camera: tuple[Device, str]
) -> None:
    _device, token = camera
    files_before = samples.stored_files()

    with override_settings(LOGITRACK_CAMERA_MAX_PIXELS=512 * 512 - 1):
        response = _post(client, token, _jpeg_with_exif())

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "image_decompression_bomb"
    _nothing_stored(files_before)


@pytest.mark.parametrize(
    "captured_at", ["yesterday", "2026-11-30T08:15:00", "2999-01-01T00:00:00Z"]
)
def test_a_bad_capture_time_is_refused_and_nothing_is_stored(
    client: Client, camera: tuple[Device, str], captured_at: str
) -> None:
    _device, token = camera
    files_before = samples.stored_files()

    response = _post(client, token, _jpeg_with_exif(), captured_at=captured_at)

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "captured_at_invalid"
    _nothing_stored(files_before)


def test_the_cameras_waybill_links_the_snapshot_to_the_tenants_shipment(
    client: Client, owner: Membership, camera: tuple[Device, str]
) -> None:
    _device, token = camera
    shipment = _shipment(owner)

    response = _post(client, token, _jpeg_with_exif(), waybill=shipment.waybill.lower())

    assert response.status_code == 201
    assert response.json()["shipment"] == shipment.waybill
    assert CameraEvent.dangerously_unscoped.get().shipment_id == shipment.pk


def test_another_tenants_waybill_is_refused_like_an_unknown_one_and_nothing_is_stored(
    client: Client, camera: tuple[Device, str]
) -> None:
    _device, token = camera
    theirs = _shipment(make_member(make_tenant(), Role.OWNER))
    files_before = samples.stored_files()

    response = _post(client, token, _jpeg_with_exif(), waybill=theirs.waybill)

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "waybill_not_found"
    _nothing_stored(files_before)


def _dock_door(owner: Membership, name: str, place: str) -> DockDoor:
    reader = make_device(owner, kind="rfid_reader").device
    with tenant_context(owner.tenant):
        door: DockDoor = DockDoor.objects.create(
            name=name, place=place, device=reader, direction="in"
        )
    return door


def _observation(
    owner: Membership, door: DockDoor, shipment: Shipment, first: dt.datetime, last: dt.datetime
) -> TagObservation:
    with tenant_context(owner.tenant):
        observation: TagObservation = TagObservation.objects.create(
            device=door.device,
            antenna=1,
            dock_door=door,
            epc_hex="3034257BF7194E4000001A85",
            scheme="sgtin",
            first_seen=first,
            last_seen=last,
            shipment=shipment,
        )
    return observation


def test_a_dock_camera_links_the_shipment_read_at_its_door_nearest_to_the_snapshot(
    client: Client, owner: Membership, camera: tuple[Device, str]
) -> None:
    device, token = camera
    door = _dock_door(owner, "Cửa 3", "Kho Tân Bình")
    with tenant_context(owner.tenant):
        device_assign(
            principal=principal_for(owner), device=device, target="dock", place_name="Cửa 3"
        )
    taken = timezone.now()
    near, far, outside = _shipment(owner), _shipment(owner), _shipment(owner)
    _observation(owner, door, far, taken - dt.timedelta(minutes=8), taken - dt.timedelta(minutes=7))
    _observation(
        owner, door, near, taken - dt.timedelta(minutes=2), taken - dt.timedelta(minutes=1)
    )
    _observation(owner, door, outside, taken - dt.timedelta(hours=2), taken - dt.timedelta(hours=1))

    response = _post(client, token, _jpeg_with_exif(), captured_at=taken.isoformat())

    assert response.status_code == 201
    assert response.json()["shipment"] == near.waybill
    event = CameraEvent.dangerously_unscoped.get()
    assert event.dock_door_id == door.pk
    assert event.shipment_id == near.pk


def test_a_dock_camera_without_a_read_in_the_window_links_no_shipment(
    client: Client, owner: Membership, camera: tuple[Device, str]
) -> None:
    device, token = camera
    door = _dock_door(owner, "Cửa 4", "Kho Tân Bình")
    with tenant_context(owner.tenant):
        device_assign(
            principal=principal_for(owner), device=device, target="dock", place_name="Cửa 4"
        )
    taken = timezone.now()
    _observation(
        owner, door, _shipment(owner), taken - dt.timedelta(hours=2), taken - dt.timedelta(hours=1)
    )

    response = _post(client, token, _jpeg_with_exif(), captured_at=taken.isoformat())

    assert response.json()["shipment"] is None
    assert CameraEvent.dangerously_unscoped.get().dock_door_id == door.pk


def test_a_camera_in_a_vehicle_records_the_vehicle(
    client: Client, owner: Membership, camera: tuple[Device, str]
) -> None:
    from logitrack.tracking.models import Vehicle

    device, token = camera
    with tenant_context(owner.tenant):
        vehicle = Vehicle.objects.create(plate="51C-123.45")
        device_assign(
            principal=principal_for(owner), device=device, target="vehicle", vehicle=vehicle
        )

    response = _post(client, token, _jpeg_with_exif())

    assert response.status_code == 201
    assert CameraEvent.dangerously_unscoped.get().vehicle_id == vehicle.pk


def test_a_session_cookie_does_not_bind_its_tenant_on_the_camera_path(
    client: Client, camera: tuple[Device, str]
) -> None:
    from logitrack.tenancy.tests.factories import sign_in

    device, token = camera
    stranger = make_member(make_tenant(), Role.OWNER)
    sign_in(client, stranger)

    response = _post(client, token, _jpeg_with_exif())

    assert response.status_code == 201
    assert CameraEvent.dangerously_unscoped.get().tenant_id == device.tenant_id


def test_a_large_snapshot_is_kept_in_memory_never_in_a_temporary_file(
    client: Client, camera: tuple[Device, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.files import uploadedfile

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the unblurred snapshot was written to a temporary file")

    monkeypatch.setattr(uploadedfile.TemporaryUploadedFile, "__init__", refuse)
    _device, token = camera
    noise = np.random.default_rng(7).integers(0, 255, (1200, 1600, 3), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(noise).save(out, "PNG")
    data = out.getvalue()
    assert len(data) > 2 * 1024 * 1024  # above FILE_UPLOAD_MAX_MEMORY_SIZE

    response = _post(client, token, data)

    assert response.status_code == 201


def test_a_camera_over_its_snapshot_rate_is_refused_before_its_body_is_read(
    client: Client, camera: tuple[Device, str]
) -> None:
    _device, token = camera
    with override_settings(LOGITRACK_CAMERA_RATE=0, LOGITRACK_CAMERA_BURST=1):
        snapshot_buckets.cache_clear()
        first = _post(client, token, _jpeg_with_exif())
        second = _post(client, token, _jpeg_with_exif())

    assert first.status_code == 201
    assert second.status_code == 429
    assert second.json()["error"]["code"] == "snapshot_rate_limited"
    assert CameraEvent.dangerously_unscoped.count() == 1
