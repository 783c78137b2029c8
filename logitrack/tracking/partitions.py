"""Daily partitions of ``tracking_position`` on PostgreSQL (docs/adr/0026).

The table is ``PARTITION BY RANGE (fix_time)`` with one partition per UTC day, named
``tracking_position_pYYYYMMDD``, and a default partition that catches fixes outside every
created day (a tracker whose clock restarted in 2000, or a day not yet created). The job
``logitrack tracking_partitions`` (and the migration that creates the table) keeps
``DAYS_BEHIND`` days behind and ``DAYS_AHEAD`` days ahead of today in existence; when a new day
has rows waiting in the default partition, they are moved into it in the same transaction.

On SQLite the table is plain and these functions do nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection as default_connection
from django.db import transaction

TABLE = "tracking_position"
DEFAULT_PARTITION = f"{TABLE}_default"
DAYS_BEHIND = 2
DAYS_AHEAD = 14

CREATE_PARTITIONED_TABLE = f"""
DROP TABLE {TABLE};
CREATE SEQUENCE IF NOT EXISTS {TABLE}_id_seq;
CREATE TABLE {TABLE} (
    "id" bigint NOT NULL DEFAULT nextval('{TABLE}_id_seq'),
    "fix_time" timestamp with time zone NOT NULL,
    "device_time" timestamp with time zone NULL,
    "server_time" timestamp with time zone NOT NULL,
    "latitude" double precision NOT NULL,
    "longitude" double precision NOT NULL,
    "speed" double precision NULL,
    "course" double precision NULL,
    "altitude" double precision NULL,
    "accuracy" double precision NULL,
    "battery" double precision NULL,
    "valid" boolean NOT NULL,
    "attributes" jsonb NOT NULL,
    "device_id" bigint NOT NULL,
    "driver_id" bigint NULL,
    "tenant_id" bigint NOT NULL,
    CONSTRAINT "{TABLE}_pkey" PRIMARY KEY ("id", "fix_time"),
    CONSTRAINT "tracking_position_device_fix_unique" UNIQUE ("device_id", "fix_time"),
    CONSTRAINT "tracking_position_device_id_3bf24bd7_fk_tracking_device_id"
        FOREIGN KEY ("device_id") REFERENCES "tracking_device" ("id"),
    CONSTRAINT "tracking_position_tenant_id_7d0c2c9c_fk_tenancy_tenant_id"
        FOREIGN KEY ("tenant_id") REFERENCES "tenancy_tenant" ("id")
) PARTITION BY RANGE ("fix_time");
ALTER SEQUENCE {TABLE}_id_seq OWNED BY {TABLE}."id";
CREATE INDEX "tracking_position_driver_id_4324999b" ON {TABLE} ("driver_id");
CREATE INDEX "tracking_position_tenant_id_7d0c2c9c" ON {TABLE} ("tenant_id");
CREATE TABLE {DEFAULT_PARTITION} PARTITION OF {TABLE} DEFAULT;
"""


def partition_name(day: dt.date) -> str:
    return f"{TABLE}_p{day:%Y%m%d}"


def existing_partitions(connection: Any = None) -> set[str]:
    """Names of the partitions attached to ``tracking_position`` (empty on SQLite)."""
    conn = connection or default_connection
    if conn.vendor != "postgresql":
        return set()
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s",
            [TABLE],
        )
        return {row[0] for row in cursor.fetchall()}


def partition_create(day: dt.date, connection: Any = None) -> bool:
    """Create the partition of ``day`` (UTC) unless it exists; True when created.

    Rows of that day already in the default partition are moved into the new partition in the
    same transaction, so attaching never fails on them and no row is lost or doubled.
    """
    conn = connection or default_connection
    if conn.vendor != "postgresql":
        return False
    name = partition_name(day)
    if name in existing_partitions(conn):
        return False
    start = dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC)
    end = start + dt.timedelta(days=1)
    with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {DEFAULT_PARTITION} IN ACCESS EXCLUSIVE MODE")
        cursor.execute(f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS)")
        # The table names are built here from a date, never from input.
        move = (
            f"WITH moved AS (DELETE FROM {DEFAULT_PARTITION} "  # noqa: S608
            "WHERE fix_time >= %s AND fix_time < %s RETURNING *) "
            f"INSERT INTO {name} SELECT * FROM moved"
        )
        cursor.execute(move, [start, end])
        cursor.execute(
            f"ALTER TABLE {TABLE} ATTACH PARTITION {name} FOR VALUES FROM (%s) TO (%s)",
            [start, end],
        )
    return True


def partitions_ensure(
    today: dt.date | None = None,
    *,
    behind: int = DAYS_BEHIND,
    ahead: int = DAYS_AHEAD,
    connection: Any = None,
) -> list[str]:
    """Create the daily partitions from ``today - behind`` to ``today + ahead``; the names of
    those created (none when all exist, and always none on SQLite)."""
    day0 = today or dt.datetime.now(dt.UTC).date()
    created = []
    for offset in range(-behind, ahead + 1):
        day = day0 + dt.timedelta(days=offset)
        if partition_create(day, connection):
            created.append(partition_name(day))
    return created
