"""Public tracking: /t/<waybill> and GET /api/v1/track/{waybill}."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
from django.test import override_settings
from django.utils import timezone

from logitrack.core.testing import HttpsClient
from logitrack.logistics.models import Shipment
from logitrack.logistics.public import cache, limit
from logitrack.logistics.public.selectors import initials
from logitrack.logistics.tests.factories import (
    PROVINCE_HCMC,
    make_order_row,
    make_shipment_row,
    make_shipper,
)
from logitrack.logistics.tests.timeline import add_status_event
from logitrack.tenancy.tests.factories import make_tenant

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()
    limit.reset()


def _shipment(**order_fields: object) -> Shipment:
    tenant = make_tenant()
    order = make_order_row(make_shipper(tenant), **order_fields)
    return make_shipment_row(order)


def _in_transit(shipment: Shipment) -> None:
    add_status_event(
        shipment,
        "picked_up",
        at=datetime(2026, 11, 29, 1, 5, tzinfo=UTC),
        place="Kho Tân Bình",
        province_code=PROVINCE_HCMC,
    )
    add_status_event(
        shipment,
        "in_transit",
        at=datetime(2026, 11, 29, 3, 30, tzinfo=UTC),
        place="Trung tâm chia chọn Củ Chi",
        province_code=PROVINCE_HCMC,
    )


def test_initials_take_the_first_letter_of_each_word() -> None:
    assert initials("Trần Thị Bích") == "T. T. B."
    assert initials("  đỗ   an ") == "Đ. A."
    assert initials("") == ""


def test_page_shows_status_timeline_in_vietnam_time_initials_and_province(
    client: HttpsClient,
) -> None:
    shipment = _shipment()
    _in_transit(shipment)

    response = client.get(f"/t/{shipment.waybill}")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Đang vận chuyển" in page  # in_transit, in Vietnamese by default
    assert "T. T. B." in page
    assert "Thành phố Hà Nội" in page
    assert '<span class="place">Thành phố Hồ Chí Minh</span>' in page
    assert "Trung tâm chia chọn Củ Chi" not in page
    assert "29/11/2026 10:30" in page  # 03:30 UTC is 10:30 in Asia/Ho_Chi_Minh
    assert "Trần Thị Bích" not in page
    assert "12 Lê Lợi" not in page
    assert "+84912345678" not in page
    assert "0912345678" not in page


def test_page_switches_to_english_with_a_link(client: HttpsClient) -> None:
    shipment = _shipment()
    _in_transit(shipment)

    page = client.get(f"/t/{shipment.waybill}?lang=en").content.decode()

    assert "In transit" in page
    assert "29 Nov 2026 10:30" in page
    assert 'lang="en"' in page


def test_page_accepts_the_waybill_in_lower_case_with_hyphens(client: HttpsClient) -> None:
    shipment = _shipment()
    spaced = f"{shipment.waybill[:3]}-{shipment.waybill[3:]}".lower()

    response = client.get(f"/t/{spaced}")

    assert response.status_code == 200


def test_places_typed_at_scans_are_never_shown_only_their_province(
    client: HttpsClient,
) -> None:
    shipment = _shipment()
    add_status_event(
        shipment,
        "picked_up",
        place="Nhà anh Nguyễn Văn Hùng 0987654321 số 7 Hàng Bông",
        province_code=1,
    )
    add_status_event(shipment, "at_hub", place="Bưu cục Ba Đình", province_code=PROVINCE_HCMC)
    add_status_event(shipment, "in_transit", place="Gọi chị Lan +84901234567")
    add_status_event(shipment, "out_for_delivery", place="Ngõ 5 nhà bà Bích", province_code=1)
    add_status_event(
        shipment,
        "failed_attempt",
        place="Trước cửa nhà số 12",
        province_code=1,
        failure_reason="recipient_absent",
        reason_text="Chị Bích đi vắng",
    )

    page = client.get(f"/t/{shipment.waybill}").content.decode()
    api = client.get(f"/api/v1/track/{shipment.waybill}").json()

    for leaked in (
        "Nguyễn Văn Hùng",
        "0987654321",
        "Hàng Bông",
        "Bưu cục",
        "Chị Lan",
        "+84901234567",
        "Ngõ 5",
        "Trước cửa nhà",
        "Chị Bích",
    ):
        assert leaked not in page
        assert leaked not in json.dumps(api, ensure_ascii=False)
    assert [(e["status"], e["place"], e["province"]) for e in api["events"]] == [
        ("picked_up", "Thành phố Hà Nội", "Thành phố Hà Nội"),
        ("at_hub", "Thành phố Hồ Chí Minh", "Thành phố Hồ Chí Minh"),
        ("in_transit", "", ""),
        ("out_for_delivery", "Thành phố Hà Nội", "Thành phố Hà Nội"),
        ("failed_attempt", "Thành phố Hà Nội", "Thành phố Hà Nội"),
    ]
    assert "Người nhận vắng mặt" in page


def test_unknown_and_malformed_waybills_get_byte_identical_answers(client: HttpsClient) -> None:
    shipment = _shipment()
    unknown = shipment.waybill[:-1] + ("0" if shipment.waybill[-1] != "0" else "1")

    answers = [
        client.get(path)
        for path in (
            f"/t/{unknown}",
            "/t/NOT-A-WAYBILL",
            "/t/" + "X" * 300,
            "/t/%E2%80%AEabc",
        )
    ]

    assert {response.status_code for response in answers} == {404}
    assert len({response.content for response in answers}) == 1
    assert "Không tìm thấy vận đơn" in answers[0].content.decode()


def test_api_unknown_and_malformed_waybills_get_byte_identical_answers(
    client: HttpsClient,
) -> None:
    shipment = _shipment()
    unknown = shipment.waybill[:-1] + ("0" if shipment.waybill[-1] != "0" else "1")

    answers = [client.get(f"/api/v1/track/{code}") for code in (unknown, "x", "ÀÁ" * 50)]

    assert {response.status_code for response in answers} == {404}
    assert len({response.content for response in answers}) == 1
    assert json.loads(answers[0].content)["error"]["code"] == "waybill_not_found"


def test_api_returns_the_public_view_with_vietnam_offsets(client: HttpsClient) -> None:
    shipment = _shipment()
    _in_transit(shipment)
    eta = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    Shipment.dangerously_unscoped.filter(pk=shipment.pk).update(eta=eta)

    response = client.get(f"/api/v1/track/{shipment.waybill}", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    body = response.json()
    assert body["waybill"] == shipment.waybill
    assert body["status"] == "in_transit"
    assert body["status_label"] == "In transit"
    assert body["eta"] == "2026-12-01T17:00:00+07:00"
    assert body["recipient_initials"] == "T. T. B."
    assert body["destination_province"] == "Thành phố Hà Nội"
    assert [event["status"] for event in body["events"]] == ["picked_up", "in_transit"]
    assert body["events"][1]["occurred_at"] == "2026-11-29T10:30:00+07:00"
    assert set(body) == {
        "waybill",
        "status",
        "status_label",
        "status_changed_at",
        "eta",
        "recipient_initials",
        "destination_province",
        "events",
        "whereabouts",
    }
    assert body["whereabouts"] is None  # in transit: no position at all


def test_a_new_event_shows_at_once_despite_the_cache(client: HttpsClient) -> None:
    shipment = _shipment()
    _in_transit(shipment)
    assert "Đang vận chuyển" in client.get(f"/t/{shipment.waybill}").content.decode()

    add_status_event(shipment, "at_hub", place="Bưu cục Ba Đình", province_code=1)

    page = client.get(f"/t/{shipment.waybill}").content.decode()
    assert "Tại bưu cục/kho trung chuyển" in page
    api = client.get(f"/api/v1/track/{shipment.waybill}").json()
    assert api["status"] == "at_hub"


def test_one_query_answers_a_cached_page(
    client: HttpsClient, django_assert_max_num_queries: object
) -> None:
    shipment = _shipment()
    _in_transit(shipment)
    client.get(f"/t/{shipment.waybill}")

    with override_settings(LOGITRACK_RATE_LIMITS={"tracking.ip": "1000/m"}):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/t/{shipment.waybill}")

    assert response.status_code == 200
    shipment_queries = [q for q in queries.captured_queries if "logistics_" in q["sql"]]
    assert len(shipment_queries) == 1


@override_settings(LOGITRACK_RATE_LIMITS={"tracking.ip": "3/m"})
def test_lookups_past_the_limit_are_refused_per_address(client: HttpsClient) -> None:
    shipment = _shipment()

    answers = [client.get(f"/t/{shipment.waybill}").status_code for _ in range(4)]
    api = client.get(f"/api/v1/track/{shipment.waybill}")
    other_address = client.get(f"/t/{shipment.waybill}", REMOTE_ADDR="203.0.113.9")

    assert answers == [200, 200, 200, 429]
    assert api.status_code == 429
    assert api.json()["error"]["code"] == "rate_limited"
    assert other_address.status_code == 200


@override_settings(
    LOGITRACK_RATE_LIMITS={"tracking.ip": "3/m"}, LOGITRACK_TRUSTED_PROXIES=["10.0.0.5"]
)
def test_lookups_whose_forwarded_address_is_not_an_address_share_one_limited_bucket(
    client: HttpsClient,
) -> None:
    shipment = _shipment()
    forwarded = ["not-an-ip", "203.0.113.7, garbage", "", "999.1.1.1"]

    answers = [
        client.get(
            f"/t/{shipment.waybill}", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=xff
        ).status_code
        for xff in forwarded
    ]
    known = client.get(
        f"/t/{shipment.waybill}", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.4"
    )

    assert answers == [200, 200, 200, 429]
    assert known.status_code == 200


def test_lookup_form_redirects_to_the_canonical_waybill(client: HttpsClient) -> None:
    shipment = _shipment()

    response = client.get("/t/", {"waybill": f" {shipment.waybill.lower()} ", "lang": "en"})

    assert response.status_code == 302
    assert response["Location"] == f"/t/{shipment.waybill}?lang=en"


def test_lookup_form_sends_unusable_text_to_the_not_found_answer(client: HttpsClient) -> None:
    response = client.get("/t/", {"waybill": "a/b?c"})

    assert response["Location"] == "/t/0"


def test_page_has_no_script_nonce_or_csrf_token(client: HttpsClient) -> None:
    shipment = _shipment()

    response = client.get(f"/t/{shipment.waybill}")

    assert "nonce" not in response.content.decode()
    assert "csrfmiddlewaretoken" not in response.content.decode()
    assert "csrftoken" not in response.cookies
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_eta_is_shown_when_known(client: HttpsClient) -> None:
    shipment = _shipment()
    eta = timezone.now().replace(microsecond=0) + timedelta(days=1)
    Shipment.dangerously_unscoped.filter(pk=shipment.pk).update(
        eta=datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    )
    assert eta

    page = client.get(f"/t/{shipment.waybill}").content.decode()

    assert "01/12/2026 17:00" in page


def test_rates_are_read_like_throttle_rates() -> None:
    assert limit.parse_rate("120/m") == (120, 60)
    assert limit.parse_rate("30/10m") == (30, 600)
    assert limit.batch_of(3) == 1
    assert limit.batch_of(120) == 10
    assert limit.batch_of(100_000) == 10


@override_settings(LOGITRACK_RATE_LIMITS={"tracking.ip": "40/m"})
def test_a_batched_limit_refuses_no_later_than_its_count(client: HttpsClient) -> None:
    shipment = _shipment()

    answers = [client.get(f"/api/v1/track/{shipment.waybill}").status_code for _ in range(45)]

    assert answers[:40] == [200] * 40
    assert answers[-1] == 429


def test_api_answers_text_the_layer_refuses_like_an_unknown_waybill(client: HttpsClient) -> None:
    unknown = client.get("/api/v1/track/AAA0000000000")

    hazards = [client.get("/api/v1/track/" + quote(text)) for text in ("ab\u202ecd", "\x07x")]

    assert [r.status_code for r in hazards] == [404, 404]
    assert {r.content for r in hazards} == {unknown.content}
