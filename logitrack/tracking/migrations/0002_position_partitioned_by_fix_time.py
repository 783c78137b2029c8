"""On PostgreSQL, ``tracking_position`` becomes a table partitioned by fix time (one partition
per UTC day and a default one, docs/adr/0026); SQLite keeps the plain table."""

from typing import Any

from django.db import migrations


def partition(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    from logitrack.tracking.partitions import CREATE_PARTITIONED_TABLE, partitions_ensure

    with schema_editor.connection.cursor() as cursor:
        cursor.execute(CREATE_PARTITIONED_TABLE)
    partitions_ensure(connection=schema_editor.connection)


class Migration(migrations.Migration):
    atomic = True
    dependencies = [("tracking", "0001_devices_positions")]
    operations = [migrations.RunPython(partition, migrations.RunPython.noop, elidable=False)]
