"""The demo: two tenants with one user per account level, credentials in a private file."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from logitrack.accounts.models import User
from logitrack.core.tenant import tenant_context
from logitrack.tenancy.models import Membership, Tenant
from logitrack.tenancy.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    with override_settings(DATA_DIR=tmp_path):
        yield tmp_path


def test_demo_creates_two_tenants_with_every_account_level(data_dir: Path) -> None:
    call_command("demo", "--first-run")

    demo = json.loads((data_dir / "demo.json").read_text())
    assert len(demo["tenants"]) == 2
    for entry in demo["tenants"]:
        assert sorted(user["role"] for user in entry["users"]) == sorted(r.value for r in Role)
        tenant = Tenant.objects.get(slug=entry["slug"])
        assert tenant.name == entry["name"]
        with tenant_context(tenant):
            roles = sorted(Membership.objects.values_list("role", flat=True))
        assert roles == sorted(r.value for r in Role)


def test_demo_credentials_file_is_private_and_the_passwords_work(data_dir: Path) -> None:
    call_command("demo")

    path = data_dir / "demo.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    entry = json.loads(path.read_text())["tenants"][0]["users"][2]
    user = User.objects.get(email=entry["email"])
    assert user.check_password(entry["password"])
    assert user.is_active


def test_demo_passwords_are_random_and_distinct(data_dir: Path) -> None:
    call_command("demo")

    demo = json.loads((data_dir / "demo.json").read_text())
    passwords = [user["password"] for tenant in demo["tenants"] for user in tenant["users"]]
    assert len(passwords) == 14
    assert len(set(passwords)) == 14
    assert all(len(password) >= 16 for password in passwords)
    source = Path(__file__).resolve().parents[2].joinpath("tenancy", "demo.py").read_text()
    assert not any(password in source for password in passwords)


def test_first_run_does_nothing_when_the_demo_is_already_loaded(data_dir: Path) -> None:
    call_command("demo", "--first-run")
    users_before = User.objects.count()

    call_command("demo", "--first-run")

    assert User.objects.count() == users_before


@override_settings(LOGITRACK_DEMO_ALLOWED=False)
def test_demo_refuses_to_run_with_the_production_settings(data_dir: Path) -> None:
    with pytest.raises(CommandError, match="production"):
        call_command("demo")

    assert Tenant.objects.count() == 0
    assert not (data_dir / "demo.json").exists()


def test_demo_owner_date_of_birth_is_kept_encrypted(data_dir: Path) -> None:
    from datetime import date

    from django.db import connection

    call_command("demo")

    owner_email = json.loads((data_dir / "demo.json").read_text())["tenants"][0]["users"][0]
    owner = User.objects.get(email=owner_email["email"])
    assert owner.date_of_birth == date(1985, 5, 17)
    with connection.cursor() as cursor:
        cursor.execute("SELECT date_of_birth FROM accounts_user WHERE id = %s", [owner.pk])
        stored = cursor.fetchone()[0]
    assert "1985" not in stored
    assert stored.startswith("v1:")


def test_every_demo_account_has_a_verified_email_address(data_dir: Path) -> None:
    call_command("demo")

    demo = json.loads((data_dir / "demo.json").read_text())
    emails = [user["email"] for tenant in demo["tenants"] for user in tenant["users"]]
    unverified = list(
        User.objects.filter(email__in=emails, email_verified_at__isnull=True).values_list(
            "email", flat=True
        )
    )
    assert len(emails) == 14
    assert User.objects.filter(email__in=emails).count() == 14
    assert unverified == []


def test_the_demo_leaves_no_spent_invitation_in_the_file_outbox(
    data_dir: Path, django_capture_on_commit_callbacks: Any
) -> None:
    outbox = data_dir / "mail"
    with (
        override_settings(
            EMAIL_BACKEND="logitrack.core.mail.PrivateFileEmailBackend", EMAIL_FILE_PATH=outbox
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("demo", "--first-run")

    texts = [path.read_text(errors="replace") for path in outbox.glob("*") if path.is_file()]
    assert not [text for text in texts if "/invitations/" in text]


def test_demo_lists_two_privacy_officers_who_can_sign_in(data_dir: Path) -> None:
    call_command("demo")

    staff = json.loads((data_dir / "demo.json").read_text())["staff"]
    assert [entry["role"] for entry in staff] == ["privacy_officer", "privacy_officer"]
    for entry in staff:
        user = User.objects.get(email=entry["email"])
        assert user.platform_role == "privacy_officer"
        assert user.check_password(entry["password"])
