"""Dumping, restoring and checksumming the database, per vendor (docs/adr/0055).

SQLite: Python's online backup API (``sqlite3.Connection.backup``) copies the live database
page by page under a read lock, so the copy is one consistent state even while the server
writes (WAL mode); the copy is a database file, restored the same way in reverse.

PostgreSQL: ``pg_dump --format=custom`` streamed through the encryption (no plaintext on disk),
taken in a REPEATABLE READ snapshot that the checksums read too (``pg_export_snapshot`` and
``pg_dump --snapshot``), so the manifest describes exactly the dumped state; ``pg_restore``
restores. Credentials travel in PG* environment variables, never on a command line.

Checksums: per table, the row count and the sum of a 60-bit hash of each row (order-free, so a
restore that returns rows in another order still matches): SHA-256 of the row's ``repr`` on
SQLite, MD5 of the row's text form on PostgreSQL (computed in the server, under fixed output
settings). They detect lost, added or changed rows between a backup and its restore, not an
adversary; the ciphertext is authenticated separately.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import os
import shutil
import sqlite3
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.db import connections

TableSums = dict[str, dict[str, int | str]]
_HASH_BITS = 60
_MASK = (1 << _HASH_BITS) - 1


class EngineError(Exception):
    """A dump or restore tool failed; the message names the step, never a credential."""


def vendor(alias: str = "default") -> str:
    return str(connections[alias].vendor)


# --- SQLite -----------------------------------------------------------------------------------


def _raw_sqlite(alias: str) -> sqlite3.Connection:
    connection = connections[alias]
    connection.ensure_connection()
    raw = connection.connection
    assert isinstance(raw, sqlite3.Connection)
    return raw


def sqlite_dump(path: Path, alias: str = "default") -> None:
    """Copy the live database into the new file ``path`` with the online backup API.

    Refused inside a transaction: a connection holding the write lock would wait on itself.
    """
    raw = _raw_sqlite(alias)
    if raw.in_transaction:
        raise EngineError("backup refused inside a transaction")
    target = sqlite3.connect(path)
    try:
        raw.backup(target)
    finally:
        target.close()


def sqlite_restore(path: Path, alias: str = "default") -> None:
    """Replace the live database's content with the database file ``path``."""
    raw = _raw_sqlite(alias)
    if raw.in_transaction:
        raise EngineError("restore refused inside a transaction")
    source = sqlite3.connect(path)
    try:
        source.backup(raw)
    finally:
        source.close()
    connections[alias].close()  # a no-op for the suite's in-memory database


def sqlite_integrity(path: Path) -> str:
    """``PRAGMA integrity_check`` of the database file ``path``: "ok" when sound."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        db.close()


def _row_hash(row: tuple[Any, ...]) -> int:
    return int.from_bytes(hashlib.sha256(repr(row).encode()).digest()[:8], "big") & _MASK


def sqlite_checksums(path: Path) -> TableSums:
    """Row count and checksum of every table of the database file ``path``."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = [
            name
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
            )
        ]
        sums: TableSums = {}
        for name in names:
            quoted = '"' + name.replace('"', '""') + '"'
            rows = 0
            total = 0
            for row in db.execute(f"SELECT * FROM {quoted}"):  # noqa: S608 (names from the schema)
                rows += 1
                total += _row_hash(row)
            sums[name] = {"rows": rows, "checksum": str(total)}
        return sums
    finally:
        db.close()


def sqlite_migrations(path: Path) -> dict[str, str]:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return _latest(db.execute("SELECT app, name FROM django_migrations").fetchall())
    finally:
        db.close()


def _latest(rows: list[tuple[str, str]]) -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in rows:
        if name > latest.get(app, ""):
            latest[app] = name
    return dict(sorted(latest.items()))


