"""What a sign-in costs with the chosen Argon2id parameters, beside Django's and OWASP's.

Prints, in one run and side by side, the time to hash one password with:
- Logitrack's parameters (``logitrack.accounts.hashers``, m=64 MiB, t=3, p=1),
- Django 5.2's default Argon2 parameters (m=100 MiB, t=2, p=8),
- OWASP's minimum recommendation for Argon2id (m=19 MiB, t=2, p=1),
then the full sign-in request (POST /login/ through the Django test client: axes check, password
verification, session rotation, session row, audit entry) with Logitrack's hasher, and what a
refused password costs against a hash made before NFKC normalisation (ADR 0011: the typed form,
then its NFKC form, when they differ) beside the NFKC hash.

Runs on a throw-away SQLite database (``config.settings.test`` with the production hasher put
back). docs/adr/0007-authentication.md quotes its output.

    .venv/bin/python bench/argon2_login.py [REPEAT]
"""

from __future__ import annotations

import logging
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPEAT = int(sys.argv[1]) if len(sys.argv) > 1 else 7
PASSWORD = "correct horse battery staple"  # noqa: S105 (a benchmark input)


def _setup() -> None:
    data = Path(tempfile.mkdtemp(prefix="logitrack-bench-argon2-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["LOGITRACK_DATA_DIR"] = str(data)
    os.environ["DATABASE_URL"] = f"sqlite:///{data / 'bench.sqlite3'}"
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django
    from django.conf import settings

    # The suite's fast hasher is swapped back for the one every shipped profile uses.
    settings.PASSWORD_HASHERS = [
        "logitrack.accounts.hashers.NfkcArgon2PasswordHasher",
        "logitrack.accounts.hashers.LogitrackArgon2PasswordHasher",
    ]
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    logging.disable(logging.CRITICAL)  # the request log would drown the table


_setup()

import unicodedata  # noqa: E402

import argon2  # noqa: E402
from django.contrib.auth.hashers import Argon2PasswordHasher, get_hasher  # noqa: E402

from logitrack.accounts.hashers import (  # noqa: E402
    LogitrackArgon2PasswordHasher,
    NfkcArgon2PasswordHasher,
)
from logitrack.accounts.models import User  # noqa: E402
from logitrack.core.testing import HttpsClient  # noqa: E402


def _median_ms(action: Callable[[], object], repeat: int = REPEAT) -> tuple[float, float]:
    action()  # warm-up: first allocation of the memory block
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), min(times)


def _hasher(memory_kib: int, time_cost: int, parallelism: int) -> argon2.PasswordHasher:
    return argon2.PasswordHasher(
        time_cost=time_cost,
        memory_cost=memory_kib,
        parallelism=parallelism,
        hash_len=argon2.DEFAULT_HASH_LENGTH,
        salt_len=argon2.DEFAULT_RANDOM_SALT_LENGTH,
        type=argon2.Type.ID,
    )


def main() -> None:
    chosen = LogitrackArgon2PasswordHasher
    django_default = Argon2PasswordHasher
    rows = [
        ("Logitrack (chosen)", chosen.memory_cost, chosen.time_cost, chosen.parallelism),
        (
            "Django 5.2 default",
            django_default.memory_cost,
            django_default.time_cost,
            django_default.parallelism,
        ),
        ("OWASP minimum", 19 * 1024, 2, 1),
    ]
    assert get_hasher().algorithm == "nfkc_argon2"
    print(f"CPU cores: {os.cpu_count()}; median (min) of {REPEAT} runs after a warm-up")
    print(f"{'parameters':<20} {'m':>8} {'t':>3} {'p':>3} {'hash ms':>16} {'vs chosen':>10}")
    results = []
    for label, memory, passes, lanes in rows:
        hasher = _hasher(memory, passes, lanes)
        median, fastest = _median_ms(lambda h=hasher: h.hash(PASSWORD))  # type: ignore[misc]
        results.append((label, memory, passes, lanes, median, fastest))
    chosen_ms = results[0][4]
    for label, memory, passes, lanes, median, fastest in results:
        print(
            f"{label:<20} {memory // 1024:>5} MiB {passes:>3} {lanes:>3} "
            f"{median:>8.1f} ({fastest:>5.1f}) {median / chosen_ms:>9.2f}x"
        )

    User.objects.create_user(email="bench@example.vn", password=PASSWORD, full_name="Bench")
    stored = User.objects.get(email="bench@example.vn").password
    assert stored.startswith("nfkc_argon2$argon2id$v=19$m=65536,t=3,p=1$"), stored

    def sign_in() -> None:
        client = HttpsClient()
        response = client.post("/login/", {"username": "bench@example.vn", "password": PASSWORD})
        assert response.status_code == 302, response.status_code

    def refused() -> None:
        client = HttpsClient()
        response = client.post(
            "/login/",
            {"username": "bench@example.vn", "password": "wrong password here"},
            REMOTE_ADDR=f"192.0.2.{time.perf_counter_ns() % 250 + 1}",
        )
        assert response.status_code == 200, response.status_code

    login_ms, login_min = _median_ms(sign_in)
    refused_ms, refused_min = _median_ms(refused)
    print()
    print(f"{'sign-in request (POST /login/)':<34} {'ms':>16} {'hash share':>11}")
    print(
        f"{'right password, signed in':<34} {login_ms:>8.1f} ({login_min:>5.1f}) "
        f"{chosen_ms / login_ms:>10.0%}"
    )
    print(
        f"{'wrong password, refused':<34} {refused_ms:>8.1f} ({refused_min:>5.1f}) "
        f"{chosen_ms / refused_ms:>10.0%}"
    )

    # A wrong Vietnamese password typed decomposed (NFD): an old as-typed hash tries it twice.
    typed = unicodedata.normalize("NFD", "Mật khẩu sai bên sông Hồng")
    old_hash = LogitrackArgon2PasswordHasher().encode("Mật khẩu đúng", "saltsaltsaltsalt")
    new_hash = NfkcArgon2PasswordHasher().encode("Mật khẩu đúng", "saltsaltsaltsalt")
    old_ms, old_min = _median_ms(lambda: LogitrackArgon2PasswordHasher().verify(typed, old_hash))
    new_ms, new_min = _median_ms(lambda: NfkcArgon2PasswordHasher().verify(typed, new_hash))
    print()
    print(f"{'refused NFD password, verify only':<34} {'ms':>16} {'vs NFKC':>11}")
    print(f"{'NFKC hash (nfkc_argon2)':<34} {new_ms:>8.1f} ({new_min:>5.1f}) {1:>10.2f}x")
    print(
        f"{'old as-typed hash (argon2)':<34} {old_ms:>8.1f} ({old_min:>5.1f}) "
        f"{old_ms / new_ms:>10.2f}x"
    )


if __name__ == "__main__":
    main()
