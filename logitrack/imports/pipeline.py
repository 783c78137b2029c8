"""The background work of an import: check every row (dry run), then create the orders.

Steps of :func:`process` for job ``job_id`` (tenant bound by the task):

1. decrypt the stored file and read it again (``reading``), find the header row, read every row
   with the confirmed mapping (``rows.parse_rows``); the import step instead takes the rows the
   dry run kept (``imports.kept``) when they were read from the same bytes with the same header,
   mapping, COD cap, limits and code, and reads the file again otherwise;
2. resolve each row's address to a 2025 commune (cached per distinct address text) and build
   the order input that ``logistics.order_create`` validates (``orders.prepare_orders``);
3. dry run: store counts and the report, status ``validated``; the file stays for step 4;
4. import: create the orders in batches (``orders.build_batch`` then ``orders.write_batch``,
   each batch built one ahead of the writes, ADR 0051): ``all_or_nothing`` in one
   transaction (any failure rolls every order back and the job is ``failed``),
   ``valid_rows_only`` one transaction per batch, progress stored with each; then the file
   is deleted.

A file-level refusal or an unexpected error ends the job ``failed`` with a code and deletes
the file; the report never holds a cell's content.
"""

from __future__ import annotations

import contextlib
import contextvars
import gc
import logging
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from django.db import DataError, IntegrityError, connection, connections, transaction
from django.utils import timezone

from logitrack.core.crypto.canonical import e164_memo
from logitrack.core.text import text_memo
from logitrack.imports import kept, storage
from logitrack.imports.models import ImportJob, ImportMode, ImportStatus
from logitrack.imports.reading import SheetRefused, read_sheet
from logitrack.imports.report import Issue, issue
from logitrack.imports.rows import HeaderFound, OrderRow, locate_header, parse_rows
from logitrack.logistics.limits import cod_cap_vnd

logger = logging.getLogger("logitrack.imports")

BATCH_SIZE = 2000
REPORT_MAX = 5000  # issues kept in a report; the counts cover every row
PROGRESS_SECONDS = 0.5  # the checks' progress is stored at most this often
# The databases whose import step checks and builds each batch in a thread while the previous
# batch is written (see _ahead), and the GIL switch interval meanwhile (ADR 0051).
THREADED_VENDORS = frozenset({"postgresql"})
BUILD_SWITCH_INTERVAL = 0.00005
# The interval found by the first of the blocks now inside _switching_every, then one entry per
# block inside it.
_SWITCHING: list[float] = []
_SWITCHING_LOCK = threading.Lock()

_In = TypeVar("_In")
_Out = TypeVar("_Out")


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
        _reconnect_if_lost()
        _finish_failed(job, "import_failed")
    except BaseException:
        # Interrupted (KeyboardInterrupt, SystemExit from a worker told to stop): the job must
        # not stay "importing" forever with its upload kept; its failure is stored, then the
        # interruption goes on.
        try:
            _reconnect_if_lost()
            _finish_failed(job, "import_failed")
        except Exception:
            logger.exception("import interrupted", extra={"import_job_id": job.pk})
        raise
    finally:
        if collecting:
            gc.enable()
    return job


def _reconnect_if_lost() -> None:
    """After an error outside any transaction: a connection the server closed (a restart,
    ``pg_terminate_backend``) is dropped, so that the job's failure is stored on a new one.
    (Inside a transaction Django closes it itself when the rollback fails.)"""
    if not connection.in_atomic_block:
        connection.close_if_unusable_or_obsolete()


