"""Pages: the driver's deliveries and proof of delivery (phone first), and the document actions
of the shipment detail page (upload, delete). Each view parses, gets objects through ``access``,
calls a service and redirects or renders; the rules live in ``services`` and ``pod``."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from logitrack.documents import selectors, services
from logitrack.documents.access import access_document_by_id, access_driver_document
from logitrack.documents.errors import (
    DocumentError,
    DocumentUnavailable,
    FileEmpty,
    FileTooLarge,
    ThumbnailNotAvailable,
)
from logitrack.documents.forms import DeliveredForm, DocumentUploadForm, FailedAttemptForm
from logitrack.documents.models import Document, PodOutcome
from logitrack.documents.pod import PodResult, Upload, proof_of_delivery_record
from logitrack.documents.responses import thumbnail_response
from logitrack.documents.uploads import max_bytes, read_upload, upload_was_too_large
from logitrack.logistics.access import access_shipment_by_waybill
from logitrack.logistics.errors import LogisticsError
from logitrack.logistics.models import Shipment
from logitrack.logistics.selectors_carriers import delivery_offer
from logitrack.logistics.status import ShipmentStatus
from logitrack.tenancy.access import principal_of, requires
from logitrack.tenancy.geography import province_name, ward_name
from logitrack.tenancy.roles import Permission


def new_submission_key() -> str:
    """The idempotency key a form carries: made when the form is rendered, so a resubmit (a
    retry on a flaky connection, a double tap, the browser's back-and-resend) sends it again."""
    return uuid.uuid4().hex


def _upload_of(request: HttpRequest, field: str) -> Upload | None:
    upload = request.FILES.get(field)
    if not isinstance(upload, UploadedFile):
        return None
    data = read_upload(upload)
    if not data:
        return None
    return Upload(data, upload.name or "")


def _destination(shipment: Shipment) -> str:
    order = shipment.order
    parts = [
        str(order.delivery_street or ""),
        ward_name(order.delivery_ward_code),
        province_name(order.delivery_province_code),
    ]
    return ", ".join(part for part in parts if part)


# --- the driver's pages -----------------------------------------------------------------------


@requires(Permission.DRIVER_TASKS)
@require_safe
@never_cache
def driver_tasks(request: HttpRequest) -> HttpResponse:
    actor = principal_of(request)
    shipments = [
        {
            "waybill": s.waybill,
            "destination": _destination(s),
            "delivery_offered": delivery_offer(s) is not None,
        }
        for s in selectors.shipments_out_for_delivery(actor=actor).select_related("order")[:200]
    ]
    return render(request, "documents/driver_tasks.html", {"shipments": shipments})


def _pod_page(
    request: HttpRequest,
    shipment: Shipment,
    *,
    delivered_form: DeliveredForm | None = None,
    failed_form: FailedAttemptForm | None = None,
    delivered_error: str = "",
    failed_error: str = "",
    status: int = 200,
) -> HttpResponse:
    order = shipment.order
    context: dict[str, Any] = {
        "shipment": shipment,
        "destination": _destination(shipment),
        "consignee_name": order.consignee_name or "",
        "consignee_phone": order.consignee_phone or "",
        "cod_amount_vnd": order.cod_amount_vnd,
        "status_label": ShipmentStatus(shipment.status).label,
        "can_record": shipment.status == ShipmentStatus.OUT_FOR_DELIVERY,
        # A device came near the destination (ADR 0057): the question, never the answer.
        "delivery_offer": delivery_offer(shipment),
        "delivered_form": delivered_form
        or DeliveredForm(initial={"idempotency_key": new_submission_key()}),
        "failed_form": failed_form
        or FailedAttemptForm(initial={"idempotency_key": new_submission_key()}),
        "delivered_error": delivered_error,
        "failed_error": failed_error,
        "documents": list(
            selectors.documents_for_driver(actor=principal_of(request), shipment=shipment)
        ),
    }
    return render(request, "documents/pod.html", context, status=status)


@requires(Permission.DRIVER_TASKS)
@require_safe
@never_cache
def pod(request: HttpRequest, waybill: str) -> HttpResponse:
    shipment = access_shipment_by_waybill(principal_of(request), waybill)
    return _pod_page(request, shipment)


@requires(Permission.DRIVER_TASKS)
@require_safe
def pod_document_thumbnail(request: HttpRequest, waybill: str, document_id: int) -> HttpResponse:
    """The preview of a waybill image or proof of delivery of the shipment, for the driver's
    page (``image/webp``, inline, nosniff, private and not stored); 404 when it has none."""
    actor = principal_of(request)
    shipment = access_shipment_by_waybill(actor, waybill)
    document = access_driver_document(actor, shipment, document_id)
    try:
        data = services.document_read(actor=actor, document=document, thumbnail=True)
    except ThumbnailNotAvailable as exc:
        raise Http404(exc.code) from exc
    except DocumentUnavailable as exc:
        return HttpResponse(str(exc.message), status=410, content_type="text/plain; charset=utf-8")
    return thumbnail_response(data)


def _recorded(request: HttpRequest, result: PodResult) -> HttpResponse:
    proof = result.proof
    if result.replayed:
        messages.info(request, _("This was already recorded; nothing was sent twice."))
    elif proof.outcome == PodOutcome.DELIVERED:
        messages.success(request, _("Delivery recorded."))
    else:
        messages.success(request, _("Failed attempt recorded."))
    return redirect("documents:pod", waybill=proof.shipment.waybill)


def _error_text(exc: Exception) -> str:
    return str(getattr(exc, "message", "")) or _("The delivery could not be recorded.")


@requires(Permission.DRIVER_TASKS)
@require_POST
def pod_delivered(request: HttpRequest, waybill: str) -> HttpResponse:
    actor = principal_of(request)
    shipment = access_shipment_by_waybill(actor, waybill, for_write=True)
    form = DeliveredForm(request.POST, request.FILES)
    if not form.is_valid():
        return _pod_page(request, shipment, delivered_form=form, status=422)
    data = form.cleaned_data
    try:
        if upload_was_too_large(request):
            raise FileTooLarge(max_bytes())
        result = proof_of_delivery_record(
            actor=actor,
            shipment=shipment,
            outcome=PodOutcome.DELIVERED,
            idempotency_key=data["idempotency_key"],
            recipient_name=data["recipient_name"],
            photo=_upload_of(request, "photo"),
            signature=_upload_of(request, "signature"),
            latitude=data["latitude"],
            longitude=data["longitude"],
            accuracy_m=data["accuracy_m"],
            request=request,
        )
    except (DocumentError, LogisticsError) as exc:
        return _pod_page(
            request, shipment, delivered_form=form, delivered_error=_error_text(exc), status=422
        )
    return _recorded(request, result)


@requires(Permission.DRIVER_TASKS)
@require_POST
def pod_failed(request: HttpRequest, waybill: str) -> HttpResponse:
    actor = principal_of(request)
    shipment = access_shipment_by_waybill(actor, waybill, for_write=True)
    form = FailedAttemptForm(request.POST)
    if not form.is_valid():
        return _pod_page(request, shipment, failed_form=form, status=422)
    data = form.cleaned_data
    try:
        result = proof_of_delivery_record(
            actor=actor,
            shipment=shipment,
            outcome=PodOutcome.FAILED_ATTEMPT,
            idempotency_key=data["idempotency_key"],
            failure_reason=data["failure_reason"],
            reason_text=data["reason_text"] or "",
            request=request,
        )
    except (DocumentError, LogisticsError) as exc:
        return _pod_page(
            request, shipment, failed_form=form, failed_error=_error_text(exc), status=422
        )
    return _recorded(request, result)


# --- documents on the shipment detail page ----------------------------------------------------


def shipment_documents_context(request: HttpRequest, shipment: Shipment) -> dict[str, Any]:
    """What ``documents/_list.html`` needs, for the page that shows ``shipment``: its documents,
    its proofs of delivery (recipient's name, photo and signature), and the upload form."""
    actor = principal_of(request)
    return {
        "shipment": shipment,
        "documents": list(selectors.documents_of_shipment(actor=actor, shipment=shipment)),
        "proofs": list(selectors.proofs_of_shipment(actor=actor, shipment=shipment)),
        "can_manage_documents": actor.has(Permission.OPERATIONS_MANAGE),
        "upload_form": DocumentUploadForm(),
    }


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=True
    ):
        return redirect(target)
    return redirect(fallback)


@requires(Permission.OPERATIONS_MANAGE)
@require_POST
def document_upload(request: HttpRequest, waybill: str) -> HttpResponse:
    actor = principal_of(request)
    shipment = access_shipment_by_waybill(actor, waybill, for_write=True)
    fallback = reverse("web:home")
    form = DocumentUploadForm(request.POST, request.FILES)
    try:
        if upload_was_too_large(request):
            raise FileTooLarge(max_bytes())
        if not form.is_valid():
            raise FileEmpty() if "file" in form.errors else DocumentError()
        upload = form.cleaned_data["file"]
        services.document_upload(
            actor=actor,
            data=read_upload(upload),
            file_name=upload.name or "",
            kind=form.cleaned_data["kind"],
            shipment=shipment,
            request=request,
        )
    except DocumentError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The document was uploaded."))
    return _back(request, fallback)


@requires(Permission.OPERATIONS_MANAGE)
@require_POST
def document_delete(request: HttpRequest, document_id: int) -> HttpResponse:
    actor = principal_of(request)
    document: Document = access_document_by_id(actor, document_id, for_write=True)
    services.document_delete(actor=actor, document=document, request=request)
    messages.success(request, _("The document was deleted."))
    return _back(request, reverse("web:home"))
