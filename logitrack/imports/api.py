"""The imports API (``/api/v1/imports``): upload a sheet, read its status and report, confirm the
column mapping (which starts the dry run), run the import.

Every operation needs ``operations.manage`` (people and API keys alike). Errors leave as
``{"error": {"code", "message"}}``: 404 ``import_not_found`` for another tenant's or a missing
job, 409 ``import_not_ready`` / ``import_has_invalid_rows`` for a step out of order, 422 for a
refused file (``file_type_not_allowed``, ``file_too_large``, ``xlsx_too_large``,
``header_not_found`` ...) or mapping (``mapping_missing_required`` ...).
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from logitrack.core.errors import error_json
from logitrack.core.ids import Id
from logitrack.imports import services
from logitrack.imports.access import access_import_job_by_id
from logitrack.imports.columns import FIELDS_BY_KEY, missing_required
from logitrack.imports.errors import ImportRefused
from logitrack.imports.models import ImportJob, ImportStatus
from logitrack.imports.report import with_messages
from logitrack.imports.schemas import ColumnOut, ImportOut, IssueOut, MappingIn, Mode
from logitrack.tenancy.access import principal_of, requires
from logitrack.tenancy.roles import Permission

router = Router(tags=["imports"])


def _error(exc: ImportRefused) -> JsonResponse:
    return error_json(exc.code, exc.message, exc.status)


def import_out(job: ImportJob) -> ImportOut:
    """The API shape of a job, its report translated into the active language."""
    columns = [
        ColumnOut(
            header=str(header),
            field=str(key),
            field_label=str(FIELDS_BY_KEY[key].label) if key in FIELDS_BY_KEY else "",
        )
        for header, key in zip(job.headers, job.mapping, strict=False)
    ]
    return ImportOut(
        id=job.pk,
        status=job.status,
        status_label=str(ImportStatus(job.status).label),
        mode=job.mode,  # type: ignore[arg-type]
        dry_run=job.dry_run,
        file_name=job.file_name,
        file_kind=job.file_kind,
        shipper_id=job.shipper_id,
        header_row=job.header_row,
        columns=columns,
        missing_required=missing_required(job.mapping),
        total_rows=job.total_rows,
        valid_rows=job.valid_rows,
        invalid_rows=job.invalid_rows,
        created_orders=job.created_orders,
        progress=job.progress,
        percent=job.percent,
        error_code=job.error_code,
        report=[IssueOut(**item) for item in with_messages(job.report)],
        created_at=job.created_at,
        finished_at=job.finished_at,
    )


@router.post(
    "/imports",
    response={201: ImportOut},
    url_name="import_create",
    summary="Upload a CSV or XLSX order sheet; its header row is found and its columns mapped",
)
@requires(Permission.OPERATIONS_MANAGE)
def import_create(
    request: HttpRequest,
    file: File[UploadedFile],
    shipper_id: Form[Id],
    mode: Form[Mode] = "all_or_nothing",
) -> Status[ImportOut] | JsonResponse:
    data = file.read()
    try:
        job = services.import_upload(
            principal=principal_of(request),
            file_name=file.name or "",
            data=data,
            shipper_id=shipper_id,
            mode=mode,
        )
    except ImportRefused as exc:
        return _error(exc)
    return Status(201, import_out(job))


@router.get(
    "/imports/{int:import_id}",
    response=ImportOut,
    url_name="import_get",
    summary="An import: status, progress, counts and the report of every row",
)
@requires(Permission.OPERATIONS_MANAGE)
def import_get(request: HttpRequest, import_id: Id) -> ImportOut:
    return import_out(access_import_job_by_id(principal_of(request), import_id))


@router.post(
    "/imports/{int:import_id}/mapping",
    response={202: ImportOut},
    url_name="import_mapping_confirm",
    summary="Confirm or correct the column mapping; starts the dry run",
)
@requires(Permission.OPERATIONS_MANAGE)
def import_mapping_confirm(
    request: HttpRequest, import_id: Id, payload: MappingIn
) -> Status[ImportOut] | JsonResponse:
    principal = principal_of(request)
    job = access_import_job_by_id(principal, import_id, for_write=True)
    try:
        job = services.import_mapping_confirm(
            principal=principal,
            job=job,
            mapping=list(payload.mapping),
            mode=payload.mode,
            shipper_id=payload.shipper_id,
        )
    except ImportRefused as exc:
        return _error(exc)
    job.refresh_from_db()
    return Status(202, import_out(job))


@router.post(
    "/imports/{int:import_id}/run",
    response={202: ImportOut},
    url_name="import_run",
    summary="Create the orders of a checked import (after its dry run)",
)
@requires(Permission.OPERATIONS_MANAGE)
def import_run(
    request: HttpRequest, import_id: Id, mode: Mode | None = None
) -> Status[ImportOut] | JsonResponse:
    """``mode`` (query) overrides the mode chosen at upload; no body."""
    principal = principal_of(request)
    job = access_import_job_by_id(principal, import_id, for_write=True)
    try:
        job = services.import_run(principal=principal, job=job, mode=mode)
    except ImportRefused as exc:
        return _error(exc)
    job.refresh_from_db()
    return Status(202, import_out(job))
