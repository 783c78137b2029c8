"""Settings for the test suite: fast password hashing and in-memory mail, otherwise as shipped."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from config.settings.base import *  # noqa: F403

SECRET_KEY = "test-only-key-not-a-secret-" + "x" * 32
DATA_DIR = Path(tempfile.mkdtemp(prefix="logitrack-test-"))
atexit.register(shutil.rmtree, DATA_DIR, ignore_errors=True)
MEDIA_ROOT = DATA_DIR / "media"
STATIC_ROOT = DATA_DIR / "static"
TLS_DIR = DATA_DIR / "tls"
LOGITRACK_BACKUP_DIR = str(DATA_DIR / "backups")
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# --- Authentication (logitrack.accounts) ---------------------------------------------------------
# A fast hasher for the suite; logitrack/accounts/tests/test_password_hashing.py proves that every
# shipped profile (base, local, prod) uses the chosen Argon2 parameters.
# The same two roles as base: NFKC hashes preferred, older as-typed hashes verified and upgraded.
PASSWORD_HASHERS = [
    "logitrack.accounts.hashers.NfkcMD5PasswordHasher",
    "logitrack.accounts.hashers.AsTypedMD5PasswordHasher",
]

# --- Field encryption (logitrack.core.crypto) -----------------------------------------------------
# A fixed, test-only master keyring (two entries, so that both wrapping with the newest and
# unwrapping with an older one are exercised); never read from the environment in tests.
LOGITRACK_MASTER_KEY = (
    "test-old:dGVzdC1vbmx5IG9sZCBtYXN0ZXIga2V5LCAzMiBieXQ=,"
    "test-new:dGVzdC1vbmx5IG5ldyBtYXN0ZXIga2V5LCAzMiBieXQ="
)
LOGITRACK_MASTER_KEY_FILE = ""

# --- Background jobs and cache (docs/adr/0012) ----------------------------------------------------
# The suite runs tasks at once with django-tasks' ImmediateBackend, so a test sees an e-mail in
# the outbox as soon as the request's transaction commits. logitrack/core/tests/test_jobs.py runs
# the shipped backends for real: the database backend (and its worker) on SQLite and PostgreSQL,
# and RQ on the Redis at REDIS_URL (default 127.0.0.1:6379, database 15).
from config.settings.base import INSTALLED_APPS, REDIS_URL  # noqa: E402

TEST_REDIS_URL = REDIS_URL or "redis://127.0.0.1:6379/15"
if "django_rq" not in INSTALLED_APPS:
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
RQ_QUEUES = {"default": {"URL": TEST_REDIS_URL, "DEFAULT_TIMEOUT": 60}}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# The database cache, as shipped; pytest-django's test databases get its table (createcachetable).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "logitrack_cache",
        "OPTIONS": {"MAX_ENTRIES": 1_000_000, "CULL_FREQUENCY": 10},
    },
}
