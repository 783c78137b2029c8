"""The gateway process's runtime settings, made at ASGI lifespan startup: the GIL is asked for
every GIL_SWITCH_INTERVAL (the group-commit writer waits less for it after each database round
trip), and the heap alive after startup, then after HEAP_SETTLE, is out of the garbage
collector's full collections (a pause that stopped every acknowledgement); the device directory
is refreshed in the background while the gateway runs."""

from __future__ import annotations

import asyncio
import gc
import sys
from collections.abc import Iterator, MutableMapping
from typing import Any

import pytest

from logitrack.tracking.ingest import gateway
from logitrack.tracking.ingest.directory import directory


@pytest.fixture
def restored() -> Iterator[None]:
    interval = sys.getswitchinterval()
    yield
    sys.setswitchinterval(interval)
    gc.unfreeze()


def _lifespan(between: Any) -> list[str]:
    """Run the gateway's lifespan: startup, ``between()`` awaited, shutdown; the sent types."""
    sent: list[str] = []
    messages = asyncio.Queue[MutableMapping[str, Any]]()

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message["type"])

    async def run() -> None:
        await messages.put({"type": "lifespan.startup"})
        task = asyncio.create_task(gateway._lifespan(messages.get, send, plain=True))
        await asyncio.sleep(0)
        await between()
        await messages.put({"type": "lifespan.shutdown"})
        await task

    asyncio.run(run())
    return sent


def test_startup_asks_for_the_gil_more_often_and_freezes_the_heap(restored: None) -> None:
    sys.setswitchinterval(0.005)
    gc.unfreeze()
    seen: dict[str, float] = {}

    async def between() -> None:
        seen["interval"] = sys.getswitchinterval()
        seen["frozen"] = gc.get_freeze_count()

    sent = _lifespan(between)

    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert seen["interval"] == gateway.GIL_SWITCH_INTERVAL < 0.005
    assert seen["frozen"] > 1000


def test_what_survives_the_warm_up_is_frozen_too(
    restored: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gateway, "HEAP_SETTLE", 0.05)
    gc.unfreeze()
    seen: dict[str, int] = {}
    kept: list[object] = []

    async def between() -> None:
        seen["after_startup"] = gc.get_freeze_count()
        kept.extend([{"warm": n}] for n in range(5000))  # tracked containers, made after startup
        await asyncio.sleep(0.2)
        seen["after_settle"] = gc.get_freeze_count()

    _lifespan(between)

    assert seen["after_settle"] >= seen["after_startup"] + 5000


def test_the_device_directory_is_refreshed_while_the_gateway_runs(restored: None) -> None:
    seen: dict[str, bool] = {}

    async def between() -> None:
        thread = directory._thread
        seen["running"] = thread is not None and thread.is_alive()

    _lifespan(between)

    assert seen["running"]
    assert directory._thread is None  # stopped at shutdown


def test_each_gateway_worker_holds_ten_thousand_idle_trackers() -> None:
    """granian stops accepting past its backpressure, which counts open keep-alive connections;
    its default (backlog / workers) cut 10,000 idle trackers to about 4,000 in bench/ingest.py."""
    from pathlib import Path

    from logitrack.core.tls import TlsFiles
    from logitrack.tracking.management.commands.gateway import gateway_cmd, plain_gateway_cmd

    tls = TlsFiles(ca_cert=Path("ca"), server_cert=Path("cert"), server_key=Path("key"))
    for cmd in (gateway_cmd("127.0.0.1", 5055, tls, 1), plain_gateway_cmd("127.0.0.1", 5056, 1)):
        assert int(cmd[cmd.index("--backpressure") + 1]) >= 10_000


def test_the_gateway_raises_its_open_files_limit_for_its_connections() -> None:
    import resource

    from logitrack.tracking.management.commands import gateway as command

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = command.MAX_CONNECTIONS + 1024
    expected = need if hard == resource.RLIM_INFINITY else min(hard, need)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(1024, hard), hard))
        command.raise_open_files_limit()
        assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] == max(expected, min(1024, hard))
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
