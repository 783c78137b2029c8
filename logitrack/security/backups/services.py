"""Create, list, verify, restore and prune encrypted backups (docs/adr/0055).

A backup is two files in ``LOGITRACK_BACKUP_DIR`` (default ``DATA_DIR/backups``), both mode 0600:
``<name>.ltbk``, the encrypted dump (``format``), and ``<name>.json``, its manifest: when, which
vendor, the migration state and version, per-table row counts and checksums taken in the dumped
snapshot, the master key id and salt, the ciphertext's SHA-256, and a seal (HMAC-SHA256 under a
key derived from the same master key) over all of these. Only the ``verification`` entry changes
later. A create that fails leaves a manifest with ``"status": "failed"`` and no dump, so that
``list`` shows it. No plaintext dump outlives the operation: SQLite's copy and every decrypted
file are temporary files in the backup directory, removed in ``finally``; PostgreSQL's dump is
streamed through the encryption. Every operation holds an exclusive lock on the directory
(``flock`` of ``.lock``, released by the kernel even when the process is killed), so a
temporary file found by the next holder belongs to a process that died: it is deleted then.

A backup's name is ``logitrack-<UTC time, %Y%m%dT%H%M%S%fZ>`` (``NAME``); a manifest is used
only under the name it was asked by and that it holds, so manifests cannot be swapped and a
name is never a path.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import Any, BinaryIO, ParamSpec, TypeVar

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from logitrack.core.crypto.keyring import master_keyring
from logitrack.security.actors import Actor
from logitrack.security.backups import engines
from logitrack.security.backups.format import (
    BackupFormatError,
    BackupKeyMissing,
    decrypt_chunks,
    encrypt_stream,
    manifest_key,
)
from logitrack.security.services import audit_record

logger = logging.getLogger("logitrack.security.backups")
SUFFIX = ".ltbk"
MANIFEST_VERSION = 1
NAME = re.compile(r"logitrack-\d{8}T\d{12}Z")
_P = ParamSpec("_P")
_R = TypeVar("_R")
_SEALED_FIELDS = (
    "manifest_version",
    "name",
    "created_at",
    "vendor",
    "app_version",
    "migrations",
    "tables",
    "master_key_id",
    "salt",
    "size",
    "ciphertext_sha256",
)


class BackupError(Exception):
    """A backup operation refused or failed; ``code`` is stable, the message translated and
    free of personal data and secrets."""

    code = "backup_failed"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BackupNotFound(BackupError):
    code = "backup_not_found"


class BackupDamaged(BackupError):
    code = "backup_damaged"


class BackupKeyUnavailable(BackupError):
    code = "backup_key_unavailable"


class BackupMismatch(BackupError):
    code = "backup_mismatch"


class BackupVendorMismatch(BackupError):
    code = "backup_vendor_mismatch"


def backup_dir() -> Path:
    """The backup directory, created mode 0700 on first use."""
    path = Path(
        getattr(settings, "LOGITRACK_BACKUP_DIR", "") or Path(settings.DATA_DIR) / "backups"
    )
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _exclusively(operation: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run ``operation`` holding the backup directory's lock; first delete the temporary files
    a killed operation left (a plaintext SQLite copy among them): no one else holds the lock."""

    @functools.wraps(operation)
    def locked(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        directory = backup_dir()
        fd = os.open(directory / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            for stale in directory.glob(".tmp-*"):
                with contextlib.suppress(FileNotFoundError):
                    stale.unlink()
                logger.warning("stale backup temporary file deleted", extra={"file": stale.name})
            return operation(*args, **kwargs)
        finally:
            os.close(fd)  # releases the lock

    return locked


def _app_version() -> str:
    try:
        return metadata.version("logitrack")
    except metadata.PackageNotFoundError:
        return "unknown"


@contextlib.contextmanager
def _temporary(directory: Path, suffix: str) -> Iterator[Path]:
    """A new file (mode 0600) in ``directory``, removed when the block ends, whatever happens."""
    fd, name = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=suffix)
    os.close(fd)
    path = Path(name)
    try:
        yield path
    finally:
        for extra in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{path}{extra}")


class _HashingWriter:
    """Writes through to ``target`` while counting bytes and computing their SHA-256."""

    def __init__(self, target: BinaryIO) -> None:
        self.target = target
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.sha256.update(data)
        self.size += len(data)
        return self.target.write(data)


def _write_private(path: Path, data: bytes) -> None:
    """Write ``path`` atomically (a temporary file renamed over it), mode 0600."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)
        raise


def _canonical(manifest: dict[str, Any]) -> bytes:
    sealed = {k: manifest[k] for k in _SEALED_FIELDS}
    return json.dumps(sealed, sort_keys=True, separators=(",", ":")).encode()


def _seal(manifest: dict[str, Any]) -> str:
    key = manifest_key(master_keyring(), manifest["master_key_id"], bytes.fromhex(manifest["salt"]))
    return hmac.new(key, _canonical(manifest), hashlib.sha256).hexdigest()


def _save_manifest(manifest: dict[str, Any]) -> None:
    if not NAME.fullmatch(str(manifest.get("name", ""))):
        raise BackupError(_("The backup's manifest is damaged."))
    path = backup_dir() / f"{manifest['name']}.json"
    _write_private(path, json.dumps(manifest, indent=2, sort_keys=True).encode() + b"\n")


@dataclass(frozen=True)
class BackupInfo:
    """One line of ``backup list``."""

    name: str
    created_at: datetime
    status: str  # "ok" or "failed" (the create failed)
    vendor: str
    size: int
    verification: str  # "never", "passed" or "failed"
    verified_at: datetime | None
    message: str


def _info(manifest: dict[str, Any]) -> BackupInfo:
    check = manifest.get("verification") or {}
    return BackupInfo(
        name=str(manifest["name"]),
        created_at=datetime.fromisoformat(manifest["created_at"]),
        status=str(manifest.get("status", "ok")),
        vendor=str(manifest.get("vendor", "")),
        size=int(manifest.get("size", 0)),
        verification=str(check.get("state", "never")),
        verified_at=datetime.fromisoformat(check["at"]) if check.get("at") else None,
        message=str(manifest.get("error") or check.get("message") or ""),
    )


def _manifests() -> list[dict[str, Any]]:
    """The manifests of the backup directory, oldest first; a file that is not one (another
    name, unreadable, not a manifest of its own name) is skipped with a warning."""
    found = []
    for path in backup_dir().glob("*.json"):
        if not NAME.fullmatch(path.stem):
            continue
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
            datetime.fromisoformat(manifest["created_at"])
            if manifest["name"] != path.stem:
                raise ValueError("the manifest names another backup")
        except (OSError, ValueError, KeyError, TypeError):
            logger.warning("backup manifest unreadable", extra={"file": path.name})
            continue
        found.append(manifest)
    return sorted(found, key=lambda m: (m["created_at"], m["name"]))


def backup_list() -> list[BackupInfo]:
    """Every backup and failed attempt in the backup directory, oldest first."""
    return [_info(m) for m in _manifests()]


def _load(name: str) -> dict[str, Any]:
    stem = name.removesuffix(SUFFIX)
    missing = BackupNotFound(_("No backup named %(name)s.") % {"name": name})
    if not NAME.fullmatch(stem):
        raise missing
    try:
        manifest: dict[str, Any] = json.loads(
            (backup_dir() / f"{stem}.json").read_text(encoding="utf-8")
        )
    except (OSError, ValueError) as exc:
        raise missing from exc
    if not isinstance(manifest, dict) or manifest.get("status", "ok") != "ok":
        raise missing
    if manifest.get("name") != stem:
        raise BackupError(_("The backup's manifest is damaged."))
    return manifest


def _audit(action: str, *, actor: Actor, name: str, details: dict[str, object]) -> None:
    with transaction.atomic():
        audit_record(
            action=action, actor=actor, object_type="backup", object_id=name, details=details
        )


@_exclusively
def backup_create(*, actor: Actor, now: datetime | None = None) -> BackupInfo:
    """Dump the configured database, encrypt it under the current master key, write its
    manifest; return it. A failure writes a failed manifest (no dump) and raises BackupError."""
    moment = now or timezone.now()
    name = f"logitrack-{moment.astimezone(UTC):%Y%m%dT%H%M%S%fZ}"
    directory = backup_dir()
    vendor = engines.vendor()
    target = directory / f"{name}{SUFFIX}"
    try:
        keyring = master_keyring()
        with _temporary(directory, SUFFIX) as sealed_path:
            with open(sealed_path, "wb") as handle:
                writer = _HashingWriter(handle)
                if vendor == "sqlite":
                    with _temporary(directory, ".sqlite3") as plain:
                        engines.sqlite_dump(plain)
                        tables = engines.sqlite_checksums(plain)
                        migrations = engines.sqlite_migrations(plain)
                        with open(plain, "rb") as source:
                            key_id, salt = encrypt_stream(source, writer, keyring)
                elif vendor == "postgresql":
                    pg = engines.PgTarget.configured()
                    with engines.pg_snapshot(pg) as (snapshot, cursor):
                        result: list[tuple[str, bytes]] = []
                        engines.pg_dump_into(
                            pg,
                            snapshot,
                            lambda out: result.append(encrypt_stream(out, writer, keyring)),
                        )
                        key_id, salt = result[0]
                        tables = engines.pg_checksums(cursor)
                        migrations = engines.pg_migrations(cursor)
                else:
                    raise engines.EngineError(f"unsupported database vendor {vendor}")
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(sealed_path, 0o600)
            os.replace(sealed_path, target)
        manifest: dict[str, Any] = {
            "manifest_version": MANIFEST_VERSION,
            "name": name,
            "status": "ok",
            "created_at": moment.isoformat(),
            "vendor": vendor,
            "app_version": _app_version(),
            "migrations": migrations,
            "tables": tables,
            "master_key_id": key_id,
            "salt": salt.hex(),
            "size": writer.size,
            "ciphertext_sha256": writer.sha256.hexdigest(),
            "verification": {"state": "never"},
        }
        manifest["seal"] = _seal(manifest)
        _save_manifest(manifest)
    except Exception as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(target)
        _record_failure(name, moment, vendor, exc)
        _audit("backup_create_failed", actor=actor, name=name, details={"vendor": vendor})
        if isinstance(exc, BackupError):
            raise
        raise BackupError(_("The backup failed: %(error)s") % {"error": _describe(exc)}) from exc
    _audit(
        "backup_created",
        actor=actor,
        name=name,
        details={"vendor": vendor, "size_bytes": writer.size, "tables": len(tables)},
    )
    logger.info("backup created", extra={"backup": name, "size": writer.size})
    return _info(manifest)


def _describe(exc: Exception) -> str:
    """A message for logs and manifests: the error's type and its first line, which for the
    tools and the database driver name a step, never a credential or a row's content."""
    if isinstance(exc, BackupError):
        return exc.message
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:200]}" if text else type(exc).__name__


