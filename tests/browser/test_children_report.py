"""Under-16 journey in Debian's chromium against the real HTTPS server: a colleague reports a
member of their company as under 16; that member's open page is signed out at its next request
and signing in again is refused with the suspended account's message (privacy policy §9)."""

from __future__ import annotations

import _server  # bench/_server.py, put on sys.path by conftest.py
import pytest
from playwright.sync_api import Browser

from .journeys import (
    PASSWORD,
    desktop_context,
    goto,
    shell_json,
    sign_in,
    submit,
    unique_email,
    unique_tax_code,
)

pytestmark = pytest.mark.browser

_SETUP = """
import json
from logitrack.accounts.models import User
from logitrack.core.tenant import tenant_context
from logitrack.tenancy.models import Membership
from logitrack.tenancy.tests.factories import make_tenant
# Each shell counts factory serials from 1: a fixed tax code would collide with other journeys.
tenant = make_tenant("Công ty Giao nhận Sông Hàn", tax_code={tax_code!r})
with tenant_context(tenant):
    for email, name, role in (({reporter!r}, "Trần Văn Bình", "dispatcher"),
                              ({child!r}, "Lê Thị Nhỏ", "viewer")):
        user = User.objects.create_user(email=email, password={password!r}, full_name=name)
        Membership.objects.create(user=user, role=role)
print(json.dumps({{"tenant": tenant.pk}}))
"""


def test_a_colleague_reports_a_user_under_16_who_is_signed_out_and_refused(
    browser: Browser, logitrack_server: _server.RunningServer
) -> None:
    base = logitrack_server.https_url
    reporter_email, child_email = unique_email("reporter"), unique_email("child")
    shell_json(
        logitrack_server,
        _SETUP.format(
            reporter=reporter_email,
            child=child_email,
            password=PASSWORD,
            tax_code=unique_tax_code(),
        ),
    )
    child_context, reporter_context = desktop_context(browser), desktop_context(browser)
    try:
        child = child_context.new_page()
        sign_in(child, base, child_email)
        goto(child, f"{base}/account/")
        assert child.url.endswith("/account/")

        reporter = reporter_context.new_page()
        sign_in(reporter, base, reporter_email)
        goto(reporter, f"{base}/privacy/children/report/")
        reporter.fill("#id_email", child_email)
        submit(reporter, "Tiếp tục")
        assert "Lê Thị Nhỏ" in reporter.locator("[data-colleague-name]").inner_text()
        reporter.check("#id_confirm")
        done = submit(reporter, "Báo cáo và tạm khóa tài khoản")
        assert done.ok
        assert "Tài khoản đã bị tạm khóa" in reporter.content()

        # The child's next request: the session is gone, the browser lands on the sign-in page.
        child.reload()
        assert "/login/" in child.url

        refused = sign_in(child, base, child_email)
        assert refused.ok
        assert "/login/" in child.url
        assert "Tài khoản này đã bị tạm khóa và không thể đăng nhập." in child.content()
        goto(child, f"{base}/account/")
        assert "/login/" in child.url
    finally:
        child_context.close()
        reporter_context.close()


def test_a_mistyped_year_on_the_profile_is_caught_before_the_account_is_suspended(
    browser: Browser, logitrack_server: _server.RunningServer
) -> None:
    """The person types 2016 for 2006: the profile says what that date means and waits for a
    ticked box; correcting the year saves as usual. Confirming suspends and signs out, and the
    page names the privacy officer's address and the 20-hour window."""
    base = logitrack_server.https_url
    reporter_email, person_email = unique_email("colleague"), unique_email("typo")
    shell_json(
        logitrack_server,
        _SETUP.format(
            reporter=reporter_email,
            child=person_email,
            password=PASSWORD,
            tax_code=unique_tax_code(),
        ),
    )
    context = desktop_context(browser)
    try:
        page = context.new_page()
        sign_in(page, base, person_email)
        goto(page, f"{base}/account/")
        page.fill("#id_date_of_birth", "2016-05-04")
        asked = submit(page, "Lưu")
        assert asked.ok
        assert "Theo ngày này, bạn dưới 16 tuổi" in page.content()
        assert page.locator("#id_confirm_under_16").is_visible()
        # The box sits before its words, on their line, as every other tick box of the site.
        box = page.locator("#id_confirm_under_16").bounding_box()
        words = page.locator("label[for=id_confirm_under_16] span").bounding_box()
        assert box is not None
        assert words is not None
        assert box["x"] < words["x"]
        assert words["y"] <= box["y"] + box["height"] / 2 <= words["y"] + words["height"]

        # Corrected: saved, still signed in.
        page.fill("#id_date_of_birth", "2006-05-04")
        saved = submit(page, "Lưu")
        assert saved.ok
        assert page.url.endswith("/account/")
        assert page.input_value("#id_date_of_birth") == "2006-05-04"
        assert page.locator("#id_confirm_under_16").count() == 0

        # Really under 16: confirmed, suspended and signed out, told whom to write to.
        page.fill("#id_date_of_birth", "2016-05-04")
        submit(page, "Lưu")
        page.check("#id_confirm_under_16")
        done = submit(page, "Lưu")
        assert done.status == 403
        contact = page.locator("[data-privacy-contact]").inner_text()
        assert "@" in contact
        assert "20 giờ" in contact
        goto(page, f"{base}/account/")
        assert "/login/" in page.url
    finally:
        context.close()
