"""``logitrack serve`` runs one granian worker process per usable CPU unless told otherwise."""

from __future__ import annotations

import os

import pytest
from django.core.management.base import CommandError

from logitrack.core.management.commands.serve import Command, default_workers, usable_cpu_count


def _parsed_workers(*args: str) -> int:
    workers: int = Command().create_parser("logitrack", "serve").parse_args(list(args)).workers
    return workers


def test_the_default_is_one_worker_per_cpu_this_process_may_use(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LOGITRACK_WORKERS", raising=False)

    assert usable_cpu_count() == len(os.sched_getaffinity(0))
    assert default_workers() == len(os.sched_getaffinity(0))
    assert _parsed_workers() == len(os.sched_getaffinity(0))


def test_logitrack_workers_sets_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOGITRACK_WORKERS", "3")

    assert _parsed_workers() == 3


def test_the_flag_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOGITRACK_WORKERS", "3")

    assert _parsed_workers("--workers", "1") == 1


@pytest.mark.parametrize("raw", ["0", "-2", "two", "1.5"])
def test_a_malformed_worker_count_is_refused(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("LOGITRACK_WORKERS", raw)

    with pytest.raises(CommandError, match="LOGITRACK_WORKERS must"):
        default_workers()


@pytest.mark.parametrize("raw", ["0", "-1", "x"])
def test_a_malformed_workers_flag_is_refused(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.delenv("LOGITRACK_WORKERS", raising=False)

    with pytest.raises(CommandError):
        _parsed_workers("--workers", raw)
