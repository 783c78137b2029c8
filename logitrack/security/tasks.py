"""Jobs of the security app: the daily backup (docs/adr/0055)."""

from __future__ import annotations

import logging
from datetime import time

from django_tasks import task

from logitrack.core.schedule import periodic
from logitrack.security.actors import Actor
from logitrack.security.backups.services import (
    BackupError,
    backup_create,
    backup_prune,
    backup_verify,
)

logger = logging.getLogger("logitrack.security.backups")
BACKUP_ACTOR = Actor.system("backup")


@periodic("security.backup", daily_at=time(2, 0))
@task()
def backup_daily_run() -> str:
    """Create a backup, verify it by restoring it into a scratch database, then prune old ones.

    A failure is logged (the backup's name and an error code, nothing else), recorded in the
    backup's manifest (``logitrack backup list`` shows it) and in the audit chain, and re-raised
    so that the job shows as failed; pruning is skipped then, so old backups stay while new
    ones fail. Returns the new backup's name.
    """
    try:
        created = backup_create(actor=BACKUP_ACTOR)
        backup_verify(actor=BACKUP_ACTOR, name=created.name)
    except BackupError as exc:
        logger.error("daily backup failed", extra={"code": exc.code})
        raise
    backup_prune(actor=BACKUP_ACTOR)
    return created.name
