"""The documents API: upload to and list a shipment's documents; list, download, thumbnail and
delete documents.

Downloads answer the stored bytes with ``Content-Disposition: attachment``, ``nosniff`` and a
sandboxing CSP (``responses``). Errors leave as ``{"error": {"code", "message"}}``: 404
``document_not_found`` for another tenant's or a missing document, 410 ``document_unavailable``
when its stored file can no longer be read.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from ninja import Form, Router, Status, UploadedFile
from ninja.params.functions import File as FileParam

from logitrack.core.errors import error_json
from logitrack.core.ids import Id
from logitrack.core.schemas import Code
from logitrack.documents import selectors, services
from logitrack.documents.access import access_document_by_id
from logitrack.documents.errors import (
    DocumentError,
    FileEmpty,
    FileTooLarge,
    ThumbnailNotAvailable,
)
from logitrack.documents.models import Document
from logitrack.documents.pod import Upload, proof_of_delivery_record
from logitrack.documents.responses import download_response, thumbnail_response
from logitrack.documents.schemas import DocumentOut, ProofOfDeliveryIn, ProofOfDeliveryOut
from logitrack.documents.uploads import max_bytes, read_upload, upload_was_too_large
from logitrack.logistics.access import access_shipment_by_waybill
from logitrack.logistics.errors import LogisticsError
from logitrack.logistics.status import EventSource
from logitrack.tenancy.access import principal_of, requires
from logitrack.tenancy.roles import Permission

router = Router(tags=["documents"])


def error_of(exc: DocumentError) -> JsonResponse:
    if isinstance(exc, ThumbnailNotAvailable):
        error = {"code": exc.code, "message": str(exc.message), "thumbnail_state": exc.state}
        return JsonResponse(
            {"error": error}, status=exc.status, json_dumps_params={"ensure_ascii": False}
        )
    fields = [{"field": exc.field, "code": exc.code, "message": str(exc.message)}]
    return error_json(exc.code, str(exc.message), exc.status, fields=fields)


def document_out(document: Document) -> DocumentOut:
    return DocumentOut(
        id=document.pk,
        kind=document.kind,
        content_type=document.content_type,
        size=document.size,
        sha256=document.sha256,
        file_name=document.original_name,
        created_at=document.created_at,
        has_thumbnail=bool(document.thumbnail_key),
        thumbnail_state=document.thumbnail_state,
        download_url=reverse("api-1:document_download", kwargs={"document_id": document.pk}),
        thumbnail_url=(
            reverse("api-1:document_thumbnail", kwargs={"document_id": document.pk})
            if document.thumbnail_key
            else None
        ),
    )


@router.get(
    "/documents", response=list[DocumentOut], url_name="documents_list", summary="Documents"
)
@requires(Permission.OPERATIONS_VIEW)
def documents_list(request: HttpRequest) -> list[DocumentOut]:
    """The tenant's documents, newest first (at most 200)."""
    actor = principal_of(request)
    return [document_out(d) for d in selectors.documents_of_tenant(actor=actor)[:200]]


@router.get(
    "/documents/{document_id}/download",
    url_name="document_download",
    summary="Download a document",
    response={200: None},
)
@requires(Permission.OPERATIONS_VIEW)
def document_download(request: HttpRequest, document_id: Id) -> HttpResponse:
    actor = principal_of(request)
    document = access_document_by_id(actor, document_id)
    try:
        data = services.document_read(actor=actor, document=document)
    except DocumentError as exc:
        return error_of(exc)
    return download_response(document, data)


@router.get(
    "/documents/{document_id}/thumbnail",
    url_name="document_thumbnail",
    summary="A small WebP preview of an image or of a PDF's first page",
    response={200: None},
)
@requires(Permission.OPERATIONS_VIEW)
def document_thumbnail(request: HttpRequest, document_id: Id) -> HttpResponse:
    """``image/webp``, inline, at most 320 x 320 px, ``nosniff``, ``Cache-Control: private,
    no-store``. 404 ``thumbnail_not_available`` with ``thumbnail_state`` (pending, failed or
    none) when the document has no preview; 410 ``document_unavailable`` when it cannot be read.
    """
    actor = principal_of(request)
    document = access_document_by_id(actor, document_id)
    try:
        data = services.document_read(actor=actor, document=document, thumbnail=True)
    except DocumentError as exc:
        return error_of(exc)
    return thumbnail_response(data)


@router.delete(
    "/documents/{document_id}",
    url_name="document_delete",
    summary="Delete a document and its stored file",
    response={204: None},
)
@requires(Permission.OPERATIONS_MANAGE)
def document_delete(request: HttpRequest, document_id: Id) -> Status[None]:
    actor = principal_of(request)
    document = access_document_by_id(actor, document_id, for_write=True)
    services.document_delete(actor=actor, document=document, request=request)
    return Status(204, None)


def received_file(request: HttpRequest, upload: UploadedFile | None) -> bytes:
    """The bytes of an uploaded file field; FileTooLarge when the stream passed the limit
    (the upload handler dropped it), FileEmpty when none was sent."""
    if upload_was_too_large(request):
        raise FileTooLarge(max_bytes())
    if upload is None:
        raise FileEmpty()
    return read_upload(upload)


