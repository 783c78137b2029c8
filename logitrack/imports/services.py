"""Writes of the imports app: upload a sheet, confirm its column mapping, run the import.

Each service is atomic, writes its audit entry in the same transaction and queues the
background job (``imports.tasks.import_process``) only on commit. Bad input raises
:class:`~logitrack.imports.errors.ImportRefused` and changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from logitrack.core.text import TextRefused, human_text
from logitrack.imports import storage
from logitrack.imports.columns import FIELDS_BY_KEY, header_signature, missing_required
from logitrack.imports.errors import MESSAGES, ImportRefused
from logitrack.imports.models import ColumnMapping, ImportJob, ImportMode, ImportStatus
from logitrack.imports.reading import SheetRefused, read_sheet
from logitrack.imports.rows import CardCells, HeaderFound, find_card_cells, locate_header
from logitrack.tenancy.audit import actor_of
from logitrack.tenancy.principal import Principal

MAX_FILE_NAME = 255


def _audit(principal: Principal, action: str, job: ImportJob, **details: object) -> None:
    from logitrack.security.services import audit_record

    audit_record(
        action=action,
        actor=actor_of(principal),
        tenant_id=job.tenant_id,
        object_type="import_job",
        object_id=str(job.pk),
        details=details,
    )


def _clean_file_name(name: str) -> str:
    try:
        cleaned = human_text(name)
    except TextRefused:
        cleaned = ""
    # Only the last path component, never a directory someone typed.
    cleaned = cleaned.replace("\\", "/").rsplit("/", 1)[-1]
    return cleaned[:MAX_FILE_NAME] or "import"


def _saved_mapping(signature: str, width: int) -> list[str] | None:
    saved = ColumnMapping.objects.filter(header_signature=signature).first()
    if saved is None or len(saved.mapping) != width:
        return None
    return [key if key in FIELDS_BY_KEY else "" for key in saved.mapping]


def import_upload(
    *,
    principal: Principal,
    file_name: str,
    data: bytes,
    shipper_id: int | None = None,
    mode: str = ImportMode.ALL_OR_NOTHING,
) -> ImportJob:
    """A new import job for an uploaded sheet, its header row found and columns mapped.

    The mapping is the tenant's saved one for this header row when there is one, else guessed
    from the names. The file is checked (type from the bytes, size, XLSX bomb checks, header
    row) before anything is stored; a refused file raises ImportRefused with the reader's code
    (``file_too_large``, ``file_type_not_allowed``, ``header_not_found`` ...) and stores nothing.
    A ``shipper_id`` that is not a shipper of the principal's tenant raises ShipperNotFound
    (404 ``shipper_not_found``) before the file is read.

    Payment card numbers (ADR 0027: none stored, ever) are looked for in every cell first: one in
    the header row raises ImportRefused(``card_number_in_header``, naming row and column letters)
    and stores nothing; one in any other cell gives a job that is already ``failed``
    (``error_code`` ``card_number``) whose report names each such cell's row and column, and the
    file itself is never written to disk.
    """
    _check_shipper(principal, shipper_id)
    if mode not in ImportMode.values:
        raise ImportRefused("import_not_ready")
    try:
        sheet = read_sheet(data)
        header = locate_header(sheet)
    except SheetRefused as exc:
        raise ImportRefused(exc.code, message=exc.message) from exc
    tenant_id = principal.tenant_id
    if tenant_id is None:
        raise ImportRefused("import_not_ready", status=403)
    cards = find_card_cells(sheet, header)
    if cards.in_header:
        raise ImportRefused(
            "card_number_in_header",
            message=str(MESSAGES["card_number_in_header"])
            % {"row": header.row, "columns": ", ".join(cards.in_header)},
        )
    signature = header_signature(header.headers)
    mapping = _saved_mapping(signature, len(header.headers)) or header.mapping
    if cards.issues:
        return _refuse_cards(
            principal=principal,
            tenant_id=tenant_id,
            file_name=file_name,
            kind=sheet.kind,
            size=len(data),
            mode=mode,
            header=header,
            mapping=mapping,
            signature=signature,
            cards=cards,
            shipper_id=shipper_id,
            total=len(sheet.rows) - header.index - 1,
        )
    key = storage.store_upload(tenant_id, data)
    try:
        with transaction.atomic():
            job: ImportJob = ImportJob.objects.create(
                tenant_id=tenant_id,
                created_by=principal.user,
                shipper_id=shipper_id,
                file_name=_clean_file_name(file_name),
                file_kind=sheet.kind,
                file_size=len(data),
                file_key=key,
                mode=mode,
                header_row=header.row,
                headers=header.headers,
                mapping=mapping,
                header_signature=signature,
                total_rows=len(sheet.rows) - header.index - 1,
            )
            _audit(principal, "import_uploaded", job, rows=job.total_rows, kind=sheet.kind)
    except Exception:
        storage.delete_upload(key)
        raise
    return job


def _check_shipper(principal: Principal, shipper_id: int | None) -> None:
    """ShipperNotFound unless ``shipper_id`` (when given) is a shipper the principal may create
    orders for: the logistics access function, so another tenant's id is simply not found."""
    if shipper_id is None:
        return
    from logitrack.logistics.access import access_shipper_by_id  # logistics imports imports

    access_shipper_by_id(principal, shipper_id, for_write=True)


