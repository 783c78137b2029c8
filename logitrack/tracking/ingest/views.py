"""``/ingest/osmand`` on the main site: the OsmAnd protocol for devices that cannot reach the
gateway port (same parser, same checks, same group-commit writer as the gateway).

Public (a device has no session; the device id, and where the tenant requires it the device
token or source network, is the credential) and CSRF-exempt (no cookie is read or set).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from logitrack.tenancy.access import public
from logitrack.tracking.ingest.accept import (
    IngestRefused,
    ack_timeout,
    get_gate,
    max_future,
    not_durable,
    row_of,
)
from logitrack.tracking.ingest.batch import accept_batch
from logitrack.tracking.ingest.writer import get_writer
from logitrack.tracking.protocols.osmand import parse_json, parse_parameters
from logitrack.tracking.protocols.report import PositionReport, ReportRefused


def _text(status: int, message: str) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def _report(request: HttpRequest) -> tuple[PositionReport, bool]:
    now = timezone.now()
    if request.content_type == "application/json":
        return parse_json(request.body, now=now, max_future=max_future()), True
    pairs = [(key, value) for key in request.GET for value in request.GET.getlist(key)]
    if request.method == "POST":
        pairs += [(key, value) for key in request.POST for value in request.POST.getlist(key)]
    return parse_parameters(pairs, now=now, max_future=max_future()), False


@public("devices authenticate by their registered id, and token or network where required")
@csrf_exempt
@require_http_methods(["GET", "POST"])
def osmand(request: HttpRequest) -> HttpResponse:
    """200 with an empty body once the position is durable; 400 malformed or unknown device
    (404 for the JSON body's unknown device); 429 over the device's rate; 503 not stored."""
    is_json = request.content_type == "application/json"
    try:
        report, is_json = _report(request)
        gate = get_gate()
        entry = gate.entry(
            report.identifier, token=report.token, source=request.META.get("REMOTE_ADDR")
        )
        gate.spend(entry)
        ticket = get_writer().submit([row_of(report, entry, timezone.now())])
        if not ticket.wait(ack_timeout()):
            raise not_durable()
    except ReportRefused as exc:
        return _text(400, str(exc.message))
    except IngestRefused as exc:
        status = 404 if exc.code == "device_unknown" and is_json else exc.status
        return _text(status, str(exc.message))
    except ValueError:
        return _text(400, _("The request body could not be read."))
    return HttpResponse(b"", status=200)


@public("devices authenticate with their device token in X-Device-Token")
@csrf_exempt
@require_http_methods(["POST"])
def positions_batch(request: HttpRequest) -> HttpResponse:
    """The batch positions API (``logitrack.tracking.ingest.batch``) on the main site."""
    token = request.headers.get("X-Device-Token")
    status, payload = accept_batch(token, request.body, request.META.get("REMOTE_ADDR"))
    return HttpResponse(payload, status=status, content_type="application/json")
