"""The labels API (a contract partners rely on; keep it stable):

- ``GET /api/v1/shipments/{waybill}/label?size=a5|a6|100x150|80x80&format=pdf|zpl&dpi=203|300``:
  one label, PDF (default) or ZPL II;
- ``POST /api/v1/labels`` with ``{"waybills": [...], "size": ...}``: one PDF (or ZPL) holding
  the labels of up to ``BATCH_MAX`` waybills, pages in the order given.

Both need ``operations.view``. A waybill that is unknown, malformed or another company's answers
404 ``waybill_not_found`` (for a batch: the whole batch, without saying which, so that waybills
cannot be probed one by one through a batch); a bad size, format or dpi 422. The file comes as
an attachment with a filename made only of the size and the canonical waybill, never of input,
and is not stored by caches (it carries the consignee's name, phone and address).
"""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from ninja import Field, Query, Router, Schema
from pydantic import BeforeValidator

from logitrack.core.schemas import Code
from logitrack.logistics.access import access_shipment_by_waybill
from logitrack.logistics.labels.data import LabelData, LabelSize
from logitrack.logistics.labels.pdf import render_pdf
from logitrack.logistics.labels.selectors import shipment_labels
from logitrack.logistics.labels.zpl import ZplDpi, render_zpl
from logitrack.tenancy.access import principal_of, requires
from logitrack.tenancy.roles import Permission

router = Router(tags=["labels"])

# At ~5-30 ms a label, 500 labels are one request of a few seconds and a ~2 MB PDF.
BATCH_MAX: Final = 500
PDF_TYPE: Final = "application/pdf"
ZPL_TYPE: Final = "application/x-zpl"
LabelFormat = Literal["pdf", "zpl"]

_FILE_RESPONSES: dict[str, Any] = {
    "responses": {
        200: {
            "description": "The label file, as an attachment.",
            "content": {
                PDF_TYPE: {"schema": {"type": "string", "format": "binary"}},
                ZPL_TYPE: {"schema": {"type": "string", "format": "binary"}},
            },
        }
    }
}


def _query_int(value: object) -> object:
    # A query string is text; a Literal of ints takes "300" only once it is made an int.
    return int(value) if isinstance(value, str) and value.isascii() and value.isdigit() else value


DpiParam = Annotated[ZplDpi, BeforeValidator(_query_int)]


class LabelQuery(Schema):
    size: LabelSize = "a6"
    format: LabelFormat = "pdf"
    dpi: DpiParam = Field(default=203, description="Print head resolution, for ZPL only.")


class LabelsIn(Schema):
    waybills: list[Code] = Field(min_length=1, max_length=BATCH_MAX)
    size: LabelSize = "a6"
    format: LabelFormat = "pdf"
    dpi: ZplDpi = 203


def _file(
    labels: list[LabelData], size: LabelSize, fmt: LabelFormat, dpi: ZplDpi, stem: str
) -> HttpResponse:
    if fmt == "zpl":
        body, content_type, suffix = render_zpl(labels, size, dpi=dpi), ZPL_TYPE, f"-{dpi}dpi.zpl"
    else:
        body, content_type, suffix = render_pdf(labels, size), PDF_TYPE, ".pdf"
    response = HttpResponse(body, content_type=content_type)
    disposition = content_disposition_header(as_attachment=True, filename=f"{stem}-{size}{suffix}")
    response["Content-Disposition"] = disposition or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@router.get(
    "/shipments/{waybill}/label",
    url_name="shipment_label",
    summary="The shipping label of one shipment, as PDF or ZPL",
    openapi_extra=_FILE_RESPONSES,
)
@requires(Permission.OPERATIONS_VIEW)
def shipment_label(request: HttpRequest, waybill: Code, query: Query[LabelQuery]) -> HttpResponse:
    shipment = access_shipment_by_waybill(principal_of(request), waybill)
    labels = shipment_labels(shipments=[shipment])
    return _file(labels, query.size, query.format, query.dpi, f"label-{shipment.waybill}")


@router.post(
    "/labels",
    url_name="labels_print",
    summary="The labels of many shipments in one file, in the order given",
    openapi_extra=_FILE_RESPONSES,
)
@requires(Permission.OPERATIONS_VIEW)
def labels_print(request: HttpRequest, payload: LabelsIn) -> HttpResponse:
    """A waybill given twice prints twice. One unknown waybill refuses the whole batch."""
    principal = principal_of(request)
    shipments = [access_shipment_by_waybill(principal, waybill) for waybill in payload.waybills]
    labels = shipment_labels(shipments=shipments)
    stem = f"labels-{len(labels)}"
    return _file(labels, payload.size, payload.format, payload.dpi, stem)
