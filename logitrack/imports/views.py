"""Pages of the imports app: upload, confirm the columns, dry-run report, run, result.

Every page needs ``operations.manage``. A running import's page shows a ``<progress>`` element
that refreshes itself: htmx polls the progress fragment every two seconds, and without
JavaScript the page reloads itself (``<meta http-equiv="refresh">``) until the job is done.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from logitrack.imports import services
from logitrack.imports.access import access_import_job_by_id
from logitrack.imports.columns import FIELDS, FIELDS_BY_KEY, missing_required
from logitrack.imports.errors import ImportRefused
from logitrack.imports.forms import MappingForm, RunForm, UploadForm
from logitrack.imports.models import ImportJob, ImportStatus
from logitrack.imports.report import failure_message, with_messages
from logitrack.imports.selectors import imports_recent, shipper_choices
from logitrack.imports.template import template_csv, template_xlsx
from logitrack.tenancy.access import principal_of, public, requires
from logitrack.tenancy.roles import Permission

REPORT_ON_PAGE = 500
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    full = {"principal": principal_of(request), **context}
    return render(request, f"imports/{template}", full, status=status)


def _list_context(request: HttpRequest, form: UploadForm) -> dict[str, Any]:
    principal = principal_of(request)
    return {
        "form": form,
        "jobs": list(imports_recent(principal=principal)),
        "fields": FIELDS,
        "has_shippers": bool(form.fields["shipper"].choices),  # type: ignore[attr-defined]
    }


@requires(Permission.OPERATIONS_MANAGE)
@require_GET
def import_list(request: HttpRequest) -> HttpResponse:
    form = UploadForm(shippers=shipper_choices(principal=principal_of(request)))
    return _render(request, "list.html", _list_context(request, form))


@requires(Permission.OPERATIONS_MANAGE)
@require_POST
def import_upload(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    form = UploadForm(request.POST, request.FILES, shippers=shipper_choices(principal=principal))
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.import_upload(
                principal=principal,
                file_name=upload.name or "",
                data=upload.read(),
                shipper_id=form.cleaned_data["shipper"],
                mode=form.cleaned_data["mode"],
            )
        except ImportRefused as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("imports:detail", import_id=job.pk)
    return _render(request, "list.html", _list_context(request, form), status=400)


def _detail_context(job: ImportJob, **extra: Any) -> dict[str, Any]:
    report = with_messages(job.report[:REPORT_ON_PAGE])
    return {
        "job": job,
        "report": report,
        "report_truncated": len(job.report) > REPORT_ON_PAGE,
        "missing": [FIELDS_BY_KEY[key].label for key in missing_required(job.mapping)],
        "columns": [
            {
                "header": header,
                "label": FIELDS_BY_KEY[key].label if key in FIELDS_BY_KEY else "",
            }
            for header, key in zip(job.headers, job.mapping, strict=False)
        ],
        "Status": ImportStatus,
        "failure": failure_message(job.error_code, job.created_orders) if job.error_code else "",
        **extra,
    }


@requires(Permission.OPERATIONS_MANAGE)
@require_GET
def import_detail(request: HttpRequest, import_id: int) -> HttpResponse:
    job = access_import_job_by_id(principal_of(request), import_id)
    if request.headers.get("HX-Request") == "true":
        # The status badge sits outside the fragment: sent with it, swapped by its id (htmx's
        # out-of-band swap), so that both say the same thing.
        return _render(request, "_progress.html", {"job": job, "status_out_of_band": True})
    extra: dict[str, Any] = {}
    if job.status == ImportStatus.UPLOADED:
        extra["mapping_form"] = MappingForm(
            headers=job.headers, mapping=job.mapping, initial={"mode": job.mode}
        )
    elif job.status == ImportStatus.VALIDATED:
        extra["run_form"] = RunForm(initial={"mode": job.mode})
        extra["mapping_form"] = MappingForm(
            headers=job.headers, mapping=job.mapping, initial={"mode": job.mode}
        )
    return _render(request, "detail.html", _detail_context(job, **extra))


@requires(Permission.OPERATIONS_MANAGE)
@require_POST
def import_mapping(request: HttpRequest, import_id: int) -> HttpResponse:
    principal = principal_of(request)
    job = access_import_job_by_id(principal, import_id, for_write=True)
    form = MappingForm(request.POST, headers=job.headers, mapping=job.mapping)
    if form.is_valid():
        try:
            services.import_mapping_confirm(
                principal=principal, job=job, mapping=form.mapping(), mode=form.cleaned_data["mode"]
            )
        except ImportRefused as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("imports:detail", import_id=job.pk)
    context = _detail_context(job, mapping_form=form)
    return _render(request, "detail.html", context, status=400)


@requires(Permission.OPERATIONS_MANAGE)
@require_POST
def import_run(request: HttpRequest, import_id: int) -> HttpResponse:
    principal = principal_of(request)
    job = access_import_job_by_id(principal, import_id, for_write=True)
    form = RunForm(request.POST)
    if form.is_valid():
        try:
            services.import_run(principal=principal, job=job, mode=form.cleaned_data["mode"])
        except ImportRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.info(request, _("The import has started."))
    return redirect("imports:detail", import_id=job.pk)


@public("a blank order template with the column names; holds no data")
@require_http_methods(["GET", "HEAD"])
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    if kind == "xlsx":
        response = HttpResponse(template_xlsx(), content_type=XLSX_TYPE)
    else:
        response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="logitrack-don-hang.{kind}"'
    return response
