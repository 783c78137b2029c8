"""``logitrack gateway``: the ingestion gateway over HTTPS on LOGITRACK_OSMAND_PORT (5055).

granian serves the lean ASGI application ``logitrack.tracking.ingest.gateway:app`` with the same
certificate as ``logitrack serve``. Slow clients are cut: headers must arrive within
LOGITRACK_GATEWAY_HEADER_TIMEOUT_MS (60 s) and bodies within the gateway's own ``BODY_TIMEOUT``;
HTTP/1.1 keep-alive stays on, since trackers and Traccar Client reuse their connection. granian
(hyper) starts the header timer when the previous answer has been sent, so the same bound is
also the keep-alive idle timeout: 60 s, granian's maximum, lets a tracker reporting every 10-60 s
keep its TLS connection (docs/adr/0040).
"""

from __future__ import annotations

import os
import subprocess
import sys
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from logitrack.core.ports import WORKERS_KILL_TIMEOUT_S
from logitrack.core.tls import TlsFiles


def header_timeout_ms() -> int:
    """granian accepts 1..60,000 ms."""
    return max(1, min(60_000, int(settings.LOGITRACK_GATEWAY_HEADER_TIMEOUT_MS)))


# Connections one gateway worker holds open at once. granian counts an open keep-alive
# connection against its "backpressure" (by default the backlog per worker, 4,096 here), and past
# it stops accepting: 10,000 trackers keeping their TLS connection between reports were cut to
# about 4,000 (bench/ingest.py --only idle). An idle connection costs about 10 KiB.
MAX_CONNECTIONS = 20_000


def raise_open_files_limit(need: int = MAX_CONNECTIONS + 1024) -> None:
    """Raise this process's soft limit of open files towards ``need`` (capped by the hard limit),
    so that the granian processes it starts, which inherit it, can hold MAX_CONNECTIONS."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = need if hard == resource.RLIM_INFINITY else min(hard, need)
    if want > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


def gateway_cmd(bind: str, port: int, tls: TlsFiles, workers: int) -> list[str]:
    """The granian command line of the gateway."""
    return [
        sys.executable, "-m", "granian",
        "--interface", "asgi",
        "--host", bind,
        "--port", str(port),
        "--workers", str(workers),
        "--http", "1",
        "--loop", "uvloop",
        "--http1-header-read-timeout", str(header_timeout_ms()),
        "--backlog", "4096",
        "--backpressure", str(MAX_CONNECTIONS),
        "--workers-kill-timeout", str(WORKERS_KILL_TIMEOUT_S),
        "--ssl-certificate", str(tls.server_cert),
        "--ssl-keyfile", str(tls.server_key),
        "--ssl-protocol-min", "tls1.2",
        "--no-access-log",
        "--log-level", "warning",
        "logitrack.tracking.ingest.gateway:app",
    ]  # fmt: skip


def plain_gateway_cmd(bind: str, port: int, workers: int) -> list[str]:
    """The granian command line of the plain-HTTP legacy listener (docs/adr/0030): no TLS, the
    ``plain_app`` that serves only devices of tenants that turned plain HTTP on."""
    return [
        sys.executable, "-m", "granian",
        "--interface", "asgi",
        "--host", bind,
        "--port", str(port),
        "--workers", str(workers),
        "--http", "1",
        "--http1-header-read-timeout", str(header_timeout_ms()),
        "--backlog", "4096",
        "--backpressure", str(MAX_CONNECTIONS),
        "--workers-kill-timeout", str(WORKERS_KILL_TIMEOUT_S),
        "--no-access-log",
        "--log-level", "warning",
        "logitrack.tracking.ingest.gateway:plain_app",
    ]  # fmt: skip


class Command(BaseCommand):
    help = "Serve the device ingestion gateway (OsmAnd protocol, batch API) over HTTPS."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--bind", default=settings.LOGITRACK_BIND)
        parser.add_argument("--port", type=int, default=settings.LOGITRACK_OSMAND_PORT)
        parser.add_argument("--workers", type=int, default=settings.LOGITRACK_GATEWAY_WORKERS)

    def handle(self, *args: Any, **options: Any) -> None:
        from logitrack.core.management.commands.serve import Command as Serve

        Serve._check_ports_free(options["bind"], {"LOGITRACK_OSMAND_PORT": options["port"]})
        tls = Serve()._tls_files(options["bind"])
        env = dict(os.environ)
        env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
        cmd = gateway_cmd(options["bind"], options["port"], tls, options["workers"])
        raise_open_files_limit()
        self.stdout.write(f"Ingestion gateway at https://{options['bind']}:{options['port']}/")
        child = subprocess.Popen(cmd, env=env)  # noqa: S603
        try:
            code = child.wait()
        except KeyboardInterrupt:  # Ctrl-C reaches granian too; let it finish its requests
            code = child.wait()
        raise SystemExit(code)
