"""``logitrack backup``: create, list, verify, restore, prune, on the configured database
(SQLite, or PostgreSQL with DATABASE_URL), with real data and the real dump tools."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from logitrack.accounts.models import User
from logitrack.core.schedule import jobs
from logitrack.privacy.erasure.models import PersonErasure
from logitrack.privacy.erasure.services.children import underage_report_by_colleague
from logitrack.privacy.erasure.services.erasure import person_erase
from logitrack.privacy.erasure.tests.helpers import erasure_of, make_company
from logitrack.security.actors import Actor
from logitrack.security.backups import services
from logitrack.security.backups.services import (
    BackupDamaged,
    BackupKeyUnavailable,
    BackupMismatch,
)
from logitrack.security.models import AuditEntry
from logitrack.security.tasks import backup_daily_run

ACTOR = Actor.system("test_suite")
ONLY_OLD_KEY = "test-old:dGVzdC1vbmx5IG9sZCBtYXN0ZXIga2V5LCAzMiBieXQ="


@pytest.fixture(autouse=True)
def backup_dir(tmp_path: Path) -> Iterator[Path]:
    directory = tmp_path / "backups"
    with override_settings(LOGITRACK_BACKUP_DIR=str(directory)):
        yield directory


def _people() -> list[tuple[int, str, str]]:
    """Every account with its decrypted phone number (an encrypted field, ADR 0005)."""
    return sorted((u.pk, u.email, str(u.phone)) for u in User.objects.all())


def _with_people(companies: int = 1) -> None:
    """Each company: a tenant, two members, one with an encrypted phone and birth date."""
    for _ in range(companies):
        make_company()


def _manifest(directory: Path, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((directory / f"{name}.json").read_text())
    return data


def _actions() -> list[str]:
    return list(
        AuditEntry.objects.filter(object_type="backup")
        .order_by("sequence")
        .values_list("action", flat=True)
    )


@pytest.mark.django_db(transaction=True)
def test_create_list_verify_restore_round_trip(backup_dir: Path) -> None:
    _with_people()
    before = _people()
    users = User.objects.count()

    call_command("backup", "create")
    [info] = services.backup_list()
    files = sorted(p.name for p in _backup_files(backup_dir))
    assert files == [f"{info.name}.json", f"{info.name}.ltbk"]  # no plaintext left behind
    for name in files:
        assert stat.S_IMODE(os.stat(backup_dir / name).st_mode) == 0o600
    manifest = _manifest(backup_dir, info.name)
    assert manifest["vendor"] == info.vendor
    assert manifest["master_key_id"] == "test-new"
    assert manifest["tables"]["accounts_user"]["rows"] == 2
    assert manifest["tables"]["tenancy_tenant"]["rows"] == 1
    assert manifest["migrations"]["logistics"].startswith("00")
    assert info.verification == "never"
    assert b"accounts_user" not in (backup_dir / f"{info.name}.ltbk").read_bytes()

    call_command("backup", "verify", info.name)
    assert services.backup_list()[0].verification == "passed"

    User.objects.filter(pk=before[0][0]).update(full_name="changed")
    _with_people(2)
    assert _people() != before

    call_command("backup", "restore", info.name, "--yes")

    assert _people() == before
    assert User.objects.count() == users
    assert User.objects.filter(full_name="changed").count() == 0
    assert "+84912000111" in {phone for _pk, _email, phone in _people()}
    assert _actions()[-1] == "backup_restored"
    assert sorted(p.name for p in _backup_files(backup_dir)) == files


@pytest.mark.django_db(transaction=True)
def test_restore_re_applies_erasures_done_after_the_backup(backup_dir: Path) -> None:
    company = make_company()
    child = company.child.user
    underage_report_by_colleague(
        reporter=company.reporter.user, tenant_id=company.tenant.pk, subject=child
    )
    info = services.backup_create(actor=ACTOR)  # the person is suspended, not yet erased
    person_erase(erasure=erasure_of(child.pk))
    assert not User.objects.filter(pk=child.pk).exists()

    erased = services.backup_restore(actor=ACTOR, name=info.name)

    assert erased == 1
    assert not User.objects.filter(pk=child.pk).exists()
    assert not User.objects.filter(email=child.email).exists()
    assert PersonErasure.objects.get(user_id=child.pk).status == PersonErasure.Status.DONE
    assert User.objects.filter(pk=company.reporter.user.pk).exists()
    restored = AuditEntry.objects.filter(action="backup_restored").get()
    assert restored.details["erasures_reapplied"] == 1
    # A second restore of a backup taken after the erasure has nothing to re-apply.
    later = services.backup_create(actor=ACTOR)
    assert services.backup_restore(actor=ACTOR, name=later.name) == 0
    assert not User.objects.filter(pk=child.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_a_flipped_byte_or_a_truncated_file_fails_verification(backup_dir: Path) -> None:
    _with_people(1)
    info = services.backup_create(actor=ACTOR)
    sealed = backup_dir / f"{info.name}.ltbk"
    original = sealed.read_bytes()

    flipped = bytearray(original)
    flipped[len(flipped) // 2] ^= 0x40
    sealed.write_bytes(bytes(flipped))
    with pytest.raises(BackupDamaged, match="altered or truncated"):
        services.backup_verify(actor=ACTOR, name=info.name)
    sealed.write_bytes(original[:-100])
    with pytest.raises(BackupDamaged):
        services.backup_verify(actor=ACTOR, name=info.name)
    with pytest.raises(CommandError, match="altered or truncated"):
        call_command("backup", "verify", info.name)

    [listed] = services.backup_list()
    assert listed.verification == "failed"
    assert "backup_verify_failed" in _actions()


@pytest.mark.django_db(transaction=True)
def test_a_ciphertext_matching_its_hash_but_failing_its_tag_is_refused(backup_dir: Path) -> None:
    _with_people(1)
    info = services.backup_create(actor=ACTOR)
    sealed = backup_dir / f"{info.name}.ltbk"
    data = bytearray(sealed.read_bytes())
    data[-3] ^= 0x01
    sealed.write_bytes(bytes(data))
    manifest = _manifest(backup_dir, info.name)
    import hashlib

    manifest["ciphertext_sha256"] = hashlib.sha256(bytes(data)).hexdigest()
    manifest["seal"] = services._seal(manifest)
    (backup_dir / f"{info.name}.json").write_text(json.dumps(manifest))
    with pytest.raises(BackupDamaged, match="failed authentication"):
        services.backup_verify(actor=ACTOR, name=info.name)


@pytest.mark.django_db(transaction=True)
def test_verification_compares_row_counts_and_checksums_with_the_manifest(
    backup_dir: Path,
) -> None:
    _with_people(2)
    info = services.backup_create(actor=ACTOR)
    path = backup_dir / f"{info.name}.json"
    good = _manifest(backup_dir, info.name)

    edited = json.loads(json.dumps(good))
    edited["tables"]["tenancy_tenant"]["rows"] = 3
    path.write_text(json.dumps(edited))
    with pytest.raises(BackupDamaged, match="manifest was altered"):
        services.backup_verify(actor=ACTOR, name=info.name)

    # Re-sealed with the key (as if the dump itself had lost a row): the restore disagrees.
    edited["seal"] = services._seal(edited)
    path.write_text(json.dumps(edited))
    with pytest.raises(BackupMismatch, match="tenancy_tenant has 2 rows, the manifest says 3"):
        services.backup_verify(actor=ACTOR, name=info.name)

    edited = json.loads(json.dumps(good))
    edited["tables"]["accounts_user"]["checksum"] = "1"
    edited["seal"] = services._seal(edited)
    path.write_text(json.dumps(edited))
    with pytest.raises(BackupMismatch, match="accounts_user: checksum differs"):
        services.backup_verify(actor=ACTOR, name=info.name)


@pytest.mark.django_db(transaction=True)
def test_a_backup_under_a_master_key_missing_from_the_keyring_is_refused_clearly(
    backup_dir: Path,
) -> None:
    info = services.backup_create(actor=ACTOR)
    with override_settings(LOGITRACK_MASTER_KEY=ONLY_OLD_KEY):
        with pytest.raises(BackupKeyUnavailable, match=r"master key test-new .* not in the"):
            services.backup_verify(actor=ACTOR, name=info.name)
        with pytest.raises(CommandError, match="test-new"):
            call_command("backup", "restore", info.name, "--yes")


@pytest.mark.django_db
def test_a_create_without_a_usable_keyring_is_recorded_as_failed(backup_dir: Path) -> None:
    with (
        override_settings(LOGITRACK_MASTER_KEY="", LOGITRACK_MASTER_KEY_FILE=""),
        pytest.raises(CommandError, match="No master key"),
    ):
        call_command("backup", "create")
    [failed] = services.backup_list()
    assert failed.status == "failed"
    assert "No master key" in failed.message
    assert sorted(p.suffix for p in _backup_files(backup_dir)) == [".json"]
    assert _actions() == ["backup_create_failed"]


@pytest.mark.django_db
def test_restore_is_refused_without_yes() -> None:
    before = _people()
    with pytest.raises(CommandError, match="--yes"):
        call_command("backup", "restore", "logitrack-anything")
    assert _people() == before
    assert _actions() == []


def _backup_files(directory: Path) -> list[Path]:
    """The directory's files but its lock (``.lock``, kept between operations)."""
    return [p for p in directory.iterdir() if p.name != ".lock"]


