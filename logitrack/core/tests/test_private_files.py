"""Nothing live at rest is readable by another user: data directory 0700, secrets and data 0600."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from email.message import EmailMessage as MimeMessage
from pathlib import Path
from typing import Any

import pytest
from django.core.mail import EmailMessage
from django.test import override_settings

from config.settings.env import BASE_DIR
from logitrack.accounts.models import User
from logitrack.core.crypto.services import KeyDestructionRefused, user_keys_destroy
from logitrack.core.mail import PrivateFileEmailBackend, outbox_purge_recipient
from logitrack.security.actors import Actor

# Runs in a fresh interpreter with the embedded defaults, as ``make run`` does: settings, a
# database connection with a write (WAL files), one e-mail, the demo file and the local TLS files.
_FIRST_RUN = """
import django
django.setup()
from pathlib import Path
from django.conf import settings
from django.core.mail import send_mail
from django.db import connection
from logitrack.core.demo import DemoFile, demo_path
from logitrack.core.tls import ensure_local_tls
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE IF NOT EXISTS probe (x INTEGER)")
    cursor.execute("INSERT INTO probe VALUES (1)")
send_mail("Xin chào", "body", "no-reply@logitrack.local", ["lan@example.vn"])
DemoFile(path=demo_path()).write()
ensure_local_tls(Path(settings.TLS_DIR))
"""
_SCRUBBED = {
    "DATABASE_URL",
    "SECRET_KEY",
    "LOGITRACK_MASTER_KEY",
    "LOGITRACK_MASTER_KEY_FILE",
    "EMAIL_BACKEND",
}


def _first_run(data_dir: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key not in _SCRUBBED}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.local", LOGITRACK_DATA_DIR=str(data_dir))
    subprocess.run(
        [sys.executable, "-c", _FIRST_RUN], cwd=BASE_DIR, env=env, check=True, timeout=120
    )


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _modes(data_dir: Path) -> dict[str, int]:
    return {str(path.relative_to(data_dir)): _mode(path) for path in sorted(data_dir.rglob("*"))}


def test_a_first_run_creates_only_private_files(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"

    _first_run(data_dir)

    modes = _modes(data_dir)
    mails = [name for name in modes if name.startswith("mail/") and name.endswith(".eml")]
    assert _mode(data_dir) == 0o700
    assert len(mails) == 1
    for name in ("secret_key", "master.key", "logitrack.sqlite3", "demo.json", mails[0]):
        assert modes[name] == 0o600, name
    for name in ("tls/ca-key.pem", "tls/server-key.pem"):
        assert modes[name] == 0o600, name
    assert modes["mail"] == 0o700
    assert modes["tls"] == 0o700
    # Whatever else exists (WAL files, certificates) is no wider than 0600 / 0700 either.
    assert {name: mode for name, mode in modes.items() if mode & 0o077} == {}


def test_files_of_an_older_install_are_narrowed_on_the_next_run(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    _first_run(data_dir)
    for name in ("secret_key", "master.key", "logitrack.sqlite3"):
        os.chmod(data_dir / name, 0o644)
    os.chmod(data_dir, 0o755)  # noqa: S103 - an older install, on purpose

    _first_run(data_dir)

    assert _mode(data_dir) == 0o700
    assert [
        _mode(data_dir / name) for name in ("secret_key", "master.key", "logitrack.sqlite3")
    ] == [
        0o600,
        0o600,
        0o600,
    ]


def _send(directory: Path, to: list[str], bcc: list[str] | None = None) -> None:
    message = EmailMessage("Chào bạn", "nội dung", "no-reply@logitrack.local", to, bcc=bcc)
    assert PrivateFileEmailBackend(file_path=directory).send_messages([message]) == 1


def test_each_message_is_its_own_0600_file_in_a_0700_directory(tmp_path: Path) -> None:
    outbox = tmp_path / "mail"

    _send(outbox, ["lan@example.vn"])
    _send(outbox, ["binh@example.vn"])

    files = sorted(outbox.iterdir())
    assert _mode(outbox) == 0o700
    assert [(_mode(path), path.suffix) for path in files] == [(0o600, ".eml"), (0o600, ".eml")]


def test_purging_a_recipient_deletes_their_messages_only(tmp_path: Path) -> None:
    outbox = tmp_path / "mail"
    _send(outbox, ["Lan@Example.vn"])
    _send(outbox, ["binh@example.vn"], bcc=["lan@example.vn"])
    _send(outbox, ["binh@example.vn"])

    deleted = outbox_purge_recipient("lan@example.vn", directory=outbox)

    remaining = [path.read_bytes() for path in outbox.iterdir()]
    assert deleted == 2
    assert len(remaining) == 1
    assert b"lan@example.vn" not in remaining[0].lower()


def test_purging_rewrites_files_of_djangos_own_file_backend(tmp_path: Path) -> None:
    outbox = tmp_path / "mail"
    outbox.mkdir()
    parts = []
    for to in ("lan@example.vn", "binh@example.vn"):
        mime = MimeMessage()
        mime["To"] = to
        mime.set_content("xin chào")
        parts.append(mime.as_bytes() + b"\n" + b"-" * 79 + b"\n")
    (outbox / "20261129-101010-1.log").write_bytes(b"".join(parts))

    deleted = outbox_purge_recipient("lan@example.vn", directory=outbox)

    assert deleted == 1
    assert (outbox / "20261129-101010-1.log").read_bytes() == parts[1]


def test_purging_without_an_outbox_deletes_nothing(tmp_path: Path) -> None:
    assert outbox_purge_recipient("lan@example.vn", directory=tmp_path / "absent") == 0


@pytest.mark.django_db
def test_destroying_a_persons_key_empties_the_outbox_of_their_messages(
    tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    outbox = tmp_path / "mail"
    lan = User.objects.create_user(email="lan@example.vn", password="x" * 12, full_name="Lan")
    _send(outbox, ["lan@example.vn"])
    _send(outbox, ["binh@example.vn"])
    lan.is_active = False
    lan.save(update_fields=["is_active"])

    with (
        override_settings(EMAIL_FILE_PATH=outbox),
        django_capture_on_commit_callbacks(execute=True),
    ):
        user_keys_destroy(actor=Actor.system("test"), user_id=lan.pk)

    remaining = [path.read_bytes() for path in outbox.iterdir()]
    assert len(remaining) == 1
    assert b"binh@example.vn" in remaining[0]


@pytest.mark.django_db
def test_a_refused_key_destruction_keeps_the_outbox(tmp_path: Path) -> None:
    outbox = tmp_path / "mail"
    lan = User.objects.create_user(email="lan@example.vn", password="x" * 12, full_name="Lan")
    _send(outbox, ["lan@example.vn"])

    with override_settings(EMAIL_FILE_PATH=outbox), pytest.raises(KeyDestructionRefused):
        user_keys_destroy(actor=Actor.system("test"), user_id=lan.pk)

    assert len(list(outbox.iterdir())) == 1
