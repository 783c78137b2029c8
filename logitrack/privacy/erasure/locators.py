"""Where a person's rows are, table by table: found from the schema, not listed by hand.

A row belongs to the person when it holds a foreign key to their user row. The key being
required (``null=False``) means the row exists only for the person (a membership, a session, a
consent event): the row is theirs and the erasure plan of its model decides what happens to it.
A nullable key is a reference from a row that belongs to someone else (an order a person created,
a document they uploaded): only the reference is erased, by that field's own strategy.

A few tables hold a person's data without a foreign key (django-axes' sign-in attempts name the
e-mail address; the session table is keyed by the same digest as the person's ``UserSession``
rows). Their locators are declared here, next to the rule, so the erasure and its coverage test
see them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models

from logitrack.privacy.inventory import INVENTORY, AnyModel, inventoried_models

PersonRows = Callable[[Any], "models.QuerySet[Any]"]


@dataclass(frozen=True)
class ForeignKeyLink:
    """A foreign key from ``model`` to the user table."""

    model: AnyModel
    field: models.ForeignKey[Any, Any]

    @property
    def owned(self) -> bool:
        """True when the row cannot exist without the person: it is theirs."""
        return not self.field.null

    @property
    def label(self) -> str:
        return f"{self.model._meta.label_lower}.{self.field.name}"

    def rows(self, user: Any) -> models.QuerySet[Any]:
        return self.model._base_manager.filter(**{self.field.attname: user.pk})


def user_model() -> AnyModel:
    return apps.get_model(settings.AUTH_USER_MODEL)


def foreign_key_links() -> list[ForeignKeyLink]:
    """Every classified foreign key to the user table, in table order."""
    user = user_model()
    found: list[ForeignKeyLink] = []
    for model in sorted(inventoried_models(), key=lambda m: m._meta.db_table):
        declared = INVENTORY.declared(model)
        for field in model._meta.local_fields:
            if (
                isinstance(field, models.ForeignKey)
                and field.related_model is user
                and field.name in declared
            ):
                found.append(ForeignKeyLink(model, field))
    return found


def _axes_attempts(user: Any) -> models.QuerySet[Any]:
    rows: models.QuerySet[Any] = apps.get_model("axes", "AccessAttempt")._base_manager.filter(
        username=user.email
    )
    return rows


def _browser_sessions(user: Any) -> models.QuerySet[Any]:
    user_sessions = apps.get_model("accounts", "UserSession")._base_manager.filter(user=user)
    rows: models.QuerySet[Any] = apps.get_model("sessions", "Session")._base_manager.filter(
        session_key__in=list(user_sessions.values_list("key_hash", flat=True))
    )
    return rows


def _invitations_to(user: Any) -> models.QuerySet[Any]:
    # Invitations addressed to the person (their foreign key names the sender, not them).
    rows: models.QuerySet[Any] = (
        apps.get_model("tenancy", "Invitation")
        ._base_manager.filter(email=user.email)
        .exclude(email="")
    )
    return rows


def _withdraw_invitations(rows: models.QuerySet[Any]) -> int:
    """Invitations to the person are withdrawn, their address cleared (what a used or withdrawn
    invitation keeps anyway); blanking the address of a pending one would leave an invitation
    to nobody that the next one to the same company collides with."""
    from django.db.models import Q
    from django.utils import timezone

    ids = list(rows.values_list("pk", flat=True))
    model = rows.model._base_manager.filter(pk__in=ids)
    model.filter(Q(accepted_at__isnull=True, revoked_at__isnull=True)).update(
        revoked_at=timezone.now()
    )
    return int(model.update(email=""))


def _member_rows(label: str) -> PersonRows:
    """Rows addressed to one of the person's memberships (notifications and alert
    subscriptions): theirs, reached through the membership rather than a key to the user."""

    def rows(user: Any) -> models.QuerySet[Any]:
        found: models.QuerySet[Any] = apps.get_model(label)._base_manager.filter(
            membership__user_id=user.pk
        )
        return found

    return rows


# model label -> rows of that model that are the person's own, for tables without a foreign key
# (or whose foreign key to the user table names someone else).
ROW_LOCATORS: dict[str, PersonRows] = {
    "axes.accessattempt": _axes_attempts,
    "sessions.session": _browser_sessions,
    "tenancy.invitation": _invitations_to,
    "notifications.notification": _member_rows("notifications.Notification"),
    "notifications.subscription": _member_rows("notifications.Subscription"),
}

# model label -> how located rows are erased when the inventory's plan alone cannot do it;
# returns the number of rows changed.
ROW_ERASERS: dict[str, Callable[[models.QuerySet[Any]], int]] = {
    "tenancy.invitation": _withdraw_invitations,
}


def located_models() -> set[str]:
    """The models in which the erasure can find a person's rows."""
    return (
        {link.model._meta.label_lower for link in foreign_key_links()}
        | set(ROW_LOCATORS)
        | {user_model()._meta.label_lower}
    )
