"""``POST /ingest/camera`` on the main site: a camera's snapshot, as multipart/form-data.

Fields: ``image`` (the file: JPEG, PNG or WebP), optional ``captured_at`` (ISO 8601 with its
offset; default: when it arrived), optional ``waybill`` (the shipment the camera saw, when no
RFID read at its dock says which). Credential: ``Authorization: Bearer <device token>`` (or
``X-Device-Token``) of an enabled device of kind ``camera``; the API-key middleware leaves this
path's Bearer header alone (``LOGITRACK_DEVICE_BEARER_PATHS``).

The token is checked before the body is parsed; the file is then read into memory by
``SnapshotUploadHandler`` (never a temporary file: the unblurred image must not touch a disk),
counted against ``LOGITRACK_CAMERA_MAX_BYTES`` as it streams.

Answers: 201 ``{"event_id", "faces_blurred", "plates_blurred", "shipment"}`` (``shipment``: the
linked waybill or null); 401 ``device_token_invalid``; 400 ``image_invalid``; 413
``image_too_large``; 422 ``image_decompression_bomb``, ``captured_at_invalid``,
``waybill_not_found``; 429 ``snapshot_rate_limited`` (per camera, before the body is read);
503 ``not_stored`` when the device table cannot be read. After any
refusal nothing is stored.
"""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from logitrack.core.errors import error_json
from logitrack.core.tenant import tenant_context
from logitrack.tenancy.access import public
from logitrack.tracking.cameras.errors import ImageInvalid, ImageTooLarge, SnapshotRefused
from logitrack.tracking.cameras.services import camera_by_token, camera_snapshot_record, max_bytes
from logitrack.tracking.ingest.directory import DirectoryUnavailable

TOO_LARGE_ATTR = "logitrack_snapshot_too_large"


class SnapshotUploadHandler(FileUploadHandler):
    """Keeps each uploaded file in memory, up to ``max_bytes()``; past it the file is skipped
    and the request marked, so the view answers 413. Never writes a temporary file."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.buffer = io.BytesIO()
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > max_bytes():
            if self.request is not None:
                setattr(self.request, TOO_LARGE_ATTR, True)
            self.buffer = io.BytesIO()
            raise SkipFile()
        self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name or "",
            content_type=self.content_type or "",
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


def device_token_of(request: HttpRequest) -> str | None:
    """The device token of ``X-Device-Token`` or ``Authorization: Bearer`` (RFC 6750 §2.1)."""
    explicit = request.headers.get("X-Device-Token", "").strip()
    if explicit:
        return explicit
    scheme, _space, value = request.headers.get("Authorization", "").strip().partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _refused(exc: SnapshotRefused) -> JsonResponse:
    return error_json(exc.code, str(exc.message), exc.status)


@public("cameras authenticate with their device token (Authorization: Bearer), checked first")
@csrf_exempt
@require_POST
def camera_snapshot(request: HttpRequest) -> JsonResponse:
    try:
        device = camera_by_token(device_token_of(request), request.META.get("REMOTE_ADDR"))
    except SnapshotRefused as exc:
        return _refused(exc)
    except DirectoryUnavailable:
        return error_json("not_stored", _("The snapshot could not be stored; send it again."), 503)
    request.upload_handlers = [SnapshotUploadHandler(request)]
    with tenant_context(device.tenant):
        try:
            try:
                upload = request.FILES.get("image")
                fields = request.POST
            except MultiPartParserError as exc:
                raise ImageInvalid() from exc
            if getattr(request, TOO_LARGE_ATTR, False):
                raise ImageTooLarge(max_bytes())
            if upload is None:
                raise ImageInvalid()
            event = camera_snapshot_record(
                device=device,
                data=upload.read(),
                captured_at=fields.get("captured_at"),
                waybill=fields.get("waybill", ""),
                request=request,
            )
        except SnapshotRefused as exc:
            return _refused(exc)
        shipment = event.shipment.waybill if event.shipment is not None else None
    return JsonResponse(
        {
            "event_id": str(event.event_id),
            "faces_blurred": event.faces_blurred,
            "plates_blurred": event.plates_blurred,
            "shipment": shipment,
        },
        status=201,
    )
