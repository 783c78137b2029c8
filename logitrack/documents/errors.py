"""Failures of document operations that a caller can act on, each with a stable code.

Pages show ``message`` (translated); the API answers ``{"error": {"code", "message"}}`` with
``status``. Each is raised before anything is stored or rolls its transaction back, so a refused
upload leaves neither a row nor a stored file.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from logitrack.core.errors import CallerError


class DocumentError(CallerError):
    code = "document_error"
    message: str | Promise = _("The document could not be stored.")
    field = "file"


class FileEmpty(DocumentError):
    code = "file_empty"
    message = _("The file is empty.")


class FileTooLarge(DocumentError):
    code = "file_too_large"
    message = _("The file is larger than the %(limit)s MB allowed.")
    status = 413

    def __init__(self, limit_bytes: int) -> None:
        megabytes = f"{limit_bytes / (1024 * 1024):g}"
        super().__init__(str(self.message) % {"limit": megabytes})
        self.limit_bytes = limit_bytes


class FileTypeNotAllowed(DocumentError):
    code = "file_type_not_allowed"
    message = _(
        "This kind of file is not accepted. Upload a JPEG, PNG or WebP image, a PDF, "
        "a CSV or an XLSX spreadsheet."
    )
    status = 415


class FileDamaged(DocumentError):
    code = "file_damaged"
    message = _("The file is damaged or not what its type says it is.")


class DecompressionBomb(DocumentError):
    code = "file_decompression_bomb"
    message = _(
        "The file expands to far more data than its size suggests (a decompression bomb) "
        "and was refused."
    )


class FileNameInvalid(DocumentError):
    code = "file_name_invalid"
    message = _("The file name contains characters that are not allowed.")


class DocumentKindInvalid(DocumentError):
    code = "document_kind_invalid"
    message = _("Choose what the document is: waybill image, photo, signature, invoice or other.")
    field = "kind"


class DocumentUnavailable(DocumentError):
    """The stored file is missing, altered, or its key was destroyed with the tenant's data."""

    code = "document_unavailable"
    message = _("This document can no longer be read.")
    status = 410


class ThumbnailNotAvailable(DocumentError):
    """The document has no preview: being drawn (``pending``), could not be drawn (``failed``) or
    of a type that has none (``none``). ``state`` says which; nothing about the file is wrong."""

    code = "thumbnail_not_available"
    message = _("This document has no preview.")
    status = 404
    field = ""

    def __init__(self, state: str) -> None:
        from logitrack.documents.models import ThumbnailState

        super().__init__(ThumbnailState(state).label)
        self.state = state


class ProofOfDeliveryInvalid(DocumentError):
    code = "proof_of_delivery_invalid"
    message = _("The proof of delivery is incomplete.")
    field = ""


class EvidenceMissing(ProofOfDeliveryInvalid):
    code = "pod_evidence_missing"
    message = _("Add a photo of the delivery or the recipient's signature (or both).")
    field = "photo"


class RecipientNameMissing(ProofOfDeliveryInvalid):
    code = "pod_recipient_name_missing"
    message = _("Enter the name of the person who received the parcel.")
    field = "recipient_name"


class PhotoNotAnImage(ProofOfDeliveryInvalid):
    code = "pod_photo_not_image"
    message = _("The photo must be a JPEG, PNG or WebP image.")
    field = "photo"


class SignatureNotPng(ProofOfDeliveryInvalid):
    code = "pod_signature_not_png"
    message = _("The signature must be a PNG image.")
    field = "signature"


class LocationInvalid(ProofOfDeliveryInvalid):
    code = "pod_location_invalid"
    message = _("The location is not valid; send latitude and longitude together, or neither.")
    field = "latitude"


class OutcomeInvalid(ProofOfDeliveryInvalid):
    code = "pod_outcome_invalid"
    message = _("The outcome must be “delivered” or “failed_attempt”.")
    field = "outcome"


class SubmissionKeyInvalid(ProofOfDeliveryInvalid):
    code = "pod_idempotency_key_invalid"
    message = _("This form has expired; open it again.")
    field = "idempotency_key"


class SubmissionKeyReused(ProofOfDeliveryInvalid):
    code = "idempotency_key_reused"
    message = _("This idempotency key was already used for another shipment.")
    status = 409
    field = "idempotency_key"
