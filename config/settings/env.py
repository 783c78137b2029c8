"""Reading Logitrack's settings from the environment.

Every setting that differs between a laptop and a production host comes from an environment
variable; these helpers give each one a typed value and a clear error when it is malformed.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {raw!r}") from exc


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, got {raw!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def data_dir() -> Path:
    """The directory holding the embedded database, TLS material, keys and uploads."""
    raw = os.environ.get("LOGITRACK_DATA_DIR", "")
    path = Path(raw) if raw else BASE_DIR / "var"
    return path.resolve()


PRIVATE_UMASK = 0o077


def private_files() -> None:
    """Files and directories this process creates are its user's alone (0600 / 0700).

    Covers what Logitrack does not open itself: the SQLite database and its -wal/-shm files,
    uploads, collected static files. Child processes (granian's workers) inherit the mask.
    """
    os.umask(PRIVATE_UMASK)


def ensure_private_data_dir(path: Path) -> Path:
    """Create the data directory if needed and make it (not its parents) mode 0700."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def read_or_create_secret(path: Path, nbytes: int = 48) -> str:
    """Return the secret stored at ``path``, creating it (mode 0600) on first use.

    An existing file readable by others (an install older than this rule) is narrowed to 0600.
    """
    if path.exists():
        if path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)
        value = path.read_text(encoding="ascii").strip()
        if value:
            return value
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    value = secrets.token_urlsafe(nbytes)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(value + "\n")
    return value
