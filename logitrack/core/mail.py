"""The development mail outbox: one private file per message under EMAIL_FILE_PATH.

``PrivateFileEmailBackend`` replaces Django's file backend for ``make run``: the directory is
created mode 0700 and each message is written to its own ``<time>-<random>.eml`` file, mode 0600,
so that only Logitrack's own user can read the messages (they hold sign-in links and personal
data), and so that one person's messages can be deleted without touching anyone else's.

``outbox_purge_recipient`` deletes every message addressed to a person; the erasure of a person
(``core.crypto.services.user_keys_destroy``) calls it, so the outbox holds no message of an erased
person. Files left by Django's own file backend (``*.log``, several messages each, separated by a
line of 79 dashes) are rewritten without that person's messages.
"""

from __future__ import annotations

import email
import email.policy
import logging
import os
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from email.utils import getaddresses
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage

logger = logging.getLogger("logitrack.mail")

DIRECTORY_MODE = 0o700
FILE_MODE = 0o600
ENVELOPE_HEADER = "X-Logitrack-Envelope-To"
_LEGACY_SEPARATOR = b"\n" + b"-" * 79 + b"\n"


def ensure_private_directory(path: Path) -> Path:
    """Create ``path`` (and parents) if needed and make it mode 0700; return it."""
    path.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)
    os.chmod(path, DIRECTORY_MODE)
    return path


def write_private_file(path: Path, data: bytes) -> None:
    """Write ``data`` to a new file at ``path`` created with mode 0600 (never wider)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def outbox_directory() -> Path:
    return Path(settings.EMAIL_FILE_PATH)


class PrivateFileEmailBackend(BaseEmailBackend):
    """Write each message to its own 0600 file in the 0700 directory EMAIL_FILE_PATH."""

    def __init__(self, *args: Any, file_path: str | os.PathLike[str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.directory = Path(file_path) if file_path is not None else outbox_directory()

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        if not email_messages:
            return 0
        ensure_private_directory(self.directory)
        sent = 0
        for message in email_messages:
            mime = message.message()
            # Bcc is not a header of the message itself; the envelope keeps every recipient so
            # that a purge finds the message whichever field named the person.
            mime[ENVELOPE_HEADER] = ", ".join(message.recipients())
            stamp = datetime.now(tz=UTC).strftime("%Y%m%d-%H%M%S")
            name = f"{stamp}-{secrets.token_hex(8)}.eml"
            write_private_file(self.directory / name, mime.as_bytes())
            sent += 1
        return sent


def _addresses_of(raw: bytes) -> set[str]:
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    values = [
        str(value)
        for header in ("To", "Cc", "Bcc", ENVELOPE_HEADER)
        for value in message.get_all(header, [])
    ]
    return {address.casefold() for _name, address in getaddresses(values) if address}


def outbox_purge_recipient(address: str, *, directory: Path | None = None) -> int:
    """Delete every outbox message addressed to ``address``; return how many were deleted.

    Addresses compare case-folded. A missing outbox directory deletes nothing.
    """
    folder = directory if directory is not None else outbox_directory()
    wanted = address.strip().casefold()
    if not wanted or not folder.is_dir():
        return 0
    deleted = 0
    for path in sorted(folder.iterdir()):
        if not path.is_file():
            continue
        raw = path.read_bytes()
        if path.suffix == ".log":
            parts = [part for part in raw.split(_LEGACY_SEPARATOR) if part.strip()]
            kept = [part for part in parts if wanted not in _addresses_of(part)]
            if len(kept) == len(parts):
                continue
            deleted += len(parts) - len(kept)
            if kept:
                path.write_bytes(b"".join(part + _LEGACY_SEPARATOR for part in kept))
                os.chmod(path, FILE_MODE)
            else:
                path.unlink()
        elif wanted in _addresses_of(raw):
            path.unlink()
            deleted += 1
    if deleted:
        logger.info("outbox purged", extra={"messages": deleted})
    return deleted
