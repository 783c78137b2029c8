"""Refusals of a camera snapshot, each with a stable code and HTTP status.

Every one is raised before anything is stored (or rolls its transaction back and removes the
objects just written), so a refused snapshot leaves no Document, no stored file and no event.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from logitrack.tracking.errors import TrackingError


class SnapshotRefused(TrackingError):
    code = "snapshot_refused"
    message: str | Promise = _("The snapshot could not be stored.")


class DeviceTokenInvalid(SnapshotRefused):
    code = "device_token_invalid"
    message = _("Send a valid device token.")
    status = 401


class SnapshotRateLimited(SnapshotRefused):
    code = "snapshot_rate_limited"
    message = _("This camera sends snapshots too fast; send fewer.")
    status = 429


class ImageInvalid(SnapshotRefused):
    code = "image_invalid"
    message = _('Send the snapshot as a JPEG, PNG or WebP image in the field "image".')
    status = 400
    field = "image"


class ImageTooLarge(SnapshotRefused):
    code = "image_too_large"
    message = _("The snapshot is larger than the %(limit)s MB allowed.")
    status = 413
    field = "image"

    def __init__(self, limit_bytes: int) -> None:
        megabytes = f"{limit_bytes / (1024 * 1024):g}"
        super().__init__(str(self.message) % {"limit": megabytes})
        self.limit_bytes = limit_bytes


class ImageDecompressionBomb(SnapshotRefused):
    code = "image_decompression_bomb"
    message = _("The snapshot has more pixels than a camera image may have and was refused.")
    status = 422
    field = "image"


class CapturedAtInvalid(SnapshotRefused):
    code = "captured_at_invalid"
    message = _('"captured_at" must be an ISO 8601 time with its offset, not in the future.')
    status = 422
    field = "captured_at"


class WaybillUnknown(SnapshotRefused):
    code = "waybill_not_found"
    message = _("No shipment with this waybill.")
    status = 422
    field = "waybill"


class BlurReasonMissing(TrackingError):
    code = "camera_blur_reason_missing"
    message = _("Say why faces and plates should no longer be blurred.")
    field = "reason"


class BlurReasonInvalid(TrackingError):
    code = "camera_blur_reason_invalid"
    message = _(
        "The reason must be at most 500 characters, without control characters, e-mail "
        "addresses or phone numbers."
    )
    field = "reason"
