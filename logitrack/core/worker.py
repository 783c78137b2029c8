"""Who runs a job of the database backend, and what happens to a job whose worker died.

django-tasks-db claims a job by setting it RUNNING and appending the worker's id; a worker that
dies while it runs one (SIGKILL, a crash, a database error while it records the result) leaves
the job RUNNING for ever, so its page (an import, an export) would say "running" with nothing
behind it. Logitrack's worker (``logitrack jobs_worker``, which ``logitrack serve`` supervises)
names itself ``<host>:<pid>:<start ticks>`` and, when it starts, marks FAILED every RUNNING job
whose last worker on this host is no longer alive: failed, not run again, because a job may
have done part of its work (an e-mail sent twice is worse than one the user retries).

Process start ticks come from ``/proc/<pid>/stat`` (field 22, proc(5)), so a pid reused by
another process does not pass for the dead worker; without /proc the pid alone is checked, and
a reused pid only leaves the job RUNNING (never a live job failed). Workers on other hosts are
never judged from here.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable

from django.utils import timezone

HOST_MAX = 40
WORKER_LOST = "logitrack.core.worker.WorkerLost"


class WorkerLost(Exception):
    """Recorded as the failure of a job whose worker stopped while running it."""


def _host() -> str:
    return socket.gethostname()[:HOST_MAX] or "host"


def start_ticks(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (proc(5) field 22), or None."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            stat = handle.read()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces: split after it.
    fields = stat.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else None


def worker_id(pid: int | None = None) -> str:
    """This process's worker id: ``<host>:<pid>:<start ticks>`` (at most 64 characters)."""
    pid = os.getpid() if pid is None else pid
    return f"{_host()}:{pid}:{start_ticks(pid) or 0}"


def is_alive(identifier: str) -> bool | None:
    """True or False for a worker id of this host; None for another host's or a foreign id."""
    host, _sep, rest = identifier.partition(":")
    pid_text, _sep, ticks = rest.partition(":")
    if host != _host() or not pid_text.isdigit():
        return None
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process with this pid: alive, but perhaps not the worker
    now = start_ticks(pid)
    return now is None or ticks in ("0", now)


def abandoned_jobs_fail(alive: Callable[[str], bool | None] = is_alive) -> int:
    """Mark FAILED (``WorkerLost``) the RUNNING jobs whose last worker is dead; their number."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    failed = 0
    for result in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING):
        last = result.worker_ids[-1] if result.worker_ids else ""
        if alive(str(last)) is not False:
            continue
        failed += DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED,
            finished_at=timezone.now(),
            exception_class_path=WORKER_LOST,
            traceback=f"{WORKER_LOST}: the worker {last} stopped while running this job",
        )
    return failed
