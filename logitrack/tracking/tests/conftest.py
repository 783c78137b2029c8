from __future__ import annotations

from collections.abc import Iterator

import pytest

from logitrack.tracking.ingest.accept import get_gate
from logitrack.tracking.ingest.directory import directory
from logitrack.tracking.ingest.writer import GroupCommitWriter, get_writer


@pytest.fixture
def writer() -> Iterator[GroupCommitWriter]:
    """A fresh writer whose thread (and database connection) ends with the test, and an empty
    device directory and rate-limit state."""
    get_writer.cache_clear()
    get_gate.cache_clear()
    directory.forget()
    current = get_writer()
    yield current
    current.stop()
    get_writer.cache_clear()
    get_gate.cache_clear()
    directory.forget()