def _record_failure(name: str, moment: datetime, vendor: str, exc: Exception) -> None:
    logger.error("backup not created", extra={"backup": name, "error": type(exc).__name__})
    with contextlib.suppress(OSError):
        _write_private(
            backup_dir() / f"{name}.json",
            json.dumps(
                {
                    "manifest_version": MANIFEST_VERSION,
                    "name": name,
                    "status": "failed",
                    "created_at": moment.isoformat(),
                    "vendor": vendor,
                    "error": _describe(exc),
                },
                indent=2,
            ).encode(),
        )


def _authenticate(manifest: dict[str, Any]) -> Path:
    """Check the manifest's seal and the ciphertext's hash; return the dump's path."""
    try:
        seal = _seal(manifest)
    except BackupKeyMissing as exc:
        raise BackupKeyUnavailable(
            _(
                "The master key %(key)s that this backup was encrypted under is not in the "
                "configured keyring; add that entry to LOGITRACK_MASTER_KEY or its key file."
            )
            % {"key": exc.key_id}
        ) from exc
    except (KeyError, ValueError) as exc:
        raise BackupDamaged(_("The backup's manifest is damaged.")) from exc
    if not hmac.compare_digest(seal, str(manifest.get("seal", ""))):
        raise BackupDamaged(_("The backup's manifest was altered or does not belong to it."))
    path = backup_dir() / f"{manifest['name']}{SUFFIX}"
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            while block := handle.read(1024 * 1024):
                digest.update(block)
    except OSError as exc:
        raise BackupNotFound(
            _("The backup file %(name)s is missing.") % {"name": path.name}
        ) from exc
    if digest.hexdigest() != manifest["ciphertext_sha256"]:
        raise BackupDamaged(
            _("The backup file was altered or truncated: its SHA-256 differs from the manifest.")
        )
    return path


