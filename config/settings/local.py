"""The embedded defaults used by ``make run``: SQLite and local files under LOGITRACK_DATA_DIR.

The secret key is generated into the data directory on first run, so no secret lives in the repo.
"""

from __future__ import annotations

from config.settings.base import *  # noqa: F403
from config.settings.base import DATA_DIR
from config.settings.env import env_str, read_or_create_secret

SECRET_KEY = env_str("SECRET_KEY") or read_or_create_secret(DATA_DIR / "secret_key")
