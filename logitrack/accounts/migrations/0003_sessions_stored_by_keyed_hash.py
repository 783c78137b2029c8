"""Sessions are stored by a keyed hash of their key (accounts.session_store, ADR 0013).

Rows written before hold the raw key (Django's engine) or an unkeyed SHA-256 of it (UserSession):
the new engine cannot find them, and the raw keys must not stay at rest, so both are deleted.
Everyone signed in at deploy time signs in again.
"""

from __future__ import annotations

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def forget_stored_sessions(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    alias = schema_editor.connection.alias
    apps.get_model("sessions", "Session").objects.using(alias).all().delete()
    apps.get_model("accounts", "UserSession").objects.using(alias).all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_user_email_canonical"),
        ("sessions", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forget_stored_sessions, migrations.RunPython.noop, elidable=True),
    ]
