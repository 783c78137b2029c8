"""Fixtures shared by every test package."""

from __future__ import annotations

import pytest

from logitrack.core.testing import HttpsClient


@pytest.fixture
def client() -> HttpsClient:
    """A test client that speaks HTTPS, as every Logitrack client does."""
    return HttpsClient()
