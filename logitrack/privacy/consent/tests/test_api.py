"""The consents API: list and record, for the tenant's own consignees and drivers only."""

from __future__ import annotations

import pytest

from logitrack.core.tenant import tenant_context
from logitrack.core.testing import HttpsClient
from logitrack.privacy.consent.models import ConsigneeContact, SubjectConsentEvent
from logitrack.privacy.consent.tests.factories import make_admin, make_driver
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant, sign_in

pytestmark = pytest.mark.django_db


def _post(client: HttpsClient, body: dict[str, object]):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/consents", data=body, content_type="application/json")


def test_a_consignee_found_by_email_consents_and_the_list_shows_it(client: HttpsClient) -> None:
    admin = make_admin()
    sign_in(client, admin)

    first = _post(
        client,
        {
            "subject": {"kind": "consignee", "email": "Khach.Hang@Example.VN"},
            "purpose": "marketing_email",
            "action": "grant",
            "notice_text": "Đồng ý nhận bản tin qua e-mail.",
        },
    )
    again = _post(
        client,
        {
            "subject": {"kind": "consignee", "email": "khach.hang@example.vn"},
            "purpose": "marketing_email",
            "action": "grant",
        },
    )
    listed = client.get("/api/v1/consents")

    assert first.status_code == 200
    assert first.json()["changed"] is True
    assert again.status_code == 200
    assert again.json()["changed"] is False
    assert first.json()["method"] == "api"
    assert first.json()["notice_text"] == "Đồng ý nhận bản tin qua e-mail."
    assert [(c["subject_kind"], c["purpose"], c["action"]) for c in listed.json()] == [
        ("consignee", "marketing_email", "grant")
    ]
    assert ConsigneeContact.dangerously_unscoped.count() == 1


def test_another_tenants_driver_answers_404_and_nothing_changes(client: HttpsClient) -> None:
    admin = make_admin()
    stranger = make_driver(make_tenant())
    sign_in(client, admin)

    answer = _post(
        client,
        {
            "subject": {"kind": "driver", "id": stranger.pk},
            "purpose": "marketing_sms",
            "action": "grant",
        },
    )

    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "driver_not_found"
    assert SubjectConsentEvent.dangerously_unscoped.count() == 0


def test_an_unknown_purpose_answers_422(client: HttpsClient) -> None:
    admin = make_admin()
    driver = make_driver(admin.tenant)
    sign_in(client, admin)

    answer = _post(
        client,
        {"subject": {"kind": "driver", "id": driver.pk}, "purpose": "spam", "action": "grant"},
    )

    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "purpose_unknown"
    with tenant_context(admin.tenant):
        assert SubjectConsentEvent.objects.count() == 0


def test_an_invalid_phone_answers_422_and_adds_nobody(client: HttpsClient) -> None:
    sign_in(client, make_admin())

    answer = _post(
        client,
        {
            "subject": {"kind": "consignee", "phone": "12"},
            "purpose": "marketing_sms",
            "action": "grant",
        },
    )

    assert answer.status_code == 422
    assert ConsigneeContact.dangerously_unscoped.count() == 0


def test_a_dispatcher_may_not_list_consents(client: HttpsClient) -> None:
    sign_in(client, make_member(make_tenant(), Role.DISPATCHER))

    assert client.get("/api/v1/consents").status_code == 403


def test_a_refused_consent_of_a_new_consignee_adds_no_consignee(client: HttpsClient) -> None:
    sign_in(client, make_admin())

    answer = _post(
        client,
        {
            "subject": {"kind": "consignee", "email": "khach.moi@example.vn"},
            "purpose": "spam",
            "action": "grant",
        },
    )

    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "purpose_unknown"
    assert ConsigneeContact.dangerously_unscoped.count() == 0


def test_the_list_names_whom_each_consent_is_about(client: HttpsClient) -> None:
    admin = make_admin()
    driver = make_driver(admin.tenant)
    sign_in(client, admin)
    _post(
        client,
        {
            "subject": {"kind": "consignee", "email": "khach.hang@example.vn"},
            "purpose": "marketing_email",
            "action": "grant",
        },
    )
    _post(
        client,
        {
            "subject": {"kind": "driver", "id": driver.pk},
            "purpose": "marketing_sms",
            "action": "grant",
        },
    )

    listed = {c["subject_kind"]: c for c in client.get("/api/v1/consents").json()}

    consignee = listed["consignee"]
    assert (consignee["email"], consignee["phone"]) == ("khach.hang@example.vn", None)
    assert listed["driver"]["subject_id"] == driver.pk
    assert listed["driver"]["name"] == driver.full_name


def test_a_driver_without_an_id_answers_422_naming_the_field(client: HttpsClient) -> None:
    admin = make_admin()
    make_driver(admin.tenant)
    sign_in(client, admin)

    answer = _post(
        client,
        {"subject": {"kind": "driver"}, "purpose": "marketing_sms", "action": "grant"},
    )

    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "validation_error"
    assert [(f["field"], f["code"]) for f in error["fields"]] == [("subject.id", "missing")]
    assert SubjectConsentEvent.dangerously_unscoped.count() == 0
