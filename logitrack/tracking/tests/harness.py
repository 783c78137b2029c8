"""Real processes for the ingestion durability tests and ``bench/ingest.py``: a throw-away data
directory (SQLite or a private PostgreSQL cluster), ``logitrack gateway`` processes over TLS, and
simulated devices that keep a record of every acknowledgement.

The durability tests (``test_durability.py``) and the benchmark share this one implementation.

- ``PrivatePostgres``: a cluster of its own (``initdb`` + ``pg_ctl`` of the installed
  PostgreSQL, ``/usr/lib/postgresql/<version>/bin``) in a temporary directory on a free port, so
  that its postmaster can be killed with SIGKILL without touching the shared server. As root it
  runs the server as the ``postgres`` user (``initdb`` refuses root).
- ``Site``: a migrated database with ``n`` registered devices of one tenant.
- ``Gateway``: ``python -m logitrack gateway --port P`` in its own process group (the command,
  granian and its workers), killed together with SIGKILL.
- ``Devices``: asyncio clients over keep-alive HTTPS sending single OsmAnd reports; a fix is
  resent (same device, same fix time) until a 200 arrives, as Traccar Client does with its
  offline buffer. ``acknowledged`` holds every (identifier, Unix second) answered 200.
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import json
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from logitrack.core.ports import port_in_use

REPO = Path(__file__).resolve().parents[3]

SETUP = r"""
import json, os
from logitrack.accounts.models import User
from logitrack.core.tenant import tenant_context
from logitrack.tenancy.models import Membership, Tenant
from logitrack.tenancy.principal import Principal
from logitrack.tracking.services.devices import device_create
t = Tenant.objects.create(name="Load", slug="load", tax_code="0312345678",
    street_address="1 Le Loi", province_code=79, ward_code=26506)
u = User.objects.create_user(email="load@example.vn", password=None, full_name="Load")
with tenant_context(t):
    m = Membership.objects.create(user=u, role="owner")
    p = Principal.for_membership(u, m)
    out = []
    for i in range(int(os.environ["NDEV"])):
        c = device_create(principal=p, kind="gps_tracker", identifier=f"load{i:05d}", name="d")
        out.append({"identifier": c.device.identifier, "token": c.token, "id": c.device.pk,
                    "tenant": t.pk})
print("DEVICES=" + json.dumps(out))
"""

STORED = r"""
import json
from logitrack.tracking.models import Position
rows = Position.dangerously_unscoped.values_list("device__identifier", "fix_time")
print("STORED=" + json.dumps([[i, round(t.timestamp())] for i, t in rows]))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing listens on port {port} after {timeout} s")


def wait_ready(port: int, timeout: float = 90.0) -> None:
    """Wait until the gateway answers over TLS (granian binds its port before its workers have
    loaded the application)."""
    deadline = time.monotonic() + timeout
    ctx = client_context()
    while time.monotonic() < deadline:
        try:
            with (
                socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
                ctx.wrap_socket(raw) as tls,
            ):
                tls.sendall(b"GET /?id=nobody HTTP/1.1\r\nHost: g\r\nConnection: close\r\n\r\n")
                if tls.recv(12).startswith(b"HTTP/1.1 "):
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the gateway on port {port} did not answer after {timeout} s")


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError(f"PostgreSQL's {name} is not installed (/usr/lib/postgresql/*/bin)")
    return found[-1]


