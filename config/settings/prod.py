"""Production settings: everything from the environment, refusing to start without a secret key.

docs/operations.md lists the environment this profile expects.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *  # noqa: F403
from config.settings.base import DATA_DIR
from config.settings.env import ensure_private_data_dir, env_list, env_str, private_files

DEBUG = False
LOGITRACK_DEMO_ALLOWED = False
# Nothing live at rest is readable by another user of the machine (ADR 0013).
private_files()
ensure_private_data_dir(DATA_DIR)

SECRET_KEY = env_str("SECRET_KEY")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters in production."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name the host names Logitrack is served on.")

CSRF_TRUSTED_ORIGINS = [f"https://{host}" for host in ALLOWED_HOSTS if not host.startswith(".")]
SECURE_HSTS_PRELOAD = True
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")

# Field encryption (docs/adr/0005-field-encryption.md): refuse to start without a master keyring
# held outside the database; a malformed one is refused too.
from config.settings.base import (  # noqa: E402
    LOGITRACK_MASTER_KEY,
    LOGITRACK_MASTER_KEY_FILE,
)
from logitrack.core.crypto.keyring import load_keyring  # noqa: E402

load_keyring(LOGITRACK_MASTER_KEY, LOGITRACK_MASTER_KEY_FILE)
