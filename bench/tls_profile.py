"""TLS profile of ``logitrack serve``: Mozilla "intermediate" compliance and the cost of HTTPS.

Starts the real server in a temporary data directory (bench/_server.py), then

1. scans it with sslyze against Mozilla's intermediate profile. sslyze pins a cryptography that
   clashes with the project's, so it lives in its own venv, .venv-bench/sslyze, created on first
   use. The server's certificate comes from Logitrack's local CA, which sslyze is given with
   --certinfo_ca_file: the trust check then passes because the chain really validates to that CA,
   while the public trust stores still (rightly) reject it.
2. times N sequential GET /healthz, each on a fresh connection, over HTTPS (TCP + full TLS
   handshake + request) against the same over the plain-HTTP listener (TCP + request, answered
   with its 301), and the HTTPS request alone on one kept-alive connection.

Prints the results of this one run; exits 1 when the server is not compliant.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import _server

SSLYZE_VERSION = "6.3.1"
SSLYZE_VENV = _server.REPO / ".venv-bench" / "sslyze"
PROFILE = "intermediate"
REQUESTS = 200
WARMUP = 10
PROTOCOLS = [
    ("ssl_2_0_cipher_suites", "SSL 2.0"),
    ("ssl_3_0_cipher_suites", "SSL 3.0"),
    ("tls_1_0_cipher_suites", "TLS 1.0"),
    ("tls_1_1_cipher_suites", "TLS 1.1"),
    ("tls_1_2_cipher_suites", "TLS 1.2"),
    ("tls_1_3_cipher_suites", "TLS 1.3"),
]


def sslyze_python() -> Path:
    """The sslyze venv's interpreter, creating the venv and installing sslyze when needed."""
    python = SSLYZE_VENV / "bin" / "python"
    probe = (
        f"import importlib.metadata as m, sys; sys.exit(m.version('sslyze') != {SSLYZE_VERSION!r})"
    )
    if python.exists() and subprocess.run([str(python), "-c", probe], check=False).returncode == 0:
        return python
    print(f"installing sslyze {SSLYZE_VERSION} into {SSLYZE_VENV.relative_to(_server.REPO)} ...")
    steps = [
        [sys.executable, "-m", "venv", "--clear", str(SSLYZE_VENV)],
        [str(python), "-m", "pip", "install", "-q", f"sslyze=={SSLYZE_VERSION}"],
    ]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            sys.exit(f"{' '.join(step)} failed:\n{done.stdout}{done.stderr}")
    return python


