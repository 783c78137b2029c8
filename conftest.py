"""Fixtures shared by every test package."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from logitrack.core.testing import HttpsClient


@pytest.fixture
def client() -> HttpsClient:
    """A test client that speaks HTTPS, as every Logitrack client does."""
    return HttpsClient()


@pytest.fixture(autouse=True)
def _position_staging_forgotten() -> Iterator[None]:
    """The position writer remembers, per PostgreSQL session, that its temporary staging table
    exists once the creating transaction's on-commit callbacks ran. In a test, callbacks run by
    ``django_capture_on_commit_callbacks(execute=True)`` inside the test's transaction, which is
    then rolled back with the table: forget the sessions after each test, as no real commit
    ever undoes itself."""
    yield
    from logitrack.tracking.ingest.writer import _STAGED

    _STAGED.clear()
