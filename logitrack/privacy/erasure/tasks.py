"""Jobs of the erasure: one per scheduled erasure (run_after its time), and the sweep."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from logitrack.core.schedule import periodic
from logitrack.privacy.erasure.models import PersonErasure
from logitrack.privacy.erasure.services.erasure import erasures_run, person_erase


@task()
def person_erasure_run(erasure_id: int) -> bool:
    """Erase the person of erasure ``erasure_id`` if it is still scheduled; True when done now.

    A cancelled or already done erasure is left alone, so a job that outlived its erasure, or
    ran after the sweep, is harmless.
    """
    erasure = PersonErasure.objects.filter(
        pk=erasure_id, status=PersonErasure.Status.SCHEDULED
    ).first()
    if erasure is None:
        return False
    person_erase(erasure=erasure)
    return True


@periodic("erasure.sweep", every=timedelta(hours=1))
@task()
def erasures_sweep() -> int:
    """Erase every scheduled erasure whose time has come (a lost job cannot make one late)."""
    return erasures_run()


@task()
def underage_report_notify(report_id: int) -> int:
    """E-mail every active privacy officer about under-16 report ``report_id``: a visitor's
    report waits for their decision, a suspension may be a mistake to cancel before the
    erasure. The e-mail names no one (the report's number, its source, the erasure's time and
    the staff page's link). Returns the messages sent."""
    from logitrack.privacy.erasure.services.notify import report_notify

    return report_notify(report_id)