def run_sslyze(python: Path, server: _server.RunningServer) -> tuple[int, str, dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="logitrack-sslyze-") as tmp:
        out = Path(tmp) / "scan.json"
        done = subprocess.run(
            [
                str(python),
                "-m",
                "sslyze",
                f"--mozilla_config={PROFILE}",
                f"--certinfo_ca_file={server.ca_file}",
                f"--json_out={out}",
                f"{server.host}:{server.https_port}",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if not out.exists():
            sys.exit(
                f"sslyze wrote no results (exit {done.returncode}):\n{done.stdout}{done.stderr}"
            )
        report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return done.returncode, done.stdout, report


def compliance_lines(stdout: str) -> list[str]:
    """sslyze's own verdict: the lines after its COMPLIANCE heading, from the target line on."""
    lines = stdout.splitlines()
    for index, line in enumerate(lines):
        if "COMPLIANCE AGAINST" in line:
            tail = [entry.strip() for entry in lines[index + 1 :] if entry.strip()]
            return [entry for entry in tail if not entry.startswith(("---", "Checking results"))]
    return []


def print_scan(returncode: int, stdout: str, report: dict[str, Any]) -> bool:
    scan = report["server_scan_results"][0]
    if scan["connectivity_status"] != "COMPLETED":
        sys.exit(f"sslyze could not connect: {scan.get('connectivity_error_trace')}")
    results = scan["scan_result"]
    print(
        f"sslyze {report['sslyze_version']} against {scan['server_location']['hostname']}:"
        f"{scan['server_location']['port']}, Mozilla {PROFILE!r} profile"
    )
    accepted = []
    for key, label in PROTOCOLS:
        result = results[key]["result"]
        if result and result["accepted_cipher_suites"]:
            accepted.append(label)
    print(f"  protocol versions accepted: {', '.join(accepted) or 'none'}")
    rejected = [label for _key, label in PROTOCOLS if label not in accepted]
    print(f"  protocol versions refused:  {', '.join(rejected)}")
    for key, label in PROTOCOLS[4:]:
        suites = results[key]["result"]["accepted_cipher_suites"]
        print(f"  {label} cipher suites accepted ({len(suites)}):")
        for suite in suites:
            exchange = suite.get("ephemeral_key") or {}
            group = exchange.get("curve_name") or exchange.get("type_name") or ""
            print(f"    {suite['cipher_suite']['name']:<48} {group}")
    curves = results["elliptic_curves"]["result"]
    if curves:
        names = ", ".join(curve["name"] for curve in curves["supported_curves"])
        print(f"  key exchange groups:        {names}")
    deployment = results["certificate_info"]["result"]["certificate_deployments"][0]
    leaf = deployment["received_certificate_chain"][0]
    key = leaf["public_key"]
    print(
        f"  certificate:                {leaf['subject']['rfc4514_string']}, issued by "
        f"{leaf['issuer']['rfc4514_string']}, {key['algorithm']} {key.get('ec_curve_name') or ''} "
        f"{key['key_size']} bits, {leaf['signature_hash_algorithm']['name']}, "
        f"valid until {leaf['not_valid_after'][:10]}"
    )
    for validation in deployment["path_validation_results"]:
        store = validation["trust_store"]["name"]
        if store == "Supplied CA file":
            verdict = "trusted" if validation["was_validation_successful"] else "NOT trusted"
            print(f"  chain vs the local CA:      {verdict} (--certinfo_ca_file)")
    print("  sslyze verdict:")
    for line in compliance_lines(stdout) or ["(no compliance section in sslyze's output)"]:
        print(f"    {line}")
    compliant = returncode == 0 and any(": OK - Compliant" in line for line in stdout.splitlines())
    print(f"  compliant with Mozilla {PROFILE}: {'YES' if compliant else 'NO'}")
    return compliant


def _time_https_fresh(
    server: _server.RunningServer, context: ssl.SSLContext
) -> tuple[float, float]:
    """Milliseconds for one HTTPS GET /healthz on a new connection: (handshake, total)."""
    began = time.perf_counter()
    conn = http.client.HTTPSConnection(server.host, server.https_port, timeout=10, context=context)
    try:
        conn.connect()
        shaken = time.perf_counter()
        conn.request("GET", "/healthz", headers={"Connection": "close"})
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            sys.exit(f"https /healthz answered {response.status}")
    finally:
        conn.close()
    ended = time.perf_counter()
    return (shaken - began) * 1000, (ended - began) * 1000


def _time_http_fresh(server: _server.RunningServer) -> float:
    """Milliseconds for one plain-HTTP GET /healthz on a new connection (answered 301)."""
    began = time.perf_counter()
    status, _body, location = _server.http_get(server.host, server.http_port, "/healthz")
    ended = time.perf_counter()
    if status != 301 or location != f"{server.https_url}/healthz":
        sys.exit(f"http /healthz answered {status} -> {location!r}, expected a 301 to HTTPS")
    return (ended - began) * 1000


def _time_https_reused(server: _server.RunningServer, context: ssl.SSLContext) -> list[float]:
    conn = http.client.HTTPSConnection(server.host, server.https_port, timeout=10, context=context)
    timings = []
    try:
        for index in range(WARMUP + REQUESTS):
            began = time.perf_counter()
            conn.request("GET", "/healthz")
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                sys.exit(f"https /healthz answered {response.status}")
            if index >= WARMUP:
                timings.append((time.perf_counter() - began) * 1000)
    finally:
        conn.close()
    return timings


def _summary(values: list[float]) -> str:
    ordered = sorted(values)
    p90 = ordered[int(len(ordered) * 0.9) - 1]
    return f"{statistics.median(ordered):7.2f} {p90:7.2f} {ordered[0]:7.2f}"


def print_latency(server: _server.RunningServer) -> None:
    context = server.ssl_context()
    raw = socket.create_connection((server.host, server.https_port), timeout=10)
    with context.wrap_socket(raw, server_hostname=server.host) as probe:
        cipher = probe.cipher()
        negotiated = f"{probe.version()} {cipher[0] if cipher else ''}"
    for _ in range(WARMUP):
        _time_https_fresh(server, context)
        _time_http_fresh(server)
    handshakes, https_total, http_total = [], [], []
    # Interleaved, so that any drift of the machine touches both sides alike.
    for _ in range(REQUESTS):
        handshake, total = _time_https_fresh(server, context)
        handshakes.append(handshake)
        https_total.append(total)
        http_total.append(_time_http_fresh(server))
    reused = _time_https_reused(server, context)
    ratio = statistics.median(https_total) / statistics.median(http_total)
    print(
        f"\nGET /healthz, {REQUESTS} sequential requests each (after {WARMUP} warm-up), "
        f"client: Python {sys.version.split()[0]} ssl, {negotiated}, no session resumption"
    )
    print(f"  {'':58} {'median':>7} {'p90':>7} {'min':>7}  (ms)")
    print(f"  {'HTTPS, fresh connection: TCP + TLS handshake + GET':58} {_summary(https_total)}")
    print(f"  {'  of which TCP connect + TLS handshake':58} {_summary(handshakes)}")
    print(f"  {'plain HTTP listener, fresh connection: TCP + GET (301)':58} {_summary(http_total)}")
    print(f"  {'HTTPS, one kept-alive connection: GET only':58} {_summary(reused)}")
    print(f"  ratio HTTPS fresh / plain HTTP fresh (medians): {ratio:.2f}x")
    print("  note: the HTTPS side runs Django's middleware stack (WSGI); the plain listener is a")
    print("  small ASGI app that only redirects, so the ratio is an upper bound on the TLS cost.")


def main() -> int:
    python = sslyze_python()
    cpus = os.cpu_count()
    print(f"machine: {cpus} CPU(s); server: logitrack serve, 1 worker, fresh data dir\n")
    try:
        with _server.running_server() as server:
            returncode, stdout, report = run_sslyze(python, server)
            compliant = print_scan(returncode, stdout, report)
            print_latency(server)
    except _server.ServerError as exc:
        print(f"the server could not be measured: {exc}", file=sys.stderr)
        return 2
    print(f"\nserver stopped on SIGINT with exit code {server.stopped_with}")
    if server.stopped_with != 0:
        return 1
    return 0 if compliant else 1


if __name__ == "__main__":
    sys.exit(main())
