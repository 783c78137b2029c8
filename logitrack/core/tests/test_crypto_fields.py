"""Encrypted fields: values round-trip, the database holds only ciphertext bound to its row and
column, blind indexes find exact matches, and a destroyed key leaves values unreadable."""

from __future__ import annotations

import datetime as dt
import pickle
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import FieldError, ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from logitrack.accounts.models import User
from logitrack.core.crypto.api import blind_index, prefetch_data_keys, reveal
from logitrack.core.crypto.errors import (
    CiphertextInvalid,
    EncryptedValueUnavailable,
    EncryptionKeyDestroyed,
)
from logitrack.core.crypto.models import DataKey
from logitrack.core.crypto.services import data_keys_destroy
from logitrack.core.crypto.store import KeyOwner, forget_cached_keys
from logitrack.security.actors import Actor
from logitrack.tenancy.models import Tenant

pytestmark = pytest.mark.django_db

SYSTEM = Actor.system("tests")


@pytest.fixture(autouse=True)
def _cold_key_cache() -> Iterator[None]:
    forget_cached_keys()
    yield
    forget_cached_keys()


def _user(email: str, **fields: Any) -> User:
    user = User(email=email, full_name="Nguyễn Thị Lan", **fields)
    user.set_unusable_password()
    user.save()
    return user


def _tenant(slug: str, tax_code: str, address: str = "12 Lê Lợi, Bến Nghé, Quận 1") -> Tenant:
    return Tenant.objects.create(
        name=slug.title(),
        slug=slug,
        tax_code=tax_code,
        street_address=address,
        ward_code=26740,
        province_code=79,
    )


def _raw(table: str, column: str, pk: int) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def _write_raw(table: str, column: str, pk: int, value: str | None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, pk])  # noqa: S608


def test_a_users_phone_and_date_of_birth_read_back_after_a_round_trip() -> None:
    user = _user("lan@example.vn", phone="0901 234 567", date_of_birth=dt.date(1990, 5, 17))

    loaded = User.objects.get(pk=user.pk)

    assert loaded.phone == "+84901234567"
    assert loaded.date_of_birth == dt.date(1990, 5, 17)


def test_a_tenants_address_reads_back_after_a_round_trip() -> None:
    tenant = _tenant("songhong", "0101234567", "Số 5 Đường Trần Hưng Đạo, Hoàn Kiếm")

    loaded = Tenant.objects.get(pk=tenant.pk)

    assert loaded.street_address == "Số 5 Đường Trần Hưng Đạo, Hoàn Kiếm"


def test_the_database_holds_ciphertext_not_the_plaintext() -> None:
    user = _user("lan@example.vn", phone="+84901234567", date_of_birth=dt.date(1990, 5, 17))
    tenant = _tenant("songhong", "0101234567", "12 Lê Lợi")

    phone = _raw("accounts_user", "phone", user.pk)
    born = _raw("accounts_user", "date_of_birth", user.pk)
    address = _raw("tenancy_tenant", "street_address", tenant.pk)

    for stored in (phone, born, address):
        assert stored.startswith("v1:")
        assert len(stored.split(":")) == 5
    assert "901234567" not in phone
    assert "1990" not in born
    assert "Lê Lợi" not in address
    assert "Le Loi" not in address


def test_the_same_value_encrypts_differently_each_time() -> None:
    first = _user("a@example.vn", phone="+84901234567")
    second = _user("b@example.vn", phone="+84901234567")

    assert _raw("accounts_user", "phone", first.pk) != _raw("accounts_user", "phone", second.pk)


def test_a_phone_copied_to_another_users_row_fails_to_decrypt() -> None:
    lan = _user("lan@example.vn", phone="+84901234567")
    minh = _user("minh@example.vn", phone="+84907654321")
    _write_raw("accounts_user", "phone", minh.pk, _raw("accounts_user", "phone", lan.pk))

    copied = User.objects.get(pk=minh.pk)

    with pytest.raises(CiphertextInvalid) as caught:
        _ = copied.phone
    assert caught.value.reason == "wrong_owner"
    assert User.objects.get(pk=lan.pk).phone == "+84901234567"


def test_a_value_copied_to_another_column_of_the_same_row_fails_to_decrypt() -> None:
    lan = _user("lan@example.vn", phone="+84901234567", date_of_birth=dt.date(1990, 5, 17))
    _write_raw("accounts_user", "date_of_birth", lan.pk, _raw("accounts_user", "phone", lan.pk))

    copied = User.objects.get(pk=lan.pk)

    with pytest.raises(CiphertextInvalid) as caught:
        _ = copied.date_of_birth
    assert caught.value.reason == "tag"
    assert copied.phone == "+84901234567"