def _decrypted(path: Path) -> Iterator[bytes]:
    """The dump's plaintext, chunk by chunk; damage raises BackupDamaged."""
    try:
        with open(path, "rb") as handle:
            yield from decrypt_chunks(handle, master_keyring())
    except BackupKeyMissing as exc:
        raise BackupKeyUnavailable(
            _("The master key %(key)s is not in the configured keyring.") % {"key": exc.key_id}
        ) from exc
    except BackupFormatError as exc:
        raise BackupDamaged(
            _("The backup file failed authentication (%(reason)s).") % {"reason": str(exc)}
        ) from exc


def _decrypt_to(path: Path, target: Path) -> None:
    with open(target, "wb") as out:
        for chunk in _decrypted(path):
            out.write(chunk)


def _compare(expected: dict[str, Any], found: engines.TableSums) -> list[str]:
    problems = []
    for table in sorted(set(expected) | set(found)):
        if table not in found:
            problems.append(_("table %(table)s is missing") % {"table": table})
        elif table not in expected:
            problems.append(_("table %(table)s is not in the manifest") % {"table": table})
        elif found[table]["rows"] != expected[table]["rows"]:
            problems.append(
                _("table %(table)s has %(found)s rows, the manifest says %(expected)s")
                % {
                    "table": table,
                    "found": found[table]["rows"],
                    "expected": expected[table]["rows"],
                }
            )
        elif found[table]["checksum"] != expected[table]["checksum"]:
            problems.append(_("table %(table)s: checksum differs") % {"table": table})
    return problems


