"""Whether a listening port is free before Logitrack's servers take it.

granian opens its listening sockets with SO_REUSEPORT (so that its worker processes share one
port), and Linux then lets a second granian bind the same port without error: two Logitrack
instances on one machine would each receive part of the other's requests, on different data.
A probe socket without SO_REUSEPORT conflicts with any listener on the port, so it finds them
(socket(7): SO_REUSEPORT must be set on every socket sharing a port). SO_REUSEADDR on the probe
lets a port whose old connections are only in TIME_WAIT pass as free, as a restart needs.
"""

from __future__ import annotations

import errno
import socket

# Every granian server of Logitrack is started with ``--workers-kill-timeout`` this many
# seconds: on Ctrl-C, a worker process that has not stopped gracefully by then is killed, so it
# cannot go on holding its port (SO_REUSEPORT, above) after its main process has exited.
WORKERS_KILL_TIMEOUT_S = 8


def port_in_use(host: str, port: int) -> bool:
    """True when something listens on ``host``:``port`` (TCP) or holds it bound; a host given as
    ``0.0.0.0`` or ``::`` also conflicts with a listener on any one address. Other bind errors
    (a host that is not this machine's, a privileged port) are raised as OSError."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return True
            raise
    return False
