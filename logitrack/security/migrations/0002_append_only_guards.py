"""Database triggers that refuse changes to audit entries, for SQL that bypasses the ORM.

PostgreSQL: UPDATE and DELETE are refused row by row, always; TRUNCATE is refused unless the
session setting ``logitrack.allow_audit_truncate`` is 'on', which only ``flush`` sets (see
``logitrack.security.guard``).

SQLite: UPDATE is refused always; DELETE unless the connection's SQL function
``logitrack_audit_purge_allowed()`` answers 1 (Django's ``flush`` empties tables with DELETE).
A connection without that function cannot delete at all.

Both raise SQLSTATE class 23 / SQLITE_CONSTRAINT, which Django surfaces as IntegrityError.

Caution: on SQLite, a later migration that alters security_auditentry rebuilds the table, and
the triggers go with the old table. Such a migration must create them again; the test
``test_guard_triggers_are_installed`` fails until it does.
"""

from django.db import migrations

PG_INSTALL = """
CREATE FUNCTION security_auditentry_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE'
       AND coalesce(current_setting('logitrack.allow_audit_truncate', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'the audit chain is append-only: % refused', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
CREATE TRIGGER security_auditentry_no_update_delete
    BEFORE UPDATE OR DELETE ON security_auditentry
    FOR EACH ROW EXECUTE FUNCTION security_auditentry_refuse_change();
CREATE TRIGGER security_auditentry_no_truncate
    BEFORE TRUNCATE ON security_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION security_auditentry_refuse_change();
"""

PG_REMOVE = """
DROP TRIGGER IF EXISTS security_auditentry_no_truncate ON security_auditentry;
DROP TRIGGER IF EXISTS security_auditentry_no_update_delete ON security_auditentry;
DROP FUNCTION IF EXISTS security_auditentry_refuse_change();
"""

SQLITE_INSTALL = [
    """
    CREATE TRIGGER security_auditentry_no_update
    BEFORE UPDATE ON security_auditentry
    BEGIN
        SELECT RAISE(ABORT, 'the audit chain is append-only: UPDATE refused');
    END
    """,
    """
    CREATE TRIGGER security_auditentry_no_delete
    BEFORE DELETE ON security_auditentry
    WHEN NOT logitrack_audit_purge_allowed()
    BEGIN
        SELECT RAISE(ABORT, 'the audit chain is append-only: DELETE refused');
    END
    """,
]

SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS security_auditentry_no_delete",
    "DROP TRIGGER IF EXISTS security_auditentry_no_update",
]


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_INSTALL, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_INSTALL:
            schema_editor.execute(statement, params=None)


def remove(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_REMOVE, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_REMOVE:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("security", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(install, remove, elidable=False),
    ]