class PrivatePostgres:
    """A PostgreSQL cluster of this process alone, on 127.0.0.1:<port>, user postgres (trust)."""

    def __init__(self, parent: Path) -> None:
        self.root = parent / "pg"
        self.root.mkdir()
        self.data = self.root / "data"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"
        self._as: list[str] = []
        if os.geteuid() == 0:
            self._as = ["runuser", "-u", "postgres", "--"]
            uid = pwd.getpwnam("postgres")
            os.chown(self.root, uid.pw_uid, uid.pw_gid)
        self._run(_pg_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "-E", "UTF8", "--locale=C.UTF-8")  # fmt: skip

    def _run(self, *cmd: str) -> None:
        subprocess.run([*self._as, *cmd], check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
            "-c fsync=on -c synchronous_commit=on -c max_connections=100"
        )
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-o", options, "-w", "-t", "60",
                  "-l", str(self.root / "server.log"), "start")  # fmt: skip

    def postmaster_pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def kill(self) -> None:
        """SIGKILL the postmaster (a crash), then wait for its backends to notice and exit, as
        the next start needs their shared memory released."""
        pid = self.postmaster_pid()
        children = _children(pid)
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 15
        for child in [pid, *children]:
            while _alive(child) and time.monotonic() < deadline:
                time.sleep(0.05)
            if _alive(child):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(child, signal.SIGKILL)

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError, FileNotFoundError):
            self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state != "Z"


def _children(pid: int) -> list[int]:
    found = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(stat).read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(stat.split("/")[2]))
    return found


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants."""
    out = [pid]
    for child in _children(pid):
        out += process_tree(child)
    return out


def cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU seconds of the live processes ``pids`` (children already reaped
    included)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(v) for v in fields[11:15])
    return total / ticks


def rss_bytes(pids: Sequence[int]) -> int:
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
    return total


@dataclass
class Site:
    """A migrated throw-away Logitrack database and data directory with registered devices."""

    data_dir: Path
    database_url: str = ""
    devices: list[dict[str, str]] = field(default_factory=list)
    settings: dict[str, str] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("LOGITRACK_", "DJANGO_"))}
        env.pop("DATABASE_URL", None)
        env.update(
            LOGITRACK_DATA_DIR=str(self.data_dir),
            DJANGO_SETTINGS_MODULE="config.settings.local",
            LOGITRACK_MQTT_URL="",
            PYTHONUNBUFFERED="1",
        )
        env.update(self.settings)
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        return env

    def manage(
        self, *args: str, extra: dict[str, str] | None = None, timeout: float | None = 600
    ) -> str:
        return subprocess.run(
            [sys.executable, "-m", "logitrack", *args],
            env={**self.env(), **(extra or {})},
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
            timeout=timeout,
        ).stdout

    def prepare(self, devices: int) -> None:
        self.manage("migrate", "--noinput", "-v", "0")
        out = self.manage("shell", "-c", SETUP, extra={"NDEV": str(devices)})
        self.devices = json.loads(out.split("DEVICES=")[1])

    def stored(self) -> list[tuple[str, int]]:
        """Every stored (identifier, fix time in Unix seconds), duplicates kept."""
        out = self.manage("shell", "-c", STORED)
        return [(i, t) for i, t in json.loads(out.split("STORED=")[1])]


class Gateway:
    """``logitrack gateway`` (granian over TLS) on its own port, in its own process group."""

    def __init__(
        self,
        site: Site,
        port: int | None = None,
        workers: int = 1,
        env: dict[str, str] | None = None,
    ) -> None:
        """``env``: settings for this gateway only, over the site's (``Site.env``)."""
        self.site = site
        self.port = port or free_port()
        self.workers = workers
        self.env = dict(env or {})
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "logitrack", "gateway", "--bind", "127.0.0.1",
             "--port", str(self.port), "--workers", str(self.workers)],
            env={**self.site.env(), **self.env}, cwd=REPO, start_new_session=True,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        wait_ready(self.port)

    def pids(self) -> list[int]:
        return process_tree(self.process.pid) if self.process else []

    def kill(self) -> None:
        """SIGKILL the command, granian and its workers at once (a crash of the machine's
        gateway, not a shutdown: nothing is flushed)."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.process = None
        # granian's processes die with the group, but not all in the instant the command's own
        # process is reaped; a restart must find the port free, or the gateway refuses it.
        deadline = time.monotonic() + 30
        while port_in_use("127.0.0.1", self.port) and time.monotonic() < deadline:
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()
        self.process = None


def client_context() -> ssl.SSLContext:
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


async def exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, bytes]:
    """Send one HTTP/1.1 request on a keep-alive connection; (status, body)."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _sep, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    body = await reader.readexactly(length) if length else b""
    return int(head.split(b" ", 2)[1]), body


