"""audit_record: what it writes, what it refuses, and where it takes context from."""

from __future__ import annotations

from contextlib import AbstractContextManager

import pytest
from django.db import transaction
from django.test import RequestFactory, override_settings

from logitrack.core.context import request_id_var
from logitrack.security.actors import Actor
from logitrack.security.chain import GENESIS_HASH, verify_chain
from logitrack.security.models import AuditChainHead, AuditEntry
from logitrack.security.services import audit_record
from logitrack.security.tests.helpers import create_user, record_entries
from logitrack.security.validation import InvalidAuditEntry

pytestmark = pytest.mark.django_db

SYSTEM = Actor.system("test_suite")


def _refused(code: str) -> AbstractContextManager[pytest.ExceptionInfo[InvalidAuditEntry]]:
    return pytest.raises(InvalidAuditEntry, check=lambda exc: exc.code == code)


def _nothing_written() -> None:
    assert AuditEntry.objects.count() == 0
    assert not AuditChainHead.objects.exists()


def test_appended_entries_are_numbered_from_one_and_linked() -> None:
    # when three entries are recorded
    first, second, third = record_entries(3)

    # then they carry sequence 1, 2, 3, the first links to genesis and each to the one before
    assert [e.sequence for e in (first, second, third)] == [1, 2, 3]
    assert first.previous_hash == GENESIS_HASH
    assert second.previous_hash == first.entry_hash
    assert third.previous_hash == second.entry_hash
    head = AuditChainHead.objects.get()
    assert (head.sequence, head.entry_hash) == (3, third.entry_hash)


def test_entries_read_back_from_the_database_verify() -> None:
    record_entries(3)
    audit_record(
        action="user_updated",
        actor=SYSTEM,
        tenant_id=12,
        details={"fields": ["language", "time_zone"], "zone": "Hà Nội", "flags": {"a": True}},
        ip="::ffff:203.0.113.9",
        user_agent="Mozilla/5.0 (X11; Linux x86_64)",
    )

    stored = [entry.as_row() for entry in AuditEntry.objects.order_by("sequence")]

    result = verify_chain(stored)
    assert result.ok
    assert result.checked == 4


def test_user_actor_is_stored_as_pseudonym_without_email_or_name() -> None:
    # given a person
    user = create_user("lan.nguyen@example.vn")

    # when they sign in
    entry = audit_record(action="authn_login_success", actor=Actor.user(user))

    # then the entry names them by pseudonym only
    entry.refresh_from_db()
    assert (entry.actor_kind, entry.actor_pseudonym) == ("user", Actor.user(user).pseudonym)
    stored = repr(AuditEntry.objects.values().get(pk=entry.pk))
    assert "lan.nguyen" not in stored
    assert "Lan" not in stored


@pytest.mark.parametrize(
    "details",
    [
        {"contact": "lan.nguyen@example.vn"},
        {"note": "call 0912 345 678 after five"},
        {"phone": "+84912345678"},
        {"recipients": ["ops", "someone@example.com"]},
        {"nested": {"deeper": "+44 20 7946 0958"}},
    ],
)
def test_details_with_contact_data_are_refused_and_nothing_is_written(
    details: dict[str, object],
) -> None:
    with _refused("details_personal_data"):
        audit_record(action="user_updated", actor=SYSTEM, details=details)

    _nothing_written()


def test_details_with_identifiers_and_counts_are_accepted() -> None:
    details = {"waybill": "VN-2026-000123", "count": 12, "ok": True, "tax_code": None}

    entry = audit_record(action="sensitive_read", actor=SYSTEM, details=details)

    entry.refresh_from_db()
    assert entry.details == details


@pytest.mark.parametrize("key", ["e-mail", "", "has space", "1st", "x" * 65])
def test_details_keys_must_be_plain_identifiers(key: str) -> None:
    with _refused("details_key_invalid"):
        audit_record(action="user_updated", actor=SYSTEM, details={key: "x"})

    _nothing_written()


def test_details_floats_are_refused_because_their_text_form_is_not_stable() -> None:
    with _refused("details_value_invalid"):
        audit_record(action="user_updated", actor=SYSTEM, details={"ratio": 0.1})

    _nothing_written()