def _process(job: ImportJob, *, dry_run: bool) -> None:
    from logitrack.imports.orders import prepare_orders

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

    saved_at = [time.monotonic()]

    def progress(done: int, created: int | None = None) -> None:
        # With ``created``: the orders stored so far, so that a job that fails later (its
        # earlier batches committed) does not report that it created none.
        counts = {} if created is None else {"created_orders": created}
        _save(job, progress=min(done, total), **counts)
        saved_at[0] = time.monotonic()

    def checked(done: int) -> None:
        # Progress of the checks, outside any transaction: a commit of its own each time (on
        # SQLite a WAL checkpoint), so at most every PROGRESS_SECONDS.
        if time.monotonic() - saved_at[0] >= PROGRESS_SECONDS:
            progress(done)

    def invalid_rows(report: list[Issue]) -> int:
        return len({item["row"] for item in report if item["row"] > job.header_row})

    if dry_run:
        prepared, issues = prepare_orders(job, parsed.rows, on_progress=checked)
        report = sorted([*parsed.issues, *issues], key=lambda item: item["row"])
        # Only a job still being checked: a second run of the same dry run (a task delivered
        # twice) that ends after the import step must not turn a done import back to checked.
        _save(
            job,
            ImportStatus.VALIDATING,
            status=ImportStatus.VALIDATED,
            total_rows=total,
            valid_rows=len(prepared),
            invalid_rows=invalid_rows(report),
            progress=total,
            report=report[:REPORT_MAX],
        )
        return
    if job.mode == ImportMode.ALL_OR_NOTHING and invalid_rows(parsed.issues):
        _finish_failed(job, "import_has_invalid_rows", parsed.issues)
        return
    _save(job, progress=0)
    created, issues, failures = _create(job, parsed.rows, progress, checked)
    report = sorted([*parsed.issues, *issues, *failures], key=lambda item: item["row"])
    if job.mode == ImportMode.ALL_OR_NOTHING and issues:
        _finish_failed(job, "import_has_invalid_rows", report)
        return
    storage.delete_upload(job.file_key)
    _save(
        job,
        status=ImportStatus.DONE if created or not failures else ImportStatus.FAILED,
        created_orders=created,
        valid_rows=created,
        invalid_rows=invalid_rows(report),
        progress=total,
        report=report[:REPORT_MAX],
        file_key="",
        finished_at=timezone.now(),
    )


def _refuse_queries(*_args: object) -> None:
    raise RuntimeError("the import's build thread must not query the database")


def _without_database(work: Callable[[_In], _Out], item: _In) -> _Out:
    """``work(item)`` with every query refused in this thread (the build thread: its
    connections would be outside the job's transaction)."""
    with contextlib.ExitStack() as stack:
        for alias in connections:
            stack.enter_context(connections[alias].execute_wrapper(_refuse_queries))
        return work(item)


@contextlib.contextmanager
def _switching_every(seconds: float) -> Iterator[None]:
    """The interpreter's GIL switch interval set to ``seconds`` while any thread of this process
    is inside such a block (the interval is process-wide): the first to enter remembers the
    interval it found, the last to leave restores it, so imports that overlap in one process
    never leave the short interval behind."""
    with _SWITCHING_LOCK:
        if not _SWITCHING:
            _SWITCHING.append(sys.getswitchinterval())
            sys.setswitchinterval(seconds)
        _SWITCHING.append(seconds)
    try:
        yield
    finally:
        with _SWITCHING_LOCK:
            _SWITCHING.pop()
            if len(_SWITCHING) == 1:
                sys.setswitchinterval(_SWITCHING.pop())


