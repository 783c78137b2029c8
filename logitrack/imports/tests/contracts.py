"""Isolation contracts of the imports API, for tests/isolation (see contract.py there)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from logitrack.tenancy.roles import Permission
from tests.isolation.contract import MISSING_ID, Contract, contract
from tests.isolation.world import World

P = Permission
_v1 = "/api/v1"

CSV = (
    "Mã đơn hàng,Họ tên người nhận,Số điện thoại,Địa chỉ,Khối lượng (gram)\n"
    'DH1,Nguyễn Văn An,0912345678,"12 Lê Lợi, Phường Sài Gòn, TP.HCM",500\n'
).encode()


def _shipper(world: World, side: str) -> int:
    from logitrack.logistics.tests.factories import make_shipper

    # One shipper per tenant of this world (the world is made anew for every test).
    attribute = f"_import_shipper_{side}"
    if not hasattr(world, attribute):
        setattr(world, attribute, make_shipper(world.side(side).tenant).pk)
    return int(getattr(world, attribute))


def _principal(world: World, side: str) -> Any:
    from logitrack.tenancy.principal import Principal
    from logitrack.tenancy.roles import Role

    membership = world.side(side).memberships[Role.OWNER]
    return Principal.for_membership(membership.user, membership)


def _make_uploaded(world: World, side: str) -> int:
    from logitrack.core.tenant import tenant_context
    from logitrack.imports.services import import_upload

    with tenant_context(world.side(side).tenant):
        job = import_upload(
            principal=_principal(world, side),
            file_name="don.csv",
            data=CSV,
            shipper_id=_shipper(world, side),
        )
    return int(job.pk)


def _make_validated(world: World, side: str) -> int:
    from logitrack.core.tenant import tenant_context
    from logitrack.imports.models import ImportJob
    from logitrack.imports.pipeline import process
    from logitrack.imports.services import import_mapping_confirm

    pk = _make_uploaded(world, side)
    with tenant_context(world.side(side).tenant):
        job = ImportJob.objects.get(pk=pk)
        import_mapping_confirm(principal=_principal(world, side), job=job, mapping=job.mapping)
        # The dry run is queued on commit, which the contract's test transaction never reaches.
        process(pk, dry_run=True)
    return pk


def _job_state(pk: int) -> Any:
    from logitrack.imports.models import ImportJob

    return list(
        ImportJob.dangerously_unscoped.filter(pk=pk).values_list(
            "status", "mapping", "mode", "created_orders", "file_key"
        )
    )


def _upload_body(world: World, pk: int | None) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {
        "file": SimpleUploadedFile("don.csv", CSV, content_type="text/csv"),
        "shipper_id": _shipper(world, "a"),
    }


def _mapping_body(world: World, pk: int | None) -> dict[str, Any]:
    return {
        "mapping": ["reference", "consignee_name", "consignee_phone", "address", "weight_grams"]
    }


def _object(pattern: str) -> Callable[[int | None], str]:
    return lambda pk: pattern.format(pk if pk is not None else MISSING_ID)


contract(
    Contract(
        "api-1:import_create",
        "POST",
        P.OPERATIONS_MANAGE,
        lambda pk: f"{_v1}/imports",
        body=_upload_body,
        ok=201,
    )
)
contract(
    Contract(
        "api-1:import_get",
        "GET",
        P.OPERATIONS_MANAGE,
        _object(f"{_v1}/imports/{{}}"),
        make=_make_uploaded,
        snapshot=_job_state,
    )
)
contract(
    Contract(
        "api-1:import_mapping_confirm",
        "POST",
        P.OPERATIONS_MANAGE,
        _object(f"{_v1}/imports/{{}}/mapping"),
        make=_make_uploaded,
        snapshot=_job_state,
        body=_mapping_body,
        json=True,
        ok=202,
    )
)
contract(
    Contract(
        "api-1:import_run",
        "POST",
        P.OPERATIONS_MANAGE,
        _object(f"{_v1}/imports/{{}}/run"),
        make=_make_validated,
        snapshot=_job_state,
        ok=202,
    )
)


# --- pages -------------------------------------------------------------------------------------


def _upload_form(world: World, pk: int | None) -> dict[str, Any]:
    body = _upload_body(world, pk)
    return {"file": body["file"], "shipper": body["shipper_id"], "mode": "all_or_nothing"}


def _mapping_form(world: World, pk: int | None) -> dict[str, Any]:
    keys = _mapping_body(world, pk)["mapping"]
    return {"mode": "all_or_nothing", **{f"column_{i}": key for i, key in enumerate(keys)}}


def _run_form(world: World, pk: int | None) -> dict[str, Any]:
    return {"mode": "all_or_nothing"}


contract(Contract("imports:list", "GET", P.OPERATIONS_MANAGE, lambda pk: "/imports/"))
contract(
    Contract(
        "imports:upload",
        "POST",
        P.OPERATIONS_MANAGE,
        lambda pk: "/imports/new/",
        body=_upload_form,
        ok=302,
    )
)
contract(
    Contract(
        "imports:detail",
        "GET",
        P.OPERATIONS_MANAGE,
        _object("/imports/{}/"),
        make=_make_uploaded,
        snapshot=_job_state,
    )
)
contract(
    Contract(
        "imports:mapping",
        "POST",
        P.OPERATIONS_MANAGE,
        _object("/imports/{}/mapping/"),
        make=_make_uploaded,
        snapshot=_job_state,
        body=_mapping_form,
        ok=302,
    )
)
contract(
    Contract(
        "imports:run",
        "POST",
        P.OPERATIONS_MANAGE,
        _object("/imports/{}/run/"),
        make=_make_validated,
        snapshot=_job_state,
        body=_run_form,
        ok=302,
    )
)
