"""Settings come from the environment; production refuses to start insecure."""

from __future__ import annotations

import base64
import os
import secrets
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _django(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "LOGITRACK_"))}
    base.pop("SECRET_KEY", None)
    base.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "django", *args],
        env={**base, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_refuse_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = _django(
        ["check"],
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.prod",
            "ALLOWED_HOSTS": "logitrack.example.vn",
            "LOGITRACK_DATA_DIR": str(tmp_path),
        },
    )

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_refuse_to_start_without_a_master_key(tmp_path: Path) -> None:
    result = _django(
        ["check"],
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.prod",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "logitrack.example.vn",
            "LOGITRACK_DATA_DIR": str(tmp_path),
        },
    )

    assert result.returncode != 0
    assert "LOGITRACK_MASTER_KEY" in result.stderr


def test_production_settings_pass_check_deploy_with_the_documented_environment(
    tmp_path: Path,
) -> None:
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "logitrack.example.vn",
        "LOGITRACK_DATA_DIR": str(tmp_path / "data"),
        "LOGITRACK_MASTER_KEY": "prod-1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
    }

    result = _django(["check", "--deploy", "--fail-level", "WARNING"], env)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_embedded_settings_generate_a_private_secret_key_once(tmp_path: Path) -> None:
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.local", "LOGITRACK_DATA_DIR": str(tmp_path)}

    first = _django(
        ["shell", "-c", "from django.conf import settings; print(settings.SECRET_KEY)"], env
    )
    second = _django(
        ["shell", "-c", "from django.conf import settings; print(settings.SECRET_KEY)"], env
    )

    key_file = tmp_path / "secret_key"
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    assert len(first.stdout.strip()) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_logitrack_console_script_runs_the_system_checks(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "logitrack"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "LOGITRACK_"))}
    env["LOGITRACK_DATA_DIR"] = str(tmp_path)
    env.pop("DATABASE_URL", None)

    result = subprocess.run(
        [str(script), "check"], env=env, capture_output=True, text=True, timeout=120, check=False
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_embedded_links_point_where_make_run_says_it_listens(tmp_path: Path) -> None:
    code = "from django.conf import settings; print(settings.LOGITRACK_PUBLIC_URL)"
    base = {"DJANGO_SETTINGS_MODULE": "config.settings.local", "LOGITRACK_DATA_DIR": str(tmp_path)}

    loopback = _django(["shell", "-c", code], base)
    lan = _django(
        ["shell", "-c", code],
        {**base, "LOGITRACK_BIND": "0.0.0.0", "ALLOWED_HOSTS": "127.0.0.1,logitrack.lan"},  # noqa: S104
    )
    chosen = _django(["shell", "-c", code], {**base, "LOGITRACK_PUBLIC_URL": "https://lt.vn"})

    assert loopback.stdout.strip().splitlines()[-1] == "https://127.0.0.1:8443"
    assert lan.stdout.strip().splitlines()[-1] == "https://logitrack.lan:8443"
    assert chosen.stdout.strip().splitlines()[-1] == "https://lt.vn"


def test_files_written_through_the_storage_api_are_private(tmp_path: Path) -> None:
    from django.core.files.base import ContentFile
    from django.core.files.storage import FileSystemStorage

    storage = FileSystemStorage(location=tmp_path / "media")
    name = storage.save("waybills/a.txt", ContentFile(b"x"))

    assert stat.S_IMODE((tmp_path / "media" / name).stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "media" / "waybills").stat().st_mode) == 0o700


def test_a_postgresql_connect_gives_up_after_five_seconds_unless_the_url_says_otherwise(
    tmp_path: Path,
) -> None:
    show = "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'])"
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.local", "LOGITRACK_DATA_DIR": str(tmp_path)}
    url = "postgres://postgres@127.0.0.1:5432/test"

    default = _django(["shell", "-c", show], {**env, "DATABASE_URL": url})
    chosen = _django(["shell", "-c", show], {**env, "DATABASE_URL": url + "?connect_timeout=2"})

    assert default.stdout.strip().endswith("{'connect_timeout': 5}"), default.stderr
    assert "'connect_timeout': '2'" in chosen.stdout or "'connect_timeout': 2" in chosen.stdout