def _name(created_at: datetime) -> str:
    return f"logitrack-{created_at:%Y%m%dT%H%M%S%fZ}"


def _fake(directory: Path, created_at: datetime, status: str = "ok") -> str:
    """A manifest (and a dump when ``ok``) made at ``created_at``; its name."""
    name = _name(created_at)
    directory.mkdir(exist_ok=True)
    manifest = {"name": name, "created_at": created_at.isoformat(), "status": status}
    (directory / f"{name}.json").write_text(json.dumps(manifest))
    if status == "ok":
        (directory / f"{name}.ltbk").write_bytes(b"x")
    return name


@pytest.mark.django_db
def test_prune_deletes_what_is_older_than_the_setting_and_never_the_newest(
    backup_dir: Path,
) -> None:
    now = datetime(2026, 6, 1, tzinfo=UTC)
    a = _fake(backup_dir, now - timedelta(days=40))
    b = _fake(backup_dir, now - timedelta(days=31))
    c = _fake(backup_dir, now - timedelta(days=29))
    d = _fake(backup_dir, now - timedelta(days=35), status="failed")

    assert sorted(services.backup_prune(actor=ACTOR, now=now)) == sorted([a, b, d])
    assert sorted(p.name for p in _backup_files(backup_dir)) == [f"{c}.json", f"{c}.ltbk"]

    # Alone and old, the newest good backup stays; a newer failed attempt does not replace it.
    e = _fake(backup_dir, now + timedelta(days=1), status="failed")
    assert services.backup_prune(actor=ACTOR, now=now + timedelta(days=100)) == [e]
    assert sorted(p.name for p in _backup_files(backup_dir)) == [f"{c}.json", f"{c}.ltbk"]
    assert _actions() == ["backup_pruned", "backup_pruned"]


def test_the_daily_backup_is_a_registered_periodic_job() -> None:
    [job] = [j for j in jobs() if j.name == "security.backup"]
    assert job.task is backup_daily_run
    assert job.daily_at is not None
    assert job.every is None


@pytest.mark.django_db(transaction=True)
def test_the_daily_job_creates_verifies_and_prunes(backup_dir: Path) -> None:
    _fake(backup_dir, datetime(2020, 1, 1, tzinfo=UTC))
    name = backup_daily_run.call()
    [info] = services.backup_list()
    assert info.name == name
    assert info.verification == "passed"
    assert _actions() == ["backup_created", "backup_verified", "backup_pruned"]
