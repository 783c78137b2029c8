"""Store every account's e-mail address in its canonical form (docs/adr/0011).

The case-insensitive ``Lower("email")`` constraint goes (SQLite's LOWER folds ASCII only,
PostgreSQL's folds Unicode); the plain unique index on ``email`` then guards the canonical form.

Collisions, handled the same way every run: when several accounts share one canonical address,
the account that already stores exactly that form keeps it, else the oldest (lowest id) does;
the others are deactivated and keep their old spelling, so nothing is lost and an operator can
merge them. Addresses that are not addresses under the new rules stay as they are. Both lists
are logged as account ids, never addresses.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import migrations, models

import logitrack.core.identity
from logitrack.core.identity import canonical_email_or_none

logger = logging.getLogger("logitrack.accounts.migrations")


def canonicalise_emails(apps: Any, schema_editor: Any) -> None:
    user_model = apps.get_model("accounts", "User")
    manager = user_model._base_manager.using(schema_editor.connection.alias)
    groups: dict[str, list[tuple[int, str]]] = {}
    invalid: list[int] = []
    for pk, email in manager.order_by("pk").values_list("pk", "email"):
        canonical = canonical_email_or_none(email)
        if canonical is None:
            invalid.append(pk)
        else:
            groups.setdefault(canonical, []).append((pk, email))
    deactivated: list[int] = []
    for canonical, rows in groups.items():
        keeper = next((pk for pk, email in rows if email == canonical), rows[0][0])
        others = [pk for pk, _ in rows if pk != keeper]
        if others:
            manager.filter(pk__in=others).update(is_active=False)
            deactivated.extend(others)
        if next(email for pk, email in rows if pk == keeper) != canonical:
            manager.filter(pk=keeper).update(email=canonical)
    if deactivated:
        logger.warning(
            "accounts sharing a canonical e-mail address with another were deactivated: ids %s",
            sorted(deactivated),
        )
    if invalid:
        logger.warning("accounts whose e-mail address is not valid were left as they are: ids %s", invalid)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="user",
            name="accounts_user_email_ci_unique",
        ),
        migrations.AlterField(
            model_name="user",
            name="email",
            field=models.EmailField(
                max_length=254,
                unique=True,
                validators=[logitrack.core.identity.validate_canonical_email],
                verbose_name="email",
            ),
        ),
        migrations.RunPython(canonicalise_emails, migrations.RunPython.noop),
    ]
