"""Device pages: the list with online state and last position, one device with its assignment
history and actions, its position history over a time range, and CSV/GPX exports of a range.

Every object comes through ``logitrack.tracking.access`` (another tenant's device is a 404 like
a missing one). A token is shown once, on the answer to the POST that made it, never stored or
put in a URL, and that answer is ``Cache-Control: no-store``.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from logitrack.security.services import audit_record
from logitrack.tenancy.access import principal_of, requires
from logitrack.tenancy.audit import actor_of
from logitrack.tenancy.roles import Permission
from logitrack.tracking import exports, selectors
from logitrack.tracking.access import access_device_by_id
from logitrack.tracking.errors import TrackingError
from logitrack.tracking.models import Device, DeviceLatest, Position
from logitrack.tracking.models.devices import DeviceKind
from logitrack.tracking.rfid.selectors import recent_reads_of_reader
from logitrack.tracking.services import devices as services
from logitrack.tracking.services.settings import tenant_plain_http_allowed
from logitrack.tracking.views.common import render_page
from logitrack.tracking.views.forms import AssignForm, DeviceForm, range_of

PAGE_SIZE = 50
CURSOR_MAX = 64


def _latest(device: Device) -> DeviceLatest | None:
    try:
        return device.latest
    except DeviceLatest.DoesNotExist:
        return None


def _kmh(speed: float | None) -> float | None:
    return None if speed is None else speed * selectors.KMH_PER_MS


@requires(Permission.OPERATIONS_VIEW)
@require_safe
def device_list(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    now = timezone.now()
    rows = []
    for device in selectors.devices_of_tenant(principal=principal):
        latest = _latest(device)
        rows.append(
            {
                "device": device,
                "online": device.is_online(now),
                "latest": latest,
                "speed_kmh": _kmh(latest.speed) if latest else None,
            }
        )
    context = {
        "rows": rows,
        "plain_http": tenant_plain_http_allowed(principal.tenant_id or 0),
    }
    return render_page(request, "list.html", context)


def _token_page(request: HttpRequest, device: Device, token: str, *, created: bool) -> HttpResponse:
    response = render_page(
        request, "token.html", {"device": device, "token": token, "created": created}
    )
    response["Cache-Control"] = "no-store"
    return response


@requires(Permission.OPERATIONS_MANAGE)
@require_http_methods(["GET", "POST"])
def device_create(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    form = DeviceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.device_create(
                principal=principal,
                kind=data["kind"],
                identifier=data["identifier"],
                name=data["name"],
                require_token=data["require_token"],
            )
        except TrackingError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            return _token_page(request, created.device, created.token, created=True)
    status = 422 if form.is_bound else 200
    return render_page(request, "create.html", {"form": form}, status=status)


@requires(Permission.OPERATIONS_VIEW)
@require_safe
def device_detail(request: HttpRequest, device_id: int) -> HttpResponse:
    principal = principal_of(request)
    device = access_device_by_id(principal, device_id)
    latest = _latest(device)
    context = {
        "device": device,
        "online": device.is_online(),
        "latest": latest,
        "speed_kmh": _kmh(latest.speed) if latest else None,
        "assignments": selectors.device_assignments(device=device).select_related(
            "vehicle", "driver"
        )[:50],
        "reads": (
            recent_reads_of_reader(principal=principal, device=device)
            if device.kind == DeviceKind.RFID_READER
            else None
        ),
        "assign_form": (
            AssignForm(tenant_id=principal.tenant_id)
            if principal.has(Permission.OPERATIONS_MANAGE)
            else None
        ),
    }
    return render_page(request, "detail.html", context)


@requires(Permission.OPERATIONS_MANAGE)
@require_POST
def device_enabled(request: HttpRequest, device_id: int) -> HttpResponse:
    """``enabled=1`` enables, ``enabled=0`` disables; idempotent."""
    principal = principal_of(request)
    device = access_device_by_id(principal, device_id, for_write=True)
    choice = request.POST.get("enabled")
    if choice == "1":
        services.device_enable(principal=principal, device=device)
        messages.success(request, _("The device is enabled: its reports are accepted."))
    elif choice == "0":
        services.device_disable(principal=principal, device=device)
        messages.success(request, _("The device is disabled: its reports are refused."))
    return redirect("devices:detail", device_id=device.pk)


@requires(Permission.OPERATIONS_MANAGE)
@require_POST
def device_token(request: HttpRequest, device_id: int) -> HttpResponse:
    principal = principal_of(request)
    device = access_device_by_id(principal, device_id, for_write=True)
    created = services.device_token_rotate(principal=principal, device=device)
    return _token_page(request, created.device, created.token, created=False)


@requires(Permission.OPERATIONS_MANAGE)
@require_POST
def device_assign(request: HttpRequest, device_id: int) -> HttpResponse:
    principal = principal_of(request)
    device = access_device_by_id(principal, device_id, for_write=True)
    form = AssignForm(request.POST, tenant_id=principal.tenant_id)
    if not form.is_valid():
        messages.error(
            request, _("Choose one vehicle, one driver, or the name of a warehouse or dock.")
        )
        return redirect("devices:detail", device_id=device.pk)
    data = form.cleaned_data
    target = data["target"]
    try:
        services.device_assign(
            principal=principal,
            device=device,
            target=target,
            vehicle=data["vehicle"] if target == "vehicle" else None,
            driver=data["driver"] if target == "driver" else None,
            place_name=(data["place_name"] or "") if target in ("warehouse", "dock") else "",
        )
    except TrackingError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request, _("The assignment is saved; the previous one is kept in the history.")
        )
    return redirect("devices:detail", device_id=device.pk)


def _cursor_encode(moment: dt.datetime) -> str:
    return base64.urlsafe_b64encode(moment.isoformat().encode("ascii")).decode("ascii").rstrip("=")


def _cursor_decode(raw: str) -> dt.datetime | None:
    """The fix time a page starts before, or None for a malformed cursor (first page)."""
    if not raw or len(raw) > CURSOR_MAX:
        return None
    try:
        text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode("ascii")
        moment = dt.datetime.fromisoformat(text)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    return moment if moment.tzinfo is not None else None


@requires(Permission.OPERATIONS_VIEW)
@require_safe
def device_positions(request: HttpRequest, device_id: int) -> HttpResponse:
    """The device's positions in a range, newest fix first, ``PAGE_SIZE`` a page; the next page
    starts before the last fix time shown (keyset on the unique (device, fix_time) index)."""
    device = access_device_by_id(principal_of(request), device_id)
    form, since, until = range_of(request.GET)
    before = _cursor_decode(request.GET.get("before", ""))
    upper = min(until, before) if before is not None else until
    found = selectors.device_positions(
        device=device,
        since=since,
        until=upper,
        shape=selectors.PageRow,
        limit=PAGE_SIZE + 1,
        newest_first=True,
    )
    rows = found[:PAGE_SIZE]
    _audit_page(request, device, rows, since, upper)
    range_query = request.GET.copy()
    range_query.pop("before", None)
    if "since" not in range_query:
        range_query["since"] = timezone.localtime(since).strftime("%Y-%m-%dT%H:%M")
        range_query["until"] = timezone.localtime(until).strftime("%Y-%m-%dT%H:%M")
    older = None
    if len(found) > PAGE_SIZE:
        params = range_query.copy()
        params["before"] = _cursor_encode(found[PAGE_SIZE - 1].fix_time)
        older = "?" + params.urlencode()
    context = {
        "device": device,
        "form": form,
        "rows": rows,
        "totals": selectors.device_positions_totals(device=device, since=since, until=until),
        "range_query": range_query.urlencode(),
        "first_page": "?" + range_query.urlencode() if before is not None else None,
        "older": older,
        "since": since,
        "until": until,
    }
    return render_page(request, "positions.html", context)


def _audit_page(
    request: HttpRequest,
    device: Device,
    rows: list[selectors.PageRow],
    since: dt.datetime,
    until: dt.datetime,
) -> None:
    """A page that shows positions tied to a driver shows where a person was (precise location,
    policy section 2): one ``sensitive_read`` entry for the page, naming how many such rows it
    showed. Pages of unassigned or vehicle-only positions are not personal and write nothing."""
    personal = sum(1 for row in rows if row.driver_id is not None)
    if not personal:
        return
    audit_record(
        action="sensitive_read",
        actor=actor_of(principal_of(request)),
        tenant_id=device.tenant_id,
        object_type="tracking.device",
        object_id=str(device.pk),
        details={
            "page": "positions",
            "since": since.isoformat(),
            "until": until.isoformat(),
            "driver_positions": personal,
        },
        request=request,
    )


def _audit_export(
    request: HttpRequest, device: Device, fmt: str, since: dt.datetime, until: dt.datetime
) -> None:
    """One audit entry per export: ``sensitive_read`` when a position of the range is tied to
    a driver (precise location of a person, policy section 2), else
    ``device_positions_exported``."""
    personal = Position.objects.filter(
        device=device, fix_time__gte=since, fix_time__lt=until, driver__isnull=False
    ).exists()
    audit_record(
        action="sensitive_read" if personal else "device_positions_exported",
        actor=actor_of(principal_of(request)),
        tenant_id=device.tenant_id,
        object_type="tracking.device",
        object_id=str(device.pk),
        details={
            "export": fmt,
            "since": since.isoformat(),
            "until": until.isoformat(),
            "driver_positions": personal,
        },
        request=request,
    )


def _export(request: HttpRequest, device_id: int, fmt: str) -> HttpResponse | StreamingHttpResponse:
    device = access_device_by_id(principal_of(request), device_id)
    form, since, until = range_of(request.GET)
    if form.is_bound and not form.is_valid():
        return HttpResponse(
            " ".join(str(e) for e in form.non_field_errors()) or _("Choose a valid time range."),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    _audit_export(request, device, fmt, since, until)
    stamp = f"{timezone.localtime(since):%Y%m%d-%H%M}_{timezone.localtime(until):%Y%m%d-%H%M}"
    body: Any
    if fmt == "csv":
        header = [
            _("Fix time"),
            _("Latitude"),
            _("Longitude"),
            _("Speed (km/h)"),
            _("Course (°)"),
            _("Altitude (m)"),
            _("Accuracy (m)"),
            _("Battery (percent)"),
        ]
        rows = exports.positions_in_range(
            device=device, since=since, until=until, shape=selectors.ExportRow
        )
        body = exports.csv_lines(rows, header=header, zone=timezone.get_current_timezone())
        content_type = "text/csv; charset=utf-8"
    else:
        points = exports.positions_in_range(
            device=device, since=since, until=until, shape=selectors.TrackPoint
        )
        body = exports.gpx_parts(points, track_name=device.name, created=timezone.now())
        content_type = "application/gpx+xml"
    response = StreamingHttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="device-{device.pk}_{stamp}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


@requires(Permission.OPERATIONS_VIEW)
@require_safe
def positions_csv(request: HttpRequest, device_id: int) -> HttpResponse | StreamingHttpResponse:
    """The range as CSV (``logitrack.tracking.exports``), streamed; audited."""
    return _export(request, device_id, "csv")


@requires(Permission.OPERATIONS_VIEW)
@require_safe
def positions_gpx(request: HttpRequest, device_id: int) -> HttpResponse | StreamingHttpResponse:
    """The range as GPX 1.1 (``logitrack.tracking.exports``), streamed; audited."""
    return _export(request, device_id, "gpx")
