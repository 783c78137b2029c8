"""Throughput and p99 latency of GET /privacy/ with one granian worker vs the default (one per CPU).

Starts the real ``logitrack serve`` twice in one temporary data directory (bench/_server.py):
once with ``--workers 1`` and once with its default, and loads each for DURATION_S seconds with
CONNECTIONS keep-alive connections on loopback. The load generator is wrk (Debian: ``apt-get
install wrk``) when it is on PATH; otherwise a bounded Python generator (one thread per
connection), which competes with the server for the CPUs and so understates both figures.

Prints both runs side by side and the ratio. Re-run: ``.venv/bin/python bench/serve_workers.py``.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import _server

PATH = "/privacy/"
CONNECTIONS = 50
DURATION_S = 10
WARMUP_S = 2
WRK_THREADS = 2


@dataclass(frozen=True)
class Result:
    label: str
    requests_per_s: float
    p99_ms: float
    errors: int


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def _wrk(url: str, seconds: int) -> tuple[float, float, int]:
    done = subprocess.run(
        [
            "wrk",
            f"-t{WRK_THREADS}",
            f"-c{CONNECTIONS}",
            f"-d{seconds}s",
            "--latency",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 30,
    )
    out = done.stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.MULTILINE)
    if rate is None or p99 is None:
        raise RuntimeError(f"cannot read wrk's output:\n{out}")
    errors = sum(int(n) for n in re.findall(r"(?:Non-2xx or 3xx responses|timeout)\s+(\d+)", out))
    return float(rate.group(1)), _ms(p99.group(1), p99.group(2)), errors


def _python_load(host: str, port: int, seconds: int) -> tuple[float, float, int]:
    """CONNECTIONS threads, each on one keep-alive connection, for ``seconds`` seconds."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker() -> None:
        conn = http.client.HTTPSConnection(host, port, timeout=10, context=context)
        mine: list[float] = []
        failed = 0
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                conn.request("GET", PATH)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    failed += 1
                mine.append(time.perf_counter() - started)
            except (OSError, http.client.HTTPException):
                failed += 1
                conn.close()
                conn = http.client.HTTPSConnection(host, port, timeout=10, context=context)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=worker) for _ in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000 if latencies else float("nan")
    return len(latencies) / seconds, p99, errors[0]


def measure(root: Path, label: str, serve_args: tuple[str, ...]) -> Result:
    server = _server.start(root, serve_args=serve_args)
    try:
        url = f"https://{server.host}:{server.https_port}{PATH}"
        status, _body = _server.https_get(
            server.host, server.https_port, PATH, server.ssl_context()
        )
        if status != 200:
            raise RuntimeError(f"GET {PATH} answered {status}")
        if shutil.which("wrk"):
            _wrk(url, WARMUP_S)
            rate, p99, errors = _wrk(url, DURATION_S)
        else:
            _python_load(server.host, server.https_port, WARMUP_S)
            rate, p99, errors = _python_load(server.host, server.https_port, DURATION_S)
    finally:
        server.stop()
    return Result(label, rate, p99, errors)


def main() -> int:
    from logitrack.core.management.commands.serve import usable_cpu_count

    cpus = usable_cpu_count()
    root = Path(tempfile.mkdtemp(prefix="logitrack-bench-workers-"))
    try:
        _server.prepare(root)
        results = [
            measure(root, "1 worker", ("--workers", "1")),
            measure(root, f"default ({cpus} workers)", ()),
        ]
    finally:
        shutil.rmtree(root, ignore_errors=True)
    generator = "wrk" if shutil.which("wrk") else "python threads"
    print(
        f"GET {PATH} over HTTPS, {CONNECTIONS} connections, {DURATION_S} s each, load by "
        f"{generator}, {os.cpu_count()} CPUs ({cpus} usable)"
    )
    print(f"{'server':<24}{'req/s':>10}{'p99 ms':>10}{'errors':>8}")
    for result in results:
        print(
            f"{result.label:<24}{result.requests_per_s:>10.0f}{result.p99_ms:>10.1f}"
            f"{result.errors:>8}"
        )
    one, default = results
    print(
        f"default / 1 worker: throughput x{default.requests_per_s / one.requests_per_s:.2f}, "
        f"p99 x{default.p99_ms / one.p99_ms:.2f}"
    )
    return 0 if all(r.errors == 0 for r in results) else 1


if __name__ == "__main__":
    sys.path.insert(0, str(_server.REPO))
    sys.exit(main())
