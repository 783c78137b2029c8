"""Recording a camera snapshot: checked, blurred, stored as a document, linked, audited.

Order of work in ``camera_snapshot_record`` (each refusal before anything is stored):

1. size (``LOGITRACK_CAMERA_MAX_BYTES``, default 10 MB) -> ImageTooLarge (413);
2. type from the bytes (``documents.filetypes.sniff``; JPEG, PNG, WebP only) -> ImageInvalid;
3. ``captured_at`` (ISO 8601 with offset; not ahead of the server by more than the ingest's
   allowance) -> CapturedAtInvalid; ``waybill`` (the tenant's) -> WaybillUnknown;
4. decode once, pixel count from the header first (``LOGITRACK_CAMERA_MAX_PIXELS``, default 40
   megapixels, never above the documents' limit) -> ImageDecompressionBomb; damaged -> ImageInvalid;
5. pixels turned upright and copied without any metadata (``documents.images.pixels_only``);
6. faces and plates blurred (``cameras.blur``) unless the tenant turned blurring off with a
   recorded reason (``TenantDeviceSettings.camera_blur_enabled``);
7. only the blurred pixels are handed to the documents store (re-encoded, encrypted under a new
   file key; ``document_prepare_pixels`` + ``document_store``), and the CameraEvent row and the
   audit entry are written in the same transaction; on any error the stored objects are removed.

The unblurred bytes stay in this process's memory: the view reads the upload with an in-memory
handler (never a temporary file), nothing here logs them, and they are never passed to storage.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from PIL import Image

from logitrack.documents import images
from logitrack.documents.errors import DecompressionBomb, DocumentError
from logitrack.documents.filetypes import EXTENSIONS, sniff
from logitrack.documents.models import DocumentKind
from logitrack.documents.services import document_prepare_pixels, document_store
from logitrack.logistics.models import Shipment
from logitrack.logistics.numbers import canonical_waybill, waybill_is_well_formed
from logitrack.tenancy.principal import Principal
from logitrack.tracking.cameras.blur import blur_sensitive_regions
from logitrack.tracking.cameras.errors import (
    CapturedAtInvalid,
    DeviceTokenInvalid,
    ImageDecompressionBomb,
    ImageInvalid,
    ImageTooLarge,
    SnapshotRateLimited,
    WaybillUnknown,
)
from logitrack.tracking.ingest.limits import DeviceBuckets
from logitrack.tracking.models import (
    CameraEvent,
    Device,
    DeviceAssignment,
    DockDoor,
    TagObservation,
    TenantDeviceSettings,
)
from logitrack.tracking.models.devices import AssignmentTarget, DeviceKind
from logitrack.tracking.protocols.report import EARLIEST_FIX, as_utc
from logitrack.tracking.tokens import device_token_prefix

# How many observations near the snapshot's time are compared to find the nearest one.
_NEAREST_CANDIDATES = 50


def max_bytes() -> int:
    """Largest snapshot accepted, bytes (``LOGITRACK_CAMERA_MAX_BYTES``, default 10 MB)."""
    return int(getattr(settings, "LOGITRACK_CAMERA_MAX_BYTES", 10 * 1024 * 1024))


def max_pixels() -> int:
    """Most pixels a snapshot may have (``LOGITRACK_CAMERA_MAX_PIXELS``, default 40 million)."""
    return int(getattr(settings, "LOGITRACK_CAMERA_MAX_PIXELS", 40_000_000))


def detect_side() -> int:
    """Longest side of the copy the face detector searches (``LOGITRACK_CAMERA_DETECT_SIDE``,
    default 512, at least 320): faster when smaller, but smaller faces are then missed."""
    return max(320, int(getattr(settings, "LOGITRACK_CAMERA_DETECT_SIDE", 512)))


def shipment_window() -> dt.timedelta:
    """How far from the snapshot's time an RFID read of a shipment at the same dock still links
    the snapshot to it (``LOGITRACK_CAMERA_SHIPMENT_WINDOW_SECONDS``, default 600 s)."""
    seconds = getattr(settings, "LOGITRACK_CAMERA_SHIPMENT_WINDOW_SECONDS", 600)
    return dt.timedelta(seconds=int(seconds))


@functools.cache
def snapshot_buckets() -> DeviceBuckets:
    """This process's per-camera snapshot allowance: ``LOGITRACK_CAMERA_RATE`` snapshots per
    second (default 1) in bursts of ``LOGITRACK_CAMERA_BURST`` (default 10). Blurring costs
    a CPU core a few hundred milliseconds, so a camera cannot make the site spend more."""
    return DeviceBuckets(
        rate=float(getattr(settings, "LOGITRACK_CAMERA_RATE", 1)),
        burst=float(getattr(settings, "LOGITRACK_CAMERA_BURST", 10)),
    )


def camera_by_token(token: str | None, source: str | None) -> Device:
    """The enabled camera whose device token is ``token``, with its tenant loaded.

    Checked through the ingest's device directory (``lookup_token`` then ``admits`` with the
    token required: the device's allowed networks apply too), then against the row itself: the
    device must be a ``camera`` and enabled, its tenant active. Anything else raises
    DeviceTokenInvalid (the same answer for an unknown, wrong, disabled or non-camera device);
    SnapshotRateLimited past the camera's allowance (``snapshot_buckets``);
    DirectoryUnavailable when the device table cannot be read.
    """
    from logitrack.tracking.ingest.accept import get_gate

    prefix = device_token_prefix(token or "")
    if prefix is None:
        raise DeviceTokenInvalid()
    entry = get_gate().directory.lookup_token(prefix)
    if entry is None or not entry.admits(token=token, source=source, token_required=True):
        raise DeviceTokenInvalid()
    device: Device | None = (
        Device.dangerously_unscoped.select_related("tenant")
        .filter(pk=entry.device_id, kind=DeviceKind.CAMERA, enabled=True)
        .first()
    )
    if device is None or not device.tenant.is_active:
        raise DeviceTokenInvalid()
    if not snapshot_buckets().take(device.pk):
        raise SnapshotRateLimited()
    return device


# ISO 8601 / RFC 3339 as cameras write it: date, "T" or space, time, optional fraction, offset.
# ASCII digits only, and nothing after the offset (``fromisoformat`` alone takes week dates,
# basic formats and even a trailing NUL).
_CAPTURED_AT = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:[Zz]|[+-]\d{2}:?\d{2})", re.ASCII
)


def parse_captured_at(raw: str | None, *, now: dt.datetime) -> dt.datetime:
    """``raw`` (ISO 8601 with a UTC offset or ``Z``, e.g. ``2026-11-30T08:15:00+07:00``) as an
    aware UTC time; ``now`` when blank.

    CapturedAtInvalid for a malformed time, one without an offset, one before 2000 (a camera
    whose clock was never set; the trackers' ``EARLIEST_FIX``), one outside the calendar in UTC
    (``0001-01-01T00:00:00+05:00``), or one later than ``now`` plus the ingest's ``max_future``
    allowance.
    """
    from logitrack.tracking.ingest.accept import max_future

    text = (raw or "").strip()
    if not text:
        return now
    if not _CAPTURED_AT.fullmatch(text):
        raise CapturedAtInvalid()
    try:
        parsed = dt.datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
    except ValueError as exc:
        raise CapturedAtInvalid() from exc
    taken = as_utc(parsed)
    if taken is None or taken < EARLIEST_FIX or taken > now + max_future():
        raise CapturedAtInvalid()
    return taken


def tenant_camera_blur_enabled() -> bool:
    """True unless the bound tenant turned blurring off (a tenant without a row blurs)."""
    return not TenantDeviceSettings.objects.filter(camera_blur_enabled=False).exists()


def _shipment_by_waybill(waybill: str) -> Shipment:
    if not waybill_is_well_formed(waybill):
        raise WaybillUnknown()
    shipment: Shipment | None = Shipment.objects.filter(waybill=canonical_waybill(waybill)).first()
    if shipment is None:
        raise WaybillUnknown()
    return shipment


@dataclass(frozen=True)
class Placement:
    """Where the camera was at the snapshot's time, from its assignment then."""

    vehicle_id: int | None = None
    driver_id: int | None = None
    place_name: str = ""
    dock_door: DockDoor | None = None


def _placement(device: Device, at: dt.datetime) -> Placement:
    assignment: DeviceAssignment | None = (
        DeviceAssignment.objects.filter(device_id=device.pk, started_at__lte=at)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=at))
        .order_by("-started_at")
        .first()
    )
    if assignment is None:
        return Placement()
    if assignment.target == AssignmentTarget.VEHICLE:
        return Placement(vehicle_id=assignment.vehicle_id)
    if assignment.target == AssignmentTarget.DRIVER:
        return Placement(driver_id=assignment.driver_id)
    name = assignment.place_name
    door = None
    if assignment.target == AssignmentTarget.DOCK and name:
        door = DockDoor.objects.filter(name=name).first()
    return Placement(place_name=name, dock_door=door)


