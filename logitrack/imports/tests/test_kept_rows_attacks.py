"""Kept rows (imports.kept, docs/adr/0047) under a full disk, a truncated copy, and a job whose
file is deleted while its dry run is still writing them: no personal data is left on disk and
the import step never uses rows it cannot trust."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from logitrack.core.tenant import tenant_context
from logitrack.imports import kept, pipeline, storage
from logitrack.imports.models import ImportJob, ImportStatus
from logitrack.imports.services import import_mapping_confirm, import_run, import_upload
from logitrack.imports.tests.test_fast_paths import _corpus
from logitrack.logistics.limits import cod_cap_vnd
from logitrack.logistics.tests.factories import make_shipper
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant, principal_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _own_data_dir(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path


def _left_on_disk() -> list[str]:
    return sorted(path.name for path in (Path(settings.DATA_DIR) / "imports").iterdir())


def _checked_job() -> tuple[Any, Any, ImportJob]:
    tenant = make_tenant()
    principal = principal_for(make_member(tenant, Role.DISPATCHER))
    shipper = make_shipper(tenant)
    with tenant_context(tenant):
        job = import_upload(
            principal=principal,
            file_name="don.csv",
            data=_corpus(card=False),
            shipper_id=shipper.pk,
        )
        import_mapping_confirm(principal=principal, job=job, mapping=job.mapping)
        job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATED
    return tenant, principal, job


def _print(tenant: Any, job: ImportJob) -> str:
    data = storage.read_upload(tenant.pk, job.file_key)
    return kept.fingerprint(data, job.header_row, job.headers, job.mapping, cod_cap_vnd())


def test_rows_stored_while_the_file_is_deleted_do_not_stay_on_disk(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tenant, _principal, job = _checked_job()
    payload = storage.read_rows(tenant.pk, job.file_key)
    real_seal = storage._seal_to

    def deleted_meanwhile(*args: Any) -> None:
        # The job fails, expires or is deleted between the dry run's check and its write.
        storage.delete_upload(job.file_key)
        real_seal(*args)

    monkeypatch.setattr(storage, "_seal_to", deleted_meanwhile)
    with pytest.raises(FileNotFoundError):
        storage.store_rows(tenant.pk, job.file_key, payload)
    assert _left_on_disk() == []


def test_a_disk_full_while_keeping_rows_leaves_no_piece_and_the_import_reads_the_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tenant, principal, job = _checked_job()
    print_ = _print(tenant, job)
    payload = storage.read_rows(tenant.pk, job.file_key)
    # The dry run's first keep is the one that meets the full disk.
    (Path(settings.DATA_DIR) / "imports" / f"{job.file_key}.rows.bin").unlink()
    real_fdopen = os.fdopen

    class Full:
        def __init__(self, handle: Any) -> None:
            self.handle = handle

        def __enter__(self) -> Full:
            return self

        def __exit__(self, *exc: object) -> None:
            self.handle.close()

        def write(self, data: bytes) -> int:
            self.handle.write(data[:7])
            self.handle.flush()
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fdopen", lambda *a, **k: Full(real_fdopen(*a, **k)))
    with pytest.raises(OSError, match="No space"):
        storage.store_rows(tenant.pk, job.file_key, payload)
    monkeypatch.setattr(os, "fdopen", real_fdopen)
    # Nothing but the file itself: no piece of the rows, no draft.
    assert _left_on_disk() == [f"{job.file_key}.bin"]
    assert kept.reuse(tenant.pk, job.file_key, print_) is None

    reads: list[int] = []
    real_parse = pipeline.parse_rows  # type: ignore[attr-defined]

    def counted(*args: Any, **kwargs: Any) -> Any:
        reads.append(1)
        return real_parse(*args, **kwargs)

    monkeypatch.setattr(pipeline, "parse_rows", counted)
    with tenant_context(tenant):
        import_run(principal=principal, job=job, mode="valid_rows_only")
        job.refresh_from_db()
    assert reads == [1]
    assert job.status == ImportStatus.DONE
    assert job.created_orders > 0
    assert _left_on_disk() == []


@pytest.mark.parametrize("keep_bytes", [0, 5, 31, -16])
def test_a_truncated_or_empty_rows_copy_is_not_used(keep_bytes: int) -> None:
    tenant, _principal, job = _checked_job()
    print_ = _print(tenant, job)
    path = Path(settings.DATA_DIR) / "imports" / f"{job.file_key}.rows.bin"
    path.write_bytes(path.read_bytes()[:keep_bytes])
    assert kept.reuse(tenant.pk, job.file_key, print_) is None


def test_a_job_that_fails_after_its_dry_run_keeps_nothing_on_disk() -> None:
    tenant, _principal, job = _checked_job()
    assert len(_left_on_disk()) == 2
    with tenant_context(tenant):
        pipeline._finish_failed(job, "import_failed")
    assert _left_on_disk() == []


def test_a_dry_run_delivered_twice_that_ends_after_the_import_leaves_the_import_done(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from logitrack.imports import orders

    tenant, principal, job = _checked_job()
    with tenant_context(tenant):
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.VALIDATING)
    real_prepare = orders.prepare_orders
    runs: list[int] = []

    def second_delivery_overtakes(*args: Any, **kwargs: Any) -> Any:
        runs.append(1)
        if len(runs) == 1:
            # While this (first) delivery checks the rows, the second one finishes, the user
            # starts the import and it ends.
            pipeline.process(job.pk, dry_run=True)
            with tenant_context(tenant):
                import_run(
                    principal=principal,
                    job=ImportJob.objects.get(pk=job.pk),
                    mode="valid_rows_only",
                )
        return real_prepare(*args, **kwargs)

    monkeypatch.setattr(orders, "prepare_orders", second_delivery_overtakes)
    with tenant_context(tenant):
        pipeline.process(job.pk, dry_run=True)
        job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert job.created_orders > 0
    assert job.file_key == ""
    assert _left_on_disk() == []
