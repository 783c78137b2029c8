"""The password hashers Logitrack ships with: Argon2id at parameters chosen for our servers, over
the NFKC form of the password.

docs/adr/0007-authentication.md explains the Argon2 parameters and bench/argon2_login.py measures
them. docs/adr/0011-one-canonical-email-address.md explains the normalisation: a password is
hashed and checked as its Unicode NFKC form (UAX #15), so "Mật khẩu" typed precomposed (NFC) or
decomposed (NFD, as some Vietnamese keyboard settings send it) is one password.

Hashes made before that carry the algorithm name ``argon2`` and hold the password exactly as it
was typed; ``nfkc_argon2`` hashes hold its NFKC form. The preferred hasher is the NFKC one, so
Django's ``check_password`` re-hashes an ``argon2`` password on the next successful sign-in
(its algorithm differs from the preferred one), and a hash made with other Argon2 parameters
is re-hashed too (``must_update``).
"""

from __future__ import annotations

import unicodedata

from django.contrib.auth.hashers import (
    Argon2PasswordHasher,
    BasePasswordHasher,
    MD5PasswordHasher,
)

ARGON2_MEMORY_KIB = 64 * 1024
ARGON2_TIME_COST = 3
ARGON2_PARALLELISM = 1


def password_nfkc(password: str) -> str:
    """``password`` in Unicode normalisation form NFKC (UAX #15), as it is hashed and checked."""
    return unicodedata.normalize("NFKC", password)


class _HashesNfkc(BasePasswordHasher):
    """Hash and verify the NFKC form of the password (mixed in before a concrete hasher)."""

    def encode(self, password: str, salt: str) -> str:
        return super().encode(password_nfkc(password), salt)

    def verify(self, password: str, encoded: str) -> bool:
        return super().verify(password_nfkc(password), encoded)


class _HashedAsTyped(BasePasswordHasher):
    """Verify a hash made before normalisation: the password as typed, then its NFKC form.

    The second try lets a person whose old password was stored precomposed sign in from a
    keyboard that sends it decomposed; it costs a second hash only when the typed password is
    not already NFKC. The successful sign-in then re-hashes with the preferred NFKC hasher.
    """

    def verify(self, password: str, encoded: str) -> bool:
        if super().verify(password, encoded):
            return True
        normalised = password_nfkc(password)
        return normalised != password and super().verify(normalised, encoded)


class LogitrackArgon2PasswordHasher(_HashedAsTyped, Argon2PasswordHasher):
    """Argon2id, m=64 MiB, t=3, p=1 (above OWASP's minimum m=19 MiB, t=2, p=1), over the password
    as typed: verifies hashes from before NFKC normalisation and from Django's default Argon2.

    Listed after the preferred ``NfkcArgon2PasswordHasher``; it never makes new hashes.
    """

    memory_cost = ARGON2_MEMORY_KIB
    time_cost = ARGON2_TIME_COST
    parallelism = ARGON2_PARALLELISM


class NfkcArgon2PasswordHasher(_HashesNfkc, Argon2PasswordHasher):
    """Argon2id, m=64 MiB, t=3, p=1, over the NFKC form: every new password hash."""

    algorithm = "nfkc_argon2"
    memory_cost = ARGON2_MEMORY_KIB
    time_cost = ARGON2_TIME_COST
    parallelism = ARGON2_PARALLELISM


class NfkcMD5PasswordHasher(_HashesNfkc, MD5PasswordHasher):
    """Test settings only (fast): the NFKC hasher over MD5. Never in a shipped profile."""

    algorithm = "nfkc_md5"


class AsTypedMD5PasswordHasher(_HashedAsTyped, MD5PasswordHasher):
    """Test settings only (fast): the pre-normalisation ``md5`` hashes, as typed, then NFKC."""