def _distance(observation: TagObservation, at: dt.datetime) -> dt.timedelta:
    if observation.first_seen <= at <= observation.last_seen:
        return dt.timedelta(0)
    return min(abs(observation.first_seen - at), abs(observation.last_seen - at))


def shipment_seen_at(placement: Placement, at: dt.datetime) -> Shipment | None:
    """The shipment whose tag was read at the camera's dock door nearest to ``at`` (within
    ``shipment_window``); when that door saw none, at any door of the same place (the door's
    ``place``, or the warehouse the camera is assigned to). None without a dock or a read."""
    window = shipment_window()
    scopes: list[Q] = []
    if placement.dock_door is not None:
        scopes.append(Q(dock_door_id=placement.dock_door.pk))
        scopes.append(Q(dock_door__place=placement.dock_door.place))
    elif placement.place_name:
        scopes.append(Q(dock_door__place=placement.place_name))
    for scope in scopes:
        candidates = list(
            TagObservation.objects.filter(scope, shipment__isnull=False)
            .filter(first_seen__lte=at + window, last_seen__gte=at - window)
            .select_related("shipment")
            .order_by("-last_seen")[:_NEAREST_CANDIDATES]
        )
        if candidates:
            nearest = min(candidates, key=lambda o: (_distance(o, at), -o.pk))
            found: Shipment | None = nearest.shipment
            return found
    return None


