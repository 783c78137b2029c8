"""``logitrack serve`` and ``logitrack gateway`` refuse a port another listener holds, even one
opened with SO_REUSEPORT as granian opens them (Linux would let a second granian share it)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from logitrack.core.management.commands.serve import Command
from logitrack.core.ports import port_in_use


def _free_ports(count: int) -> list[str]:
    holders = [socket.socket() for _ in range(count)]
    try:
        for holder in holders:
            holder.bind(("127.0.0.1", 0))
        return [str(holder.getsockname()[1]) for holder in holders]
    finally:
        for holder in holders:
            holder.close()


@pytest.fixture
def granian_like_listener() -> Iterator[int]:
    """A loopback listener bound the way granian binds: SO_REUSEPORT set."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield int(listener.getsockname()[1])


def test_a_port_held_with_reuseport_is_in_use_and_a_free_one_is_not(
    granian_like_listener: int,
) -> None:
    assert port_in_use("127.0.0.1", granian_like_listener)
    assert port_in_use("0.0.0.0", granian_like_listener)  # noqa: S104 - every interface
    assert not port_in_use("127.0.0.1", int(_free_ports(1)[0]))


def test_a_second_reuseport_listener_would_have_been_let_in(granian_like_listener: int) -> None:
    """Why the probe exists: the kernel accepts a second SO_REUSEPORT bind of the same port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as second:
        second.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        second.bind(("127.0.0.1", granian_like_listener))


class _Started(Exception):
    """Raised where serve would go on to start its servers: the check let the port pass."""


@pytest.fixture(autouse=True)
def _never_start(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> None:
        raise _Started

    monkeypatch.setattr(Command, "_tls_files", refuse)


@pytest.mark.parametrize("which", [0, 1])
def test_serve_refuses_a_port_in_use_and_names_it(granian_like_listener: int, which: int) -> None:
    ports = _free_ports(2)
    ports[which] = str(granian_like_listener)
    with pytest.raises(CommandError, match=f"Port {granian_like_listener} on 127.0.0.1 is already"):
        call_command(
            "serve", "--bind", "127.0.0.1", "--https-port", ports[0], "--http-port", ports[1]
        )


def test_serve_refuses_the_gateway_port_in_use(
    granian_like_listener: int, settings: object
) -> None:
    settings.LOGITRACK_OSMAND_PORT = granian_like_listener  # type: ignore[attr-defined]
    https, http = _free_ports(2)
    with pytest.raises(CommandError, match="LOGITRACK_OSMAND_PORT"):
        call_command("serve", "--bind", "127.0.0.1", "--https-port", https, "--http-port", http)


def test_the_gateway_command_refuses_its_port_in_use(granian_like_listener: int) -> None:
    with pytest.raises(CommandError, match="LOGITRACK_OSMAND_PORT"):
        call_command("gateway", "--bind", "127.0.0.1", "--port", str(granian_like_listener))


def test_serve_goes_on_when_its_ports_are_free() -> None:
    https, http = _free_ports(2)
    with pytest.raises(_Started):
        call_command("serve", "--bind", "127.0.0.1", "--https-port", https, "--http-port", http)
