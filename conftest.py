"""Fixtures shared by every test package."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.fixture
def client() -> Client:
    """A test client that speaks HTTPS, as every Logitrack client does."""
    return Client(**{"wsgi.url_scheme": "https", "SERVER_PORT": "443"})
