"""Background work of the imports app (docs/adr/0009, docs/adr/0022).

The task's arguments are ids only (job, tenant, dry run or not): the queue holds no file
content and no personal data. The tenant is bound from the explicit id before any row is read.
"""

from __future__ import annotations

from django_tasks import task

from logitrack.core.tenant import tenant_context


@task()
def import_process(job_id: int, tenant_id: int, dry_run: bool) -> str:
    """Check (``dry_run``) or import the rows of import job ``job_id``; returns its status."""
    from logitrack.imports.pipeline import process

    with tenant_context(tenant_id):
        job = process(job_id, dry_run=dry_run)
    return job.status if job is not None else "missing"