@dataclass
class Answer:
    status: int
    port: int
    sent: float
    received: float


@dataclass
class Devices:
    """Simulated OsmAnd devices: device i sends fixes t0, t0-1, t0-2, ... (one per request,
    each after the previous one was acknowledged) to ``ports`` in turn."""

    ports: list[int]
    identifiers: list[str]
    t0: int = field(default_factory=lambda: int(time.time()) - 3600)
    acknowledged: set[tuple[str, int]] = field(default_factory=set)
    sent: set[tuple[str, int]] = field(default_factory=set)
    answers: list[Answer] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    duplicate_every: int = 0
    pause: float = 0.0
    # New fixes keep coming past ``seconds`` while this returns True (a slow restart under load)
    keep_going: Callable[[], bool] | None = None

    async def _device(self, ident: str, until: float, settle_until: float) -> None:
        connections: dict[int, tuple[asyncio.StreamReader, asyncio.StreamWriter]] = {}
        k = 0
        attempt = 0
        ctx = client_context()
        while True:
            now = time.monotonic()
            # After ``until`` only the pending fix is retried (until ``settle_until``).
            more = self.keep_going is not None and self.keep_going()
            if (now >= settle_until and not more) or (now >= until and attempt == 0 and not more):
                break
            stamp = self.t0 - k
            port = self.ports[(k + attempt) % len(self.ports)]
            request = (
                f"GET /?id={ident}&lat=10.77&lon=106.70&speed=10&timestamp={stamp} HTTP/1.1\r\n"
                "Host: gateway\r\n\r\n"
            ).encode()
            self.sent.add((ident, stamp))
            start = time.monotonic()
            try:
                if port not in connections:
                    connections[port] = await asyncio.wait_for(
                        asyncio.open_connection("127.0.0.1", port, ssl=ctx), 5
                    )
                status, _body = await asyncio.wait_for(exchange(*connections[port], request), 15)
            except (OSError, asyncio.IncompleteReadError, TimeoutError, ssl.SSLError, ValueError):
                self.errors["connection"] += 1
                held = connections.pop(port, None)
                if held is not None:
                    held[1].close()
                attempt += 1
                await asyncio.sleep(0.1)
                continue
            end = time.monotonic()
            self.answers.append(Answer(status, port, start, end))
            if status == 200:
                self.acknowledged.add((ident, stamp))
                self.latencies.append(end - start)
                if self.duplicate_every and k % self.duplicate_every == 0 and attempt == 0:
                    attempt = 1  # the same fix once more, to the next gateway
                    continue
                k += 1
                attempt = 0
                if self.pause:
                    await asyncio.sleep(self.pause)
            else:
                self.errors[str(status)] += 1
                attempt += 1
                await asyncio.sleep(0.05)
        for _reader, writer in connections.values():
            writer.close()

    async def run(self, seconds: float, settle: float = 30.0) -> None:
        until = time.monotonic() + seconds
        await asyncio.gather(
            *(self._device(ident, until, until + settle) for ident in self.identifiers)
        )

    async def until_acknowledged(self, count: int, timeout: float = 60.0) -> None:
        """Return once ``count`` fixes are acknowledged (the load is running)."""
        deadline = time.monotonic() + timeout
        while len(self.acknowledged) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(self.acknowledged)} of {count} acknowledged")
            await asyncio.sleep(0.05)

    def pending(self) -> set[tuple[str, int]]:
        return self.sent - self.acknowledged


@contextlib.contextmanager
def scratch(prefix: str) -> Iterator[Path]:
    """A temporary directory that PostgreSQL (run as ``postgres``) may use too."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        path.chmod(0o755)
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
