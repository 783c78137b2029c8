"""Fixtures for the audit chain tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are asserted in English, the source language, whatever LANGUAGE_CODE says."""
    with translation.override("en"):
        yield