@contextlib.contextmanager
def _ahead(
    work: Callable[[_In], _Out], items: Sequence[_In], *, threaded: bool
) -> Iterator[Iterator[tuple[int, _Out]]]:
    """``(position, work(item))`` for each item in order. ``work`` must not query the database:
    it is refused there (``_without_database``).

    ``threaded``: ``work`` runs one item ahead in a thread of its own (in a copy of the
    caller's context: the tenant, the language and the job's memories), so that checking and
    building batch k + 1 (Python, holding the GIL) overlaps the database's work on batch k
    (PostgreSQL's COPY, constraint checks and commit run in the server while the caller
    waits without the GIL). Each of the caller's round trips then needs the GIL back from the
    busy thread: the switch interval is BUILD_SWITCH_INTERVAL meanwhile, not CPython's 5 ms.
    Otherwise (SQLite: its work runs in this process, releasing and taking the GIL back at
    every row, so a busy thread only makes it wait; measured in ADR 0051) ``work`` runs
    in the caller's thread when its result is taken. An exception of ``work`` is raised where
    its result is taken; leaving the block early waits for the item being worked on, then
    drops the rest."""
    if not threaded:
        yield ((position, _without_database(work, item)) for position, item in enumerate(items))
        return
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="logitrack-import-build")

    def submit(item: _In) -> Future[_Out]:
        return pool.submit(contextvars.copy_context().run, _without_database, work, item)

    def results() -> Iterator[tuple[int, _Out]]:
        pending = submit(items[0]) if items else None
        for position in range(len(items)):
            assert pending is not None
            result = pending.result()
            pending = submit(items[position + 1]) if position + 1 < len(items) else None
            yield position, result

    try:
        with _switching_every(BUILD_SWITCH_INTERVAL):
            yield results()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _create(
    job: ImportJob,
    rows: Sequence[OrderRow],
    progress: Callable[[int, int], None],
    checked: Callable[[int], None],
) -> tuple[int, list[Issue], list[Issue]]:
    """Check and create the orders of ``rows`` in batches of BATCH_SIZE: ``(created, issues
    of rows that did not pass the checks, failures of rows refused on writing)``.

    What checking and building need from the database is looked up here first; batches are
    then built (``build_batch``) one ahead of the writes (:func:`_ahead`).
    ``valid_rows_only``: each batch is also checked (``prepare_orders``) ahead of the writes;
    a transaction per batch, which stores the progress too; a batch with a refused row is
    written again row by row, so that only that row is lost. ``all_or_nothing``: every row is
    checked first (progress stored as it goes, as the dry run does), nothing is written when
    any fails; then one transaction for every batch, rolled back by the first failure."""
    from logitrack.imports.orders import (
        build_batch,
        build_context,
        create_orders,
        prepare_context,
        prepare_orders,
        write_batch,
    )

    checks = prepare_context(job, rows)
    context = build_context(job)
    threaded = connection.vendor in THREADED_VENDORS
    starts = range(0, len(rows), BATCH_SIZE)
    ends = [min(start + BATCH_SIZE, len(rows)) for start in starts]
    created = 0
    failures: list[Issue] = []
    if job.mode == ImportMode.ALL_OR_NOTHING:
        prepared, issues = prepare_orders(job, rows, on_progress=checked, context=checks)
        if issues:
            return 0, issues, []
        chunks = [prepared[at : at + BATCH_SIZE] for at in range(0, len(prepared), BATCH_SIZE)]

        def build(chunk: Sequence[tuple[int, Any]]) -> Any:
            return build_batch(job, chunk, context)

        with transaction.atomic(), _ahead(build, chunks, threaded=threaded) as built_batches:
            for _position, built in built_batches:
                made, lost = write_batch(job, built)
                if lost:
                    transaction.set_rollback(True)
                    return 0, [], lost
                created += made
        return created, [], []

    def check_and_build(chunk: Sequence[OrderRow]) -> tuple[list[Any], list[Issue], Any]:
        prepared, issues = prepare_orders(job, chunk, context=checks)
        return prepared, issues, build_batch(job, prepared, context)

    issues = []
    batches = [rows[start : start + BATCH_SIZE] for start in starts]
    with _ahead(check_and_build, batches, threaded=threaded) as ahead:
        for position, (prepared, found, built) in ahead:
            issues.extend(found)
            try:
                with transaction.atomic():
                    made, lost = write_batch(job, built)
                    if lost:
                        transaction.set_rollback(True)
                    else:
                        # Committed with the batch: one commit, and the count is what is stored.
                        progress(ends[position], created + made)
            except (IntegrityError, DataError):
                # A constraint or a value the database refuses: which row is not known.
                made, lost = 0, [issue(built.rows[0], "", "order_not_stored")]
            if not lost:
                created += made
                continue
            # One refused row must not take its batch with it: retry row by row.
            for item in prepared:
                one, refused = _create_one(job, item, create_orders)
                created += one
                failures.extend(refused)
            progress(ends[position], created)
    return created, issues, failures


def _create_one(
    job: ImportJob, item: tuple[int, Any], create_orders: Callable[..., tuple[int, list[Issue]]]
) -> tuple[int, list[Issue]]:
    """One checked row in a transaction of its own: ``(1, [])``, or ``(0, [its issue])`` when it
    is refused (its shipper gone, or the database refusing it: ``order_not_stored``). A
    database that cannot be reached raises: every row would fail the same way."""
    try:
        with transaction.atomic():
            one, refused = create_orders(job, [item])
            if refused:
                transaction.set_rollback(True)
    except (IntegrityError, DataError):
        logger.warning("import row not stored", extra={"import_job_id": job.pk, "row": item[0]})
        return 0, [issue(item[0], "", "order_not_stored")]
    return one, refused
