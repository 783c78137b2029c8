"""The disclosure log: four eyes, and what a person's access export will list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from logitrack.privacy.breaches.errors import (
    DisclosureNotPending,
    InvalidCategory,
    InvalidDisclosure,
    SameApprover,
)
from logitrack.privacy.breaches.models import Disclosure, DisclosureSubject
from logitrack.privacy.breaches.selectors import disclosures_for_subject
from logitrack.privacy.breaches.services.disclosures import (
    DisclosureInput,
    disclosure_decide,
    disclosure_record,
)
from logitrack.privacy.breaches.tests.helpers import make_officer
from logitrack.security.models import AuditEntry

pytestmark = pytest.mark.django_db


def _input(**fields: object) -> DisclosureInput:
    values: dict[str, object] = {
        "kind": "authority",
        "requesting_body": "Công an Thành phố Hồ Chí Minh",
        "legal_basis": "Điều 19 Luật Bảo vệ dữ liệu cá nhân; công văn số 123/CAHCM",
        "categories": ["user.name", "user.contact.phone_number"],
        "description": "Tên và số điện thoại của người nhận đơn hàng 34.",
        "disclosed_at": timezone.now() - timedelta(hours=1),
        "request_reference": "123/CAHCM",
        "subjects": [("consignee", "34"), ("user", "12")],
    }
    values.update(fields)
    return DisclosureInput(**values)  # type: ignore[arg-type]


def test_the_recorder_cannot_approve_their_own_disclosure() -> None:
    recorder = make_officer()
    disclosure = disclosure_record(actor=recorder, data=_input())

    with pytest.raises(SameApprover):
        disclosure_decide(actor=recorder, disclosure=disclosure, approve=True)

    assert Disclosure.objects.get(pk=disclosure.pk).status == "pending"
    assert not AuditEntry.objects.filter(action="disclosure_approved").exists()


def test_the_database_refuses_an_approver_who_recorded_the_disclosure() -> None:
    recorder = make_officer()
    disclosure = disclosure_record(actor=recorder, data=_input())

    with pytest.raises(IntegrityError), transaction.atomic():
        Disclosure.objects.filter(pk=disclosure.pk).update(decided_by=recorder)


def test_a_second_officer_approves_and_the_person_s_export_lists_it() -> None:
    recorder, approver = make_officer(), make_officer()
    disclosure = disclosure_record(actor=recorder, data=_input())
    disclosure_record(actor=recorder, data=_input(subjects=[("user", "99")]))

    assert disclosures_for_subject(kind="consignee", ref="34") == []  # pending: not disclosed
    disclosure_decide(actor=approver, disclosure=disclosure, approve=True)
    records = disclosures_for_subject(kind="consignee", ref="34")

    assert [(r.recipient, r.categories, r.request_reference) for r in records] == [
        ("Công an Thành phố Hồ Chí Minh", ("user.name", "user.contact.phone_number"), "123/CAHCM")
    ]
    assert disclosures_for_subject(kind="driver", ref="34") == []
    with pytest.raises(DisclosureNotPending):
        disclosure_decide(actor=approver, disclosure=disclosure, approve=False)
    assert AuditEntry.objects.filter(action="disclosure_approved").count() == 1


def test_bad_input_is_refused_and_nothing_is_recorded() -> None:
    officer = make_officer()

    with pytest.raises(InvalidCategory):
        disclosure_record(actor=officer, data=_input(categories=["user.made_up"]))
    with pytest.raises(InvalidDisclosure):
        disclosure_record(actor=officer, data=_input(subjects=[("robot", "1")]))
    with pytest.raises(InvalidDisclosure):
        disclosure_record(
            actor=officer, data=_input(disclosed_at=timezone.now() + timedelta(days=1))
        )

    assert (Disclosure.objects.count(), DisclosureSubject.objects.count()) == (0, 0)
    with pytest.raises(ValueError, match="unknown subject kind"):
        disclosures_for_subject(kind="robot", ref="1")