# --- PostgreSQL -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PgTarget:
    """Where a PostgreSQL tool connects: the configured server, one database on it."""

    dbname: str
    host: str
    port: str
    user: str
    password: str
    sslmode: str

    @classmethod
    def configured(cls, alias: str = "default") -> PgTarget:
        db = connections[alias].settings_dict
        options = db.get("OPTIONS") or {}
        return cls(
            dbname=str(db["NAME"]),
            host=str(db.get("HOST") or ""),
            port=str(db.get("PORT") or ""),
            user=str(db.get("USER") or ""),
            password=str(db.get("PASSWORD") or ""),
            sslmode=str(options.get("sslmode") or ""),
        )

    def other(self, dbname: str) -> PgTarget:
        return PgTarget(dbname, self.host, self.port, self.user, self.password, self.sslmode)

    def env(self) -> dict[str, str]:
        """The environment for a libpq tool: PG* variables, the password among them."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        pairs = {
            "PGDATABASE": self.dbname,
            "PGHOST": self.host,
            "PGPORT": self.port,
            "PGUSER": self.user,
            "PGPASSWORD": self.password,
            "PGSSLMODE": self.sslmode,
            "PGCONNECT_TIMEOUT": "10",
            "PGAPPNAME": "logitrack-backup",
        }
        env.update({k: v for k, v in pairs.items() if v})
        return env

    def connect(self, *, autocommit: bool = False) -> Any:
        import psycopg
        import psycopg.conninfo

        params = {
            "dbname": self.dbname,
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "password": self.password,
            "sslmode": self.sslmode,
            "connect_timeout": "10",
        }
        # A conninfo string built by libpq's own quoting rules (psycopg.conninfo).
        conninfo = psycopg.conninfo.make_conninfo(**{k: v for k, v in params.items() if v})
        return psycopg.connect(conninfo, autocommit=autocommit)


def pg_tool(name: str) -> str:
    """The path of ``pg_dump`` or ``pg_restore``: LOGITRACK_PG_BIN_DIR, else the newest
    /usr/lib/postgresql/*/bin, else PATH."""
    configured = getattr(settings, "LOGITRACK_PG_BIN_DIR", "")
    candidates = [os.path.join(configured, name)] if configured else []
    versions = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: int(p.split("/")[-2]) if p.split("/")[-2].isdigit() else 0,
        reverse=True,
    )
    candidates += [os.path.join(v, name) for v in versions]
    for path in candidates:
        if os.access(path, os.X_OK):
            return path
    found = shutil.which(name)
    if found is None:
        raise EngineError(
            f"{name} not found: install the PostgreSQL client or set LOGITRACK_PG_BIN_DIR"
        )
    return found


_PG_SESSION = (
    "SET TIME ZONE 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; "
    "SET extra_float_digits = 3; SET bytea_output = 'hex'"
)


def pg_checksums(cursor: Any) -> TableSums:
    """Row count and checksum of every table of the current schema, read through ``cursor``."""
    cursor.execute(_PG_SESSION)
    cursor.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relkind = 'r' ORDER BY c.relname"
    )
    names = [row[0] for row in cursor.fetchall()]
    sums: TableSums = {}
    from psycopg import sql

    query = sql.SQL(
        "SELECT count(*), coalesce(sum(('x' || left(md5(t::text), 15))::bit(60)::bigint), 0)"
        "::text FROM {} AS t"
    )
    for name in names:
        cursor.execute(query.format(sql.Identifier(name)))
        rows, total = cursor.fetchone()
        sums[name] = {"rows": int(rows), "checksum": str(total)}
    return sums


def pg_migrations(cursor: Any) -> dict[str, str]:
    cursor.execute("SELECT app, name FROM django_migrations")
    return _latest([(str(a), str(n)) for a, n in cursor.fetchall()])


@contextmanager
def pg_snapshot(target: PgTarget) -> Iterator[tuple[str, Any]]:
    """A REPEATABLE READ, read-only transaction and its exported snapshot id; held open until
    the block ends, so that ``pg_dump --snapshot`` and the checksums see the same state."""
    conn = target.connect()
    try:
        with conn.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = str(cursor.fetchone()[0])
            yield snapshot, cursor
        conn.rollback()
    finally:
        conn.close()


def pg_dump_into(target: PgTarget, snapshot: str, sink: Any) -> None:
    """Run pg_dump (custom format) in ``snapshot`` and hand its output to ``sink(stream)``."""
    args = [pg_tool("pg_dump"), "--format=custom", "--no-password", f"--snapshot={snapshot}"]
    with subprocess.Popen(  # noqa: S603 (an argument list, no shell)
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=target.env()
    ) as process:
        assert process.stdout is not None
        assert process.stderr is not None
        try:
            sink(process.stdout)
        except BaseException:
            process.kill()
            raise
        errors = process.stderr.read()
        if process.wait() != 0:
            raise EngineError(f"pg_dump failed: {_first_line(errors)}")


def pg_restore_from(target: PgTarget, chunks: Iterator[bytes], *, replace: bool) -> None:
    """Restore a custom-format dump into ``target`` in ONE transaction: ``pg_restore`` turns the
    dump into SQL, which ``psql --single-transaction`` runs after, when ``replace``, dropping and
    re-creating the current schema. A failure anywhere (the tools, or an error in ``chunks``,
    which kills them) rolls everything back: the database stays as it was."""
    converter = [pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--file=-"]
    runner = [
        pg_tool("psql"),
        "--no-password",
        "--quiet",
        "--no-psqlrc",
        "--single-transaction",
        "--set=ON_ERROR_STOP=1",
        "--file=-",
    ]
    env = target.env()
    with (
        subprocess.Popen(  # noqa: S603 (an argument list, no shell)
            runner,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
        ) as psql,
        subprocess.Popen(  # noqa: S603
            converter,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        ) as restore,
    ):
        assert psql.stdin is not None
        assert psql.stderr is not None
        assert restore.stdin is not None
        assert restore.stdout is not None
        assert restore.stderr is not None
        if replace:
            psql.stdin.write(
                b"SET client_min_messages = warning;\n"
                b"DO $$ DECLARE s text := current_schema(); BEGIN "
                b"EXECUTE format('DROP SCHEMA %I CASCADE', s); "
                b"EXECUTE format('CREATE SCHEMA %I', s); END $$;\n"
            )
        pump = threading.Thread(target=_pump, args=(restore.stdout, psql.stdin), daemon=True)
        pump.start()
        try:
            for chunk in chunks:
                restore.stdin.write(chunk)
            restore.stdin.close()
        except BrokenPipeError:
            pass
        except BaseException:
            restore.kill()
            psql.kill()
            raise
        pump.join()
        restore_errors = restore.stderr.read()
        psql_errors = psql.stderr.read()
        if restore.wait() != 0:
            psql.kill()
            raise EngineError(f"pg_restore failed: {_first_line(restore_errors)}")
        if psql.wait() != 0:
            raise EngineError(f"restore failed: {_first_line(psql_errors)}")


def _pump(source: BinaryIO, target: BinaryIO) -> None:
    try:
        shutil.copyfileobj(source, target, 1024 * 1024)
    except BrokenPipeError:
        pass
    finally:
        with contextlib.suppress(BrokenPipeError):
            target.close()


@contextmanager
def pg_scratch_database(target: PgTarget, name: str) -> Iterator[PgTarget]:
    """A new empty database ``name`` on the configured server, dropped when the block ends."""
    quoted = '"' + name.replace('"', '""') + '"'
    admin = target.connect(autocommit=True)
    try:
        admin.execute(f"CREATE DATABASE {quoted}")
        try:
            yield target.other(name)
        finally:
            admin.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
    finally:
        admin.close()


def _first_line(errors: bytes) -> str:
    lines = errors.decode("utf-8", "replace").strip().splitlines()
    wanted = [line for line in lines if "error" in line.lower()] or lines
    return wanted[0][:300] if wanted else "no message"


def copy_stream(source: BinaryIO, target: BinaryIO) -> None:
    shutil.copyfileobj(source, target, 1024 * 1024)
