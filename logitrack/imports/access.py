"""The one way request-driven code gets an import job."""

from __future__ import annotations

from logitrack.core.errors import NotFound
from logitrack.imports.models import ImportJob
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Permission


def access_import_job_by_id(
    principal: Principal, job_id: int, *, for_write: bool = False
) -> ImportJob:
    """An import job of the principal's tenant; ``operations.manage`` to read or change it.

    Missing, another tenant's and not permitted all raise NotFound("import_not_found"), so ids
    cannot be probed. The job is read from the bound tenant's rows only.
    """
    from logitrack.core.tenant import bound_tenant_id

    code = "import_not_found"
    tenant_id = principal.tenant_id
    if (
        tenant_id is None
        or not principal.has(Permission.OPERATIONS_MANAGE)
        or bound_tenant_id() != tenant_id
    ):
        raise NotFound(code)
    job: ImportJob | None = ImportJob.objects.filter(pk=job_id, tenant_id=tenant_id).first()
    if job is None:
        raise NotFound(code)
    return job
