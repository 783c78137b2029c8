"""Per-request context shared by the log line and, later, the audit chain.

Values live in context variables so that code deep in a service can reach the request id without
the request being passed down.
"""

from __future__ import annotations

from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("logitrack_request_id", default=None)
tenant_id_var: ContextVar[int | None] = ContextVar("logitrack_log_tenant_id", default=None)
