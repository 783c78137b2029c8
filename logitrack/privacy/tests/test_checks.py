"""The privacy checks: every stored field classified, every classification valid."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.checks import CheckMessage, run_checks
from django.db import models
from django.test.utils import isolate_apps

from logitrack.accounts.models import User
from logitrack.privacy.checks import check_inventory
from logitrack.privacy.inventory import (
    INVENTORY,
    Erasure,
    FieldClass,
    Inventory,
    LegalBasis,
    Purpose,
    Retention,
    Subject,
    not_personal,
)


def _ids(messages: list[CheckMessage]) -> list[tuple[str | None, str]]:
    return [(m.id, m.msg) for m in messages]


def _personal(**overrides: object) -> FieldClass:
    values: dict[str, object] = {
        "category": "user.contact.phone_number",
        "subject": Subject.CONSIGNEE,
        "purpose": Purpose.PROVIDE_SERVICE,
        "basis": LegalBasis.CONTRACT,
        "retention": Retention.TENANT_LIFETIME_PLUS_30D,
        "erasure": Erasure.DELETE,
    }
    values.update(overrides)
    return FieldClass(**values)  # type: ignore[arg-type]


@pytest.fixture
def parcel_models() -> Iterator[tuple[type[models.Model], type[models.Model]]]:
    """A depot and its parcels, in a model registry of their own."""
    with isolate_apps("logitrack.privacy"):

        class Depot(models.Model):  # noqa: DJ008 - a throwaway test model
            name = models.CharField(max_length=50)

            class Meta:
                app_label = "privacy"

        class Parcel(models.Model):  # noqa: DJ008 - a throwaway test model
            depot = models.ForeignKey(Depot, on_delete=models.CASCADE, related_name="parcels")
            consignee_phone = models.CharField(max_length=20)
            seen_at = models.ManyToManyField(Depot, related_name="+")

            class Meta:
                app_label = "privacy"

        yield Depot, Parcel


def _complete(inventory: Inventory, depot: type[models.Model]) -> None:
    inventory.register(
        depot._meta.label,
        {
            "id": not_personal(retention=Retention.REFERENCE),
            "name": not_personal(retention=Retention.REFERENCE),
        },
    )


def test_the_project_passes_every_privacy_check() -> None:
    assert run_checks(tags=["privacy"]) == []


def test_a_field_left_out_of_the_project_inventory_fails_django_check_with_E001(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    declared = dict(INVENTORY.declarations["accounts.user"])
    del declared["email"]
    monkeypatch.setitem(INVENTORY.declarations, "accounts.user", declared)

    messages = run_checks(tags=["privacy"])

    assert [(m.id, m.obj) for m in messages] == [("privacy.E001", User._meta.get_field("email"))]
    assert messages[0].msg == "accounts.User.email has no privacy classification."


def test_every_stored_field_of_an_unclassified_model_is_reported_as_E001(
    parcel_models: tuple[type[models.Model], type[models.Model]],
) -> None:
    depot, parcel = parcel_models
    inventory = Inventory()
    _complete(inventory, depot)

    messages = check_inventory(inventory, [depot, parcel])

    # The foreign key (its depot_id column) and the link table's field count; the reverse
    # relation "parcels" on Depot stores nothing and is not reported.
    assert _ids(messages) == [
        ("privacy.E001", "privacy.Parcel.id has no privacy classification."),
        ("privacy.E001", "privacy.Parcel.depot has no privacy classification."),
        ("privacy.E001", "privacy.Parcel.consignee_phone has no privacy classification."),
        ("privacy.E001", "privacy.Parcel.seen_at has no privacy classification."),
    ]


def test_a_many_to_many_field_with_its_own_through_model_is_classified_through_that_model() -> None:
    with isolate_apps("logitrack.privacy"):

        class Stop(models.Model):  # noqa: DJ008 - a throwaway test model
            class Meta:
                app_label = "privacy"

        class Route(models.Model):  # noqa: DJ008 - a throwaway test model
            stops: models.ManyToManyField[Stop, Any] = models.ManyToManyField(
                Stop, through="RouteStop"
            )

            class Meta:
                app_label = "privacy"

        class RouteStop(models.Model):  # noqa: DJ008 - a throwaway test model
            route = models.ForeignKey(Route, on_delete=models.CASCADE)
            stop = models.ForeignKey(Stop, on_delete=models.CASCADE)

            class Meta:
                app_label = "privacy"

        messages = check_inventory(Inventory(), [Route, RouteStop])

    assert [m.msg for m in messages] == [
        "privacy.Route.id has no privacy classification.",
        "privacy.RouteStop.id has no privacy classification.",
        "privacy.RouteStop.route has no privacy classification.",
        "privacy.RouteStop.stop has no privacy classification.",
    ]


def test_a_fully_classified_model_passes(
    parcel_models: tuple[type[models.Model], type[models.Model]],
) -> None:
    depot, parcel = parcel_models
    inventory = Inventory()
    _complete(inventory, depot)
    inventory.register(
        "privacy.Parcel",
        {
            "id": not_personal(retention=Retention.TENANT_LIFETIME_PLUS_30D),
            "depot": not_personal(retention=Retention.TENANT_LIFETIME_PLUS_30D),
            "consignee_phone": _personal(),
            "seen_at": _personal(category="user.location.imprecise", sensitive=True),
        },
    )

    assert check_inventory(inventory, [depot, parcel]) == []


def test_a_classification_naming_a_column_instead_of_a_field_is_E002(
    parcel_models: tuple[type[models.Model], type[models.Model]],
) -> None:
    depot, _parcel = parcel_models
    inventory = Inventory()
    _complete(inventory, depot)
    inventory.declarations["privacy.depot"]["depot_id"] = _personal()

    assert _ids(check_inventory(inventory, [depot])) == [
        (
            "privacy.E002",
            "The inventory classifies privacy.Depot.depot_id, which is not a stored field.",
        )
    ]


def test_a_classification_of_a_reverse_relation_is_E002(
    parcel_models: tuple[type[models.Model], type[models.Model]],
) -> None:
    depot, _parcel = parcel_models
    inventory = Inventory()
    _complete(inventory, depot)
    inventory.declarations["privacy.depot"]["parcels"] = _personal()

    assert [m.id for m in check_inventory(inventory, [depot])] == ["privacy.E002"]


def test_a_classified_model_that_its_installed_app_does_not_have_is_E002() -> None:
    inventory = Inventory()
    inventory.register("privacy.Ghost", {"id": _personal()})

    assert _ids(check_inventory(inventory, [])) == [
        (
            "privacy.E002",
            "The inventory classifies privacy.ghost, which is not a model of its app.",
        )
    ]


def test_declarations_for_an_app_that_is_not_installed_are_ignored() -> None:
    inventory = Inventory()
    inventory.register("notinstalled.Thing", {"id": _personal(category="no.such.category")})

    assert check_inventory(inventory, []) == []


def _single(field_class: FieldClass) -> list[CheckMessage]:
    inventory = Inventory()
    inventory.register("accounts.User", dict.fromkeys(["email"], field_class))
    return [m for m in check_inventory(inventory, [User]) if m.id != "privacy.E001"]


def test_an_unknown_data_category_is_E003() -> None:
    assert _ids(_single(_personal(category="user.contact.pigeon"))) == [
        ("privacy.E003", "accounts.User.email: unknown data category 'user.contact.pigeon'.")
    ]


@pytest.mark.parametrize(
    "category",
    ["user.contact.email", "user.sensor", "business.tax_code", "business"],
)
def test_default_taxonomy_keys_and_our_extensions_are_known_categories(category: str) -> None:
    assert _single(_personal(category=category)) == []


@pytest.mark.parametrize("reason", ["", "   "])
def test_retaining_a_value_without_a_reason_is_E004(reason: str) -> None:
    assert _ids(_single(_personal(erasure=Erasure.RETAIN, reason=reason))) == [
        ("privacy.E004", "accounts.User.email is retained on erasure without a reason.")
    ]


def test_retaining_a_value_with_a_reason_passes() -> None:
    assert _single(_personal(erasure=Erasure.RETAIN, reason="Tax law: 10 years.")) == []


@pytest.mark.parametrize(
    "category",
    [
        "user.location.precise",
        "user.location",
        "user.sensor.camera_image",
        "user.financial.payment_history",
        "user.biometric.fingerprint",
    ],
)
def test_a_sensitive_category_not_flagged_sensitive_is_E005(category: str) -> None:
    assert [m.id for m in _single(_personal(category=category))] == ["privacy.E005"]
    assert _single(_personal(category=category, sensitive=True)) == []


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        (
            {"basis": LegalBasis.NOT_APPLICABLE},
            "data about a person needs a legal basis.",
        ),
        (
            {"category": "system.operations", "subject": Subject.NONE},
            "data about nobody takes the legal basis not_applicable.",
        ),
        (
            {"subject": Subject.NONE, "basis": LegalBasis.NOT_APPLICABLE},
            "a user.* category describes a person; name the data subject.",
        ),
        (
            {"purpose": Purpose.MARKETING_WITH_CONSENT},
            "marketing needs consent (policy section 3).",
        ),
    ],
)
def test_a_classification_that_contradicts_itself_is_E006(
    overrides: dict[str, object], problem: str
) -> None:
    assert _ids(_single(_personal(**overrides))) == [
        ("privacy.E006", f"accounts.User.email: {problem}")
    ]


def test_marketing_with_consent_passes() -> None:
    assert (
        _single(_personal(purpose=Purpose.MARKETING_WITH_CONSENT, basis=LegalBasis.CONSENT)) == []
    )