def _refuse_cards(
    *,
    principal: Principal,
    tenant_id: int,
    file_name: str,
    kind: str,
    size: int,
    mode: str,
    header: HeaderFound,
    mapping: list[str],
    signature: str,
    cards: CardCells,
    shipper_id: int | None,
    total: int,
) -> ImportJob:
    """The failed job of an upload holding card numbers outside its header: no file kept."""
    now = timezone.now()
    rows = {item["row"] for item in cards.issues if item["row"] > header.row}
    with transaction.atomic():
        job: ImportJob = ImportJob.objects.create(
            tenant_id=tenant_id,
            created_by=principal.user,
            shipper_id=shipper_id,
            file_name=_clean_file_name(file_name),
            file_kind=kind,
            file_size=size,
            file_key="",
            mode=mode,
            header_row=header.row,
            headers=header.headers,
            mapping=mapping,
            header_signature=signature,
            status=ImportStatus.FAILED,
            error_code="card_number",
            total_rows=total,
            invalid_rows=len(rows),
            report=cards.issues,
            finished_at=now,
        )
        _audit(principal, "import_refused_card_number", job, cells=len(cards.issues))
    return job


def _check_mapping(job: ImportJob, mapping: Sequence[str]) -> list[str]:
    if len(mapping) != len(job.headers) or any(key and key not in FIELDS_BY_KEY for key in mapping):
        raise ImportRefused("mapping_invalid")
    chosen = [key for key in mapping if key]
    if len(chosen) != len(set(chosen)):
        raise ImportRefused("mapping_duplicate_field")
    missing = missing_required(mapping)
    if missing:
        labels = ", ".join(str(FIELDS_BY_KEY[key].label) for key in missing)
        raise ImportRefused(
            "mapping_missing_required",
            message=str(MESSAGES["mapping_missing_required"]) % {"fields": labels},
        )
    return list(mapping)