def _decode(data: bytes) -> tuple[Image.Image, str]:
    """(upright pixels without metadata, content type) of a snapshot; refusals as documented."""
    limit = max_bytes()
    if not data:
        raise ImageInvalid()
    if len(data) > limit:
        raise ImageTooLarge(limit)
    try:
        sniffed = sniff(data)
    except DocumentError as exc:
        raise ImageInvalid() from exc
    if not sniffed.is_image:
        raise ImageInvalid()
    try:
        image = images.open_image(data, sniffed.content_type, max_pixels=max_pixels())
    except DecompressionBomb as exc:
        raise ImageDecompressionBomb() from exc
    except DocumentError as exc:
        raise ImageInvalid() from exc
    try:
        return images.pixels_only(image, sniffed.content_type), sniffed.content_type
    finally:
        image.close()


def camera_snapshot_record(
    *,
    device: Device,
    data: bytes,
    captured_at: str | None = None,
    waybill: str = "",
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> CameraEvent:
    """Check, blur, store and link one snapshot of ``device`` (a camera of the bound tenant, as
    ``camera_by_token`` returns it); returns the saved CameraEvent.

    ``data``: the file as received; ``captured_at``: the camera's ISO 8601 time (default: now);
    ``waybill``: the shipment the camera says it saw, used when no RFID read at its dock links
    one (must be the tenant's). Refusals (SnapshotRefused subclasses) are listed in the module
    docstring; after one, nothing is stored. Audit action: ``camera_snapshot_recorded`` (actor:
    the device; details: faces and plates blurred, whether blurring was on, the document id).
    """
    from logitrack.documents import vault
    from logitrack.security.actors import Actor
    from logitrack.security.services import audit_record

    current = now if now is not None else timezone.now()
    taken = parse_captured_at(captured_at, now=current)
    named = _shipment_by_waybill(waybill.strip()) if waybill.strip() else None
    pixels, content_type = _decode(data)
    blur_on = tenant_camera_blur_enabled()
    faces = plates = 0
    if blur_on:
        result = blur_sensitive_regions(pixels, detect_side=detect_side())
        pixels, faces, plates = result.image, result.faces, result.plates
    name = f"camera-{device.pk}-{taken:%Y%m%dT%H%M%SZ}.{EXTENSIONS[content_type]}"
    prepared = document_prepare_pixels(
        image=pixels, content_type=content_type, file_name=name, kind=DocumentKind.CAMERA_SNAPSHOT
    )
    written: list[str] = []
    try:
        with transaction.atomic():
            placement = _placement(device, taken)
            shipment = shipment_seen_at(placement, taken) or named
            document = document_store(
                actor=Principal(tenant=device.tenant),
                prepared=prepared,
                request=request,
                written=written,
            )
            event = CameraEvent(
                tenant_id=device.tenant_id,
                device=device,
                document=document,
                captured_at=taken,
                received_at=current,
                dock_door=placement.dock_door,
                vehicle_id=placement.vehicle_id,
                driver_id=placement.driver_id,
                shipment=shipment,
                blurred=blur_on,
                faces_blurred=min(faces, 32767),
                plates_blurred=min(plates, 32767),
            )
            event.save()
            Device.objects.filter(pk=device.pk).update(last_seen_at=current)
            audit_record(
                action="camera_snapshot_recorded",
                actor=Actor.device(device.pk),
                tenant_id=device.tenant_id,
                object_type="tracking.cameraevent",
                object_id=str(event.event_id),
                details={
                    "document": document.pk,
                    "blurred": blur_on,
                    "faces_blurred": event.faces_blurred,
                    "plates_blurred": event.plates_blurred,
                    "shipment": shipment.pk if shipment is not None else None,
                },
                request=request,
            )
    except BaseException:
        for key in written:
            vault.delete(key)
        raise
    return event


__all__ = [
    "Placement",
    "camera_by_token",
    "camera_snapshot_record",
    "max_bytes",
    "max_pixels",
    "parse_captured_at",
    "shipment_seen_at",
    "tenant_camera_blur_enabled",
]
