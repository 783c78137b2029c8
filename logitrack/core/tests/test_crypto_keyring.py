"""The master keyring: read from the environment or a key file, several keys with ids, newest
wraps; production refuses to start without one, the embedded default generates its own."""

from __future__ import annotations

import base64
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from logitrack.accounts.models import User
from logitrack.core.crypto.errors import MasterKeyMissing
from logitrack.core.crypto.keyring import (
    derived_id,
    ensure_master_key_file,
    load_keyring,
    new_entry,
    parse_keyring,
)
from logitrack.core.crypto.models import DataKey
from logitrack.core.crypto.services import data_keys_rewrap
from logitrack.core.crypto.store import forget_cached_keys
from logitrack.security.actors import Actor

ROOT = Path(__file__).resolve().parents[3]
KEY_A = bytes(range(32))
KEY_B = bytes(range(100, 132))
OLD = "test-old:dGVzdC1vbmx5IG9sZCBtYXN0ZXIga2V5LCAzMiBieXQ="
NEW = "test-new:dGVzdC1vbmx5IG5ldyBtYXN0ZXIga2V5LCAzMiBieXQ="


def _b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


@pytest.fixture(autouse=True)
def _cold_key_cache() -> Iterator[None]:
    forget_cached_keys()
    yield
    forget_cached_keys()


def test_a_bare_base64_key_gets_an_id_derived_from_the_key() -> None:
    keyring = parse_keyring(_b64(KEY_A), source="test")

    assert keyring.ids == (derived_id(KEY_A),)
    assert keyring.current.secret == KEY_A
    assert derived_id(KEY_A).startswith("k")
    assert _b64(KEY_A)[:8] not in derived_id(KEY_A)


def test_entries_are_read_oldest_first_and_the_last_one_is_current() -> None:
    keyring = parse_keyring(f"2025:{_b64(KEY_A)}, 2026:{_b64(KEY_B)}", source="test")

    assert keyring.ids == ("2025", "2026")
    assert keyring.current.id == "2026"
    assert keyring.get("2025").secret == KEY_A


def test_urlsafe_base64_without_padding_is_accepted() -> None:
    encoded = base64.urlsafe_b64encode(KEY_B).decode().rstrip("=")

    assert parse_keyring(f"k1:{encoded}", source="test").current.secret == KEY_B


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (_b64(b"short"), "32 random bytes"),
        ("k1:not base64!", "not valid base64"),
        (f"k1:{_b64(KEY_A)},k1:{_b64(KEY_B)}", "appears twice"),
        (f"k1:{_b64(KEY_A)},k2:{_b64(KEY_A)}", "appears twice"),
        (f"bad id:{_b64(KEY_A)}", "must be 1 to 32 letters"),
        ("  # only a comment\n", "holds no master key"),
    ],
)
def test_a_malformed_keyring_is_refused(text: str, problem: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=problem):
        parse_keyring(text, source="test")


def test_the_key_file_is_read_one_entry_per_line_with_comments(tmp_path: Path) -> None:
    path = tmp_path / "master.keys"
    path.write_text(f"# retired soon\nold:{_b64(KEY_A)}\nnew:{_b64(KEY_B)}  # current\n")

    keyring = load_keyring("", path)

    assert keyring.ids == ("old", "new")


def test_setting_both_the_key_and_the_key_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImproperlyConfigured, match="not both"):
        load_keyring(_b64(KEY_A), tmp_path / "master.key")


def test_no_key_at_all_is_refused() -> None:
    with pytest.raises(ImproperlyConfigured, match="No master key"):
        load_keyring("", "")


def test_a_new_entry_is_accepted_by_the_keyring() -> None:
    entry = new_entry()

    keyring = parse_keyring(entry, source="test")

    assert entry.startswith(keyring.current.id + ":")
    assert len(keyring.current.secret) == 32


def test_the_generated_key_file_is_private_and_created_once(tmp_path: Path) -> None:
    path = tmp_path / "var" / "master.key"

    ensure_master_key_file(path)
    first = path.read_text()
    ensure_master_key_file(path)

    assert path.read_text() == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(load_keyring("", path).ids) == 1


@pytest.mark.django_db
def test_new_keys_are_wrapped_with_the_newest_master_key_and_unwrap_with_the_one_they_name() -> (
    None
):
    with override_settings(LOGITRACK_MASTER_KEY=OLD):
        user = User(email="lan@example.vn", full_name="Lan", phone="+84901234567")
        user.set_unusable_password()
        user.save()
    assert DataKey.objects.get(owner_kind="user").master_key_id == "test-old"

    with override_settings(LOGITRACK_MASTER_KEY=f"{OLD},{NEW}"):
        assert User.objects.get(pk=user.pk).phone == "+84901234567"
        rewrapped = data_keys_rewrap(actor=Actor.system("tests"))
    with override_settings(LOGITRACK_MASTER_KEY=NEW):
        assert User.objects.get(pk=user.pk).phone == "+84901234567"

    assert rewrapped == 2  # the person's key and the phone's blind index key
    assert set(DataKey.objects.values_list("master_key_id", flat=True)) == {"test-new"}


@pytest.mark.django_db
def test_a_key_wrapped_under_a_master_key_no_longer_configured_is_reported() -> None:
    with override_settings(LOGITRACK_MASTER_KEY=OLD):
        user = User(email="lan@example.vn", full_name="Lan", phone="+84901234567")
        user.set_unusable_password()
        user.save()

    with override_settings(LOGITRACK_MASTER_KEY=NEW), pytest.raises(MasterKeyMissing):
        _ = User.objects.get(pk=user.pk).phone


def _settings_process(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "LOGITRACK_"))}
    base.pop("SECRET_KEY", None)
    base.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        env={**base, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _production(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "SECRET_KEY": "s" * 20 + "-production-like-secret-key-" + "x7Qz" * 5,
        "ALLOWED_HOSTS": "logitrack.example.vn",
        "LOGITRACK_DATA_DIR": str(tmp_path),
        **extra,
    }


def test_production_settings_refuse_to_start_without_a_master_key(tmp_path: Path) -> None:
    result = _settings_process(_production(tmp_path))

    assert result.returncode != 0
    assert "No master key: set LOGITRACK_MASTER_KEY" in result.stderr
    assert "started" not in result.stdout
    assert not (tmp_path / "master.key").exists()


def test_production_settings_refuse_a_malformed_master_key(tmp_path: Path) -> None:
    result = _settings_process(_production(tmp_path, LOGITRACK_MASTER_KEY="c2hvcnQ="))

    assert result.returncode != 0
    assert "must be 32 random bytes" in result.stderr


def test_production_settings_start_with_a_master_key_file(tmp_path: Path) -> None:
    key_file = tmp_path / "keys" / "master.keys"
    key_file.parent.mkdir()
    key_file.write_text(new_entry() + "\n")

    result = _settings_process(_production(tmp_path, LOGITRACK_MASTER_KEY_FILE=str(key_file)))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "started"


def test_embedded_settings_generate_a_private_master_key_once(tmp_path: Path) -> None:
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.local", "LOGITRACK_DATA_DIR": str(tmp_path)}

    first = _settings_process(env)
    content = (tmp_path / "master.key").read_text()
    second = _settings_process(env)

    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert (tmp_path / "master.key").read_text() == content
    assert stat.S_IMODE((tmp_path / "master.key").stat().st_mode) == 0o600
