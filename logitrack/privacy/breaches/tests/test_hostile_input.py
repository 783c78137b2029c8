"""Numbers and dates a register cannot store: refused with a clear error, never a 500.

Year 1 typed in a date picker is before year 1 in UTC once Vietnam's offset is taken off (Python
raises OverflowError when the database adapts it); a count above PostgreSQL's ``integer`` or an id
above ``bigint`` fails the model's own validation, which is not an error the pages translate.
Each is checked on the page (the form) and in the service (any other caller).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from logitrack.core.testing import HttpsClient
from logitrack.privacy.breaches.errors import InvalidBreach, InvalidDisclosure
from logitrack.privacy.breaches.models import Breach, Disclosure
from logitrack.privacy.breaches.services.disclosures import disclosure_record
from logitrack.privacy.breaches.tests.helpers import make_breach, make_officer, window
from logitrack.privacy.breaches.tests.test_disclosures import _input

pytestmark = pytest.mark.django_db

FMT = "%Y-%m-%dT%H:%M"
YEAR_ONE = datetime(1, 1, 1, tzinfo=UTC)


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime(FMT)


def _breach_form(**fields: str) -> dict[str, Any]:
    start, end = window()
    values: dict[str, Any] = {
        "discovered_at": _local(timezone.now() - timedelta(hours=1)),
        "occurred_from": _local(start),
        "occurred_until": _local(end),
        "nature": "Truy cập trái phép",
        "description": "Tài khoản điều phối bị chiếm quyền.",
        "categories": ["user.contact.phone_number"],
        "approx_subjects": "20",
        "approx_records": "40",
    }
    values.update(fields)
    return values


def _disclosure_form(**fields: str) -> dict[str, Any]:
    values: dict[str, Any] = {
        "kind": "authority",
        "requesting_body": "Cục A05, Bộ Công an",
        "legal_basis": "Công văn 45/A05",
        "categories": ["user.name"],
        "description": "Họ tên người nhận của đơn hàng 9.",
        "disclosed_at": _local(timezone.now() - timedelta(hours=1)),
    }
    values.update(fields)
    return values


@pytest.mark.parametrize(
    "fields",
    [
        {"approx_subjects": str(2**63)},
        {"approx_records": str(2**31)},  # fits SQLite, not PostgreSQL's integer
        {"occurred_from": "0001-01-01T00:00", "discovered_at": "0001-01-01T00:00"},
        {"discovered_at": "0001-01-01T00:00"},
    ],
    ids=["people-beyond-bigint", "records-beyond-integer", "year-one-range", "year-one-discovery"],
)
def test_a_breach_the_register_cannot_store_is_a_form_error(
    client: HttpsClient, fields: dict[str, str]
) -> None:
    client.force_login(make_officer())

    response = client.post("/staff/privacy/breaches/", _breach_form(**fields))

    assert response.status_code == 422
    assert not Breach.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"tenant_id": str(2**63)},
        {"tenant_id": "99999999999999999999"},
        {"disclosed_at": "0001-01-01T00:00"},
    ],
    ids=["tenant-beyond-bigint", "tenant-twenty-digits", "year-one"],
)
def test_a_disclosure_the_log_cannot_store_is_a_form_error(
    client: HttpsClient, fields: dict[str, str]
) -> None:
    client.force_login(make_officer())

    response = client.post("/staff/privacy/disclosures/", _disclosure_form(**fields))

    assert response.status_code == 422
    assert not Disclosure.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"approx_subjects": 2**31}, "approx_subjects"),
        ({"approx_records": -1}, "approx_records"),
        ({"discovered_at": YEAR_ONE, "occurred_from": YEAR_ONE}, "discovered_at"),
        ({"occurred_from": YEAR_ONE}, "occurred_from"),
    ],
    ids=["people-beyond-integer", "negative-records", "year-one-discovery", "year-one-range"],
)
def test_the_breach_service_refuses_what_it_cannot_store(
    fields: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidBreach) as refused:
        make_breach(make_officer(), **fields)

    assert refused.value.field == field
    assert not Breach.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"tenant_id": 2**63}, "tenant_id"),
        ({"tenant_id": 0}, "tenant_id"),
        ({"disclosed_at": YEAR_ONE}, "disclosed_at"),
    ],
    ids=["tenant-beyond-bigint", "tenant-zero", "year-one"],
)
def test_the_disclosure_service_refuses_what_it_cannot_store(
    fields: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidDisclosure) as refused:
        disclosure_record(actor=make_officer(), data=_input(**fields))

    assert refused.value.field == field
    assert not Disclosure.objects.exists()


def test_a_person_named_with_leading_zeros_is_found_by_their_export() -> None:
    from logitrack.privacy.breaches.models import DisclosureSubject
    from logitrack.privacy.breaches.selectors import disclosures_for_subject
    from logitrack.privacy.breaches.services.disclosures import disclosure_decide

    recorder, approver = make_officer(), make_officer()
    disclosure = disclosure_record(
        actor=recorder, data=_input(subjects=[("user", "012"), ("user", "12"), ("driver", " 7 ")])
    )
    disclosure_decide(actor=approver, disclosure=disclosure, approve=True)

    refs = sorted(DisclosureSubject.objects.values_list("subject_kind", "subject_ref"))
    assert refs == [("driver", "7"), ("user", "12")]
    assert len(disclosures_for_subject(kind="user", ref="12")) == 1


@pytest.mark.parametrize(
    "ref", ["0", str(2**63), "\u0661\u0662", "\uff11\uff12", "\u00b2", "-1", ""], ids=repr
)
def test_a_person_no_row_can_be_is_refused(ref: str) -> None:
    with pytest.raises(InvalidDisclosure) as refused:
        disclosure_record(actor=make_officer(), data=_input(subjects=[("user", ref)]))

    assert refused.value.field == "subjects"
    assert not Disclosure.objects.exists()
