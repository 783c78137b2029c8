"""The password hasher Logitrack ships with: Argon2id at parameters chosen for our servers.

docs/adr/0007-authentication.md explains the choice and bench/argon2_login.py measures it. The
algorithm name stays ``argon2``, so hashes made with Django's defaults still verify and are
re-hashed at these parameters on the next sign-in (Django's ``must_update``).
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher

ARGON2_MEMORY_KIB = 64 * 1024
ARGON2_TIME_COST = 3
ARGON2_PARALLELISM = 1


class LogitrackArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id, m=64 MiB, t=3, p=1: above OWASP's minimum (m=19 MiB, t=2, p=1)."""

    memory_cost = ARGON2_MEMORY_KIB
    time_cost = ARGON2_TIME_COST
    parallelism = ARGON2_PARALLELISM
