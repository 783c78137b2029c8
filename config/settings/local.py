"""The embedded defaults used by ``make run``: SQLite and local files under LOGITRACK_DATA_DIR.

The secret key is generated into the data directory on first run, so no secret lives in the repo.
"""

from __future__ import annotations

from config.settings.base import *  # noqa: F403
from config.settings.base import (
    ALLOWED_HOSTS,
    DATA_DIR,
    LOGITRACK_BIND,
    LOGITRACK_HTTPS_PORT,
)
from config.settings.env import (
    ensure_private_data_dir,
    env_str,
    private_files,
    read_or_create_secret,
)

# Nothing live at rest is readable by another user of the machine (ADR 0013).
private_files()
ensure_private_data_dir(DATA_DIR)
SECRET_KEY = env_str("SECRET_KEY") or read_or_create_secret(DATA_DIR / "secret_key")


def local_public_url(bind: str, allowed_hosts: list[str], port: int) -> str:
    """Where links in e-mails point when LOGITRACK_PUBLIC_URL is not set: the address that
    ``make run`` prints (``https://127.0.0.1:8443``) on loopback, else the first name in
    ALLOWED_HOSTS that other machines can reach, so that a link opens the same origin (and the
    same session cookie) as the address the person was given."""
    loopback = {"127.0.0.1", "localhost", "[::1]", "::1"}
    if bind not in loopback:
        for host in allowed_hosts:
            if host not in loopback and host != "*" and not host.startswith("."):
                return f"https://{host}:{port}"
    return f"https://127.0.0.1:{port}"


LOGITRACK_PUBLIC_URL = env_str("LOGITRACK_PUBLIC_URL") or local_public_url(
    LOGITRACK_BIND, ALLOWED_HOSTS, LOGITRACK_HTTPS_PORT
)

# Field encryption (docs/adr/0005-field-encryption.md): with no master key configured, the
# embedded default generates one (mode 0600) beside its database on first run.
from config.settings.base import LOGITRACK_MASTER_KEY, LOGITRACK_MASTER_KEY_FILE  # noqa: E402
from logitrack.core.crypto.keyring import ensure_master_key_file  # noqa: E402

if not LOGITRACK_MASTER_KEY and not LOGITRACK_MASTER_KEY_FILE:
    LOGITRACK_MASTER_KEY_FILE = str(ensure_master_key_file(DATA_DIR / "master.key"))
