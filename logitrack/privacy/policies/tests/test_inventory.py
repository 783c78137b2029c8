"""The app's fields are classified through its own inventory module, found by autodiscovery."""

from __future__ import annotations

from logitrack.privacy.inventory import INVENTORY, Subject
from logitrack.privacy.policies.models import PolicyAcceptance, PolicyVersion


def test_every_field_of_both_models_is_classified() -> None:
    for model in (PolicyVersion, PolicyAcceptance):
        stored = {field.name for field in model._meta.concrete_fields}

        assert set(INVENTORY.declared(model)) == stored


def test_an_acceptance_is_the_persons_data_deleted_with_the_account() -> None:
    declared = INVENTORY.declared(PolicyAcceptance)

    assert declared["ip_prefix"].category == "user.device.ip_address"
    assert declared["user"].subject == Subject.USER
    assert {c.erasure for c in declared.values()} == {"delete"}
