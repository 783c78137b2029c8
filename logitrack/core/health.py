"""Liveness and readiness probes for load balancers and ``make run``'s own start-up check."""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Alive: the process answers. Deliberately touches nothing else."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready: the database answers and every migration is applied."""
    checks: dict[str, str] = {}
    try:
        connection = connections[DEFAULT_DB_ALIAS]
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
        loader = MigrationExecutor(connection).loader
        applied = loader.applied_migrations or {}
        unapplied = [node for node in loader.graph.nodes if node not in applied]
        checks["migrations"] = "ok" if not unapplied else f"{len(unapplied)} unapplied"
    except DatabaseError:
        checks.setdefault("database", "unreachable")
    ready = checks.get("database") == "ok" and checks.get("migrations") == "ok"
    return JsonResponse(
        {"status": "ready" if ready else "not_ready", "checks": checks},
        status=200 if ready else 503,
    )
