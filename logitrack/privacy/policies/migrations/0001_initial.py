"""Policy versions and acceptances; version 1 from the wording shipped until now; a guard.

Version 1 is the text Logitrack published on 24 November 2026 (the files under ``data/``, frozen:
never edit them, publish a new version instead). It is not a material change: everyone who
signed up agreed to this text already.

The triggers refuse, for SQL that bypasses the ORM, any change to a published version's number,
status, texts, dates or material flag (``published_by`` may still be cleared when that account
is deleted). Deletion is not guarded by a trigger: the acceptances' PROTECT foreign key keeps an
accepted version, and Django's ``flush`` must be able to empty the table in tests.
"""

import datetime
from pathlib import Path

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


DATA = Path(__file__).resolve().parent.parent / "data"
# 24 November 2026, 00:00 in Asia/Ho_Chi_Minh: the date version 1 was published with.
VERSION_1_AT = datetime.datetime(2026, 11, 23, 17, 0, tzinfo=datetime.timezone.utc)
GUARDED = ("number", "status", "material", "summary", "body_vi", "body_en", "effective_at", "published_at")

PG_INSTALL = """
CREATE FUNCTION policies_version_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'published' AND (%s) THEN
        RAISE EXCEPTION 'a published policy version cannot be changed'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER policies_version_published_immutable
    BEFORE UPDATE ON policies_policyversion
    FOR EACH ROW EXECUTE FUNCTION policies_version_refuse_change();
""" % " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in GUARDED)

PG_REMOVE = """
DROP TRIGGER IF EXISTS policies_version_published_immutable ON policies_policyversion;
DROP FUNCTION IF EXISTS policies_version_refuse_change();
"""

SQLITE_INSTALL = """
CREATE TRIGGER policies_version_published_immutable
BEFORE UPDATE ON policies_policyversion
WHEN OLD.status = 'published' AND (%s)
BEGIN
    SELECT RAISE(ABORT, 'a published policy version cannot be changed');
END
""" % " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in GUARDED)

SQLITE_REMOVE = "DROP TRIGGER IF EXISTS policies_version_published_immutable"


def install_guard(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_INSTALL, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_INSTALL, params=None)


def remove_guard(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_REMOVE, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_REMOVE, params=None)


def seed_version_1(apps, schema_editor):
    PolicyVersion = apps.get_model("policies", "PolicyVersion")
    if PolicyVersion.objects.exists():
        return
    PolicyVersion.objects.create(
        number=1,
        status="published",
        material=False,
        summary="",
        body_vi=(DATA / "policy_v1_vi.md").read_text(encoding="utf-8"),
        body_en=(DATA / "policy_v1_en.md").read_text(encoding="utf-8"),
        effective_at=VERSION_1_AT,
        created_at=VERSION_1_AT,
        updated_at=VERSION_1_AT,
        published_at=VERSION_1_AT,
    )


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='PolicyVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveIntegerField(unique=True, verbose_name='version number')),
                ('status', models.CharField(choices=[('draft', 'Draft'), ('published', 'Published')], default='draft', max_length=16, verbose_name='status')),
                ('material', models.BooleanField(default=False, verbose_name='material change')),
                ('summary', models.TextField(blank=True, default='', verbose_name='summary of changes')),
                ('body_vi', models.TextField(blank=True, default='', verbose_name='Vietnamese text')),
                ('body_en', models.TextField(blank=True, default='', verbose_name='English text')),
                ('effective_at', models.DateTimeField(blank=True, null=True, verbose_name='takes effect at')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                ('updated_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='updated at')),
                ('published_at', models.DateTimeField(blank=True, null=True, verbose_name='published at')),
                ('published_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='published by')),
            ],
            options={
                'verbose_name': 'privacy policy version',
                'verbose_name_plural': 'privacy policy versions',
                'ordering': ['-number'],
            },
        ),
        migrations.CreateModel(
            name='PolicyAcceptance',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('accepted_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='accepted at')),
                ('via', models.CharField(choices=[('signup', 'Sign-up'), ('invitation', 'Invitation'), ('prompt', 'Re-acceptance page')], max_length=16, verbose_name='accepted through')),
                ('language', models.CharField(max_length=8, verbose_name='language shown')),
                ('ip_prefix', models.GenericIPAddressField(blank=True, null=True, verbose_name='IP address (truncated)')),
                ('user_agent', models.CharField(blank=True, default='', max_length=255, verbose_name='user agent')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='policy_acceptances', to=settings.AUTH_USER_MODEL, verbose_name='user')),
                ('version', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='acceptances', to='policies.policyversion', verbose_name='policy version')),
            ],
            options={
                'verbose_name': 'privacy policy acceptance',
                'verbose_name_plural': 'privacy policy acceptances',
            },
        ),
        migrations.AddIndex(
            model_name='policyversion',
            index=models.Index(fields=['status', 'effective_at'], name='policies_version_effective'),
        ),
        migrations.AddConstraint(
            model_name='policyversion',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('published_at__isnull', True), ('status', 'draft')), models.Q(('effective_at__isnull', False), ('published_at__isnull', False), ('status', 'published'), models.Q(('body_vi', ''), _negated=True), models.Q(('body_en', ''), _negated=True)), _connector='OR'), name='policies_version_published_complete'),
        ),
        migrations.AddConstraint(
            model_name='policyversion',
            constraint=models.CheckConstraint(condition=models.Q(('number__gte', 1)), name='policies_version_number_min'),
        ),
        migrations.AddConstraint(
            model_name='policyacceptance',
            constraint=models.UniqueConstraint(fields=('user', 'version'), name='policies_acceptance_once_per_version'),
        ),
        migrations.RunPython(install_guard, remove_guard, elidable=False),
        migrations.RunPython(seed_version_1, migrations.RunPython.noop, elidable=False),
    ]
