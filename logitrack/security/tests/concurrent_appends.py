"""Several threads appending at once, for the concurrency tests.

Run as a module, it does the same against a fresh SQLite *file* database configured as shipped
(WAL, BEGIN IMMEDIATE, busy timeout), then verifies the chain and exits with the command's status:

    LOGITRACK_DATA_DIR=/tmp/x DJANGO_SETTINGS_MODULE=config.settings.test \\
        python -m logitrack.security.tests.concurrent_appends 8 10
"""

from __future__ import annotations

import sys
import threading


def append_concurrently(threads: int, per_thread: int) -> list[BaseException]:
    """Start ``threads`` threads that each record ``per_thread`` entries; return their errors."""
    from django.db import connection

    from logitrack.security.actors import Actor
    from logitrack.security.services import audit_record

    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def work(worker: int) -> None:
        try:
            start.wait()  # release them together, so that their appends really overlap
            for round_ in range(per_thread):
                audit_record(
                    action="sys_monitor_enabled",
                    actor=Actor.system(f"worker-{worker}"),
                    details={"worker": worker, "round": round_},
                )
        except BaseException as exc:  # reported to the test, which fails on any
            errors.append(exc)
        finally:
            connection.close()

    pool = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return errors


def main(argv: list[str]) -> int:
    import django
    from django.core.management import CommandError, call_command
    from django.utils import translation

    django.setup()
    translation.activate("en")
    call_command("migrate", verbosity=0)
    threads, per_thread = int(argv[0]), int(argv[1])
    errors = append_concurrently(threads, per_thread)
    for error in errors:
        print(f"append failed: {error!r}", file=sys.stderr)  # noqa: T201
    try:
        call_command("audit", "verify")
    except CommandError as exc:
        print(exc, file=sys.stderr)  # noqa: T201
        return exc.returncode
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
