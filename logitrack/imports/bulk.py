"""Inserting many new rows of one model at once (COPY or ``executemany``): the bulk import's writes.

Django's ``bulk_create`` compiles every value of every row into SQL text in Python (about 40
field compilations per order row, and SQLite's 999-parameter limit splits a batch of 1,000
orders into 37 statements), and building a model instance per row costs more than the insert
itself. :func:`insert_values` takes the rows as columns (``{attname: value}``, the dicts
``logistics.services.orders`` builds for ``order_create`` too) and stores what ``save()`` would
store: the field's default for a missing column, plain values as they are, datetimes and
decimals through the field's ``get_db_prep_save``, encrypted fields sealed by the field's own
code (``EncryptedField.seal_new_values``) with the blind index from the same canonical value.

On PostgreSQL the rows go in one ``COPY ... FROM STDIN`` (no statement per row, the values
adapted by psycopg's C dumpers); on SQLite, one prepared ``executemany``.

Primary keys are given out before the insert, so children can point at their parents:
PostgreSQL draws them from the table's sequence (``nextval`` over ``generate_series``);
SQLite continues after the largest key of the table and of ``sqlite_sequence`` (the
AUTOINCREMENT high-water mark), which is safe because the caller's transaction holds SQLite's
write lock (``transaction_mode = IMMEDIATE``), so no other writer can insert in between.
"""

from __future__ import annotations

from collections.abc import Sequence
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


def _copy_rows(conn: Any, table: str, columns: str, rows: Sequence[Sequence[Any]]) -> None:
    """PostgreSQL: the rows in one ``COPY ... FROM STDIN`` (PostgreSQL docs, "COPY"), psycopg
    adapting each value as it would for a parameter. Constraints are checked as for INSERT
    (a unique violation raises IntegrityError through Django's error wrapper)."""
    sql = f"COPY {conn.ops.quote_name(table)} ({columns}) FROM STDIN"
    with conn.cursor() as cursor, conn.wrap_database_errors, cursor.cursor.copy(sql) as copy:
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
    field: Any, rows: Sequence[dict[str, Any]], keys: dict[Any, Any], shared: Any = None
) -> tuple[list[Any], list[str]]:
    """The stored values of encrypted ``field`` for new ``rows`` and their blind indexes, each
    row sealed under its key owner's write key (``keys``: looked up once per owner)."""
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
            keys[owner] = write_key(owner)
        done = field.seal_new_values([values[p] for p in positions], keys[owner])
        for position, pair in zip(positions, done, strict=True):
            sealed[position] = pair
    return [pair[0] for pair in sealed], [pair[1] for pair in sealed]


def insert_values(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> list[int]:
    """INSERT new rows of ``model`` given as ``{attname: value}`` without model instances
    (COPY on PostgreSQL, one ``executemany`` on SQLite); returns their primary keys, reserved
    before the insert (see the module docstring).

    The stored values are the ones ``save()`` stores: a missing attname takes the field's
    default, plain fields are bound as they are, datetimes and decimals go through the field's
    ``get_db_prep_save``, encrypted fields are sealed under their key owner's write key (looked
    up once per owner for the whole call, ``EncryptedField.seal_new_values``) and their blind
    index filled from the same canonical value. A field that computes its own value on save
    (``auto_now``, another ``pre_save``), a row that owns its key, or a blind index whose source
    is not written here is refused with TypeError (a caller's mistake) rather than guessed.
    Raises the database's IntegrityError on a constraint violation. No signals are sent.
    """
    from logitrack.core.crypto.fields import BlindIndexField, EncryptedField

    if not rows:
        return []
    conn = connections[DEFAULT_DB_ALIAS]
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.generated]
    # Rows built by one builder share their attnames: a row with as many as all rows together
    # has them all, and then each column is taken whole.
    every = set().union(*rows)
    width = len(every)
    shared = every if all(len(row) == width for row in rows) else None
    unknown = every - {f.attname for f in fields}
    if unknown:
        raise TypeError(f"{meta.label} has no column {sorted(unknown)}")
    ids = _reserve_ids(model, len(rows))
    columns_by_name: dict[str, list[Any]] = {}
    indexes: dict[str, list[str]] = {}
    keys: dict[Any, Any] = {}
    for field in fields:
        if field.primary_key:
            columns_by_name[field.attname] = ids
        elif isinstance(field, EncryptedField):
            stored, index = _sealed_column(field, rows, keys, shared)
            columns_by_name[field.attname] = stored
            indexes[field.name] = index
    for field in fields:
        if field.attname in columns_by_name:
            continue
        if isinstance(field, BlindIndexField):
            if field.source not in indexes:
                raise TypeError(f"{field}: its source is not written here")
            columns_by_name[field.attname] = indexes[field.source]
        else:
            columns_by_name[field.attname] = _column_writer(field, conn, rows, shared)
    values_rows = list(zip(*(columns_by_name[f.attname] for f in fields), strict=True))
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    if conn.vendor == "postgresql":
        _copy_rows(conn, meta.db_table, columns, values_rows)
        return ids
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608, E501
    with conn.cursor() as cursor:
        cursor.executemany(sql, values_rows)
    return ids
