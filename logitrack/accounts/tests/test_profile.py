"""One's own profile page: edit name, phone, language and time zone; change the password."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from logitrack.accounts.models import User, UserSession
from logitrack.accounts.tests.helpers import PASSWORD, Commit, audit_of, sign_in
from logitrack.core.testing import HttpsClient

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "mountain lantern bamboo river"


def _profile(**overrides: str) -> dict[str, str]:
    return {
        "full_name": "Nguyễn Thị Lan Anh",
        "phone": "0912 345 678",
        "language": "vi",
        "time_zone": "Asia/Ho_Chi_Minh",
        **overrides,
    }


def test_the_profile_page_shows_the_account(signed_in_client: HttpsClient, user: User) -> None:
    response = signed_in_client.get("/account/")

    html = response.content.decode()
    assert response.status_code == 200
    assert user.email in html
    assert 'value="Nguyễn Thị Lan"' in html
    assert 'name="time_zone" value="Asia/Ho_Chi_Minh"' in html


def test_the_time_zone_picker_is_searchable_and_offers_ho_chi_minh_first(
    signed_in_client: HttpsClient,
) -> None:
    html = signed_in_client.get("/account/").content.decode()

    assert 'list="time-zones"' in html
    datalist = re.search(r'<datalist id="time-zones">(.*?)</datalist>', html, re.DOTALL)
    assert datalist is not None
    zones = re.findall(r'<option value="([^"]+)">', datalist.group(1))
    assert zones[0] == "Asia/Ho_Chi_Minh"
    assert zones.count("Asia/Ho_Chi_Minh") == 1
    assert "Asia/Bangkok" in zones
    assert zones[1:] == sorted(zones[1:])
    assert len(zones) > 300


def test_a_time_zone_outside_the_list_is_refused_and_nothing_changes(
    signed_in_client: HttpsClient, user: User
) -> None:
    response = signed_in_client.post(
        "/account/",
        {"full_name": "Nguyễn Thị Lan", "language": "vi", "time_zone": "Mars/Olympus_Mons"},
    )

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.time_zone == "Asia/Ho_Chi_Minh"


def test_anonymous_visitors_are_sent_to_sign_in(client: HttpsClient) -> None:
    response = client.get("/account/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/account/"


def test_saving_the_profile_stores_e164_and_audits_field_names_only(
    signed_in_client: HttpsClient, user: User
) -> None:
    response = signed_in_client.post("/account/", _profile())

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.full_name == "Nguyễn Thị Lan Anh"
    assert user.phone == "+84912345678"
    [entry] = audit_of("user_updated")
    assert entry.details == {"fields": ["full_name", "phone"]}
    assert entry.object_id == str(user.pk)


def test_an_invalid_phone_is_refused_and_changes_nothing(
    signed_in_client: HttpsClient, user: User
) -> None:
    response = signed_in_client.post("/account/", _profile(phone="0912 34"))

    assert response.status_code == 200
    assert "Nhập số điện thoại hợp lệ" in response.content.decode()
    user.refresh_from_db()
    assert user.full_name == "Nguyễn Thị Lan"
    assert user.phone == ""
    assert audit_of("user_updated") == []


def test_an_unknown_time_zone_is_refused_and_changes_nothing(
    signed_in_client: HttpsClient, user: User
) -> None:
    response = signed_in_client.post("/account/", _profile(time_zone="Mars/Olympus_Mons"))

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.time_zone == "Asia/Ho_Chi_Minh"
    assert user.full_name == "Nguyễn Thị Lan"


def test_choosing_english_switches_the_pages_to_english(
    signed_in_client: HttpsClient, user: User
) -> None:
    response = signed_in_client.post("/account/", _profile(language="en"))

    assert response.cookies["__Host-logitrack_lang"].value == "en"
    page = signed_in_client.get("/account/")
    assert '<html lang="en">' in page.content.decode()
    user.refresh_from_db()
    assert user.language == "en"


def test_saving_unchanged_values_writes_no_audit_entry(
    signed_in_client: HttpsClient, user: User
) -> None:
    signed_in_client.post("/account/", _profile(full_name="Nguyễn Thị Lan", phone=""))

    assert audit_of("user_updated") == []


def test_changing_the_password_keeps_this_device_and_ends_the_others(
    signed_in_client: HttpsClient,
    other_client: HttpsClient,
    user: User,
    django_capture_on_commit_callbacks: Commit,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in_client.post(
            "/account/password/",
            {
                "current_password": PASSWORD,
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
            },
        )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert signed_in_client.get("/account/").status_code == 200
    assert other_client.get("/account/").status_code == 302
    assert UserSession.objects.count() == 1
    [entry] = audit_of("authn_password_change")
    assert entry.details == {"method": "change", "other_sessions_ended": 1}
    assert [m.subject for m in mail.outbox] == ["Mật khẩu Logitrack của bạn đã được thay đổi"]


def test_a_wrong_current_password_changes_nothing_and_is_audited(
    signed_in_client: HttpsClient, user: User
) -> None:
    response = signed_in_client.post(
        "/account/password/",
        {
            "current_password": "not my password",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 200
    assert "Mật khẩu hiện tại không đúng." in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert audit_of("authn_password_change") == []
    assert audit_of("authn_password_change_fail")[0].details == {"reason": "wrong_password"}


def test_a_too_short_new_password_changes_nothing(
    signed_in_client: HttpsClient, user: User
) -> None:
    response = signed_in_client.post(
        "/account/password/",
        {
            "current_password": PASSWORD,
            "new_password1": "eleven char",
            "new_password2": "eleven char",
        },
    )

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert sign_in(HttpsClient()).status_code == 302
