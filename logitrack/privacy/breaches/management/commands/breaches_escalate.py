"""``logitrack breaches_escalate``: e-mail the privacy officers about every breach still
unreported 48 or 66 hours after its discovery, once per breach and stage.

For deployments whose task backend cannot defer work: run it from the operator's scheduler
(every 15 minutes is enough); ``breach_register`` otherwise schedules the same job itself.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from logitrack.privacy.breaches.tasks import breach_escalations_run


class Command(BaseCommand):
    help = "Escalate unreported breaches to the privacy officers (48 h and 66 h after discovery)."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = breach_escalations_run.call()
        if options["verbosity"] > 0:
            self.stdout.write(f"escalation e-mails sent: {sent}")
