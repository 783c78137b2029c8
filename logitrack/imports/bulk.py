"""Inserting many new rows of one model at once (COPY or ``executemany``): the bulk import's writes.

Django's ``bulk_create`` compiles every value of every row into SQL text in Python (about 40
field compilations per order row, and SQLite's 999-parameter limit splits a batch of 1,000
orders into 37 statements), and building a model instance per row costs more than the insert
itself. :func:`insert_values` takes the rows as columns (``{attname: value}``, the dicts
``logistics.services.orders`` builds for ``order_create`` too) and stores what ``save()`` would
store: the field's default for a missing column, plain values as they are, datetimes and
decimals through the field's ``get_db_prep_save``, encrypted fields sealed by the field's own
code (``EncryptedField.seal_new_values``) with the blind index from the same canonical value.

:func:`columns_of` builds the stored columns without touching the database when given the
write keys (:func:`write_keys`), so the import builds a batch in another thread while the
previous one is written; :func:`insert_columns` writes them. On PostgreSQL the rows go in one
``COPY ... FROM STDIN (FORMAT BINARY)`` (no statement per row, the values dumped by psycopg's C
dumpers as the columns' types); on SQLite, one prepared ``executemany``.

Primary keys are given out before the insert, so children can point at their parents:
PostgreSQL draws them from the table's sequence (``nextval`` over ``generate_series``);
SQLite continues after the largest key of the table and of ``sqlite_sequence`` (the
AUTOINCREMENT high-water mark), which is safe because the caller's transaction holds SQLite's
write lock (``transaction_mode = IMMEDIATE``), so no other writer can insert in between.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models


def _reserve_ids(model: type[models.Model], count: int) -> list[int]:
    table = model._meta.db_table
    quoted = connection.ops.quote_name(table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [int(row[0]) for row in cursor.fetchall()]
        if connection.vendor != "sqlite":  # pragma: no cover - the two supported databases
            raise NotImplementedError(connection.vendor)
        if not connection.in_atomic_block:
            raise RuntimeError("reserving SQLite ids needs the transaction's write lock")
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {quoted}")  # noqa: S608
        highest = int(cursor.fetchone()[0])
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        if row is not None:
            highest = max(highest, int(row[0]))
    return list(range(highest + 1, highest + 1 + count))


# Fields whose stored value is the Python value itself (the drivers bind str, int and bool as
# they are), when the field does nothing in pre_save: the per-value Django conversion is skipped.
_PLAIN_TYPES = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.ForeignKey,
)


_DATETIME_PRE_SAVE = models.DateTimeField.pre_save


def _is_plain(field: Any) -> bool:
    if isinstance(field, models.ForeignKey):
        # The referenced key is an integer id, bound as it is.
        return type(field).pre_save is models.Field.pre_save and isinstance(
            field.target_field, models.AutoField | models.BigAutoField
        )
    return (
        type(field).pre_save is models.Field.pre_save
        and isinstance(field, _PLAIN_TYPES)
        and not getattr(field, "encrypted", False)
        and type(field).get_db_prep_save is models.Field.get_db_prep_save
        and type(field).get_db_prep_value
        in (models.Field.get_db_prep_value, models.IntegerField.get_db_prep_value)
        and type(field).get_prep_value
        in (
            models.Field.get_prep_value,
            models.CharField.get_prep_value,
            models.TextField.get_prep_value,
            models.IntegerField.get_prep_value,
            models.BooleanField.get_prep_value,
        )
    )


# The column types of each table in COPY's binary format, by table and column list, read once
# per process from the server (a query's description: the columns' type OIDs).
_COPY_TYPES: dict[tuple[str, str], list[int]] = {}


def _copy_types(conn: Any, table: str, columns: str) -> list[int]:
    key = (table, columns)
    if key not in _COPY_TYPES:
        with conn.cursor() as cursor:
            cursor.execute(f"SELECT {columns} FROM {conn.ops.quote_name(table)} LIMIT 0")  # noqa: S608
            _COPY_TYPES[key] = [int(column.type_code) for column in cursor.description]
    return _COPY_TYPES[key]


def _copy_rows(conn: Any, table: str, columns: str, rows: Sequence[Sequence[Any]]) -> None:
    """PostgreSQL: the rows in one ``COPY ... FROM STDIN (FORMAT BINARY)`` (PostgreSQL docs,
    "COPY", binary format), psycopg dumping each value in C as the column's type (read from the
    table: ``_copy_types``), so the server parses no text. Constraints are checked as for
    INSERT (a unique violation raises IntegrityError through Django's error wrapper)."""
    types = _copy_types(conn, table, columns)
    sql = f"COPY {conn.ops.quote_name(table)} ({columns}) FROM STDIN (FORMAT BINARY)"
    with conn.cursor() as cursor, conn.wrap_database_errors, cursor.cursor.copy(sql) as copy:
        copy.set_types(types)
        for row in rows:
            copy.write_row(row)


_MISSING = object()


def _raw_column(field: Any, rows: Sequence[dict[str, Any]], shared: Any) -> list[Any]:
    """The values of ``field`` in ``rows``, a missing attname taking the field's default (as the
    model's constructor does). ``shared``: the attnames when every row has the same ones (then
    a column is taken whole, or is the default throughout), else None (looked up row by row)."""
    attname = field.attname
    if shared is not None:
        if attname in shared:
            return list(map(itemgetter(attname), rows))
        return [field.get_default()] * len(rows)
    raw = [row.get(attname, _MISSING) for row in rows]
    if any(value is _MISSING for value in raw):
        default = field.get_default()
        raw = [default if value is _MISSING else value for value in raw]
    return raw


def _column_writer(
    field: Any, conn: Any, rows: Sequence[dict[str, Any]], shared: Any = None
) -> list[Any]:
    """The stored values of ``field`` for new ``rows`` (attname -> value, as the model's
    constructor takes them; a missing attname takes the field's default, as the constructor
    does), converted as ``save()`` would convert them."""
    raw = _raw_column(field, rows, shared)
    if _is_plain(field):
        return raw
    if isinstance(field, models.DateTimeField):
        if field.auto_now or field.auto_now_add or type(field).pre_save is not _DATETIME_PRE_SAVE:
            raise TypeError(f"{field} sets its own value on save")
        memo: dict[Any, Any] = {}
        out: list[Any] = []
        for value in raw:
            if value is None:
                out.append(None)
                continue
            if value not in memo:
                memo[value] = field.get_db_prep_save(value, connection=conn)
            out.append(memo[value])
        return out
    if type(field).pre_save is not models.Field.pre_save:
        raise TypeError(f"{field} computes its value on save")
    return [
        None if value is None else field.get_db_prep_save(value, connection=conn) for value in raw
    ]


def _sealed_column(
    field: Any,
    rows: Sequence[dict[str, Any]],
    keys: dict[Any, Any],
    shared: Any = None,
    *,
    lookup: bool = True,
) -> tuple[list[Any], list[str]]:
    """The stored values of encrypted ``field`` for new ``rows`` and their blind indexes, each
    row sealed under its key owner's write key (``keys``: looked up once per owner, or, when
    ``lookup`` is false, only taken from ``keys``: LookupError for an owner not in it)."""
    from logitrack.core.crypto.fields import _OWNER_FOREIGN_KEYS
    from logitrack.core.crypto.store import KeyOwner, write_key

    if field.owns_key:
        raise TypeError(f"{field}: rows owning their key need save()")
    owner_attname = _OWNER_FOREIGN_KEYS[field.key_owner]
    values = _raw_column(field, rows, shared)
    sealed: list[tuple[Any, str]] = [("", "")] * len(rows)
    by_owner: dict[str, list[int]] = {}
    for position, row in enumerate(rows):
        ident = row[owner_attname]
        if ident is None:
            raise ValueError(f"{field} row has no {field.key_owner} to seal with")
        by_owner.setdefault(str(ident), []).append(position)
    for ident, positions in by_owner.items():
        owner = KeyOwner(field.key_owner, ident)
        if owner not in keys:
            if not lookup:
                raise LookupError(f"{owner}: its write key was not looked up beforehand")
            keys[owner] = write_key(owner)
        done = field.seal_new_values([values[p] for p in positions], keys[owner])
        for position, pair in zip(positions, done, strict=True):
            sealed[position] = pair
    return [pair[0] for pair in sealed], [pair[1] for pair in sealed]


def write_keys(model: type[models.Model], tenant_id: int) -> dict[Any, Any]:
    """The write keys that sealing ``model``'s rows of tenant ``tenant_id`` needs (its encrypted
    fields owned by the tenant), looked up now, and the HMAC keys of their blind indexes
    loaded into the store's memory: for :func:`columns_of` in a thread that must not query
    the database. A field whose key another owner holds is refused (TypeError)."""
    from logitrack.core.crypto import store
    from logitrack.core.crypto.fields import EncryptedField

    keys: dict[Any, Any] = {}
    for field in model._meta.concrete_fields:
        if not isinstance(field, EncryptedField):
            continue
        if field.key_owner != "tenant":
            raise TypeError(f"{field}: sealed under a {field.key_owner}'s key, not the tenant's")
        owner = store.KeyOwner("tenant", str(tenant_id))
        if owner not in keys:
            keys[owner] = store.write_key(owner)
        if field.blind_index_field is not None:
            store.index_key(field.index_label())
    return keys


@dataclass
class Columns:
    """New rows of one model as the columns ``save()`` would store, every concrete column but
    the primary key (:func:`columns_of`), ready for :func:`insert_columns`."""

    model: type[models.Model]
    fields: list[Any]
    values: dict[str, list[Any]]  # attname -> one stored value per row
    count: int


def columns_of(
    model: type[models.Model],
    rows: Sequence[dict[str, Any]],
    keys: dict[Any, Any] | None = None,
) -> Columns:
    """The stored columns of new ``rows`` of ``model`` given as ``{attname: value}``: a missing
    attname takes the field's default, plain fields are taken as they are, datetimes and
    decimals go through the field's ``get_db_prep_save``, encrypted fields are sealed under
    their key owner's write key (``EncryptedField.seal_new_values``) and their blind index
    filled from the same canonical value.

    ``keys``: None looks each owner's key up (a query, once per owner and call); a dict (from
    :func:`write_keys`) is used as it is and nothing is queried: an owner missing from it is a
    LookupError. A field that computes its own value on save (``auto_now``, another
    ``pre_save``), a row that owns its key, an unknown attname or a blind index whose source is
    not written here is refused with TypeError (a caller's mistake) rather than guessed.
    """
    from logitrack.core.crypto.fields import BlindIndexField, EncryptedField

    conn = connections[DEFAULT_DB_ALIAS]
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.generated]
    if not rows:
        return Columns(model, fields, {}, 0)
    # Rows built by one builder share their attnames: a row with as many as all rows together
    # has them all, and then each column is taken whole.
    every = set().union(*rows)
    width = len(every)
    shared = every if all(len(row) == width for row in rows) else None
    unknown = every - {f.attname for f in fields}
    if unknown:
        raise TypeError(f"{meta.label} has no column {sorted(unknown)}")
    lookup = keys is None
    known: dict[Any, Any] = {} if keys is None else keys
    values: dict[str, list[Any]] = {}
    indexes: dict[str, list[str]] = {}
    for field in fields:
        if not field.primary_key and isinstance(field, EncryptedField):
            stored, index = _sealed_column(field, rows, known, shared, lookup=lookup)
            values[field.attname] = stored
            indexes[field.name] = index
    for field in fields:
        if field.primary_key or field.attname in values:
            continue
        if isinstance(field, BlindIndexField):
            if field.source not in indexes:
                raise TypeError(f"{field}: its source is not written here")
            values[field.attname] = indexes[field.source]
        else:
            values[field.attname] = _column_writer(field, conn, rows, shared)
    return Columns(model, fields, values, len(rows))


