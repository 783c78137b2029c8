"""Attacks on ``POST /ingest/camera``: odd images and times, a store failing half-way."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from django.test import Client
from PIL import Image

from logitrack.documents.models import Document
from logitrack.documents.tests import samples
from logitrack.security.models import AuditEntry
from logitrack.tenancy.models import Membership
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant
from logitrack.tracking.cameras.services import snapshot_buckets
from logitrack.tracking.ingest.accept import get_gate
from logitrack.tracking.ingest.directory import directory
from logitrack.tracking.models import CameraEvent, Device
from logitrack.tracking.tests.factories import make_device

pytestmark = pytest.mark.django_db

URL = "/ingest/camera"


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


def _image(mode: str = "RGB", size: tuple[int, int] = (64, 48), fmt: str = "JPEG") -> bytes:
    rng = np.random.default_rng(7)
    if mode == "I;16":
        array = rng.integers(0, 65535, size=(size[1], size[0]), dtype=np.uint16)
        image = Image.fromarray(array)
    else:
        image = Image.new(mode, size)
        if mode in ("RGB", "RGBA", "CMYK", "L", "LA"):
            bands = len(mode)
            array = rng.integers(0, 255, size=(size[1], size[0], bands), dtype=np.uint8)
            image = Image.fromarray(array.squeeze() if bands == 1 else array, mode)
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def _post(client: Client, token: str, data: bytes, **fields: str) -> Any:
    image = io.BytesIO(data)
    image.name = "snap.bin"
    return client.post(
        URL, {"image": image, **fields}, headers={"Authorization": f"Bearer {token}"}
    )


def _nothing_stored(files_before: list[str]) -> None:
    assert Document.dangerously_unscoped.count() == 0
    assert CameraEvent.dangerously_unscoped.count() == 0
    assert samples.stored_files() == files_before


@pytest.mark.parametrize(
    "captured_at",
    [
        "0001-01-01T00:00:00+05:00",  # astimezone(UTC) overflows
        "0001-01-01T00:00:00Z",  # a camera clock at year 1 is not a capture time
        "1970-01-01T00:00:00Z",
        "\u0662\u0660\u0662\u0666-11-30T08:15:00+07:00",
        "2026-11-30T08:15:00+07:00\x00",
    ],
)
def test_a_capture_time_outside_the_calendar_is_refused_and_nothing_stored(
    client: Client, camera: tuple[Device, str], captured_at: str
) -> None:
    _device, token = camera
    files_before = samples.stored_files()

    response = _post(client, token, _image(), captured_at=captured_at)

    assert response.status_code == 422, response.content[:300]
    assert response.json()["error"]["code"] == "captured_at_invalid"
    _nothing_stored(files_before)


@pytest.mark.parametrize(
    ("mode", "fmt"),
    [
        ("RGB", "JPEG"),
        ("L", "JPEG"),
        ("CMYK", "JPEG"),
        ("RGBA", "PNG"),
        ("LA", "PNG"),
        ("I;16", "PNG"),
        ("1", "PNG"),
        ("P", "PNG"),
        ("RGBA", "WEBP"),
    ],
)
def test_every_pixel_mode_of_an_allowed_type_is_stored(
    client: Client, camera: tuple[Device, str], mode: str, fmt: str
) -> None:
    _device, token = camera

    response = _post(client, token, _image(mode, fmt=fmt))

    assert response.status_code == 201, response.content[:300]


@pytest.mark.parametrize("size", [(1, 1), (1, 4000), (4000, 1)])
def test_tiny_and_thin_images_are_stored(
    client: Client, camera: tuple[Device, str], size: tuple[int, int]
) -> None:
    _device, token = camera

    response = _post(client, token, _image(size=size, fmt="PNG"))

    assert response.status_code == 201, response.content[:300]


@pytest.mark.parametrize("fmt", ["GIF", "TIFF", "BMP"])
def test_types_outside_jpeg_png_webp_are_refused(
    client: Client, camera: tuple[Device, str], fmt: str
) -> None:
    _device, token = camera
    files_before = samples.stored_files()

    response = _post(client, token, _image(fmt=fmt))

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "image_invalid"
    _nothing_stored(files_before)


def test_a_truncated_jpeg_is_refused(client: Client, camera: tuple[Device, str]) -> None:
    _device, token = camera
    data = _image(size=(256, 256))

    response = _post(client, token, data[: len(data) // 2])

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "image_invalid"


def test_a_png_decompression_bomb_is_refused_from_its_header(
    client: Client, camera: tuple[Device, str]
) -> None:
    _device, token = camera
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, "PNG")  # 400 MP of zeros, a few KB

    response = _post(client, token, out.getvalue())

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "image_decompression_bomb"


def test_a_polyglot_jpeg_with_a_zip_appended_is_stored_without_the_tail(
    client: Client, camera: tuple[Device, str]
) -> None:
    _device, token = camera
    tail = b"PK\x03\x04" + b"<script>alert(1)</script>" * 10

    response = _post(client, token, _image() + tail)

    assert response.status_code == 201, response.content[:300]


def test_a_store_failing_after_the_file_is_written_leaves_nothing(
    client: Client, camera: tuple[Device, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _device, token = camera
    files_before = samples.stored_files()
    from logitrack.security import services as security

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("audit down")

    monkeypatch.setattr(security, "audit_record", broken)
    client.raise_request_exception = False

    response = _post(client, token, _image())

    assert response.status_code == 500
    _nothing_stored(files_before)
    assert not AuditEntry.objects.filter(action="camera_snapshot_recorded").exists()


def test_a_dock_camera_never_links_another_tenants_door_or_shipment(
    client: Client, owner: Membership, camera: tuple[Device, str]
) -> None:
    import datetime as dt

    from django.utils import timezone

    from logitrack.core.tenant import tenant_context
    from logitrack.tenancy.tests.factories import principal_for
    from logitrack.tracking.services.devices import device_assign
    from logitrack.tracking.tests.test_camera_ingest import _dock_door, _observation, _shipment

    device, token = camera
    other = make_member(make_tenant(), Role.OWNER)
    theirs = _dock_door(other, "Cửa 3", "Kho Tân Bình")  # same door and place names
    taken = timezone.now()
    their_shipment = _shipment(other)
    _observation(other, theirs, their_shipment, taken - dt.timedelta(minutes=1), taken)
    with tenant_context(owner.tenant):
        device_assign(
            principal=principal_for(owner), device=device, target="dock", place_name="Cửa 3"
        )

    response = _post(client, token, _image(), captured_at=taken.isoformat())

    assert response.status_code == 201, response.content[:300]
    assert response.json()["shipment"] is None
    event = CameraEvent.dangerously_unscoped.get()
    assert event.dock_door_id is None
    assert event.shipment_id is None