def test_oversized_details_are_refused() -> None:
    with _refused("details_too_large"):
        audit_record(action="user_updated", actor=SYSTEM, details={"blob": "x" * 5000})

    _nothing_written()


@pytest.mark.parametrize("action", ["Authn_login", "ab", "login-fail", "x" * 65, "9lives"])
def test_malformed_action_is_refused(action: str) -> None:
    with _refused("action_invalid"):
        audit_record(action=action, actor=SYSTEM)

    _nothing_written()


def test_action_outside_the_vocabulary_is_accepted_when_snake_case() -> None:
    entry = audit_record(action="waybill_printed", actor=SYSTEM)

    assert entry.action == "waybill_printed"


def test_explicit_malformed_ip_is_refused() -> None:
    with _refused("ip_invalid"):
        audit_record(action="authz_fail", actor=SYSTEM, ip="not-an-address")

    _nothing_written()


def test_ip_and_user_agent_come_from_the_request_peer_not_forwarded_for() -> None:
    # given a request whose client claims another address in X-Forwarded-For
    request = RequestFactory().get(
        "/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="10.0.0.1", HTTP_USER_AGENT="UA/1"
    )

    entry = audit_record(action="authz_fail", actor=SYSTEM, request=request)

    # then the peer address is recorded, the claim ignored
    assert (entry.ip, entry.user_agent) == ("198.51.100.7", "UA/1")


@override_settings(LOGITRACK_TRUSTED_PROXIES=["10.0.0.2"])
def test_forwarded_for_is_believed_only_from_a_trusted_proxy() -> None:
    # given a trusted proxy (10.0.0.2) in front of the application
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5, 10.0.0.2"
    )

    entry = audit_record(action="authz_fail", actor=SYSTEM, request=request)

    # then the nearest untrusted hop is the client; what the client prepended is ignored
    assert entry.ip == "203.0.113.5"


@override_settings(LOGITRACK_TRUSTED_PROXIES=["10.0.0.2"])
def test_garbage_from_the_client_does_not_stop_the_entry() -> None:
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="<script>", HTTP_USER_AGENT="a\x00b\nc"
    )

    entry = audit_record(action="authz_fail", actor=SYSTEM, request=request)

    assert (entry.ip, entry.user_agent) == ("", "a b c")


def test_user_agent_is_truncated_to_256_characters() -> None:
    entry = audit_record(action="authz_fail", actor=SYSTEM, user_agent="U" * 1000)

    entry.refresh_from_db()
    assert entry.user_agent == "U" * 256


def test_request_id_comes_from_the_request_context_when_not_given() -> None:
    token = request_id_var.set("5f1c0e2a9b7d4c3e8a6f2b1d0c9e8f7a")
    try:
        entry = audit_record(action="authz_fail", actor=SYSTEM)
    finally:
        request_id_var.reset(token)

    assert entry.request_id == "5f1c0e2a9b7d4c3e8a6f2b1d0c9e8f7a"


def _service_that_fails_after_auditing() -> None:
    with transaction.atomic():
        audit_record(action="user_updated", actor=SYSTEM)
        raise RuntimeError("service failed")


def test_entry_rolls_back_with_the_callers_transaction() -> None:
    # given one committed entry
    (kept,) = record_entries(1)

    # when a service records an entry and then fails
    with pytest.raises(RuntimeError, match="service failed"):
        _service_that_fails_after_auditing()

    # then neither the entry nor the head moved, and the next entry takes sequence 2
    assert list(AuditEntry.objects.values_list("sequence", flat=True)) == [1]
    assert AuditChainHead.objects.get().sequence == 1
    assert audit_record(action="user_updated", actor=SYSTEM).previous_hash == kept.entry_hash


def test_chain_continues_from_the_last_entry_when_the_head_row_is_lost() -> None:
    # given two entries and a head row that has gone missing
    _first, second = record_entries(2)
    AuditChainHead.objects.all().delete()

    # when another entry is recorded
    third = audit_record(action="user_updated", actor=SYSTEM)

    # then the chain continues rather than starting over
    assert (third.sequence, third.previous_hash) == (3, second.entry_hash)


def test_tenant_id_must_be_a_positive_integer() -> None:
    with _refused("tenant_id_invalid"):
        audit_record(action="user_updated", actor=SYSTEM, tenant_id=True)

    _nothing_written()
