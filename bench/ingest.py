"""Position ingestion: the real gateway against a raw insert of the same rows, side by side.

For SQLite or PostgreSQL (``--db``; PostgreSQL is a throw-away database on DATABASE_URL's
server, default 127.0.0.1:5432) it migrates, registers devices, starts ``logitrack gateway``
(granian over TLS, ``--workers`` processes on one port) and measures, each for ``--seconds``:

- ``osmand``: single-position OsmAnd GET requests over keep-alive HTTPS from ``--devices``
  connections (wrk, C, so that the load generator takes little of the shared CPU); every
  request carries its own (device, fix time), so every 200 is one acknowledged position. Two
  measurements, side by side:

  - closed loop (the maximum): each connection sends its next request as soon as the previous
    one is answered, so the gateway is saturated and the latency is mostly queueing (with 200
    connections, mean latency = 200 / rate by Little's law); it measures capacity, not the
    per-device rate limit, so its gateway runs with that limit raised out of reach
    (``CAPACITY_LIMITS``; the settings' 50/s per device would answer 429 past 10,000/s);
  - open loop (``--open-rate``, default 5,000 requests/s; 0 skips it): the same connections
    pace themselves, wrk's Lua ``delay()`` holding each request until its slot in a fixed
    schedule of ``--open-rate`` requests/s (per wrk thread, read from a monotonic clock through
    LuaJIT's FFI), as a fleet of trackers reporting on their own clocks would; it reports the
    rate achieved (below the offered one when the gateway cannot keep up) and the latency at
    that load, which is what a device sees. wrk times a request from its sending, so a slot
    missed because the connection was still waiting shows as a lower achieved rate, not as
    latency; it runs, after a 2 s warm-up at the offered rate, on a second gateway with the
    settings' limits (5,000/s over 200 devices is 25/s each), as do batch, mqtt and idle;

  ``--workers 1,2`` runs everything once per number of gateway processes (granian workers on
  one port), one after the other in the same run;
- ``batch``: batch JSON, 100 positions per request, ``--batch-connections`` connections (wrk);
- ``mqtt``: ``--mqtt-messages`` single-position QoS 1 publishes to Mosquitto (127.0.0.1:1883),
  timed from the first publish until all are stored (the gateway's subscriber PUBACKs after
  commit);
- ``raw``: the same rows written straight by the writer's ``write_positions`` in transactions of
  1,000 (no TLS, HTTP or parsing: the ceiling), and ``per-row``: one transaction per row (the
  plain alternative that group commit replaces).
- ``history`` (PostgreSQL, ``--history-rows``, default 1,000,000): ``bench/device_history.py``
  with that many rows in its own database: one device's 24 h read by the device page's and the
  exports' paths against the raw SQL of the same query, median and p95 of 20;
- ``idle`` (``--idle``, default 0): RSS of the gateway's processes with that many idle
  keep-alive TLS connections open (the bench raises its own file limit, which the gateway
  inherits), and how many of them still answer another request after ``--idle-hold`` seconds
  (default 30) of silence: trackers reporting every 10-60 s keep their connection when the
  gateway's keep-alive idle timeout (LOGITRACK_GATEWAY_HEADER_TIMEOUT_MS, 60 s) exceeds it.

Each gateway's start line and each osmand result line say which per-device limit it applied.
Each line gives CPU seconds of the gateway processes (and µs of gateway CPU per acknowledged
position) and of the load generator, wall time, and the load average: the machine is shared.

    .venv/bin/python bench/ingest.py --db sqlite
    .venv/bin/python bench/ingest.py --db postgres --only osmand,batch,raw --workers 1,2
    .venv/bin/python bench/ingest.py --db postgres --history-rows 50000000 --idle 10000
    .venv/bin/python bench/ingest.py --db postgres --kill     # the durability scenarios

``--kill`` runs ``logitrack/tracking/tests/test_durability.py`` (SIGKILL of the gateway during
load, and of a private PostgreSQL cluster) with pytest and prints its summary.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from logitrack.tracking.tests.harness import (  # noqa: E402
    Gateway,
    Site,
    client_context,
    cpu_seconds,
    exchange,
    rss_bytes,
    scratch,
)

OSMAND_LUA = r"""
local n = 0
local tid = 0
function setup(thread) thread:set("tid", n); n = n + 1 end
function init(args)
  base = tonumber(args[1]); ndev = tonumber(args[2]); nthreads = tonumber(args[3]); k = 0