def import_mapping_confirm(
    *,
    principal: Principal,
    job: ImportJob,
    mapping: Sequence[str],
    mode: str | None = None,
    shipper_id: int | None = None,
) -> ImportJob:
    """Confirm (or correct) the column mapping, save it for the tenant, start the dry run.

    ``mapping`` has one field key (or ``""``) per header column; every required field must be
    mapped once. The mapping is saved per tenant under the header row's signature and reused on
    the next upload of the same template. The dry run (``import_process`` with
    ``dry_run=True``) checks every row and creates nothing. Allowed while the job waits for its
    mapping or after a dry run (to change the mapping and check again). Another tenant's
    ``shipper_id`` raises ShipperNotFound (404 ``shipper_not_found``).
    """
    if job.status not in (ImportStatus.UPLOADED, ImportStatus.VALIDATED) or not job.file_key:
        raise ImportRefused("import_not_ready", status=409)
    if mode is not None and mode not in ImportMode.values:
        raise ImportRefused("import_not_ready")
    checked = _check_mapping(job, mapping)
    _check_shipper(principal, shipper_id)
    shipper = shipper_id if shipper_id is not None else job.shipper_id
    if shipper is None:
        raise ImportRefused("shipper_required")
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status not in (ImportStatus.UPLOADED, ImportStatus.VALIDATED):
            raise ImportRefused("import_not_ready", status=409)
        now = timezone.now()
        ColumnMapping.objects.update_or_create(
            header_signature=job.header_signature,
            defaults={
                "tenant_id": job.tenant_id,
                "headers": job.headers,
                "mapping": checked,
                "updated_by": principal.user,
                "updated_at": now,
            },
        )
        job.mapping = checked
        job.shipper_id = shipper
        if mode is not None:
            job.mode = mode
        job.status = ImportStatus.VALIDATING
        job.dry_run = True
        job.progress = 0
        job.report = []
        job.updated_at = now
        job.save()
        _audit(principal, "import_mapping_confirmed", job)
        _enqueue(job, dry_run=True)
    return job


def import_run(*, principal: Principal, job: ImportJob, mode: str | None = None) -> ImportJob:
    """Create the orders of a checked import, in the background.

    Only after a dry run (status ``validated``). ``all_or_nothing`` refuses when any row was
    invalid (``import_has_invalid_rows``) and otherwise creates every order in one transaction;
    ``valid_rows_only`` creates the valid rows and reports the others.
    """
    if mode is not None and mode not in ImportMode.values:
        raise ImportRefused("import_not_ready")
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status != ImportStatus.VALIDATED or not job.file_key:
            raise ImportRefused("import_not_ready", status=409)
        if mode is not None:
            job.mode = mode
        if job.mode == ImportMode.ALL_OR_NOTHING and job.invalid_rows:
            raise ImportRefused("import_has_invalid_rows", status=409)
        job.status = ImportStatus.IMPORTING
        job.dry_run = False
        job.progress = 0
        job.updated_at = timezone.now()
        job.save()
        _audit(principal, "import_started", job, mode=job.mode)
        _enqueue(job, dry_run=False)
    return job


def _enqueue(job: ImportJob, *, dry_run: bool) -> None:
    from logitrack.imports.tasks import import_process

    job_id, tenant_id = job.pk, job.tenant_id
    transaction.on_commit(lambda: import_process.enqueue(job_id, tenant_id, dry_run))


UPLOAD_LIFETIME = timedelta(days=1)


def import_uploads_expire(*, now: datetime | None = None) -> int:
    """Close the imports left waiting (uploaded or checked, never run) for a day; return how many.

    Their encrypted file is deleted and the job ends ``failed`` with ``import_expired``: an
    upload holds consignees' personal data and is kept only while the import needs it. Runs for
    every tenant (``logitrack imports_expire``, from the operator's scheduler).
    """
    cutoff = (now or timezone.now()) - UPLOAD_LIFETIME
    waiting = ImportJob.dangerously_unscoped.filter(
        status__in=[ImportStatus.UPLOADED, ImportStatus.VALIDATED], updated_at__lt=cutoff
    )
    count = 0
    for job in waiting.iterator():
        storage.delete_upload(job.file_key)
        ImportJob.dangerously_unscoped.filter(pk=job.pk).update(
            status=ImportStatus.FAILED,
            error_code="import_expired",
            file_key="",
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
        count += 1
    return count
