"""The tenant bound to the code that is running now.

Only three places bind a tenant: the authentication layer (from the signed-in membership or an
API key), the task decorator (from an explicit tenant id) and ``tenant_context`` in management
commands. Everything else reads it, and scoped queries fail when none is bound.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

from logitrack.core.context import tenant_id_var as _log_tenant_id_var

if TYPE_CHECKING:
    from logitrack.tenancy.models import Tenant

_current_tenant_id: ContextVar[int | None] = ContextVar("logitrack_tenant_id", default=None)


class NoTenantBound(RuntimeError):
    """Tenant-scoped data was touched while no tenant was bound: a bug, never a user error."""


def current_tenant_id() -> int:
    tenant_id = _current_tenant_id.get()
    if tenant_id is None:
        raise NoTenantBound("no tenant is bound; tenant-scoped data cannot be read or written")
    return tenant_id


def bound_tenant_id() -> int | None:
    return _current_tenant_id.get()


@contextmanager
def tenant_context(tenant: Tenant | int) -> Iterator[None]:
    """Bind ``tenant`` for the duration of the block, restoring the previous binding after."""
    tenant_id = tenant if isinstance(tenant, int) else tenant.pk
    if tenant_id is None:
        raise NoTenantBound("cannot bind an unsaved tenant")
    token = _current_tenant_id.set(tenant_id)
    log_token = _log_tenant_id_var.set(tenant_id)
    try:
        yield
    finally:
        _log_tenant_id_var.reset(log_token)
        _current_tenant_id.reset(token)
