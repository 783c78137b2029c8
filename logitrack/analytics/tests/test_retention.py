"""Page views are kept twelve months, then deleted by the retention job (command and task)."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from logitrack.analytics.models import RETENTION_DAYS, PageView
from logitrack.analytics.services import page_views_purge
from logitrack.analytics.tasks import analytics_retention_run
from logitrack.security.actors import Actor
from logitrack.security.models import AuditEntry

pytestmark = pytest.mark.django_db


def _view(age: dt.timedelta, now: dt.datetime) -> PageView:
    return PageView.objects.create(
        occurred_at=now - age, route="web:home", screen="l", browser="Chrome", visitor="0" * 64
    )


def test_views_older_than_twelve_months_are_deleted_and_newer_kept() -> None:
    now = timezone.now().replace(second=0, microsecond=0)
    old = _view(dt.timedelta(days=RETENTION_DAYS, minutes=1), now)
    edge = _view(dt.timedelta(days=RETENTION_DAYS), now)
    recent = _view(dt.timedelta(days=30), now)

    deleted = page_views_purge(actor=Actor.system("analytics_retention"), now=now)

    assert deleted == 1
    assert set(PageView.objects.values_list("pk", flat=True)) == {edge.pk, recent.pk}
    assert not PageView.objects.filter(pk=old.pk).exists()
    entry = AuditEntry.objects.get(action="analytics_retention_run")
    assert entry.details == {"deleted": 1, "retention_days": 365}


def test_twelve_months_is_the_retention() -> None:
    assert RETENTION_DAYS == 365


def test_the_command_and_the_task_run_the_purge() -> None:
    now = timezone.now()
    _view(dt.timedelta(days=400), now)
    _view(dt.timedelta(days=400), now)
    out = StringIO()

    call_command("analytics_retention", stdout=out)

    assert out.getvalue().strip() == "2"
    _view(dt.timedelta(days=500), now)
    result = analytics_retention_run.enqueue()
    assert result.return_value == 1
    assert PageView.objects.count() == 0
