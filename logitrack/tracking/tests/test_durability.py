"""Acknowledged means durable, with real processes (issue 8, points 5 and 7; docs/adr/0025):
``logitrack gateway`` over TLS is killed with SIGKILL during a load run, a private PostgreSQL
cluster's postmaster is killed and restarted, and two gateway processes share one database.

Devices (``harness.Devices``) send single OsmAnd reports over keep-alive HTTPS and resend a fix
(same device, same fix time) until it is answered 200. Afterwards every acknowledged fix must be
stored exactly once, nothing unsent is stored, and every fix was eventually acknowledged.

Marked ``durability``: ``make test-durability`` (and ``.ci/run``'s step of that name) runs them;
``make test`` leaves them out, as each starts several processes and takes 20-40 s.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from logitrack.tracking.tests.harness import Devices, Gateway, PrivatePostgres, Site, scratch

pytestmark = pytest.mark.durability

DEVICES = 40


@pytest.fixture(scope="module")
def cluster() -> Iterator[PrivatePostgres]:
    with scratch("logitrack-durability-pg-") as root:
        server = PrivatePostgres(root)
        server.start()
        try:
            yield server
        finally:
            server.stop()


def _site(root: Path, database: str, cluster: PrivatePostgres | None, name: str) -> Site:
    url = ""
    if database == "postgres":
        assert cluster is not None
        with psycopg.connect(cluster.url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        url = cluster.url.rsplit("/", 1)[0] + f"/{name}"
    site = Site(data_dir=root / "data", database_url=url)
    site.prepare(DEVICES)
    return site


@pytest.fixture(params=["sqlite", "postgres"])
def site(request: pytest.FixtureRequest) -> Iterator[Site]:
    cluster = request.getfixturevalue("cluster") if request.param == "postgres" else None
    name = "d_" + request.node.name.split("[")[0][-40:]
    with scratch("logitrack-durability-") as root:
        yield _site(root, request.param, cluster, name)


def _assert_exactly_once(site: Site, devices: Devices) -> None:
    stored = Counter(site.stored())
    assert devices.acknowledged, "no position was acknowledged"
    assert devices.pending() == set(), "some fixes were never acknowledged"
    assert [key for key, n in stored.items() if n > 1] == []
    assert devices.acknowledged - set(stored) == set()
    assert set(stored) - devices.sent == set()
    assert set(stored) == devices.acknowledged


def test_gateway_killed_with_sigkill_loses_no_acknowledged_position(site: Site) -> None:
    gateway = Gateway(site)
    gateway.start()
    moments: dict[str, float] = {}
    devices = Devices(
        ports=[gateway.port],
        identifiers=[d["identifier"] for d in site.devices],
        keep_going=lambda: "done" not in moments,
    )

    async def crash() -> None:
        await devices.until_acknowledged(200)
        moments["killed"] = time.monotonic()
        await asyncio.to_thread(gateway.kill)
        await asyncio.to_thread(gateway.start)
        moments["restarted"] = time.monotonic()
        await devices.until_acknowledged(len(devices.acknowledged) + 200, timeout=120)
        moments["done"] = time.monotonic()

    async def scenario() -> None:
        await asyncio.gather(devices.run(seconds=20), crash())

    try:
        asyncio.run(scenario())
    finally:
        gateway.stop()

    before = [a for a in devices.answers if a.status == 200 and a.received < moments["killed"]]
    after = [a for a in devices.answers if a.status == 200 and a.sent > moments["restarted"]]
    assert before, "the load had not started when the gateway was killed"
    assert after, "nothing was acknowledged after the restart"
    assert devices.errors["connection"] > 0, "the kill cut no request"
    _assert_exactly_once(site, devices)


def test_postgres_killed_and_restarted_answers_503_then_recovers(
    cluster: PrivatePostgres,
) -> None:
    with scratch("logitrack-durability-") as root:
        site = _site(root, "postgres", cluster, "d_pg_killed")
        gateway = Gateway(site)
        gateway.start()
        devices = Devices(ports=[gateway.port], identifiers=[d["identifier"] for d in site.devices])
        moments: dict[str, float] = {}

        async def crash() -> None:
            await devices.until_acknowledged(200)
            await asyncio.to_thread(cluster.kill)
            moments["down"] = time.monotonic()
            await asyncio.sleep(4)  # longer than the device cache's 2 s
            moments["starting"] = time.monotonic()
            await asyncio.to_thread(cluster.start)
            moments["up"] = time.monotonic()
            await devices.until_acknowledged(len(devices.acknowledged) + 200, timeout=120)
            moments["done"] = time.monotonic()

        async def scenario() -> None:
            await asyncio.gather(devices.run(seconds=20), crash())

        try:
            asyncio.run(scenario())
        finally:
            gateway.stop()

        while_down = [
            a.status
            for a in devices.answers
            if a.sent > moments["down"] and a.received < moments["starting"]
        ]
        after = [a for a in devices.answers if a.status == 200 and a.sent > moments["up"]]
        assert while_down, "no request was answered while the database was down"
        assert set(while_down) == {503}
        assert after, "the gateway did not recover after the database came back"
        _assert_exactly_once(site, devices)


def test_two_gateway_processes_on_one_machine_share_one_database(site: Site) -> None:
    first, second = Gateway(site), Gateway(site)
    first.start()
    second.start()
    # Fixes alternate between the two; every third is sent to both (a retry through another
    # gateway), which must still be stored once.
    devices = Devices(
        ports=[first.port, second.port],
        identifiers=[d["identifier"] for d in site.devices],
        duplicate_every=3,
    )
    try:
        asyncio.run(devices.run(seconds=8))
    finally:
        first.stop()
        second.stop()

    by_port = Counter(a.port for a in devices.answers if a.status == 200)
    assert by_port[first.port] > 0
    assert by_port[second.port] > 0
    assert {a.status for a in devices.answers} == {200}
    _assert_exactly_once(site, devices)
