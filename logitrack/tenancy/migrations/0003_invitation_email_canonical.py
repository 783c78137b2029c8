"""Store the address of every pending invitation in its canonical form (docs/adr/0011).

Handled the same way every run: a pending invitation whose address is not an address under the
new rules is withdrawn (its address erased, as withdrawing does); when several pending
invitations of one company name the same canonical address, the newest (highest id) stays
pending and the older ones are withdrawn, as inviting the address again does.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import migrations, models
from django.utils import timezone

import logitrack.core.identity
from logitrack.core.identity import canonical_email_or_none

logger = logging.getLogger("logitrack.tenancy.migrations")


def canonicalise_invitation_emails(apps: Any, schema_editor: Any) -> None:
    invitation_model = apps.get_model("tenancy", "Invitation")
    manager = invitation_model._base_manager.using(schema_editor.connection.alias)
    pending = manager.filter(accepted_at__isnull=True, revoked_at__isnull=True).exclude(email="")
    newest: dict[tuple[int, str], int] = {}
    withdraw: list[int] = []
    rows = list(pending.order_by("-pk").values_list("pk", "tenant_id", "email"))
    for pk, tenant_id, email in rows:
        canonical = canonical_email_or_none(email)
        if canonical is None or (tenant_id, canonical) in newest:
            withdraw.append(pk)
        else:
            newest[(tenant_id, canonical)] = pk
    # Withdraw first, so that no two pending rows ever hold one address.
    manager.filter(pk__in=withdraw).update(revoked_at=timezone.now(), email="")
    for pk, _tenant_id, email in rows:
        canonical = canonical_email_or_none(email)
        if pk not in withdraw and canonical is not None and canonical != email:
            manager.filter(pk=pk).update(email=canonical)
    if withdraw:
        logger.warning("pending invitations withdrawn while canonicalising: ids %s", sorted(withdraw))


class Migration(migrations.Migration):
    dependencies = [
        ("tenancy", "0002_tenant_kind_and_canonical_tax_code"),
    ]

    operations = [
        migrations.AlterField(
            model_name="invitation",
            name="email",
            field=models.EmailField(
                blank=True,
                max_length=254,
                validators=[logitrack.core.identity.validate_canonical_email],
                verbose_name="email",
            ),
        ),
        migrations.RunPython(canonicalise_invitation_emails, migrations.RunPython.noop),
    ]
