"""Schemathesis against the real HTTPS server, with each kind of credential: no server error.

``make test-api`` runs this (CI step "api"). The server is ``logitrack serve`` itself (SQLite, the
local CA) in a temporary data directory; a company, its owner's session and an API key are made
over HTTPS (tests/api_fuzz/credentials.py). Schemathesis then reads /api/v1/openapi.json and
runs every check it has, three times:

1. as a partner: the API key (``ApiKeyBearer``);
2. as a person: the session cookie with the CSRF cookie and header, every operation but the one
   that ends sessions (it would end the run's own session half-way);
3. as a person again, only the operation that ends sessions.

One check is left out: ``positive_data_acceptance`` expects every schema-valid body to be
accepted, but Logitrack's rules (a tax code's check digit, a ward of the chosen province, a
password not on a breach list, consent given, an address not taken) are not all JSON Schema, so
a schema-valid body may rightly get 422 or 409 (docs/adr/0014-authentication-before-parsing.md).

Every response that is a 5xx fails the test, and so does any other check's failure; the counts
are printed (run with ``-s``) for the record, with each failure's check, operation and the
request to reproduce it on one line. LOGITRACK_FUZZ_MAX_EXAMPLES bounds each operation.
"""

from __future__ import annotations

import base64
import json
import os
import shlex
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.api_fuzz.credentials import Credentials, make_credentials

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import _server  # noqa: E402

pytestmark = pytest.mark.api_fuzz

HERE = Path(__file__).resolve().parent
SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
MAX_EXAMPLES = int(os.environ.get("LOGITRACK_FUZZ_MAX_EXAMPLES", "25"))
EXCLUDED_CHECKS = ("positive_data_acceptance",)
SESSION_REVOKE = "logitrack_accounts_api_me_session_revoke"
RUN_TIMEOUT_S = 600


@dataclass
class Tally:
    """What one schemathesis run did, read from its NDJSON report."""

    cases: int = 0
    responses: Counter[int] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    # One line per distinct failure: check, operation, schemathesis's title, then the request to
    # reproduce it (its curl command on one line; credentials are masked by schemathesis).
    reproductions: list[str] = field(default_factory=list)

    @property
    def server_errors(self) -> int:
        return sum(count for status, count in self.responses.items() if status >= 500)


def _reproduction(check: dict[str, Any], label: str, request: dict[str, Any] | None) -> str:
    """``<check> <operation>: <title>: <message> :: curl ...`` on one line, from the failed
    check and the request the report recorded for its case (headers as schemathesis sanitised
    them)."""
    failure = (check.get("failure_info") or {}).get("failure") or {}
    title = " ".join(f"{failure.get('title') or ''}: {failure.get('message') or ''}".split())
    if request is None:
        return f"{check['name']} {label}: {title} :: (no request recorded)"
    parts = [f"curl -X {request.get('method', '?')} {shlex.quote(str(request.get('uri', '')))}"]
    for name, values in (request.get("headers") or {}).items():
        for value in values if isinstance(values, list) else [values]:
            parts.append(f"-H {shlex.quote(f'{name}: {value}')}")
    body = request.get("body")
    if body:
        # The report keeps a body as {"$base64": ...}, as base64 text or as its JSON value.
        if isinstance(body, dict) and set(body) == {"$base64"}:
            text = base64.b64decode(body["$base64"]).decode("utf-8", "backslashreplace")
        elif isinstance(body, str):
            try:
                text = base64.b64decode(body, validate=True).decode("utf-8", "backslashreplace")
            except ValueError:
                text = body
        else:
            text = json.dumps(body, ensure_ascii=False)
        parts.append(f"--data-binary {shlex.quote(text)}")
    return f"{check['name']} {label}: {title} :: {' '.join(' '.join(parts).split())}"


def _tally(report_dir: Path) -> Tally:
    tally = Tally()
    for report in report_dir.glob("*.ndjson"):
        for line in report.read_text(encoding="utf-8").splitlines():
            finished = json.loads(line).get("ScenarioFinished")
            if not finished:
                continue
            recorder = finished["recorder"]
            tally.cases += len(recorder.get("cases", {}))
            for interaction in recorder.get("interactions", {}).values():
                response = interaction.get("response")
                if response is not None:
                    tally.responses[response["status_code"]] += 1
            interactions = recorder.get("interactions", {})
            for case_id, checks in recorder.get("checks", {}).items():
                request = (interactions.get(case_id) or {}).get("request")
                for check in checks:
                    if check["status"] == "failure":
                        tally.failures[f"{check['name']} {recorder['label']}"] += 1
                        reproduction = _reproduction(check, recorder["label"], request)
                        if reproduction not in tally.reproductions:
                            tally.reproductions.append(reproduction)
    return tally


