"""``logitrack jobs_worker``: django-tasks-db's ``db_worker`` under a worker id that says which
process it is, after failing the jobs that a dead worker left RUNNING (``logitrack.core.worker``).
Same options as ``db_worker``; ``--worker-id`` defaults to ``<host>:<pid>:<start ticks>``."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DbWorker

from logitrack.core.worker import abandoned_jobs_fail, worker_id


class Command(DbWorker):
    help = "Run the database job worker, after failing jobs whose worker died."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(worker_id=worker_id())

    def handle(self, *args: Any, **options: Any) -> None:
        failed = abandoned_jobs_fail()
        if failed:
            self.stderr.write(f"{failed} job(s) left running by a stopped worker marked failed")
        super().handle(*args, **options)
