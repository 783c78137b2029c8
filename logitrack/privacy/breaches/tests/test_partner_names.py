"""Partners read in the reader's language: their name, purpose and country (not its ISO code)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from logitrack.core.testing import HttpsClient
from logitrack.privacy.breaches.models import Partner
from logitrack.privacy.breaches.register import DECLARED_PARTNERS
from logitrack.privacy.breaches.services.partners import partners_seed
from logitrack.privacy.breaches.tests.helpers import make_officer


def _row(page: str, key: str) -> str:
    start = page.index(f'data-partner="{key}"')
    return page[start : page.index("</tr>", start)]


@pytest.mark.django_db
def test_the_public_page_names_partners_and_countries_in_the_reader_s_language(
    client: HttpsClient,
) -> None:
    partners_seed()

    client.cookies["__Host-logitrack_lang"] = "vi"
    vietnamese = _row(client.get("/privacy/partners/").content.decode(), "carriers")
    client.cookies["__Host-logitrack_lang"] = "en"
    english = _row(client.get("/privacy/partners/").content.decode(), "carriers")

    assert "Đơn vị vận chuyển do doanh nghiệp thuê" in vietnamese
    assert "Carriers booked by a tenant" not in vietnamese
    assert "Việt Nam" in vietnamese
    assert ">VN<" not in vietnamese
    assert "Carriers booked by a tenant" in english
    assert "Vietnam" in english
    assert ">VN<" not in english


@pytest.mark.django_db
def test_every_seeded_partner_has_both_names() -> None:
    assert all(p.name_vi and p.name_en and p.name_vi != p.name_en for p in DECLARED_PARTNERS)


@pytest.mark.django_db
def test_the_officer_s_form_needs_both_names_and_lists_countries_by_name(
    client: HttpsClient,
) -> None:
    client.force_login(make_officer())
    client.cookies["__Host-logitrack_lang"] = "vi"
    form = {
        "key": "sms-gateway",
        "name_en": "SMS gateway",
        "kind": "sms",
        "role": "processor",
        "country": "SG",
        "purpose_vi": "Gửi tin nhắn.",
        "purpose_en": "Sends text messages.",
        "categories": ["user.contact.phone_number"],
        "active": "on",
    }

    page = client.get("/staff/privacy/partners/").content.decode()
    refused = client.post("/staff/privacy/partners/", form)
    accepted = client.post("/staff/privacy/partners/", {**form, "name_vi": "Cổng tin nhắn SMS"})

    assert '<option value="SG">Singapore</option>' in page
    assert '<option value="VN" selected>Việt Nam</option>' in page
    assert refused.status_code == 422
    assert accepted.status_code == 302
    partner = Partner.objects.get(key="sms-gateway")
    assert (partner.name_vi, partner.name_en, partner.country) == (
        "Cổng tin nhắn SMS",
        "SMS gateway",
        "SG",
    )
    listing = _row(client.get("/staff/privacy/partners/").content.decode(), "sms-gateway")
    assert "Cổng tin nhắn SMS" in listing
    assert "Singapore" in listing


BEFORE = [("breaches", "0001_initial")]
AFTER = [("breaches", "0002_partner_names")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_existing_partners_the_seed_s_vietnamese_name() -> None:
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("breaches", "Partner")
    common = {"kind": "carrier", "role": "recipient", "country": "VN"}
    old.objects.create(
        key="carriers",
        name="Carriers booked by a tenant",
        purpose_vi="Giao hàng.",
        purpose_en="Deliver parcels.",
        **common,
    )
    old.objects.create(
        key="own-fleet", name="Own fleet", purpose_vi="Giao.", purpose_en="Deliver.", **common
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)

    new = executor.loader.project_state(AFTER).apps.get_model("breaches", "Partner")
    assert sorted(new.objects.values_list("key", "name_vi", "name_en")) == [
        ("carriers", "Đơn vị vận chuyển do doanh nghiệp thuê", "Carriers booked by a tenant"),
        ("own-fleet", "Own fleet", "Own fleet"),
    ]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(latest)


def _disclosure(subjects: str) -> dict[str, object]:
    from datetime import timedelta

    from django.utils import timezone

    return {
        "kind": "authority",
        "requesting_body": "Cục A05, Bộ Công an",
        "legal_basis": "Công văn 45/A05",
        "categories": ["user.name"],
        "description": "Họ tên của chủ tài khoản.",
        "disclosed_at": timezone.localtime(timezone.now() - timedelta(hours=1)).strftime(
            "%Y-%m-%dT%H:%M"
        ),
        "subjects": subjects,
    }


@pytest.mark.django_db
def test_the_disclosure_form_takes_a_person_by_their_account_s_e_mail_address(
    client: HttpsClient,
) -> None:
    from logitrack.privacy.breaches.models import Disclosure, DisclosureSubject
    from logitrack.security.tests.helpers import create_user

    person = create_user("Chi.Mai@Example.VN")
    client.force_login(make_officer())
    client.cookies["__Host-logitrack_lang"] = "en"

    unknown = client.post("/staff/privacy/disclosures/", _disclosure("nobody@example.vn"))
    known = client.post("/staff/privacy/disclosures/", _disclosure("chi.mai@example.vn\ndriver:5"))

    assert unknown.status_code == 422
    assert "No account has the e-mail address nobody@example.vn." in unknown.content.decode()
    assert known.status_code == 302
    assert Disclosure.objects.count() == 1
    assert sorted(DisclosureSubject.objects.values_list("subject_kind", "subject_ref")) == [
        ("driver", "5"),
        ("user", str(person.pk)),
    ]


def test_countries_are_listed_in_vietnamese_alphabetical_order() -> None:
    from django.utils import translation

    from logitrack.privacy.breaches.forms import _country_choices

    with translation.override("vi"):
        names = [name for _code, name in _country_choices()]

    assert names[0] == "Việt Nam"
    india, first_b = names.index("Ấn Độ"), next(i for i, n in enumerate(names) if n[0] == "B")
    assert names.index("Azerbaijan") < india < first_b