def test_a_tenants_address_copied_to_another_tenant_fails_to_decrypt() -> None:
    songhong = _tenant("songhong", "0101234567", "1 Tràng Tiền")
    mekong = _tenant("mekong", "0301234567", "9 Hai Bà Trưng")
    stored = _raw("tenancy_tenant", "street_address", songhong.pk)
    _write_raw("tenancy_tenant", "street_address", mekong.pk, stored)

    with pytest.raises(CiphertextInvalid):
        _ = Tenant.objects.get(pk=mekong.pk).street_address


def test_an_altered_ciphertext_fails_to_decrypt() -> None:
    lan = _user("lan@example.vn", phone="+84901234567")
    stored = _raw("accounts_user", "phone", lan.pk)
    altered = stored[:-2] + ("AA" if not stored.endswith("AA") else "BB")
    _write_raw("accounts_user", "phone", lan.pk, altered)

    with pytest.raises(CiphertextInvalid):
        _ = User.objects.get(pk=lan.pk).phone


def test_the_blind_index_finds_the_exact_phone_and_only_that() -> None:
    lan = _user("lan@example.vn", phone="+84901234567")
    minh = _user("minh@example.vn", phone="+84901234568")
    nophone = _user("hoa@example.vn")

    assert list(User.objects.filter(phone="0901 234 567")) == [lan]
    assert list(User.objects.filter(phone_index=blind_index(User, "phone", "+84901234567"))) == [
        lan
    ]
    assert list(User.objects.filter(phone="+84901234569")) == []
    assert list(User.objects.filter(phone="12")) == []
    assert set(User.objects.filter(phone__in=["0901234567", "0901234568", "xx"])) == {lan, minh}
    assert list(User.objects.filter(phone="")) == [nophone]
    assert _raw("accounts_user", "phone_index", lan.pk) == blind_index(User, "phone", "0901234567")
    assert len(_raw("accounts_user", "phone_index", lan.pk)) == 32


def test_the_blind_index_follows_a_changed_phone() -> None:
    lan = _user("lan@example.vn", phone="+84901234567")

    lan.phone = "0912 345 678"
    lan.save()

    assert list(User.objects.filter(phone="+84901234567")) == []
    assert list(User.objects.filter(phone="+84912345678")) == [lan]


def test_a_blind_index_lookup_works_across_a_join() -> None:
    lan = _user("lan@example.vn", phone="+84901234567")
    _user("minh@example.vn", phone="+84901234568")

    assert list(User.objects.filter(pk__in=User.objects.filter(phone="0901234567"))) == [lan]


def test_searching_an_encrypted_field_other_than_exactly_is_refused() -> None:
    _user("lan@example.vn", phone="+84901234567", date_of_birth=dt.date(1990, 5, 17))

    with pytest.raises(FieldError):
        User.objects.filter(phone__icontains="0901")
    with pytest.raises(FieldError):
        User.objects.filter(date_of_birth=dt.date(1990, 5, 17))
    assert User.objects.filter(date_of_birth__isnull=False).count() == 1


def test_queryset_update_cannot_write_plaintext_into_an_encrypted_column() -> None:
    lan = _user("lan@example.vn", phone="+84901234567")
    before = _raw("accounts_user", "phone", lan.pk)

    with pytest.raises(TypeError), transaction.atomic():
        User.objects.filter(pk=lan.pk).update(phone="+84907654321")

    assert _raw("accounts_user", "phone", lan.pk) == before


def test_saving_the_phone_without_its_blind_index_is_refused() -> None:
    lan = _user("lan@example.vn", phone="+84901234567")
    before = _raw("accounts_user", "phone", lan.pk)

    lan.phone = "+84907654321"
    with pytest.raises(ValueError, match="phone_index"), transaction.atomic():
        lan.save(update_fields=["phone"])

    assert _raw("accounts_user", "phone", lan.pk) == before


def test_bulk_create_of_users_with_encrypted_values_is_refused() -> None:
    people = [User(email="lan@example.vn", full_name="Lan", phone="+84901234567")]

    with pytest.raises(TypeError, match="bulk_create"), transaction.atomic():
        User.objects.bulk_create(people)

    assert User.objects.count() == 0


def test_a_loaded_user_saved_as_a_new_row_is_sealed_under_the_new_rows_key() -> None:
    lan = _user("lan@example.vn", phone="+84901234567", date_of_birth=dt.date(1990, 5, 17))
    copy = User.objects.get(pk=lan.pk)

    copy.pk = None
    copy.email = "lan.copy@example.vn"
    copy.save()

    loaded = User.objects.get(pk=copy.pk)
    assert loaded.phone == "+84901234567"
    assert loaded.date_of_birth == dt.date(1990, 5, 17)
    assert _raw("accounts_user", "phone", copy.pk) != _raw("accounts_user", "phone", lan.pk)


