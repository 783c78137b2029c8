"""Fixtures for the erasure and under-16 tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """The assertions quote the English source strings; Vietnamese is the default language."""
    with translation.override("en"):
        yield
