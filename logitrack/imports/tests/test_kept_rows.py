"""The import step takes the dry run's rows only when they were read from the same file the same
way, and then creates exactly what it creates when it reads the file again (imports.kept)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from logitrack.core.tenant import tenant_context
from logitrack.imports import kept, pipeline, storage
from logitrack.imports.models import ImportStatus
from logitrack.imports.reading import read_sheet
from logitrack.imports.rows import locate_header, parse_rows
from logitrack.imports.services import import_mapping_confirm, import_run, import_upload
from logitrack.imports.tests.test_fast_paths import _corpus
from logitrack.logistics.limits import cod_cap_vnd
from logitrack.logistics.models import Order
from logitrack.logistics.tests.factories import make_shipper
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant, principal_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _own_data_dir(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path


def _rows_files() -> list[Path]:
    return sorted((Path(settings.DATA_DIR) / "imports").glob("*.rows.bin"))


def test_kept_rows_read_back_as_the_rows_read_from_the_file() -> None:
    sheet = read_sheet(_corpus())
    header = locate_header(sheet)
    parsed = parse_rows(sheet, header, header.mapping)

    again = kept.load(kept.dump("f" * 64, parsed), "f" * 64)

    assert again is not None
    assert again.rows == parsed.rows
    assert again.issues == parsed.issues
    assert again.refused_rows == parsed.refused_rows
    assert again.total == parsed.total
    assert kept.load(kept.dump("f" * 64, parsed), "e" * 64) is None


def test_the_fingerprint_changes_with_every_input_of_the_reading(settings: Any) -> None:
    base = (b"a,b\n1,2\n", 1, ["a", "b"], ["consignee_name", "address"], 1000)
    first = kept.fingerprint(*base)
    assert kept.fingerprint(*base) == first
    changed = [
        (b"a,b\n1,3\n", *base[1:]),
        (base[0], 2, *base[2:]),
        (*base[:2], ["a", "c"], *base[3:]),
        (*base[:3], ["consignee_name", ""], base[4]),
        (*base[:4], 999),
    ]
    assert len({kept.fingerprint(*args) for args in changed} | {first}) == len(changed) + 1
    settings.IMPORT_MAX_ROWS = 10
    assert kept.fingerprint(*base) != first


def _run(tenant: Any, principal: Any, shipper: Any, data: bytes) -> Any:
    with tenant_context(tenant):
        job = import_upload(
            principal=principal, file_name="don.csv", data=data, shipper_id=shipper.pk
        )
        import_mapping_confirm(principal=principal, job=job, mapping=job.mapping)
        job.refresh_from_db()
        assert job.status == ImportStatus.VALIDATED
        import_run(principal=principal, job=job, mode="valid_rows_only")
        job.refresh_from_db()
        orders = [
            (
                o.reference,
                str(o.consignee_name),
                str(o.consignee_phone),
                o.delivery_street,
                o.delivery_ward_code,
                o.delivery_province_code,
                o.delivery_legacy_text,
                o.cod_amount_vnd,
                o.service_level,
                o.notes,
                [(i.description, i.quantity) for i in o.items.order_by("pk")],
                [s.weight_g for s in o.shipments.order_by("pk")],
            )
            for o in Order.objects.order_by("idempotency_key")
        ]
    return job, orders


def _tenant() -> tuple[Any, Any, Any]:
    tenant = make_tenant()
    return tenant, principal_for(make_member(tenant, Role.DISPATCHER)), make_shipper(tenant)


def test_the_import_step_reuses_the_dry_runs_rows_and_creates_the_same_orders(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = _corpus(card=False)
    calls: list[int] = []
    real_parse = pipeline.parse_rows  # type: ignore[attr-defined]

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real_parse(*args, **kwargs)

    monkeypatch.setattr(pipeline, "parse_rows", counted)
    kept_job, kept_orders = _run(*_tenant(), data)
    assert len(calls) == 1  # the dry run only
    assert _rows_files() == []  # deleted with the file

    monkeypatch.setattr(kept, "reuse", lambda *args: None)
    read_job, read_orders = _run(*_tenant(), data)
    assert len(calls) == 3  # the dry run and the import step

    assert kept_orders == read_orders
    assert len(kept_orders) == kept_job.created_orders > 0
    assert kept_job.report == read_job.report
    assert (kept_job.status, kept_job.valid_rows, kept_job.invalid_rows) == (
        read_job.status,
        read_job.valid_rows,
        read_job.invalid_rows,
    )


def test_kept_rows_that_do_not_open_or_do_not_match_are_not_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tenant, principal, shipper = _tenant()
    with tenant_context(tenant):
        job = import_upload(
            principal=principal,
            file_name="don.csv",
            data=_corpus(card=False),
            shipper_id=shipper.pk,
        )
        import_mapping_confirm(principal=principal, job=job, mapping=job.mapping)
        job.refresh_from_db()
    data = storage.read_upload(tenant.pk, job.file_key)
    print_ = kept.fingerprint(data, job.header_row, job.headers, job.mapping, cod_cap_vnd())
    assert kept.reuse(tenant.pk, job.file_key, print_) is not None
    # Another fingerprint (another cap, mapping, file or code): not used.
    assert kept.reuse(tenant.pk, job.file_key, "0" * 64) is None
    # Another tenant's key or another file's associated data: does not open.
    other, _principal, _shipper = _tenant()
    assert kept.reuse(other.pk, job.file_key, print_) is None
    (path,) = _rows_files()
    raw = bytearray(path.read_bytes())
    raw[-1] ^= 1
    path.write_bytes(bytes(raw))
    assert kept.reuse(tenant.pk, job.file_key, print_) is None
    assert path.stat().st_mode & 0o777 == 0o600
    assert b"Nguy" not in path.read_bytes()
    storage.delete_upload(job.file_key)
    assert _rows_files() == []