def test_empty_values_are_stored_as_they_are_and_need_no_key() -> None:
    hoa = _user("hoa@example.vn")

    assert _raw("accounts_user", "phone", hoa.pk) == ""
    assert _raw("accounts_user", "phone_index", hoa.pk) == ""
    assert _raw("accounts_user", "date_of_birth", hoa.pk) is None
    assert DataKey.objects.filter(owner_kind="user").count() == 0


def test_an_invalid_phone_is_refused_by_full_clean() -> None:
    user = User(email="lan@example.vn", full_name="Lan", phone="0901 23")

    with pytest.raises(ValidationError) as caught:
        user.full_clean(exclude=["password"])

    assert caught.value.message_dict["phone"] == [
        "Nhập số điện thoại hợp lệ, ví dụ +84 90 123 45 67."
    ]


def test_a_new_users_key_is_linked_to_the_row_it_was_created_for() -> None:
    lan = _user("lan@example.vn", phone="+84901234567")

    [key] = DataKey.objects.filter(owner_kind="user")

    assert key.owner_id == str(lan.pk)
    assert key.version == 1
    assert key.state == "active"
    assert key.master_key_id == "test-new"


def test_destroying_a_tenants_key_makes_its_address_unreadable_while_another_tenant_reads() -> None:
    songhong = _tenant("songhong", "0101234567", "1 Tràng Tiền")
    mekong = _tenant("mekong", "0301234567", "9 Hai Bà Trưng")

    data_keys_destroy(actor=SYSTEM, owner=KeyOwner("tenant", str(songhong.pk)))

    gone = Tenant.objects.get(pk=songhong.pk)
    assert gone.street_address is None
    with pytest.raises(EncryptedValueUnavailable) as caught:
        reveal(gone, "street_address")
    assert caught.value.reason == "key_destroyed"
    assert Tenant.objects.get(pk=mekong.pk).street_address == "9 Hai Bà Trưng"


def test_a_user_whose_key_was_destroyed_can_still_be_cleaned_and_saved() -> None:
    lan = _user("lan@example.vn", phone="+84901234567", date_of_birth=dt.date(1990, 5, 17))
    stored = _raw("accounts_user", "phone", lan.pk)
    data_keys_destroy(actor=SYSTEM, owner=KeyOwner("user", str(lan.pk)))
    erased = User.objects.get(pk=lan.pk)

    erased.full_clean(exclude=["password"])
    erased.is_active = False
    erased.save()

    assert erased.phone is None
    assert erased.date_of_birth is None
    assert _raw("accounts_user", "phone", lan.pk) == stored
    assert _raw("accounts_user", "is_active", lan.pk) in (False, 0)


def test_writing_a_new_value_after_the_key_was_destroyed_is_refused() -> None:
    lan = _user("lan@example.vn", phone="+84901234567")
    data_keys_destroy(actor=SYSTEM, owner=KeyOwner("user", str(lan.pk)))
    stored = _raw("accounts_user", "phone", lan.pk)
    erased = User.objects.get(pk=lan.pk)

    erased.phone = "+84907654321"
    with pytest.raises(EncryptionKeyDestroyed), transaction.atomic():
        erased.save()

    assert _raw("accounts_user", "phone", lan.pk) == stored


def test_destroying_a_users_key_clears_their_blind_index() -> None:
    lan = _user("lan@example.vn", phone="+84901234567")

    data_keys_destroy(actor=SYSTEM, owner=KeyOwner("user", str(lan.pk)))

    assert _raw("accounts_user", "phone_index", lan.pk) == ""
    assert list(User.objects.filter(phone="+84901234567")) == []


def test_reading_a_page_of_users_unwraps_all_their_keys_with_one_query() -> None:
    for n in range(5):
        _user(f"user{n}@example.vn", phone=f"+8490123456{n}", date_of_birth=dt.date(1990, 1, n + 1))
    forget_cached_keys()
    people = list(User.objects.order_by("pk"))

    with CaptureQueriesContext(connection) as queries:
        prefetch_data_keys(people)
        phones = [person.phone for person in people]
        births = [person.date_of_birth for person in people]

    assert len(queries.captured_queries) == 1
    assert phones == [f"+8490123456{n}" for n in range(5)]
    assert births == [dt.date(1990, 1, n + 1) for n in range(5)]


def test_a_pickled_user_carries_no_plaintext() -> None:
    lan = _user("lan@example.vn", phone="+84901234567")
    loaded = User.objects.get(pk=lan.pk)
    assert loaded.phone == "+84901234567"

    data = pickle.dumps(loaded)

    assert b"901234567" not in data
    assert pickle.loads(data).phone == "+84901234567"  # noqa: S301