@router.post(
    "/shipments/{waybill}/documents",
    response={201: DocumentOut},
    url_name="shipment_documents_upload",
    summary="Attach a document to a shipment (multipart: kind, file)",
)
@requires(Permission.OPERATIONS_MANAGE)
def shipment_documents_upload(
    request: HttpRequest,
    waybill: Code,
    kind: Form[Code],
    file: UploadedFile | None = FileParam(None),  # noqa: B008
) -> Status[DocumentOut] | JsonResponse:
    """``kind``: waybill_image, pod_photo, pod_signature, invoice or other. The type is decided
    from the bytes (JPEG, PNG, WebP, PDF, CSV, XLSX); at most LOGITRACK_DOCUMENT_MAX_BYTES
    (15 MB): 413 ``file_too_large``, 415 ``file_type_not_allowed``, 422 ``file_empty``,
    ``file_damaged``, ``file_decompression_bomb``, ``file_name_invalid``."""
    actor = principal_of(request)
    shipment = access_shipment_by_waybill(actor, waybill, for_write=True)
    try:
        data = received_file(request, file)
        document = services.document_upload(
            actor=actor,
            data=data,
            file_name=file.name or "" if file is not None else "",
            kind=kind,
            shipment=shipment,
            request=request,
        )
    except DocumentError as exc:
        return error_of(exc)
    return Status(201, document_out(document))


@router.get(
    "/shipments/{waybill}/documents",
    response=list[DocumentOut],
    url_name="shipment_documents_list",
    summary="A shipment's documents",
)
@requires(Permission.OPERATIONS_VIEW)
def shipment_documents_list(request: HttpRequest, waybill: Code) -> list[DocumentOut]:
    actor = principal_of(request)
    shipment = access_shipment_by_waybill(actor, waybill)
    return [
        document_out(d) for d in selectors.documents_of_shipment(actor=actor, shipment=shipment)
    ]


def _logistics_error(exc: LogisticsError) -> JsonResponse:
    fields = None
    if exc.field:
        fields = [{"field": exc.field, "code": exc.code, "message": str(exc.message)}]
    return error_json(exc.code, str(exc.message), exc.status, fields=fields)


def _optional_file(request: HttpRequest, upload: UploadedFile | None) -> Upload | None:
    if upload_was_too_large(request):
        raise FileTooLarge(max_bytes())
    if upload is None:
        return None
    data = read_upload(upload)
    return Upload(data, upload.name or "") if data else None


@router.post(
    "/shipments/{waybill}/proof-of-delivery",
    response={200: ProofOfDeliveryOut, 201: ProofOfDeliveryOut},
    url_name="shipment_proof_of_delivery",
    summary="Record a delivery (photo and/or signature, recipient's name) or a failed attempt",
)
@requires(Permission.DRIVER_TASKS)
def shipment_proof_of_delivery(
    request: HttpRequest,
    waybill: Code,
    payload: Form[ProofOfDeliveryIn],
    photo: UploadedFile | None = FileParam(None),  # noqa: B008
    signature: UploadedFile | None = FileParam(None),  # noqa: B008
) -> Status[ProofOfDeliveryOut] | JsonResponse:
    """Multipart form. ``outcome=delivered`` needs ``recipient_name`` and a ``photo`` (JPEG, PNG,
    WebP) and/or a ``signature`` (PNG); ``outcome=failed_attempt`` needs ``failure_reason``
    (recipient_absent, recipient_refused, wrong_address, unreachable_phone, cod_not_ready,
    rescheduled, damaged, other: with ``reason_text``). ``latitude``/``longitude`` (WGS 84) and
    ``accuracy_m`` are the phone's location, optional. 201 when recorded; 200 with
    ``replayed: true`` when the ``idempotency_key`` was recorded before (nothing is written);
    409 ``transition_forbidden`` when the shipment is not out for delivery."""
    actor = principal_of(request)
    shipment = access_shipment_by_waybill(actor, waybill, for_write=True)
    try:
        result = proof_of_delivery_record(
            actor=actor,
            shipment=shipment,
            outcome=payload.outcome,
            idempotency_key=payload.idempotency_key,
            recipient_name=payload.recipient_name,
            photo=_optional_file(request, photo),
            signature=_optional_file(request, signature),
            failure_reason=payload.failure_reason,
            reason_text=payload.reason_text,
            latitude=payload.latitude,
            longitude=payload.longitude,
            accuracy_m=payload.accuracy_m,
            source=EventSource.API if actor.api_key_id is not None else EventSource.USER,
            request=request,
        )
    except DocumentError as exc:
        return error_of(exc)
    except LogisticsError as exc:
        return _logistics_error(exc)
    proof = result.proof
    shipment.refresh_from_db(fields=["status"])
    body = ProofOfDeliveryOut(
        waybill=shipment.waybill,
        status=shipment.status,
        outcome=proof.outcome,
        replayed=result.replayed,
        event_id=proof.event_id,
        photo=document_out(proof.photo) if proof.photo is not None else None,
        signature=document_out(proof.signature) if proof.signature is not None else None,
        recorded_at=proof.created_at,
    )
    return Status(200 if result.replayed else 201, body)
