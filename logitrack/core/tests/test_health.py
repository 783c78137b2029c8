from __future__ import annotations

import json

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from logitrack.core.testing import HttpsClient

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok(client: HttpsClient) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_readyz_reports_database_and_migrations_ok(client: HttpsClient) -> None:
    response = client.get("/readyz")

    assert response.status_code == 200
    assert json.loads(response.content) == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok"},
    }


def test_readyz_is_not_ready_while_a_migration_is_unapplied(client: HttpsClient) -> None:
    recorder = MigrationRecorder(connection)
    recorder.record_unapplied("tenancy", "0001_initial")

    response = client.get("/readyz")

    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "not_ready"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["migrations"].endswith("unapplied")


def test_health_endpoints_refuse_writes(client: HttpsClient) -> None:
    assert client.post("/healthz").status_code == 405
