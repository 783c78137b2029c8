"""Does the password-reset form answer as fast for an unknown address as for an account's?

POSTs the reset form alternately for an address that has an account and for one that has none,
in one run, and prints both medians and their ratio (target: within 10%, docs/adr/0012). The
request does the same work either way (look-up, audit entry, rate-limit counters, one queued
task); the e-mail is rendered and sent later by the job worker, which this bench does not run.

Runs on a throw-away SQLite database with the shipped job backend (django-tasks-db) and cache
(the database table); the rate limits are raised so that they count every request but refuse
none.

    .venv/bin/python bench/reset_timing.py [REQUESTS_PER_ADDRESS]
"""

from __future__ import annotations

import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REQUESTS = int(sys.argv[1]) if len(sys.argv) > 1 else 300
EXISTING = "lan.nguyen@example.vn"
UNKNOWN = "nobody.here@example.vn"


def _setup() -> None:
    data = Path(tempfile.mkdtemp(prefix="logitrack-bench-reset-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["LOGITRACK_DATA_DIR"] = str(data)
    os.environ["DATABASE_URL"] = f"sqlite:///{data / 'bench.sqlite3'}"
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django
    from django.conf import settings

    from logitrack.security.throttle import DEFAULT_RATES

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    settings.LOGITRACK_RATE_LIMITS = {name: "1000000/h" for name in DEFAULT_RATES}
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    logging.disable(logging.CRITICAL)  # the request log would drown the table


_setup()

from django_tasks_db.models import DBTaskResult  # noqa: E402

from logitrack.accounts.models import User  # noqa: E402
from logitrack.core.testing import HttpsClient  # noqa: E402


def main() -> None:
    User.objects.create_user(email=EXISTING, password="x" * 16, full_name="Nguyễn Thị Lan")
    client = HttpsClient()

    def post(email: str) -> float:
        started = time.perf_counter()
        response = client.post("/account/password-reset/", {"email": email})
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 302, response.status_code
        return elapsed

    for _ in range(20):  # warm-up
        post(EXISTING)
        post(UNKNOWN)
    existing: list[float] = []
    unknown: list[float] = []
    for n in range(REQUESTS):
        # Alternate which goes first, so neither always follows the other's cache misses.
        if n % 2:
            existing.append(post(EXISTING))
            unknown.append(post(UNKNOWN))
        else:
            unknown.append(post(UNKNOWN))
            existing.append(post(EXISTING))
    queued = DBTaskResult.objects.count()
    assert queued == 2 * (REQUESTS + 20), queued  # one task per request, either way

    med_existing, med_unknown = statistics.median(existing), statistics.median(unknown)
    print(f"POST /account/password-reset/, {REQUESTS} requests per address, after 20 warm-ups")
    print(f"{'address':<28} {'median ms':>10} {'p90 ms':>8}")
    for label, times, median in (
        ("existing account", existing, med_existing),
        ("unknown address", unknown, med_unknown),
    ):
        p90 = statistics.quantiles(times, n=10)[-1]
        print(f"{label:<28} {median:>10.2f} {p90:>8.2f}")
    ratio = med_existing / med_unknown
    verdict = "within 10%" if abs(ratio - 1) <= 0.10 else "NOT within 10%"
    print(f"ratio existing/unknown: {ratio:.3f} ({verdict}); tasks queued: {queued}")


if __name__ == "__main__":
    main()
