"""Declaring classifications and reading them back: the API the privacy features build on."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from django.db import models
from django.test.utils import isolate_apps

from logitrack.accounts.models import User
from logitrack.privacy import taxonomy
from logitrack.privacy.inventory import (
    INVENTORY,
    ClassifiedField,
    Erasure,
    FieldClass,
    Inventory,
    LegalBasis,
    Purpose,
    Retention,
    Subject,
    erasure_plan,
    fields_for_subject,
    for_model,
    not_personal,
    stored_fields,
)
from logitrack.security.models import AuditEntry
from logitrack.tenancy.models import Membership, Tenant

PHONE = FieldClass(
    category="user.contact.phone_number",
    subject=Subject.DRIVER,
    purpose=Purpose.PROVIDE_SERVICE,
    basis=LegalBasis.CONTRACT,
    retention=Retention.TENANT_LIFETIME_PLUS_30D,
    erasure=Erasure.DELETE,
)
POSITION = dataclasses.replace(
    PHONE, category="user.location.precise", sensitive=True, erasure=Erasure.ANONYMISE
)
ROW_ID = not_personal(
    retention=Retention.TENANT_LIFETIME_PLUS_30D,
    erasure=Erasure.RETAIN,
    reason="Keeps the anonymised track in the fleet's statistics.",
)


class EncryptedCharField(models.CharField):  # type: ignore[type-arg]
    pass


class SealedTextField(models.TextField):  # type: ignore[type-arg]
    encrypted = True


@pytest.fixture
def driver_model() -> Iterator[type[models.Model]]:
    with isolate_apps("logitrack.privacy"):

        class Driver(models.Model):  # noqa: DJ008 - a throwaway test model
            phone = EncryptedCharField(max_length=20)
            last_position = SealedTextField()
            depot_note = models.TextField()

            class Meta:
                app_label = "privacy"

        yield Driver


def test_register_refuses_a_second_declaration_of_the_same_model() -> None:
    inventory = Inventory()
    inventory.register("privacy.Driver", {"phone": PHONE})

    with pytest.raises(ValueError, match=r"privacy\.driver is already classified"):
        inventory.register("privacy.driver", {"depot_note": PHONE})

    assert inventory.declarations == {"privacy.driver": {"phone": PHONE}}


def test_register_refuses_anything_but_a_field_class() -> None:
    inventory = Inventory()

    with pytest.raises(TypeError, match=r"privacy\.Driver\.phone: expected a FieldClass"):
        inventory.register("privacy.Driver", {"phone": "user.contact.phone_number"})  # type: ignore[dict-item]

    assert inventory.declarations == {}


def test_a_classification_cannot_be_changed_after_it_is_declared() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        PHONE.sensitive = True  # type: ignore[misc]


def test_stored_fields_are_columns_and_link_tables_but_not_reverse_relations() -> None:
    names = [f.name for f in stored_fields(Tenant)]

    assert "memberships" not in names
    assert [f.name for f in stored_fields(Membership)] == [
        "id",
        "tenant",
        "user",
        "role",
        "created_at",
    ]


def test_for_model_pairs_each_stored_field_with_its_classification(
    driver_model: type[models.Model],
) -> None:
    inventory = Inventory()
    inventory.register("privacy.Driver", {"phone": PHONE, "last_position": POSITION})

    found = inventory.for_model(driver_model)

    assert [(c.label, c.classification) for c in found] == [
        ("privacy.Driver.phone", PHONE),
        ("privacy.Driver.last_position", POSITION),
    ]


def test_an_encrypted_field_is_recognised_by_its_flag_or_its_class_name(
    driver_model: type[models.Model],
) -> None:
    fields = {f.name: f for f in stored_fields(driver_model)}

    assert ClassifiedField(driver_model, fields["phone"], PHONE).encrypted is True
    assert ClassifiedField(driver_model, fields["last_position"], POSITION).encrypted is True
    assert ClassifiedField(driver_model, fields["depot_note"], PHONE).encrypted is False


def test_sensitive_fields_and_fields_for_subject_select_by_classification(
    driver_model: type[models.Model],
) -> None:
    inventory = Inventory()
    inventory.register(
        "privacy.Driver",
        {"id": ROW_ID, "phone": PHONE, "last_position": POSITION, "depot_note": ROW_ID},
    )

    def labels(found: list[ClassifiedField]) -> list[str]:
        return [c.label for c in found]

    assert labels(inventory.classified_fields([driver_model])) == [
        "privacy.Driver.id",
        "privacy.Driver.phone",
        "privacy.Driver.last_position",
        "privacy.Driver.depot_note",
    ]
    assert labels(inventory.sensitive_fields([driver_model])) == ["privacy.Driver.last_position"]
    assert labels(inventory.fields_for_subject(Subject.DRIVER, [driver_model])) == [
        "privacy.Driver.phone",
        "privacy.Driver.last_position",
    ]
    assert inventory.fields_for_subject("consignee", [driver_model]) == []


def test_erasure_plan_sorts_fields_by_strategy_with_the_reasons_for_keeping(
    driver_model: type[models.Model],
) -> None:
    inventory = Inventory()
    inventory.register(
        "privacy.Driver",
        {"id": ROW_ID, "phone": PHONE, "last_position": POSITION, "depot_note": PHONE},
    )

    plan = inventory.erasure_plan(driver_model)

    assert plan.delete == ("phone", "depot_note")
    assert plan.anonymise == ("last_position",)
    assert plan.retain == (("id", "Keeps the anonymised track in the fleet's statistics."),)
    assert plan.deletes_rows is False


def test_there_is_no_erasure_plan_for_a_model_the_inventory_does_not_know(
    driver_model: type[models.Model],
) -> None:
    with pytest.raises(LookupError, match=r"privacy\.Driver is not in the data inventory"):
        Inventory().erasure_plan(driver_model)


def test_erasing_a_user_deletes_the_whole_row() -> None:
    plan = erasure_plan(User)

    assert plan.deletes_rows is True
    assert plan.anonymise == ()
    assert plan.retain == ()
    assert set(plan.delete) == {f.name for f in stored_fields(User)}


def test_erasure_keeps_every_audit_entry_column_for_the_stated_reason() -> None:
    plan = erasure_plan(AuditEntry)

    assert plan.delete == ()
    assert {name for name, _reason in plan.retain} == {f.name for f in stored_fields(AuditEntry)}
    assert all(
        str(reason).startswith("The audit chain is append-only") for _n, reason in plan.retain
    )


def test_fields_for_subject_lists_what_an_access_export_of_a_user_must_cover() -> None:
    labels = {c.label for c in fields_for_subject("user")}

    assert {
        "accounts.User.email",
        "accounts.User.full_name",
        "accounts.UserSession.ip_address",
        "tenancy.Membership.role",
        "sessions.Session.session_data",
        "security.AuditEntry.actor_pseudonym",
    } <= labels
    assert "tenancy.Tenant.name" not in labels
    assert "accounts.User.id" in labels


def test_fields_for_subject_refuses_an_unknown_subject() -> None:
    with pytest.raises(ValueError, match="'shipper'"):
        fields_for_subject("shipper")


def test_every_app_declares_its_models_through_autodiscovery() -> None:
    assert {
        "accounts.user",
        "accounts.usersession",
        "tenancy.tenant",
        "tenancy.membership",
        "security.auditentry",
        "sessions.session",
        "contenttypes.contenttype",
        "auth.permission",
        "auth.group",
        "axes.accessattempt",
        "axes.accesslog",
        "axes.accessfailurelog",
    } <= set(INVENTORY.declarations)
    assert [c.field.name for c in for_model(Tenant)][:2] == ["id", "name"]


def test_every_subject_and_purpose_maps_to_a_key_a_fides_server_knows() -> None:
    for subject in Subject:
        assert subject.fides_key is None or subject.fides_key in taxonomy.known_subjects()
    for purpose in Purpose:
        assert purpose.fides_data_use in taxonomy.default_data_uses()
    assert Subject.NONE.fides_key is None
    assert Subject.CONSIGNEE.fides_key == "consignee"
    assert Subject.DRIVER.fides_key == "driver"


def test_every_extension_hangs_off_a_category_of_the_taxonomy() -> None:
    keys = taxonomy.default_categories() | {e.fides_key for e in taxonomy.CATEGORY_EXTENSIONS}
    for extension in taxonomy.CATEGORY_EXTENSIONS:
        assert extension.fides_key not in taxonomy.default_categories()
        assert extension.parent_key is None or extension.parent_key in keys
    for subject in taxonomy.SUBJECT_EXTENSIONS:
        assert subject.fides_key not in taxonomy.default_subjects()