def _restored_sums(manifest: dict[str, Any], path: Path) -> engines.TableSums:
    """Restore the dump into a scratch database and return its checksums."""
    directory = backup_dir()
    if manifest["vendor"] == "sqlite":
        with _temporary(directory, ".sqlite3") as scratch:
            _decrypt_to(path, scratch)
            integrity = engines.sqlite_integrity(scratch)
            if integrity != "ok":
                raise BackupMismatch(
                    _("The restored database is damaged: %(detail)s") % {"detail": integrity}
                )
            return engines.sqlite_checksums(scratch)
    if manifest["vendor"] == "postgresql":
        pg = engines.PgTarget.configured()
        scratch_name = f"lt_verify_{secrets.token_hex(6)}"
        with engines.pg_scratch_database(pg, scratch_name) as scratch:
            engines.pg_restore_from(scratch, _decrypted(path), replace=False)
            conn = scratch.connect()
            try:
                with conn.cursor() as cursor:
                    return engines.pg_checksums(cursor)
            finally:
                conn.close()
    raise BackupVendorMismatch(_("Unknown database vendor in the manifest."))


@_exclusively
def backup_verify(*, actor: Actor, name: str) -> BackupInfo:
    """Authenticate a backup, restore it into a scratch database and compare each table's row
    count and checksum with the manifest; record the outcome in the manifest and the audit
    chain. Raises BackupError (damaged, key missing, mismatch) after recording a failure."""
    manifest = _load(name)
    try:
        path = _authenticate(manifest)
        if manifest["vendor"] != engines.vendor() and manifest["vendor"] == "postgresql":
            raise BackupVendorMismatch(
                _("A PostgreSQL backup is verified with DATABASE_URL naming a PostgreSQL server.")
            )
        problems = _compare(manifest["tables"], _restored_sums(manifest, path))
        if problems:
            raise BackupMismatch(
                _("The restored backup differs from its manifest: %(problems)s")
                % {"problems": "; ".join(problems)}
            )
    except Exception as exc:
        manifest["verification"] = {
            "state": "failed",
            "at": timezone.now().isoformat(),
            "message": _describe(exc),
        }
        _save_manifest(manifest)
        code = exc.code if isinstance(exc, BackupError) else "backup_failed"
        logger.error("backup verification failed", extra={"backup": manifest["name"], "code": code})
        _audit("backup_verify_failed", actor=actor, name=manifest["name"], details={"code": code})
        if isinstance(exc, BackupError):
            raise
        raise BackupError(_describe(exc)) from exc
    manifest["verification"] = {"state": "passed", "at": timezone.now().isoformat()}
    _save_manifest(manifest)
    _audit(
        "backup_verified",
        actor=actor,
        name=manifest["name"],
        details={"tables": len(manifest["tables"])},
    )
    return _info(manifest)


