"""Account e-mails go through the job system for real: the database backend with its worker (on
SQLite and PostgreSQL), and RQ on the Redis at REDIS_URL (default 127.0.0.1:6379/15)."""

from __future__ import annotations

import os
import signal
from typing import Any

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from logitrack.accounts.models import User
from logitrack.core.testing import HttpsClient

EMAIL = "lan.nguyen@example.vn"
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
RQ_TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}


@pytest.fixture(autouse=True)
def _forget_counters(django_db_blocker: Any) -> Any:
    """The transactional tests commit their rate-limit counters; later tests must not see them."""
    yield
    from django.core.cache import cache

    with django_db_blocker.unblock():
        cache.clear()


@pytest.fixture
def person(db: Any) -> User:
    return User.objects.create_user(
        email=EMAIL, password="x" * 16, full_name="Nguyễn Thị Lan", email_verified_at=timezone.now()
    )


def run_db_worker() -> None:
    """django-tasks-db's own worker, in batch mode: it runs what is queued, then returns."""
    from django_tasks_db.management.commands.db_worker import Worker

    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


# The worker commits and checks its connections as in production (close_old_connections would
# close a connection held inside a test's transaction), so these tests commit for real.
@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DB_TASKS)
def test_a_reset_mail_is_queued_in_the_database_and_sent_by_the_worker(person: User) -> None:
    from django_tasks_db.models import DBTaskResult

    mail.outbox.clear()
    response = HttpsClient().post(reverse("accounts:password_reset"), {"email": EMAIL})

    assert response.status_code == 302
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "logitrack.accounts.tasks.account_email_send"
    # Only an id and a template name are stored: no address, no token.
    assert queued.args_kwargs == {"args": [person.pk, "password_reset"], "kwargs": {}}
    assert mail.outbox == []

    run_db_worker()

    assert [m.to for m in mail.outbox] == [[EMAIL]]
    assert "/account/reset/" in mail.outbox[0].body
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DB_TASKS)
def test_an_unknown_address_queues_the_same_task_which_sends_nothing() -> None:
    from django_tasks_db.models import DBTaskResult

    mail.outbox.clear()
    response = HttpsClient().post(
        reverse("accounts:password_reset"), {"email": "nobody@example.vn"}
    )
    run_db_worker()

    assert response.status_code == 302
    assert DBTaskResult.objects.get().args_kwargs == {
        "args": [None, "password_reset"],
        "kwargs": {},
    }
    assert mail.outbox == []


# --- Redis -------------------------------------------------------------------------------------


def _redis_url() -> str:
    from django.conf import settings

    return str(settings.TEST_REDIS_URL)


@pytest.fixture
def redis_server() -> Any:
    """The real Redis; skipped with the reason when unreachable, except under CI=true."""
    import redis

    connection = redis.Redis.from_url(_redis_url(), socket_connect_timeout=2)
    try:
        connection.ping()
    except redis.RedisError as exc:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"Redis at {_redis_url()} is unreachable under CI: {exc}")
        pytest.skip(f"Redis at {_redis_url()} is unreachable: {exc}")
    connection.flushdb()
    yield connection
    connection.flushdb()


@pytest.mark.redis
@override_settings(TASKS=RQ_TASKS)
def test_a_reset_mail_is_queued_on_redis_and_sent_by_an_rq_worker(
    person: User, redis_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    import django_rq
    import setproctitle
    from django_tasks_rq import Job
    from rq import SimpleWorker

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = HttpsClient().post(reverse("accounts:password_reset"), {"email": EMAIL})

    queue = django_rq.get_queue("default", job_class=Job)
    assert response.status_code == 302
    assert queue.count == 1
    assert mail.outbox == []

    # SimpleWorker runs jobs in this process, so the mail lands in this test's outbox. It also
    # takes over SIGINT/SIGTERM and the process title; both are given back, so that the process
    # running the tests (``make mutation`` runs them inside mutmut) still stops on SIGTERM.
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    title = setproctitle.getproctitle()
    try:
        SimpleWorker([queue], connection=queue.connection, job_class=Job).work(burst=True)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        setproctitle.setproctitle(title)

    assert [m.to for m in mail.outbox] == [[EMAIL]]
    assert queue.count == 0


@pytest.mark.redis
def test_rate_limits_hold_on_django_s_redis_cache(redis_server: Any, person: User) -> None:
    redis_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _redis_url(),
            "KEY_PREFIX": "logitrack-test",
        }
    }
    from logitrack.security.throttle import DEFAULT_RATES

    budget = int(DEFAULT_RATES["password_reset.account"].split("/")[0])
    from freezegun import freeze_time

    with override_settings(CACHES=redis_cache), freeze_time("2026-11-29 10:00:00"):
        answers = [
            HttpsClient()
            .post(reverse("accounts:password_reset"), {"email": EMAIL}, REMOTE_ADDR=f"192.0.2.{n}")
            .status_code
            for n in range(1, budget + 3)
        ]
        stored = redis_server.keys("logitrack-test:*")

    assert answers == [302] * budget + [429, 429]
    assert stored  # the counters live in Redis, where every process shares them