def _run(
    server: _server.RunningServer,
    work: Path,
    name: str,
    config: str,
    env: dict[str, str],
    *selection: str,
) -> tuple[int, Tally, str]:
    report_dir = work / name
    command = [
        str(SCHEMATHESIS),
        "--no-color",
        "--config-file", str(HERE / config),
        "run", f"{server.https_url}/api/v1/openapi.json",
        "--checks", "all",
        "--exclude-checks", ",".join(EXCLUDED_CHECKS),
        "--max-examples", str(MAX_EXAMPLES),
        "--workers", "1",
        # A CI machine under load (the other suites on the same 2 cores) answered one request
        # in more than schemathesis' default 10 s; a stale keep-alive connection (the server
        # closes idle ones after 10 s) can be reset as it is reused. Neither is a server error;
        # a crash still shows as a Traceback in the server's log, checked below.
        "--request-timeout", "30",
        "--request-retries", "1",
        "--seed", os.environ.get("LOGITRACK_FUZZ_SEED", "20261129"),
        "--tls-verify", str(server.ca_file),
        # Django's CSRF check on HTTPS wants the request's own origin.
        "--header", f"Origin: {server.https_url}",
        "--header", f"Referer: {server.https_url}/",
        "--report", "ndjson", "--report-dir", str(report_dir),
        *selection,
    ]  # fmt: skip
    done = subprocess.run(
        command,
        env={**os.environ, **env},
        cwd=work,  # schemathesis keeps a cache directory in its working directory
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        check=False,
    )
    output = done.stdout + done.stderr
    (work / f"{name}.log").write_text(output, encoding="utf-8")
    return done.returncode, _tally(report_dir), output


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_server.RunningServer]:
    data_dir = tmp_path_factory.mktemp("logitrack-fuzz")
    _server.prepare(data_dir)
    # Schemathesis probes every secured operation with made-up API keys; past the limit on
    # failed keys per address the server rightly answers 429, which its auth check reads as a
    # failure. That limit has its own tests (security/tests); here it is raised for this server.
    running = _server.start(
        data_dir, extra_env={"LOGITRACK_RATE_LIMITS": "api_key_failures.ip=1000000/10m"}
    )
    yield running
    running.stop(timeout=_server.STOP_TIMEOUT_S)


def test_schemathesis_finds_no_server_error_with_an_api_key_or_a_session(
    server: _server.RunningServer, tmp_path: Path
) -> None:
    credentials: Credentials = make_credentials(server.https_url, server.ssl_context())
    bearer = {"LOGITRACK_FUZZ_API_KEY": credentials.api_key}
    session = {
        "LOGITRACK_FUZZ_SESSION": credentials.session,
        "LOGITRACK_FUZZ_CSRF": credentials.csrf_token,
    }
    runs = [
        ("api-key", "schemathesis-bearer.toml", bearer, ()),
        (
            "session",
            "schemathesis-session.toml",
            session,
            ("--exclude-operation-id", SESSION_REVOKE),
        ),
        (
            "session-ending",
            "schemathesis-session.toml",
            session,
            ("--include-operation-id", SESSION_REVOKE),
        ),
    ]

    results = {}
    for name, config, env, selection in runs:
        results[name] = _run(server, tmp_path, name, config, env, *selection)

    for name, (code, tally, _output) in results.items():
        statuses = ", ".join(f"{status}: {n}" for status, n in sorted(tally.responses.items()))
        print(
            f"schemathesis {name}: exit {code}, {tally.cases} cases, "
            f"{sum(tally.responses.values())} responses ({statuses}), "
            f"{tally.server_errors} server errors, {sum(tally.failures.values())} failures"
        )
        for failure, count in sorted(tally.failures.items()):
            print(f"  {failure}: {count}")
        for line in tally.reproductions:
            print(f"    {line}")
    log = server.log()
    assert "Traceback" not in log, log[-4000:]
    for name, (code, tally, output) in results.items():
        assert tally.cases > 0, f"{name} ran no case:\n{output[-4000:]}"
        assert tally.server_errors == 0, f"{name}:\n{output[-6000:]}"
        assert dict(tally.failures) == {}, f"{name}:\n{output[-6000:]}"
        assert code == 0, f"{name} exited {code}:\n{output[-6000:]}"