@_exclusively
def backup_restore(*, actor: Actor, name: str) -> int:
    """Replace the configured database's content with the backup, then re-apply the erasure
    ledger read from the live database before the restore; return how many people were erased
    again. The backup is authenticated whole before the database is touched."""
    from logitrack.privacy.erasure.services.ledger import (
        erasure_ledger_read,
        erasure_ledger_reapply,
    )

    manifest = _load(name)
    path = _authenticate(manifest)
    if manifest["vendor"] != engines.vendor():
        raise BackupVendorMismatch(
            _("This backup is of a %(backup)s database; the configured database is %(live)s.")
            % {"backup": manifest["vendor"], "live": engines.vendor()}
        )
    for _chunk in _decrypted(path):  # authenticate every chunk before touching the database
        pass
    ledger = erasure_ledger_read()
    if manifest["vendor"] == "sqlite":
        with _temporary(backup_dir(), ".sqlite3") as plain:
            _decrypt_to(path, plain)
            engines.sqlite_restore(plain)
    else:
        from django.db import connections

        connections["default"].close()
        engines.pg_restore_from(engines.PgTarget.configured(), _decrypted(path), replace=True)
    from logitrack.core.crypto.store import forget_cached_keys

    forget_cached_keys()
    erased = erasure_ledger_reapply(ledger, actor=actor)
    _audit(
        "backup_restored",
        actor=actor,
        name=manifest["name"],
        details={"vendor": manifest["vendor"], "erasures_reapplied": erased},
    )
    logger.info("backup restored", extra={"backup": manifest["name"], "reapplied": erased})
    return erased


def _verification(manifest: dict[str, Any]) -> str:
    entry = manifest.get("verification")
    return str(entry.get("state", "never")) if isinstance(entry, dict) else "never"


@_exclusively
def backup_prune(*, actor: Actor, now: datetime | None = None) -> list[str]:
    """Delete backups (and failed attempts) older than LOGITRACK_BACKUP_KEEP_DAYS, never the
    newest backup that passed verification nor the newest that did not fail it; return the
    names deleted."""
    moment = now or timezone.now()
    keep = timedelta(days=int(getattr(settings, "LOGITRACK_BACKUP_KEEP_DAYS", 30)))
    manifests = _manifests()
    good = [m for m in manifests if m.get("status", "ok") == "ok"]
    passed = [m for m in good if _verification(m) == "passed"]
    usable = [m for m in good if _verification(m) != "failed"]
    # Kept whatever their age: the newest backup that passed verification, and the newest that
    # did not fail it (when verification has not run yet).
    kept = {m["name"] for m in (passed[-1:] + usable[-1:])}
    deleted = []
    directory = backup_dir()
    for manifest in manifests:
        if manifest["name"] in kept:
            continue
        if datetime.fromisoformat(manifest["created_at"]) >= moment - keep:
            continue
        for suffix in (SUFFIX, ".json"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(directory / f"{manifest['name']}{suffix}")
        deleted.append(str(manifest["name"]))
    _audit(
        "backup_pruned",
        actor=actor,
        name="",
        details={"deleted": len(deleted), "keep_days": keep.days},
    )
    return deleted
