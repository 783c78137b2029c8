"""``logitrack keys``: rotation re-encrypts and retires the old version, destruction shreds a
terminated tenant's or a deactivated person's data and nobody else's, status counts keys."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings
from django.utils import timezone, translation

from logitrack.accounts.models import User
from logitrack.core.crypto.keyring import parse_keyring
from logitrack.core.crypto.models import DataKey
from logitrack.core.crypto.store import forget_cached_keys
from logitrack.security.models import AuditEntry
from logitrack.tenancy.models import Tenant

pytestmark = pytest.mark.django_db

OLD = "test-old:dGVzdC1vbmx5IG9sZCBtYXN0ZXIga2V5LCAzMiBieXQ="
NEW = "test-new:dGVzdC1vbmx5IG5ldyBtYXN0ZXIga2V5LCAzMiBieXQ="


@pytest.fixture(autouse=True)
def _cold_key_cache() -> Iterator[None]:
    forget_cached_keys()
    yield
    forget_cached_keys()


def _tenant(slug: str, tax_code: str, address: str) -> Tenant:
    return Tenant.objects.create(
        name=slug.title(),
        slug=slug,
        tax_code=tax_code,
        street_address=address,
        ward_code=26740,
        province_code=79,
    )


def _terminate(tenant: Tenant) -> None:
    Tenant.objects.filter(pk=tenant.pk).update(status="terminated", terminated_at=timezone.now())


def _user(email: str, phone: str, *, active: bool = True) -> User:
    user = User(email=email, full_name="Lan", phone=phone, is_active=active)
    user.set_unusable_password()
    user.save()
    return user


def _raw(table: str, column: str, pk: int) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def _keys(*args: str, language: str = "en") -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    with translation.override(language):
        call_command("keys", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _version_of(token: str) -> int:
    return int(token.split(":")[2])


def test_rotate_re_encrypts_a_tenants_values_and_wipes_the_old_version() -> None:
    tenant = _tenant("songhong", "0101234567", "1 Tràng Tiền")
    before = _raw("tenancy_tenant", "street_address", tenant.pk)

    out, err = _keys("rotate", "--tenant", str(tenant.pk))

    after = _raw("tenancy_tenant", "street_address", tenant.pk)
    assert _version_of(before) == 1
    assert _version_of(after) == 2
    old, new = DataKey.objects.filter(owner_kind="tenant").order_by("version")
    assert (old.state, bytes(old.wrapped_key), old.master_key_id) == ("retired", b"", "")
    assert (new.state, new.version, new.master_key_id) == ("active", 2, "test-new")
    forget_cached_keys()
    assert Tenant.objects.get(pk=tenant.pk).street_address == "1 Tràng Tiền"
    assert "Rotated 1 keys; re-encrypted 1 rows." in out
    assert "100% 1/1" in err


def test_rotate_leaves_other_tenants_untouched() -> None:
    songhong = _tenant("songhong", "0101234567", "1 Tràng Tiền")
    mekong = _tenant("mekong", "0301234567", "9 Hai Bà Trưng")
    untouched = _raw("tenancy_tenant", "street_address", mekong.pk)

    _keys("rotate", "--tenant", str(songhong.pk))

    assert _raw("tenancy_tenant", "street_address", mekong.pk) == untouched
    assert DataKey.objects.filter(owner_id=str(mekong.pk), owner_kind="tenant").count() == 1


def test_rotate_all_re_encrypts_every_owner_and_keeps_blind_indexes_working() -> None:
    tenant = _tenant("songhong", "0101234567", "1 Tràng Tiền")
    lan = _user("lan@example.vn", "+84901234567")
    index_before = _raw("accounts_user", "phone_index", lan.pk)

    out, _err = _keys("rotate", "--all")

    forget_cached_keys()
    assert _version_of(_raw("tenancy_tenant", "street_address", tenant.pk)) == 2
    assert _version_of(_raw("accounts_user", "phone", lan.pk)) == 2
    assert User.objects.get(pk=lan.pk).phone == "+84901234567"
    assert _raw("accounts_user", "phone_index", lan.pk) == index_before
    assert list(User.objects.filter(phone="0901234567")) == [lan]
    assert "Rotated 2 keys; re-encrypted 2 rows." in out


def test_rewrap_moves_every_key_under_the_newest_master_key() -> None:
    with override_settings(LOGITRACK_MASTER_KEY=OLD):
        tenant = _tenant("songhong", "0101234567", "1 Tràng Tiền")
        _user("lan@example.vn", "+84901234567")
    stored = _raw("tenancy_tenant", "street_address", tenant.pk)

    with override_settings(LOGITRACK_MASTER_KEY=f"{OLD},{NEW}"):
        out, err = _keys("rewrap")
    with override_settings(LOGITRACK_MASTER_KEY=NEW):
        assert Tenant.objects.get(pk=tenant.pk).street_address == "1 Tràng Tiền"

    assert set(DataKey.objects.values_list("master_key_id", flat=True)) == {"test-new"}
    assert _raw("tenancy_tenant", "street_address", tenant.pk) == stored
    assert "Re-wrapped 3 keys under the newest master key." in out
    assert "100% 3/3" in err


def test_destroy_refuses_a_tenant_that_is_not_terminated_and_changes_nothing() -> None:
    tenant = _tenant("songhong", "0101234567", "1 Tràng Tiền")

    with pytest.raises(CommandError, match="not terminated"):
        _keys("destroy", "--tenant", str(tenant.pk), "--yes")

    assert set(DataKey.objects.values_list("state", flat=True)) == {"active"}
    assert Tenant.objects.get(pk=tenant.pk).street_address == "1 Tràng Tiền"


def test_destroy_asks_for_the_id_and_destroys_nothing_without_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tenant = _tenant("songhong", "0101234567", "1 Tràng Tiền")
    _terminate(tenant)
    prompts: list[str] = []

    def answer(prompt: str) -> str:
        prompts.append(prompt)
        return "yes"

    monkeypatch.setattr("builtins.input", answer)

    with pytest.raises(CommandError, match="Not confirmed"):
        _keys("destroy", "--tenant", str(tenant.pk))

    assert f"Type the id ({tenant.pk}) to confirm" in prompts[0]
    assert set(DataKey.objects.values_list("state", flat=True)) == {"active"}


def test_destroy_makes_a_terminated_tenants_address_unreadable_while_another_tenant_reads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    songhong = _tenant("songhong", "0101234567", "1 Tràng Tiền")
    mekong = _tenant("mekong", "0301234567", "9 Hai Bà Trưng")
    _terminate(songhong)
    monkeypatch.setattr("builtins.input", lambda prompt: str(songhong.pk))

    out, _err = _keys("destroy", "--tenant", str(songhong.pk))

    [key] = DataKey.objects.filter(owner_kind="tenant", owner_id=str(songhong.pk))
    assert (key.state, bytes(key.wrapped_key), key.master_key_id) == ("destroyed", b"", "")
    assert key.destroyed_at is not None
    assert Tenant.objects.get(pk=songhong.pk).street_address is None
    assert Tenant.objects.get(pk=mekong.pk).street_address == "9 Hai Bà Trưng"
    assert f"Destroyed 1 key versions of tenant #{songhong.pk}." in out


def test_destroying_a_tenants_key_is_audited() -> None:
    tenant = _tenant("songhong", "0101234567", "1 Tràng Tiền")
    _terminate(tenant)

    _keys("destroy", "--tenant", str(tenant.pk), "--yes")

    entry = AuditEntry.objects.get(action="crypto_key_destroyed")
    assert entry.tenant_id == tenant.pk
    assert entry.object_type == "data_key"
    assert entry.object_id == f"tenant:{tenant.pk}"
    assert entry.details == {"versions": 1}


def test_destroy_refuses_an_active_persons_key() -> None:
    lan = _user("lan@example.vn", "+84901234567")

    with pytest.raises(CommandError, match="still active"):
        _keys("destroy", "--user", str(lan.pk), "--yes")

    assert User.objects.get(pk=lan.pk).phone == "+84901234567"


def test_destroy_erases_a_deactivated_persons_phone_and_only_theirs() -> None:
    lan = _user("lan@example.vn", "+84901234567", active=False)
    minh = _user("minh@example.vn", "+84907654321")

    _keys("destroy", "--user", str(lan.pk), "--yes")

    assert User.objects.get(pk=lan.pk).phone is None
    assert list(User.objects.filter(phone="+84901234567")) == []
    assert User.objects.get(pk=minh.pk).phone == "+84907654321"
    assert list(User.objects.filter(phone="+84907654321")) == [minh]


def test_rotating_a_destroyed_key_is_refused() -> None:
    tenant = _tenant("songhong", "0101234567", "1 Tràng Tiền")
    _terminate(tenant)
    _keys("destroy", "--tenant", str(tenant.pk), "--yes")

    with pytest.raises(CommandError, match="has no active key"):
        _keys("rotate", "--tenant", str(tenant.pk))

    assert DataKey.objects.filter(owner_kind="tenant").count() == 1


def test_status_counts_keys_by_owner_state_and_master_key() -> None:
    with override_settings(LOGITRACK_MASTER_KEY=OLD):
        _tenant("songhong", "0101234567", "1 Tràng Tiền")
    with override_settings(LOGITRACK_MASTER_KEY=f"{OLD},{NEW}"):
        _user("lan@example.vn", "+84901234567")
        out, _err = _keys("status")

    assert "Master keys (oldest first): test-old, test-new; current: test-new" in out
    assert "Tenant keys, active: 1" in out
    assert "Person keys, active: 1" in out
    assert "Blind index keys, active: 1" in out
    assert "Wrapped under master key test-old: 1" in out
    assert "Wrapped under master key test-new: 2" in out
    assert "1 keys are wrapped under an older master key: run 'keys rewrap'." in out


def test_the_command_speaks_vietnamese_by_default() -> None:
    tenant = _tenant("songhong", "0101234567", "1 Tràng Tiền")

    with pytest.raises(CommandError) as caught:
        _keys("destroy", "--tenant", str(tenant.pk), "--yes", language="vi")

    assert str(caught.value) == (
        f"Doanh nghiệp {tenant.pk} chưa chấm dứt dịch vụ; "
        "hãy chấm dứt trước khi huỷ khoá của doanh nghiệp."
    )


def test_new_master_key_prints_an_entry_the_keyring_accepts() -> None:
    out, _err = _keys("new-master-key")

    assert len(parse_keyring(out.strip(), source="test").current.secret) == 32
