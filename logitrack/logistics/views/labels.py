"""Labels printed from the pages: the selected shipments' labels as one PDF, in the list's order.

What a label shows is the labels package's (``labels.selectors.shipment_labels``), as for the
label API, so a label printed from a page and one fetched by a partner are the same.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from logitrack.logistics.labels import LABEL_SIZES, LabelDataError, render_pdf
from logitrack.logistics.labels.selectors import LOCAL_TIME, shipment_labels
from logitrack.logistics.models import Shipment


def labels_response(request: HttpRequest, shipments: list[Shipment], size: str) -> HttpResponse:
    """One PDF with a page per shipment, as an attachment; back to the list on bad input."""
    if size not in LABEL_SIZES:
        messages.error(request, _("Choose a label size."))
        return redirect("logistics:shipments")
    try:
        pdf = render_pdf(shipment_labels(shipments=shipments), size)  # type: ignore[arg-type]
    except LabelDataError:
        messages.error(request, _("These labels cannot be printed."))
        return redirect("logistics:shipments")
    response = HttpResponse(pdf, content_type="application/pdf")
    stamp = timezone.localtime(timezone.now(), LOCAL_TIME).strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="labels-{size}-{stamp}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
