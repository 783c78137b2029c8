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


@pytest.fixture(scope="session", autouse=True)
def _urlconf_loaded_before_any_clock_is_frozen() -> None:
    """Load the URLconf, and with it every API schema, before any test freezes time.

    freezegun's ``freeze_time`` replaces ``datetime.date`` in every module already imported.
    A test that reverses its first URL while frozen would make pydantic build the API's
    schemas then. If another test had already imported a module holding ``date``
    (``logitrack.core.schemas``), pydantic cannot build a schema for freezegun's ``FakeDate``:
    the throttle tests failed that way after the erasure tests."""
    from django.urls import get_resolver

    assert get_resolver().url_patterns