def insert_columns(columns: Columns, late: dict[str, list[Any]] | None = None) -> list[int]:
    """INSERT the rows of ``columns`` (COPY on PostgreSQL, one ``executemany`` on SQLite);
    their primary keys, reserved before the insert (see the module docstring). ``late``:
    columns known only now (a parent's new key, a drawn number), one plain value per row,
    taking the place of the built ones. Raises the database's IntegrityError on a constraint
    violation. No signals are sent."""
    if not columns.count:
        return []
    conn = connections[DEFAULT_DB_ALIAS]
    meta = columns.model._meta
    by_name = dict(columns.values)
    for attname, column in (late or {}).items():
        if attname not in by_name or len(column) != columns.count:
            raise ValueError(f"{meta.label}.{attname}: not a built column of {columns.count} rows")
        by_name[attname] = column
    ids = _reserve_ids(columns.model, columns.count)
    fields = columns.fields
    by_name.update({f.attname: ids for f in fields if f.primary_key})
    values_rows = list(zip(*(by_name[f.attname] for f in fields), strict=True))
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    if conn.vendor == "postgresql":
        _copy_rows(conn, meta.db_table, names, values_rows)
        return ids
    placeholders = ", ".join(["%s"] * len(fields))
    sql = (
        f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({names}) VALUES ({placeholders})"  # noqa: S608
    )
    with conn.cursor() as cursor:
        cursor.executemany(sql, values_rows)
    return ids


def insert_values(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> list[int]:
    """INSERT new rows of ``model`` given as ``{attname: value}`` without model instances: the
    columns of :func:`columns_of` (keys looked up as needed) written by
    :func:`insert_columns`; their primary keys. The stored values are the ones ``save()``
    stores; TypeError for what it cannot store as ``save()`` would (see :func:`columns_of`),
    the database's IntegrityError on a constraint violation. No signals are sent.
    """
    return insert_columns(columns_of(model, rows))
