"""The background work of an import: check every row (dry run), then create the orders.

Steps of :func:`process` for job ``job_id`` (tenant bound by the task):

1. decrypt the stored file and read it again (``reading``), find the header row, read every row
   with the confirmed mapping (``rows.parse_rows``); the import step instead takes the rows the
   dry run kept (``imports.kept``) when they were read from the same bytes with the same header,
   mapping, COD cap, limits and code, and reads the file again otherwise;
2. resolve each row's address to a 2025 commune (cached per distinct address text) and build
   the order input that ``logistics.order_create`` validates (``orders.prepare_orders``);
3. dry run: store counts and the report, status ``validated``; the file stays for step 4;
4. import: create the orders in batches (``orders.create_orders``): ``all_or_nothing`` in one
   transaction (any failure rolls every order back and the job is ``failed``),
   ``valid_rows_only`` one transaction per batch, progress stored after each; then the file
   is deleted.

A file-level refusal or an unexpected error ends the job ``failed`` with a code and deletes
the file; the report never holds a cell's content.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from logitrack.core.crypto.canonical import e164_memo
from logitrack.core.text import text_memo
from logitrack.imports import kept, storage
from logitrack.imports.models import ImportJob, ImportMode, ImportStatus
from logitrack.imports.reading import SheetRefused, read_sheet
from logitrack.imports.report import Issue
from logitrack.imports.rows import HeaderFound, locate_header, parse_rows
from logitrack.logistics.limits import cod_cap_vnd

logger = logging.getLogger("logitrack.imports")

BATCH_SIZE = 1000
REPORT_MAX = 5000  # issues kept in a report; the counts cover every row


def _save(job: ImportJob, expected: str | None = None, /, **fields: object) -> bool:
    """Store ``fields`` on the job (only while its status is ``expected``, when given)."""
    fields["updated_at"] = timezone.now()
    rows = ImportJob.objects.filter(pk=job.pk)
    if expected is not None:
        rows = rows.filter(status=expected)
    if not rows.update(**fields):
        return False
    for name, value in fields.items():
        setattr(job, name, value)
    return True


def _finish_failed(job: ImportJob, code: str, report: list[Issue] | None = None) -> None:
    storage.delete_upload(job.file_key)
    _save(
        job,
        status=ImportStatus.FAILED,
        error_code=code,
        file_key="",
        finished_at=timezone.now(),
        **({"report": report[:REPORT_MAX]} if report is not None else {}),
    )


def process(job_id: int, *, dry_run: bool) -> ImportJob | None:
    """Run step 1-3 (``dry_run``) or 1-4 of the module docstring for one job; None if gone."""
    job: ImportJob | None = ImportJob.objects.filter(pk=job_id).first()
    expected = ImportStatus.VALIDATING if dry_run else ImportStatus.IMPORTING
    if job is None or job.status != expected or not job.file_key:
        return job
    # Hundreds of thousands of short-lived objects per job: the cyclic collector would scan the
    # growing heap again and again (measured: 40 % of the import's time), and nothing here
    # makes reference cycles that must go before the job ends.
    collecting = gc.isenabled()
    gc.disable()
    try:
        with e164_memo(), text_memo():
            _process(job, dry_run=dry_run)
    except SheetRefused as exc:
        _finish_failed(job, exc.code)
    except Exception:
        logger.exception("import failed", extra={"import_job_id": job.pk})
        _finish_failed(job, "import_failed")
    finally:
        if collecting:
            gc.enable()
    return job


def _process(job: ImportJob, *, dry_run: bool) -> None:
    from logitrack.imports.orders import create_orders, prepare_orders

    data = storage.read_upload(job.tenant_id, job.file_key)
    cap = cod_cap_vnd()
    print_ = kept.fingerprint(data, job.header_row, job.headers, job.mapping, cap)
    # The import step takes the dry run's rows when they were read from these very bytes, with
    # this header, mapping, cap, limits and code (imports.kept); else it reads the file again.
    parsed = None if dry_run else kept.reuse(job.tenant_id, job.file_key, print_)
    if parsed is None:
        sheet = read_sheet(data)
        found = locate_header(sheet)
        if found.row != job.header_row:
            raise SheetRefused("header_not_found", "")
        header = HeaderFound(found.index, found.row, list(job.headers), list(job.mapping))
        parsed = parse_rows(sheet, header, job.mapping, cod_cap=cap)
        del sheet
    del data
    if any(item["code"] == "card_number" for item in parsed.issues):
        # Upload refuses such files; a file read differently now is refused and deleted at once.
        _finish_failed(job, "card_number", parsed.issues)
        return
    if dry_run:
        kept.keep(job.tenant_id, job.file_key, print_, parsed)
    total = parsed.total

    def progress(done: int) -> None:
        _save(job, progress=min(done, total))

    prepared, issues = prepare_orders(job, parsed.rows, on_progress=progress)
    report = sorted([*parsed.issues, *issues], key=lambda item: item["row"])
    invalid = len({item["row"] for item in report if item["row"] > job.header_row})
    if dry_run:
        # Only a job still being checked: a second run of the same dry run (a task delivered
        # twice) that ends after the import step must not turn a done import back to checked.
        _save(
            job,
            ImportStatus.VALIDATING,
            status=ImportStatus.VALIDATED,
            total_rows=total,
            valid_rows=len(prepared),
            invalid_rows=invalid,
            progress=total,
            report=report[:REPORT_MAX],
        )
        return
    if job.mode == ImportMode.ALL_OR_NOTHING and invalid:
        _finish_failed(job, "import_has_invalid_rows", report)
        return
    _save(job, progress=0)
    created, failures = _create(job, prepared, create_orders, progress)
    report = sorted([*report, *failures], key=lambda item: item["row"])
    storage.delete_upload(job.file_key)
    _save(
        job,
        status=ImportStatus.DONE if created or not failures else ImportStatus.FAILED,
        created_orders=created,
        valid_rows=created,
        invalid_rows=len({item["row"] for item in report if item["row"] > job.header_row}),
        progress=total,
        report=report[:REPORT_MAX],
        file_key="",
        finished_at=timezone.now(),
    )


def _create(
    job: ImportJob,
    prepared: list[tuple[int, object]],
    create_orders: Callable[..., tuple[int, list[Issue]]],
    progress: Callable[[int], None],
) -> tuple[int, list[Issue]]:
    if job.mode == ImportMode.ALL_OR_NOTHING:
        with transaction.atomic():
            created, failures = create_orders(job, prepared)
            if failures:
                transaction.set_rollback(True)
                return 0, failures
        return created, []
    created, failures = 0, []
    for start in range(0, len(prepared), BATCH_SIZE):
        batch = prepared[start : start + BATCH_SIZE]
        with transaction.atomic():
            made, lost = create_orders(job, batch)
            if lost:
                # One refused row must not take its batch with it: retry the rest row by row.
                transaction.set_rollback(True)
        if lost:
            for item in batch:
                with transaction.atomic():
                    one, refused = create_orders(job, [item])
                    if refused:
                        transaction.set_rollback(True)
                        failures.extend(refused)
                    else:
                        created += one
        else:
            created += made
        progress(start + len(batch))
    return created, failures