end
function request()
  local g = k * nthreads + tid
  k = k + 1
  local dev = g % ndev
  local stamp = base - math.floor(g / ndev)
  return wrk.format("GET", string.format(
    "/?id=load%05d&lat=10.77&lon=106.70&speed=10&bearing=90&timestamp=%d", dev, stamp))
end
"""

# The open loop: OSMAND_LUA's requests, each held by delay() until its slot in a fixed schedule.
OPEN_LUA = (
    OSMAND_LUA
    + r"""
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } lt_timespec;
int clock_gettime(int clock, lt_timespec *out);
]]
local ts = ffi.new("lt_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts)  -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end
local closed_init = init
function init(args)
  closed_init(args)
  interval = 1000 * nthreads / tonumber(args[4])  -- ms between this thread's requests
  slot = now_ms()
end
function delay()
  local now = now_ms()
  slot = math.max(slot + interval, now - interval)
  return math.max(0, math.floor(slot - now))
end
"""
)

BATCH_LUA = r"""
local n = 0
local tid = 0
function setup(thread) thread:set("tid", n); n = n + 1 end
function init(args)
  base = tonumber(args[1]); nthreads = tonumber(args[2]); k = 0
  tokens = {}
  for i = 3, #args do tokens[#tokens + 1] = args[i] end
end
function request()
  local g = k * nthreads + tid
  k = k + 1
  local dev = g % #tokens
  local first = base - math.floor(g / #tokens) * 100
  local parts = {}
  for i = 0, 99 do
    parts[#parts + 1] = string.format(
      '{"fix_time":%d,"latitude":10.77,"longitude":106.7,"speed":3,"course":90}', first - i)
  end
  local body = '{"positions":[' .. table.concat(parts, ",") .. ']}'
  return wrk.format("POST", "/api/v1/ingest/positions", {
    ["Authorization"] = "Bearer " .. tokens[dev + 1],
    ["Content-Type"] = "application/json"}, body)
end
"""

RAW = r"""
import datetime as dt, json, os, time
from django.db import transaction
from logitrack.tracking.ingest.writer import PositionRow, write_positions
devices = json.loads(os.environ["DEVS"]); n = int(os.environ["NROWS"]); per = int(os.environ["PER"])
base = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=int(os.environ["AGO"]))
rows = [PositionRow(tenant_id=d["tenant"], device_id=d["id"], driver_id=None,
    fix_time=base - dt.timedelta(seconds=i // len(devices)), device_time=None,
    server_time=base, latitude=10.77, longitude=106.7, speed=5.1, course=90.0)
    for i, d in ((i, devices[i % len(devices)]) for i in range(n))]
start = time.perf_counter(); cpu = time.process_time()
for k in range(0, n, per):
    with transaction.atomic():
        write_positions(rows[k:k + per])
print("RAW=%f,%f" % (n / (time.perf_counter() - start), time.process_time() - cpu))
"""


def _load_average() -> str:
    return "{:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


WRK_THREADS = 2
_LAT = re.compile(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s)\s*$", re.M)


def _wrk(
    url: str, script: str, args: list[str], connections: int, seconds: float
) -> dict[str, Any]:
    """Run wrk; requests/s of 2xx, p50 and p99 (ms), the client's CPU seconds."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    before = _children_cpu()
    out = subprocess.run(
        ["wrk", "-t", str(WRK_THREADS), "-c", str(connections), "-d", f"{round(seconds)}s",
         "--latency", "--timeout", "10s", "-s", handle.name, url, "--", *args],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    os.unlink(handle.name)
    count = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m)", out)
    if count is None:
        raise RuntimeError(out)
    total = int(count.group(1))
    took = count
    wall = float(took.group(2)) * {"ms": 0.001, "s": 1.0, "m": 60.0}[took.group(3)]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    latency = {int(p): float(v) * scale[u] for p, v, u in _LAT.findall(out)}
    ok = total - (int(bad.group(1)) if bad else 0)
    return {
        "ok": ok,
        "rate": ok / wall,
        "wall": wall,
        "p50": latency.get(50, float("nan")),
        "p99": latency.get(99, float("nan")),
        "non2xx": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(1) if errors else "none",
        "client_cpu": _children_cpu() - before,
    }


# The PostgreSQL database of this run, whose server processes' CPU is reported (empty: SQLite).
_DATABASE = ""


def _server_pids() -> list[int]:
    """The PostgreSQL backends serving this run's database (their command line names it)."""
    if not _DATABASE:
        return []
    pids = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        with contextlib.suppress(OSError):
            if f" {_DATABASE} " in cmdline.read_bytes().decode("latin-1"):
                pids.append(int(cmdline.parent.name))
    return pids


def _measured(gateway: Gateway, run: Callable[[], dict[str, Any]]) -> tuple[dict[str, Any], float]:
    pids = gateway.pids()
    servers = _server_pids()
    cpu, server_cpu = cpu_seconds(pids), cpu_seconds(servers)
    result = run()
    servers += [pid for pid in _server_pids() if pid not in servers]
    result["server_cpu"] = cpu_seconds(servers) - server_cpu  # a backend that quit: not counted
    return result, cpu_seconds(pids) - cpu


MQTT_ROUND = 500


def _counter(site: Site) -> Callable[[], int]:
    """How many MQTT bench positions (speed 7.5) are stored, read straight from the database."""
    sql = "SELECT count(*) FROM tracking_position WHERE speed = 7.5"
    if site.database_url:
        import psycopg

        conn = psycopg.connect(site.database_url, autocommit=True)
        return lambda: int(conn.execute(sql).fetchone()[0])  # type: ignore[index]
    import sqlite3

    lite = sqlite3.connect(site.data_dir / "logitrack.sqlite3")
    return lambda: int(lite.execute(sql).fetchone()[0])


def _mqtt(site: Site, gateway: Gateway, prefix: str, count: int) -> dict[str, Any]:
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"bench-{uuid.uuid4().hex[:8]}")
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    client.connect("127.0.0.1", 1883)
    client.loop_start()
    base = int(time.time()) - 7 * 86400
    ndev = len(site.devices)
    pids = gateway.pids()
    cpu = cpu_seconds(pids)
    own = time.process_time()
    count_stored = _counter(site)
    start = time.perf_counter()
    published = 0.0
    stored = 0
    deadline = time.monotonic() + 300
    # Rounds of MQTT_ROUND: Mosquitto's defaults (20 messages in flight and 1,000 queued per
    # subscriber) drop QoS 1 messages a slower subscriber has not taken, so the publisher waits
    # for each round to be stored, as a fleet of devices publishing now and then would.
    for first in range(0, count, MQTT_ROUND):
        infos = []
        for g in range(first, min(count, first + MQTT_ROUND)):
            ident = site.devices[g % ndev]["identifier"]
            payload = json.dumps(
                {"fix_time": base - g // ndev, "latitude": 10.77, "longitude": 106.7, "speed": 7.5}
            )
            infos.append(client.publish(f"{prefix}/devices/{ident}/positions", payload, qos=1))
        for info in infos:
            info.wait_for_publish(30)
        published += len(infos)
        while time.monotonic() < deadline:
            stored = count_stored()
            if stored >= published:
                break
            time.sleep(0.01)
    wall = time.perf_counter() - start
    client.loop_stop()
    client.disconnect()
    return {
        "stored": stored,
        "rate": stored / wall,
        "wall": wall,
        "gateway_cpu": cpu_seconds(pids) - cpu,
        "client_cpu": time.process_time() - own,
    }


# How often an open connection reports while the others open (trackers: every 10-30 s).
TRACKER_EVERY_S = 20.0


async def _idle(port: int, count: int, hold: float, pids: list[int]) -> dict[str, Any]:
    """Open ``count`` keep-alive TLS connections (one request each), measure the gateway's RSS,
    leave them idle ``hold`` seconds, then count those that still answer a request.

    Opening thousands of TLS connections from one Python client takes longer than the gateway's
    60 s keep-alive: while the rest open, each open connection reports every ``TRACKER_EVERY_S``
    as a tracker does, so that none is dropped before the measurement for having been opened
    first."""
    ctx = client_context()
    opened: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    sem = asyncio.Semaphore(200)
    request = b"GET /?id=nobody HTTP/1.1\r\nHost: g\r\n\r\n"
    opening = asyncio.Event()

    async def report(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        try:
            await asyncio.wait_for(exchange(reader, writer, request), 30)
        except (OSError, TimeoutError, asyncio.IncompleteReadError):
            return False
        return True

    async def like_a_tracker(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while not opening.is_set():
            try:
                await asyncio.wait_for(opening.wait(), TRACKER_EVERY_S)
            except TimeoutError:
                if not await report(reader, writer):
                    return

    trackers: list[asyncio.Task[None]] = []

    async def one() -> None:
        async with sem:
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection("127.0.0.1", port, ssl=ctx), 30
                )
                await asyncio.wait_for(exchange(reader, writer, request), 30)
                opened.append((reader, writer))
                trackers.append(asyncio.create_task(like_a_tracker(reader, writer)))
            except (OSError, TimeoutError, asyncio.IncompleteReadError):
                pass

    async def again(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        async with sem:
            return await report(reader, writer)

    await asyncio.gather(*(one() for _ in range(count)))
    opening.set()
    await asyncio.gather(*trackers)
    # One more request on each, so that every connection starts its idle time together.
    fresh = sum(await asyncio.gather(*(again(r, w) for r, w in opened)))
    rss = rss_bytes(pids)
    per = [rss_bytes([pid]) for pid in pids]
    await asyncio.sleep(hold)
    reused = sum(await asyncio.gather(*(again(r, w) for r, w in opened)))
    for _reader, writer in opened:
        writer.close()
    return {"opened": len(opened), "fresh": fresh, "rss": rss, "per": per, "reused": reused}


def _raise_fd_limit(need: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, need)) if hard != resource.RLIM_INFINITY else max(soft, need)
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


def _raw(site: Site, rows: int, per: int, ago: int) -> tuple[float, float]:
    out = site.manage(
        "shell", "-c", RAW,
        extra={"DEVS": json.dumps(site.devices), "NROWS": str(rows), "PER": str(per),
               "AGO": str(ago)},
    )  # fmt: skip
    rate, cpu = out.split("RAW=")[1].split(",")
    return float(rate), float(cpu)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--workers", default="1", help="gateway processes; a list runs each")
    parser.add_argument("--open-rate", type=int, default=5000)
    parser.add_argument("--batch-connections", type=int, default=16)
    parser.add_argument("--mqtt-messages", type=int, default=20000)
    parser.add_argument("--history-rows", type=int, default=1_000_000)
    parser.add_argument("--idle", type=int, default=0)
    parser.add_argument("--idle-hold", type=float, default=30.0)
    parser.add_argument("--only", default="osmand,batch,mqtt,raw,history,idle")
    parser.add_argument("--kill", action="store_true")
    args = parser.parse_args()
    if args.kill:
        select = "" if args.db == "postgres" else "sqlite"
        code = subprocess.call(
            [str(REPO / ".venv/bin/pytest"), "-m", "durability", "-p", "no:xdist", "-q",
             "-p", "no:randomly", "logitrack/tracking/tests/test_durability.py",
             *(["-k", select] if select else [])],
            cwd=REPO,
        )  # fmt: skip
        raise SystemExit(code)
    only = set(args.only.split(","))
    _raise_fd_limit(args.idle + 1024)
    prefix = f"bench{uuid.uuid4().hex[:8]}/v1"
    server = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    name = f"bench_ingest_{uuid.uuid4().hex[:8]}"
    admin = None
    with scratch("logitrack-bench-ingest-") as root:
        url = ""
        if args.db == "postgres":
            import psycopg

            admin = psycopg.connect(server, autocommit=True)
            admin.execute(f'CREATE DATABASE "{name}"')
            url = server.rsplit("/", 1)[0] + f"/{name}"
            global _DATABASE  # noqa: PLW0603 (one run per process)
            _DATABASE = name
        site = Site(
            data_dir=root / "data",
            database_url=url,
            settings={"LOGITRACK_MQTT_URL": "mqtt://127.0.0.1:1883",
                      "LOGITRACK_MQTT_TOPIC_PREFIX": prefix},
        )  # fmt: skip
        try:
            _bench(site, args, only, prefix)
        finally:
            if admin is not None:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                admin.close()


def _bench(site: Site, args: argparse.Namespace, only: set[str], prefix: str) -> None:
    site.prepare(args.devices)
    results: dict[str, dict[str, Any]] = {}
    for step, workers in enumerate(int(w) for w in args.workers.split(",")):
        # Each gateway gets its own fix times (a day apart), so every request stores a new row.
        _bench_gateway(site, args, only, prefix, workers=workers, results=results, step=step)
    _report(site, args, only, results)


# The closed loop measures the gateway's capacity, not the per-device limit: with 200 connections
# a gateway process answering 10,000-15,000 requests/s gives each device 50-75/s, past the
# default LOGITRACK_INGEST_DEVICE_RATE (50/s per device per process), and thousands of 429s
# stood in for acknowledgements. Its gateway runs with the limit raised out of reach; the open
# loop (``--open-rate`` / ``--devices`` per device, 25/s by default) and everything else run on
# the settings' own limits.
CAPACITY_LIMITS = {
    "LOGITRACK_INGEST_DEVICE_RATE": "1000000",
    "LOGITRACK_INGEST_DEVICE_BURST": "1000000",
}


def _limits(site: Site, env: dict[str, str]) -> str:
    """The per-device limit a gateway started with ``env`` applies, as its settings read it."""
    out = site.manage(
        "shell", "-c",
        "from django.conf import settings as s; "
        "print(s.LOGITRACK_INGEST_DEVICE_RATE, s.LOGITRACK_INGEST_DEVICE_BURST)",
        extra=env,
    ).split()  # fmt: skip
    rate, burst = int(out[-2]), int(out[-1])
    kind = "raised" if env else "default"
    return f"{kind} device limit {rate:,}/s, burst {burst:,} per device per process"


def _start(site: Site, args: argparse.Namespace, workers: int, env: dict[str, str]) -> Gateway:
    gateway = Gateway(site, workers=workers, env=env)
    gateway.start()
    print(f"{args.db}: {workers} gateway processes ({_limits(site, env)}), {os.cpu_count()} "
          f"CPUs, load average {_load_average()} at start")  # fmt: skip
    return gateway


def _bench_gateway(
    site: Site,
    args: argparse.Namespace,
    only: set[str],
    prefix: str,
    *,
    workers: int,
    results: dict[str, dict[str, Any]],
    step: int,
) -> None:
    base = int(time.time()) - 3600 - step * 86400
    tag = f" ({workers} proc.)"
    shape = [str(args.devices), str(WRK_THREADS)]
    if "osmand" in only:
        gateway = _start(site, args, workers, CAPACITY_LIMITS)
        url = f"https://127.0.0.1:{gateway.port}/"
        try:
            _wrk(url, OSMAND_LUA, [str(base - 10**6), *shape], args.devices, 2)
            r, cpu = _measured(
                gateway,
                lambda: _wrk(url, OSMAND_LUA, [str(base), *shape], args.devices, args.seconds),
            )
            r["gateway_cpu"] = cpu
            r["load"] = _load_average()
            r["limits"] = _limits(site, CAPACITY_LIMITS)
            results["osmand closed loop" + tag] = r
        finally:
            gateway.stop()
    needed = (
        ("osmand" in only and args.open_rate > 0)
        or "batch" in only
        or ("mqtt" in only and args.mqtt_messages > 0 and step == 0)
        or ("idle" in only and args.idle > 0)
    )
    if not needed:
        return
    gateway = _start(site, args, workers, {})
    url = f"https://127.0.0.1:{gateway.port}/"
    try:
        if "osmand" in only and args.open_rate:
            # Warmed up at the offered rate (the closed loop ran on another gateway).
            warm = [str(base - 4 * 10**5), *shape, str(args.open_rate)]
            _wrk(url, OPEN_LUA, warm, args.devices, 2)
            offered = [str(base - 3 * 10**5), *shape, str(args.open_rate)]
            r, cpu = _measured(
                gateway, lambda: _wrk(url, OPEN_LUA, offered, args.devices, args.seconds)
            )
            r["gateway_cpu"] = cpu
            r["load"] = _load_average()
            r["limits"] = _limits(site, {})
            results[f"osmand open loop at {args.open_rate:,}/s offered" + tag] = r
        if "batch" in only:
            tokens = [d["token"] for d in site.devices[:50]]
            r, cpu = _measured(
                gateway,
                lambda: _wrk(url, BATCH_LUA, [str(base - 2 * 10**6), str(WRK_THREADS), *tokens],
                             args.batch_connections, args.seconds),
            )  # fmt: skip
            r["gateway_cpu"] = cpu
            r["rate"] *= 100
            r["ok"] *= 100
            r["load"] = _load_average()
            results["batch" + tag] = r
        if "mqtt" in only and args.mqtt_messages and step == 0:
            r = _mqtt(site, gateway, prefix, args.mqtt_messages)
            r["load"] = _load_average()
            results["mqtt" + tag] = r
        if "idle" in only and args.idle:
            _idle_report(args, gateway)
    finally:
        gateway.stop()


def _idle_report(args: argparse.Namespace, gateway: Gateway) -> None:
    pids = gateway.pids()
    before = rss_bytes(pids)
    r = asyncio.run(_idle(gateway.port, args.idle, args.idle_hold, pids))
    print(
        f"{args.db} idle: {r['opened']:,} keep-alive TLS connections opened ({r['fresh']:,} "
        f"answered a second request right after); gateway RSS "
        f"{before / 2**20:.0f} MiB before, {r['rss'] / 2**20:.0f} MiB with them "
        f"(+{(r['rss'] - before) / max(r['opened'], 1) / 1024:.1f} KiB each; per process "
        f"{', '.join(f'{v / 2**20:.0f}' for v in r['per'])} MiB); after {args.idle_hold:.0f} s "
        f"idle, {r['reused']:,} answered a second request on the same connection; "
        f"load {_load_average()}"
    )


def _report(
    site: Site, args: argparse.Namespace, only: set[str], results: dict[str, dict[str, Any]]
) -> None:
    if results:
        total = sum(int(r.get("ok", r.get("stored", 0))) for r in results.values())
        raw_rows = max(min(total, 300_000), 20_000)
        raw_rate, raw_cpu = _raw(site, raw_rows, 1000, 30)
        per_rows = 2000
        per_rate, _cpu = _raw(site, per_rows, 1, 31)
        print(
            f"{args.db} raw insert (write_positions, 1,000 rows per transaction): {raw_rate:,.0f} "
            f"rows/s ({raw_rows:,} rows, {raw_cpu:.1f} CPU s); one transaction per row: "
            f"{per_rate:,.0f} rows/s"
        )
        for kind, r in results.items():
            rate = r["rate"]
            if kind.startswith("mqtt"):
                detail = f"{r['stored']:,} QoS 1 messages stored in {r['wall']:.1f} s"
            else:
                detail = (
                    f"p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms per request, {r['non2xx']} "
                    f"non-2xx, socket errors {r['socket_errors']}, wall {r['wall']:.1f} s"
                    + (f", {r['limits']}" if "limits" in r else "")
                )
            per_ack = r["gateway_cpu"] / max(r["rate"] * r["wall"], 1) * 1e6
            print(
                f"{args.db} {kind}: {rate:,.0f} acknowledged positions/s; {detail}; gateway "
                f"{r['gateway_cpu']:.1f} CPU s ({per_ack:.0f} µs per position), load generator "
                f"{r['client_cpu']:.1f} CPU s; "
                + (f"database server {r['server_cpu']:.1f} CPU s; " if "server_cpu" in r else "")
                + f"ratio to raw insert {rate / raw_rate:.2f}, to one transaction per row "
                f"{rate / per_rate:.1f}; load average {r['load']}"
            )
    if args.db == "postgres" and "history" in only and args.history_rows:
        # bench/device_history.py: its own database, the page's and the exports' paths against
        # the raw SQL of the same query.
        subprocess.run(
            [sys.executable, str(REPO / "bench/device_history.py"),
             "--rows", str(args.history_rows)],
            check=True,
        )  # fmt: skip


if __name__ == "__main__":
    main()
