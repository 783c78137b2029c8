# Indexes of orders, items, shipments and events lead with the tenant (ADR 0051).

import django.db.models.deletion
import logitrack.core.crypto.fields
from django.conf import settings
from django.db import migrations, models


# The single-column indexes that the new state no longer has: a tenant_id index on each of these
# tables (their other indexes lead with the tenant) and the consignee phone's blind index (now
# led by the tenant, logistics_order_phone). Dropped by name as the introspection finds them, so
# that SQLite does not copy the tables (what AlterField does there) and PostgreSQL also loses
# the varchar_pattern_ops twin Django made for the indexed CharField.
_SINGLE = {
    "logistics_order": ("tenant_id", "consignee_phone_index"),
    "logistics_orderitem": ("tenant_id",),
    "logistics_shipment": ("tenant_id",),
    "logistics_shipmentevent": ("tenant_id",),
}


def _drop_single_column_indexes(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for table, columns in _SINGLE.items():
            found = connection.introspection.get_constraints(cursor, table)
            for name, info in found.items():
                if (
                    info["index"]
                    and not info["unique"]
                    and not info["primary_key"]
                    and len(info["columns"]) == 1
                    and info["columns"][0] in columns
                ):
                    schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")


def _make_single_column_indexes(apps, schema_editor):
    for table, columns in _SINGLE.items():
        model = next(m for m in apps.get_models() if m._meta.db_table == table)
        for column in columns:
            field = next(f for f in model._meta.local_fields if f.column == column)
            # The state before this migration: the field indexed (and its LIKE twin on PostgreSQL).
            for statement in schema_editor._field_indexes_sql(model, field):
                schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("logistics", "0005_shipment_range_index"),
        ("tenancy", "0004_apikey_suspension_and_invitation_key"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="order",
                    name="consignee_phone_index",
                    field=logitrack.core.crypto.fields.BlindIndexField(
                        blank=True,
                        db_index=False,
                        default="",
                        editable=False,
                        max_length=32,
                        source="consignee_phone",
                        verbose_name="consignee phone search index",
                    ),
                ),
                *[
                    migrations.AlterField(
                        model_name=model_name,
                        name="tenant",
                        field=models.ForeignKey(
                            db_index=False,
                            editable=False,
                            on_delete=django.db.models.deletion.PROTECT,
                            related_name="+",
                            to="tenancy.tenant",
                            verbose_name="tenant",
                        ),
                    )
                    for model_name in ("order", "orderitem", "shipment", "shipmentevent")
                ],
            ],
            database_operations=[
                migrations.RunPython(_drop_single_column_indexes, _make_single_column_indexes),
            ],
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                fields=["tenant", "consignee_phone_index"], name="logistics_order_phone"
            ),
        ),
    ]
